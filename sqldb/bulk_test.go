package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// indexNames lists the indexes of the registry tables.
func indexNames(tb testing.TB, db *sqldb.DB) []string {
	tb.Helper()
	q := `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('places', 'persons')`
	if db.Engine == sqldb.SQLite {
		q = `SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('places', 'persons')`
	}
	ctx := context.Background()
	tx, err := db.BeginReadTx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// TestImportService_Bulk imports enough rows into an empty registry that
// SQLite drops and rebuilds the indexes; they must all be back, and still
// enforce uniqueness.
func TestImportService_Bulk(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 60,000 rows")
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		before := indexNames(t, db)
		const n = 60_000
		rows := make([]frontline.ResidentRow, n)
		day := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range rows {
			first := "620502" + day.AddDate(0, 0, i/400).Format("20060102") + fmt.Sprintf("%03d", i%400)
			rows[i] = row(i+2, "大楼小区", fmt.Sprint(i/600+1), "", fmt.Sprint(i/3), "居民", first+string(frontline.IDCheckDigit(first)))
		}
		res, err := sqldb.NewImportService(db).ImportResidents(ctx, residentFile(rows...), frontline.ImportOptions{Under: tr.sub.ID})
		if err != nil || res.Imported != n {
			t.Fatalf("import: %v %+v", err, res)
		}
		if after := indexNames(t, db); !slices.Equal(before, after) {
			t.Fatalf("indexes after a bulk import %v, before %v", after, before)
		}
		dup := &frontline.Person{HouseholdID: tr.hh[0].ID, Name: "重复", IDNumber: rows[n-1].Person.IDNumber}
		if err := sqldb.NewPersonService(db).CreatePerson(ctx, dup); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("duplicate after bulk import: err = %v, want ECONFLICT", err)
		}
		// And the rebuilt unique index itself refuses a second copy.
		tx, err := db.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO persons (household_id, name, id_type, id_number, id_tail, status, created_at, created_by, updated_at, updated_by)
			SELECT household_id, name, id_type, id_number, id_tail, status, created_at, created_by, updated_at, updated_by FROM persons WHERE id_number = ?`, dup.IDNumber)
		tx.Rollback()
		if frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("raw duplicate insert after bulk import: err = %v, want ECONFLICT", err)
		}
		if c := place(t, db, tr.sub.ID); c.Residents != n {
			t.Fatalf("subdistrict residents %d, want %d", c.Residents, n)
		}
		assertCountsMatchRecount(t, db)
	})
}
