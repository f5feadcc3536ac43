package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestZoneLevels checks the pool policy's view of the zones: a household
// under a sealed compound is sealed, one elsewhere is in no zone.
func TestZoneLevels(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "test"})
	places := sqldb.NewPlaceService(db)
	sum, err := demo.Build(ctx, demo.Config{Residents: 300}, places, sqldb.NewImportService(db))
	if err != nil {
		t.Fatal(err)
	}
	zones := sqldb.NewZoneService(db)
	sealed, err := zones.SetZone(ctx, &frontline.Zone{PlaceID: sum.Zhongyixiang.ID, Level: frontline.LevelSealed, Reason: "阳性病例"})
	if err != nil {
		t.Fatal(err)
	}
	household := frontline.KindHousehold
	inside, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &sum.Zhongyixiang.ID, Kind: &household, Limit: 1})
	if err != nil || len(inside) == 0 {
		t.Fatalf("a household of the sealed compound: %v", err)
	}
	outside, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &sum.Zaoyuan.ID, Kind: &household, Limit: 1})
	if err != nil || len(outside) == 0 {
		t.Fatalf("a household elsewhere: %v", err)
	}
	lookup := zoneLevels(zones, slog.New(slog.DiscardHandler), 50*time.Millisecond)
	homes := map[int64]string{inside[0].ID: inside[0].Path, outside[0].ID: outside[0].Path}
	levels, err := lookup(ctx, homes)
	if err != nil {
		t.Fatal(err)
	}
	if levels[inside[0].ID] != "sealed" || levels[outside[0].ID] != "" {
		t.Fatalf("levels %v", levels)
	}
	// The zone is lifted: the lookup answers from the list it has while it
	// reads the new one, then follows.
	if _, err := zones.StepDownZone(ctx, sealed.Zone.ID, frontline.StepDown{Lift: true, Override: true, Reason: "解封"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(60 * time.Millisecond)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if levels, err = lookup(ctx, homes); err != nil {
			t.Fatal(err)
		}
		if levels[inside[0].ID] == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lifted zone is still seen: %v", levels)
		}
	}
}
