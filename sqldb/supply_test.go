package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// supplyFixture is the tree with a supermarket and a pharmacy registered
// at 自治巷社区 serving 忠义巷小区, each with its user, asked as the
// community's secretary.
type supplyFixture struct {
	db       *sqldb.DB
	tr       *tree
	ctx      context.Context
	partners *sqldb.PartnerService
	shop     *frontline.Partner
	pharmacy *frontline.Partner
	shopUser *frontline.User
	advance  func(time.Duration)
}

func newSupply(t *testing.T, db *sqldb.DB) *supplyFixture {
	t.Helper()
	f := &supplyFixture{db: db, tr: buildTree(t, db), advance: clock(db), partners: sqldb.NewPartnerService(db)}
	f.ctx = as(frontline.RoleCommunitySecretary, f.tr.comm2)
	f.shop = &frontline.Partner{Kind: frontline.PartnerShop, Name: "自治巷超市", Phone: "13900000001", PlaceID: f.tr.comm2.ID,
		Areas: []int64{f.tr.comp2.ID}}
	f.pharmacy = &frontline.Partner{Kind: frontline.PartnerPharmacy, Name: "自治巷药房", PlaceID: f.tr.comm2.ID}
	for _, p := range []*frontline.Partner{f.shop, f.pharmacy} {
		if err := f.partners.CreatePartner(f.ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	users := userService(db)
	f.shopUser = mustUser(t, users, "shop1", frontline.RoleShop, f.tr.comm2)
	if err := f.partners.LinkPartnerUser(f.ctx, f.shop.ID, "shop1"); err != nil {
		t.Fatal(err)
	}
	return f
}

// asUser is the context of a user of role at node.
func asUser(u *frontline.User, node *frontline.Place) context.Context {
	return frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: u.ID, Login: u.Login, Role: u.Role,
		ScopeID: node.ID, ScopePath: node.Path, Addr: "10.0.0.2"})
}

// catalogRows are a shop's list as a file gives it.
func catalogRows(items ...frontline.CatalogItem) []frontline.CatalogRow {
	out := make([]frontline.CatalogRow, len(items))
	for i, it := range items {
		out[i] = frontline.CatalogRow{Row: i + 2, Item: it, Columns: map[string]string{"name": "B (品名)", "price": "F (单价)"}}
	}
	return out
}

// TestOrderPartners registers partners within the scope, links only users
// of the partner's role, finds the partners serving a household, and
// keeps a shop's user to its own partner.
func TestOrderPartners(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newSupply(t, db)
		if f.shop.ID == 0 || f.pharmacy.Areas[0] != f.tr.comm2.ID {
			t.Fatalf("created: %+v %+v", f.shop, f.pharmacy)
		}
		dup := &frontline.Partner{Kind: frontline.PartnerShop, Name: "自治巷超市", PlaceID: f.tr.comm2.ID}
		if err := f.partners.CreatePartner(f.ctx, dup); frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "name" {
			t.Fatalf("the same name twice: %v", err)
		}
		away := &frontline.Partner{Kind: frontline.PartnerShop, Name: "别处超市", PlaceID: f.tr.comm1.ID}
		if err := f.partners.CreatePartner(f.ctx, away); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a partner outside the scope: %v", err)
		}
		if err := f.partners.LinkPartnerUser(f.ctx, f.pharmacy.ID, "shop1"); frontline.ErrorField(err) != "login" {
			t.Fatalf("a shop's user linked to a pharmacy: %v", err)
		}
		serving, _, err := f.partners.FindPartners(f.ctx, frontline.PartnerFilter{Serving: &f.tr.hh[2].ID})
		if err != nil || len(serving) != 2 {
			t.Fatalf("partners serving a household of 忠义巷小区: %v, %v", serving, err)
		}
		got, _ := f.partners.FindPartnerByID(f.ctx, f.shop.ID)
		if !slices.Equal(got.Logins, []string{"shop1"}) || !slices.Equal(got.AreaNames, []string{"忠义巷小区"}) {
			t.Errorf("the shop: %+v", got)
		}
		mine, n, err := f.partners.FindPartners(asUser(f.shopUser, f.tr.comm2), frontline.PartnerFilter{})
		if err != nil || n != 1 || mine[0].ID != f.shop.ID {
			t.Fatalf("the shop's user sees %v (%d), %v", mine, n, err)
		}
		if _, err := f.partners.FindPartnerByID(asUser(f.shopUser, f.tr.comm2), f.pharmacy.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("the shop's user finds the pharmacy: %v", err)
		}
		if _, err := f.partners.FindPartnerByID(as(frontline.RoleCommunitySecretary, f.tr.comm1), f.shop.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community finds the shop: %v", err)
		}
		if _, _, err := f.partners.FindPartners(as(frontline.RoleVolunteer, f.tr.comm2), frontline.PartnerFilter{}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a volunteer lists partners: %v", err)
		}
		retired := true
		if _, err := f.partners.UpdatePartner(f.ctx, f.pharmacy.ID, frontline.PartnerUpdate{Retired: &retired}); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := f.partners.FindPartners(f.ctx, frontline.PartnerFilter{Serving: &f.tr.hh[2].ID}); n != 1 {
			t.Errorf("%d partners serve once the pharmacy retired", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity LIKE 'supply_partner%'`); n != 4 {
			t.Errorf("%d audit entries", n)
		}
	})
}

// TestOrderCatalogImport imports a catalogue all or nothing, by the
// partner's own user, updates items sent again instead of adding them, and
// keeps other partners' users out.
func TestOrderCatalogImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newSupply(t, db)
		shopCtx := asUser(f.shopUser, f.tr.comm2)
		rice := frontline.CatalogItem{Code: "1001", Name: "大米", Spec: "5kg", Unit: "袋", Price: 3990, Stock: 200, Limit: 2}
		greens := frontline.CatalogItem{Name: "青菜", Unit: "斤", Price: 350, Stock: 50}
		bad := catalogRows(rice, greens, frontline.CatalogItem{Name: "", Unit: "斤", Price: 100})
		res, err := f.partners.ImportCatalog(shopCtx, f.shop.ID, bad, false)
		if frontline.ErrorCode(err) != frontline.EINVALID || len(res.Errors) != 1 || res.Errors[0].Row != 4 || res.Errors[0].Column != "B (品名)" {
			t.Fatalf("a bad row: %+v, %v", res, err)
		}
		if items, _ := f.partners.Catalog(f.ctx, f.shop.ID, true); len(items) != 0 {
			t.Fatalf("a refused file left %d items", len(items))
		}
		if res, err = f.partners.ImportCatalog(shopCtx, f.shop.ID, catalogRows(rice, greens), false); err != nil || res.Added != 2 {
			t.Fatalf("import: %+v, %v", res, err)
		}
		rice.Price, rice.Name = 4200, "东北大米"
		if res, err = f.partners.ImportCatalog(shopCtx, f.shop.ID, catalogRows(rice), false); err != nil || res.Added != 0 || res.Updated != 1 {
			t.Fatalf("sent again: %+v, %v", res, err)
		}
		items, err := f.partners.Catalog(f.ctx, f.shop.ID, false)
		if err != nil || len(items) != 2 {
			t.Fatalf("catalogue: %v, %v", items, err)
		}
		if items[0].Code != "1001" {
			items[0], items[1] = items[1], items[0]
		}
		if items[0].Name != "东北大米" || items[0].Price != 4200 || items[0].Limit != 2 {
			t.Fatalf("rice: %+v", items[0])
		}
		stock := 0
		if it, err := f.partners.UpdateItem(shopCtx, items[0].ID, frontline.ItemUpdate{Stock: &stock}); err != nil || it.Stock != 0 {
			t.Fatalf("stock: %+v, %v", it, err)
		}
		pharm := mustUser(t, userService(db), "pharm1", frontline.RolePharmacy, f.tr.comm2)
		if err := f.partners.LinkPartnerUser(f.ctx, f.pharmacy.ID, "pharm1"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.partners.ImportCatalog(asUser(pharm, f.tr.comm2), f.shop.ID, catalogRows(greens), false); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("the pharmacy's user imports the shop's catalogue: %v", err)
		}
		if res, err := f.partners.ImportCatalog(f.ctx, f.shop.ID, catalogRows(frontline.CatalogItem{Name: "牛奶", Unit: "箱", Price: 6000}), true); err != nil || res.Added != 1 {
			t.Fatalf("dry run: %+v, %v", res, err)
		}
		if items, _ := f.partners.Catalog(f.ctx, f.shop.ID, true); len(items) != 2 {
			t.Fatalf("a dry run wrote: %d items", len(items))
		}
	})
}

// TestOrderWindows sets windows per node; a household takes the nearest,
// and the day an order arrives follows the cut-off.
func TestOrderWindows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newSupply(t, db)
		w, err := f.partners.WindowFor(f.ctx, f.tr.hh[2].ID)
		if err != nil || w.ID != 0 || w.Cutoff != 20*60 {
			t.Fatalf("default: %+v, %v", w, err)
		}
		for _, set := range []*frontline.OrderWindow{{PlaceID: f.tr.comm2.ID, Cutoff: 20 * 60, DeliveryDays: 1},
			{PlaceID: f.tr.comp2.ID, Cutoff: 18 * 60, DeliveryDays: 0}} {
			if err := f.partners.SetOrderWindow(f.ctx, set); err != nil {
				t.Fatal(err)
			}
		}
		again := &frontline.OrderWindow{PlaceID: f.tr.comp2.ID, Cutoff: 17 * 60, DeliveryDays: 0}
		if err := f.partners.SetOrderWindow(f.ctx, again); err != nil {
			t.Fatal(err)
		}
		w, err = f.partners.WindowFor(f.ctx, f.tr.hh[2].ID)
		if err != nil || w.PlaceID != f.tr.comp2.ID || w.CutoffText() != "17:00" {
			t.Fatalf("nearest: %+v, %v", w, err)
		}
		ws, err := f.partners.OrderWindows(f.ctx, f.tr.comm2.ID)
		if err != nil || len(ws) != 2 || ws[1].PlaceName != "忠义巷小区" {
			t.Fatalf("windows: %+v, %v", ws, err)
		}
		if err := f.partners.SetOrderWindow(f.ctx, &frontline.OrderWindow{PlaceID: f.tr.comp1.ID, Cutoff: 60}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a window outside the scope: %v", err)
		}
	})
}
