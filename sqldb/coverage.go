package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// coverDelta is a change of a campaign's counters, or what one household
// contributes to them.
type coverDelta struct {
	households, screened, notHome, refused, vacant, movedOut   int
	persons, newPersons, high, medium, low, isolation, monitor int
}

func (t coverDelta) sub(o coverDelta) coverDelta {
	return coverDelta{t.households - o.households, t.screened - o.screened, t.notHome - o.notHome, t.refused - o.refused,
		t.vacant - o.vacant, t.movedOut - o.movedOut, t.persons - o.persons, t.newPersons - o.newPersons,
		t.high - o.high, t.medium - o.medium, t.low - o.low, t.isolation - o.isolation, t.monitor - o.monitor}
}

func (t coverDelta) plus(o coverDelta) coverDelta { return t.sub(coverDelta{}.sub(o)) }

// statusDelta is what a household in status s adds to the status counters.
func statusDelta(s frontline.HouseholdStatus) coverDelta {
	switch frontline.Outcome(s) {
	case frontline.OutcomeScreened:
		return coverDelta{screened: 1}
	case frontline.OutcomeNotHome:
		return coverDelta{notHome: 1}
	case frontline.OutcomeRefused:
		return coverDelta{refused: 1}
	case frontline.OutcomeVacant:
		return coverDelta{vacant: 1}
	case frontline.OutcomeMovedOut:
		return coverDelta{movedOut: 1}
	}
	return coverDelta{}
}

// screeningCountColumns are the counter columns in coverDelta order.
const screeningCountColumns = `households, screened, not_home, refused, vacant, moved_out, persons, new_persons,
	returnees_high, returnees_medium, returnees_low, isolation, monitoring`

func (t coverDelta) args() []any {
	return []any{t.households, t.screened, t.notHome, t.refused, t.vacant, t.movedOut, t.persons, t.newPersons,
		t.high, t.medium, t.low, t.isolation, t.monitor}
}

// addCoverage adds t to the counters of every node from the campaign's scope
// down to the household's parent: a handful of rows by primary key, in
// the transaction of the write that caused it.
func (tx *Tx) addCoverage(ctx context.Context, c campaign, householdPath string, t coverDelta) error {
	if t == (coverDelta{}) {
		return nil
	}
	ids := frontline.PathIDs(householdPath)
	top := len(frontline.PathIDs(c.path)) - 1
	if top < 0 || len(ids) < top+2 {
		return fmt.Errorf("household %s is not under campaign scope %s", householdPath, c.path)
	}
	ids = ids[top : len(ids)-1]
	set := ""
	for _, col := range strings.Split(screeningCountColumns, ",") {
		col = strings.TrimSpace(col)
		set += col + " = " + col + " + ?, "
	}
	args := append(append(t.args(), c.ID), int64Args(ids)...)
	res, err := tx.ExecContext(ctx, `UPDATE screening_counts SET `+strings.TrimSuffix(set, ", ")+
		` WHERE campaign_id = ? AND place_id IN `+inList(len(ids)), args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && int(n) != len(ids) {
		return fmt.Errorf("campaign %d has counters for %d of the %d nodes above %s", c.ID, n, len(ids), householdPath)
	}
	return nil
}

func scanScreeningCoverage(sc interface{ Scan(...any) error }) (*frontline.Coverage, error) {
	var v frontline.Coverage
	err := sc.Scan(&v.PlaceID, &v.Name, &v.Kind, &v.Households, &v.Screened, &v.NotHome, &v.Refused, &v.Vacant,
		&v.MovedOut, &v.Persons, &v.NewPersons, &v.ReturneesHigh, &v.ReturneesMedium, &v.ReturneesLow,
		&v.Isolation, &v.Monitoring)
	return &v, err
}

const screeningCoverageSelect = `SELECT c.place_id, p.name, p.kind, c.households, c.screened, c.not_home, c.refused, c.vacant,
	c.moved_out, c.persons, c.new_persons, c.returnees_high, c.returnees_medium, c.returnees_low, c.isolation, c.monitoring
	FROM screening_counts c JOIN places p ON p.id = c.place_id WHERE c.campaign_id = ? AND `

// coverage reads the counters of a node and its children: two index
// lookups, whatever the size of the subtree.
func (tx *Tx) campaignCoverage(ctx context.Context, c campaign, placeID int64) (*frontline.Coverage, []*frontline.Coverage, error) {
	top, err := scanScreeningCoverage(tx.QueryRowContext(ctx, screeningCoverageSelect+`c.place_id = ?`, c.ID, placeID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "place %d has no households in campaign %s", placeID, c.Name)
	} else if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, screeningCoverageSelect+`c.parent_id = ?`, c.ID, placeID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	kids := []*frontline.Coverage{}
	for rows.Next() {
		k, err := scanScreeningCoverage(rows)
		if err != nil {
			return nil, nil, err
		}
		kids = append(kids, k)
	}
	slices.SortStableFunc(kids, func(a, b *frontline.Coverage) int { return NaturalCompare(a.Name, b.Name) })
	return top, kids, rows.Err()
}

// Coverage returns the counters of a node (0: the caller's part of the
// campaign) and of each of its children.
func (s *CampaignService) Coverage(ctx context.Context, campaignID, placeID int64) (*frontline.Coverage, []*frontline.Coverage, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, nil, err
	}
	n, err := tx.campaignNode(ctx, c, placeID)
	if err != nil {
		return nil, nil, err
	}
	return tx.campaignCoverage(ctx, c, n.ID)
}

// CheckScreeningCounts recounts a campaign's counters from its households
// and returns a line for each node whose counters differ from the
// recount, or that differ from the sum of its children's plus the
// households right under it. The tests and the screening benchmark use
// it.
func (db *DB) CheckScreeningCounts(ctx context.Context, campaignID int64) ([]string, error) {
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	recount, err := tx.recountCampaign(ctx, c)
	if err != nil {
		return nil, err
	}
	kept := map[int64]coverDelta{}
	parent := map[int64]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT place_id, parent_id, `+screeningCountColumns+` FROM screening_counts WHERE campaign_id = ?`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, p int64
		var t coverDelta
		if err := rows.Scan(&id, &p, &t.households, &t.screened, &t.notHome, &t.refused, &t.vacant, &t.movedOut,
			&t.persons, &t.newPersons, &t.high, &t.medium, &t.low, &t.isolation, &t.monitor); err != nil {
			return nil, err
		}
		kept[id], parent[id] = t, p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var bad []string
	sums := map[int64]coverDelta{}
	for id, t := range kept {
		if t != recount.total[id] {
			bad = append(bad, fmt.Sprintf("node %d: kept %+v, screeningRecount %+v", id, t, recount.total[id]))
		}
		if id != c.ScopeID {
			sums[parent[id]] = sums[parent[id]].plus(t)
		}
	}
	for id, t := range kept {
		if want := sums[id].plus(recount.direct[id]); t != want {
			bad = append(bad, fmt.Sprintf("node %d: kept %+v, children and own households add up to %+v", id, t, want))
		}
	}
	for id := range recount.total {
		if _, ok := kept[id]; !ok {
			bad = append(bad, fmt.Sprintf("node %d has households but no counters", id))
		}
	}
	slices.Sort(bad)
	return bad, nil
}

// screeningRecount are counters screeningRecount from the households: per node for its
// whole subtree, and for the households right under it.
type screeningRecount struct{ total, direct map[int64]coverDelta }

func (tx *Tx) recountCampaign(ctx context.Context, c campaign) (screeningRecount, error) {
	r := screeningRecount{total: map[int64]coverDelta{}, direct: map[int64]coverDelta{}}
	top := len(frontline.PathIDs(c.path)) - 1
	err := tx.campaignContributions(ctx, c.ID, "", "", func(path string, t coverDelta) {
		ids := frontline.PathIDs(path)
		for _, id := range ids[top : len(ids)-1] {
			r.total[id] = r.total[id].plus(t)
		}
		parent := ids[len(ids)-2]
		r.direct[parent] = r.direct[parent].plus(t)
	})
	return r, err
}

// campaignContributions calls fn with the path of each of a campaign's
// households and what it adds to the counters of the nodes above it; only
// those in [lo, hi) when lo is given, locked for the transaction (a move
// of their subtree must not miss a visit recorded meanwhile).
func (tx *Tx) campaignContributions(ctx context.Context, campaignID int64, lo, hi string, fn func(string, coverDelta)) error {
	q, args := `SELECT s.path, s.status, s.c_persons, s.c_new, s.c_high, s.c_medium, s.c_low, s.c_isolation, s.c_monitoring
		FROM screening_households s WHERE s.campaign_id = ?`, []any{campaignID}
	if lo != "" {
		q, args = q+` AND s.path >= ? AND s.path < ? ORDER BY s.household_id`+tx.db.forUpdateOf("s"), append(args, lo, hi)
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var status frontline.HouseholdStatus
		var t coverDelta
		if err := rows.Scan(&path, &status, &t.persons, &t.newPersons, &t.high, &t.medium, &t.low, &t.isolation, &t.monitor); err != nil {
			return err
		}
		t = t.plus(statusDelta(status))
		t.households = 1
		fn(path, t)
	}
	return rows.Err()
}
