package sqldb

import (
	"context"
	"path/filepath"
	"testing"
)

// TestQueryIn: an IN list padded to a power of two answers as the list,
// the caller's slice is left alone, and the text is prepared once the
// writer asks.
func TestQueryIn(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "in.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO t (id) VALUES (1), (2), (3), (4), (5)`); err != nil {
		t.Fatal(err)
	}
	ids := []any{int64(2), int64(3), int64(5), int64(99)}
	count := func(values []any) int {
		t.Helper()
		tx, err := db.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		rows, err := tx.queryIn(ctx, `SELECT id FROM t WHERE id > ? AND id IN %s`, []any{int64(1)}, values)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
		}
		return n
	}
	if n := count(ids[:3]); n != 3 { // padded to 4 with a repeated 5
		t.Fatalf("three ids found %d rows", n)
	}
	if ids[3] != int64(99) {
		t.Fatalf("padding wrote into the caller's slice: %v", ids)
	}
	db.prepareWanted(ctx)
	if _, ok := db.stmts.Load(`SELECT id FROM t WHERE id > ? AND id IN (?,?,?,?)`); !ok {
		t.Fatal("the padded text was not prepared")
	}
	if n := count(ids[:3]); n != 3 {
		t.Fatalf("prepared: three ids found %d rows", n)
	}
}
