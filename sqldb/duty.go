package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.DutyService = (*DutyService)(nil)

// DutyService records check-ins and reports who is on duty; its jobs raise
// the roster's alerts.
type DutyService struct {
	db *DB
	// Location is the time zone days are written in; China Standard Time
	// unless the deployment sets its own.
	Location *time.Location
	// AlertChannel is the outbox channel the roster's alerts go out on,
	// "log" unless the deployment has a gateway.
	AlertChannel string
}

// NewDutyService returns a DutyService on db.
func NewDutyService(db *DB) *DutyService {
	return &DutyService{db: db, Location: time.FixedZone("CST", 8*60*60), AlertChannel: "log"}
}

// checkInTarget finds an assignment for a check-in or -out and decides
// whether the caller may record it: the worker themselves, wherever the
// post is; a post's device (a token) at a post in its scope; staff who
// manage the roster, in their scope.
func (tx *Tx) checkInTarget(ctx context.Context, id int64) (assignmentRow, error) {
	notFound := frontline.Errorf(frontline.ENOTFOUND, "assignment %d not found", id)
	var shiftID, workerID int64
	err := tx.QueryRowContext(ctx, `SELECT shift_id, worker_id FROM duty_assignments WHERE id = ?`, id).Scan(&shiftID, &workerID)
	if errors.Is(err, sql.ErrNoRows) {
		return assignmentRow{}, notFound
	} else if err != nil {
		return assignmentRow{}, err
	}
	shs, err := tx.loadShiftsOf(ctx, false, 0, `s.id = ?`, shiftID)
	if err != nil || len(shs) == 0 {
		return assignmentRow{}, cmp.Or(err, error(notFound))
	}
	r := assignmentRow{sh: shs[0]}
	for _, a := range r.sh.Assignments {
		if a.ID == id {
			r.a = a
		}
	}
	p := frontline.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return r, nil
	case p.TokenID == 0 && p.UserID != 0:
		var own int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM workers WHERE user_id = ?`, p.UserID).Scan(&own)
		if err == nil && own == workerID {
			return r, nil
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return assignmentRow{}, err
		}
	}
	if !visible(ctx, r.sh.Post.Place.Path) {
		return assignmentRow{}, notFound
	}
	if p.TokenID == 0 && !p.Can(frontline.PermManageWorkforce) {
		return assignmentRow{}, frontline.Errorf(frontline.EFORBIDDEN, "this is %s's shift; each worker checks in for themselves, or at the post's device", r.a.Name)
	}
	return r, nil
}

// CheckIn records a worker's arrival. Checking in again answers the
// check-in already recorded, so a phone that retries does not move it.
func (s *DutyService) CheckIn(ctx context.Context, id int64) (*frontline.Assignment, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := tx.checkInTarget(ctx, id)
	if err != nil {
		return nil, err
	}
	if !r.a.CheckedInAt.IsZero() {
		return r.a, nil
	}
	rules, err := tx.currentRosterRules(ctx)
	if err != nil {
		return nil, err
	}
	if err := frontline.CheckInWindow(*rules, r.sh, tx.now); err != nil {
		return nil, err
	}
	before := r.a.Status
	r.a.Status, r.a.CheckedInAt, r.a.CheckedBy = frontline.AssignCheckedIn, tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE duty_assignments SET status = ?, checked_in_at = ?, checked_by = ? WHERE id = ?`,
		string(r.a.Status), tx.now, r.a.CheckedBy, id); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "check_in", "assignment", id, r.sh.Post.Place.Path, map[string]any{"status": before},
		map[string]any{"status": r.a.Status, "worker": r.a.Name, "shift_id": r.sh.ID}); err != nil {
		return nil, err
	}
	// A late arrival handles the no-show alert raised for them.
	if err := tx.resolveAlerts(ctx, frontline.AlertNoShow, noShowKey(id)); err != nil {
		return nil, err
	}
	return r.a, tx.Commit()
}

// CheckOut records a worker's leaving; checking out again answers the
// check-out already recorded.
func (s *DutyService) CheckOut(ctx context.Context, id int64) (*frontline.Assignment, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := tx.checkInTarget(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case !r.a.CheckedOutAt.IsZero():
		return r.a, nil
	case r.a.CheckedInAt.IsZero():
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s has not checked in", r.a.Name)
	}
	r.a.Status, r.a.CheckedOutAt = frontline.AssignCheckedOut, tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE duty_assignments SET status = ?, checked_out_at = ? WHERE id = ?`,
		string(r.a.Status), tx.now, id); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "check_out", "assignment", id, r.sh.Post.Place.Path, map[string]any{"status": frontline.AssignCheckedIn},
		map[string]any{"status": r.a.Status, "worker": r.a.Name, "shift_id": r.sh.ID}); err != nil {
		return nil, err
	}
	return r.a, tx.Commit()
}

// OnDuty returns the shifts on now at the posts at or under a node, or of
// one post.
func (s *DutyService) OnDuty(ctx context.Context, placeID, postID int64) ([]*frontline.Shift, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args := []string{"s.starts_at <= ? AND s.ends_at > ?", "s.starts_at > ?"}, []any{tx.timeArg(), tx.timeArg(), tx.timeValue(tx.now.Add(-24 * time.Hour))}
	if postID != 0 {
		if _, err := tx.findPost(ctx, postID); err != nil {
			return nil, err
		}
		where, args = append(where, "s.post_id = ?"), append(args, postID)
	} else {
		node, err := tx.findPlaceByID(ctx, placeID)
		if err != nil {
			return nil, err
		}
		lo, hi := subtreeRange(node.Path)
		where, args = append(where, "p.path >= ? AND p.path < ?"), append(args, lo, hi)
	}
	where, args = andScope(ctx, "p.path", where, args)
	return tx.loadShifts(ctx, strings.Join(where, " AND "), args...)
}

// MyShifts returns the caller's worker and their shifts from twelve hours
// ago for a week, wherever the posts are.
func (s *DutyService) MyShifts(ctx context.Context) (*frontline.Worker, []*frontline.Shift, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	p := frontline.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "only a signed-in worker has shifts of their own")
	}
	w, err := tx.workerOfUser(ctx, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	shs, err := tx.loadShiftsOf(ctx, false, 0, `s.id IN (SELECT a.shift_id FROM duty_assignments a WHERE a.worker_id = ?
		AND a.starts_at > ? AND a.starts_at < ?) AND s.ends_at > ?`, w.ID, tx.timeValue(tx.now.Add(-36*time.Hour)),
		tx.timeValue(tx.now.Add(7*24*time.Hour)), tx.timeValue(tx.now.Add(-12*time.Hour)))
	return w, shs, err
}

// Hours reports the time rostered and worked in [from, to) at the posts at
// or under a node, per worker and per unit (workers without a unit by
// kind).
func (s *DutyService) Hours(ctx context.Context, placeID int64, from, to time.Time) (*frontline.HoursReport, error) {
	if from.IsZero() || !to.After(from) || to.Sub(from) > 92*24*time.Hour {
		return nil, frontline.FieldError("to", "a period ends after it starts and lasts at most 92 days")
	}
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(node.Path)
	where, args := []string{"s.ends_at > ? AND s.starts_at < ? AND s.starts_at > ?", "p.path >= ? AND p.path < ?"},
		[]any{tx.timeValue(from), tx.timeValue(to), tx.timeValue(from.Add(-24 * time.Hour)), lo, hi}
	where, args = andScope(ctx, "p.path", where, args)
	shs, err := tx.loadShifts(ctx, strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, err
	}
	rep := &frontline.HoursReport{Place: node, From: from.UTC(), To: to.UTC(), Workers: []*frontline.HoursRow{}, Units: []*frontline.UnitHours{}}
	rows, units := map[int64]*frontline.HoursRow{}, map[string]*frontline.UnitHours{}
	for _, sh := range shs {
		for _, a := range sh.Assignments {
			r := rows[a.WorkerID]
			if r == nil {
				r = &frontline.HoursRow{WorkerID: a.WorkerID, Name: a.Name, Kind: a.Kind, Unit: a.Unit}
				rows[a.WorkerID] = r
				rep.Workers = append(rep.Workers, r)
			}
			r.Shifts++
			r.Rostered += overlapOf(sh.Start, sh.End, from, to)
			r.Worked += a.Worked(sh, from, to, tx.now)
			if a.Status == frontline.AssignNoShow {
				r.NoShows++
			}
		}
	}
	for _, r := range rep.Workers {
		key := r.Unit
		if key == "" {
			key = "kind:" + string(r.Kind)
		}
		u := units[key]
		if u == nil {
			u = &frontline.UnitHours{Unit: r.Unit}
			if r.Unit == "" {
				u.Kind = r.Kind
			}
			units[key] = u
			rep.Units = append(rep.Units, u)
		}
		u.Workers++
		u.Shifts += r.Shifts
		u.NoShows += r.NoShows
		u.Rostered += r.Rostered
		u.Worked += r.Worked
	}
	slices.SortFunc(rep.Workers, func(a, b *frontline.HoursRow) int {
		return cmp.Or(cmp.Compare(b.Worked, a.Worked), strings.Compare(a.Unit, b.Unit), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(rep.Units, func(a, b *frontline.UnitHours) int {
		return cmp.Or(cmp.Compare(b.Worked, a.Worked), strings.Compare(a.Unit, b.Unit), strings.Compare(string(a.Kind), string(b.Kind)))
	})
	return rep, nil
}

func overlapOf(a, b, from, to time.Time) time.Duration {
	lo, hi := maxOf(a, from), b
	if to.Before(hi) {
		hi = to
	}
	if hi.After(lo) {
		return hi.Sub(lo)
	}
	return 0
}

// DutyTable returns the posts at or under a node with their shifts on the
// day, posts without any included: an unstaffed post is what the table is
// read for. Phones are masked unless reveal is asked, which is audited.
func (s *DutyService) DutyTable(ctx context.Context, placeID int64, day string, reveal bool) (*frontline.DutyTable, error) {
	start, err := time.ParseInLocation(frontline.DateLayout, day, s.Location)
	if err != nil {
		return nil, frontline.FieldError("day", "%q is not a date (YYYY-MM-DD)", day)
	}
	end := start.AddDate(0, 0, 1)
	if err := authorize(ctx, frontline.PermDuty); err != nil {
		return nil, err
	}
	var tx *Tx
	if reveal {
		tx, err = s.db.writeTx(ctx, frontline.PermRevealPerson)
	} else {
		tx, err = s.db.BeginReadTx(ctx)
	}
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	posts, err := tx.postsUnder(ctx, node)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(node.Path)
	where, args := []string{"s.ends_at > ? AND s.starts_at < ? AND s.starts_at > ?", "p.path >= ? AND p.path < ?", "NOT o.retired"},
		[]any{tx.timeValue(start), tx.timeValue(end), tx.timeValue(start.Add(-24 * time.Hour)), lo, hi}
	where, args = andScope(ctx, "p.path", where, args)
	shs, err := tx.loadShifts(ctx, strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, err
	}
	t := &frontline.DutyTable{Place: node, Day: day, Posts: []*frontline.DutyPost{}}
	byPost := map[int64]*frontline.DutyPost{}
	for _, p := range posts {
		dp := &frontline.DutyPost{Post: p, Shifts: []*frontline.Shift{}}
		byPost[p.ID] = dp
		t.Posts = append(t.Posts, dp)
	}
	for _, sh := range shs {
		if dp := byPost[sh.PostID]; dp != nil {
			dp.Shifts = append(dp.Shifts, sh)
		}
		for _, a := range sh.Assignments {
			if !reveal {
				a.Phone = frontline.MaskPhone(a.Phone)
			}
		}
	}
	for _, p := range posts {
		if !reveal {
			p.LeaderPhone = frontline.MaskPhone(p.LeaderPhone)
		}
	}
	if !reveal {
		return t, nil
	}
	if err := tx.audit(ctx, "reveal", "duty_table", node.ID, node.Path, nil, map[string]any{"day": day, "fields": "phone"}); err != nil {
		return nil, err
	}
	return t, tx.Commit()
}

// postsUnder returns the staffed posts at or under a node in the caller's
// scope, in order.
func (tx *Tx) postsUnder(ctx context.Context, node *frontline.Place) ([]*frontline.Post, error) {
	lo, hi := subtreeRange(node.Path)
	where, args := andScope(ctx, "p.path", []string{"p.path >= ? AND p.path < ?", "NOT o.retired"}, []any{lo, hi})
	posts, err := tx.queryPosts(ctx, strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, err
	}
	sortPosts(posts)
	return posts, nil
}
