package sqldb

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/frontline-org/frontline"
)

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
	return tx.bulkInsertAs(ctx, `INSERT INTO `, table, columns, n, row)
}

// sharedColumn is a column that has one value in every row of a bulk
// insert: the time, the user, the import.
type sharedColumn struct {
	name  string
	value any // int64 or string; on PostgreSQL also a time.Time
}

// literal returns the value as SQL text (SQLite).
func (c sharedColumn) literal() string {
	switch v := c.value.(type) {
	case int64:
		return strconv.FormatInt(v, 10)
	case string:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	panic(fmt.Sprintf("sharedColumn %s: %T", c.name, c.value))
}

// bulkInsertAll is bulkInsert for the batches of an import, which a
// failed row fails whole; shared are columns with one value for every
// row, which row does not append.
//
// On SQLite every bound value costs: the driver converts it and copies a
// string into C memory, so the shared values are written into the
// statement's text instead. And a multi-row INSERT inside a transaction
// keeps a statement journal of every page it changes, to undo only itself
// should a later row fail; into a table with several indexes on random
// keys that journal was most of an import's time (when the import dropped
// the indexes, it was not). A one-row INSERT needs none: one prepared
// statement is run once per row.
func (tx *Tx) bulkInsertAll(ctx context.Context, table string, columns []string, shared []sharedColumn, n int, row func(i int, args []any) []any) error {
	if tx.db.Engine != SQLite || n == 0 {
		all := slices.Clone(columns)
		for _, c := range shared {
			all = append(all, c.name)
		}
		return tx.bulkInsert(ctx, table, all, n, func(i int, args []any) []any {
			args = row(i, args)
			for _, c := range shared {
				args = append(args, c.value)
			}
			return args
		})
	}
	names, values := slices.Clone(columns), strings.Repeat("?, ", len(columns))
	for _, c := range shared {
		names = append(names, c.name)
		values += c.literal() + ", "
	}
	st, err := tx.prepare(ctx, `INSERT INTO `+table+` (`+strings.Join(names, ", ")+`) VALUES (`+strings.TrimSuffix(values, ", ")+`)`)
	if err != nil {
		return err
	}
	defer st.Close()
	args := make([]any, 0, len(columns))
	for i := range n {
		if _, err := st.ExecContext(ctx, row(i, args[:0])...); err != nil {
			return fmt.Errorf("insert row %d into %s: %w", i, table, tx.db.translate(err))
		}
	}
	return nil
}

func (tx *Tx) bulkInsertAs(ctx context.Context, verb, table string, columns []string, n int, row func(i int, args []any) []any) error {
	if n == 0 {
		return nil
	}
	if tx.conn != nil && n >= copyMinRows {
		return tx.copyFrom(ctx, table, columns, n, row)
	}
	insert := verb + table + ` (` + strings.Join(columns, ", ") + `) VALUES `
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
