package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.DashboardService = (*DailyReportService)(nil)

// Dashboard builds a node's dashboard in one read transaction: the live
// daily report, the rounds of the last DashboardDays days and their flow
// counters, and the zones, counters and cases of the node's children.
// Everything read is a counter or an index range, so a city's dashboard
// costs what a community's does, but for its children.
func (s *DailyReportService) Dashboard(ctx context.Context, placeID int64) (*frontline.Dashboard, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// The calendar day's figures, on past the cut-off to now, of the
	// sections the tiles show: the others (the vulnerable of every sealed
	// compound, the day's deliveries) are the report's to read.
	today := tx.now.In(s.db.Location).Format(frontline.DateLayout)
	n, cutOff, _, _, err := s.reportDay(ctx, tx, placeID, today)
	if err != nil {
		return nil, err
	}
	d := &frontline.Dashboard{Place: n, At: tx.now}
	if d.Today, err = s.build(ctx, tx, n, today, cutOff, true, frontline.DashboardSections); err != nil {
		return nil, err
	}
	kids, _, err := tx.findPlaces(ctx, frontline.PlaceFilter{ParentID: &n.ID})
	if err != nil {
		return nil, err
	}
	f := newDailyFrame(n, kids, tx.now, tx.now, tx.now)
	f.day = today
	if err := tx.dashboardRounds(ctx, f, d, today); err != nil {
		return nil, err
	}
	if err := tx.dashboardMap(ctx, f, d); err != nil {
		return nil, err
	}
	if err := tx.dashboardSupplied(ctx, f, d, today, s.db.Location); err != nil {
		return nil, err
	}
	if d.HelpAges, err = tx.helpAges(ctx, n.Path); err != nil {
		return nil, err
	}
	return d, nil
}

// dashboardRound is a round of the chart: its day and the counter rows
// that make the node's figure.
type dashboardRound struct {
	day    string
	scope  int64
	depth  int
	target int64 // the node's own counters, or the scope's when it lies below
}

// dashboardRounds fills the tests per day, the morning's coverage and
// each child's coverage today.
func (tx *Tx) dashboardRounds(ctx context.Context, f *dailyFrame, d *frontline.Dashboard, today string) error {
	first := frontline.AddDays(today, 1-frontline.DashboardDays)
	// The fortnight's rounds first, their scopes filtered here (see scopesOf).
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.day, r.scope_id, p.path FROM test_rounds r CROSS JOIN places p
		WHERE p.id = r.scope_id AND r.day >= ? AND r.day <= ? AND r.status <> ?`, first, today, string(frontline.RoundDraft))
	if err != nil {
		return err
	}
	rounds := map[int64]*dashboardRound{}
	todays := map[int64][2]any{}
	for rows.Next() {
		var id, scope int64
		var day, path string
		if err := rows.Scan(&id, &day, &scope, &path); err != nil {
			rows.Close()
			return err
		}
		if !strings.HasPrefix(path, f.n.Path) && !strings.HasPrefix(f.n.Path, path) {
			continue
		}
		r := &dashboardRound{day: day, scope: scope, depth: len(frontline.PathIDs(path)), target: f.n.ID}
		if !strings.HasPrefix(f.n.Path, path) {
			r.target = scope
		}
		rounds[id] = r
		if day == today {
			todays[id] = [2]any{scope, path}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	byDay := map[string]*frontline.DayTests{}
	for i := range frontline.DashboardDays {
		day := frontline.AddDays(first, i)
		d.Days = append(d.Days, frontline.DayTests{Day: day})
	}
	for i := range d.Days {
		byDay[d.Days[i].Day] = &d.Days[i]
	}
	expected := 0
	for id, r := range rounds {
		var exp, sampled, positive int
		err := tx.QueryRowContext(ctx, `SELECT expected, sampled, positive FROM round_counts WHERE round_id = ? AND place_id = ?`,
			id, r.target).Scan(&exp, &sampled, &positive)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		byDay[r.day].Sampled += sampled
		byDay[r.day].Positive += positive
		if r.day == today {
			expected += exp
		}
	}
	if len(todays) > 0 {
		if d.Morning, err = tx.morning(ctx, f, rounds, todays, expected); err != nil {
			return err
		}
	}
	return nil
}

// morning adds up the flow counters of the day's rounds at the node (or
// at a round's scope below it) into cumulative ten-minute buckets.
func (tx *Tx) morning(ctx context.Context, f *dailyFrame, rounds map[int64]*dashboardRound, todays map[int64][2]any,
	expected int) (*frontline.MorningCoverage, error) {
	counts := map[int64]int{}
	for id := range todays {
		r := rounds[id]
		targetDepth := f.depth
		if r.target != f.n.ID {
			targetDepth = r.depth
		}
		if targetDepth-r.depth > flowDepth {
			// Below the levels the flow counters keep: the bindings.
			if err := tx.flowFromBindings(ctx, id, f.n.Path, counts); err != nil {
				return nil, err
			}
			continue
		}
		rows, err := tx.QueryContext(ctx, `SELECT bucket, n FROM sampling_flow WHERE round_id = ? AND scope = 'p' AND key_id = ?`, id, r.target)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var bucket int64
			var n int
			if err := rows.Scan(&bucket, &n); err != nil {
				rows.Close()
				return nil, err
			}
			counts[bucket] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	m := &frontline.MorningCoverage{Expected: expected}
	buckets := make([]int64, 0, len(counts))
	for b := range counts {
		buckets = append(buckets, b)
	}
	slices.Sort(buckets)
	sum := 0
	for _, b := range buckets {
		sum += counts[b]
		m.Buckets = append(m.Buckets, frontline.FlowBucket{At: time.Unix(b, 0).UTC(), Sampled: sum})
	}
	return m, nil
}

// dashboardMap fills a tile per child: its zone level, today's coverage
// and its open cases.
func (tx *Tx) dashboardMap(ctx context.Context, f *dailyFrame, d *frontline.Dashboard) error {
	d.Map = make([]frontline.MapTile, len(f.kids))
	for i, k := range f.kids {
		d.Map[i] = frontline.MapTile{PlaceID: k.ID, Name: k.Name, Kind: k.Kind, Level: frontline.LevelNone}
	}
	if len(f.kids) == 0 {
		return nil
	}
	zones, err := tx.activeAround(ctx, f.n.Path)
	if err != nil {
		return err
	}
	for i, k := range f.kids {
		level := frontline.EffectiveLevel(k.Path, zones)
		for _, z := range zones {
			// A zone inside the child colours it too: part of it is sealed.
			if z.Place != nil && strings.HasPrefix(z.Place.Path, k.Path) {
				level = frontline.Strictest(level, z.Level)
			}
		}
		d.Map[i].Level = level
	}
	scopes, err := tx.dayRounds(ctx, f)
	if err != nil {
		return err
	}
	g := f.grid(3)
	if err := tx.readCounters(ctx, "round_counts", "round_id", `expected, sampled`, f.counterTargets(scopes), g,
		func(row, v []int) { row[0] += v[0]; row[1] += v[1] }); err != nil {
		return err
	}
	lo, hi := f.subtree()
	if err := tx.groupCount(ctx, f, g, 2, `SELECT path, COUNT(*) FROM cases WHERE path >= ? AND path < ? AND status <> ?
		GROUP BY path`, lo, hi, string(frontline.CaseClosed)); err != nil {
		return err
	}
	for i := range d.Map {
		d.Map[i].Expected, d.Map[i].Sampled, d.Map[i].Cases = g[i][0], g[i][1], g[i][2]
	}
	return nil
}
