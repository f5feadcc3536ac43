package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontline-org/frontline"
)

// Home sampling. A person excused with ExcuseHomeSampling cannot come
// down, so they stay pending (the round is not done, and no zone is
// cleared, without them) and the home sampling team gets a task of kind
// home beside its re-tests. Sampling it binds the person to a single tube,
// as a station would: they count as sampled from then on, and the tube's
// result reaches them like any tube's.

// retestRef is a task locked for a change, with its member.
type retestRef struct {
	id, round, person, household int64
	kind                         frontline.RetestKind
	status                       frontline.RetestStatus
	member                       *memberRow
}

// lockRetest locks a task's member, then the task: results and excusals
// lock members before tasks too, so none of them waits on another in a
// cycle.
func (tx *Tx) lockRetest(ctx context.Context, id int64) (*retestRef, error) {
	ref := &retestRef{id: id}
	notFound := frontline.Errorf(frontline.ENOTFOUND, "re-test task %d not found", id)
	err := tx.QueryRowContext(ctx, `SELECT round_id, person_id FROM retest_tasks WHERE id = ?`, id).Scan(&ref.round, &ref.person)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	} else if err != nil {
		return nil, tx.db.translate(err)
	}
	if ref.member, err = tx.lockMember(ctx, ref.round, ref.person); frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return nil, notFound // outside the caller's scope: the task does not exist for them
	} else if err != nil {
		return nil, err
	}
	err = tx.QueryRowContext(ctx, `SELECT rt.kind, rt.status, rt.household_id FROM retest_tasks rt WHERE rt.id = ?`+tx.db.forUpdateOf("rt"), id).
		Scan(&ref.kind, &ref.status, &ref.household)
	return ref, tx.db.translate(err)
}

// bindAtHome binds the person of a home task to the single tube the team
// sampled them into, and counts them sampled.
func (tx *Tx) bindAtHome(ctx context.Context, ref *retestRef, tubeID int64, actor string) error {
	if ref.member.sampled {
		return frontline.Errorf(frontline.ECONFLICT, "person %d is already sampled in this round", ref.person)
	}
	r, err := tx.findRound(ctx, ref.round, false)
	if err != nil {
		return err
	}
	ids, err := tx.nextIDs(ctx, "bindings", 1)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO bindings (id, round_id, tube_id, person_id, station_id, bound_at, bound_by)
		VALUES (?, ?, ?, ?, NULL, ?, ?)`, ids[0], r.ID, tubeID, ref.person, tx.now, actor); err != nil {
		return tx.db.translate(err)
	}
	d := roundDelta{sampled: 1}
	if ref.member.status == frontline.MemberExcused {
		d.excused = -1
	}
	rc := roundCounts{}
	rc.addPath(r.ID, r.Scope.Path, ref.member.path, d)
	if err := rc.write(ctx, tx); err != nil {
		return err
	}
	flow := map[flowKey]int{}
	addFlow(flow, r.ID, r.Scope.Path, ref.member.path, 0, frontline.FlowBucketOf(tx.now).Unix(), 1)
	return writeFlow(ctx, tx, flow)
}

// openHomeTask gives the home sampling team a task for a member.
func (tx *Tx) openHomeTask(ctx context.Context, roundID int64, m *memberRow) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO retest_tasks (round_id, person_id, household_id, kind, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, roundID, m.personID, m.householdID, string(frontline.KindHome), string(frontline.RetestOpen), tx.now)
	return err
}

// cancelHomeTask withdraws a member's home task the team has not sampled.
func (tx *Tx) cancelHomeTask(ctx context.Context, roundID, personID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE retest_tasks SET status = ?, done_at = ?
		WHERE round_id = ? AND person_id = ? AND kind = ? AND status = ?`, string(frontline.RetestCancelled), tx.now,
		roundID, personID, string(frontline.KindHome), string(frontline.RetestOpen))
	return err
}

// cancelSampledHomeTasks withdraws the open home tasks of a round's
// members who came to a station after all. The binding path does not do
// it (it writes nothing but bindings, tubes and counters); the list hides
// them at once, and this records it when their results come or the round
// closes.
func (tx *Tx) cancelSampledHomeTasks(ctx context.Context, roundID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE retest_tasks SET status = ?, done_at = ?
		WHERE round_id = ? AND kind = ? AND status = ? AND EXISTS (SELECT 1 FROM bindings b
			WHERE b.round_id = retest_tasks.round_id AND b.person_id = retest_tasks.person_id AND b.undone_at IS NULL)`,
		string(frontline.RetestCancelled), tx.now, roundID, string(frontline.KindHome), string(frontline.RetestOpen))
	return err
}

// homeResult is what a home tube's result means for its person: the same
// as a sampling tube's, since a home task samples them the first time.
func (f *fanOut) homeResult(t *frontline.Tube, mr *memberResult, household int64, path string) roundDelta {
	switch t.Result {
	case frontline.ResultNegative:
		mr.follow = frontline.FollowNone
		f.cleared(mr.round, f.scopes[t.Code], path)
		return roundDelta{negative: 1}
	case frontline.ResultPositive:
		mr.follow = frontline.FollowPositive
		f.confirmed(mr.round, mr.person, household, path, t)
		return roundDelta{positive: 1}
	default: // invalid: the team goes again, for a re-test
		mr.follow = frontline.FollowAwaiting
		f.tasks = append(f.tasks, retestRow{mr.round, mr.person, household, t.ID})
		f.sum.Awaiting++
		return roundDelta{awaiting: 1}
	}
}
