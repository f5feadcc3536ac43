package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
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

// withMedicine gives a server the supply, order and medicine services.
func withMedicine(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		s.Partners, s.Orders, s.Medicine = sqldb.NewPartnerService(db), sqldb.NewOrderService(db), sqldb.NewMedicineService(db)
	}
}

// medicineScene is 自治巷药房 serving 忠义巷小区 with its user "pharmacist",
// another pharmacy's user "pharmacist2", a volunteer of 自治巷社区 and the
// link of hh[2].
type medicineScene struct {
	pharmacy, other *frontline.Partner
	worker          *frontline.Worker
	secret          string
}

func newMedicineScene(tb testing.TB, db *sqldb.DB, ts *testServer, f *fixture) *medicineScene {
	tb.Helper()
	// The store's clock is the server's, so a target's time left reads
	// as it would in one deployment.
	db.Now = func() time.Time { return testNow }
	ctx := context.Background()
	partners := sqldb.NewPartnerService(db)
	sc := &medicineScene{pharmacy: &frontline.Partner{Kind: frontline.PartnerPharmacy, Name: "自治巷药房", PlaceID: f.comm2.ID, Areas: []int64{f.comp2.ID}},
		other: &frontline.Partner{Kind: frontline.PartnerPharmacy, Name: "罗玉药房", PlaceID: f.comm1.ID}}
	for _, p := range []*frontline.Partner{sc.pharmacy, sc.other} {
		if err := partners.CreatePartner(ctx, p); err != nil {
			tb.Fatal(err)
		}
	}
	ts.user(tb, "pharmacist", frontline.RolePharmacy, f.comm2)
	ts.user(tb, "pharmacist2", frontline.RolePharmacy, f.comm1)
	if err := partners.LinkPartnerUser(ctx, sc.pharmacy.ID, "pharmacist"); err != nil {
		tb.Fatal(err)
	}
	if err := partners.LinkPartnerUser(ctx, sc.other.ID, "pharmacist2"); err != nil {
		tb.Fatal(err)
	}
	sc.worker = &frontline.Worker{PlaceID: f.comm2.ID, Name: "送药志愿者", Kind: frontline.WorkerVolunteer}
	if err := sqldb.NewWorkerService(db).CreateWorker(ctx, sc.worker); err != nil {
		tb.Fatal(err)
	}
	var err error
	if _, sc.secret, err = sqldb.NewOrderService(db).CreateOrderLink(ctx, f.hh[2].ID); err != nil {
		tb.Fatal(err)
	}
	return sc
}

var jpegBytes = append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 3000)...)

// postMultipart posts fields and, when photo is set, a file med_photo.
func (c *client) postMultipart(tb testing.TB, path string, fields url.Values, photo []byte) (*http.Response, string) {
	tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if c.csrf != "" {
		mw.WriteField("csrf", c.csrf)
	}
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if photo != nil {
		fw, _ := mw.CreateFormFile("med_photo", "rx.jpg")
		fw.Write(photo)
	}
	mw.Close()
	return c.do(tb, http.MethodPost, path, &b, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

var requestLink = regexp.MustCompile(`href="/pharmacy/medicine/(\d+)"`)

// TestMedicinePages: a household asks through its link with a photo (a
// retry acts once; a GIF is refused with the values kept); a grid worker
// asks for it from the household's page; the pharmacy's home page lists
// both, oldest first, the chronic one with its time left; the pharmacy
// fills one, a worker delivers it; another pharmacy neither sees the
// request nor its photo.
func TestMedicinePages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withMedicine(db))
		sc := newMedicineScene(t, db, ts, f)
		hh := f.hh[2]
		anon := ts.anonymous()
		resp, body := anon.get(t, "/order?t="+url.QueryEscape(sc.secret))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="medicine-form"`) {
			t.Fatalf("the link page: %d %s", resp.StatusCode, body)
		}
		form := url.Values{"t": {sc.secret}, "med_partner": {itoa(sc.pharmacy.ID)}, "med_name": {"硝苯地平缓释片"}, "med_strength": {"30mg×7片"}, "med_quantity": {"2"},
			"med_for": {"本人"}, "med_chronic": {"1"}, "form_token": {"AAAAAAAAAAAAAAAAAAAAAA"}}
		resp, body = anon.postMultipart(t, "/order/medicine", form, []byte("GIF89a....."))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-med_photo"`) || !strings.Contains(body, `value="硝苯地平缓释片"`) {
			t.Fatalf("a GIF: %d %s", resp.StatusCode, body)
		}
		resp, body = anon.postMultipart(t, "/order/medicine", form, jpegBytes)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="medicine-made"`) {
			t.Fatalf("by link: %d %s", resp.StatusCode, body)
		}
		anon.postMultipart(t, "/order/medicine", form, jpegBytes)
		if _, n, err := sqldb.NewMedicineService(db).FindMedicineRequests(context.Background(), frontline.MedicineFilter{}); err != nil || n != 1 {
			t.Fatalf("%d requests after a retry, %v", n, err)
		}

		grid := ts.as(t, frontline.RoleGridWorker, f.comp2)
		_, body = grid.get(t, fmt.Sprintf("/places/%d", hh.ID))
		if !strings.Contains(body, fmt.Sprintf(`href="/households/%d/medicine"`, hh.ID)) {
			t.Fatalf("the household's page lacks the medicine link")
		}
		resp, body = grid.postMultipart(t, fmt.Sprintf("/households/%d/medicine", hh.ID), url.Values{"med_partner": {itoa(sc.pharmacy.ID)},
			"med_name": {"布洛芬缓释胶囊"}, "med_quantity": {"1"}, "med_for": {"孩子"}, "form_token": {"BBBBBBBBBBBBBBBBBBBBBB"}}, nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/medicine/") {
			t.Fatalf("on behalf: %d %s", resp.StatusCode, body)
		}

		pharm := ts.signIn(t, "pharmacist", goodPassword)
		_, home := pharm.get(t, "/")
		ids := requestLink.FindAllStringSubmatch(home, -1)
		if len(ids) != 2 || !strings.Contains(home, "还剩 24 小时") {
			t.Fatalf("the pharmacy's home page: %s", home)
		}
		first := ids[0][1]
		resp, body = pharm.get(t, "/pharmacy/medicine/"+first)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="fill-form"`) || !strings.Contains(body, `/photo"`) {
			t.Fatalf("the request's page: %d %s", resp.StatusCode, body)
		}
		if resp, body := pharm.get(t, "/pharmacy/medicine/"+first+"/photo"); resp.StatusCode != http.StatusOK ||
			resp.Header.Get("Content-Type") != "image/jpeg" || body != string(jpegBytes) {
			t.Fatalf("the photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		other := ts.signIn(t, "pharmacist2", goodPassword)
		if resp, _ := other.get(t, "/pharmacy/medicine/"+first+"/photo"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("another pharmacy read the photo: %d", resp.StatusCode)
		}
		if _, body := other.get(t, "/pharmacy/medicine"); strings.Contains(body, "硝苯地平") {
			t.Fatalf("another pharmacy sees the request")
		}
		resp, body = pharm.postForm(t, "/pharmacy/medicine/"+first+"/fill", url.Values{"given": {"硝苯地平缓释片 30mg×7片 2盒"}, "amount": {"abc"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-amount"`) {
			t.Fatalf("a bad amount: %d %s", resp.StatusCode, body)
		}
		resp, _ = pharm.postForm(t, "/pharmacy/medicine/"+first+"/fill", url.Values{"given": {"硝苯地平缓释片 30mg×7片 2盒"}, "amount": {"25.60"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("fill: %d", resp.StatusCode)
		}
		resp, _ = pharm.postForm(t, "/pharmacy/medicine/"+first+"/deliver", url.Values{"worker_id": {itoa(sc.worker.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("deliver: %d", resp.StatusCode)
		}
		_, body = anon.get(t, "/order?t="+url.QueryEscape(sc.secret))
		if !strings.Contains(body, "送药志愿者") || !strings.Contains(body, "¥25.60") {
			t.Fatalf("the household does not see its delivery: %s", body)
		}
		var list struct {
			Requests []frontline.MedicineRequest `json:"requests"`
			Total    int                         `json:"total"`
		}
		pharm.getJSON(t, "/api/v1/pharmacy/medicine?open=true", http.StatusOK, &list)
		if list.Total != 1 || list.Requests[0].Medicine != "布洛芬缓释胶囊" {
			t.Fatalf("the API's open requests: %+v", list)
		}
	})
}

// TestMedicineBrowser_Fill: the pharmacy fills a request on a phone in
// Chromium, at 390 px without sideways scrolling.
func TestMedicineBrowser_Fill(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withMedicine(db))
	sc := newMedicineScene(t, db, ts, f)
	m, err := sqldb.NewMedicineService(db).RequestMedicineByLink(context.Background(), sc.secret, frontline.MedicineRequestInput{
		PartnerID: sc.pharmacy.ID, Medicine: "二甲双胍缓释片", Strength: "0.5g×30片", Quantity: 3, Chronic: true, For: "父亲",
		Photo: &frontline.MedicinePhoto{Data: jpegBytes}})
	if err != nil {
		t.Fatal(err)
	}
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, "pharmacist")
	p.Do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css("work-medicine-request")))
	fitsPhone(t, p, "the pharmacy's home page")
	if got := p.Text(`[data-testid="work-medicine-request"]`); !strings.Contains(got, "二甲双胍缓释片") || !strings.Contains(got, "24 小时") {
		t.Fatalf("the home page's request: %q", got)
	}
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/pharmacy/medicine/%d", ts.URL, m.ID)), chromedp.WaitVisible(css("fill-form")))
	fitsPhone(t, p, "the request's page")
	p.Screenshot("medicine-request")
	p.Do(chromedp.SetValue(`#m-amount`, "36.90"), chromedp.Click(css("m-fill")), chromedp.WaitVisible(css("medicine-done")))
	// The filled page also says medicine-done: wait for the delivered page,
	// which has no deliver button, before measuring it.
	p.Do(chromedp.Click(css("m-deliver")), chromedp.WaitNotPresent(css("m-deliver")), chromedp.WaitVisible(css("medicine-done")))
	fitsPhone(t, p, "the delivered request")
	p.Screenshot("medicine-delivered")
	got, err := sqldb.NewMedicineService(db).FindMedicineRequestByID(context.Background(), m.ID)
	if err != nil || got.Status != frontline.MedicineDelivered || got.Amount != 3690 || got.WorkerName != "送药志愿者" {
		t.Fatalf("stored: %+v, %v", got, err)
	}
}
