package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_StationTimeZone samples a person at 16:14 in Shanghai
// (08:14 UTC) on a phone whose own zone is UTC, as the field trial's
// sampler's was, then scans him again: the station says he was sampled at
// 16:14, the deployment's time, not 08:14.
func TestBrowser_StationTimeZone(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	at := time.Date(2026, 6, 1, 8, 14, 0, 0, time.UTC)
	db.Now = func() time.Time { return at }
	ts := newDBServer(t, db, withTesting(db, t))
	ctx := context.Background()
	start := at.Add(-time.Hour)
	rounds := sqldb.NewRoundService(db)
	r := &frontline.Round{ScopeID: f.city.ID, Name: "第一轮", Day: "2026-06-01", StartsAt: start, EndsAt: start.Add(8 * time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := rounds.OpenRound(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	sites := sqldb.NewSiteService(db)
	site := &frontline.Site{RoundID: r.ID, PlaceID: f.comp1.ID, Name: "枣园小区采样点", OpensAt: start, ClosesAt: r.EndsAt}
	if err := sites.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
		t.Fatal(err)
	}
	sampler := ts.user(t, "sampler.utc", frontline.RoleSampler, f.comp1)

	p := b.NewPage(t, browser.Phone)
	p.TimeZone("UTC")
	signInBrowser(p, ts.URL, sampler.Login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/rounds/%d/station", ts.URL, r.ID)), chromedp.WaitVisible(css("tube-input")))
	zhang := f.persons[0]
	p.Do(chromedp.SendKeys(css("tube-input"), "tz-1"+kb.Enter))
	p.Do(chromedp.SendKeys(css("person-input"), fmt.Sprintf("FL:P:%d", zhang.ID)+kb.Enter))
	p.Until(`document.getElementById("log").textContent.includes("已采样 · 张三")`)
	p.Do(chromedp.SendKeys(css("person-input"), fmt.Sprintf("FL:P:%d", zhang.ID)+kb.Enter))
	p.Until(`document.getElementById("log").textContent.includes("本轮已采样")`)
	log := p.Text("#log")
	if !strings.Contains(log, "16:14") || strings.Contains(log, "08:14") {
		t.Fatalf("the station shows the sampling in the phone's zone: %q", log)
	}
	p.Screenshot("station-time-zone")
}
