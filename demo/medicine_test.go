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

// TestMedicineDemo: 自治巷药房 has open requests after the demo, one chronic
// request past its target (the job alerts it once) and one waiting for a
// consultation; the store's clock is the wall's again afterwards.
func TestMedicineDemo(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	if _, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db)); err != nil {
		t.Fatal(err)
	}
	partners := sqldb.NewPartnerService(db)
	if _, err := demo.Supply(ctx, demo.SupplyServices{Places: places, Partners: partners, Orders: sqldb.NewOrderService(db)}, time.Now()); err != nil {
		t.Fatal(err)
	}
	med := sqldb.NewMedicineService(db)
	wall := db.Now
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	rs, err := demo.Medicine(ctx, demo.MedicineServices{Places: places, Partners: partners, Medicine: med, At: func(at time.Time) {
		if at.IsZero() {
			db.Now = wall
		} else {
			db.Now = func() time.Time { return at }
		}
	}}, now)
	if err != nil || len(rs) != 4 {
		t.Fatalf("%d requests, %v", len(rs), err)
	}
	if !rs[0].Late(now) || rs[1].Late(now) {
		t.Errorf("late: %v %v", rs[0].Late(now), rs[1].Late(now))
	}
	db.Now = func() time.Time { return now }
	if n, err := med.AlertLateMedicine(ctx); err != nil || n != 1 {
		t.Errorf("%d alerts, %v", n, err)
	}
	c, err := med.FindMedicineRequestByID(ctx, rs[2].ID)
	if err != nil || c.Status != frontline.MedicineConsultation {
		t.Errorf("consultation: %+v, %v", c, err)
	}
}
