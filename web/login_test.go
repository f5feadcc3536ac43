package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// sessionCookie returns the session cookie a response sets, or nil.
func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "frontline_session" {
			return c
		}
	}
	return nil
}

// loginError returns the message shown next to the sign-in form.
func loginError(body string) string {
	m := regexp.MustCompile(`data-testid="login-error" role="alert">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// clock sets db's clock to a fixed time and returns a function that moves
// it forward.
func clock(db *sqldb.DB) func(time.Duration) {
	var now atomic.Int64
	now.Store(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	db.Now = func() time.Time { return time.Unix(0, now.Load()).UTC() }
	return func(d time.Duration) { now.Add(int64(d)) }
}

func TestLogin(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		var delays atomic.Int64
		ts := newDBServer(t, db, func(s *web.Server) {
			s.LoginDelay = func() time.Duration { delays.Add(1); return 0 }
		})
		ts.user(t, "zhang.san", frontline.RoleCommunityStaff, f.comm1)
		t.Run("BackToThePageAsked", func(t *testing.T) {
			c := ts.anonymous()
			path := fmt.Sprintf("/places/%d?lang=zh-CN", f.comm1.ID)
			resp, _ := c.get(t, path)
			next := "/login?next=" + url.QueryEscape(path)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != next {
				t.Fatalf("signed out: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), next)
			}
			_, body := c.get(t, next)
			assertContains(t, body, `name="next" value="`+path+`"`, `data-testid="login-form"`)
			resp, _ = c.postForm(t, "/login", url.Values{"login": {"ZHANG.SAN"}, "password": {goodPassword}, "next": {path}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
				t.Fatalf("sign in: %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), path)
			}
			ck := sessionCookie(resp)
			if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || len(ck.Value) < 40 {
				t.Fatalf("session cookie %+v", ck)
			}
			if resp, _ := c.get(t, path); resp.StatusCode != http.StatusOK {
				t.Fatalf("after sign-in: %d", resp.StatusCode)
			}
		})
		t.Run("OnlyLocalNext", func(t *testing.T) {
			for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""} {
				resp, _ := ts.anonymous().postForm(t, "/login", url.Values{"login": {"zhang.san"}, "password": {goodPassword}, "next": {next}})
				if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
					t.Errorf("next %q: %d to %q, want /", next, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
		})
		t.Run("Refused", func(t *testing.T) {
			before := delays.Load()
			resp, wrong := ts.anonymous().postForm(t, "/login", url.Values{"login": {"zhang.san"}, "password": {"not the password"}})
			if resp.StatusCode != http.StatusUnauthorized || sessionCookie(resp) != nil {
				t.Fatalf("wrong password: %d, cookie %v", resp.StatusCode, sessionCookie(resp))
			}
			_, unknown := ts.anonymous().postForm(t, "/login", url.Values{"login": {"nobody"}, "password": {"not the password"}})
			// The answer does not tell whether the login exists.
			if loginError(wrong) != "账号或密码不正确。" || loginError(unknown) != loginError(wrong) {
				t.Fatalf("messages %q and %q", loginError(wrong), loginError(unknown))
			}
			assertContains(t, wrong, `value="zhang.san"`)
			if n := delays.Load() - before; n != 2 {
				t.Fatalf("%d delayed answers for 2 failures", n)
			}
		})
		t.Run("SecureCookie", func(t *testing.T) {
			secure := newDBServer(t, db, func(s *web.Server) { s.Secure = true })
			resp, _ := secure.anonymous().postForm(t, "/login", url.Values{"login": {"zhang.san"}, "password": {goodPassword}})
			if ck := sessionCookie(resp); ck == nil || !ck.Secure {
				t.Fatalf("cookie %+v, want Secure", ck)
			}
		})
	})
}

// refusingUsers refuses every sign-in with err.
type refusingUsers struct {
	stubUsers
	err error
}

func (u refusingUsers) Login(ctx context.Context, login, password, addr, userAgent string) (*frontline.User, string, error) {
	return nil, "", u.err
}

// TestLogin_RefusalByReason checks that the sign-in page picks its message
// by the reason the store wraps, not by the store's English words.
func TestLogin_RefusalByReason(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"Locked", &frontline.Error{Code: frontline.EUNAUTHORIZED, Message: "computer says no", Err: frontline.ErrLocked},
			"登录失败次数过多，暂时不能登录。请稍后再试，或请管理员重设密码。"},
		{"Disabled", &frontline.Error{Code: frontline.EUNAUTHORIZED, Message: "computer says no", Err: frontline.ErrDisabled},
			"该账号已停用，请联系管理员。"},
		{"WordsAlone", frontline.Errorf(frontline.EUNAUTHORIZED, "account locked or disabled"), "账号或密码不正确。"},
		{"WrongPassword", &frontline.Error{Code: frontline.EUNAUTHORIZED, Message: "wrong login or password", Err: frontline.ErrWrongPassword},
			"账号或密码不正确。"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, brokenPlaces{}, stubPersons{}, func(s *web.Server) { s.Users = refusingUsers{err: tt.err} })
			resp, body := ts.anonymous().postForm(t, "/login", url.Values{"login": {"zhang.san"}, "password": {goodPassword}})
			if resp.StatusCode != http.StatusUnauthorized || loginError(body) != tt.want {
				t.Fatalf("%d %q, want 401 %q", resp.StatusCode, loginError(body), tt.want)
			}
		})
	}
}

// TestLogin_Lockout signs in wrongly as often as the policy allows: the
// last answer and every later one, even with the right password, say the
// account is locked; an admin's new password lifts the lock.
func TestLogin_Lockout(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		u := ts.user(t, "li.si", frontline.RoleGridWorker, f.comm1)
		var body string
		for i := 1; i <= testPolicy.MaxFailures; i++ {
			_, body = ts.anonymous().postForm(t, "/login", url.Values{"login": {"li.si"}, "password": {fmt.Sprintf("wrong %d", i)}})
			if i < testPolicy.MaxFailures && loginError(body) != "账号或密码不正确。" {
				t.Fatalf("failure %d: %q", i, loginError(body))
			}
		}
		if !strings.Contains(loginError(body), "登录失败次数过多") {
			t.Fatalf("after %d failures: %q", testPolicy.MaxFailures, loginError(body))
		}
		resp, body := ts.anonymous().postForm(t, "/login", url.Values{"login": {"li.si"}, "password": {goodPassword}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(loginError(body), "登录失败次数过多") {
			t.Fatalf("right password while locked: %d %q", resp.StatusCode, loginError(body))
		}
		_, body = ts.anonymous().postRaw(t, "/login", url.Values{"login": {"li.si"}, "password": {goodPassword}},
			http.Header{"Cookie": {"lang=en"}})
		if !strings.Contains(loginError(body), "Too many failed sign-ins") {
			t.Fatalf("English lock message: %q", loginError(body))
		}
		if err := ts.users.SetPassword(context.Background(), u.ID, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		// The address was locked as well; a sign-in from another address
		// shows the account itself is open again.
		_, secret, err := ts.users.Login(context.Background(), "li.si", "a brand new password", "10.9.9.9", "test")
		if err != nil || secret == "" {
			t.Fatalf("after a new password: %v", err)
		}
	})
}

// TestSession_Expiry moves the store's clock past the idle limit and past
// the absolute limit of a session.
func TestSession_Expiry(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		c := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		advance(testPolicy.SessionTTL - time.Minute)
		if resp, _ := c.get(t, "/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("within the idle limit: %d", resp.StatusCode)
		}
		advance(testPolicy.SessionTTL + time.Minute)
		resp, _ := c.get(t, "/")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Fatalf("idle past the limit: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if ck := sessionCookie(resp); ck == nil || ck.MaxAge >= 0 {
			t.Fatalf("the ended session's cookie was not cleared: %+v", ck)
		}
		if resp, body := c.get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("API after expiry: %d %s", resp.StatusCode, body)
		}

		// Used every 50 minutes, a session still ends SessionMax after
		// sign-in.
		c = ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		step, elapsed := 50*time.Minute, time.Duration(0)
		for elapsed+step < testPolicy.SessionMax {
			advance(step)
			elapsed += step
			if resp, _ := c.get(t, "/api/v1/me"); resp.StatusCode != http.StatusOK {
				t.Fatalf("in use after %v: %d", elapsed, resp.StatusCode)
			}
		}
		advance(step)
		if resp, _ := c.get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("past SessionMax, used %v ago: %d", step, resp.StatusCode)
		}
	})
}

func TestLogout(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		t.Run("ThisBrowser", func(t *testing.T) {
			c := ts.as(t, frontline.RoleVolunteer, f.comm1)
			secret := c.http.Jar.Cookies(mustURL(t, ts.URL))[0]
			resp, _ := c.postForm(t, "/logout", nil)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
				t.Fatalf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if ck := sessionCookie(resp); ck == nil || ck.MaxAge >= 0 {
				t.Fatalf("cookie not cleared: %+v", ck)
			}
			// The session is gone from the store, not only from the browser.
			if resp, _ := ts.anonymous().do(t, http.MethodGet, "/api/v1/me", nil, nil, secret); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("old session after logout: %d", resp.StatusCode)
			}
		})
		t.Run("Everywhere", func(t *testing.T) {
			ts.user(t, "wang.wu", frontline.RoleGridWorker, f.comm1)
			phone, desk := ts.signIn(t, "wang.wu", goodPassword), ts.signIn(t, "wang.wu", goodPassword)
			other := ts.as(t, frontline.RoleGridWorker, f.comm1)
			_, body := desk.get(t, "/account")
			assertContains(t, body, `action="/logout/all"`, `data-testid="logout-all"`)
			if resp, _ := desk.postForm(t, "/logout/all", nil); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout everywhere: %d", resp.StatusCode)
			}
			for name, c := range map[string]*client{"phone": phone, "desk": desk} {
				if resp, _ := c.get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("%s still signed in: %d", name, resp.StatusCode)
				}
			}
			if resp, _ := other.get(t, "/api/v1/me"); resp.StatusCode != http.StatusOK {
				t.Errorf("another user was signed out: %d", resp.StatusCode)
			}
		})
	})
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

var (
	tokenSecretRE = regexp.MustCompile(`data-testid="token-secret">([^<]+)<`)
	tokenRowRE    = regexp.MustCompile(`data-token="(\d+)"`)
)

// TestDeviceToken makes a token on the tokens page, uses it, revokes it.
func TestDeviceToken(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		admin := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		resp, body := admin.postForm(t, "/tokens", url.Values{"name": {"枣园 采样台 1"}, "role": {"sampler"}, "scope_id": {id(f.comp1)}})
		m := tokenSecretRE.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("create token: %d %s", resp.StatusCode, body)
		}
		dev := ts.device(m[1])
		var me struct {
			Login   string `json:"login"`
			Role    string `json:"role"`
			ScopeID int64  `json:"scope_id"`
			Token   bool   `json:"token"`
		}
		dev.getJSON(t, "/api/v1/me", http.StatusOK, &me)
		if me.Role != "sampler" || me.ScopeID != f.comp1.ID || !me.Token || me.Login != "token:枣园 采样台 1" {
			t.Fatalf("me %+v", me)
		}
		dev.getJSON(t, fmt.Sprintf("/api/v1/places/%d", f.comp1.ID), http.StatusOK, nil)
		dev.getJSON(t, fmt.Sprintf("/api/v1/places/%d", f.comm1.ID), http.StatusNotFound, nil) // above its scope
		// The list never shows the secret again.
		_, body = admin.get(t, "/tokens")
		assertContains(t, body, "枣园 采样台 1")
		if strings.Contains(body, m[1]) {
			t.Fatal("the tokens page shows a secret")
		}
		row := tokenRowRE.FindStringSubmatch(body)
		if row == nil {
			t.Fatalf("no token row: %s", body)
		}
		if resp, _ := admin.postForm(t, "/tokens/"+row[1]+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
		var got apiError
		dev.getJSON(t, "/api/v1/me", http.StatusUnauthorized, &got)
		if got.Error.Code != frontline.EUNAUTHORIZED {
			t.Fatalf("revoked token: %+v", got)
		}
		for _, h := range []string{"Basic dXNlcjpwYXNz", "Bearer", "Bearer fl_nonsense"} {
			resp, _ := ts.anonymous().do(t, http.MethodGet, "/api/v1/me", nil, http.Header{"Authorization": {h}})
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("Authorization %q: %d", h, resp.StatusCode)
			}
		}
	})
}

// TestLanguage switches to English: the cookie, the account, and a new
// device that signs in later all follow.
func TestLanguage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		u := ts.user(t, "zhao.liu", frontline.RoleCommunityStaff, f.comm1)
		c := ts.signIn(t, "zhao.liu", goodPassword)
		_, body := c.get(t, "/account")
		assertContains(t, body, `<html lang="zh-CN">`, `action="/lang"`, `name="lang" value="en"`, `name="next" value="/account"`)
		resp, _ := c.postForm(t, "/lang", url.Values{"lang": {"en"}, "next": {"/account"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account" {
			t.Fatalf("switch: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = c.get(t, "/account")
		assertContains(t, body, `<html lang="en">`, "My account", "Sign out everywhere")
		saved, err := ts.users.FindUserByID(context.Background(), u.ID)
		if err != nil || saved.Language != "en" {
			t.Fatalf("saved language %q, %v", saved.Language, err)
		}
		// A new device: English from the first page after sign-in.
		fresh := ts.signIn(t, "zhao.liu", goodPassword)
		_, body = fresh.get(t, "/")
		assertContains(t, body, `<html lang="en">`, "Place tree")
		// Signed out, the switch sets the cookie only.
		anon := ts.anonymous()
		if resp, _ := anon.postForm(t, "/lang", url.Values{"lang": {"en"}, "next": {"/login"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("signed-out switch: %d", resp.StatusCode)
		}
		_, body = anon.get(t, "/login")
		assertContains(t, body, `<html lang="en">`, "Sign in")
		if resp, _ := anon.postForm(t, "/lang", url.Values{"lang": {"fr"}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("unknown language: %d", resp.StatusCode)
		}
	})
}

// TestClientAddress checks which address a change records: the
// connection's, unless it comes from a trusted proxy, and then the last
// untrusted address of X-Forwarded-For.
func TestClientAddress(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		for _, tt := range []struct {
			name    string
			trusted []netip.Prefix
			xff     []string
			want    string
		}{
			{"Direct", nil, nil, "127.0.0.1"},
			{"UntrustedHeaderIgnored", nil, []string{"203.0.113.7"}, "127.0.0.1"},
			{"BehindProxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, []string{"203.0.113.7"}, "203.0.113.7"},
			{"TwoProxies", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")},
				[]string{"198.51.100.1, 203.0.113.7", "10.1.1.1"}, "203.0.113.7"},
			{"Garbled", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, []string{"203.0.113.7, nonsense"}, "127.0.0.1"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				ts := newDBServer(t, db, func(s *web.Server) { s.TrustedProxies = tt.trusted })
				login := "sec-" + strings.ToLower(tt.name)
				ts.user(t, login, frontline.RoleCommunitySecretary, f.comm1)
				c := ts.signIn(t, login, goodPassword)
				resp, _ := c.postRaw(t, fmt.Sprintf("/persons/%d/reveal", f.persons[0].ID), url.Values{"csrf": {c.csrf}},
					http.Header{"X-Forwarded-For": tt.xff})
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("reveal: %d", resp.StatusCode)
				}
				var log struct{ Changes []frontline.Change }
				c.getJSON(t, fmt.Sprintf("/api/v1/audit?action=reveal&actor=%s", c.login), http.StatusOK, &log)
				if len(log.Changes) != 1 || log.Changes[0].Addr != tt.want {
					t.Fatalf("recorded %+v, want the address %s", log.Changes, tt.want)
				}
			})
		}
	})
}
