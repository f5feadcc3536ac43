package demo_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRegistryDemo: the demo has a person without a document, and 枣园小区
// a suspected duplicate pair of them, however often the demo runs.
func TestRegistryDemo(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	if _, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db)); err != nil {
		t.Fatal(err)
	}
	s := demo.RegistryServices{Places: places, Persons: sqldb.NewPersonService(db)}
	ps, err := demo.Registry(ctx, s)
	if err != nil || len(ps) != 2 || ps[0].IDType != frontline.IDNone || ps[0].HouseholdID == ps[1].HouseholdID {
		t.Fatalf("registry demo: %+v %v", ps, err)
	}
	if again, err := demo.Registry(ctx, s); err != nil || again[0].ID != ps[0].ID || again[1].ID != ps[1].ID {
		t.Fatalf("the demo again: %v", err)
	}
	zaoyuan, err := places.FindPlaceByPath(ctx, demo.PathZaoyuan)
	if err != nil {
		t.Fatal(err)
	}
	pairs, n, err := sqldb.NewDuplicateService(db).SuspectedDuplicates(ctx, zaoyuan.ID, 100)
	if err != nil || n != 1 || pairs[0].A.Name != "韩小宝" {
		t.Fatalf("suspected duplicates: %d %+v %v", n, pairs, err)
	}
}
