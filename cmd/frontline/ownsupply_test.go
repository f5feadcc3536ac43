package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestStartWithOwnData_Supplies is what an office does after the README's
// three commands, on the web of a `frontline serve` with no demo: the
// administrator adds the secretary, a shop, a pharmacy and a volunteer;
// the secretary registers the shop and the pharmacy for 忠义巷小区, links
// their accounts, sets an ordering window and registers the volunteer as a
// worker; the shop imports its catalogue; the secretary orders on behalf
// of a household; the shop packs and hands over at the gate; the
// secretary makes a run and the volunteer delivers it; a medicine request
// is filled by the pharmacy; a help request is raised and taken on. Every
// first step answers without anything the demo would have made.
func TestStartWithOwnData_Supplies(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url0 := db.URL
		if code, out, errOut := run(t, "places", "import", exampleDivisions, "--db", url0); code != 0 {
			t.Fatalf("places import: %s%s", out, errOut)
		}
		const pw = "a long enough password"
		if code, out, errOut := runStdin(t, pw+"\n", "user", "add", "--login", "admin", "--name", "管理员",
			"--role", "city_admin", "--scope", "天水市", "--password-stdin", "--db", url0); code != 0 {
			t.Fatalf("user add: %s%s", out, errOut)
		}
		if code, out, errOut := run(t, "import", "residents", exampleResidents, "--under", "天水市/秦州区", "--db", url0); code != 0 {
			t.Fatalf("import residents: %s%s", out, errOut)
		}
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		find := func(p string) *frontline.Place {
			t.Helper()
			pl, err := places.FindPlaceByPath(ctx, "天水市/秦州区/中城街道/自治巷社区"+p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			return pl
		}
		comm, comp, bld, hh := find(""), find("/忠义巷小区"), find("/忠义巷小区/2号楼"), find("/忠义巷小区/2号楼/101")
		id := func(p *frontline.Place) string { return fmt.Sprint(p.ID) }

		base := serveDB(t, url0)
		admin := webSignIn(t, base, "admin", pw)
		for _, u := range []struct{ login, role, scope string }{
			{"sec", "community_secretary", id(comm)}, {"shop1", "shop", id(comm)}, {"pharm1", "pharmacy", id(comm)},
			{"vol1", "volunteer", id(comp)},
		} {
			admin.post(t, "/users", url.Values{"login": {u.login}, "name": {"用户" + u.login}, "phone": {"13900000001"},
				"role": {u.role}, "scope_id": {u.scope}, "language": {"zh-CN"}, "password": {pw}}, http.StatusSeeOther)
		}

		sec := webSignIn(t, base, "sec", pw)
		partner := func(kind, name, login string) string {
			t.Helper()
			resp, _ := sec.post(t, "/supply/partners", url.Values{"partner_kind": {kind}, "partner_name": {name},
				"partner_phone": {"13900000099"}, "areas": {id(comp)}}, http.StatusSeeOther)
			loc := resp.Header.Get("Location")
			sec.post(t, loc+"/users", url.Values{"login": {login}, "action": {"link"}}, http.StatusSeeOther)
			return path.Base(loc)
		}
		shopID, pharmID := partner("shop", "自治巷超市", "shop1"), partner("pharmacy", "自治巷药房", "pharm1")
		sec.post(t, "/supply/windows", url.Values{"node": {id(comp)}, "cutoff": {"20:00"}, "delivery_days": {"1"}}, http.StatusSeeOther)
		resp, _ := sec.post(t, "/workers?place="+id(comm), url.Values{"name": {"赵志愿"}, "phone": {"13900000002"},
			"kind": {"volunteer"}, "account": {"vol1"}}, http.StatusSeeOther)
		var workerID int64
		fmt.Sscanf(resp.Header.Get("Location"), "/workers/%d", &workerID)

		shop := webSignIn(t, base, "shop1", pw)
		if body := shop.get(t, "/", http.StatusOK); !strings.Contains(body, "/shop/partners/"+shopID) {
			t.Fatalf("the shop's home page lacks its partner: %s", body)
		}
		_, body := shop.multipart(t, "/shop/partners/"+shopID+"/catalog", nil, "file", "清单.csv",
			"品名,规格,单位,单价,库存,每户限购\n大米,5kg,袋,39.9,100,2\n青菜,,斤,3.5,40,\n", http.StatusOK)
		m := regexp.MustCompile(`action="/shop/items/(\d+)"`).FindAllStringSubmatch(body, -1)
		if len(m) != 2 {
			t.Fatalf("the imported catalogue: %s", body)
		}

		// An order on behalf of the household, from its page.
		if body := sec.get(t, "/households/"+id(hh)+"/order", http.StatusOK); !strings.Contains(body, "大米") {
			t.Fatalf("the order form lacks the catalogue: %s", body)
		}
		sec.post(t, "/households/"+id(hh)+"/order", url.Values{"partner": {shopID}, "q." + m[0][1]: {"1"}}, http.StatusSeeOther)
		orders := sqldb.NewOrderService(db)
		os, n, err := orders.FindOrders(ctx, frontline.OrderFilter{})
		if err != nil || n != 1 {
			t.Fatalf("orders: %d, %v", n, err)
		}
		o := os[0]
		pick := shop.get(t, fmt.Sprintf("/shop/partners/%s/picklist?day=%s", shopID, o.DeliveryDay), http.StatusOK)
		if !strings.Contains(pick, "大米") {
			t.Fatalf("pick list: %s", pick)
		}
		shop.post(t, fmt.Sprintf("/shop/orders/%d/fill", o.ID), url.Values{"partner": {shopID}, "day": {o.DeliveryDay},
			fmt.Sprintf("f.%d", o.Lines[0].ID): {"1"}}, http.StatusSeeOther)
		shop.post(t, "/shop/partners/"+shopID+"/handover", url.Values{"compound": {id(comp)}, "day": {o.DeliveryDay}}, http.StatusSeeOther)

		// The run from the gate, delivered by the volunteer.
		gate := sec.get(t, fmt.Sprintf("/gate?place=%s&day=%s", id(comp), o.DeliveryDay), http.StatusOK)
		tok := regexp.MustCompile(`name="form_token" value="([^"]+)"`).FindStringSubmatch(gate)
		if tok == nil {
			t.Fatalf("the gate has no run form: %s", gate)
		}
		resp, _ = sec.post(t, "/gate/runs?place="+id(comp), url.Values{"day": {o.DeliveryDay}, "building": {id(bld)},
			"carrier": {fmt.Sprintf("w.%d", workerID)}, "form_token": {tok[1]}}, http.StatusSeeOther)
		runPath := resp.Header.Get("Location")
		vol := webSignIn(t, base, "vol1", pw)
		if home := vol.get(t, "/", http.StatusOK); !strings.Contains(home, runPath) {
			t.Fatalf("the volunteer's home page lacks the run %s: %s", runPath, home)
		}
		r, err := sqldb.NewDeliveryService(db).FindRunByID(ctx, mustID(t, runPath))
		if err != nil || len(r.Parcels) != 1 {
			t.Fatalf("run: %+v, %v", r, err)
		}
		vol.get(t, runPath, http.StatusOK)
		vol.post(t, fmt.Sprintf("/parcels/%d/delivered", r.Parcels[0].ID), url.Values{"run": {fmt.Sprint(r.ID)}}, http.StatusSeeOther)
		if got, err := orders.FindOrderByID(ctx, o.ID); err != nil || got.Status != frontline.OrderDelivered {
			t.Fatalf("the order after the run: %+v, %v", got, err)
		}

		// Medicine, asked by the office, filled by the pharmacy.
		sec.get(t, "/households/"+id(hh)+"/medicine", http.StatusOK)
		resp, _ = sec.multipart(t, "/households/"+id(hh)+"/medicine", url.Values{"med_partner": {pharmID}, "med_name": {"硝苯地平缓释片"},
			"med_quantity": {"2"}, "med_for": {"吴丽"}, "form_token": {"CCCCCCCCCCCCCCCCCCCCCC"}}, "", "", "", http.StatusSeeOther)
		medID := path.Base(resp.Header.Get("Location"))
		pharm := webSignIn(t, base, "pharm1", pw)
		if home := pharm.get(t, "/", http.StatusOK); !strings.Contains(home, "/pharmacy/medicine/"+medID) {
			t.Fatalf("the pharmacy's home page lacks request %s: %s", medID, home)
		}
		pharm.post(t, "/pharmacy/medicine/"+medID+"/fill", url.Values{"given": {"硝苯地平缓释片 2盒"}, "amount": {"25.60"}}, http.StatusSeeOther)
		pharm.post(t, "/pharmacy/medicine/"+medID+"/deliver", url.Values{"worker_id": {fmt.Sprint(workerID)}}, http.StatusSeeOther)

		// Urgent help, raised from the household's page and taken on.
		sec.get(t, "/households/"+id(hh)+"/help", http.StatusOK)
		resp, _ = sec.post(t, "/households/"+id(hh)+"/help", url.Values{"category": {"dialysis"}, "need": {"周三透析，需要车"},
			"phone": {"13893800005"}}, http.StatusSeeOther)
		help := resp.Header.Get("Location")
		if board := sec.get(t, "/help", http.StatusOK); !strings.Contains(board, help) {
			t.Fatalf("the help board lacks %s: %s", help, board)
		}
		sec.post(t, help+"/ack", nil, http.StatusSeeOther)
	})
}

// mustID reads the number at the end of a path.
func mustID(t *testing.T, p string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path.Base(p), "%d", &id); err != nil {
		t.Fatalf("no id in %q", p)
	}
	return id
}

// serveDB runs `frontline serve` on the database at url, without the
// demo, and returns its base URL; the server stops when the test ends.
func serveDB(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--db", url, "--addr", "127.0.0.1:0", "--log-level", "warn"},
			strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := servingOn.FindStringSubmatch(out.String()); m != nil {
			return "http://" + m[1]
		}
	}
	t.Fatalf("serve printed no address:\n%s", out.String())
	return ""
}

// webClient is a signed-in browser: it keeps cookies, does not follow
// redirects, and sends the session's CSRF token with every form.
type webClient struct {
	base, login, csrf string
	c                 *http.Client
}

var csrfValue = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func webSignIn(t *testing.T, base, login, password string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &webClient{base: base, login: login, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	resp, err := w.c.PostForm(base+"/login", url.Values{"login": {login}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("%s cannot sign in: %d", login, resp.StatusCode)
	}
	m := csrfValue.FindStringSubmatch(w.get(t, "/account", http.StatusOK))
	if m == nil {
		t.Fatalf("%s: no CSRF token on the account page", login)
	}
	w.csrf = m[1]
	return w
}

func (w *webClient) do(t *testing.T, req *http.Request, want int) (*http.Response, string) {
	t.Helper()
	resp, err := w.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s: %s %s answers %d, want %d\n%s", w.login, req.Method, req.URL.RequestURI(), resp.StatusCode, want, b)
	}
	return resp, string(b)
}

func (w *webClient) get(t *testing.T, p string, want int) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.base+p, nil)
	_, body := w.do(t, req, want)
	return body
}

func (w *webClient) post(t *testing.T, p string, form url.Values, want int) (*http.Response, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", w.csrf)
	req, _ := http.NewRequest(http.MethodPost, w.base+p, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return w.do(t, req, want)
}

func (w *webClient) multipart(t *testing.T, p string, fields url.Values, file, name, content string, want int) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", w.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile(file, name)
		fw.Write([]byte(content))
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, w.base+p, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return w.do(t, req, want)
}
