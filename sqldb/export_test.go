package sqldb

import (
	"context"

	"github.com/frontline-org/frontline"
)

// EnqueueForTest writes a notice into the outbox as a workflow would, in
// a transaction of its own.
func EnqueueForTest(ctx context.Context, db *DB, n *frontline.Notice) error {
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.enqueueNotices(ctx, []*frontline.Notice{n}); err != nil {
		return err
	}
	return tx.Commit()
}
