package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_DoorsOffline walks a grid worker's phone page in Chromium:
// the network goes away, two visits are recorded on the phone (the
// pending counter shows 2), the network comes back, the queue drains, and
// the server holds each visit once — the dashboard counts them once.
func TestBrowser_DoorsOffline(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withScreening(db))
	grid := ts.user(t, "grid.zaoyuan", frontline.RoleGridWorker, f.comp1)
	c := &frontline.Campaign{Name: "返乡人员摸排", ScopeID: f.comm1.ID, Deadline: time.Now().Add(48 * time.Hour),
		Question: frontline.Question{ArrivedSince: "2026-01-01"}}
	cs := sqldb.NewCampaignService(db)
	if err := cs.OpenCampaign(context.Background(), c); err != nil {
		t.Fatal(err)
	}

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, grid.Login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/screening/%d/doors", ts.URL, c.ID)), chromedp.WaitVisible(css("door-list")))
	p.Screenshot("doors")

	p.Offline(true)
	p.Until(`document.getElementById("sync-state").dataset.state === "offline" || !navigator.onLine`)
	door := func(hh *frontline.Place, outcome string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf(`#door-%d [data-testid="outcome-%s"]`, hh.ID, outcome))
	}
	p.Do(chromedp.Click(door(f.hh[0], "not_home")), chromedp.Click(door(f.hh[1], "vacant")))
	p.Until(`document.getElementById("pending-count").textContent === "2"`)
	p.Screenshot("doors-offline")
	if n, _, _ := cs.Coverage(context.Background(), c.ID, 0); n.Vacant != 0 || n.NotHome != 0 {
		t.Fatalf("recorded while offline: %+v", n)
	}

	p.Offline(false)
	p.Do(chromedp.Click(css("sync-now")))
	p.Until(`document.getElementById("pending-count").textContent === "0"`)
	p.Screenshot("doors-synced")
	// A resend after the answer was lost would carry the same client id;
	// sending the queue again must not record anything twice.
	p.Do(chromedp.Click(css("sync-now")))
	time.Sleep(200 * time.Millisecond)
	cov, _, err := cs.Coverage(context.Background(), c.ID, 0)
	if err != nil || cov.NotHome != 1 || cov.Vacant != 1 {
		t.Fatalf("coverage after reconnecting %+v, %v", cov, err)
	}
	for _, hh := range f.hh[:2] {
		visits, err := sqldb.NewVisitService(db).FindVisits(context.Background(), c.ID, hh.ID)
		if err != nil || len(visits) != 1 {
			t.Errorf("%s has %d visits, %v", hh.Name, len(visits), err)
		}
	}
}
