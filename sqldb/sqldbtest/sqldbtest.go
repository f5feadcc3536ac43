// Package sqldbtest opens real databases for tests: SQLite in a temporary
// file, and PostgreSQL in a schema of its own when
// FRONTLINE_TEST_POSTGRES_URL is set. FRONTLINE_TEST_REQUIRE=postgres turns
// a missing PostgreSQL into a failure instead of a skip (CI sets it).
package sqldbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-org/frontline/sqldb"
)

// Required reports whether FRONTLINE_TEST_REQUIRE lists what (postgres,
// chromium).
func Required(what string) bool {
	return slices.Contains(strings.Split(os.Getenv("FRONTLINE_TEST_REQUIRE"), ","), what)
}

// PostgresURL returns the PostgreSQL URL for tests, skipping (or failing,
// when required) if none is set.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("FRONTLINE_TEST_POSTGRES_URL")
	if u == "" {
		if Required("postgres") {
			tb.Fatal("FRONTLINE_TEST_POSTGRES_URL is not set but FRONTLINE_TEST_REQUIRE includes postgres")
		}
		tb.Skip("FRONTLINE_TEST_POSTGRES_URL is not set")
	}
	return u
}

// Each runs fn once per engine as subtests "sqlite" and "postgres", each
// on a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, e := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

var schemaSeq atomic.Int64

// Open returns a fresh, migrated database of the engine, removed when the
// test ends.
func Open(tb testing.TB, e sqldb.Engine) *sqldb.DB {
	tb.Helper()
	db := OpenEmpty(tb, e)
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", e, err)
	}
	return db
}

// OpenEmpty returns a fresh database of the engine without migrating it,
// removed when the test ends.
func OpenEmpty(tb testing.TB, e sqldb.Engine) *sqldb.DB {
	tb.Helper()
	ctx := context.Background()
	var dbURL string
	switch e {
	case sqldb.SQLite:
		dbURL = "sqlite:" + filepath.Join(tb.TempDir(), "frontline.db")
	case sqldb.Postgres:
		dbURL = postgresSchema(tb, PostgresURL(tb))
	}
	db, err := sqldb.Open(ctx, dbURL, sqldb.Options{Synchronous: "NORMAL"})
	if err != nil {
		tb.Fatalf("open %s: %v", e, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// postgresSchema creates a schema of the test's own and returns a URL whose
// search_path points at it, so tests run in parallel without seeing each
// other's rows.
func postgresSchema(tb testing.TB, base string) string {
	tb.Helper()
	name := fmt.Sprintf("t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + name); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec(`DROP SCHEMA ` + name + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
