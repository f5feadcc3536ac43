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
