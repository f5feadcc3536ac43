package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withSupply gives a server the supply services of db.
func withSupply(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) { s.Partners = sqldb.NewPartnerService(db) }
}

// TestOrderSupplyPages: the secretary registers a shop serving 忠义巷小区,
// links its account and sets a window; the shop's user finds its partner
// on the home page, imports its catalogue (a bad file refused whole, row
// by row) and changes a stock; another community's secretary sees none of
// it.
func TestOrderSupplyPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withSupply(db))
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
		resp, body := sec.get(t, "/supply")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="no-partners"`) || !strings.Contains(body, `data-testid="nav-supply"`) {
			t.Fatalf("supply page: %d %s", resp.StatusCode, ts.logs.String())
		}
		form := url.Values{"partner_kind": {"shop"}, "partner_name": {""}, "partner_phone": {"139"}, "areas": {itoa(f.comp2.ID)}}
		if resp, body := sec.postForm(t, "/supply/partners", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "请填写名称") {
			t.Fatalf("a shop without a name: %d %s", resp.StatusCode, body)
		}
		form.Set("partner_name", "自治巷超市")
		form.Set("partner_phone", "13900000099")
		resp, _ = sec.postForm(t, "/supply/partners", form)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/supply/partners/") {
			t.Fatalf("register: %d %s", resp.StatusCode, loc)
		}
		ts.user(t, "shopkeeper", frontline.RoleShop, f.comm2)
		if resp, _ := sec.postForm(t, loc+"/users", url.Values{"login": {"shopkeeper"}, "action": {"link"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("link: %d", resp.StatusCode)
		}
		if resp, body := sec.postForm(t, "/supply/windows", url.Values{"node": {itoa(f.comp2.ID)}, "cutoff": {"18:30"}, "delivery_days": {"1"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("window: %d %s", resp.StatusCode, body)
		}
		if _, body := sec.get(t, "/supply"); !strings.Contains(body, "18:30") || !strings.Contains(body, "自治巷超市") {
			t.Errorf("the supply page lacks the window or the shop: %s", body)
		}

		shop := ts.signIn(t, "shopkeeper", goodPassword)
		_, body = shop.get(t, "/")
		id := strings.TrimPrefix(loc, "/supply/partners/")
		if !strings.Contains(body, `href="/shop/partners/`+id+`"`) || !strings.Contains(body, "自治巷超市") {
			t.Fatalf("the shop's home page: %s", body)
		}
		bad := "保供清单\n品名,单位,单价\n大米,袋,39.9\n青菜,,3.5\n"
		resp, body = shop.upload(t, "/shop/partners/"+id+"/catalog", "list.csv", bad, nil)
		if resp.StatusCode != http.StatusBadRequest || strings.Count(body, `data-testid="import-error"`) != 1 || !strings.Contains(body, "B (单位)") {
			t.Fatalf("a bad list: %d %s", resp.StatusCode, body)
		}
		good := "保供清单\n品名,规格,单位,单价,库存,每户限购\n大米,5kg,袋,39.9,100,2\n青菜,,斤,3.5,40,\n"
		resp, body = shop.upload(t, "/shop/partners/"+id+"/catalog", "list.csv", good, nil)
		if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="item-row"`) != 2 || !strings.Contains(body, "39.90") {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		m := regexpItem.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no item form")
		}
		resp, _ = shop.postForm(t, "/shop/items/"+m[1], url.Values{"partner": {id}, "price": {"39.90"}, "stock": {"7"}, "limit": {"2"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("stock: %d", resp.StatusCode)
		}
		if resp, _ := shop.get(t, "/supply/partners/"+id); resp.StatusCode != http.StatusForbidden {
			t.Errorf("the shop reaches the office's page: %d", resp.StatusCode)
		}
		other := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		if resp, _ := other.get(t, "/supply/partners/"+id); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another community's secretary: %d", resp.StatusCode)
		}
		var list struct {
			Total int `json:"total"`
		}
		sec.getJSON(t, "/api/v1/partners", http.StatusOK, &list)
		if list.Total != 1 {
			t.Errorf("api: %d partners", list.Total)
		}
	})
}

// regexpItem finds an item's form on a partner's page.
var regexpItem = regexp.MustCompile(`action="/shop/items/(\d+)"`)
