package sqldb

import (
	"context"

	"github.com/frontline-org/frontline"
)

// EnqueueForTest writes notices into the outbox as a workflow would, in
// a transaction of its own.
func EnqueueForTest(ctx context.Context, db *DB, ns ...*frontline.Notice) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.enqueueNotices(ctx, ns); err != nil {
		return err
	}
	return tx.Commit()
}

// SetImportBatches makes s write batchRows persons a transaction and run
// after once each batch is committed (nil: nothing).
func SetImportBatches(s *ImportService, batchRows int, after func(batch int) error) {
	s.batchRows, s.afterBatch = batchRows, after
}

// SetImportKnownAfter makes s load the import node's persons once rows
// rows are checked (and a sixteenth of the node's residents), rather than
// look every row up.
func SetImportKnownAfter(s *ImportService, rows int) {
	s.knownMinRows = rows
}

// PageCachesForTest returns SQLite's cache_size (negative: KiB) of the
// writer's connection and of every open reader connection, holding them
// all at once so that each is asked; nil on PostgreSQL.
func PageCachesForTest(ctx context.Context, db *DB) (writer int, readers []int, err error) {
	if db.Engine != SQLite {
		return 0, nil, nil
	}
	if err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&writer); err != nil {
		return 0, nil, err
	}
	n := db.read.Stats().OpenConnections
	for range n {
		c, err := db.read.Conn(ctx)
		if err != nil {
			return 0, nil, err
		}
		defer c.Close()
		var size int
		if err := c.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&size); err != nil {
			return 0, nil, err
		}
		readers = append(readers, size)
	}
	return writer, readers, nil
}

// ImportRunForTest returns the status, failure and progress of the last
// import recorded.
func ImportRunForTest(ctx context.Context, db *DB) (status, failure string, checked, written int, err error) {
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return "", "", 0, 0, err
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, `SELECT status, failure, checked, written FROM resident_imports ORDER BY id DESC LIMIT 1`).
		Scan(&status, &failure, &checked, &written)
	return status, failure, checked, written, err
}

// VulnerableRowsRead is how many rows the reads of the vulnerable have
// brought into Go on db.
func VulnerableRowsRead(db *DB) int64 { return db.vulnerableRows.Load() }

// GapListBeforeForTest answers the gap list of the node at path the way
// NotSampled did before it read by pages: the households (in path order)
// of a full grouping of every member still to sample, and their count.
func GapListBeforeForTest(ctx context.Context, db *DB, roundID int64, path string) ([]int64, int, error) {
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	lo, hi := subtreeRange(path)
	args := []any{roundID, lo, hi}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT m.household_id)`+db.gapWhere(), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.path, m.household_id`+db.gapWhere()+` GROUP BY m.path, m.household_id ORDER BY m.path`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var homes []int64
	for rows.Next() {
		var p string
		var id int64
		if err := rows.Scan(&p, &id); err != nil {
			return nil, 0, err
		}
		homes = append(homes, id)
	}
	return homes, total, rows.Err()
}
