package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// readOnly returns a second handle on db's database that refuses writes:
// on SQLite its writer is query_only (as a read-only file answers), on
// PostgreSQL its transactions are read-only (as a standby answers).
func readOnly(t *testing.T, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	url := db.URL
	if db.Engine == sqldb.Postgres {
		url += "&default_transaction_read_only=on"
	}
	ro, err := sqldb.Open(ctx, url, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	if db.Engine == sqldb.SQLite {
		tx, err := ro.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return ro
}

// TestOutage_ReadOnly writes to a database that refuses writes, on both
// engines: the write probe and a service's write are EUNAVAILABLE, saying
// the database is read-only, while reads still answer.
func TestOutage_ReadOnly(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		if err := db.ProbeWrite(ctx); err != nil {
			t.Fatalf("probe of a writable database: %v", err)
		}
		ro := readOnly(t, db)
		err := ro.ProbeWrite(ctx)
		if frontline.ErrorCode(err) != frontline.EUNAVAILABLE || !strings.Contains(frontline.ErrorMessage(err), "read-only") {
			t.Fatalf("probe of a read-only database: %v", err)
		}
		err = sqldb.NewPlaceService(ro).CreatePlace(ctx, &frontline.Place{ParentID: tr.comp1.ID, Kind: frontline.KindBuilding, Name: "9号楼"})
		if frontline.ErrorCode(err) != frontline.EUNAVAILABLE {
			t.Fatalf("a write to a read-only database: %v", err)
		}
		if _, n, err := sqldb.NewPlaceService(ro).FindPlaces(ctx, frontline.PlaceFilter{Roots: true}); err != nil || n != 1 {
			t.Fatalf("a read of a read-only database: %v %d", err, n)
		}
		if err := db.ProbeWrite(ctx); err != nil {
			t.Fatalf("probe of the writable handle: %v", err)
		}
	})
}

// TestOutage_Full fills an SQLite database to its page limit, as a full
// disk does: a write that needs room is EUNAVAILABLE, saying the disk is
// full.
func TestOutage_Full(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := tx.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `PRAGMA max_page_count = `+itoa(pages+1)); err != nil {
		t.Fatal(err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO filler (b) VALUES (zeroblob(1048576))`)
	if frontline.ErrorCode(err) != frontline.EUNAVAILABLE || !strings.Contains(frontline.ErrorMessage(err), "disk is full") {
		t.Fatalf("a write past the limit: %v", err)
	}
}

func itoa(n int) string {
	var b []byte
	for ; n > 0 || len(b) == 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
