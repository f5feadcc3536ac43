package sqldb

import (
	"context"
	"fmt"
)

// CheckCounts recounts households, residents and vulnerable residents
// under every node from the rows themselves and returns a line for each
// node whose maintained counts differ. It is the reconciliation used by
// tests and by `frontline migrate --check`.
func (db *DB) CheckCounts(ctx context.Context) ([]string, error) {
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Each household contributes to itself and every ancestor: an ancestor's
	// path is a prefix of the household's.
	rows, err := tx.QueryContext(ctx, `
		WITH hh AS (
			SELECT h.path,
				(SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.status <> 'moved_out') AS residents,
				(SELECT COUNT(*) FROM persons p WHERE p.household_id = h.id AND p.status <> 'moved_out' AND p.flags <> '') AS vulnerable
			FROM places h WHERE h.kind = 'household'
		)
		SELECT n.id, n.name, n.households, n.residents, n.vulnerable,
			(SELECT COUNT(*) FROM hh WHERE substr(hh.path, 1, length(n.path)) = n.path),
			(SELECT COALESCE(SUM(hh.residents), 0) FROM hh WHERE substr(hh.path, 1, length(n.path)) = n.path),
			(SELECT COALESCE(SUM(hh.vulnerable), 0) FROM hh WHERE substr(hh.path, 1, length(n.path)) = n.path)
		FROM places n ORDER BY n.path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var bad []string
	for rows.Next() {
		var id int64
		var name string
		var h, r, v, wh, wr, wv int
		if err := rows.Scan(&id, &name, &h, &r, &v, &wh, &wr, &wv); err != nil {
			return nil, err
		}
		if h != wh || r != wr || v != wv {
			bad = append(bad, fmt.Sprintf("%s (%d): households %d/%d residents %d/%d vulnerable %d/%d (kept/recounted)",
				name, id, h, wh, r, wr, v, wv))
		}
	}
	return bad, rows.Err()
}
