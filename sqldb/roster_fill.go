package sqldb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Auto-fill reads everything it weighs in a handful of queries — the open
// shifts with their posts and people, the candidates with their days, and
// the candidates' bookings around the period — and leaves the choosing to
// frontline.ProposeFill, in memory. Accepting checks every proposal again
// in memory against the same data read inside the writing transaction,
// then writes them in bulk: a district's week is tens of thousands of
// assignments, too many for one round trip each.

// ProposeFill proposes workers for the open places of the shifts starting
// in the period at the posts at or under a node (or of one post).
func (s *RosterService) ProposeFill(ctx context.Context, req frontline.FillRequest) (*frontline.FillResult, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.readTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rules, err := tx.currentRosterRules(ctx)
	if err != nil {
		return nil, err
	}
	node, err := tx.findPlaceByID(ctx, req.PlaceID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(node.Path)
	where, args := []string{"s.starts_at >= ? AND s.starts_at < ?", "s.assigned < s.headcount", "NOT o.retired",
		"p.path >= ? AND p.path < ?"}, []any{tx.timeValue(req.From), tx.timeValue(req.To), lo, hi}
	if req.PostID != 0 {
		where, args = append(where, "s.post_id = ?"), append(args, req.PostID)
	}
	where, args = andScope(ctx, "p.path", where, args)
	shifts, err := tx.loadShifts(ctx, strings.Join(where, " AND "), args...)
	if err != nil {
		return nil, err
	}
	in := frontline.FillInput{Rules: *rules, Shifts: shifts, From: req.From.UTC(), To: req.To.UTC(),
		Day: func(t time.Time) string { return localDay(t, s.Location) }}
	if len(shifts) == 0 {
		return frontline.ProposeFill(in), nil
	}
	cond, cargs := tx.candidateCond(ctx, node)
	if in.Workers, err = tx.queryWorkers(ctx, cond+` AND NOT w.retired ORDER BY w.id`, cargs...); err != nil {
		return nil, err
	}
	if in.Bookings, err = tx.bookingsOf(ctx, cond, cargs, req.From.Add(-rules.Window), req.To.Add(rules.Window)); err != nil {
		return nil, err
	}
	return frontline.ProposeFill(in), nil
}

// candidateCond selects the workers who may fill the posts of node: those
// registered at or under it, and those of the nodes above it the caller
// may see (a subdistrict's pool of cadres, for its command).
func (tx *Tx) candidateCond(ctx context.Context, node *frontline.Place) (string, []any) {
	lo, hi := subtreeRange(node.Path)
	cond, args := "((p.path >= ? AND p.path < ?)", []any{lo, hi}
	var above []int64
	for _, id := range frontline.PathIDs(node.Path) {
		if id != node.ID {
			above = append(above, id)
		}
	}
	if len(above) > 0 {
		cond, args = cond+" OR w.place_id IN "+inList(len(above)), append(args, int64Args(above)...)
	}
	cond += ")"
	if sc, a := scopeCond(ctx, "p.path"); sc != "" {
		cond, args = cond+" AND "+sc, append(args, a...)
	}
	return cond, args
}

// bookingsOf returns the bookings in [from, to) of the workers matching
// cond (on w and its node p), by worker.
func (tx *Tx) bookingsOf(ctx context.Context, cond string, args []any, from, to time.Time) (map[int64][]frontline.Booking, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.worker_id, a.shift_id, a.starts_at, a.ends_at FROM duty_assignments a
		JOIN workers w ON w.id = a.worker_id JOIN places p ON p.id = w.place_id
		WHERE `+cond+` AND a.starts_at > ? AND a.starts_at < ? AND a.ends_at > ? ORDER BY a.worker_id, a.starts_at`,
		append(slices.Clone(args), tx.timeValue(from.Add(-24*time.Hour)), tx.timeValue(to), tx.timeValue(from))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]frontline.Booking{}
	for rows.Next() {
		var id int64
		var b frontline.Booking
		if err := rows.Scan(&id, &b.ShiftID, &b.Start, &b.End); err != nil {
			return nil, err
		}
		b.Start, b.End = b.Start.UTC(), b.End.UTC()
		out[id] = append(out[id], b)
	}
	return out, rows.Err()
}

// AcceptFill assigns the proposals chosen. Each is checked again as an
// assignment without override would be; when any no longer holds (someone
// filled the place meanwhile, a worker took a day off) nothing is written
// and the error names the first.
func (s *RosterService) AcceptFill(ctx context.Context, proposals []frontline.Proposal) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if len(proposals) == 0 || len(proposals) > frontline.MaxShifts*2 {
		return 0, frontline.FieldError("proposals", "accept 1 to %d proposals at a time", frontline.MaxShifts*2)
	}
	rules, err := tx.currentRosterRules(ctx)
	if err != nil {
		return 0, err
	}
	acc, err := tx.loadAcceptance(ctx, proposals, rules)
	if err != nil {
		return 0, err
	}
	for i, p := range proposals {
		if err := acc.check(i, p, s.Location); err != nil {
			return 0, err
		}
	}
	if err := acc.write(ctx, tx, proposals); err != nil {
		return 0, err
	}
	return len(proposals), tx.Commit()
}

// acceptance is what accepting proposals checks them against.
type acceptance struct {
	rules    *frontline.RosterRules
	shifts   map[int64]*frontline.Shift
	workers  map[int64]*frontline.Worker
	bookings map[int64][]frontline.Booking
	taken    map[int64]int // shift → places taken by proposals accepted so far
	on       map[[2]int64]bool
}

// loadAcceptance reads the shifts and workers of the proposals (each in
// the caller's scope) and the workers' bookings around them.
func (tx *Tx) loadAcceptance(ctx context.Context, proposals []frontline.Proposal, rules *frontline.RosterRules) (*acceptance, error) {
	acc := &acceptance{rules: rules, shifts: map[int64]*frontline.Shift{}, workers: map[int64]*frontline.Worker{},
		bookings: map[int64][]frontline.Booking{}, taken: map[int64]int{}, on: map[[2]int64]bool{}}
	shiftIDs, workerIDs := map[int64]bool{}, map[int64]bool{}
	for _, p := range proposals {
		shiftIDs[p.ShiftID], workerIDs[p.WorkerID] = true, true
	}
	var from, to time.Time
	for chunk := range slices.Chunk(slices.Sorted(maps.Keys(shiftIDs)), maxInList) {
		if tx.db.Engine == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM duty_shifts WHERE id IN `+inList(len(chunk))+` ORDER BY id FOR UPDATE`,
				int64Args(chunk)...); err != nil {
				return nil, err
			}
		}
		shs, err := tx.loadShifts(ctx, `s.id IN `+inList(len(chunk)), int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, sh := range shs {
			if !visible(ctx, sh.Post.Place.Path) {
				continue
			}
			acc.shifts[sh.ID] = sh
			if from.IsZero() || sh.Start.Before(from) {
				from = sh.Start
			}
			to = maxOf(to, sh.End)
			for _, a := range sh.Assignments {
				acc.on[[2]int64{sh.ID, a.WorkerID}] = true
			}
		}
	}
	ids := slices.Sorted(maps.Keys(workerIDs))
	for chunk := range slices.Chunk(ids, maxInList) {
		if tx.db.Engine == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM workers WHERE id IN `+inList(len(chunk))+` ORDER BY id FOR UPDATE`,
				int64Args(chunk)...); err != nil {
				return nil, err
			}
		}
		cond := `w.id IN ` + inList(len(chunk))
		ws, err := tx.queryWorkers(ctx, cond, int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			if visible(ctx, w.Place.Path) {
				acc.workers[w.ID] = w
			}
		}
		b, err := tx.bookingsOf(ctx, cond, int64Args(chunk), from.Add(-rules.Window), to.Add(rules.Window))
		if err != nil {
			return nil, err
		}
		maps.Copy(acc.bookings, b)
	}
	return acc, nil
}

func maxOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// check checks the i-th proposal and books it.
func (acc *acceptance) check(i int, p frontline.Proposal, loc *time.Location) error {
	refuse := func(msg string) error {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: fmt.Sprintf("proposals.%d", i),
			Message: fmt.Sprintf("proposal %d (%s, %s): %s", i+1, p.WorkerName, p.PostName, msg)}
	}
	sh, w := acc.shifts[p.ShiftID], acc.workers[p.WorkerID]
	switch {
	case sh == nil:
		return refuse("the shift is gone")
	case w == nil:
		return refuse("the worker is not found")
	case acc.on[[2]int64{sh.ID, w.ID}]:
		return refuse(w.Name + " is on the shift already")
	case len(sh.Assignments)+acc.taken[sh.ID] >= sh.Headcount:
		return refuse("the shift is full")
	}
	if vs := frontline.CheckAssignment(*acc.rules, w, sh.Post, sh, localDay(sh.Start, loc), acc.bookings[w.ID]); len(vs) > 0 {
		return refuse(vs[0].Message)
	}
	acc.taken[sh.ID]++
	acc.on[[2]int64{sh.ID, w.ID}] = true
	acc.bookings[w.ID] = append(acc.bookings[w.ID], frontline.Booking{ShiftID: sh.ID, Start: sh.Start, End: sh.End})
	return nil
}

// write inserts the accepted assignments, counts them on their shifts and
// audits one entry per post.
func (acc *acceptance) write(ctx context.Context, tx *Tx, proposals []frontline.Proposal) error {
	by, now := frontline.ActorFrom(ctx).String(), tx.timeValue(tx.now)
	cols := []string{"shift_id", "worker_id", "starts_at", "ends_at", "leader", "status", "override", "created_at", "created_by"}
	if err := tx.bulkInsert(ctx, "duty_assignments", cols, len(proposals), func(i int, args []any) []any {
		sh := acc.shifts[proposals[i].ShiftID]
		return append(args, sh.ID, proposals[i].WorkerID, tx.timeValue(sh.Start), tx.timeValue(sh.End), false,
			string(frontline.AssignAssigned), "", now, by)
	}); err != nil {
		return err
	}
	byCount := map[int][]int64{}
	for id, n := range acc.taken {
		byCount[n] = append(byCount[n], id)
	}
	for n, ids := range byCount {
		slices.Sort(ids)
		for chunk := range slices.Chunk(ids, maxInList) {
			if _, err := tx.ExecContext(ctx, `UPDATE duty_shifts SET assigned = assigned + ? WHERE id IN `+inList(len(chunk)),
				append([]any{n}, int64Args(chunk)...)...); err != nil {
				return err
			}
		}
	}
	perPost, paths := map[int64][]string{}, map[int64]string{}
	for _, p := range proposals {
		sh := acc.shifts[p.ShiftID]
		perPost[sh.PostID] = append(perPost[sh.PostID], fmt.Sprintf("%d@%d", p.WorkerID, sh.ID))
		paths[sh.PostID] = sh.Post.Place.Path
	}
	for _, id := range slices.Sorted(maps.Keys(perPost)) {
		if err := tx.audit(ctx, "accept_fill", "post", id, paths[id], nil, map[string]any{"assigned": perPost[id]}); err != nil {
			return err
		}
	}
	return nil
}
