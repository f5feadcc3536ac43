package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// readOnlyHandle opens a second handle on db's database that refuses
// writes: its SQLite writer is query_only, as a read-only file answers.
func readOnlyHandle(t *testing.T, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	ctx := context.Background()
	ro, err := sqldb.Open(ctx, db.URL, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ro.Close() })
	tx, err := ro.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return ro
}

// TestOutage_Answers asks a server whose database refuses writes to write:
// the API answers 503 with Retry-After and the code "unavailable", a page
// says the database is out and nothing was saved, and reads still work.
func TestOutage_Answers(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	rw := newAdminServer(t, db, f, withTesting(db, t))
	down := readOnlyHandle(t, db)
	ro := newDBServer(t, down, withTesting(down, t))
	c := *rw.client // the same session, through the server whose database refuses writes
	c.ts = ro

	resp, body := c.sendJSON(t, http.MethodPost, "/api/v1/rounds", map[string]any{"name": "停电轮", "scope_id": f.city.ID,
		"day": "2026-06-02", "starts_at": "2026-06-01T22:00:00Z", "ends_at": "2026-06-02T06:00:00Z"})
	var answer struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(body), &answer); err != nil || resp.StatusCode != http.StatusServiceUnavailable ||
		resp.Header.Get("Retry-After") == "" || answer.Error.Code != "unavailable" || !strings.Contains(answer.Error.Message, "read-only") {
		t.Fatalf("API write: %d Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	resp, body = c.postForm(t, "/rounds", url.Values{"name": {"停电轮"}, "scope": {fmt.Sprint(f.city.ID)}, "day": {"2026-06-02"},
		"starts": {"06:00"}, "ends": {"14:00"}})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "数据库不可用") {
		t.Fatalf("page write: %d %s", resp.StatusCode, body)
	}
	if resp, _ := c.get(t, "/rounds"); resp.StatusCode != http.StatusOK {
		t.Fatalf("a read while writes are refused: %d", resp.StatusCode)
	}
}

// TestBrowser_StationOutage scans at a station while the server behind
// the balancer cannot write (its database refuses writes): the binding
// answered 503 stays in the phone's queue, the page says so, and once a
// server that can write answers, the queue is sent and the person bound.
func TestBrowser_StationOutage(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	rw := newDBServer(t, db, withTesting(db, t))
	down := readOnlyHandle(t, db)
	ro := newDBServer(t, down, withTesting(down, t))
	var target atomic.Pointer[url.URL]
	up, _ := url.Parse(rw.URL)
	target.Store(up)
	balancer := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target.Load())
		r.Out.Host = r.In.Host
	}})
	t.Cleanup(balancer.Close)
	r := openCityRound(t, db, f)
	sites := sqldb.NewSiteService(db)
	site := &frontline.Site{RoundID: r.ID, PlaceID: f.comp1.ID, Name: "枣园小区采样点", OpensAt: r.StartsAt, ClosesAt: r.EndsAt}
	if err := sites.CreateSite(context.Background(), site); err != nil {
		t.Fatal(err)
	}
	if _, err := sites.CreateStation(context.Background(), &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
		t.Fatal(err)
	}
	sampler := rw.user(t, "sampler.outage", frontline.RoleSampler, f.comp1)

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, balancer.URL, sampler.Login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/rounds/%d/station", balancer.URL, r.ID)), chromedp.WaitVisible(css("tube-input")))
	broken, _ := url.Parse(ro.URL)
	target.Store(broken)
	zhang := f.persons[0]
	p.Do(chromedp.SendKeys(css("tube-input"), "out-1"+kb.Enter))
	p.Do(chromedp.SendKeys(css("person-input"), fmt.Sprintf("FL:P:%d", zhang.ID)+kb.Enter))
	p.Until(`JSON.parse(localStorage.getItem("frontline.station.queue.` + fmt.Sprint(r.ID) + `") || "[]").length === 1`)
	p.Until(`document.getElementById("net").textContent.includes("待传 1")`)
	p.Screenshot("station-outage-queued")
	target.Store(up)
	// A replayed answer names the person by number: the queue may be
	// long, and each name would be a look-up.
	p.Until(fmt.Sprintf(`document.getElementById("log").textContent.includes("已采样 · #%d")`, zhang.ID))
	p.Until(`JSON.parse(localStorage.getItem("frontline.station.queue.` + fmt.Sprint(r.ID) + `") || "[]").length === 0`)
	tube, live, err := sqldb.NewSamplingService(db, sqldb.SamplingOptions{}).FindTube(context.Background(), "OUT-1")
	if err != nil || tube.Count != 1 || len(live) != 1 || live[0].PersonID != zhang.ID {
		t.Fatalf("after the outage: %v %+v", err, tube)
	}
}
