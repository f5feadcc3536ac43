package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// multiRow is a statement that takes many rows at once: an INSERT (or
// upsert), or an UPDATE joined to a list of rows. Sending rows by the
// hundred costs PostgreSQL one round trip and SQLite one statement instead
// of one per row.
//
// The list is a dialect difference. SQLite gets VALUES (?,?),(?,?)...;
// PostgreSQL gets one array per column, SELECT * FROM unnest(?, ?), so a
// statement has as many parameters as columns whatever the rows, parses
// once and sends each column as one value.
type multiRow struct {
	prefix string // before the list: "INSERT INTO t (a, b) " or "UPDATE ... FROM ("
	suffix string // after it: ON CONFLICT, RETURNING, ") AS v WHERE ..."
	// types are the SQL types of the columns, which the arrays are cast
	// to: BIGINT, INTEGER, TEXT, BOOLEAN or TIMESTAMPTZ. The list's
	// columns are named column1, column2 ... on both engines.
	types []string
	size  int // rows per statement on SQLite (default 500)
}

// list returns the row list for n rows.
func (m multiRow) list(e Engine, n int) string {
	if e == Postgres {
		cols := make([]string, len(m.types))
		names := make([]string, len(m.types))
		for i, t := range m.types {
			cols[i] = "CAST(? AS " + t + "[])"
			names[i] = fmt.Sprintf("column%d", i+1)
		}
		return "SELECT * FROM unnest(" + strings.Join(cols, ", ") + ") AS u(" + strings.Join(names, ", ") + ")"
	}
	return "VALUES " + placeholders(n, len(m.types))
}

// exec runs the statement for n rows; row appends the values of row i.
func (m multiRow) exec(ctx context.Context, tx *Tx, n int, row func(i int, args []any) []any) error {
	return m.query(ctx, tx, n, row, nil)
}

// query runs the statement for n rows and calls scan for each row its
// RETURNING clause yields (none when scan is nil).
func (m multiRow) query(ctx context.Context, tx *Tx, n int, row func(i int, args []any) []any, scan func(sc interface{ Scan(...any) error }) error) error {
	if n == 0 {
		return nil
	}
	size := m.size
	if size <= 0 {
		size = 500
	}
	if tx.db.Engine == Postgres {
		size = n // arrays have no parameter limit
	}
	cols := len(m.types)
	var full *preparedStmt
	args := make([]any, 0, min(n, size)*cols)
	for start := 0; start < n; start += size {
		end := min(start+size, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		if len(args) != (end-start)*cols {
			return fmt.Errorf("multiRow: %d values for %d rows of %d columns", len(args), end-start, cols)
		}
		q := m.prefix + m.list(tx.db.Engine, end-start) + m.suffix
		if tx.db.Engine == Postgres {
			args = columnArrays(args, m.types)
		}
		var st *preparedStmt
		if end-start == size && tx.db.Engine == SQLite {
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

// columnArrays turns row-major values into one typed slice per column,
// with nil pointers for NULL, which the PostgreSQL driver sends as arrays.
func columnArrays(values []any, types []string) []any {
	cols := len(types)
	rows := len(values) / cols
	out := make([]any, cols)
	for c, t := range types {
		switch t {
		case "BIGINT", "INTEGER":
			a := make([]*int64, rows)
			for r := range rows {
				a[r] = asInt64(values[r*cols+c])
			}
			out[c] = a
		case "TEXT":
			a := make([]*string, rows)
			for r := range rows {
				if s, ok := values[r*cols+c].(string); ok {
					a[r] = &s
				}
			}
			out[c] = a
		case "BOOLEAN":
			a := make([]*bool, rows)
			for r := range rows {
				if b, ok := values[r*cols+c].(bool); ok {
					a[r] = &b
				}
			}
			out[c] = a
		case "TIMESTAMPTZ":
			a := make([]*time.Time, rows)
			for r := range rows {
				if v, ok := values[r*cols+c].(time.Time); ok {
					a[r] = &v
				}
			}
			out[c] = a
		default:
			panic("multiRow: unknown column type " + t)
		}
	}
	return out
}

func asInt64(v any) *int64 {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case int:
		n = int64(x)
	case int32:
		n = int64(x)
	case bool:
		if x {
			n = 1
		}
	default:
		return nil
	}
	return &n
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

// timeValue returns t as a query argument the way the engine stores it,
// nil for the zero time.
func (tx *Tx) timeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if tx.db.Engine == SQLite {
		return t.UTC().Format(sqliteTime)
	}
	return t.UTC()
}
