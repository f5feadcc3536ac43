package demo_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestRetention_Demo(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	rs := sqldb.NewRetentionService(db)
	ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "demo"})
	if _, err := demo.Retention(ctx, rs); err != nil {
		t.Fatal(err)
	}
	r, err := rs.Rules(ctx)
	if err != nil || r.Version != 1 || r.Days[frontline.RetainRounds] != 14 || r.Days[frontline.RetainCases] != 180 || r.Note != demo.RetentionNote {
		t.Fatalf("demo rules %+v, %v", r, err)
	}
}
