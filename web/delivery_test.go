package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withDeliveries gives a server the supply, order, delivery and workforce
// services of db.
func withDeliveries(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		withOrders(db)(s)
		s.Deliveries = sqldb.NewDeliveryService(db)
		withWorkforce(db)(s)
	}
}

// deliveryScene is the order scene with greens ordered for both
// households of 2号楼, packed and handed over at 忠义巷小区's gate, and a
// volunteer (login vol.zhong) who is a worker of 自治巷社区.
type deliveryScene struct {
	*orderScene
	orders []*frontline.Order
	secret string // hh[2]'s ordering link
	worker *frontline.Worker
}

func newDeliveryScene(t *testing.T, db *sqldb.DB, f *fixture, ts *testServer) *deliveryScene {
	t.Helper()
	sc := &deliveryScene{orderScene: newOrderScene(t, db, f)}
	ctx := context.Background()
	orders := sqldb.NewOrderService(db)
	var err error
	if _, sc.secret, err = orders.CreateOrderLink(ctx, f.hh[2].ID); err != nil {
		t.Fatal(err)
	}
	for _, hh := range f.hh[2:4] {
		o, err := orders.PlaceOrder(ctx, frontline.OrderRequest{HouseholdID: hh.ID, PartnerID: sc.shop.ID, Quantities: map[int64]int{sc.greens.ID: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := orders.FillOrder(ctx, o.ID, []frontline.LineFill{{LineID: o.Lines[0].ID, Filled: 2}}); err != nil {
			t.Fatal(err)
		}
		sc.orders = append(sc.orders, o)
	}
	if _, err := orders.HandOver(ctx, sc.shop.ID, f.comp2.ID, sc.orders[0].DeliveryDay); err != nil {
		t.Fatal(err)
	}
	u := ts.user(t, "vol.zhong", frontline.RoleVolunteer, f.comp2)
	sc.worker = &frontline.Worker{PlaceID: f.comm2.ID, Name: "赵志愿", Kind: frontline.WorkerVolunteer, UserID: u.ID}
	if err := sqldb.NewWorkerService(db).CreateWorker(ctx, sc.worker); err != nil {
		t.Fatal(err)
	}
	return sc
}

// makeRun makes a run at the gate page as the secretary and returns its id.
func (sc *deliveryScene) makeRun(t *testing.T, sec *client, f *fixture) int64 {
	t.Helper()
	day := sc.orders[0].DeliveryDay
	resp, body := sec.get(t, fmt.Sprintf("/gate?place=%d&day=%s", f.comp2.ID, day))
	m := formTokenInput.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="run-form"`) || m == nil {
		t.Fatalf("gate: %d %s", resp.StatusCode, body)
	}
	form := url.Values{"day": {day}, "building": {fmt.Sprint(f.bld2.ID)}, "carrier": {fmt.Sprintf("w.%d", sc.worker.ID)}, "form_token": {m[1]}}
	resp, _ = sec.postForm(t, fmt.Sprintf("/gate/runs?place=%d", f.comp2.ID), form)
	loc := resp.Header.Get("Location")
	var id int64
	if resp.StatusCode != http.StatusSeeOther || func() bool { _, err := fmt.Sscanf(loc, "/runs/%d", &id); return err != nil }() {
		t.Fatalf("make a run: %d %q", resp.StatusCode, loc)
	}
	// The same form sent again (a double tap) leads to the same run.
	if again, _ := sec.postForm(t, fmt.Sprintf("/gate/runs?place=%d", f.comp2.ID), form); again.Header.Get("Location") != loc {
		t.Fatalf("a double tap: %d %q", again.StatusCode, again.Header.Get("Location"))
	}
	return id
}

// TestDeliveryPages: the secretary makes a run at the gate; the
// volunteer's home page lists it; the volunteer ticks one door delivered
// and returns the other (a return without a reason comes back with the
// note kept); the household confirms and complains through its link; the
// office sees the complaint; the API lists the run; a volunteer of another
// community is refused.
func TestDeliveryPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withDeliveries(db))
		sc := newDeliveryScene(t, db, f, ts)
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
		id := sc.makeRun(t, sec, f)
		vol := ts.signIn(t, "vol.zhong", goodPassword)
		if _, body := vol.get(t, "/"); !strings.Contains(body, `data-testid="work-run"`) || !strings.Contains(body, fmt.Sprintf("/runs/%d", id)) {
			t.Fatalf("the volunteer's home page: %s", body)
		}
		resp, body := vol.get(t, fmt.Sprintf("/runs/%d", id))
		if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="door"`) != 2 || !strings.Contains(body, "放楼栋前") {
			t.Fatalf("run page: %d %s", resp.StatusCode, body)
		}
		run, err := sqldb.NewDeliveryService(db).FindRunByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		first, second := run.Parcels[0], run.Parcels[1]
		resp, _ = vol.postForm(t, fmt.Sprintf("/parcels/%d/delivered", first.ID), url.Values{"run": {fmt.Sprint(id)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delivered: %d", resp.StatusCode)
		}
		resp, body = vol.postForm(t, fmt.Sprintf("/parcels/%d/returned", second.ID), url.Values{"run": {fmt.Sprint(id)}, "note": {"敲了三次门"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="door-problem"`) || !strings.Contains(body, "敲了三次门") {
			t.Fatalf("a return without a reason: %d %s", resp.StatusCode, body)
		}
		resp, _ = vol.postForm(t, fmt.Sprintf("/parcels/%d/returned", second.ID), url.Values{"run": {fmt.Sprint(id)}, "reason": {"no_answer"}, "note": {"敲了三次门"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("returned: %d", resp.StatusCode)
		}
		if _, body = vol.get(t, fmt.Sprintf("/runs/%d", id)); !strings.Contains(body, `data-testid="run-close"`) || strings.Contains(body, `data-testid="door-delivered"`) ||
			!strings.Contains(body, `data-testid="run-return-no_answer"`) {
			t.Fatalf("run with every door done: %s", body)
		}
		if _, body = sec.get(t, fmt.Sprintf("/gate?place=%d&day=%s", f.comp2.ID, run.Day)); !strings.Contains(body, "未送 0 · 已送达 1 · 退回 1") ||
			!strings.Contains(body, `data-testid="run-return-no_answer">敲门无人应、电话不通 1<`) {
			t.Fatalf("gate counts: %s", body)
		}
		household := ts.anonymous()
		_, body = household.get(t, "/order?t="+url.QueryEscape(sc.secret))
		if !strings.Contains(body, `data-testid="order-confirm"`) {
			t.Fatalf("the household's page: %s", body)
		}
		resp, body = household.postForm(t, "/order/complain", url.Values{"t": {sc.secret}, "order": {fmt.Sprint(first.OrderID)}, "text": {""}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-text"`) {
			t.Fatalf("an empty complaint: %d %s", resp.StatusCode, body)
		}
		if resp, body = household.postForm(t, "/order/complain", url.Values{"t": {sc.secret}, "order": {fmt.Sprint(first.OrderID)},
			"text": {"青菜不新鲜"}}); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="order-answered"`) {
			t.Fatalf("complain: %d %s", resp.StatusCode, body)
		}
		if resp, body = household.postForm(t, "/order/confirm", url.Values{"t": {sc.secret}, "order": {fmt.Sprint(first.OrderID)}}); resp.StatusCode != http.StatusOK ||
			!strings.Contains(body, `data-testid="order-received"`) {
			t.Fatalf("confirm: %d %s", resp.StatusCode, body)
		}
		if _, body = sec.get(t, "/complaints"); strings.Count(body, `data-testid="complaint"`) != 1 || !strings.Contains(body, "青菜不新鲜") {
			t.Fatalf("complaints: %s", body)
		}
		list, err := sqldb.NewDeliveryService(db).FindComplaints(context.Background(), nil)
		if err != nil || len(list) != 1 {
			t.Fatalf("complaints stored: %+v, %v", list, err)
		}
		cid := list[0].ID
		resp, body = sec.postForm(t, fmt.Sprintf("/complaints/%d/handled", cid), url.Values{"note": {"补"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="complaint-problem"`) || !strings.Contains(body, ">补</textarea>") {
			t.Fatalf("a note too short: %d %s", resp.StatusCode, body)
		}
		if resp, _ = sec.postForm(t, fmt.Sprintf("/complaints/%d/handled", cid), url.Values{"note": {"已让超市补送新鲜青菜"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("handled: %d", resp.StatusCode)
		}
		if _, body = sec.get(t, "/complaints"); !strings.Contains(body, `data-testid="complaint-handled"`) || strings.Contains(body, `data-testid="handled-send"`) {
			t.Fatalf("complaints after handling: %s", body)
		}
		if _, body = household.get(t, "/order?t="+url.QueryEscape(sc.secret)); !strings.Contains(body, `data-testid="complaint-answer"`) ||
			!strings.Contains(body, "已让超市补送新鲜青菜") {
			t.Fatalf("the household's page after handling: %s", body)
		}
		var cs struct {
			Complaints []frontline.Complaint `json:"complaints"`
		}
		sec.getJSON(t, "/api/v1/complaints", http.StatusOK, &cs)
		if len(cs.Complaints) != 1 || cs.Complaints[0].HandledNote != "已让超市补送新鲜青菜" {
			t.Fatalf("API complaints: %+v", cs)
		}
		var got struct {
			Runs []frontline.Run `json:"runs"`
		}
		vol.getJSON(t, "/api/v1/runs?mine=1&day="+run.Day, http.StatusOK, &got)
		if len(got.Runs) != 1 || got.Runs[0].Counts.Delivered != 1 || got.Runs[0].Counts.Returned != 1 || got.Runs[0].Counts.Reasons["no_answer"] != 1 {
			t.Fatalf("API runs: %+v", got)
		}
		other := ts.as(t, frontline.RoleVolunteer, f.comp1)
		if resp, _ := other.get(t, fmt.Sprintf("/runs/%d", id)); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another community's volunteer: %d", resp.StatusCode)
		}
		if resp, _ = vol.postForm(t, fmt.Sprintf("/runs/%d/close", id), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", resp.StatusCode)
		}
	})
}

// TestDeliveryBrowser_Volunteer: the volunteer ticks the doors of a
// building on a phone in Chromium at 390 px, without sideways scrolling:
// one tap delivers, "not delivered" opens the reasons and returns the
// other, and the run closes after its confirmation.
func TestDeliveryBrowser_Volunteer(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withDeliveries(db))
	sc := newDeliveryScene(t, db, f, ts)
	sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
	id := sc.makeRun(t, sec, f)

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, "vol.zhong")
	p.Do(chromedp.WaitVisible(css("work-run")), chromedp.Click(css("work-run")+" a"), chromedp.WaitVisible(css("door")))
	fitsPhone(t, p, "the run page")
	p.Screenshot("run")
	p.Do(chromedp.Click(`#d`+fmt.Sprint(f.hh[2].ID)+` [data-testid="door-delivered"]`), chromedp.WaitVisible(css("door-done")))
	p.Do(chromedp.Click(css("door-notdone")), chromedp.Click(css("reason-refused")), chromedp.Click(css("door-return")),
		chromedp.WaitVisible(css("run-close")))
	fitsPhone(t, p, "the run with every door done")
	p.Screenshot("run-done")
	p.Do(chromedp.Click(css("run-close")), chromedp.Click(css("run-close-confirm")), chromedp.WaitVisible(css("run-closed")))
	run, err := sqldb.NewDeliveryService(db).FindRunByID(context.Background(), id)
	if err != nil || run.Status != frontline.RunClosed || run.Counts.Delivered != 1 || run.Counts.Returned != 1 || run.Parcels[1].Reason != frontline.ReturnRefused {
		t.Fatalf("stored: %+v, %v", run, err)
	}
}

// TestDeliveryPages_Medicine: filled chronic medicine of 101 waits at the
// gate (a pharmacy's row), goes out on the run in 101's door beside its
// order, with its target and without its name; one tap delivers both; the
// medicine's page says it was delivered by the run.
func TestDeliveryPages_Medicine(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withDeliveries(db), withMedicine(db))
		msc := newMedicineScene(t, db, ts, f)
		sc := newDeliveryScene(t, db, f, ts)
		ctx := context.Background()
		meds := sqldb.NewMedicineService(db)
		m, err := meds.RequestMedicine(ctx, frontline.MedicineRequestInput{HouseholdID: f.hh[2].ID, PartnerID: msc.pharmacy.ID,
			Medicine: "阿卡波糖片", Quantity: 2, Chronic: true, For: "本人"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := meds.FillMedicine(ctx, m.ID, frontline.MedicineFill{Given: "阿卡波糖片 2盒", Amount: 5000}); err != nil {
			t.Fatal(err)
		}
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
		today := testNow.In(db.Location).Format(frontline.DateLayout)
		if _, body := sec.get(t, fmt.Sprintf("/gate?place=%d&day=%s", f.comp2.ID, today)); !strings.Contains(body, `data-testid="gate-medicine"`) {
			t.Fatalf("the gate's medicine: %s", body)
		}
		id := sc.makeRun(t, sec, f)
		vol := ts.signIn(t, "vol.zhong", goodPassword)
		_, body := vol.get(t, fmt.Sprintf("/runs/%d", id))
		if strings.Count(body, `data-testid="door"`) != 2 || strings.Count(body, `data-testid="parcel"`) != 3 ||
			strings.Count(body, `data-testid="door-delivered"`) != 2 || !strings.Contains(body, `data-testid="parcel-medicine"`) ||
			!strings.Contains(body, "慢病药，须在") || strings.Contains(body, "阿卡波糖") {
			t.Fatalf("the run page: %s", body)
		}
		run, err := sqldb.NewDeliveryService(db).FindRunByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if resp, _ := vol.postForm(t, fmt.Sprintf("/parcels/%d/delivered", run.Parcels[0].ID), url.Values{"run": {fmt.Sprint(id)}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("the door's tap: %d", resp.StatusCode)
		}
		if got, err := meds.FindMedicineRequestByID(ctx, m.ID); err != nil || got.Status != frontline.MedicineDelivered || got.WorkerName != "赵志愿" {
			t.Fatalf("the medicine after the tap: %+v, %v", got, err)
		}
		if _, body = vol.get(t, fmt.Sprintf("/runs/%d", id)); strings.Count(body, `data-testid="door-delivered"`) != 1 {
			t.Fatalf("the run after one tap: %s", body)
		}
		if _, body = sec.get(t, fmt.Sprintf("/medicine/%d", m.ID)); !strings.Contains(body, "随配送批次于") && !strings.Contains(body, "赵志愿") {
			t.Fatalf("the medicine's page: %s", body)
		}
	})
}

// TestDeliveryBrowser_Household: on its link on a phone in Chromium at
// 390 px, without sideways scrolling, the household complains about a
// delivered order — a complaint too short comes back with the error and
// what was typed kept — then sends it and confirms receipt.
func TestDeliveryBrowser_Household(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withDeliveries(db))
	sc := newDeliveryScene(t, db, f, ts)
	sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
	id := sc.makeRun(t, sec, f)
	runs := sqldb.NewDeliveryService(db)
	run, err := runs.FindRunByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runs.Deliver(context.Background(), run.Parcels[0].ID); err != nil {
		t.Fatal(err)
	}

	p := b.NewPage(t, browser.Phone)
	p.Do(chromedp.Navigate(ts.URL+"/order?t="+url.QueryEscape(sc.secret)), chromedp.WaitVisible(css("order-confirm")))
	fitsPhone(t, p, "the household's link")
	p.Do(chromedp.Click(css("order-complain")), chromedp.WaitVisible(css("complaint-text")),
		chromedp.SetValue(css("complaint-text"), "坏"), chromedp.Click(css("complaint-send")), chromedp.WaitVisible(css("error-text")))
	fitsPhone(t, p, "the complaint refused")
	p.Screenshot("household-complaint-error")
	if got := browser.Get(p, chromedp.Evaluate[string](`document.querySelector('[data-testid="complaint-text"]').value`)); got != "坏" {
		t.Fatalf("the typed complaint after the error: %q", got)
	}
	p.Do(chromedp.SetValue(css("complaint-text"), "青菜不新鲜，少了一斤"), chromedp.Click(css("complaint-send")), chromedp.WaitVisible(css("order-answered")))
	p.Do(chromedp.Click(css("order-confirm")), chromedp.WaitVisible(css("order-received")))
	fitsPhone(t, p, "the order confirmed")
	p.Screenshot("household-confirmed")
	list, err := runs.FindComplaints(context.Background(), nil)
	if err != nil || len(list) != 1 || list[0].Text != "青菜不新鲜，少了一斤" {
		t.Fatalf("complaints stored: %+v, %v", list, err)
	}
	o, err := sqldb.NewOrderService(db).FindOrderByID(context.Background(), run.Parcels[0].OrderID)
	if err != nil || o.ReceivedAt.IsZero() || o.Complaints != 1 {
		t.Fatalf("the order: %+v, %v", o, err)
	}
}
