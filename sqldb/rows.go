package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
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
// RETURNING clause yields (none when scan is nil). On PostgreSQL it is one
// statement whatever n. On SQLite rows go in chunks of a power of two up
// to the statement size, so a handful of statement texts serve every n
// and each is parsed once for the connection's life (preparedRows)
// instead of once per transaction.
func (m multiRow) query(ctx context.Context, tx *Tx, n int, row func(i int, args []any) []any, scan func(sc interface{ Scan(...any) error }) error) error {
	if n == 0 {
		return nil
	}
	size := m.size
	if size <= 0 {
		size = 256
	}
	if tx.db.Engine == Postgres {
		size = n // arrays have no parameter limit
	}
	cols := len(m.types)
	args := make([]any, 0, min(n, size)*cols)
	for start := 0; start < n; {
		k := min(size, n-start)
		if tx.db.Engine == SQLite {
			k = 1 << (bits.Len(uint(k)) - 1) // the largest power of two not above k
		}
		end := start + k
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		if len(args) != k*cols {
			return fmt.Errorf("multiRow: %d values for %d rows of %d columns", len(args), k, cols)
		}
		q := m.prefix + m.list(tx.db.Engine, k) + m.suffix
		if tx.db.Engine == Postgres {
			args = columnArrays(args, m.types)
		}
		st, err := tx.preparedRows(ctx, q)
		if err != nil {
			return err
		}
		if err := runRows(ctx, tx, st, q, args, scan); err != nil {
			return fmt.Errorf("rows %d-%d: %w", start, end, err)
		}
		start = end
	}
	return nil
}

// preparedRows returns q prepared on the transaction's connection when
// prepareRows prepared it before, nil otherwise (the statement is then
// parsed where it runs). On PostgreSQL it is always nil: the driver keeps
// its own cache of prepared statements.
func (tx *Tx) preparedRows(ctx context.Context, q string) (*sql.Stmt, error) {
	if tx.db.Engine != SQLite {
		return nil, nil
	}
	v, ok := tx.db.stmts.Load(q)
	if !ok {
		return nil, nil
	}
	// Prepared on the writer's only connection, which the transaction
	// holds: StmtContext reuses it rather than parsing again.
	return tx.Tx.StmtContext(ctx, v.(*sql.Stmt)), nil
}

// prepareRows prepares, on SQLite's writer connection, every statement
// text the multi-row statements can take (a power of two of rows up to
// their size), so that transactions never parse them. It must run outside
// a transaction of the caller: the writer has one connection.
func (db *DB) prepareRows(ctx context.Context, ms ...multiRow) error {
	if db.Engine != SQLite {
		return nil
	}
	for _, m := range ms {
		size := m.size
		if size <= 0 {
			size = 256
		}
		for k := 1; k <= size; k *= 2 {
			q := m.prefix + m.list(SQLite, k) + m.suffix
			if _, ok := db.stmts.Load(q); ok {
				continue
			}
			st, err := db.write.PrepareContext(ctx, q)
			if err != nil {
				return db.translate(err)
			}
			if _, loaded := db.stmts.LoadOrStore(q, st); loaded {
				st.Close()
			}
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
	if tx.pipe != nil {
		var fn func(rowScanner) error
		if scan != nil {
			fn = func(r rowScanner) error { return scan(r) }
		}
		tx.queue(q, args, fn)
		return nil
	}
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

// closeStmts closes the statements prepareRows kept, before the pools
// close: SQLite keeps a connection open while a statement of it lives.
func (db *DB) closeStmts() {
	db.stmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		db.stmts.Delete(k)
		return true
	})
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

// readRow runs a one-row query on the hot path's own connections (quick)
// outside a transaction, for lookups that need no snapshot.
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.quick.QueryRowContext(ctx, db.rebind(query), args...)
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
