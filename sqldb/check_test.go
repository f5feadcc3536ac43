package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestDB_CheckCounts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		mustPerson(t, db, tr.hh[0].ID, "张三", true)
		assertCountsMatchRecount(t, db)
		// Break one count behind the services' back: the check must say so.
		tx, err := db.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE places SET residents = residents + 1 WHERE id = ?`, tr.comm1.ID); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		bad, err := db.CheckCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(bad) != 1 || !strings.Contains(bad[0], "罗玉新村社区") || !strings.Contains(bad[0], "residents 2/1") {
			t.Fatalf("CheckCounts = %q, want one line about 罗玉新村社区 residents 2/1", bad)
		}
	})
}
