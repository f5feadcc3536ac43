package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestOpenAPI_PageInBrowser opens the API document page in Chromium at
// 390 px with every route and schema unfolded: nothing scrolls sideways.
func TestOpenAPI_PageInBrowser(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newFullServer(t, db, f)
	ts.user(t, "integrator", frontline.RoleCityAdmin, f.city)
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, "integrator")
	p.Do(chromedp.Navigate(ts.URL+"/api-docs"), chromedp.WaitVisible(css("apidoc-json")))
	opened := browser.Get(p, chromedp.Evaluate[int](`document.querySelectorAll('details').forEach(d => d.open = true); document.querySelectorAll('details[open]').length`))
	if opened < 150 {
		t.Errorf("only %d routes and schemas unfolded", opened)
	}
	fitsPhone(t, p, "the API document")
	p.Screenshot("apidoc-phone")
}

// TestNotice_PersonPageInBrowser opts a resident out of SMS notices from
// the person page in Chromium at 390 px: the page fits, and says so.
func TestNotice_PersonPageInBrowser(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withNotices(db))
	ts.user(t, "gridworker", frontline.RoleGridWorker, f.comm1)
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, "gridworker")
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/persons/%d", ts.URL, f.persons[3].ID)), chromedp.WaitVisible(css("person-notices-toggle")))
	fitsPhone(t, p, "the person page with its notices line")
	p.Do(chromedp.Click(css("person-notices-toggle")), chromedp.WaitVisible(`[data-testid="person-notices"][data-opted-out="true"]`))
	fitsPhone(t, p, "the person page after opting out")
	p.Screenshot("person-notices-opted-out")
}
