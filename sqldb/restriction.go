package sqldb

import (
	"context"
	"fmt"
	"maps"
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

// restrictionQuery reads everything that restricts persons now, in one
// statement: open cases, transfers under way, active measures, and
// re-tests of positive pools not yet resulted, and hospital trips on
// (permits, not restrictions: help.go). %[1]s is the condition on
// each part's person_id column, %[2]s on its household's path: by persons
// each part reads an index on the person (cases_person,
// transfers_under_way, screening_measures_person, retest_tasks_awaiting),
// so the cost follows the persons asked about, not the tables' size.
const restrictionQuery = `
	SELECT x.person_id, 'case', x.id, x.confirmed_at, '' FROM cases x
		WHERE x.status IN ('open', 'transferred') AND x.person_id %[1]s AND x.path %[2]s
	UNION ALL
	SELECT x.person_id, 'transfer', x.id, x.requested_at, '' FROM transfers x
		WHERE x.status IN ('requested', 'assigned', 'picked_up') AND x.person_id %[1]s AND x.path %[2]s
	UNION ALL
	SELECT x.person_id, x.type, x.id, x.created_at, x.end_date FROM screening_measures x
		WHERE x.status = 'active' AND x.person_id %[1]s AND x.path %[2]s
	UNION ALL
	SELECT x.person_id, 'retest', x.id, x.created_at, '' FROM retest_tasks x JOIN places h ON h.id = x.household_id
		WHERE x.kind = 'retest' AND x.status IN ('open', 'sampled') AND x.person_id %[1]s AND h.path %[2]s
	UNION ALL
	SELECT x.person_id, 'trip', x.id, x.leave_at, '' FROM help_trips x
		WHERE x.status IN ('planned', 'out', 'arrived') AND x.person_id %[1]s AND x.path %[2]s`

// restrictionParts is how many parts restrictionQuery has: its arguments
// are given once per part.
const restrictionParts = 5

// restrictionsOf returns what restricts each person now; every id asked
// for has an entry.
func (tx *Tx) restrictionsOf(ctx context.Context, ids []int64) (map[int64]*frontline.Restrictions, error) {
	ids = sortedUnique(ids)
	out := make(map[int64]*frontline.Restrictions, len(ids))
	for _, id := range ids {
		out[id] = &frontline.Restrictions{PersonID: id, Items: []frontline.Restriction{}}
	}
	for chunk := range slices.Chunk(ids, maxInList) {
		// The list appears in every part: one set of arguments per part.
		args := make([]any, 0, restrictionParts*len(chunk))
		for range restrictionParts {
			args = append(args, int64Args(chunk)...)
		}
		query := fmt.Sprintf(restrictionQuery, "IN "+inList(len(chunk)), "<> ''")
		if err := tx.scanRestrictions(ctx, query, args, out); err != nil {
			return nil, err
		}
	}
	return sortRestrictions(out), nil
}

// restrictedUnder returns the restrictions of every person restricted now
// whose household is under the node at path: what a call-up plan over a
// building asks, without listing its thousands of residents first.
func (tx *Tx) restrictedUnder(ctx context.Context, path string) (map[int64]*frontline.Restrictions, error) {
	lo, hi := subtreeRange(path)
	out := map[int64]*frontline.Restrictions{}
	// BETWEEN is the subtree's range: no path equals its upper end.
	query := fmt.Sprintf(restrictionQuery, "> 0", "BETWEEN ? AND ?")
	args := []any{}
	for range restrictionParts {
		args = append(args, lo, hi)
	}
	if err := tx.scanRestrictions(ctx, query, args, out); err != nil {
		return nil, err
	}
	return sortRestrictions(out), nil
}

func sortRestrictions(out map[int64]*frontline.Restrictions) map[int64]*frontline.Restrictions {
	for _, rs := range out {
		frontline.SortRestrictions(rs.Items)
	}
	return out
}

// scanRestrictions reads the rows of a restriction query into out,
// adding an entry for a person not yet in it.
func (tx *Tx) scanRestrictions(ctx context.Context, query string, args []any, out map[int64]*frontline.Restrictions) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var person, id int64
		var what, until string
		var since time.Time
		if err := rows.Scan(&person, &what, &id, &since, &until); err != nil {
			return err
		}
		rs := out[person]
		if rs == nil {
			rs = &frontline.Restrictions{PersonID: person, Items: []frontline.Restriction{}}
			out[person] = rs
		}
		if what == "trip" {
			// A trip lets its person pass from TripLead before it leaves
			// until it is back or called off.
			if !tx.now.Before(since.Add(-frontline.TripLead)) {
				rs.Permits = append(rs.Permits, frontline.Permit{Source: "help_trip", SourceID: id, Since: since.UTC()})
			}
			continue
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
			continue // a measure of no consequence
		}
		rs.Items = append(rs.Items, r)
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

// Households returns the strictest restriction now of any resident of
// each household asked about, as householdStrictest reads it; like
// Restrictions, it names only kinds and dates.
func (s *RestrictionService) Households(ctx context.Context, householdIDs []int64) (map[int64]*frontline.Restriction, error) {
	tx, err := s.db.readTxAny(ctx, frontline.PermReadRegistry, frontline.PermCheckpointLog, frontline.PermSampling)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.householdStrictest(ctx, householdIDs)
}

// Restricted returns the restrictions of every person restricted now, in
// the whole tree: a few thousand at most, which a binding writer keeps in
// memory rather than ask per batch (cmd/frontline wires it so).
func (s *RestrictionService) Restricted(ctx context.Context) (map[int64]*frontline.Restrictions, error) {
	tx, err := s.db.readTxAny(ctx, frontline.PermReadRegistry, frontline.PermCheckpointLog, frontline.PermSampling)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.restrictedUnder(ctx, "/")
}

// householdRestrictions returns, of the households asked about, those
// with a resident (any not moved out) whom a restriction now refuses
// activity a under policy p (nil: the default), with the restriction that
// decided: a delivery asks it before it leaves a parcel at the building
// front, since an isolated resident may not come down for it. It asks
// restrictionsOf, the one call, for the households' residents.
func (tx *Tx) householdRestrictions(ctx context.Context, households []int64, a frontline.Activity, p frontline.RestrictionPolicy) (map[int64]*frontline.Restriction, error) {
	out := map[int64]*frontline.Restriction{}
	if p == nil {
		p = frontline.DefaultRestrictionPolicy()
	}
	home, rs, err := tx.residentRestrictions(ctx, households)
	if err != nil {
		return nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(home)) {
		if d := rs[id].Decide(a, p); d.Effect == frontline.EffectRefuse && out[home[id]] == nil {
			out[home[id]] = d.By
		}
	}
	return out, nil
}

// householdStrictest returns, of the households asked about, the
// strictest restriction now of any of their residents (any not moved
// out); a household with none is left out. A member in home isolation or
// a case keeps the whole door at home, which the vulnerable resident's
// contact must know before calling or visiting. It asks restrictionsOf,
// the one call, and orders as it does.
func (tx *Tx) householdStrictest(ctx context.Context, households []int64) (map[int64]*frontline.Restriction, error) {
	home, rs, err := tx.residentRestrictions(ctx, households)
	if err != nil {
		return nil, err
	}
	all := map[int64][]frontline.Restriction{}
	for _, id := range slices.Sorted(maps.Keys(home)) {
		all[home[id]] = append(all[home[id]], rs[id].Items...)
	}
	out := map[int64]*frontline.Restriction{}
	for hh, items := range all {
		if len(items) > 0 {
			frontline.SortRestrictions(items)
			out[hh] = &items[0]
		}
	}
	return out, nil
}

// residentRestrictions returns the residents (any not moved out) of the
// households, each with their household, and their restrictions now from
// restrictionsOf.
func (tx *Tx) residentRestrictions(ctx context.Context, households []int64) (map[int64]int64, map[int64]*frontline.Restrictions, error) {
	home := map[int64]int64{}
	if len(households) == 0 {
		return home, map[int64]*frontline.Restrictions{}, nil
	}
	var persons []int64
	if err := tx.eachRow(ctx, `SELECT id, household_id FROM persons WHERE status <> '`+string(frontline.StatusMovedOut)+
		`' AND household_id IN %s`, sortedUnique(households), func(sc interface{ Scan(...any) error }) error {
		var id, hh int64
		if err := sc.Scan(&id, &hh); err != nil {
			return err
		}
		home[id], persons = hh, append(persons, id)
		return nil
	}); err != nil {
		return nil, nil, err
	}
	rs, err := tx.restrictionsOf(ctx, persons)
	if err != nil {
		return nil, nil, err
	}
	return home, rs, nil
}
