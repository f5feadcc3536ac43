package sqldb_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestMigrate_CaseMeasures replays migration 0037, which rebuilds the
// measures table on SQLite, on a database with a campaign's measures,
// their follow-ups and a self-report link: every row survives, the
// foreign keys still hold (SQLite's check finds nothing), and a follow-up
// still reaches its measure.
func TestMigrate_CaseMeasures(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	s := newScreening(t, db)
	m := s.isolate(t, as(frontline.RoleGridWorker, s.tr.comp1))
	if _, _, err := sqldb.NewFollowUpService(db).CreateSelfReportLink(as(frontline.RoleGridWorker, s.tr.comp1), m.ID); err != nil {
		t.Fatal(err)
	}
	fx := s.c.ID
	before := countRows(t, db, "screening_measures", "screening_followups")
	if before[0] == 0 || before[1] == 0 {
		t.Fatalf("the fixture made no measures: %v", before)
	}
	tx, err := db.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP INDEX retest_tasks_awaiting`, `ALTER TABLE measure_rules DROP COLUMN contacts`,
		`DELETE FROM schema_migrations WHERE name = '0037_case_measures.sql'`} {
		if _, err := tx.Tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if after := countRows(t, db, "screening_measures", "screening_followups"); after != before {
		t.Fatalf("rows before %v, after %v", before, after)
	}
	tx, err = db.BeginReadTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Fatal("foreign keys broken after the rebuild")
	}
	rows.Close()
	items, _, err := sqldb.NewFollowUpService(db).FindFollowUps(ctx, frontline.FollowUpItemFilter{CampaignID: &fx})
	if err != nil || len(items) != before[1] {
		t.Fatalf("follow-ups after the rebuild: %d of %d, %v", len(items), before[1], err)
	}
}

func countRows(t *testing.T, db *sqldb.DB, tables ...string) [2]int {
	t.Helper()
	var out [2]int
	tx, err := db.BeginReadTx(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for i, tb := range tables {
		if err := tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+tb).Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
