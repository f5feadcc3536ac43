package sqldb

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.CoverageService = (*CoverageService)(nil)

// CoverageService reads a round's coverage from the counters the writer
// keeps, so a city costs what a building does.
type CoverageService struct {
	db        *DB
	gapTotals *gapTotals // nil: counted every time
}

// NewCoverageService returns a CoverageService on db.
func NewCoverageService(db *DB) *CoverageService { return &CoverageService{db: db} }

// coverageNode begins a read, and returns the round and a node that must
// be at or under the round's scope and inside the caller's. Without a node
// it is the round's scope, or the caller's own node when they work inside
// a wider round (a community's staff in a city-wide round).
func (s *CoverageService) coverageNode(ctx context.Context, roundID, placeID int64) (*Tx, *frontline.Round, *frontline.Place, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, nil, nil, err
	}
	r, err := tx.findRound(ctx, roundID, false)
	if err == nil && placeID == 0 {
		placeID = r.ScopeID
		if p := frontline.PrincipalFrom(ctx); p != nil && !p.InScope(r.Scope.Path) {
			placeID = p.ScopeID
		}
	}
	var p *frontline.Place
	if err == nil {
		p, err = tx.findPlaceByID(ctx, placeID)
	}
	if err == nil {
		if lo, hi := subtreeRange(r.Scope.Path); p.Path < lo || p.Path >= hi {
			err = frontline.Errorf(frontline.ENOTFOUND, "%s is not in round %s", p.Name, r.Name)
		}
	}
	if err != nil {
		tx.Rollback()
		return nil, nil, nil, err
	}
	return tx, r, p, nil
}

// Coverage returns the counters of a node and of its children. Households
// keep no counters; theirs are counted from their few members.
func (s *CoverageService) Coverage(ctx context.Context, roundID, placeID int64) (*frontline.RoundCoverage, []*frontline.RoundCoverage, error) {
	tx, r, p, err := s.coverageNode(ctx, roundID, placeID)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	own, err := tx.coverageOf(ctx, r.ID, p)
	if err != nil || p.Kind == frontline.KindHousehold {
		return own, []*frontline.RoundCoverage{}, err
	}
	children, _, err := tx.findPlaces(ctx, frontline.PlaceFilter{ParentID: &p.ID})
	if err != nil {
		return nil, nil, err
	}
	var nodes, homes []*frontline.Place
	for _, c := range children {
		if c.Kind == frontline.KindHousehold {
			homes = append(homes, c)
		} else {
			nodes = append(nodes, c)
		}
	}
	out, err := tx.nodeCoverage(ctx, r.ID, nodes)
	if err != nil {
		return nil, nil, err
	}
	hh, err := tx.householdCoverage(ctx, r.ID, homes)
	if err != nil {
		return nil, nil, err
	}
	return own, append(out, hh...), nil
}

// coverageOf returns the counters of one node of a round, a household's
// counted from its members.
func (tx *Tx) coverageOf(ctx context.Context, roundID int64, p *frontline.Place) (*frontline.RoundCoverage, error) {
	count := tx.nodeCoverage
	if p.Kind == frontline.KindHousehold {
		count = tx.householdCoverage
	}
	c, err := count(ctx, roundID, []*frontline.Place{p})
	if err != nil {
		return nil, err
	}
	return c[0], nil
}

// nodeCoverage reads the counters of nodes above the households, in the
// order given; a node without a counter row (created after the round
// opened, nobody counted yet) has zeros.
func (tx *Tx) nodeCoverage(ctx context.Context, roundID int64, nodes []*frontline.Place) ([]*frontline.RoundCoverage, error) {
	out := make([]*frontline.RoundCoverage, len(nodes))
	byID := map[int64]*frontline.RoundCoverage{}
	ids := make([]int64, len(nodes))
	for i, n := range nodes {
		out[i] = &frontline.RoundCoverage{RoundID: roundID, PlaceID: n.ID, Kind: n.Kind, Name: n.Name}
		byID[n.ID], ids[i] = out[i], n.ID
	}
	err := tx.eachRow(ctx, `SELECT place_id, expected, sampled, excused, awaiting, positive, negative FROM round_counts
		WHERE round_id = `+itoa(roundID)+` AND place_id IN %s`, ids, func(sc interface{ Scan(...any) error }) error {
		var id int64
		var c frontline.RoundCoverage
		if err := sc.Scan(&id, &c.Expected, &c.Sampled, &c.Excused, &c.Awaiting, &c.Positive, &c.Negative); err != nil {
			return err
		}
		o := byID[id]
		o.Expected, o.Sampled, o.Excused, o.Awaiting, o.Positive, o.Negative = c.Expected, c.Sampled, c.Excused, c.Awaiting, c.Positive, c.Negative
		return nil
	})
	return out, err
}

// householdCoverage counts households' members, as the counters would.
func (tx *Tx) householdCoverage(ctx context.Context, roundID int64, homes []*frontline.Place) ([]*frontline.RoundCoverage, error) {
	out := make([]*frontline.RoundCoverage, len(homes))
	byID := map[int64]*frontline.RoundCoverage{}
	ids := make([]int64, len(homes))
	for i, h := range homes {
		out[i] = &frontline.RoundCoverage{RoundID: roundID, PlaceID: h.ID, Kind: h.Kind, Name: h.Name}
		byID[h.ID], ids[i] = out[i], h.ID
	}
	err := tx.eachRow(ctx, `SELECT m.household_id, m.status, m.follow_up, m.result, b.id IS NOT NULL FROM round_members m
		LEFT JOIN bindings b ON b.person_id = m.person_id AND b.round_id = m.round_id AND b.undone_at IS NULL
		WHERE m.round_id = `+itoa(roundID)+` AND m.household_id IN %s`, ids, func(sc interface{ Scan(...any) error }) error {
		var id int64
		var st frontline.MemberStatus
		var follow frontline.FollowUp
		var result frontline.TubeResult
		var sampled bool
		if err := sc.Scan(&id, &st, &follow, &result, &sampled); err != nil {
			return err
		}
		if sampled {
			st = frontline.MemberSampled
		}
		d := memberDelta(st, follow, result, 1)
		c := byID[id]
		c.Expected, c.Sampled, c.Excused = c.Expected+d.expected, c.Sampled+d.sampled, c.Excused+d.excused
		c.Awaiting, c.Positive, c.Negative = c.Awaiting+d.awaiting, c.Positive+d.positive, c.Negative+d.negative
		return nil
	})
	return out, err
}

// itoa writes an id into a query: an integer cannot inject anything.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Flow returns persons sampled per ten minutes under a node: from the flow
// counters for the scope and the levels below it that keep them, from the
// bindings for smaller nodes.
func (s *CoverageService) Flow(ctx context.Context, roundID, placeID int64) ([]frontline.FlowBucket, error) {
	tx, r, p, err := s.coverageNode(ctx, roundID, placeID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	counts := map[int64]int{}
	if p.Depth()-r.Scope.Depth() <= flowDepth {
		rows, err := tx.QueryContext(ctx, `SELECT bucket, n FROM sampling_flow WHERE round_id = ? AND scope = 'p' AND key_id = ?`, r.ID, p.ID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var bucket int64
			var n int
			if err := rows.Scan(&bucket, &n); err != nil {
				return nil, err
			}
			counts[bucket] += n
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	} else if err := tx.flowFromBindings(ctx, r.ID, p.Path, counts); err != nil {
		return nil, err
	}
	return flowBuckets(counts), nil
}

func (tx *Tx) flowFromBindings(ctx context.Context, roundID int64, path string, counts map[int64]int) error {
	lo, hi := subtreeRange(path)
	return tx.bindingPaths(ctx, roundID, lo, hi, func(_ string, at time.Time) {
		counts[frontline.FlowBucketOf(at).Unix()]++
	})
}

func flowBuckets(counts map[int64]int) []frontline.FlowBucket {
	out := make([]frontline.FlowBucket, 0, len(counts))
	for b, n := range counts {
		if n != 0 {
			out = append(out, frontline.FlowBucket{At: time.Unix(b, 0).UTC(), Sampled: n})
		}
	}
	slices.SortFunc(out, func(a, b frontline.FlowBucket) int { return a.At.Compare(b.At) })
	return out
}

// Positivity returns what round roundID and the rounds before it (by day,
// up to frontline.RecentRounds in all, drafts aside) that covered a node
// found there, from each round's counters at the node: the pool advice's
// "recent positivity". The pool size is the round's own usual pool.
func (s *CoverageService) Positivity(ctx context.Context, roundID, placeID int64) (*frontline.Positivity, error) {
	tx, r, p, err := s.coverageNode(ctx, roundID, placeID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := &frontline.Positivity{PoolSize: r.Policy.Rule("").Capacity(1)}
	rows, err := tx.QueryContext(ctx, `SELECT r.id FROM test_rounds r JOIN places sc ON sc.id = r.scope_id
		WHERE r.id <> ? AND r.status <> ? AND (r.day < ? OR (r.day = ? AND r.id < ?)) AND substr(?, 1, length(sc.path)) = sc.path
		ORDER BY r.day DESC, r.id DESC LIMIT ?`, r.ID, string(frontline.RoundDraft), r.Day, r.Day, r.ID, p.Path, frontline.RecentRounds-1)
	if err != nil {
		return nil, err
	}
	ids := []int64{r.ID}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, id := range ids {
		c, err := tx.coverageOf(ctx, id, p)
		if err != nil {
			return nil, err
		}
		out.Add(id, c)
	}
	return out, nil
}

// Throughput returns each station's persons sampled, in the last hour, and
// the bucket of its latest binding, from the station flow counters: the
// stations of the sites inside the caller's scope.
func (s *CoverageService) Throughput(ctx context.Context, roundID int64) ([]*frontline.StationThroughput, error) {
	tx, r, _, err := s.coverageNode(ctx, roundID, 0)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	hourAgo := frontline.FlowBucketOf(tx.now.Add(-time.Hour)).Unix()
	// The sites in the caller's scope first, then their stations: joined
	// station by station, a community's staff read every station of a
	// city-wide round (2,000 of them, 3 ms of CPU on SQLite) for its few.
	sites, args := andScope(ctx, "sp.path", []string{"ss.round_id = ?"}, []any{hourAgo, r.ID, r.ID})
	rows, err := tx.QueryContext(ctx, `SELECT st.id, st.name, si.id, si.name, COALESCE(SUM(f.n), 0),
			COALESCE(SUM(CASE WHEN f.bucket > ? THEN f.n ELSE 0 END), 0), COALESCE(MAX(f.bucket), 0)
		FROM sampling_stations st JOIN sampling_sites si ON si.id = st.site_id
		LEFT JOIN sampling_flow f ON f.round_id = st.round_id AND f.scope = 's' AND f.key_id = st.id
		WHERE st.round_id = ? AND st.site_id IN (SELECT ss.id FROM sampling_sites ss JOIN places sp ON sp.id = ss.place_id
			WHERE `+strings.Join(sites, " AND ")+`)
		GROUP BY st.id, st.name, si.id, si.name ORDER BY si.id, st.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.StationThroughput, 0)
	for rows.Next() {
		var t frontline.StationThroughput
		var last int64
		if err := rows.Scan(&t.StationID, &t.Station, &t.SiteID, &t.Site, &t.Sampled, &t.LastHour, &last); err != nil {
			return nil, err
		}
		if last > 0 {
			t.Last = time.Unix(last, 0).UTC()
		}
		out = append(out, &t)
	}
	return out, rows.Err()
}
