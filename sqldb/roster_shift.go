package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// The times of shifts and assignments are compared in SQL, so on SQLite,
// which keeps them as text, every one is written and compared in one form:
// tx.timeValue's (or tx.timeArg's for the transaction's time), never a
// time.Time handed to the driver, which writes another.

// AddShifts adds shifts of posts in the caller's scope in one
// transaction: a week of three shifts a day at every post of a district
// is one call. The audit log gets one entry per post.
func (s *RosterService) AddShifts(ctx context.Context, shifts []*frontline.Shift) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.addShifts(ctx, shifts); err != nil {
		return err
	}
	return tx.Commit()
}

func (tx *Tx) addShifts(ctx context.Context, shifts []*frontline.Shift) error {
	if len(shifts) == 0 || len(shifts) > frontline.MaxShifts {
		return frontline.FieldError("shifts", "add 1 to %d shifts at a time", frontline.MaxShifts)
	}
	posts := map[int64]*frontline.Post{}
	for _, sh := range shifts {
		if err := sh.Validate(); err != nil {
			return err
		}
		posts[sh.PostID] = nil
	}
	if err := tx.postsByID(ctx, posts); err != nil {
		return err
	}
	ids, err := tx.nextIDs(ctx, "duty_shifts", len(shifts))
	if err != nil {
		return err
	}
	by := frontline.ActorFrom(ctx).String()
	for i, sh := range shifts {
		p := posts[sh.PostID]
		if p.Retired {
			return frontline.FieldError("post_id", "%s is no longer staffed", p.Name)
		}
		sh.ID, sh.Post, sh.Start, sh.End, sh.CreatedAt, sh.CreatedBy = ids[i], p, sh.Start.UTC(), sh.End.UTC(), tx.now, by
		sh.Assignments = []*frontline.Assignment{}
	}
	cols := []string{"id", "post_id", "role", "starts_at", "ends_at", "headcount", "skills", "assigned", "created_at", "created_by"}
	now := tx.timeValue(tx.now)
	if err := tx.bulkInsert(ctx, "duty_shifts", cols, len(shifts), func(i int, args []any) []any {
		sh := shifts[i]
		return append(args, sh.ID, sh.PostID, string(sh.Role), tx.timeValue(sh.Start), tx.timeValue(sh.End), sh.Headcount,
			strings.Join(sh.Skills, ","), 0, now, by)
	}); err != nil {
		return err
	}
	perPost := map[int64][]*frontline.Shift{}
	for _, sh := range shifts {
		perPost[sh.PostID] = append(perPost[sh.PostID], sh)
	}
	for _, id := range slices.Sorted(maps.Keys(perPost)) {
		list := perPost[id]
		if err := tx.audit(ctx, "add_shifts", "post", id, posts[id].Place.Path, nil, map[string]any{
			"shifts": len(list), "first": list[0].Start, "last": list[len(list)-1].End, "first_id": list[0].ID,
		}); err != nil {
			return err
		}
	}
	return nil
}

// postsByID fills posts (keyed by id) with the posts, each of which must
// exist and be in the caller's scope.
func (tx *Tx) postsByID(ctx context.Context, posts map[int64]*frontline.Post) error {
	return tx.postsOf(ctx, posts, true)
}

// postsOf fills posts as postsByID does, in the caller's scope or not: a
// worker sees their own shifts wherever they serve.
func (tx *Tx) postsOf(ctx context.Context, posts map[int64]*frontline.Post, scoped bool) error {
	ids := slices.Sorted(maps.Keys(posts))
	for chunk := range slices.Chunk(ids, maxInList) {
		ps, err := tx.queryPosts(ctx, `o.id IN `+inList(len(chunk)), int64Args(chunk)...)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !scoped || visible(ctx, p.Place.Path) {
				posts[p.ID] = p
			}
		}
	}
	for _, id := range ids {
		if posts[id] == nil {
			return &frontline.Error{Code: frontline.ENOTFOUND, Field: "post_id", Message: "post not found"}
		}
	}
	return nil
}

const shiftColumns = `s.id, s.post_id, s.role, s.starts_at, s.ends_at, s.headcount, s.skills, s.created_at, s.created_by`

// loadShifts reads matching shifts in start order with their posts and
// assignments; where may refer to the shift as s, its post as o and the
// post's node as p. A shift of a post outside the caller's scope fails the
// call (ENOTFOUND): callers limit where to the scope.
func (tx *Tx) loadShifts(ctx context.Context, where string, args ...any) ([]*frontline.Shift, error) {
	return tx.loadShiftsOf(ctx, true, 0, where, args...)
}

// loadShiftsOf is loadShifts in the caller's scope or not, up to limit
// shifts (0: all).
func (tx *Tx) loadShiftsOf(ctx context.Context, scoped bool, limit int, where string, args ...any) ([]*frontline.Shift, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+shiftColumns+` FROM duty_shifts s JOIN posts o ON o.id = s.post_id
		JOIN places p ON p.id = o.place_id WHERE `+where+` ORDER BY s.starts_at, p.path, o.name, s.role, s.id`+
		limitClause(0, limit), args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Shift{}
	posts := map[int64]*frontline.Post{}
	for rows.Next() {
		sh := &frontline.Shift{Assignments: []*frontline.Assignment{}}
		var skills string
		if err := rows.Scan(&sh.ID, &sh.PostID, &sh.Role, &sh.Start, &sh.End, &sh.Headcount, &skills, &sh.CreatedAt, &sh.CreatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		sh.Start, sh.End, sh.CreatedAt, sh.Skills = sh.Start.UTC(), sh.End.UTC(), sh.CreatedAt.UTC(), splitList(skills)
		posts[sh.PostID] = nil
		out = append(out, sh)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	if err := tx.postsOf(ctx, posts, scoped); err != nil {
		return nil, err
	}
	for _, sh := range out {
		sh.Post = posts[sh.PostID]
	}
	return out, tx.fillAssignments(ctx, out)
}

const assignmentColumns = `a.id, a.shift_id, a.worker_id, w.name, w.phone, w.kind, w.unit, a.leader, a.status, a.override,
	a.checked_in_at, a.checked_out_at, a.checked_by, a.created_at, a.created_by`

func scanAssignment(sc interface{ Scan(...any) error }) (*frontline.Assignment, error) {
	var a frontline.Assignment
	if err := sc.Scan(&a.ID, &a.ShiftID, &a.WorkerID, &a.Name, &a.Phone, &a.Kind, &a.Unit, &a.Leader, &a.Status, &a.Override,
		nullTimeDest{&a.CheckedInAt}, nullTimeDest{&a.CheckedOutAt}, &a.CheckedBy, &a.CreatedAt, &a.CreatedBy); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// fillAssignments reads the assignments of shifts, the leader first, then
// in the order they were made.
func (tx *Tx) fillAssignments(ctx context.Context, shifts []*frontline.Shift) error {
	byID := make(map[int64]*frontline.Shift, len(shifts))
	ids := make([]int64, 0, len(shifts))
	for _, sh := range shifts {
		byID[sh.ID] = sh
		ids = append(ids, sh.ID)
	}
	return tx.eachRow(ctx, `SELECT `+assignmentColumns+` FROM duty_assignments a JOIN workers w ON w.id = a.worker_id
		WHERE a.shift_id IN %s ORDER BY a.shift_id, a.leader DESC, a.id`, ids, func(rows interface{ Scan(...any) error }) error {
		a, err := scanAssignment(rows)
		if err == nil {
			byID[a.ShiftID].Assignments = append(byID[a.ShiftID].Assignments, a)
		}
		return err
	})
}

// findShift returns a shift of a post in the caller's scope.
func (tx *Tx) findShift(ctx context.Context, id int64) (*frontline.Shift, error) {
	shs, err := tx.loadShifts(ctx, `s.id = ?`, id)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND || err == nil && len(shs) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "shift %d not found", id)
	} else if err != nil {
		return nil, err
	}
	return shs[0], nil
}

// lockShift takes the shift's row lock on PostgreSQL, so its headcount
// holds when two people fill it at once.
func (tx *Tx) lockShift(ctx context.Context, id int64) error {
	if tx.db.Engine != Postgres {
		return nil
	}
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT s.id FROM duty_shifts s WHERE s.id = ?`+tx.db.forUpdateOf("s"), id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return frontline.Errorf(frontline.ENOTFOUND, "shift %d not found", id)
	}
	return err
}

// FindShiftByID returns one shift with its post and assignments.
func (s *RosterService) FindShiftByID(ctx context.Context, id int64) (*frontline.Shift, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findShift(ctx, id)
}

// FindShifts returns matching shifts in start order.
func (s *RosterService) FindShifts(ctx context.Context, f frontline.ShiftFilter) ([]*frontline.Shift, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args, err := tx.shiftWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 || limit > frontline.MaxShifts {
		limit = frontline.MaxShifts
	}
	return tx.loadShiftsOf(ctx, true, limit, strings.Join(where, " AND "), args...)
}

func (tx *Tx) shiftWhere(ctx context.Context, f frontline.ShiftFilter) ([]string, []any, error) {
	where, args, err := tx.andUnder(ctx, f.Under, "p.path", []string{"1 = 1"}, []any{})
	if err != nil {
		return nil, nil, err
	}
	if v := f.PostID; v != nil {
		if _, err := tx.findPost(ctx, *v); err != nil {
			return nil, nil, err
		}
		where, args = append(where, "s.post_id = ?"), append(args, *v)
	}
	if !f.From.IsZero() {
		where, args = append(where, "s.ends_at > ?"), append(args, tx.timeValue(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "s.starts_at < ?"), append(args, tx.timeValue(f.To))
	}
	if v := f.WorkerID; v != nil {
		where, args = append(where, "s.id IN (SELECT a.shift_id FROM duty_assignments a WHERE a.worker_id = ?)"), append(args, *v)
	}
	if f.OnlyOpen {
		where = append(where, "s.assigned < s.headcount")
	}
	where, args = andScope(ctx, "p.path", where, args)
	return where, args, nil
}

// CancelShift removes a shift nobody has checked in to, with its
// assignments; the audit log keeps the shift and who was on it.
func (s *RosterService) CancelShift(ctx context.Context, id int64, reason string) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if reason = strings.TrimSpace(reason); reason == "" || len([]rune(reason)) > 200 {
		return frontline.FieldError("reason", "say why the shift is cancelled, in at most 200 characters")
	}
	if err := tx.lockShift(ctx, id); err != nil {
		return err
	}
	sh, err := tx.findShift(ctx, id)
	if err != nil {
		return err
	}
	var names []string
	for _, a := range sh.Assignments {
		if !a.CheckedInAt.IsZero() {
			return frontline.Errorf(frontline.ECONFLICT, "%s checked in to the shift; it cannot be cancelled", a.Name)
		}
		names = append(names, a.Name)
	}
	for _, q := range []string{`DELETE FROM duty_assignments WHERE shift_id = ?`, `DELETE FROM duty_shifts WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, q, sh.ID); err != nil {
			return err
		}
	}
	if err := tx.audit(ctx, "cancel", "shift", sh.ID, sh.Post.Place.Path, map[string]any{"post_id": sh.PostID,
		"start": sh.Start, "end": sh.End, "headcount": sh.Headcount, "workers": names}, map[string]any{"reason": reason}); err != nil {
		return err
	}
	return tx.Commit()
}

// localDay returns the date of t in loc.
func localDay(t time.Time, loc *time.Location) string { return t.In(loc).Format(frontline.DateLayout) }
