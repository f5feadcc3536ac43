package sqldb_test

import (
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// orderFixture is the supply fixture with the shop's catalogue: rice
// (limit 2, stock 5) and greens (stock 50).
type orderFixture struct {
	*supplyFixture
	orders       *sqldb.OrderService
	rice, greens *frontline.CatalogItem
}

func newOrders(t *testing.T, db *sqldb.DB) *orderFixture {
	t.Helper()
	f := &orderFixture{supplyFixture: newSupply(t, db), orders: sqldb.NewOrderService(db)}
	rows := catalogRows(frontline.CatalogItem{Code: "1001", Name: "大米", Spec: "5kg", Unit: "袋", Price: 3990, Stock: 5, Limit: 2},
		frontline.CatalogItem{Code: "1002", Name: "青菜", Unit: "斤", Price: 350, Stock: 50})
	if _, err := f.partners.ImportCatalog(f.ctx, f.shop.ID, rows, false); err != nil {
		t.Fatal(err)
	}
	items, err := f.partners.Catalog(f.ctx, f.shop.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Code == "1001" {
			f.rice = it
		} else {
			f.greens = it
		}
	}
	return f
}

func (f *orderFixture) stock(t *testing.T, id int64) int {
	t.Helper()
	return count(t, f.db, `SELECT stock FROM supply_items WHERE id = ?`, id)
}

// TestOrderByLink: a household orders through its own link; the limit per
// household a day and the stock hold, a retry with the same key orders
// once, a paused window refuses, and a replaced link stops working.
func TestOrderByLink(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newOrders(t, db)
		hh := f.tr.hh[2]
		if _, _, err := f.orders.CreateOrderLink(as(frontline.RoleCommunitySecretary, f.tr.comm1), hh.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a link of another community's household: %v", err)
		}
		_, secret, err := f.orders.CreateOrderLink(f.ctx, hh.ID)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.orders.OrderLinkView(f.ctx, secret)
		if err != nil || len(v.Partners) != 2 || len(v.Catalogs[f.shop.ID]) != 2 || v.DeliveryDay != "2022-03-30" {
			t.Fatalf("view: %+v, %v", v, err)
		}
		req := frontline.OrderRequest{PartnerID: f.shop.ID, Quantities: map[int64]int{f.rice.ID: 2, f.greens.ID: 3}, Key: "k1"}
		o, err := f.orders.OrderByLink(f.ctx, secret, req)
		if err != nil || o.Status != frontline.OrderPlaced || o.Total != 2*3990+3*350 || o.Source != frontline.SourceLink || o.HouseholdID != hh.ID {
			t.Fatalf("order: %+v, %v", o, err)
		}
		again, err := f.orders.OrderByLink(f.ctx, secret, req)
		if err != nil || again.ID != o.ID || f.stock(t, f.rice.ID) != 3 {
			t.Fatalf("a retry: %+v, %v; rice left %d", again, err, f.stock(t, f.rice.ID))
		}
		more := frontline.OrderRequest{PartnerID: f.shop.ID, Quantities: map[int64]int{f.rice.ID: 1}, Key: "k2"}
		if _, err := f.orders.OrderByLink(f.ctx, secret, more); frontline.ErrorCode(err) != frontline.EINVALID || !strings.Contains(err.Error(), "at most 2") {
			t.Fatalf("over the limit: %v", err)
		}
		other := frontline.OrderRequest{HouseholdID: f.tr.hh[3].ID, PartnerID: f.shop.ID, Quantities: map[int64]int{f.rice.ID: 2}}
		if _, err := f.orders.PlaceOrder(f.ctx, other); err != nil {
			t.Fatal(err)
		}
		third := mustPlace(t, db, f.tr.bld2.ID, frontline.KindHousehold, "103")
		short := frontline.OrderRequest{HouseholdID: third.ID, PartnerID: f.shop.ID, Quantities: map[int64]int{f.rice.ID: 2}}
		if _, err := f.orders.PlaceOrder(f.ctx, short); frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(err.Error(), "only 1") {
			t.Fatalf("out of stock: %v", err)
		}
		if err := f.partners.SetOrderWindow(f.ctx, &frontline.OrderWindow{PlaceID: f.tr.comp2.ID, Cutoff: 20 * 60, DeliveryDays: 1, Closed: true}); err != nil {
			t.Fatal(err)
		}
		req.Key = "k3"
		req.Quantities = map[int64]int{f.greens.ID: 1}
		if _, err := f.orders.OrderByLink(f.ctx, secret, req); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a paused window: %v", err)
		}
		if _, _, err := f.orders.CreateOrderLink(f.ctx, hh.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.orders.OrderLinkView(f.ctx, secret); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a replaced link: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'supply_order' AND actor LIKE 'household:link-%'`); n != 1 {
			t.Errorf("%d orders audited as the link's", n)
		}
	})
}

// TestOrderOnBehalf: staff order for a household of their scope, the shop
// sees the order, marks it paid; a cancelled order returns its stock.
func TestOrderOnBehalf(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newOrders(t, db)
		grid := as(frontline.RoleGridWorker, f.tr.comp2)
		o, err := f.orders.PlaceOrder(grid, frontline.OrderRequest{HouseholdID: f.tr.hh[2].ID, PartnerID: f.shop.ID,
			Quantities: map[int64]int{f.greens.ID: 4}, Note: "老人独居，请送到门口"})
		if err != nil || o.Source != frontline.SourceStaff || o.Total != 1400 {
			t.Fatalf("on behalf: %+v, %v", o, err)
		}
		if _, err := f.orders.PlaceOrder(grid, frontline.OrderRequest{HouseholdID: f.tr.hh[0].ID, PartnerID: f.shop.ID,
			Quantities: map[int64]int{f.greens.ID: 1}}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a household outside the scope: %v", err)
		}
		if _, err := f.orders.PlaceOrder(f.ctx, frontline.OrderRequest{HouseholdID: f.tr.hh[2].ID, PartnerID: f.pharmacy.ID,
			Quantities: map[int64]int{f.greens.ID: 1}}); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Fatalf("another partner's item: %v", err)
		}
		shopCtx := asUser(f.shopUser, f.tr.comm2)
		list, n, err := f.orders.FindOrders(shopCtx, frontline.OrderFilter{PartnerID: &f.shop.ID})
		if err != nil || n != 1 || list[0].Address != "忠义巷小区/2号楼/101" || list[0].Building != "2号楼" || len(list[0].Lines) != 1 {
			t.Fatalf("the shop's orders: %+v (%d), %v", list, n, err)
		}
		if o, err := f.orders.SetPaid(shopCtx, o.ID, true); err != nil || !o.Paid {
			t.Fatalf("paid: %+v, %v", o, err)
		}
		if _, n, _ := f.orders.FindOrders(f.ctx, frontline.OrderFilter{Unpaid: true}); n != 0 {
			t.Errorf("%d unpaid", n)
		}
		if _, n, _ := f.orders.FindOrders(as(frontline.RoleCommunitySecretary, f.tr.comm1), frontline.OrderFilter{}); n != 0 {
			t.Errorf("another community sees %d orders", n)
		}
		if _, err := f.orders.CancelOrder(f.ctx, o.ID, "不要了"); err != nil {
			t.Fatal(err)
		}
		if f.stock(t, f.greens.ID) != 50 {
			t.Errorf("stock after the cancel: %d", f.stock(t, f.greens.ID))
		}
	})
}

// TestOrderGroup: a building's leader gathers drafts that reserve nothing,
// and sends them at once; a household over the stock refuses the whole
// group, named; once fixed, the group goes out.
func TestOrderGroup(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newOrders(t, db)
		leader := as(frontline.RoleVolunteer, f.tr.bld2)
		g := &frontline.OrderGroup{PartnerID: f.shop.ID, PlaceID: f.tr.bld2.ID, Leader: "2号楼楼长"}
		if err := f.orders.CreateGroup(leader, g); err != nil {
			t.Fatal(err)
		}
		var drafts []*frontline.Order
		for _, hh := range f.tr.hh[2:4] {
			o, err := f.orders.PlaceOrder(leader, frontline.OrderRequest{HouseholdID: hh.ID, PartnerID: f.shop.ID, GroupID: g.ID,
				Quantities: map[int64]int{f.rice.ID: 2, f.greens.ID: 1}})
			if err != nil || o.Status != frontline.OrderDraft {
				t.Fatalf("draft: %+v, %v", o, err)
			}
			drafts = append(drafts, o)
		}
		if f.stock(t, f.rice.ID) != 5 {
			t.Fatalf("drafts reserved stock: %d", f.stock(t, f.rice.ID))
		}
		third := mustPlace(t, db, f.tr.bld2.ID, frontline.KindHousehold, "103")
		if _, err := f.orders.PlaceOrder(leader, frontline.OrderRequest{HouseholdID: third.ID, PartnerID: f.shop.ID, GroupID: g.ID,
			Quantities: map[int64]int{f.rice.ID: 2}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.orders.SendGroup(leader, g.ID); frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(err.Error(), "2号楼/103") {
			t.Fatalf("a group over the stock: %v", err)
		}
		if f.stock(t, f.rice.ID) != 5 {
			t.Fatalf("a refused group reserved stock: %d", f.stock(t, f.rice.ID))
		}
		if _, err := f.orders.CancelOrder(leader, drafts[1].ID, "楼长代取消"); err != nil {
			t.Fatal(err)
		}
		sent, err := f.orders.SendGroup(leader, g.ID)
		if err != nil || sent.SentAt.IsZero() || len(sent.Orders) != 2 || sent.Orders[0].Status != frontline.OrderPlaced {
			t.Fatalf("sent: %+v, %v", sent, err)
		}
		if f.stock(t, f.rice.ID) != 1 {
			t.Errorf("rice left %d", f.stock(t, f.rice.ID))
		}
		if _, err := f.orders.PlaceOrder(leader, frontline.OrderRequest{HouseholdID: f.tr.hh[2].ID, PartnerID: f.shop.ID, GroupID: g.ID,
			Quantities: map[int64]int{f.greens.ID: 1}}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("added to a sent group: %v", err)
		}
	})
}
