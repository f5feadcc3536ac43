package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestOrderFillPages: the shop's home page leads to tomorrow's pick list;
// the shop packs one rice of two with greens in place of the other; the
// household refuses the substitute on its page; the pick list downloads
// as XLSX that LibreOffice opens with numbers as numbers; the packed order
// is handed over at the gate, where a grid worker sees it counted.
func TestOrderFillPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		sc := newOrderScene(t, db, f)
		ts := newDBServer(t, db, withOrders(db))
		ctx := context.Background()
		orders := sqldb.NewOrderService(db)
		_, secret, err := orders.CreateOrderLink(ctx, f.hh[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		o, err := orders.OrderByLink(ctx, secret, frontline.OrderRequest{PartnerID: sc.shop.ID, Quantities: map[int64]int{sc.rice.ID: 2}})
		if err != nil {
			t.Fatal(err)
		}
		ts.user(t, "shopkeeper", frontline.RoleShop, f.comm2)
		if err := sqldb.NewPartnerService(db).LinkPartnerUser(ctx, sc.shop.ID, "shopkeeper"); err != nil {
			t.Fatal(err)
		}
		shop := ts.signIn(t, "shopkeeper", goodPassword)
		_, home := shop.get(t, "/")
		pick := fmt.Sprintf("/shop/partners/%d/picklist?day=%s", sc.shop.ID, o.DeliveryDay)
		if !strings.Contains(home, fmt.Sprintf(`href="/shop/partners/%d/picklist?day=`, sc.shop.ID)) {
			t.Fatalf("the shop's home page lacks the pick list %s: %s", pick, home)
		}
		resp, body := shop.get(t, pick)
		if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="pick-order"`) != 1 || !strings.Contains(body, "大米") {
			t.Fatalf("pick list: %d %s", resp.StatusCode, body)
		}
		line := itoa(o.Lines[0].ID)
		form := url.Values{"partner": {itoa(sc.shop.ID)}, "day": {o.DeliveryDay}, "f." + line: {"5"}}
		if resp, body := shop.postForm(t, fmt.Sprintf("/shop/orders/%d/fill", o.ID), form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="fill-error"`) {
			t.Fatalf("more packed than asked: %d %s", resp.StatusCode, body)
		}
		form.Set("f."+line, "1")
		form.Set("s."+line, itoa(sc.greens.ID))
		form.Set("n."+line, "4")
		if resp, _ := shop.postForm(t, fmt.Sprintf("/shop/orders/%d/fill", o.ID), form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("fill: %d", resp.StatusCode)
		}

		resident := ts.anonymous()
		_, page := resident.get(t, "/order?t="+url.QueryEscape(secret))
		if !strings.Contains(page, `data-testid="sub-refuse"`) {
			t.Fatalf("the household is not asked about the substitute: %s", page)
		}
		resp, page = resident.postForm(t, "/order/substitute", url.Values{"t": {secret}, "line": {line}, "accept": {"0"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "不要替换品") || strings.Contains(page, `data-testid="sub-refuse"`) {
			t.Fatalf("refused: %d %s", resp.StatusCode, page)
		}

		resp, xlsx := shop.get(t, strings.Replace(pick, "/picklist?", "/picklist.xlsx?", 1))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("xlsx: %d", resp.StatusCode)
		}
		sheets := office.Sheets(t, []byte(xlsx))
		rows := sheets["拣货单"]
		if len(rows) < 3 || rows[2][4] != "大米" || rows[2][6] != "2" || rows[2][7] != "39.9" || rows[2][9] != "1" || rows[2][10] != "青菜 ×4" {
			t.Fatalf("pick list in LibreOffice: %q", rows)
		}

		resp, _ = shop.postForm(t, fmt.Sprintf("/shop/partners/%d/handover", sc.shop.ID), url.Values{"compound": {itoa(f.comp2.ID)}, "day": {o.DeliveryDay}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "handed=1") {
			t.Fatalf("hand-over: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		grid := ts.as(t, frontline.RoleGridWorker, f.comp2)
		_, body = grid.get(t, fmt.Sprintf("/gate?place=%d&day=%s", f.comp2.ID, o.DeliveryDay))
		if !strings.Contains(body, `data-testid="gate-at">1<`) {
			t.Fatalf("the gate's count: %s", body)
		}
	})
}
