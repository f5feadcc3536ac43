package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// noSideways waits until the page is no wider than the phone.
const noSideways = `document.documentElement.scrollWidth <= window.innerWidth`

// TestBrowser_CaseFlow walks the moment the issue is about, on a phone in
// Chromium: the lab posts a positive re-test of 枣园小区; the secretary of
// 罗玉新村社区 sees the unread count on her home page, opens the inbox, and
// acknowledges the case's alert; she opens the case, seals its unit (or
// building) with one action; and at the gate of 枣园小区 a resident of the
// sealed place going out is refused with the zone as the reason, and the
// case's household mate with the measure. No page scrolls sideways.
func TestBrowser_CaseFlow(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	sc := buildSceneOf(t, db, 2000, withTesting(db, t), withCases(db))
	ctx := context.Background()
	places, persons := sqldb.NewPlaceService(db), sqldb.NewPersonService(db)
	zones, _ := demoZones(t, db, testNow)
	sampling := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	t.Cleanup(func() { sampling.Close() })
	lab := sqldb.NewLabService(db)
	round, err := demo.Testing(ctx, demo.TestingServices{Places: places, Persons: persons, Rounds: sqldb.NewRoundService(db),
		Sites: sqldb.NewSiteService(db, "log"), Sampling: sampling, Lab: lab}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	// The home team re-samples the first person of the positive pool; the
	// lab posts the result through its API.
	open := frontline.RetestOpen
	tasks, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &round.Round.ID, Status: &open, Limit: 1})
	if err != nil || len(tasks) == 0 {
		t.Fatalf("re-tests of the demo round: %d, %v", len(tasks), err)
	}
	if _, err := lab.SampleRetest(ctx, tasks[0].ID, "ZYRT-9001"); err != nil {
		t.Fatal(err)
	}
	labUser := sc.ts.as(t, frontline.RoleLab, sc.luoyu)
	if resp, text := labUser.sendJSON(t, http.MethodPost, "/api/v1/results",
		map[string]any{"results": []frontline.ResultRow{{TubeCode: "ZYRT-9001", Result: frontline.ResultPositive}}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("the lab's result: %d %s", resp.StatusCode, text)
	}
	cases, _, err := sqldb.NewCaseService(db).FindCases(ctx, frontline.CaseFilter{Open: true})
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases after the positive: %d, %v", len(cases), err)
	}
	c := cases[0]
	d, err := sqldb.NewCaseService(db).CaseDetail(ctx, c.ID)
	if err != nil || len(d.Proposals) == 0 {
		t.Fatalf("the case's proposals: %v", err)
	}
	target := d.Proposals[0] // the unit or building, to seal
	var neighbour, mate *frontline.Person
	residents, _, err := persons.FindPersons(ctx, frontline.PersonFilter{Under: &target.PlaceID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range residents {
		switch {
		case p.ID == c.PersonID || p.Status == frontline.StatusMovedOut:
		case p.HouseholdID == c.HouseholdID && mate == nil:
			mate = p
		case p.HouseholdID != c.HouseholdID && neighbour == nil:
			neighbour = p
		}
	}
	if neighbour == nil {
		t.Fatalf("nobody else lives in %s", target.PlaceName)
	}

	secretary := sc.ts.user(t, "xia.case", frontline.RoleCommunitySecretary, sc.luoyu)
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, sc.ts.URL, secretary.Login)
	p.Until(`document.querySelector('[data-testid="unread"]')?.textContent.trim() === "1"`)
	p.Until(noSideways)
	p.Screenshot("case-home-unread")

	// The inbox: the case, where, since when, and the action.
	p.Do(chromedp.Click(css("nav-alerts")), chromedp.WaitVisible(css("alerts")))
	p.Until(noSideways)
	if what := p.Text(`[data-testid="alert"] .what`); !strings.Contains(what, "阳性病例") {
		t.Fatalf("the inbox shows %q", what)
	}
	p.Screenshot("case-inbox")
	p.Do(chromedp.SendKeys(css("ack-note"), "已通知转运组"), chromedp.Click(css("ack")), chromedp.WaitVisible(css("alert-acked")))
	if state := p.Text(`[data-testid="alert-state"]`); !strings.Contains(state, secretary.Login) {
		t.Fatalf("after acknowledging, the alert says %q", state)
	}
	p.Until(`document.querySelector('[data-testid="unread"]') === null`)

	// The case: contacts, transfers, and sealing with one action.
	p.Do(chromedp.Click(css("alert-action")), chromedp.WaitVisible(css("case-head")))
	p.Until(noSideways)
	if title := p.Text(`[data-testid="case-title"]`); !strings.Contains(title, c.Ref()) {
		t.Fatalf("the case page is titled %q", title)
	}
	p.Screenshot("case-page")
	p.Do(chromedp.Click(css("seal-sealed")), chromedp.WaitVisible(css("case-sealed")))
	p.Until(`document.querySelector('[data-testid="proposal"]').dataset.drawn === "true"`)
	p.Screenshot("case-sealed")

	// The gate of 枣园小区 turns the sealed place's residents back.
	gate := zones.Checkpoints[6]
	record := func(person *frontline.Person) string {
		t.Helper()
		p.Do(
			chromedp.Navigate(fmt.Sprintf("%s/checkpoints/%d", sc.ts.URL, gate.ID)),
			chromedp.WaitVisible(css("passage-form")),
			chromedp.Click(label("dir-out")),
			chromedp.Click(label("kind-resident")),
			chromedp.SendKeys(css("id-number"), person.IDNumber),
			chromedp.SendKeys(css("temperature"), "36.5"),
			chromedp.SetValue(css("test-hours"), "24"),
			chromedp.Click(css("passage-submit")),
		)
		p.Until(`document.querySelector('[data-testid="decision"]')?.dataset.allowed === "false"`)
		p.Until(noSideways)
		return p.Text(`[data-testid="decision-reasons"]`)
	}
	if reasons := record(neighbour); !strings.Contains(reasons, "封控区人员不得外出") {
		t.Fatalf("the neighbour is refused for %q", reasons)
	}
	p.Screenshot("case-gate-neighbour")
	if mate != nil {
		if reasons := record(mate); !strings.Contains(reasons, "人员，不得外出") {
			t.Fatalf("the household mate is refused for %q", reasons)
		}
	}
	p.Screenshot("case-gate-mate")
}
