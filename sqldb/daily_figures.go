package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// dailyFrame is what a daily report is built over: a node, its children
// as rows (and a last row for what hangs on the node itself), the day's
// window and the moment states are read at.
type dailyFrame struct {
	n     *frontline.Place
	kids  []*frontline.Place
	index map[int64]int
	depth int
	// from and to are the day's window; at is when states (on duty,
	// zones) are read: now, or the cut-off once past.
	from, to, at time.Time
	// day is the report's day: its rounds are the day's.
	day string
}

func newDailyFrame(n *frontline.Place, kids []*frontline.Place, from, to, now time.Time) *dailyFrame {
	f := &dailyFrame{n: n, kids: kids, index: make(map[int64]int, len(kids)), depth: len(frontline.PathIDs(n.Path)),
		from: from.UTC(), to: to.UTC(), at: now.UTC()}
	if f.at.After(f.to) {
		f.at = f.to
	}
	for i, k := range kids {
		f.index[k.ID] = i
	}
	return f
}

// own is the row of what hangs on the node itself.
func (f *dailyFrame) own() int { return len(f.kids) }

// rowOf returns the row a record under path counts in, -1 when path is
// not under the node.
func (f *dailyFrame) rowOf(path string) int {
	if !strings.HasPrefix(path, f.n.Path) {
		return -1
	}
	ids := frontline.PathIDs(path)
	if len(ids) <= f.depth {
		return f.own()
	}
	if i, ok := f.index[ids[f.depth]]; ok {
		return i
	}
	return -1 // a retired child: not a row
}

// subtree is the range of paths under the node.
func (f *dailyFrame) subtree() (string, string) { return subtreeRange(f.n.Path) }

// grid is a section's values: a row per child, then the node's own.
type grid [][]int

func (f *dailyFrame) grid(cols int) grid {
	g := make(grid, len(f.kids)+1)
	for i := range g {
		g[i] = make([]int, cols)
	}
	return g
}

// add adds v to figure col of the row of path.
func (f *dailyFrame) add(g grid, path string, col, v int) {
	if r := f.rowOf(path); r >= 0 {
		g[r][col] += v
	}
}

// dailySection is how one workflow's figures are read.
type dailySection struct {
	key  frontline.DailySectionKey
	read func(tx *Tx, ctx context.Context, f *dailyFrame) (grid, error)
}

// dailySections are the workflows that exist, in report order. A workflow
// joins the report by adding its reader here and its columns to
// frontline.DailySectionColumns.
var dailySections = []dailySection{
	{frontline.DailyScreening, (*Tx).dailyScreening},
	{frontline.DailyTesting, (*Tx).dailyTesting},
	{frontline.DailyCases, (*Tx).dailyCases},
	{frontline.DailyZones, (*Tx).dailyZones},
	{frontline.DailyCheckpoints, (*Tx).dailyCheckpoints},
	{frontline.DailyWorkforce, (*Tx).dailyWorkforce},
	{frontline.DailySupplies, (*Tx).dailySupplies},
	{frontline.DailyHelp, (*Tx).dailyHelp},
	{frontline.DailyMedicine, (*Tx).dailyMedicine},
	{frontline.DailyVulnerable, (*Tx).dailyVulnerable},
}

// counterTarget is one counter row a report reads: (campaign or round,
// node) and the report row it adds to.
type counterTarget struct {
	owner, place int64
	row          int
}

// counterTargets says which counter rows make a report's rows, for
// campaigns or rounds with the given scopes (id → scope id and path): a
// scope at or above the node gives each child its own counters; a scope
// below the node gives the child it lies in the scope's counters.
func (f *dailyFrame) counterTargets(scopes map[int64][2]any) []counterTarget {
	var out []counterTarget
	for owner, sc := range scopes {
		id, path := sc[0].(int64), sc[1].(string)
		if strings.HasPrefix(f.n.Path, path) {
			for i, k := range f.kids {
				out = append(out, counterTarget{owner, k.ID, i})
			}
			continue
		}
		if r := f.rowOf(path); r >= 0 {
			out = append(out, counterTarget{owner, id, r})
		}
	}
	return out
}

// readCounters reads the counter rows of targets from table, whose key
// columns are ownerCol and place_id, and adds each row's figures (cols, a
// select list) to the grid through fold.
func (tx *Tx) readCounters(ctx context.Context, table, ownerCol, cols string, targets []counterTarget, g grid,
	fold func(row []int, v []int)) error {
	byOwner := map[int64]map[int64][]int{}
	for _, t := range targets {
		if byOwner[t.owner] == nil {
			byOwner[t.owner] = map[int64][]int{}
		}
		byOwner[t.owner][t.place] = append(byOwner[t.owner][t.place], t.row)
	}
	for owner, places := range byOwner {
		ids := make([]int64, 0, len(places))
		for id := range places {
			ids = append(ids, id)
		}
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			rows, err := tx.QueryContext(ctx, `SELECT place_id, `+cols+` FROM `+table+` WHERE `+ownerCol+` = ? AND place_id IN `+
				inList(len(chunk)), append([]any{owner}, int64Args(chunk)...)...)
			if err != nil {
				return err
			}
			n := strings.Count(cols, ",") + 1
			for rows.Next() {
				var place int64
				v := make([]int, n)
				dst := []any{&place}
				for i := range v {
					dst = append(dst, &v[i])
				}
				if err := rows.Scan(dst...); err != nil {
					rows.Close()
					return err
				}
				for _, r := range places[place] {
					fold(g[r], v)
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// scopesOf reads id, scope id and scope path of the campaigns or rounds a
// query selects, keeping those whose scope is at, above or below the node.
// The query reads the few campaigns or rounds first and filters their
// paths here: joined by path range from places, a city's report would
// walk every node of the city to find a handful of rounds.
func (tx *Tx) scopesOf(ctx context.Context, f *dailyFrame, query string, args ...any) (map[int64][2]any, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][2]any{}
	for rows.Next() {
		var id, scope int64
		var path string
		if err := rows.Scan(&id, &scope, &path); err != nil {
			return nil, err
		}
		if strings.HasPrefix(path, f.n.Path) || strings.HasPrefix(f.n.Path, path) {
			out[id] = [2]any{scope, path}
		}
	}
	return out, rows.Err()
}

// dailyScreening reads the counters of the screening campaigns open during
// the day: households to reach, screened, still pending, returnees, and
// their measures.
func (tx *Tx) dailyScreening(ctx context.Context, f *dailyFrame) (grid, error) {
	scopes, err := tx.scopesOf(ctx, f, `SELECT id, scope_id, scope_path FROM screening_campaigns WHERE status = ? OR closed_at > ?`,
		string(frontline.CampaignOpen), f.from)
	if err != nil {
		return nil, err
	}
	g := f.grid(6)
	err = tx.readCounters(ctx, "screening_counts", "campaign_id",
		`households, screened, refused + vacant + moved_out, returnees_high + returnees_medium + returnees_low, isolation, monitoring`,
		f.counterTargets(scopes), g, func(row, v []int) {
			row[0] += v[0]
			row[1] += v[1]
			row[2] += v[0] - v[1] - v[2]
			row[3] += v[3]
			row[4] += v[4]
			row[5] += v[5]
		})
	return g, err
}

// dayRounds returns the scopes of the day's rounds (not drafts) at, above
// or below the node. CROSS JOIN keeps SQLite reading the day's few rounds
// first; PostgreSQL plans it as the inner join it is.
func (tx *Tx) dayRounds(ctx context.Context, f *dailyFrame) (map[int64][2]any, error) {
	return tx.scopesOf(ctx, f, `SELECT r.id, r.scope_id, p.path FROM test_rounds r CROSS JOIN places p
		WHERE p.id = r.scope_id AND r.day = ? AND r.status <> ?`, f.day, string(frontline.RoundDraft))
}

// dailyTesting reads the counters of the day's test rounds.
func (tx *Tx) dailyTesting(ctx context.Context, f *dailyFrame) (grid, error) {
	scopes, err := tx.dayRounds(ctx, f)
	if err != nil {
		return nil, err
	}
	g := f.grid(6)
	err = tx.readCounters(ctx, "round_counts", "round_id", `expected, sampled, excused, awaiting, positive`,
		f.counterTargets(scopes), g, func(row, v []int) {
			row[0] += v[0]
			row[1] += v[1]
			row[2] += v[2]
			row[3] += v[0] - v[1] - v[2]
			row[4] += v[3]
			row[5] += v[4]
		})
	return g, err
}

// groupCount runs a query of (path, count) rows and adds each count to
// figure col of its row.
func (tx *Tx) groupCount(ctx context.Context, f *dailyFrame, g grid, col int, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		var n int
		if err := rows.Scan(&path, &n); err != nil {
			return err
		}
		f.add(g, path, col, n)
	}
	return rows.Err()
}

// dailyCases counts cases confirmed in the day and up to its end, those
// still open, the contacts traced and the transfers not yet arrived.
func (tx *Tx) dailyCases(ctx context.Context, f *dailyFrame) (grid, error) {
	lo, hi := f.subtree()
	g := f.grid(5)
	q := `SELECT path, COUNT(*) FROM cases WHERE path >= ? AND path < ? AND confirmed_at `
	if err := tx.groupCount(ctx, f, g, 0, q+`> ? AND confirmed_at <= ? GROUP BY path`, lo, hi, f.from, f.to); err != nil {
		return nil, err
	}
	if err := tx.groupCount(ctx, f, g, 1, q+`<= ? GROUP BY path`, lo, hi, f.to); err != nil {
		return nil, err
	}
	if err := tx.groupCount(ctx, f, g, 2, q+`<= ? AND status <> ? GROUP BY path`, lo, hi, f.to, string(frontline.CaseClosed)); err != nil {
		return nil, err
	}
	if err := tx.groupCount(ctx, f, g, 3, `SELECT path, COUNT(DISTINCT person_id) FROM case_contacts
		WHERE path >= ? AND path < ? GROUP BY path`, lo, hi); err != nil {
		return nil, err
	}
	err := tx.groupCount(ctx, f, g, 4, `SELECT path, COUNT(*) FROM transfers WHERE path >= ? AND path < ? AND status IN (?, ?, ?)
		GROUP BY path`, lo, hi, string(frontline.TransferRequested), string(frontline.TransferAssigned), string(frontline.TransferPickedUp))
	return g, err
}

// dailyZones counts the zones in force by level, and the households and
// residents of the sealed ones.
func (tx *Tx) dailyZones(ctx context.Context, f *dailyFrame) (grid, error) {
	lo, hi := f.subtree()
	// zones_active_path finds the few active zones under the node.
	rows, err := tx.QueryContext(ctx, `SELECT z.path, z.level, p.households, p.residents FROM zones z CROSS JOIN places p
		WHERE p.id = z.place_id AND z.ended_at IS NULL AND z.path >= ? AND z.path < ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	g := f.grid(5)
	for rows.Next() {
		var path, level string
		var households, residents int
		if err := rows.Scan(&path, &level, &households, &residents); err != nil {
			return nil, err
		}
		switch frontline.ZoneLevel(level) {
		case frontline.LevelSealed:
			f.add(g, path, 0, 1)
			f.add(g, path, 3, households)
			f.add(g, path, 4, residents)
		case frontline.LevelControlled:
			f.add(g, path, 1, 1)
		case frontline.LevelPrecaution:
			f.add(g, path, 2, 1)
		}
	}
	return g, rows.Err()
}

// dailyCheckpoints counts checkpoints open and being set up, and the
// passages of the day, allowed and refused.
func (tx *Tx) dailyCheckpoints(ctx context.Context, f *dailyFrame) (grid, error) {
	lo, hi := f.subtree()
	rows, err := tx.QueryContext(ctx, `SELECT c.id, p.path, c.status FROM checkpoints c CROSS JOIN places p
		WHERE p.id = c.place_id AND p.path >= ? AND p.path < ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	g := f.grid(4)
	paths := map[int64]string{}
	for rows.Next() {
		var id int64
		var path, status string
		if err := rows.Scan(&id, &path, &status); err != nil {
			rows.Close()
			return nil, err
		}
		paths[id] = path
		switch frontline.CheckpointStatus(status) {
		case frontline.CheckpointOpen:
			f.add(g, path, 0, 1)
		case frontline.CheckpointSettingUp:
			f.add(g, path, 1, 1)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, path := range paths {
		// One index range of passages_checkpoint per checkpoint.
		var all, refused int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN allowed THEN 0 ELSE 1 END), 0) FROM passages
			WHERE checkpoint_id = ? AND at > ? AND at <= ?`, id, f.from, f.to).Scan(&all, &refused); err != nil {
			return nil, err
		}
		f.add(g, path, 2, all)
		f.add(g, path, 3, refused)
	}
	return g, nil
}

// dailyWorkforce counts the workers registered, those checked in on a
// shift at the report's moment, the places still open on the day's shifts
// and the day's no-shows, each where its post (or registry) is.
func (tx *Tx) dailyWorkforce(ctx context.Context, f *dailyFrame) (grid, error) {
	lo, hi := f.subtree()
	g := f.grid(4)
	// Counted per registry node first, then placed: the join never walks
	// the node's subtree of places.
	if err := tx.groupCount(ctx, f, g, 0, `SELECT p.path, w.n FROM (SELECT place_id, COUNT(*) AS n FROM workers WHERE NOT retired
		GROUP BY place_id) w CROSS JOIN places p WHERE p.id = w.place_id AND p.path >= ? AND p.path < ?`, lo, hi); err != nil {
		return nil, err
	}
	// Shifts are found by their start (duty_shifts_start): a shift on duty
	// at the moment started at most a day before it.
	rows, err := tx.QueryContext(ctx, `SELECT p.path,
		SUM(CASE WHEN a.status = ? AND a.starts_at <= ? AND a.ends_at > ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.status = ? AND s.starts_at > ? THEN 1 ELSE 0 END)
		FROM duty_shifts s CROSS JOIN duty_assignments a CROSS JOIN posts po CROSS JOIN places p
		WHERE a.shift_id = s.id AND po.id = s.post_id AND p.id = po.place_id
		AND s.starts_at > ? AND s.starts_at <= ? AND p.path >= ? AND p.path < ? GROUP BY p.path`,
		string(frontline.AssignCheckedIn), f.at, f.at, string(frontline.AssignNoShow), f.from,
		f.from.Add(-24*time.Hour), f.to, lo, hi)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var path string
		var on, noShow int
		if err := rows.Scan(&path, &on, &noShow); err != nil {
			rows.Close()
			return nil, err
		}
		f.add(g, path, 1, on)
		f.add(g, path, 3, noShow)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	err = tx.groupCount(ctx, f, g, 2, `SELECT p.path, SUM(s.headcount - s.assigned) FROM duty_shifts s
		CROSS JOIN posts po CROSS JOIN places p WHERE po.id = s.post_id AND p.id = po.place_id
		AND s.starts_at > ? AND s.starts_at <= ? AND s.headcount > s.assigned AND NOT po.retired
		AND p.path >= ? AND p.path < ? GROUP BY p.path`, f.from, f.to, lo, hi)
	return g, err
}
