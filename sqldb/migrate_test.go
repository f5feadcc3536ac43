package sqldb_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestDB_Migrate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		pending, err := db.Pending(ctx)
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending %v, %v", pending, err)
		}
	})
}

func TestAuditLog_AppendOnly(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "auditor"})
		tr := buildTree(t, db)
		if err := sqldb.NewAuditService(db).Record(ctx, &frontline.Change{Action: "export_full", Entity: "place", EntityID: tr.city.ID}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`} {
			tx, err := db.BeginTx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tx.ExecContext(ctx, q)
			tx.Rollback()
			if err == nil {
				t.Errorf("%s succeeded on the append-only audit log", q)
			}
		}
	})
}
