package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// css is a CSS selector for data-testid.
func css(testid string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + testid + `"]`) }

// signInBrowser signs in through the login page.
func signInBrowser(p *browser.Page, base, login string) { p.SignIn(base, login, goodPassword) }

// TestBrowser_Secretary walks the flow in Chromium as the secretary
// of 罗玉新村社区 on a phone: sign in, browse the tree down to a household,
// reveal an ID number and find the reveal in the audit log, edit a person
// with a bad phone and see the message beside the field, switch to
// English, sign out. Screenshots of each page are saved at phone and
// desktop size.
func TestBrowser_Secretary(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db)
	ts.user(t, "xiahong", frontline.RoleCommunitySecretary, f.comm1)
	zhang := f.persons[0]

	p := b.NewPage(t, browser.Phone)
	p.Do(chromedp.Navigate(ts.URL + "/login"))
	p.Screenshot("login")
	signInBrowser(p, ts.URL, "xiahong")
	p.Screenshot("home")

	// Down the tree by its links: community, compound, building, unit, household.
	for _, pl := range []*frontline.Place{f.comm1, f.comp1, f.bld1, f.unit1, f.hh[0]} {
		link := chromedp.CSS(fmt.Sprintf(`a[href="/places/%d"]`, pl.ID))
		p.Do(chromedp.WaitVisible(link), chromedp.Click(link), chromedp.WaitVisible(css("crumbs")))
		if h := p.Text("h1"); !strings.Contains(h, pl.Name) {
			t.Fatalf("after clicking %s the page is %q", pl.Name, h)
		}
	}
	p.Screenshot("household")
	if masked := p.Text(`[data-testid="person-id"]`); !strings.Contains(masked, "*") || strings.Contains(masked, zhang.IDNumber) {
		t.Fatalf("household page shows %q, want a masked ID number", masked)
	}

	// Reveal, then find the reveal in the audit log.
	p.Do(chromedp.Click(css(fmt.Sprintf("reveal-%d", zhang.ID))), chromedp.WaitVisible(css("revealed-id")))
	if got := p.Text(`[data-testid="revealed-id"]`); got != zhang.IDNumber {
		t.Fatalf("revealed %q, want %s", got, zhang.IDNumber)
	}
	p.Screenshot("reveal")
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/audit?entity=person&entity_id=%d&action=reveal", ts.URL, zhang.ID)),
		chromedp.WaitVisible(css("changes")))
	if got := p.Text(`[data-testid="change-action"]`); !strings.Contains(got, "reveal") && !strings.Contains(got, "查看") {
		t.Fatalf("audit page shows action %q, want the reveal", got)
	}
	p.Screenshot("audit")

	// Edit with a bad phone: the message stands beside the field and nothing changes.
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/persons/%d", ts.URL, zhang.ID)), chromedp.WaitVisible(css("person-details")))
	p.Screenshot("person")
	p.Do(chromedp.Click(css("edit")), chromedp.WaitVisible(css("field-phone")),
		chromedp.SetValue(css("field-phone"), "12345"), chromedp.Click(css("save")),
		chromedp.WaitVisible(css("error-phone")))
	if msg := p.Text(`[data-testid="error-phone"]`); msg == "" {
		t.Fatal("no message beside the phone field")
	}
	p.Screenshot("person-edit-error")
	if got, _ := sqldb.NewPersonService(db).FindPersonByID(t.Context(), zhang.ID); got.Phone != zhang.Phone {
		t.Fatalf("a refused edit changed the phone to %q", got.Phone)
	}

	// English, remembered on the next page.
	p.Do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css("lang-switch")), chromedp.Click(css("lang-switch")))
	p.Until(`document.documentElement.lang === "en"`)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/places/%d", ts.URL, f.comm1.ID)), chromedp.WaitVisible(css("crumbs")))
	if lang := browser.Get(p, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
		t.Fatalf("page language after switching: %q", lang)
	}
	p.Screenshot("community-en")

	// Sign out: the start page asks to sign in again.
	p.Do(chromedp.Click(css("logout")))
	p.Until(`document.querySelector('[data-testid="login-form"]') !== null`)
	p.Do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css("login-form")))
}

// TestBrowser_Desktop saves the main pages at desktop size.
func TestBrowser_Desktop(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db)
	ts.user(t, "admin", frontline.RoleCityAdmin, f.city)
	p := b.NewPage(t, browser.Desktop)
	p.Do(chromedp.Navigate(ts.URL + "/login"))
	p.Screenshot("login")
	signInBrowser(p, ts.URL, "admin")
	p.Screenshot("home")
	for name, path := range map[string]string{
		"community": fmt.Sprintf("/places/%d", f.comm1.ID),
		"household": fmt.Sprintf("/places/%d", f.hh[0].ID),
		"person":    fmt.Sprintf("/persons/%d", f.persons[0].ID),
		"search":    "/search?q=" + "张",
		"users":     "/users",
		"audit":     "/audit",
	} {
		p.Do(chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
		if strings.Contains(p.Text("main"), "500") {
			t.Errorf("%s: the page shows an error", path)
		}
		p.Screenshot(name)
	}
}
