package sqldb

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestRestartWAL_GivesWayToReaders: a RESTART checkpoint runs on the
// writer's one connection, so it must not wait out a long reader — an
// import's check, a city's report — with every write queued behind it. It
// gives up when a reader still uses the WAL, the writer's connection gets
// its own busy timeout back, and the restart succeeds once the reader is
// done.
func TestRestartWAL_GivesWayToReaders(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "wal.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Engine != SQLite {
		t.Skip("SQLite only")
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	insert := func(x int) {
		t.Helper()
		if _, err := db.write.ExecContext(ctx, `INSERT INTO t VALUES (?)`, x); err != nil {
			t.Fatalf("insert %d: %v", x, err)
		}
	}
	insert(1)

	reader, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	insert(2) // frames the reader's snapshot does not have

	restarted, err := db.restartWAL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if restarted {
		t.Fatal("the WAL was restarted under a reader that still uses it")
	}
	var timeout int
	if err := db.write.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout != busyTimeoutMillis {
		t.Fatalf("writer's busy timeout after the restart = %d, want %d", timeout, busyTimeoutMillis)
	}
	insert(3) // the writer goes on while the reader reads

	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	if restarted, err = db.restartWAL(ctx); err != nil || !restarted {
		t.Fatalf("restart once the reader is done = %v, %v; want true", restarted, err)
	}
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("rows after the restart = %d, %v; want 3", n, err)
	}
}
