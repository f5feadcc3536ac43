package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withHelp gives a server the order, help and workforce services of db.
func withHelp(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		s.Partners, s.Orders, s.Help = sqldb.NewPartnerService(db), sqldb.NewOrderService(db), sqldb.NewHelpService(db)
		s.Workers = sqldb.NewWorkerService(db)
	}
}

// TestHelpPages: a grid worker raises a dialysis request from the
// household's page (a bad phone comes back with what was typed), the
// home page and the board list it with its time left; the household asks
// through its link (a retried form acts once); the secretary takes it on,
// reveals the phone (audited), plans a trip and resolves it; another
// community sees nothing.
func TestHelpPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return testNow }
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withHelp(db))
		grid := ts.as(t, frontline.RoleGridWorker, f.comp2)
		hh := f.hh[2]
		_, body := grid.get(t, fmt.Sprintf("/places/%d", hh.ID))
		if !strings.Contains(body, fmt.Sprintf(`href="/households/%d/help"`, hh.ID)) {
			t.Fatalf("the household's page links no help form: %s", body)
		}
		form := url.Values{"category": {"dialysis"}, "need": {"周三透析，需要车"}, "phone": {"12"}, "person": {itoa(f.persons[4].ID)}}
		resp, body := grid.postForm(t, fmt.Sprintf("/households/%d/help", hh.ID), form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-phone"`) || !strings.Contains(body, "周三透析，需要车") {
			t.Fatalf("a bad phone: %d %s", resp.StatusCode, body)
		}
		form.Set("phone", "13800001111")
		resp, _ = grid.postForm(t, fmt.Sprintf("/households/%d/help", hh.ID), form)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/help/") {
			t.Fatalf("raised: %d %s", resp.StatusCode, loc)
		}
		_, home := grid.get(t, "/")
		if !strings.Contains(home, `data-testid="work-help"`) || !strings.Contains(home, `href="`+loc+`"`) {
			t.Fatalf("the home page does not list the request: %s", home)
		}
		_, board := grid.get(t, "/help")
		if strings.Count(board, `data-testid="help-card"`) != 1 || !strings.Contains(board, "15 分钟内须受理") || strings.Contains(board, "13800001111") {
			t.Fatalf("the board: %s", board)
		}

		// The household's own link.
		_, secret, err := sqldb.NewOrderService(db).CreateOrderLink(context.Background(), f.hh[3].ID)
		if err != nil {
			t.Fatal(err)
		}
		resident := ts.anonymous()
		_, page := resident.get(t, "/order?t="+url.QueryEscape(secret))
		if !strings.Contains(page, `data-testid="order-to-help"`) {
			t.Fatal("the ordering page links no help")
		}
		_, page = resident.get(t, "/order/help?t="+url.QueryEscape(secret))
		tok := formTokenInput.FindStringSubmatch(page)
		if tok == nil || strings.Contains(page, "Anna Li") {
			t.Fatalf("the link's help page: %s", page)
		}
		ask := url.Values{"t": {secret}, "category": {"pregnancy"}, "need": {"孕38周，肚子疼"}, "phone": {"13900000007"}, "form_token": {tok[1]}}
		resp, body = resident.postForm(t, "/order/help", ask)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="help-raised"`) {
			t.Fatalf("asked: %d %s", resp.StatusCode, body)
		}
		resident.postForm(t, "/order/help", ask) // sent twice
		list, total, err := sqldb.NewHelpService(db).FindHelp(context.Background(), frontline.HelpFilter{})
		if err != nil || total != 2 || list[0].Source == list[1].Source {
			t.Fatalf("stored %d, %v", total, err)
		}

		secretary := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
		if resp, _ := secretary.postForm(t, loc+"/ack", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("ack: %d", resp.StatusCode)
		}
		_, body = secretary.postForm(t, loc+"/phone", nil)
		if !strings.Contains(body, `href="tel:13800001111"`) {
			t.Fatalf("revealed: %s", body)
		}
		driver := &frontline.Worker{PlaceID: f.comm2.ID, Name: "钱师傅", Kind: frontline.WorkerVolunteer}
		if err := sqldb.NewWorkerService(db).CreateWorker(context.Background(), driver); err != nil {
			t.Fatal(err)
		}
		leave := testNow.Add(time.Hour).In(frontline.DefaultLocation()).Format("2006-01-02T15:04")
		trip := url.Values{"person": {itoa(f.persons[4].ID)}, "plate": {"甘E12345"}, "driver": {itoa(driver.ID)}, "hospital": {""}, "leave_at": {leave}}
		resp, body = secretary.postForm(t, loc+"/trips", trip)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-hospital"`) || !strings.Contains(body, `value="甘E12345"`) {
			t.Fatalf("a trip without a hospital: %d %s", resp.StatusCode, body)
		}
		trip.Set("hospital", "天水市第一人民医院")
		if resp, body := secretary.postForm(t, loc+"/trips", trip); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("trip: %d %s", resp.StatusCode, body)
		}
		_, body = secretary.get(t, loc)
		if !strings.Contains(body, `data-testid="help-trip"`) || !strings.Contains(body, "普通出行") {
			t.Fatalf("the trip on the page: %s", body)
		}
		if resp, _ := secretary.postForm(t, loc+"/resolve", url.Values{"outcome": {"已送医透析"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("resolve: %d", resp.StatusCode)
		}
		other := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		if resp, _ := other.get(t, loc); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another community reads the request: %d", resp.StatusCode)
		}
		_, board = other.get(t, "/help")
		if strings.Contains(board, `data-testid="help-card"`) {
			t.Fatal("another community's board lists the request")
		}
	})
}

// TestHelpAPI raises, lists, acknowledges and resolves through the JSON
// API; a retried request (same key) acts once.
func TestHelpAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return testNow }
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withHelp(db))
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm2)
		in := map[string]any{"household_id": f.hh[2].ID, "category": "acute_illness", "need": "高烧", "phone": "13800002222", "key": "k1"}
		var out struct {
			Request frontline.HelpRequest `json:"request"`
		}
		for range 2 {
			resp, body := staff.sendJSON(t, http.MethodPost, "/api/v1/help", in)
			decodeAPI(t, "POST /api/v1/help", resp, body, http.StatusCreated, &out)
			if strings.Contains(body, "13800002222") {
				t.Fatalf("the API encodes the whole phone: %s", body)
			}
		}
		var list struct {
			Requests []frontline.HelpRequest `json:"requests"`
			Total    int                     `json:"total"`
		}
		staff.getJSON(t, fmt.Sprintf("/api/v1/help?place=%d", f.comm2.ID), http.StatusOK, &list)
		if list.Total != 1 || list.Requests[0].ID != out.Request.ID {
			t.Fatalf("list %+v", list)
		}
		resp, body := staff.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/help/%d/resolve", out.Request.ID), map[string]any{"outcome": "已送医"})
		decodeAPI(t, "resolve", resp, body, http.StatusOK, &out)
		if out.Request.Status != frontline.HelpResolved {
			t.Fatalf("resolved %+v", out.Request)
		}
		var targets struct {
			Targets []frontline.HelpTarget `json:"targets"`
		}
		staff.getJSON(t, "/api/v1/help-targets", http.StatusOK, &targets)
		if len(targets.Targets) != len(frontline.HelpCategories) || targets.Targets[0].AckWithin != 15*time.Minute {
			t.Fatalf("targets %+v", targets)
		}
	})
}

// TestHelpBrowser_Board: the unmet-needs board and a request's page on a
// 390 px phone without sideways scrolling, and the household's help page
// in large text.
func TestHelpBrowser_Board(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	db.Now = func() time.Time { return testNow }
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withHelp(db))
	help := sqldb.NewHelpService(db)
	for i, c := range []frontline.HelpCategory{frontline.HelpDialysis, frontline.HelpMedicine, frontline.HelpMental} {
		if _, err := help.RaiseHelp(context.Background(), &frontline.HelpRequest{HouseholdID: f.hh[2+i%2].ID, Category: c,
			Need: "需要社区帮助，情况较急，请尽快回电联系家属安排车辆或送药上门", Phone: "13800003333"}); err != nil {
			t.Fatal(err)
		}
	}
	_, secret, err := sqldb.NewOrderService(db).CreateOrderLink(context.Background(), f.hh[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, ts.user(t, "helpsec", frontline.RoleCommunitySecretary, f.comm2).Login)
	p.Do(chromedp.Navigate(ts.URL+"/help"), chromedp.WaitVisible(css("help-cards")))
	fitsPhone(t, p, "the unmet-needs board")
	p.Screenshot("help-board")
	p.Do(chromedp.Click(`[data-testid="help-card"] h3 a`), chromedp.WaitVisible(css("help-ack")))
	fitsPhone(t, p, "a request's page")
	// The resolve form is on the page before the acknowledgement too: wait
	// for the acknowledged page (no ack button), or the next navigation
	// aborts the POST.
	p.Do(chromedp.Click(css("help-ack")), chromedp.WaitNotPresent(css("help-ack")), chromedp.WaitVisible(css("help-resolve-form")))
	p.ClearCookies()
	p.Do(chromedp.Navigate(ts.URL+"/order/help?t="+url.QueryEscape(secret)), chromedp.WaitVisible(css("help-link-form")))
	fitsPhone(t, p, "the household's help page")
	p.Do(chromedp.SetValue(css("h-category"), "critical_medicine"),
		chromedp.SendKeys(`#h-need`, "胰岛素还剩一天"), chromedp.SendKeys(`#h-phone`, "13800004444"),
		chromedp.Click(css("h-submit")), chromedp.WaitVisible(css("help-raised")))
	fitsPhone(t, p, "the household's request sent")
	p.Screenshot("help-link")
}

// TestHelpTargetsPage: the city's user manager finds the deadlines page
// from the board, changes two categories at once; a set with one bad
// deadline (resolve before acknowledge, not a number) saves nothing and
// comes back with what was typed and each error beside its field; the
// change is audited and a new request gets the new deadlines. A district
// admin (users.manage below the top) sees no link and is refused the
// page; a grid worker has no such permission at all.
func TestHelpTargetsPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return testNow }
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withHelp(db))
		admin := ts.as(t, frontline.RoleCityAdmin, f.city)
		_, board := admin.get(t, "/help")
		if !strings.Contains(board, `href="/help-targets"`) {
			t.Fatalf("the board links no deadlines page: %s", board)
		}
		_, page := admin.get(t, "/help-targets")
		if !strings.Contains(page, `name="ack.dialysis" value="15"`) || !strings.Contains(page, `name="resolve.critical_medicine" value="1440"`) ||
			!strings.Contains(page, "受理时限（分钟）") {
			t.Fatalf("the deadlines page: %s", page)
		}
		form := url.Values{}
		for _, d := range frontline.DefaultHelpTargets() {
			form.Set("ack."+string(d.Category), itoa(int64(d.AckWithin/time.Minute)))
			form.Set("resolve."+string(d.Category), itoa(int64(d.ResolveWithin/time.Minute)))
		}
		form.Set("ack.dialysis", "10")
		form.Set("resolve.dialysis", "90")
		form.Set("ack.other", "120")
		form.Set("resolve.other", "60") // before the acknowledgement
		form.Set("ack.pregnancy", "十五") // not a number
		resp, body := admin.postForm(t, "/help-targets", form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-resolve.other"`) ||
			!strings.Contains(body, `data-testid="error-ack.pregnancy"`) || !strings.Contains(body, `value="十五"`) ||
			!strings.Contains(body, `name="ack.dialysis" value="10"`) || strings.Contains(body, `data-testid="error-ack.dialysis"`) {
			t.Fatalf("a bad set: %d %s", resp.StatusCode, body)
		}
		help := sqldb.NewHelpService(db)
		if got, _ := help.HelpTargets(context.Background()); got[0].AckWithin != 15*time.Minute {
			t.Fatalf("a refused set changed dialysis: %+v", got[0])
		}
		form.Set("resolve.other", "180")
		form.Set("ack.pregnancy", "15")
		resp, _ = admin.postForm(t, "/help-targets", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/help-targets?saved=1" {
			t.Fatalf("saved: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, page = admin.get(t, "/help-targets?saved=1")
		if !strings.Contains(page, `data-testid="help-targets-saved"`) || !strings.Contains(page, `name="resolve.other" value="180"`) {
			t.Fatalf("after saving: %s", page)
		}
		var audited int
		tx, err := db.BeginReadTx(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE entity = 'help_target'`).Scan(&audited); err != nil || audited != 2 {
			t.Errorf("%d audit rows (%v), want 2: dialysis and other", audited, err)
		}
		tx.Rollback()
		h, err := help.RaiseHelp(context.Background(), &frontline.HelpRequest{HouseholdID: f.hh[2].ID, Category: frontline.HelpDialysis,
			Need: "透析", Phone: "13800005555"})
		if err != nil || h.AckDue.Sub(h.CreatedAt) != 10*time.Minute || h.ResolveDue.Sub(h.CreatedAt) != 90*time.Minute {
			t.Fatalf("a new request's deadlines: %+v, %v", h, err)
		}

		district := ts.as(t, frontline.RoleDistrictAdmin, f.district)
		if _, board := district.get(t, "/help"); strings.Contains(board, `href="/help-targets"`) {
			t.Error("a district admin is linked to the deadlines page")
		}
		if resp, _ := district.get(t, "/help-targets"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a district admin opens the deadlines page: %d", resp.StatusCode)
		}
		if resp, _ := district.postForm(t, "/help-targets", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a district admin posts the deadlines: %d", resp.StatusCode)
		}
		grid := ts.as(t, frontline.RoleGridWorker, f.comp2)
		if resp, _ := grid.get(t, "/help-targets"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a grid worker opens the deadlines page: %d", resp.StatusCode)
		}
		_, en := admin.get(t, "/help-targets?lang=en")
		if !strings.Contains(en, "Take on within (minutes)") {
			t.Errorf("the English page: %s", en)
		}
	})
}

// TestHelpTargetsBrowser: the deadlines page on a 390 px phone without
// sideways scrolling; a resolve time shorter than the acknowledgement
// comes back marked, then saves.
func TestHelpTargetsBrowser(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	db.Now = func() time.Time { return testNow }
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withHelp(db))
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, ts.user(t, "helpadmin", frontline.RoleCityAdmin, f.city).Login)
	p.Do(chromedp.Navigate(ts.URL+"/help"), chromedp.WaitVisible(css("help-targets-link")),
		chromedp.Click(css("help-targets-link")), chromedp.WaitVisible(css("help-targets-form")))
	fitsPhone(t, p, "the help deadlines page")
	p.Do(chromedp.SetValue(css("resolve.mental_health"), "5"), chromedp.Click(css("help-targets-save")),
		chromedp.WaitVisible(css("error-resolve.mental_health")))
	fitsPhone(t, p, "the help deadlines with an error")
	p.Screenshot("help-targets-error")
	p.Do(chromedp.SetValue(css("resolve.mental_health"), "300"), chromedp.Click(css("help-targets-save")),
		chromedp.WaitVisible(css("help-targets-saved")))
	p.Screenshot("help-targets")
}
