package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// probe is one request of the access table: what it needs, and whether
// its target lies outside the caller's scope (the first community's
// callers asking about the second community).
type probe struct {
	method, path string
	form         url.Values // posted as a page form
	json         any        // sent as a JSON body
	need         frontline.Permission
	out          bool
	ok           int // the status when allowed
}

func (p probe) String() string { return p.method + " " + p.path }

func (p probe) api() bool { return strings.HasPrefix(p.path, "/api/") }

// want is the status a caller of role should get: 403 without the
// permission, then 404 for a target outside the scope, as if it did not
// exist.
func (p probe) want(role frontline.Role) int {
	switch {
	case p.need != "" && !role.Can(p.need):
		return http.StatusForbidden
	case p.out:
		return http.StatusNotFound
	}
	return p.ok
}

// send makes the request as c.
func (p probe) send(tb testing.TB, c *client) (*http.Response, string) {
	tb.Helper()
	switch {
	case p.json != nil:
		return c.sendJSON(tb, p.method, p.path, p.json)
	case p.method == http.MethodPost:
		return c.postForm(tb, p.path, p.form)
	}
	return c.do(tb, p.method, p.path, nil, nil)
}

// accessProbes are the requests of the access table against the fixture:
// every entity type (place, household, person, user, audit) is asked for
// inside the first community and outside it, by page and by API.
func accessProbes(f *fixture, in, out *frontline.User) []probe {
	read, edit, reveal := frontline.PermReadRegistry, frontline.PermEditRegistry, frontline.PermRevealPerson
	users, audit := frontline.PermManageUsers, frontline.PermReadAudit
	p := f.persons
	get := func(path string, need frontline.Permission, out bool) probe {
		return probe{method: http.MethodGet, path: path, need: need, out: out, ok: http.StatusOK}
	}
	post := func(path string, need frontline.Permission, out bool, ok int) probe {
		return probe{method: http.MethodPost, path: path, need: need, out: out, ok: ok}
	}
	sendJSON := func(method, path string, body any, need frontline.Permission, out bool) probe {
		return probe{method: method, path: path, json: body, need: need, out: out, ok: http.StatusOK}
	}
	return []probe{
		get("/", "", false), get("/account", "", false), get("/api/v1/me", "", false),
		get(fmt.Sprintf("/places/%d", f.comm1.ID), read, false), get(fmt.Sprintf("/places/%d", f.comm2.ID), read, true),
		get(fmt.Sprintf("/places/%d", f.hh[0].ID), read, false), get(fmt.Sprintf("/places/%d", f.hh[2].ID), read, true),
		get(fmt.Sprintf("/persons/%d", p[0].ID), read, false), get(fmt.Sprintf("/persons/%d", p[4].ID), read, true),
		get("/search?by=name&q="+url.QueryEscape("张"), read, false),
		get(fmt.Sprintf("/persons/%d/edit", p[0].ID), edit, false), get(fmt.Sprintf("/persons/%d/edit", p[4].ID), edit, true),
		get(fmt.Sprintf("/households/%d/persons/new", f.hh[0].ID), edit, false),
		get(fmt.Sprintf("/households/%d/persons/new", f.hh[2].ID), edit, true),
		post(fmt.Sprintf("/persons/%d/reveal", p[0].ID), reveal, false, http.StatusOK),
		post(fmt.Sprintf("/persons/%d/reveal", p[4].ID), reveal, true, 0),
		post(fmt.Sprintf("/persons/%d/moveout", p[3].ID), edit, false, http.StatusSeeOther),
		post(fmt.Sprintf("/persons/%d/moveout", p[6].ID), edit, true, 0),
		get("/users", users, false), get(fmt.Sprintf("/users/%d", in.ID), users, false), get(fmt.Sprintf("/users/%d", out.ID), users, true),
		get("/tokens", users, false),
		get("/audit", audit, false), get("/audit/export.csv", audit, false), get(fmt.Sprintf("/audit?under=%d", f.comm2.ID), audit, true),

		get(fmt.Sprintf("/api/v1/places/%d", f.comm1.ID), read, false), get(fmt.Sprintf("/api/v1/places/%d", f.comm2.ID), read, true),
		get(fmt.Sprintf("/api/v1/places?under=%d", f.comm2.ID), read, true),
		get(fmt.Sprintf("/api/v1/households/%d", f.hh[0].ID), read, false), get(fmt.Sprintf("/api/v1/households/%d", f.hh[2].ID), read, true),
		get(fmt.Sprintf("/api/v1/persons/%d", p[0].ID), read, false), get(fmt.Sprintf("/api/v1/persons/%d", p[4].ID), read, true),
		get(fmt.Sprintf("/api/v1/persons?under=%d", f.comm2.ID), read, true),
		get(fmt.Sprintf("/api/v1/persons/%d/history", p[0].ID), read, false),
		sendJSON(http.MethodPatch, fmt.Sprintf("/api/v1/persons/%d", p[1].ID), map[string]any{"relation": "spouse"}, edit, false),
		sendJSON(http.MethodPatch, fmt.Sprintf("/api/v1/persons/%d", p[6].ID), map[string]any{"relation": "other"}, edit, true),
		sendJSON(http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/move", p[1].ID), map[string]any{"household_id": f.hh[0].ID}, edit, false),
		sendJSON(http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/move", p[1].ID), map[string]any{"household_id": f.hh[2].ID}, edit, true),
		sendJSON(http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/move", p[4].ID), map[string]any{"household_id": f.hh[0].ID}, edit, true),
		sendJSON(http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/reveal", p[0].ID), map[string]any{}, reveal, false),
		sendJSON(http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/reveal", p[4].ID), map[string]any{}, reveal, true),
		get("/api/v1/users", users, false), get(fmt.Sprintf("/api/v1/users/%d", in.ID), users, false),
		get(fmt.Sprintf("/api/v1/users/%d", out.ID), users, true), get(fmt.Sprintf("/api/v1/users?under=%d", f.comm2.ID), users, true),
		get("/api/v1/audit", audit, false), get(fmt.Sprintf("/api/v1/audit?under=%d", f.comm2.ID), audit, true),
	}
}

// TestAccess is the table of who may do what: for every role, scoped to
// the first community, each page and API call is answered, refused for
// the role (403), or not found outside the scope (404); the same calls
// without signing in are sent to the sign-in page or refused with 401.
func TestAccess(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		in := ts.user(t, "target-in", frontline.RoleVolunteer, f.comp1)
		out := ts.user(t, "target-out", frontline.RoleVolunteer, f.comm2)
		probes := accessProbes(f, in, out)
		for _, role := range frontline.Roles {
			t.Run(string(role), func(t *testing.T) {
				c := ts.as(t, role, f.comm1)
				for _, p := range probes {
					if resp, body := p.send(t, c); resp.StatusCode != p.want(role) {
						t.Errorf("%s: status %d, want %d; body %.300s", p, resp.StatusCode, p.want(role), body)
					}
				}
				// A device token of the same role and scope gets the same
				// answers from the API.
				token := mustToken(t, ts, string(role), role, f.comm1)
				dev := ts.device(token)
				for _, p := range probes {
					if !p.api() || p.path == "/api/v1/me" {
						continue
					}
					if resp, body := p.send(t, dev); resp.StatusCode != p.want(role) {
						t.Errorf("token: %s: status %d, want %d; body %.300s", p, resp.StatusCode, p.want(role), body)
					}
				}
			})
		}
		t.Run("SignedOut", func(t *testing.T) {
			anon := ts.anonymous()
			for _, p := range probes {
				resp, body := p.send(t, anon)
				switch {
				case p.api() && resp.StatusCode != http.StatusUnauthorized:
					t.Errorf("%s: status %d, want 401; body %.300s", p, resp.StatusCode, body)
				case !p.api() && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=")):
					t.Errorf("%s: status %d to %q, want 303 to /login", p, resp.StatusCode, resp.Header.Get("Location"))
				}
			}
		})
	})
}

// mustToken makes a device token as the system and returns its secret.
func mustToken(tb testing.TB, ts *testServer, name string, role frontline.Role, scope *frontline.Place) string {
	tb.Helper()
	secret, err := ts.users.CreateToken(context.Background(), &frontline.Token{Name: name, Role: role, ScopeID: scope.ID})
	if err != nil {
		tb.Fatalf("create token %s: %v", name, err)
	}
	return secret
}

// TestAccess_NavigationByRole checks that the menu offers a role only
// what it may open.
func TestAccess_NavigationByRole(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		links := map[string]frontline.Permission{
			`href="/search"`: frontline.PermReadRegistry, `href="/users"`: frontline.PermManageUsers,
			`href="/tokens"`: frontline.PermManageUsers, `href="/audit"`: frontline.PermReadAudit,
		}
		for _, role := range frontline.Roles {
			c := ts.as(t, role, f.comm1)
			_, body := c.get(t, "/")
			for link, perm := range links {
				if strings.Contains(body, link) != role.Can(perm) {
					t.Errorf("%s: link %s shown = %v, want %v", role, link, !role.Can(perm), role.Can(perm))
				}
			}
			if role.Can(frontline.PermReadRegistry) != strings.Contains(body, fmt.Sprintf(`data-testid="scope-link">%s<`, f.comm1.Name)) {
				t.Errorf("%s: the start page does not show the scope as it should", role)
			}
			if !role.Can(frontline.PermReadRegistry) && !strings.Contains(body, `data-testid="no-registry"`) {
				t.Errorf("%s: the start page does not say the role reads no registry", role)
			}
		}
	})
}
