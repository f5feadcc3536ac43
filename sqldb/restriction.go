package sqldb

import (
	"context"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.RestrictionService = (*RestrictionService)(nil)

// RestrictionService answers a person's restrictions now. Workflows in
// this package ask tx.restrictionsOf in their own transaction (the gate
// decides on what it reads in the transaction that records the passage).
type RestrictionService struct {
	db     *DB
	policy frontline.RestrictionPolicy
}

// NewRestrictionService returns a RestrictionService with policy, or the
// default policy when nil.
func NewRestrictionService(db *DB, policy frontline.RestrictionPolicy) *RestrictionService {
	if policy == nil {
		policy = frontline.DefaultRestrictionPolicy()
	}
	return &RestrictionService{db: db, policy: policy}
}

// Policy returns what each kind forbids.
func (s *RestrictionService) Policy() frontline.RestrictionPolicy { return s.policy }

// restrictionQuery reads everything that restricts the persons of one IN
// list now, in one statement: open cases, transfers under way, active
// measures, and re-tests of positive pools not yet resulted. Each part
// reads an index on the person (cases_person, transfers_under_way,
// screening_measures_person, retest_tasks_awaiting), so the cost follows
// the persons asked about, not the size of the tables.
const restrictionQuery = `
	SELECT person_id, 'case', id, confirmed_at, '' FROM cases WHERE status IN ('open', 'transferred') AND person_id IN %[1]s
	UNION ALL
	SELECT person_id, 'transfer', id, requested_at, '' FROM transfers
		WHERE status IN ('requested', 'assigned', 'picked_up') AND person_id IN %[1]s
	UNION ALL
	SELECT person_id, type, id, created_at, end_date FROM screening_measures WHERE status = 'active' AND person_id IN %[1]s
	UNION ALL
	SELECT person_id, 'retest', id, created_at, '' FROM retest_tasks
		WHERE kind = 'retest' AND status IN ('open', 'sampled') AND person_id IN %[1]s`

// restrictionsOf returns what restricts each person now; every id asked
// for has an entry.
func (tx *Tx) restrictionsOf(ctx context.Context, ids []int64) (map[int64]*frontline.Restrictions, error) {
	ids = sortedUnique(ids)
	out := make(map[int64]*frontline.Restrictions, len(ids))
	for _, id := range ids {
		out[id] = &frontline.Restrictions{PersonID: id, Items: []frontline.Restriction{}}
	}
	for chunk := range slices.Chunk(ids, maxInList) {
		// The list appears four times: one set of arguments per part.
		args := make([]any, 0, 4*len(chunk))
		for range 4 {
			args = append(args, int64Args(chunk)...)
		}
		err := tx.eachRowArgs(ctx, restrictionQuery, inList(len(chunk)), args, func(sc interface{ Scan(...any) error }) error {
			var person, id int64
			var what, until string
			var since time.Time
			if err := sc.Scan(&person, &what, &id, &since, &until); err != nil {
				return err
			}
			r := frontline.Restriction{SourceID: id, Since: since.UTC(), Until: until}
			switch what {
			case "case":
				r.Kind, r.Source = frontline.RestrictCase, "case"
			case "transfer":
				r.Kind, r.Source = frontline.RestrictTransfer, "transfer"
			case "retest":
				r.Kind, r.Source = frontline.RestrictRetest, "retest"
			case string(frontline.MeasureIsolation):
				r.Kind, r.Source = frontline.RestrictIsolation, "measure"
			case string(frontline.MeasureCentral):
				r.Kind, r.Source = frontline.RestrictCentral, "measure"
			case string(frontline.MeasureMonitoring):
				r.Kind, r.Source = frontline.RestrictMonitoring, "measure"
			default:
				return nil // a measure of no consequence
			}
			out[person].Items = append(out[person].Items, r)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, rs := range out {
		frontline.SortRestrictions(rs.Items)
	}
	return out, nil
}

// eachRowArgs runs query with every %[1]s replaced by list, calling fn for
// each row.
func (tx *Tx) eachRowArgs(ctx context.Context, query, list string, args []any, fn func(sc interface{ Scan(...any) error }) error) error {
	rows, err := tx.QueryContext(ctx, sprintfList(query, list), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Restrictions returns the restrictions of each person asked about. The
// staff at a gate or a station ask about people from anywhere (people
// cross into other communities), and the answer names only kinds and
// dates, so it is not limited to the caller's scope; the persons'
// records are.
func (s *RestrictionService) Restrictions(ctx context.Context, personIDs []int64) (map[int64]*frontline.Restrictions, error) {
	tx, err := s.db.readTxAny(ctx, frontline.PermReadRegistry, frontline.PermCheckpointLog, frontline.PermSampling)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.restrictionsOf(ctx, personIDs)
}
