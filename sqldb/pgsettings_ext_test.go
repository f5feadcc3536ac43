package sqldb_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestCheckSettings reads the settings of the engine under test: none on
// SQLite; on PostgreSQL a warning about max_wal_size exactly when the
// server's is below the advice.
func TestCheckSettings(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		got, err := db.CheckSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if db.Engine == sqldb.SQLite {
			if len(got) != 0 {
				t.Fatalf("SQLite: %q", got)
			}
			return
		}
		raw, err := sql.Open("pgx", db.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		var wal string
		if err := raw.QueryRowContext(ctx, `SELECT setting FROM pg_settings WHERE name = 'max_wal_size'`).Scan(&wal); err != nil {
			t.Fatal(err)
		}
		mb, _ := strconv.Atoi(wal) // in MB
		warned := len(got) > 0 && strings.Contains(got[0], "max_wal_size")
		if (mb < sqldb.AdviceMaxWALSizeMB) != warned {
			t.Fatalf("max_wal_size %s MB, advice %q", wal, got)
		}
	})
}
