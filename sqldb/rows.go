package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// multiRow is a statement that takes many rows at once: an INSERT (or
// upsert) with a VALUES list, or an UPDATE joined to one. Sending rows by
// the hundred costs PostgreSQL one round trip and SQLite one statement
// instead of one per row.
type multiRow struct {
	prefix string // up to VALUES, e.g. "INSERT INTO t (a, b) VALUES " or "UPDATE ... FROM (VALUES "
	suffix string // after the list: ON CONFLICT, RETURNING, ") AS v WHERE ..."
	cols   int
	size   int // rows per statement
	// types, when set, are the SQL types of the columns: a VALUES list in
	// a FROM clause has no table to take them from, so on PostgreSQL the
	// first row casts each parameter. SQLite needs no casts.
	types []string
}

// values returns the VALUES list for n rows.
func (m multiRow) values(e Engine, n int) string {
	if m.types == nil || e != Postgres {
		return placeholders(n, m.cols)
	}
	cast := make([]string, len(m.types))
	for i, t := range m.types {
		cast[i] = "CAST(? AS " + t + ")"
	}
	first := "(" + strings.Join(cast, ",") + ")"
	if n == 1 {
		return first
	}
	return first + "," + placeholders(n-1, m.cols)
}

// exec runs the statement for n rows; row appends the values of row i.
func (m multiRow) exec(ctx context.Context, tx *Tx, n int, row func(i int, args []any) []any) error {
	return m.query(ctx, tx, n, row, nil)
}

// query runs the statement for n rows and calls scan for each row its
// RETURNING clause yields (exec when scan is nil). Full batches reuse one
// prepared statement.
func (m multiRow) query(ctx context.Context, tx *Tx, n int, row func(i int, args []any) []any, scan func(sc interface{ Scan(...any) error }) error) error {
	if n == 0 {
		return nil
	}
	size := m.size
	if size <= 0 {
		size = 500
	}
	var full *preparedStmt
	args := make([]any, 0, min(n, size)*m.cols)
	for start := 0; start < n; start += size {
		end := min(start+size, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		q := m.prefix + m.values(tx.db.Engine, end-start) + m.suffix
		var st *preparedStmt
		if end-start == size {
			if full == nil {
				var err error
				if full, err = tx.prepare(ctx, q); err != nil {
					return err
				}
				defer full.Close()
			}
			st = full
		}
		if err := runRows(ctx, tx, st, q, args, scan); err != nil {
			return fmt.Errorf("rows %d-%d: %w", start, end, err)
		}
	}
	return nil
}

func runRows(ctx context.Context, tx *Tx, st *preparedStmt, q string, args []any, scan func(sc interface{ Scan(...any) error }) error) error {
	if scan == nil {
		var err error
		if st != nil {
			_, err = st.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		return tx.db.translate(err)
	}
	var rows *sql.Rows
	var err error
	if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = tx.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return tx.db.translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return tx.db.translate(rows.Err())
}

// forUpdateOf returns the clause that locks the rows of a query's table
// alias until the transaction ends, on PostgreSQL. SQLite has no row locks
// and needs none: its one writer holds the database for the transaction.
func (db *DB) forUpdateOf(alias string) string {
	if db.Engine == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// readRow runs a one-row query on the reader pool outside a transaction,
// for lookups that need no snapshot.
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.rebind(query), args...)
}

// timeValue returns t as a query argument the way the engine stores it.
func (tx *Tx) timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if tx.db.Engine == SQLite {
		return t.UTC().Format(sqliteTime)
	}
	return t.UTC()
}
