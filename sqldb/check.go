package sqldb

import (
	"context"
	"fmt"

	"github.com/frontline-org/frontline"
)

// CheckCounts recounts households, residents and vulnerable residents
// under every node from the rows themselves and returns a line for each
// node whose maintained counts differ. It is the reconciliation behind
// `frontline migrate --check-counts` and the tests. It reads each table
// once and adds up the tree in memory, so it runs on a city of millions.
func (db *DB) CheckCounts(ctx context.Context) ([]string, error) {
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	perHousehold, err := tx.householdCounts(ctx)
	if err != nil {
		return nil, err
	}
	type kept struct {
		id, parent int64
		name, path string
		c          counts
	}
	var nodes []kept
	recount := map[int64]counts{}
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), kind, name, path, households, residents, vulnerable,
		retired_at IS NOT NULL FROM places`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n kept
		var kind frontline.PlaceKind
		var retired bool
		if err := rows.Scan(&n.id, &n.parent, &kind, &n.name, &n.path, &n.c.households, &n.c.residents, &n.c.vulnerable, &retired); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		if kind != frontline.KindHousehold || retired {
			continue // a retired household counts nowhere; nobody lives there
		}
		c := perHousehold[n.id]
		c.households = 1
		// A household counts in itself and in every ancestor on its path.
		for _, id := range frontline.PathIDs(n.path) {
			r := recount[id]
			recount[id] = counts{r.households + c.households, r.residents + c.residents, r.vulnerable + c.vulnerable}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var bad []string
	for _, n := range nodes {
		if w := recount[n.id]; w != n.c {
			bad = append(bad, fmt.Sprintf("%s (%d): households %d/%d residents %d/%d vulnerable %d/%d (kept/recounted)",
				n.name, n.id, n.c.households, w.households, n.c.residents, w.residents, n.c.vulnerable, w.vulnerable))
		}
	}
	return bad, nil
}

// householdCounts counts the residents and vulnerable residents of each
// household from the persons table.
func (tx *Tx) householdCounts(ctx context.Context) (map[int64]counts, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT household_id, COUNT(*), SUM(CASE WHEN flags <> '' THEN 1 ELSE 0 END)
		FROM persons WHERE status <> ? GROUP BY household_id`, string(frontline.StatusMovedOut))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]counts{}
	for rows.Next() {
		var id int64
		var c counts
		if err := rows.Scan(&id, &c.residents, &c.vulnerable); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, rows.Err()
}

// CheckAllCounts is CheckCounts, then CheckScreeningCounts of every
// campaign and CheckRound of every round past its draft, each line
// prefixed with what it is about: what `frontline migrate
// --check-counts` prints, and what a test runs after moving places
// under campaigns and rounds.
func (db *DB) CheckAllCounts(ctx context.Context) ([]string, error) {
	bad, err := db.CheckCounts(ctx)
	if err != nil {
		return nil, err
	}
	type item struct {
		kind string
		id   int64
		name string
	}
	var items []item
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT 'campaign', id, name FROM screening_campaigns
		UNION ALL SELECT 'round', id, name FROM test_rounds WHERE status <> ? ORDER BY 1, 2`, string(frontline.RoundDraft))
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.kind, &it.id, &it.name); err != nil {
			rows.Close()
			tx.Rollback()
			return nil, err
		}
		items = append(items, it)
	}
	rows.Close()
	tx.Rollback()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, it := range items {
		check := db.CheckRound
		if it.kind == "campaign" {
			check = db.CheckScreeningCounts
		}
		lines, err := check(ctx, it.id)
		if err != nil {
			return nil, fmt.Errorf("%s %d: %w", it.kind, it.id, err)
		}
		for _, l := range lines {
			bad = append(bad, fmt.Sprintf("%s %s (%d): %s", it.kind, it.name, it.id, l))
		}
	}
	return bad, nil
}
