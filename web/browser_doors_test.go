package web_test

import (
	"context"
	"fmt"
	"strings"
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

// TestBrowser_DoorsDraft screens a household on the phone page with a
// returnee's travel and a person found at the door whose ID number has a
// wrong check digit. The server refuses the visit; the page keeps all of
// it — the returnee's travel included — marks the ID number at that
// person in Chinese (no server English), keeps it over a reload, and
// records it once the number is corrected.
func TestBrowser_DoorsDraft(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withScreening(db))
	grid := ts.user(t, "grid.zaoyuan", frontline.RoleGridWorker, f.comp1)
	c := &frontline.Campaign{Name: "返乡人员摸排", ScopeID: f.comm1.ID, Deadline: time.Now().Add(48 * time.Hour),
		Question: frontline.Question{ArrivedSince: "2026-01-01"}}
	if err := sqldb.NewCampaignService(db).OpenCampaign(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	good := idNumber("19900101", 77)
	bad := good[:17] + map[bool]string{true: "1", false: "0"}[good[17] == '0']
	door := fmt.Sprintf("#door-%d", f.hh[0].ID)
	person := func(i int, name string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf(`%s fieldset.person:nth-of-type(%d) [name=%s]`, door, i, name))
	}
	newPerson := func(name string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf(`%s fieldset.person[data-new] [name=%s]`, door, name))
	}

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, grid.Login)
	page := fmt.Sprintf("%s/screening/%d/doors", ts.URL, c.ID)
	p.Do(chromedp.Navigate(page), chromedp.WaitVisible(css("door-list")))
	today := browser.Get(p, chromedp.Evaluate[string](`document.getElementById("doors").dataset.today`))
	p.Do(chromedp.Click(chromedp.CSS(door+` [data-testid="outcome-screened"]`)), chromedp.WaitVisible(chromedp.CSS(door+" form.screen")),
		chromedp.SendKeys(person(1, "area"), "610113005"), chromedp.SetValue(person(1, "arrived"), today),
		chromedp.SendKeys(newPerson("name"), "赵六"), chromedp.SendKeys(newPerson("id_number"), bad),
		chromedp.Click(chromedp.CSS(door+` [data-testid="screen-submit"]`)))
	errAt := fmt.Sprintf(`document.querySelector('%s fieldset.person[data-new] [data-testid="draft-error"]')`, door)
	p.Until(errAt + ` !== null`)
	check := func(when string) {
		t.Helper()
		if got := browser.Get(p, chromedp.Evaluate[string](errAt+`.textContent`)); !strings.Contains(got, "证件号码不正确") {
			t.Errorf("%s: the ID number's message is %q", when, got)
		}
		if got := browser.Get(p, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('%s').value`, person(1, "area")))); got != "610113005" {
			t.Errorf("%s: the returnee's area is %q", when, got)
		}
		if got := browser.Get(p, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector('%s').value`, newPerson("id_number")))); got != bad {
			t.Errorf("%s: the ID number typed is %q", when, got)
		}
		if body := p.Text("main"); strings.Contains(body, "check") || strings.Contains(body, "invalid") {
			t.Errorf("%s: the page shows the server's English: %s", when, body)
		}
	}
	check("refused")
	p.Screenshot("doors-draft")
	if vs, _ := sqldb.NewVisitService(db).FindVisits(context.Background(), c.ID, f.hh[0].ID); len(vs) != 0 {
		t.Fatalf("a refused visit was recorded: %+v", vs)
	}
	p.Do(chromedp.Reload())
	p.Until(errAt + ` !== null`)
	check("after a reload")

	p.Do(chromedp.SetValue(newPerson("id_number"), good), chromedp.Click(chromedp.CSS(door+` [data-testid="screen-submit"]`)))
	p.Until(`document.getElementById("pending-count").textContent === "0" && ` + errAt + ` === null`)
	var vs []*frontline.Visit
	for deadline := time.Now().Add(5 * time.Second); len(vs) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		vs, _ = sqldb.NewVisitService(db).FindVisits(context.Background(), c.ID, f.hh[0].ID)
	}
	if len(vs) != 1 || len(vs[0].Persons) != 4 {
		t.Fatalf("the corrected visit: %+v", vs)
	}
	if got := browser.Get(p, chromedp.Evaluate[string](`localStorage.getItem("frontline.visits.drafts")`)); strings.Contains(got, bad) {
		t.Errorf("the draft outlived its visit: %s", got)
	}
}
