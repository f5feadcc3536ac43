package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL every statement is a round trip: the binding writer's
// batch ran a dozen statements one after another, each waiting for the
// last, which put a batch's time into the round trips rather than the
// work, and the next batch behind it. A pipeline queues the statements of
// a step whose arguments do not depend on each other's answers and sends
// them in one write, reading every answer in one go (pgx's batch). The
// server still runs them one after another, in the order queued, within
// the transaction: locks are taken in the same order as before, and a
// statement sees what those before it did.
//
// SQLite has no round trips; there a "pipeline" runs each statement at
// once, on the writer's prepared statements.

// rowScanner is a row of a query: *sql.Rows or pgx.Rows.
type rowScanner interface{ Scan(...any) error }

// beginPipeline starts queueing the statements that multiRow, eachIn and
// execPiped run, until flushPipeline. It does nothing on SQLite, and on a
// transaction without its own connection (read transactions).
func (tx *Tx) beginPipeline() {
	if tx.db.Engine == Postgres && tx.conn != nil {
		tx.pipe = &pgx.Batch{}
	}
}

// flushPipeline sends the queued statements and reads their answers,
// calling each query's scan for its rows, in order. The first error stops
// it (the transaction is then aborted on the server).
func (tx *Tx) flushPipeline(ctx context.Context) error {
	b := tx.pipe
	tx.pipe = nil
	if b == nil || b.Len() == 0 {
		return nil
	}
	return tx.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipeline: not a pgx connection")
		}
		return tx.db.translate(c.Conn().SendBatch(ctx, b).Close())
	})
}

// queue adds a statement to the pipeline; scan, when not nil, is called
// for each row of its answer at the flush.
func (tx *Tx) queue(query string, args []any, scan func(rowScanner) error) {
	qq := tx.pipe.Queue(tx.db.rebind(query), storedArgs(args)...)
	if scan == nil {
		return
	}
	qq.Query(func(rows pgx.Rows) error {
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// execPiped runs a statement, or queues it while a pipeline is open.
func (tx *Tx) execPiped(ctx context.Context, query string, args ...any) error {
	if tx.pipe != nil {
		tx.queue(query, args, nil)
		return nil
	}
	_, err := tx.ExecContext(ctx, query, args...)
	return err
}

// eachIn runs query, whose one %s is an IN list, with args then values,
// and calls scan for each row; while a pipeline is open the query is
// queued and scan runs at the flush. Without one it is queryIn: the
// writer's prepared statements on SQLite.
func (tx *Tx) eachIn(ctx context.Context, query string, args, values []any, scan func(rowScanner) error) error {
	if tx.pipe != nil {
		all := append(append(make([]any, 0, len(args)+len(values)), args...), values...)
		tx.queue(strings.Replace(query, "%s", inList(len(values)), 1), all, scan)
		return nil
	}
	rows, err := tx.queryIn(ctx, query, args, values)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return tx.db.translate(rows.Err())
}
