package sqldb_test

import (
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestOrderFill: the shop's pick list of the day groups orders by compound
// and building and totals what to pack; the shop packs one rice of two
// and puts flour in place of the other; the household refuses the flour
// through its link, which goes back to stock and out of the amount; the
// packed orders are handed over at the gate and counted there.
func TestOrderFill(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newOrders(t, db)
		flourRows := catalogRows(frontline.CatalogItem{Code: "1003", Name: "面粉", Spec: "5kg", Unit: "袋", Price: 2980, Stock: 10})
		if _, err := f.partners.ImportCatalog(f.ctx, f.shop.ID, flourRows, false); err != nil {
			t.Fatal(err)
		}
		items, _ := f.partners.Catalog(f.ctx, f.shop.ID, false)
		var flour *frontline.CatalogItem
		for _, it := range items {
			if it.Code == "1003" {
				flour = it
			}
		}
		_, secret, err := f.orders.CreateOrderLink(f.ctx, f.tr.hh[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		o, err := f.orders.OrderByLink(f.ctx, secret, frontline.OrderRequest{PartnerID: f.shop.ID,
			Quantities: map[int64]int{f.rice.ID: 2, f.greens.ID: 3}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := f.orders.PlaceOrder(f.ctx, frontline.OrderRequest{HouseholdID: f.tr.hh[3].ID, PartnerID: f.shop.ID,
			Quantities: map[int64]int{f.greens.ID: 1}})
		if err != nil {
			t.Fatal(err)
		}
		shopCtx := asUser(f.shopUser, f.tr.comm2)
		pl, err := f.orders.PickList(shopCtx, f.shop.ID, o.DeliveryDay)
		if err != nil || len(pl.Compounds) != 1 || pl.Compounds[0].Name != "忠义巷小区" || len(pl.Compounds[0].Buildings) != 1 ||
			len(pl.Compounds[0].Buildings[0].Orders) != 2 || len(pl.Totals) != 2 {
			t.Fatalf("pick list: %+v, %v", pl, err)
		}
		for _, tot := range pl.Totals {
			if tot.ItemID == f.greens.ID && tot.Quantity != 4 {
				t.Errorf("greens to pack: %d", tot.Quantity)
			}
		}
		rice, greens := o.Lines[0], o.Lines[1]
		if rice.ItemID != f.rice.ID {
			rice, greens = greens, rice
		}
		bad := []frontline.LineFill{{LineID: rice.ID, Filled: 3}, {LineID: greens.ID, Filled: 3}}
		if _, err := f.orders.FillOrder(shopCtx, o.ID, bad); frontline.ErrorField(err) != "filled" {
			t.Fatalf("more packed than ordered: %v", err)
		}
		fills := []frontline.LineFill{{LineID: rice.ID, Filled: 1, SubstituteID: flour.ID, SubQuantity: 1}, {LineID: greens.ID, Filled: 3}}
		packed, err := f.orders.FillOrder(shopCtx, o.ID, fills)
		if err != nil || packed.Status != frontline.OrderPacked || packed.Total != 3990+2980+3*350 {
			t.Fatalf("packed: %+v, %v", packed, err)
		}
		if f.stock(t, f.rice.ID) != 4 || f.stock(t, flour.ID) != 9 {
			t.Fatalf("stock after the fill: rice %d, flour %d", f.stock(t, f.rice.ID), f.stock(t, flour.ID))
		}
		answered, err := f.orders.AnswerSubstitute(f.ctx, secret, rice.ID, false)
		if err != nil || answered.Total != 3990+3*350 {
			t.Fatalf("refused: %+v, %v", answered, err)
		}
		if f.stock(t, flour.ID) != 10 {
			t.Errorf("a refused substitute's stock: %d", f.stock(t, flour.ID))
		}
		if _, err := f.orders.AnswerSubstitute(f.ctx, secret, greens.ID, true); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("an answer to no substitute: %v", err)
		}
		if _, err := f.orders.FillOrder(shopCtx, other.ID, []frontline.LineFill{{LineID: other.Lines[0].ID, Filled: 1}}); err != nil {
			t.Fatal(err)
		}
		n, err := f.orders.HandOver(shopCtx, f.shop.ID, f.tr.comp2.ID, o.DeliveryDay)
		if err != nil || n != 2 {
			t.Fatalf("handed over %d, %v", n, err)
		}
		counts, err := f.orders.GateCounts(as(frontline.RoleGridWorker, f.tr.comp2), f.tr.comp2.ID, o.DeliveryDay)
		if err != nil || len(counts) != 1 || counts[0].AtGate != 2 {
			t.Fatalf("gate: %+v, %v", counts, err)
		}
		if _, err := f.orders.FillOrder(shopCtx, o.ID, fills); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("filled at the gate: %v", err)
		}
	})
}
