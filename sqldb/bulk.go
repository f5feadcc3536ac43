package sqldb

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/frontline-org/frontline"
)

// A bulk write into SQLite drops the indexes of its tables and builds them
// again before the commit when it is at least bulkIndexMinRows rows and at
// least as many rows as the tables already hold. Building an index sorts
// once; keeping it up row by row costs a random B-tree descent per row and
// index, several times more for a big import into a small table. Into a big
// table, rebuilding would cost more than it saves.
const bulkIndexMinRows = 50_000

// deferIndexes drops the indexes of tables when SQLite is about to write
// rows into them in bulk, and returns the function that creates them again,
// from the definitions the database itself holds. On PostgreSQL, and for
// small writes, it does nothing: there, dropping an index would lock the
// table against readers for the whole import, while in SQLite's WAL mode
// readers keep reading the snapshot before the import.
func (tx *Tx) deferIndexes(ctx context.Context, rows int, tables ...string) (func(context.Context) error, error) {
	noop := func(context.Context) error { return nil }
	if tx.db.Engine != SQLite || rows < bulkIndexMinRows {
		return noop, nil
	}
	existing := 0
	for _, t := range tables {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t).Scan(&n); err != nil {
			return nil, err
		}
		existing += n
	}
	if rows < existing {
		return noop, nil
	}
	q, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_master
		WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN `+inList(len(tables)), stringArgs(tables)...)
	if err != nil {
		return nil, err
	}
	var names, defs []string
	for q.Next() {
		var name, def string
		if err := q.Scan(&name, &def); err != nil {
			q.Close()
			return nil, err
		}
		names, defs = append(names, name), append(defs, def)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context) error {
		for i, def := range defs {
			if _, err := tx.ExecContext(ctx, def); err != nil {
				return fmt.Errorf("rebuild index %s: %w", names[i], err)
			}
		}
		return nil
	}, nil
}

func stringArgs(s []string) []any {
	args := make([]any, len(s))
	for i, v := range s {
		args[i] = v
	}
	return args
}

// sqliteTime is how the SQLite driver writes a time, and reads it back
// from TIMESTAMP columns.
const sqliteTime = "2006-01-02 15:04:05.999999999-07:00"

// timeArg returns the transaction's time as a query argument, formatted
// once for SQLite rather than by the driver for every row of a bulk insert.
func (tx *Tx) timeArg() any {
	if tx.db.Engine == SQLite {
		return tx.now.Format(sqliteTime)
	}
	return tx.now
}

// validateRows validates every row's person on all cores and returns the
// error of each row (nil when good). Rows are independent, and a million of
// them take seconds on one core.
func validateRows(rows []frontline.ResidentRow, now time.Time) []error {
	errs := make([]error, len(rows))
	workers := max(1, runtime.GOMAXPROCS(0))
	chunk := max(1, (len(rows)+workers-1)/workers)
	var wg sync.WaitGroup
	for start := 0; start < len(rows); start += chunk {
		end := min(start+chunk, len(rows))
		wg.Go(func() {
			for i := start; i < end; i++ {
				errs[i] = rows[i].Person.Validate(now)
			}
		})
	}
	wg.Wait()
	return errs
}

// insertBatchRows is how many rows one multi-row INSERT carries: 500 rows
// of 15 columns stay well under SQLite's 32,766 parameters.
const insertBatchRows = 500

// copyMinRows is the size from which PostgreSQL gets COPY instead of
// multi-row INSERTs: COPY streams rows without a statement per batch.
const copyMinRows = 1000

// bulkInsert inserts n rows into table; row appends the values of row i,
// in the order of columns, to args. PostgreSQL gets COPY for big writes;
// otherwise multi-row INSERTs reuse one prepared statement.
func (tx *Tx) bulkInsert(ctx context.Context, table string, columns []string, n int, row func(i int, args []any) []any) error {
	if n == 0 {
		return nil
	}
	if tx.conn != nil && n >= copyMinRows {
		return tx.copyFrom(ctx, table, columns, n, row)
	}
	insert := `INSERT INTO ` + table + ` (` + strings.Join(columns, ", ") + `) VALUES `
	cols, size := len(columns), insertBatchRows
	var full *preparedStmt
	args := make([]any, 0, size*cols)
	for start := 0; start < n; start += size {
		end := min(start+size, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		var err error
		if end-start == size {
			if full == nil {
				if full, err = tx.prepare(ctx, insert+placeholders(size, cols)); err != nil {
					return err
				}
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insert+placeholders(end-start, cols), args...)
		}
		if err != nil {
			return fmt.Errorf("insert rows %d-%d into %s: %w", start, end, table, tx.db.translate(err))
		}
	}
	return nil
}

// copyFrom writes rows with PostgreSQL's COPY on the transaction's own
// connection, so the rows are part of the transaction.
func (tx *Tx) copyFrom(ctx context.Context, table string, columns []string, n int, row func(i int, args []any) []any) error {
	var args []any
	src := pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		args = row(i, args[:0])
		return args, nil
	})
	return tx.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy into %s: not a pgx connection", table)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, src)
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, tx.db.translate(err))
		}
		return nil
	})
}
