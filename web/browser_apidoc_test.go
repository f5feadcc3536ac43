package web_test

import (
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
