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
