package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// loginAnswer is what one sign-in posted from a goroutine got back.
type loginAnswer struct {
	status     int
	body       string
	retryAfter string
	err        error
}

// postLogin signs in as login from the client address addr (the server
// trusts the test's loopback proxy), without a cookie jar.
func postLogin(ts *testServer, login, password, addr string) loginAnswer {
	form := url.Values{"login": {login}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return loginAnswer{err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", addr)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return loginAnswer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return loginAnswer{status: resp.StatusCode, body: string(b), retryAfter: resp.Header.Get("Retry-After"), err: err}
}

// TestLogin_ParallelGuesses sends 40 wrong passwords for one account at
// once over HTTP, then the right one. No guess signs in; those past the
// server's share of hashing come back as 503 with Retry-After and the
// login typed; at most the limit's few are checked, the lock is logged
// once, and the right password sent after them is refused with the end of
// the lock in the deployment's time zone.
func TestLogin_ParallelGuesses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		clock(db)
		ts := newDBServer(t, db, func(s *web.Server) {
			s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		})
		u := ts.user(t, "zhou.wu", frontline.RoleGridWorker, f.comm1)
		answers := make([]loginAnswer, 40)
		var wg sync.WaitGroup
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = postLogin(ts, "zhou.wu", fmt.Sprintf("guess %d", i), "203.0.113.9")
			}()
		}
		wg.Wait()
		wrong := 0
		for i, a := range answers {
			switch {
			case a.err != nil:
				t.Fatalf("guess %d: %v", i, a.err)
			case a.status == http.StatusServiceUnavailable:
				if a.retryAfter == "" || loginError(a.body) != "此刻登录的人太多，请过几秒再点一次“登录”。" ||
					!strings.Contains(a.body, `value="zhou.wu"`) {
					t.Fatalf("busy answer: Retry-After %q, %q", a.retryAfter, loginError(a.body))
				}
			case a.status != http.StatusUnauthorized:
				t.Fatalf("guess %d: %d", i, a.status)
			case loginError(a.body) == "账号或密码不正确。":
				wrong++
			}
		}
		if wrong > testPolicy.MaxFailures-1 {
			t.Fatalf("%d guesses were checked and found wrong; the limit allows %d", wrong, testPolicy.MaxFailures-1)
		}
		// However many got through, the ones still allowed are sent now,
		// one by one, until the lock.
		for i := 0; i < testPolicy.MaxFailures; i++ {
			if a := postLogin(ts, "zhou.wu", "one more guess", "203.0.113.9"); strings.Contains(loginError(a.body), "之前不能登录") {
				break
			}
		}
		a := postLogin(ts, "zhou.wu", goodPassword, "203.0.113.9")
		// 08:00 UTC in the fixture's clock, locked for 15 minutes: 16:15
		// in China.
		if a.status != http.StatusUnauthorized || loginError(a.body) != "登录失败次数过多，2026-06-01 16:15 之前不能登录。到时再试，或请管理员重设密码。" {
			t.Fatalf("the right password after the guesses: %d %q", a.status, loginError(a.body))
		}
		var log struct{ Changes []frontline.Change }
		admin := ts.signIn(t, ts.user(t, "city.admin", frontline.RoleCityAdmin, f.city).Login, goodPassword)
		admin.getJSON(t, fmt.Sprintf("/api/v1/audit?action=lock&entity=user&entity_id=%d", u.ID), http.StatusOK, &log)
		if len(log.Changes) != 1 {
			t.Fatalf("%d lock entries, want 1: %+v", len(log.Changes), log.Changes)
		}
	})
}

// TestLogin_FloodDoesNotStarve floods the sign-in from one address with
// made-up accounts while a secretary signs in from another: she gets in,
// and the flood is held to a few places at the server.
func TestLogin_FloodDoesNotStarve(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, func(s *web.Server) {
			s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		})
		ts.user(t, "xia.hong", frontline.RoleCommunitySecretary, f.comm1)
		var wg sync.WaitGroup
		flood := make([]loginAnswer, 60)
		for i := range flood {
			wg.Add(1)
			go func() {
				defer wg.Done()
				flood[i] = postLogin(ts, fmt.Sprintf("guess%02d", i), "password123", "198.51.100.66")
			}()
		}
		her := postLogin(ts, "xia.hong", goodPassword, "203.0.113.20")
		wg.Wait()
		if her.status != http.StatusSeeOther {
			t.Fatalf("the secretary during the flood: %d %q", her.status, loginError(her.body))
		}
		checked := 0
		for i, a := range flood {
			if a.err != nil || (a.status != http.StatusUnauthorized && a.status != http.StatusServiceUnavailable) {
				t.Fatalf("flood %d: %d %v", i, a.status, a.err)
			}
			if loginError(a.body) == "账号或密码不正确。" {
				checked++
			}
		}
		// The address's limit bounds the guesses checked, whatever the
		// accounts; the rest were refused before any hash.
		if checked >= testPolicy.AddressMaxFailures {
			t.Fatalf("%d of the flood's guesses were checked; the address limit is %d", checked, testPolicy.AddressMaxFailures)
		}
	})
}
