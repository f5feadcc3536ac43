package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withOrders gives a server the supply and order services of db.
func withOrders(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		s.Partners, s.Orders = sqldb.NewPartnerService(db), sqldb.NewOrderService(db)
	}
}

// orderScene is a shop serving 忠义巷小区 with rice (limit 2) and greens.
type orderScene struct {
	shop         *frontline.Partner
	rice, greens *frontline.CatalogItem
}

func newOrderScene(tb testing.TB, db *sqldb.DB, f *fixture) *orderScene {
	tb.Helper()
	ctx := context.Background()
	partners := sqldb.NewPartnerService(db)
	sc := &orderScene{shop: &frontline.Partner{Kind: frontline.PartnerShop, Name: "自治巷超市", PlaceID: f.comm2.ID, Areas: []int64{f.comp2.ID}}}
	if err := partners.CreatePartner(ctx, sc.shop); err != nil {
		tb.Fatal(err)
	}
	rows := []frontline.CatalogRow{{Row: 2, Item: frontline.CatalogItem{Code: "1", Name: "大米", Spec: "5kg", Unit: "袋", Price: 3990, Stock: 20, Limit: 2}},
		{Row: 3, Item: frontline.CatalogItem{Code: "2", Name: "青菜", Unit: "斤", Price: 350, Stock: 100}}}
	if _, err := partners.ImportCatalog(ctx, sc.shop.ID, rows, false); err != nil {
		tb.Fatal(err)
	}
	items, err := partners.Catalog(ctx, sc.shop.ID, false)
	if err != nil {
		tb.Fatal(err)
	}
	for _, it := range items {
		if it.Code == "1" {
			sc.rice = it
		} else {
			sc.greens = it
		}
	}
	return sc
}

var formTokenInput = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

var orderLinkInput = regexp.MustCompile(`value="(http://[^"]+/order\?t=[^"]+)"`)

// TestOrderPages: a grid worker makes a household's link and orders on its
// behalf; the household orders through its link (over its limit refused
// with the reason); the orders list shows both and marks one paid; a
// building's group order gathers two households and is sent.
func TestOrderPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		sc := newOrderScene(t, db, f)
		ts := newDBServer(t, db, withOrders(db))
		grid := ts.as(t, frontline.RoleGridWorker, f.comp2)
		hh := f.hh[2]
		resp, body := grid.get(t, fmt.Sprintf("/households/%d/order", hh.ID))
		if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="order-item"`) != 2 {
			t.Fatalf("order page: %d %s", resp.StatusCode, body)
		}
		resp, body = grid.postForm(t, fmt.Sprintf("/households/%d/order-link", hh.ID), nil)
		m := orderLinkInput.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("link: %d %s", resp.StatusCode, body)
		}
		link, _ := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
		token := link.Query().Get("t")
		resp, _ = grid.postForm(t, fmt.Sprintf("/households/%d/order", hh.ID), url.Values{"partner": {itoa(sc.shop.ID)},
			"q." + itoa(sc.greens.ID): {"2"}, "note": {"送到门口"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("on behalf: %d", resp.StatusCode)
		}

		resident := ts.anonymous()
		resp, body = resident.get(t, "/order?t="+url.QueryEscape(token))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "大米") || strings.Contains(body, "赵强") || !strings.Contains(body, `data-testid="order-window"`) {
			t.Fatalf("the household's page: %d %s", resp.StatusCode, body)
		}
		over := url.Values{"t": {token}, "partner": {itoa(sc.shop.ID)}, "q." + itoa(sc.rice.ID): {"3"}}
		if resp, body := resident.postForm(t, "/order", over); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="order-error"`) {
			t.Fatalf("over the limit: %d %s", resp.StatusCode, body)
		}
		_, page := resident.get(t, "/order?t="+url.QueryEscape(token))
		tok := formTokenInput.FindStringSubmatch(page)
		if tok == nil {
			t.Fatal("no form token on the household's page")
		}
		ok := url.Values{"t": {token}, "partner": {itoa(sc.shop.ID)}, "q." + itoa(sc.rice.ID): {"2"}, "form_token": {tok[1]}}
		resp, body = resident.postForm(t, "/order", ok)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="order-placed"`) || !strings.Contains(body, "79.80") {
			t.Fatalf("ordered: %d %s", resp.StatusCode, body)
		}
		resident.postForm(t, "/order", ok) // sent twice
		if resp, _ := resident.get(t, "/order?t=nonsense-nonsense-nonsense"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a bad link: %d", resp.StatusCode)
		}

		_, body = grid.get(t, fmt.Sprintf("/orders?place=%d", f.comp2.ID))
		if n := strings.Count(body, `data-testid="order-row"`); n != 2 {
			t.Fatalf("%d orders listed: %s", n, body)
		}
		list, _, err := sqldb.NewOrderService(db).FindOrders(context.Background(), frontline.OrderFilter{HouseholdID: &hh.ID})
		if err != nil || len(list) != 2 {
			t.Fatal(list, err)
		}
		if resp, _ := grid.postForm(t, fmt.Sprintf("/orders/%d/paid", list[0].ID), url.Values{"paid": {"1"}, "next": {"/orders"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("paid: %d", resp.StatusCode)
		}

		leader := ts.as(t, frontline.RoleVolunteer, f.bld2)
		resp, _ = leader.postForm(t, fmt.Sprintf("/groups?place=%d", f.bld2.ID), url.Values{"partner": {itoa(sc.shop.ID)}, "leader": {"2号楼楼长"}})
		gloc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(gloc, "/groups/") {
			t.Fatalf("group: %d", resp.StatusCode)
		}
		for _, h := range f.hh[2:4] {
			resp, body := leader.postForm(t, gloc+"/orders", url.Values{"household": {itoa(h.ID)}, "partner": {itoa(sc.shop.ID)},
				"q." + itoa(sc.greens.ID): {"1"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("group order of %s: %d %s", h.Name, resp.StatusCode, body)
			}
		}
		if resp, _ := leader.postForm(t, gloc+"/send", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("send: %d", resp.StatusCode)
		}
		_, body = leader.get(t, gloc)
		if strings.Count(body, `data-testid="order-row"`) != 2 || strings.Contains(body, `data-testid="group-send"`) || !strings.Contains(body, "已提交商家") {
			t.Fatalf("the sent group: %s", body)
		}
	})
}

// TestOrderBrowser_Link: a household orders through its link on a phone
// in Chromium, at 390 px without sideways scrolling, in large text.
func TestOrderBrowser_Link(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	sc := newOrderScene(t, db, f)
	ts := newDBServer(t, db, withOrders(db))
	_, secret, err := sqldb.NewOrderService(db).CreateOrderLink(context.Background(), f.hh[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	p := b.NewPage(t, browser.Phone)
	p.Do(chromedp.Navigate(ts.URL+"/order?t="+url.QueryEscape(secret)), chromedp.WaitVisible(css("order-form")))
	fitsPhone(t, p, "the ordering page")
	p.Screenshot("order-link")
	p.Do(chromedp.SendKeys(fmt.Sprintf(`#q-%d`, sc.rice.ID), "1"),
		chromedp.SendKeys(fmt.Sprintf(`#q-%d`, sc.greens.ID), "3"),
		chromedp.Click(css("order-submit")), chromedp.WaitVisible(css("order-placed")))
	if msg := p.Text(`[data-testid="order-placed"]`); !strings.Contains(msg, "50.40") {
		t.Fatalf("placed: %q", msg)
	}
	fitsPhone(t, p, "the placed order")
	p.Screenshot("order-link-placed")
	os, _, err := sqldb.NewOrderService(db).FindOrders(context.Background(), frontline.OrderFilter{HouseholdID: &f.hh[2].ID})
	if err != nil || len(os) != 1 || os[0].Source != frontline.SourceLink || os[0].Total != 5040 {
		t.Fatalf("stored: %+v, %v", os, err)
	}
}
