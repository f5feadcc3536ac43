package sqldb

import (
	"context"
	"database/sql"
	"math/bits"
	"slices"
	"strings"
)

// The binding writer reads its rows with IN lists whose length is the
// batch's: a different statement text for nearly every batch, which
// SQLite parsed each time — 7% of the server's CPU at 20,000 bindings/s.
// queryIn pads an IN list to a power of two (repeating its last value,
// which changes no answer), so a statement takes one of a dozen texts,
// and on SQLite the writer prepares each text once, after the commit of
// the batch that first ran it (the writer has one connection, which the
// transaction holds meanwhile), for the life of the connection.

// maxPrepared bounds the statement texts prepared this way: the writer
// runs a handful of statements, each in at most a dozen sizes.
const maxPrepared = 256

// queryIn runs query, whose one %s is an IN list, with args then the
// values of the list.
func (tx *Tx) queryIn(ctx context.Context, query string, args []any, values []any) (*sql.Rows, error) {
	n := len(values)
	if n > 0 && tx.db.Engine == SQLite {
		n = 1 << bits.Len(uint(n-1)) // the smallest power of two not below
	}
	// A new slice: values may be part of the caller's, which padding
	// would overwrite.
	all := append(append(make([]any, 0, len(args)+n), args...), values...)
	for len(all) < len(args)+n {
		all = append(all, values[len(values)-1])
	}
	q := strings.Replace(query, "%s", inList(n), 1)
	if tx.db.Engine == SQLite {
		if v, ok := tx.db.stmts.Load(q); ok {
			rows, err := tx.Tx.StmtContext(ctx, v.(*sql.Stmt)).QueryContext(ctx, all...)
			return rows, tx.db.translate(err)
		}
		tx.db.wantPrepared(q)
	}
	return tx.QueryContext(ctx, q, all...)
}

// wantPrepared notes a statement text to prepare after the transaction.
func (db *DB) wantPrepared(q string) {
	db.wantedMu.Lock()
	defer db.wantedMu.Unlock()
	if db.prepared+len(db.wanted) < maxPrepared && !slices.Contains(db.wanted, q) {
		db.wanted = append(db.wanted, q)
	}
}

// prepareWanted prepares on SQLite's writer connection the statement texts
// queryIn ran unprepared. It runs outside any transaction of the caller.
func (db *DB) prepareWanted(ctx context.Context) {
	db.wantedMu.Lock()
	wanted := db.wanted
	db.wanted = nil
	db.wantedMu.Unlock()
	for _, q := range wanted {
		st, err := db.write.PrepareContext(ctx, q)
		if err != nil {
			db.logger.Warn("cannot prepare a statement of the binding writer; it is parsed where it runs", "err", err)
			continue
		}
		if _, loaded := db.stmts.LoadOrStore(q, st); loaded {
			st.Close()
			continue
		}
		db.wantedMu.Lock()
		db.prepared++
		db.wantedMu.Unlock()
	}
}
