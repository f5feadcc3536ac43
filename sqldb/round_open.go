package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/frontline-org/frontline"
)

// OpenRound freezes the round's denominator: every person living under the
// scope (anyone not moved out) becomes a pending member, and every node
// from the scope down to the buildings' units gets its coverage counters,
// starting from the node's resident count. Both come from one snapshot, so
// the counters equal a recount of the members from the start.
func (s *RoundService) OpenRound(ctx context.Context, id int64) (*frontline.Round, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := tx.snapshotIsolation(ctx); err != nil {
		return nil, err
	}
	r, err := tx.manageRound(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != frontline.RoundDraft {
		return nil, frontline.Errorf(frontline.ECONFLICT, "round %s is already %s", r.Name, r.Status)
	}
	lo, hi := subtreeRange(r.Scope.Path)
	res, err := tx.ExecContext(ctx, `INSERT INTO round_members (round_id, person_id, household_id, path, status)
		SELECT ?, p.id, p.household_id, h.path, ? FROM persons p JOIN places h ON h.id = p.household_id
		WHERE h.path >= ? AND h.path < ? AND p.status <> ? ORDER BY p.id`,
		r.ID, string(frontline.MemberPending), lo, hi, string(frontline.StatusMovedOut))
	if err != nil {
		return nil, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO round_counts (round_id, place_id, expected)
		SELECT ?, id, residents FROM places WHERE path >= ? AND path < ? AND kind <> ? AND retired_at IS NULL`,
		r.ID, lo, hi, string(frontline.KindHousehold)); err != nil {
		return nil, err
	}
	if int(n) != r.Scope.Residents {
		return nil, frontline.Errorf(frontline.EINTERNAL, "round %s: %d members but the scope counts %d residents; run migrate --check-counts",
			r.Name, n, r.Scope.Residents)
	}
	r.Status, r.Expected = frontline.RoundOpen, int(n)
	r.OpenedAt, r.OpenedBy = tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE test_rounds SET status = ?, expected = ?, opened_at = ?, opened_by = ? WHERE id = ?`,
		string(r.Status), r.Expected, r.OpenedAt, r.OpenedBy, r.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "open", "round", r.ID, r.Scope.Path, nil, map[string]any{"status": r.Status, "expected": r.Expected}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	// The binding path reads the members by key; give PostgreSQL's planner
	// their real number now rather than when autovacuum next looks.
	if s.db.Engine == Postgres {
		if _, err := s.db.write.ExecContext(ctx, `ANALYZE round_members, round_counts`); err != nil {
			s.db.logger.Warn("analyze after opening a round", "err", err)
		}
	}
	return r, nil
}

// snapshotIsolation makes every statement of a PostgreSQL transaction read
// the same snapshot (READ COMMITTED gives each statement its own). It must
// be the transaction's first statement. SQLite's writer already sees one.
func (tx *Tx) snapshotIsolation(ctx context.Context) error {
	if tx.db.Engine != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`)
	return err
}

// roundDelta is a change of one node's coverage counters.
type roundDelta struct{ expected, sampled, excused, awaiting, positive, negative int }

func (d *roundDelta) add(o roundDelta) {
	d.expected += o.expected
	d.sampled += o.sampled
	d.excused += o.excused
	d.awaiting += o.awaiting
	d.positive += o.positive
	d.negative += o.negative
}

// countKey names one counter row.
type countKey struct{ round, place int64 }

// roundCounts collects counter changes of one transaction, so each row is
// written once however many members changed under it.
type roundCounts map[countKey]*roundDelta

// addPath adds d to every counted node on a household's path: the nodes
// from the round's scope down to the household's parent.
func (rc roundCounts) addPath(roundID int64, scopePath, householdPath string, d roundDelta) {
	for _, id := range countedNodes(scopePath, householdPath) {
		k := countKey{roundID, id}
		if rc[k] == nil {
			rc[k] = &roundDelta{}
		}
		rc[k].add(d)
	}
}

// countedNodes returns the ids of the nodes a household counts in: those
// on its path from the round's scope node down, the household excluded.
func countedNodes(scopePath, householdPath string) []int64 {
	ids := frontline.PathIDs(householdPath)
	top := len(frontline.PathIDs(scopePath)) - 1
	if top < 0 || len(ids) < 2 || top > len(ids)-2 {
		return nil
	}
	return ids[top : len(ids)-1]
}

// write upserts the collected changes in key order, so that concurrent
// transactions on PostgreSQL lock the counter rows in one order and never
// deadlock on them. A node created after the round opened gets its row on
// first use.
func (rc roundCounts) write(ctx context.Context, tx *Tx) error {
	keys := make([]countKey, 0, len(rc))
	for k, d := range rc {
		if *d != (roundDelta{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		if a.round != b.round {
			return cmpInt64(a.round, b.round)
		}
		return cmpInt64(a.place, b.place)
	})
	return countsUpsert.exec(ctx, tx, len(keys), func(i int, args []any) []any {
		d := rc[keys[i]]
		return append(args, keys[i].round, keys[i].place, d.expected, d.sampled, d.excused, d.awaiting, d.positive, d.negative)
	})
}

var countsUpsert = multiRow{types: []string{"BIGINT", "BIGINT", "INTEGER", "INTEGER", "INTEGER", "INTEGER", "INTEGER", "INTEGER"},
	prefix: `INSERT INTO round_counts (round_id, place_id, expected, sampled, excused, awaiting, positive, negative) `,
	suffix: ` ON CONFLICT (round_id, place_id) DO UPDATE SET expected = round_counts.expected + excluded.expected,
		sampled = round_counts.sampled + excluded.sampled, excused = round_counts.excused + excluded.excused,
		awaiting = round_counts.awaiting + excluded.awaiting, positive = round_counts.positive + excluded.positive,
		negative = round_counts.negative + excluded.negative`}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// memberRow is a member with the path of their household. status is as
// stored, pending or excused; sampled says the person has a live binding,
// which decides over status.
type memberRow struct {
	personID, householdID int64
	status                frontline.MemberStatus
	path                  string
	excuse                string
	sampled               bool
}

// toSample reports whether the member is still to be sampled at a site:
// pending, not bound, and not left to the home sampling team.
func (m *memberRow) toSample() bool {
	return m.effective() == frontline.MemberPending && m.excuse != string(frontline.ExcuseHomeSampling)
}

// effective returns the member's status as the counters count it.
func (m *memberRow) effective() frontline.MemberStatus {
	if m.sampled {
		return frontline.MemberSampled
	}
	return m.status
}

// lockMember reads one member of a round and, on PostgreSQL, locks the row.
func (tx *Tx) lockMember(ctx context.Context, roundID, personID int64) (*memberRow, error) {
	var m memberRow
	err := tx.QueryRowContext(ctx, `SELECT m.person_id, m.household_id, m.status, m.path, m.excuse
		FROM round_members m WHERE m.round_id = ? AND m.person_id = ?`+tx.db.forUpdateOf("m"), roundID, personID).
		Scan(&m.personID, &m.householdID, &m.status, &m.path, &m.excuse)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, m.path)) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "person %d is not in this round", personID)
	} else if err != nil {
		return nil, tx.db.translate(err)
	}
	// A separate statement, so that on PostgreSQL it reads after the lock
	// was granted and sees a binding committed meanwhile.
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bindings WHERE round_id = ? AND person_id = ? AND undone_at IS NULL`,
		roundID, personID).Scan(&n); err != nil {
		return nil, err
	}
	m.sampled = n > 0
	return &m, nil
}
