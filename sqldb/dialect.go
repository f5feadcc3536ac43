package sqldb

import (
	"context"
	"fmt"
)

// nextIDs reserves n ids of table. Places need their id before the insert
// because the id is part of their own path, and bulk inserts need many at
// once. On SQLite the writer holds the database lock for the whole
// transaction, so MAX(id) is safe; PostgreSQL hands out sequence values,
// which may not be contiguous when several servers insert at once.
func (tx *Tx) nextIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if tx.db.Engine == SQLite {
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
			return nil, fmt.Errorf("reserve ids: %w", err)
		}
		for i := 1; i <= n; i++ {
			ids = append(ids, last+int64(i))
		}
		return ids, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("reserve ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// unsampled is the condition that member m (the alias of a round_members
// row) has no live binding in its round. On PostgreSQL the probe stays a
// lookup in bindings_person per member (OFFSET 0 keeps the planner from
// turning it into an anti-join): as an anti-join it was costed from the
// statistics of bindings, which lag behind a round's first minutes, and
// with a round's bindings estimated at 2 rows the planner materialized
// them all and compared every member with every binding — a community's
// gap list took 2.6 s on a city of 20,000 with 6,400 bindings, 15 ms as a
// lookup (`frontline bench day` found it).
func (db *DB) unsampled(m string) string {
	q := `NOT EXISTS (SELECT 1 FROM bindings b WHERE b.round_id = ` + m + `.round_id AND b.person_id = ` + m + `.person_id AND b.undone_at IS NULL`
	if db.Engine == Postgres {
		return q + ` OFFSET 0)`
	}
	return q + `)`
}
