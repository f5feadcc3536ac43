package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
)

// goodPassword is the password of every test user.
const goodPassword = "correct horse battery"

// client is a browser or a device talking to a test server: it keeps
// cookies, does not follow redirects (tests check them), and sends the
// session's CSRF token with every form it posts.
type client struct {
	ts    *testServer
	http  *http.Client
	token string // device token, sent as Authorization: Bearer
	csrf  string
	login string
}

// anonymous returns a client that has not signed in.
func (ts *testServer) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{ts: ts, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// device returns a client that sends a device token.
func (ts *testServer) device(token string) *client {
	c := ts.anonymous()
	c.token = token
	return c
}

// user creates a user as the system (a context without a principal).
func (ts *testServer) user(tb testing.TB, login string, role frontline.Role, scope *frontline.Place) *frontline.User {
	tb.Helper()
	u := &frontline.User{Login: login, Name: "用户 " + login, Phone: "13700000000", Role: role, ScopeID: scope.ID}
	if err := ts.users.CreateUser(context.Background(), u, goodPassword); err != nil {
		tb.Fatalf("create user %s: %v", login, err)
	}
	return u
}

// as creates a user of role scoped to scope and signs them in.
func (ts *testServer) as(tb testing.TB, role frontline.Role, scope *frontline.Place) *client {
	tb.Helper()
	ts.seq++
	login := fmt.Sprintf("%s-%d", strings.ReplaceAll(string(role), "_", "-"), ts.seq)
	ts.user(tb, login, role, scope)
	return ts.signIn(tb, login, goodPassword)
}

// signIn signs in through the form and learns the session's CSRF token
// from the start page.
func (ts *testServer) signIn(tb testing.TB, login, password string) *client {
	tb.Helper()
	c := ts.anonymous()
	resp, body := c.postForm(tb, "/login", url.Values{"login": {login}, "password": {password}})
	if resp.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in as %s: status %d; body %s", login, resp.StatusCode, body)
	}
	c.login = login
	c.learnCSRF(tb)
	return c
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// learnCSRF reads the CSRF token from the account page's forms.
func (c *client) learnCSRF(tb testing.TB) {
	tb.Helper()
	resp, body := c.get(tb, "/account")
	m := csrfInput.FindStringSubmatch(body)
	if resp.StatusCode != http.StatusOK || m == nil {
		tb.Fatalf("no CSRF token on the account page (status %d): %s", resp.StatusCode, body)
	}
	c.csrf = m[1]
}

// do sends one request and returns the response and its body.
func (c *client) do(tb testing.TB, method, path string, body io.Reader, header http.Header, cookies ...*http.Cookie) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, c.ts.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, string(b)
}

func (c *client) get(tb testing.TB, path string) (*http.Response, string) {
	tb.Helper()
	return c.do(tb, http.MethodGet, path, nil, nil)
}

// postForm posts a form with the session's CSRF token, as the pages do.
func (c *client) postForm(tb testing.TB, path string, form url.Values) (*http.Response, string) {
	tb.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.csrf != "" && form.Get("csrf") == "" {
		form.Set("csrf", c.csrf)
	}
	return c.postRaw(tb, path, form, nil)
}

// postRaw posts a form as given, with extra headers.
func (c *client) postRaw(tb testing.TB, path string, form url.Values, header http.Header) (*http.Response, string) {
	tb.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	for k, vs := range header {
		h[k] = vs
	}
	return c.do(tb, http.MethodPost, path, strings.NewReader(form.Encode()), h)
}

// sendJSON sends v as JSON, with the CSRF header when the client is a
// browser session.
func (c *client) sendJSON(tb testing.TB, method, path string, v any) (*http.Response, string) {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if c.csrf != "" {
		h.Set("X-CSRF-Token", c.csrf)
	}
	return c.do(tb, method, path, strings.NewReader(string(b)), h)
}

// getJSON requests path and decodes the body into v after checking the
// status.
func (c *client) getJSON(tb testing.TB, path string, status int, v any) string {
	tb.Helper()
	resp, body := c.get(tb, path)
	return decodeAPI(tb, "GET "+path, resp, body, status, v)
}

// stubUsers accepts the device token "test-token" as a city admin whose
// scope is node 1. Other methods panic on the nil
// embedded interface.
type stubUsers struct{ frontline.UserService }

func (stubUsers) AuthenticateToken(ctx context.Context, secret string) (*frontline.Principal, error) {
	if secret != "test-token" {
		return nil, frontline.Errorf(frontline.EUNAUTHORIZED, "unknown or revoked token")
	}
	return &frontline.Principal{TokenID: 1, Login: "token:test", Role: frontline.RoleCityAdmin, ScopeID: 1, ScopePath: "/1/"}, nil
}

// Authenticate accepts the session secret "test-session" as the same city
// admin.
func (stubUsers) Authenticate(ctx context.Context, secret string) (*frontline.Principal, error) {
	if secret != "test-session" {
		return nil, frontline.Errorf(frontline.EUNAUTHORIZED, "your session has ended")
	}
	return &frontline.Principal{UserID: 1, Login: "stub", Role: frontline.RoleCityAdmin, ScopeID: 1, ScopePath: "/1/"}, nil
}

// stubSession is the cookie stubUsers accepts.
var stubSession = &http.Cookie{Name: "frontline_session", Value: "test-session"}

// stubAudit records nothing; the tests that use it never ask it.
type stubAudit struct{ frontline.AuditService }
