package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// maxCrawl bounds the pages one crawl visits.
const maxCrawl = 400

var hrefRE = regexp.MustCompile(`href="(/[^"]*)"`)

// secrets are what no response may contain except a reveal: every
// fixture person's full ID number, phone (as written and as stored) and
// birth date (which gives back most of the ID number next to its masked
// form), and the test users' phone.
func secrets(f *fixture) []string {
	out := []string{"13700000000"}
	for _, p := range f.persons {
		out = append(out, p.IDNumber)
		if p.Phone != "" {
			out = append(out, p.Phone, strings.ReplaceAll(p.Phone, "-", ""))
		}
		if p.IDType == frontline.IDMainland {
			out = append(out, p.IDNumber[6:14], p.BirthDate)
		}
	}
	return out
}

// crawl follows every link reachable from seeds (bounded by maxCrawl)
// and calls check with each response; it returns the pages visited.
func crawl(t *testing.T, c *client, seeds []string, check func(path string, resp *http.Response, body string)) int {
	t.Helper()
	seen := map[string]bool{}
	queue := append([]string(nil), seeds...)
	for len(queue) > 0 && len(seen) < maxCrawl {
		path := queue[0]
		queue = queue[1:]
		if seen[path] || strings.HasPrefix(path, "/static/") {
			continue
		}
		seen[path] = true
		resp, body := c.get(t, path)
		check(path, resp, body)
		for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
			if next := html.UnescapeString(m[1]); !seen[next] {
				queue = append(queue, next)
			}
		}
	}
	return len(seen)
}

// apiPaths are every list and detail endpoint of the API for every node
// and person of the fixture.
func apiPaths(f *fixture) []string {
	paths := []string{"/api/v1/me", "/api/v1/places", "/api/v1/persons?include_moved=true&limit=1000",
		"/api/v1/audit?limit=1000", "/api/v1/users?limit=1000"}
	for _, p := range f.places() {
		paths = append(paths,
			fmt.Sprintf("/api/v1/places/%d", p.ID), fmt.Sprintf("/api/v1/places/%d/tree?depth=4", p.ID),
			fmt.Sprintf("/api/v1/places?under=%d&limit=1000", p.ID), fmt.Sprintf("/api/v1/households?under=%d&limit=1000", p.ID),
			fmt.Sprintf("/api/v1/households/%d?include_moved=true", p.ID), fmt.Sprintf("/api/v1/persons?under=%d&include_moved=true", p.ID),
			fmt.Sprintf("/api/v1/audit?under=%d", p.ID))
	}
	for _, p := range f.persons {
		paths = append(paths, fmt.Sprintf("/api/v1/persons/%d", p.ID), fmt.Sprintf("/api/v1/persons/%d/history", p.ID),
			"/api/v1/persons?include_moved=true&id_number="+url.QueryEscape(p.IDNumber[len(p.IDNumber)-4:]))
	}
	return paths
}

// TestCrawl_NoFullNumbers signs in as every role, follows every link from
// the start page and asks every API endpoint, and fails if any response
// holds a full ID number, phone or birth date of the fixture. Only the
// answer to a reveal may, and only for a role that may reveal and a
// person inside its scope.
func TestCrawl_NoFullNumbers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withScreening(db))
		seedScreening(t, db, f)
		// Some history to crawl: a change and a reveal by someone else.
		admin := ts.as(t, frontline.RoleCityAdmin, f.city)
		form := editForm(f.persons[0])
		form.Add("flags", "chronic")
		admin.postForm(t, fmt.Sprintf("/persons/%d/edit", f.persons[0].ID), form)
		admin.postForm(t, fmt.Sprintf("/persons/%d/reveal", f.persons[4].ID), nil)
		secret := secrets(f)
		leaks := func(t *testing.T, what, body string) {
			t.Helper()
			for _, s := range secret {
				if strings.Contains(body, s) {
					t.Errorf("%s: the response contains %q", what, s)
				}
			}
		}
		type caller struct {
			role  frontline.Role
			scope *frontline.Place
			lang  string
		}
		callers := []caller{{frontline.RoleCityAdmin, f.city, "zh-CN"}, {frontline.RoleCityAdmin, f.city, "en"}}
		for _, role := range frontline.Roles {
			callers = append(callers, caller{role, f.comm1, "zh-CN"})
		}
		for _, who := range callers {
			t.Run(fmt.Sprintf("%s@%s/%s", who.role, who.scope.Name, who.lang), func(t *testing.T) {
				c := ts.as(t, who.role, who.scope)
				c.postForm(t, "/lang", url.Values{"lang": {who.lang}})
				seeds := []string{"/", "/search?by=name&q=" + url.QueryEscape("张"), "/search?by=id_number&q=" + f.persons[0].IDNumber[14:] + "&moved=true"}
				pages := crawl(t, c, seeds, func(path string, resp *http.Response, body string) {
					if resp.StatusCode >= 500 {
						t.Errorf("GET %s: %d", path, resp.StatusCode)
					}
					// A file's bytes (XLSX is compressed) may hold "%!" by chance.
					if !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") && strings.Contains(body, "%!") {
						t.Errorf("GET %s: a message was formatted with the wrong verb: %s", path, body[max(0, strings.Index(body, "%!")-80):][:120])
					}
					leaks(t, "GET "+path, body)
				})
				if who.role.Can(frontline.PermReadRegistry) && pages < 15 {
					t.Errorf("the crawl visited only %d pages", pages)
				}
				for _, path := range apiPaths(f) {
					resp, body := c.get(t, path)
					if resp.StatusCode >= 500 {
						t.Errorf("GET %s: %d", path, resp.StatusCode)
					}
					leaks(t, "GET "+path, body)
				}
				for i, p := range f.persons {
					inScope := i < 4
					mayReveal := who.role.Can(frontline.PermRevealPerson) && (inScope || who.scope == f.city)
					for _, send := range []func() (*http.Response, string){
						func() (*http.Response, string) { return c.postForm(t, fmt.Sprintf("/persons/%d/reveal", p.ID), nil) },
						func() (*http.Response, string) {
							return c.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/persons/%d/reveal", p.ID), map[string]any{})
						},
					} {
						resp, body := send()
						if !mayReveal {
							leaks(t, fmt.Sprintf("reveal %d", p.ID), body)
							if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
								t.Errorf("reveal %d: %d", p.ID, resp.StatusCode)
							}
						} else if resp.StatusCode != http.StatusOK || !strings.Contains(body, p.IDNumber) {
							t.Errorf("reveal %d: %d without the number", p.ID, resp.StatusCode)
						}
					}
				}
			})
		}
	})
}
