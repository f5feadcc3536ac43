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

// TestOrderDemo: the demo's 忠义巷小区 orders from its supermarket and its
// pharmacy, whose logins see their orders, and 1号楼's group order is sent.
func TestOrderDemo(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	if _, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db)); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.CreateLogins(ctx, places, sqldb.NewUserService(db, frontline.DefaultLoginPolicy)); err != nil {
		t.Fatal(err)
	}
	orders := sqldb.NewOrderService(db)
	sc, err := demo.Supply(ctx, demo.SupplyServices{Places: places, Partners: sqldb.NewPartnerService(db), Orders: orders}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Orders) < 5 || sc.Group == nil {
		t.Fatalf("%d orders, group %+v", len(sc.Orders), sc.Group)
	}
	for _, p := range []*frontline.Partner{sc.Shop, sc.Pharmacy} {
		_, n, err := orders.FindOrders(ctx, frontline.OrderFilter{PartnerID: &p.ID, Status: []frontline.OrderStatus{frontline.OrderPlaced}})
		if err != nil || n == 0 {
			t.Errorf("%s has %d placed orders, %v", p.Name, n, err)
		}
	}
	g, err := orders.FindGroupByID(ctx, sc.Group.ID)
	if err != nil || g.SentAt.IsZero() || len(g.Orders) == 0 {
		t.Fatalf("group %+v, %v", g, err)
	}
}
