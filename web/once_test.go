package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

var formTokenRe = regexp.MustCompile(`data-testid="new-round"><input type="hidden" name="form_token" value="([^"]+)"`)

// roundCount counts the rounds in db.
func roundCount(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	_, n, err := sqldb.NewRoundService(db).FindRounds(context.Background(), frontline.RoundFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestForms_SentTwice sends the new round form twice with one token, then
// twice at once with another, as a phone's back button and a double tap
// do: each makes one round, and every sending is led to it. A refused
// sending gives its token up, so the corrected form goes through.
func TestForms_SentTwice(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f, withTesting(db, t))
		c := ts.client
		token := func() string {
			_, body := c.get(t, "/rounds")
			m := formTokenRe.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("the new round form has no token:\n%s", body)
			}
			return m[1]
		}
		form := func(tok, name string) url.Values {
			return url.Values{"name": {name}, "scope": {fmt.Sprint(f.city.ID)}, "day": {"2026-06-02"}, "starts": {"06:00"},
				"ends": {"18:00"}, "test_type": {"PCR"}, "form_token": {tok}}
		}

		t.Run("BackAndSendAgain", func(t *testing.T) {
			tok := token()
			first, _ := c.postForm(t, "/rounds", form(tok, "第一轮"))
			again, _ := c.postForm(t, "/rounds", form(tok, "第一轮"))
			if first.StatusCode != http.StatusSeeOther || again.StatusCode != http.StatusSeeOther ||
				again.Header.Get("Location") != first.Header.Get("Location") {
				t.Fatalf("first %d %q, again %d %q: want both led to the same round", first.StatusCode, first.Header.Get("Location"),
					again.StatusCode, again.Header.Get("Location"))
			}
			if n := roundCount(t, db); n != 1 {
				t.Fatalf("%d rounds after sending one form twice", n)
			}
		})

		t.Run("DoubleTap", func(t *testing.T) {
			tok := token()
			var wg sync.WaitGroup
			locs := make([]string, 2)
			for i := range locs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest(http.MethodPost, ts.URL+"/rounds", strings.NewReader(func() string {
						v := form(tok, "第二轮")
						v.Set("csrf", c.csrf)
						return v.Encode()
					}()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					resp, err := c.http.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					locs[i] = fmt.Sprint(resp.StatusCode, " ", resp.Header.Get("Location"))
				}()
			}
			wg.Wait()
			if locs[0] != locs[1] || !regexp.MustCompile(`^303 /rounds/\d+$`).MatchString(locs[0]) {
				t.Fatalf("two taps answered %q and %q, want one round for both", locs[0], locs[1])
			}
			if n := roundCount(t, db); n != 2 {
				t.Fatalf("%d rounds after a double tap, want 2 in all", n)
			}
		})

		t.Run("RefusedThenCorrected", func(t *testing.T) {
			tok := token()
			bad := form(tok, "第三轮")
			bad.Set("starts", "6点")
			if resp, _ := c.postForm(t, "/rounds", bad); resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("a bad start time: %d", resp.StatusCode)
			}
			if resp, body := c.postForm(t, "/rounds", form(tok, "第三轮")); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("the corrected form: %d %s", resp.StatusCode, body)
			}
			if n := roundCount(t, db); n != 3 {
				t.Fatalf("%d rounds, want 3", n)
			}
		})
	})
}

// TestBrowser_FormBackAndResubmit makes a round in Chromium, goes back to
// the form and sends it again, as the field trial did: still one round,
// and the second sending shows the first round.
func TestBrowser_FormBackAndResubmit(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, ts.client.login)
	p.Do(
		chromedp.Navigate(ts.URL+"/rounds"),
		chromedp.WaitVisible(css("new-round")),
		chromedp.SetValue(css("round-name"), "返回再提交"),
		chromedp.SetValue(css("round-day"), "2026-06-02"),
		chromedp.SetValue(`input[name="starts"]`, "06:00"),
		chromedp.SetValue(`input[name="ends"]`, "18:00"),
		chromedp.Click(css("create-round")),
	)
	p.Until(`/^\/rounds\/\d+$/.test(location.pathname) && !!document.querySelector('[data-testid="coverage"]')`)
	first := browser.Get(p, chromedp.Location())
	// Back to the form, as the phone's back button does, and send it
	// again. The page may come from the back-forward cache, whose restored
	// document chromedp's DOM waits do not see: it is driven with script.
	browser.Get(p, chromedp.Evaluate[any](`history.back()`))
	p.Until(`location.pathname === "/rounds" && !!document.querySelector('[data-testid="create-round"]')`)
	p.Until(`document.querySelector('[data-testid="create-round"]').click(), true`)
	p.Until(`/^\/rounds\/\d+$/.test(location.pathname) && !!document.querySelector('[data-testid="coverage"]')`)
	if again := browser.Get(p, chromedp.Location()); again != first {
		t.Fatalf("the second sending shows %s, want the first round %s", again, first)
	}
	if n := roundCount(t, db); n != 1 {
		t.Fatalf("%d rounds after going back and sending the form again", n)
	}
}

// TestRoundPage_DeleteDraft deletes a draft round from its page; an open
// round's page offers no deletion and the API refuses one.
func TestRoundPage_DeleteDraft(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	c := ts.client
	resp, _ := c.postForm(t, "/rounds", url.Values{"name": {"建错了"}, "scope": {fmt.Sprint(f.city.ID)}, "day": {"2026-06-02"},
		"starts": {"06:00"}, "ends": {"18:00"}})
	page := resp.Header.Get("Location")
	if _, body := c.get(t, page); !strings.Contains(body, `data-testid="delete-round"`) {
		t.Fatalf("a draft round's page offers no deletion:\n%s", body)
	}
	if resp, body := c.postForm(t, page+"/delete", nil); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/rounds") {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	if n := roundCount(t, db); n != 0 {
		t.Fatalf("%d rounds after deleting the draft", n)
	}
	open := openCityRound(t, db, f)
	if _, body := c.get(t, fmt.Sprintf("/rounds/%d", open.ID)); strings.Contains(body, `data-testid="delete-round"`) {
		t.Fatal("an open round's page offers a deletion")
	}
	resp, body := c.sendJSON(t, http.MethodDelete, fmt.Sprintf("/api/v1/rounds/%d", open.ID), nil)
	mustStatus(t, resp, body, http.StatusConflict, nil)
}
