package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestDeliveryDemo: the demo's run in 忠义巷小区 is under way, to the door
// (the compound is sealed), with doors delivered, one returned and one
// still out, and it is the zhongyi volunteer's own run.
func TestDeliveryDemo(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	if _, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db)); err != nil {
		t.Fatal(err)
	}
	users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
	if _, err := demo.CreateLogins(ctx, places, users); err != nil {
		t.Fatal(err)
	}
	if _, err := sqldb.NewZoneService(db).SetZone(ctx, &frontline.Zone{PlaceID: mustPath(t, places, demo.PathZhongyixiang), Level: frontline.LevelSealed, Reason: "demo"}); err != nil {
		t.Fatal(err)
	}
	orders := sqldb.NewOrderService(db)
	if _, err := demo.Supply(ctx, demo.SupplyServices{Places: places, Partners: sqldb.NewPartnerService(db), Orders: orders}, time.Now()); err != nil {
		t.Fatal(err)
	}
	runs := sqldb.NewDeliveryService(db)
	run, err := demo.Delivery(ctx, demo.DeliveryServices{Places: places, Users: users, Workers: sqldb.NewWorkerService(db), Orders: orders,
		Deliveries: runs}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != frontline.RunOpen || run.Counts.Out != 1 || run.Counts.Returned != 1 || run.Counts.Delivered == 0 {
		t.Fatalf("run: %+v", run.Counts)
	}
	for _, p := range run.Parcels {
		if p.Status != frontline.ParcelReturned && p.Drop != frontline.DropDoor {
			t.Errorf("%s %s goes to %q, not the door of a sealed compound", p.Building, p.Door, p.Drop)
		}
	}
	login := demo.DeliveryLogin
	us, _, err := users.FindUsers(ctx, frontline.UserFilter{Login: &login})
	if err != nil || len(us) != 1 {
		t.Fatal(us, err)
	}
	vol := frontline.WithPrincipal(ctx, &frontline.Principal{UserID: us[0].ID, Login: login, Role: us[0].Role, ScopeID: us[0].ScopeID,
		ScopePath: mustPathOf(t, places, us[0].ScopeID)})
	mine, err := runs.FindRuns(vol, frontline.RunFilter{Mine: true, Status: frontline.RunOpen})
	if err != nil || len(mine) != 1 || mine[0].ID != run.ID {
		t.Fatalf("the volunteer's runs: %+v, %v", mine, err)
	}
}

func mustPath(t *testing.T, places *sqldb.PlaceService, path string) int64 {
	t.Helper()
	p, err := places.FindPlaceByPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func mustPathOf(t *testing.T, places *sqldb.PlaceService, id int64) string {
	t.Helper()
	p, err := places.FindPlaceByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Path
}
