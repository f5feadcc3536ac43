package sqldb

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// CheckRound recounts a round from its rows and returns a line for every
// rule or counter that does not hold: counters of a node that differ from a
// recount of the members under it, a tube whose count differs from its live
// bindings or exceeds its capacity, a person bound twice, a sampled member
// without a live binding, the flow not adding up to the persons sampled.
// It is what tests, the benchmark and `frontline bench` use to show that
// nothing was lost or doubled.
func (db *DB) CheckRound(ctx context.Context, roundID int64) ([]string, error) {
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := tx.findRound(ctx, roundID, false)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, check := range []func(context.Context, *frontline.Round) ([]string, error){
		tx.checkRoundCounts, tx.checkTubes, tx.checkBindings, tx.checkFlow,
	} {
		b, err := check(ctx, r)
		if err != nil {
			return nil, err
		}
		bad = append(bad, b...)
	}
	return bad, nil
}

// checkRoundCounts recounts every node's counters from the members
// (memberDeltas) and compares them with the kept ones.
func (tx *Tx) checkRoundCounts(ctx context.Context, r *frontline.Round) ([]string, error) {
	recount := roundCounts{}
	members, err := tx.memberDeltas(ctx, r.ID, "", "", func(path string, d roundDelta) {
		recount.addPath(r.ID, r.Scope.Path, path, d)
	})
	if err != nil {
		return nil, err
	}
	var bad []string
	if members != r.Expected {
		bad = append(bad, fmt.Sprintf("round %d: expected %d but %d members", r.ID, r.Expected, members))
	}
	kept, err := tx.keptCounts(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for k, d := range recount {
		if *d != kept[k] {
			bad = append(bad, fmt.Sprintf("node %d: kept %+v, recounted %+v", k.place, kept[k], *d))
		}
		delete(kept, k)
	}
	for k, d := range kept {
		if d != (roundDelta{expected: 0}) {
			bad = append(bad, fmt.Sprintf("node %d: kept %+v, recounted nothing", k.place, d))
		}
	}
	return bad, nil
}

// memberDeltas calls fn with what a round's members count for, grouped
// by the path of their household: all members as stored, then the members
// with a live binding moved from their stored status to sampled. Two
// grouped scans rather than one outer join, so the plan stays linear
// however stale the table statistics are. With lo, only the members whose
// path is in [lo, hi). It returns how many members it counted.
func (tx *Tx) memberDeltas(ctx context.Context, roundID int64, lo, hi string, fn func(string, roundDelta)) (int, error) {
	cond, args := "", []any{roundID}
	if lo != "" {
		cond, args = " AND m.path >= ? AND m.path < ?", append(args, lo, hi)
	}
	members := 0
	err := tx.groupedMembers(ctx, `SELECT m.path, m.status, m.follow_up, m.result, COUNT(*) FROM round_members m
		WHERE m.round_id = ?`+cond+` GROUP BY m.path, m.status, m.follow_up, m.result`, args,
		func(path string, status frontline.MemberStatus, follow frontline.FollowUp, result frontline.TubeResult, n int) {
			members += n
			fn(path, memberDelta(status, follow, result, n))
		})
	if err != nil {
		return 0, err
	}
	// The result goes with the status: an excused member who came after
	// all and tested negative counts as negative, as the results count them.
	err = tx.groupedMembers(ctx, `SELECT m.path, m.status, '', m.result, COUNT(*) FROM bindings b
		JOIN round_members m ON m.round_id = b.round_id AND m.person_id = b.person_id
		WHERE b.round_id = ? AND b.undone_at IS NULL`+cond+` GROUP BY m.path, m.status, m.result`, args,
		func(path string, status frontline.MemberStatus, _ frontline.FollowUp, result frontline.TubeResult, n int) {
			d := memberDelta(frontline.MemberSampled, "", result, n)
			d.add(memberDelta(status, "", result, -n)) // no longer counted under their stored status
			d.expected = 0
			fn(path, d)
		})
	return members, err
}

// groupedMembers runs a query of (path, status, follow-up, result, count)
// rows.
func (tx *Tx) groupedMembers(ctx context.Context, q string, args []any, fn func(string, frontline.MemberStatus, frontline.FollowUp, frontline.TubeResult, int)) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var status frontline.MemberStatus
		var follow frontline.FollowUp
		var result frontline.TubeResult
		var n int
		if err := rows.Scan(&path, &status, &follow, &result, &n); err != nil {
			return err
		}
		fn(path, status, follow, result, n)
	}
	return rows.Err()
}

// memberDelta is what n members of a status, follow-up and result count
// for.
func memberDelta(status frontline.MemberStatus, follow frontline.FollowUp, result frontline.TubeResult, n int) roundDelta {
	d := roundDelta{expected: n}
	switch status {
	case frontline.MemberSampled:
		d.sampled = n
	case frontline.MemberExcused:
		d.excused = n
	}
	switch follow {
	case frontline.FollowAwaiting:
		d.awaiting = n
	case frontline.FollowPositive:
		d.positive = n
	}
	if result == frontline.ResultNegative && status != frontline.MemberExcused {
		d.negative = n
	}
	return d
}

func (tx *Tx) keptCounts(ctx context.Context, roundID int64) (map[countKey]roundDelta, error) {
	rows, err := tx.QueryContext(ctx, `SELECT place_id, expected, sampled, excused, awaiting, positive, negative
		FROM round_counts WHERE round_id = ?`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	kept := map[countKey]roundDelta{}
	for rows.Next() {
		var id int64
		var d roundDelta
		if err := rows.Scan(&id, &d.expected, &d.sampled, &d.excused, &d.awaiting, &d.positive, &d.negative); err != nil {
			return nil, err
		}
		kept[countKey{roundID, id}] = d
	}
	return kept, rows.Err()
}

// checkTubes compares each tube's count with its live bindings.
func (tx *Tx) checkTubes(ctx context.Context, r *frontline.Round) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.code, t.count, t.capacity, COUNT(b.id)
		FROM tubes t LEFT JOIN bindings b ON b.tube_id = t.id AND b.undone_at IS NULL
		WHERE t.round_id = ? AND t.retest = ? GROUP BY t.id, t.code, t.count, t.capacity`, r.ID, false)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var code string
		var count, capacity, live int
		if err := rows.Scan(&code, &count, &capacity, &live); err != nil {
			return nil, err
		}
		if count != live {
			bad = append(bad, fmt.Sprintf("tube %s: count %d but %d live bindings", code, count, live))
		}
		if capacity > 0 && live > capacity {
			bad = append(bad, fmt.Sprintf("tube %s: %d persons in a tube of %d", code, live, capacity))
		}
	}
	return bad, rows.Err()
}

// checkBindings finds persons bound twice, bindings of non-members, and
// a scope count or a flow that does not add up to the live bindings.
func (tx *Tx) checkBindings(ctx context.Context, r *frontline.Round) ([]string, error) {
	var bad []string
	var twice, orphans, live, sampled, flow int
	for _, q := range []struct {
		dest  *int
		query string
		args  []any
	}{
		{&twice, `SELECT COUNT(*) FROM (SELECT person_id FROM bindings WHERE round_id = ? AND undone_at IS NULL
			GROUP BY person_id HAVING COUNT(*) > 1) AS d`, []any{r.ID}},
		{&orphans, `SELECT COUNT(*) FROM bindings b LEFT JOIN round_members m ON m.round_id = b.round_id AND m.person_id = b.person_id
			WHERE b.round_id = ? AND b.undone_at IS NULL AND m.person_id IS NULL`, []any{r.ID}},
		{&live, `SELECT COUNT(*) FROM bindings WHERE round_id = ? AND undone_at IS NULL`, []any{r.ID}},
		{&sampled, `SELECT COALESCE(SUM(sampled), 0) FROM round_counts WHERE round_id = ? AND place_id = ?`, []any{r.ID, r.ScopeID}},
		{&flow, `SELECT COALESCE(SUM(n), 0) FROM sampling_flow WHERE round_id = ? AND scope = 'p' AND key_id = ?`, []any{r.ID, r.ScopeID}},
	} {
		if err := tx.QueryRowContext(ctx, q.query, q.args...).Scan(q.dest); err != nil {
			return nil, err
		}
	}
	if twice > 0 {
		bad = append(bad, fmt.Sprintf("%d persons bound twice", twice))
	}
	if orphans > 0 {
		bad = append(bad, fmt.Sprintf("%d live bindings of persons who are not members", orphans))
	}
	if live != sampled {
		bad = append(bad, fmt.Sprintf("%d live bindings but the scope counts %d sampled", live, sampled))
	}
	if flow != sampled {
		bad = append(bad, fmt.Sprintf("the flow adds up to %d but %d are sampled", flow, sampled))
	}
	return bad, nil
}

// checkFlow recounts the per-node flow (persons sampled per ten minutes,
// kept for the scope and flowDepth levels below it) from the live
// bindings and the paths of their members.
func (tx *Tx) checkFlow(ctx context.Context, r *frontline.Round) ([]string, error) {
	recount := map[flowKey]int{}
	if err := tx.bindingPaths(ctx, r.ID, "", "", func(path string, at time.Time) {
		addFlow(recount, r.ID, r.Scope.Path, path, 0, frontline.FlowBucketOf(at).Unix(), 1)
	}); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT key_id, bucket, n FROM sampling_flow WHERE round_id = ? AND scope = 'p'`, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var k flowKey
		var n int
		if err := rows.Scan(&k.key, &k.bucket, &n); err != nil {
			return nil, err
		}
		k.round, k.scope = r.ID, "p"
		if want := recount[k]; n != want {
			bad = append(bad, fmt.Sprintf("node %d at %d: flow %d, bindings %d", k.key, k.bucket, n, want))
		}
		delete(recount, k)
	}
	for k, n := range recount {
		bad = append(bad, fmt.Sprintf("node %d at %d: no flow kept, bindings %d", k.key, k.bucket, n))
	}
	return bad, rows.Err()
}

// bindingPaths calls fn with the household path and the time of every live
// binding of a round, of the members in [lo, hi) when lo is given.
func (tx *Tx) bindingPaths(ctx context.Context, roundID int64, lo, hi string, fn func(string, time.Time)) error {
	q, args := `SELECT m.path, b.bound_at FROM bindings b
		JOIN round_members m ON m.round_id = b.round_id AND m.person_id = b.person_id
		WHERE b.round_id = ? AND b.undone_at IS NULL`, []any{roundID}
	if lo != "" {
		q, args = q+` AND m.path >= ? AND m.path < ?`, append(args, lo, hi)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var at time.Time
		if err := rows.Scan(&path, &at); err != nil {
			return err
		}
		fn(path, at)
	}
	return rows.Err()
}
