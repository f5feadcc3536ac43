package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_RoundLive opens a round's dashboard in Chromium and binds
// through a station's device token meanwhile: the node's sampled count,
// the site's and the station's follow over server-sent events, without a
// reload.
func TestBrowser_RoundLive(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	admin := ts.client
	rs := openRoundAPI(t, ts, f)
	id := rs.round.ID
	station := ts.device(rs.token)
	bind := func(req string, persons ...int64) {
		t.Helper()
		resp, body := station.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/bindings", id), map[string]any{
			"request_id": req, "tube": "LIVE-1", "persons": persons})
		mustStatus(t, resp, body, http.StatusOK, nil)
	}
	bind("live-1", f.persons[0].ID)

	p := b.NewPage(t, browser.Desktop)
	signInBrowser(p, ts.URL, admin.login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/rounds/%d", ts.URL, id)), chromedp.WaitVisible(css("coverage")))
	p.Until(`!document.querySelector('[data-live-flag]').hidden`)
	if got := p.Text(`.figures [data-count="sampled"]`); got != "1" {
		t.Fatalf("sampled before: %q", got)
	}
	bind("live-2", f.persons[1].ID)
	p.Until(`document.querySelector('.figures [data-count="sampled"]').textContent === "2"`)
	p.Until(fmt.Sprintf(`document.querySelector('tr[data-station="%d"] [data-count="sampled"]').textContent === "2"`, rs.station.ID))
	p.Until(fmt.Sprintf(`document.querySelector('tr[data-site="%d"] [data-count="sampled"]').textContent === "2"`, rs.site.ID))
	if text := p.Text("main"); strings.Contains(text, "%!") {
		t.Fatalf("a message formatted with the wrong verb: %s", text)
	}
	p.Screenshot("round-dashboard")
}
