package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_RoundSetup sets an open round up on a phone, from the rounds
// list: adds a site, adds a station and reads its token (which signs in),
// tries a pool of 99 in the sealed zone and reads the message beside it,
// and saves the call-up plan, whose notice says how many call-ups went
// out.
func TestBrowser_RoundSetup(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	round := openCityRound(t, db, f)

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, ts.client.login)
	link := fmt.Sprintf(`tr[data-round="%d"] [data-testid="setup-link"]`, round.ID)
	p.Do(chromedp.Navigate(ts.URL+"/rounds"), chromedp.WaitVisible(chromedp.CSS(link)), chromedp.Click(chromedp.CSS(link)),
		chromedp.WaitVisible(css("new-site")))
	p.Screenshot("round-setup-empty")

	// A site at the first compound; its hours default to the round's.
	p.Do(chromedp.SetValue(css("new-site-place"), fmt.Sprint(f.comp1.ID)),
		chromedp.SendKeys(css("new-site-name"), "枣园小区采样点"),
		chromedp.SendKeys(css("new-site-location"), "北门广场"),
		chromedp.Click(css("add-site")))
	p.Until(`document.querySelector('[data-testid="notice"]') !== null && document.querySelector('[data-testid="site"]') !== null`)
	if got := p.Text(`[data-testid="site-name"]`); got != "枣园小区采样点" {
		t.Fatalf("site listed as %q", got)
	}
	p.Screenshot("round-setup-site")

	// A station: the answer shows its token once, as text and QR code.
	p.Do(chromedp.SendKeys(css("new-station-name"), "1号台"), chromedp.Click(css("add-station")))
	p.Until(`document.querySelector('[data-testid="station-secret"]') !== null`)
	secret := strings.TrimSpace(p.Text(`[data-testid="station-secret"]`))
	if resp, _ := ts.device(secret).get(t, "/api/v1/me"); resp.StatusCode != 200 {
		t.Fatalf("the token shown signs in: %d", resp.StatusCode)
	}
	p.Screenshot("round-setup-token")
	p.Do(chromedp.Click(css("back-to-setup")))
	p.Until(`document.querySelector('[data-testid="station"]') !== null`)

	// A pool of 99 in the sealed zone: the message stands beside it.
	p.Do(chromedp.SetValue(css("policy-mode-sealed"), "pool"), chromedp.SetValue(css("policy-size-sealed"), "99"),
		chromedp.Click(css("save-policy")))
	p.Until(`document.querySelector('[data-testid="error-policy-sealed"]') !== null`)
	if msg := p.Text(`[data-testid="error-policy-sealed"]`); !strings.Contains(msg, "封控区") {
		t.Fatalf("the policy message does not name the level: %q", msg)
	}
	p.Screenshot("round-setup-policy-error")

	// The plan: one station for five persons is under the band; saving
	// queues the call-ups.
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/rounds/%d/setup#plan", ts.URL, round.ID)), chromedp.WaitVisible(css("plan-slots")))
	if w := p.Text(`[data-testid="plan-warnings"]`); !strings.Contains(w, "每台只采") {
		t.Fatalf("plan warnings: %q", w)
	}
	p.Screenshot("round-setup-plan")
	p.Do(chromedp.Click(css("save-plan")))
	p.Until(`document.querySelector('[data-testid="notice"]') !== null`)
	saved, err := sqldb.NewSiteService(db).FindSavedPlan(context.Background(), round.ID)
	if err != nil || saved.Notices == 0 {
		t.Fatalf("saved plan: %v %+v", err, saved)
	}
	if got := p.Text(`[data-testid="notice"]`); !strings.Contains(got, fmt.Sprintf("%d 条召集通知", saved.Notices)) {
		t.Fatalf("notice %q, want the %d notices", got, saved.Notices)
	}
	if text := p.Text("main"); strings.Contains(text, "%!") {
		t.Fatalf("a message formatted with the wrong verb: %s", text)
	}
	p.Screenshot("round-setup-saved")
	if r, _ := sqldb.NewRoundService(db).FindRoundByID(context.Background(), round.ID); r.Policy["sealed"].Mode != frontline.PoolSingle {
		t.Fatalf("the refused policy changed the round: %+v", r.Policy)
	}
}
