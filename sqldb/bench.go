package sqldb

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// MeasureRawInsert inserts rows rows shaped like bindings into a scratch
// table, batch rows per durable transaction with the same multi-row
// statements the binding writer uses, and returns the rows per second. It
// is the storage's own rate on this machine, against which the binding
// path's rate can be judged. The table is dropped afterwards.
func (db *DB) MeasureRawInsert(ctx context.Context, rows, batch int) (float64, error) {
	const table = "bench_raw_insert"
	if _, err := db.write.ExecContext(ctx, `DROP TABLE IF EXISTS `+table); err != nil {
		return 0, err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE `+table+` (id BIGINT PRIMARY KEY, round_id BIGINT NOT NULL,
		tube_id BIGINT NOT NULL, person_id BIGINT NOT NULL, request_id TEXT NOT NULL, bound_at TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	defer db.write.ExecContext(context.Background(), `DROP TABLE IF EXISTS `+table)
	insert := multiRow{prefix: `INSERT INTO ` + table + ` (id, round_id, tube_id, person_id, request_id, bound_at) `,
		types: []string{"BIGINT", "BIGINT", "BIGINT", "BIGINT", "TEXT", "TEXT"}}
	at := time.Now().UTC().Format(sqliteTime)
	if err := db.prepareRows(ctx, insert); err != nil {
		return 0, err
	}
	start := time.Now()
	for done := 0; done < rows; done += batch {
		n := min(batch, rows-done)
		tx, err := db.BeginTx(ctx)
		if err != nil {
			return 0, err
		}
		err = insert.exec(ctx, tx, n, func(i int, args []any) []any {
			id := int64(done + i + 1)
			return append(args, id, int64(1), id/10, id, fmt.Sprintf("raw-%d", id), at)
		})
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			tx.Rollback()
			return 0, err
		}
	}
	return float64(rows) / time.Since(start).Seconds(), nil
}

// PurgeRound removes a round and everything recorded in it: for
// benchmarks that open a round per run on a kept city, never for a round
// that happened. Its stations' device tokens are revoked.
func (db *DB) PurgeRound(ctx context.Context, id int64) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`UPDATE api_tokens SET revoked_at = ? WHERE id IN (SELECT token_id FROM sampling_stations WHERE round_id = ?)`,
		`DELETE FROM retest_tasks WHERE round_id = ?`, `DELETE FROM held_results WHERE round_id = ?`,
		`DELETE FROM round_plans WHERE round_id = ?`, `DELETE FROM bindings WHERE round_id = ?`,
		`DELETE FROM sampling_requests WHERE round_id = ?`,
		`DELETE FROM tubes WHERE round_id = ?`, `DELETE FROM bags WHERE round_id = ?`,
		`DELETE FROM sampling_flow WHERE round_id = ?`, `DELETE FROM round_counts WHERE round_id = ?`,
		`DELETE FROM round_members WHERE round_id = ?`, `DELETE FROM sampling_slots WHERE round_id = ?`,
		`DELETE FROM sampling_stations WHERE round_id = ?`, `DELETE FROM sampling_sites WHERE round_id = ?`,
		`DELETE FROM outbox WHERE round_id = ?`, `DELETE FROM test_rounds WHERE id = ?`,
	} {
		args := []any{id}
		if q[0] == 'U' {
			args = []any{tx.now, id}
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// WalkBindings calls fn with the id and person of every live binding of a
// round, for a benchmark to compare with the answers it was given.
func (db *DB) WalkBindings(ctx context.Context, roundID int64, fn func(id, person int64) error) error {
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, person_id FROM bindings WHERE round_id = ? AND undone_at IS NULL`, roundID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, person int64
		if err := rows.Scan(&id, &person); err != nil {
			return err
		}
		if err := fn(id, person); err != nil {
			return err
		}
	}
	return rows.Err()
}

// OpenCheckpointsForBench opens checkpoints without their setup (the
// checklist done, the shifts staffed), for a benchmark whose gates only
// log passages; never for a real checkpoint, which opens through
// SetCheckpointStatus.
func (db *DB) OpenCheckpointsForBench(ctx context.Context, ids []int64) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE checkpoints SET status = ?, updated_at = ? WHERE id = ?`,
			string(frontline.CheckpointOpen), tx.now, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}
