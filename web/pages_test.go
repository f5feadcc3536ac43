package web_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// getPage requests an HTML page and checks its status and type.
func (ts *testServer) getPage(t *testing.T, path string, status int, cookies ...*http.Cookie) (*http.Response, string) {
	t.Helper()
	resp, body := ts.get(t, path, cookies...)
	if resp.StatusCode != status {
		t.Fatalf("GET %s: status %d, want %d; body %s", path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: content type %q, want HTML", path, ct)
	}
	return resp, body
}

func assertContains(t *testing.T, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func TestPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		t.Run("Index", func(t *testing.T) {
			_, body := ts.getPage(t, "/", http.StatusOK)
			assertContains(t, body, `<html lang="zh-CN">`, "辖区概况", fmt.Sprintf(`<a href="/places/%d" data-testid="scope-link">天水市</a>`, f.city.ID),
				fmt.Sprintf(`<a href="/places/%d" data-testid="place-link">秦州区</a>`, f.district.ID),
				"户数", `<dd data-count="households">4</dd>`, `<dd data-count="residents">6</dd>`, `<dd data-count="vulnerable">3</dd>`,
				`/static/site.css`, `/static/live.js`, fmt.Sprintf(`data-live="/api/v1/places/%d"`, f.city.ID))
		})
		t.Run("Node", func(t *testing.T) {
			_, body := ts.getPage(t, fmt.Sprintf("/places/%d", f.sub.ID), http.StatusOK)
			assertContains(t, body, "<h1>大城街道", fmt.Sprintf(`<a href="/places/%d">秦州区</a>`, f.district.ID),
				fmt.Sprintf(`<a href="/places/%d" data-testid="place-link">罗玉新村社区</a>`, f.comm1.ID),
				fmt.Sprintf(`<a href="/places/%d" data-testid="place-link">自治巷社区</a>`, f.comm2.ID))
			// 罗玉新村社区's row: 2 households, 4 residents, 3 vulnerable.
			row := body[strings.Index(body, "罗玉新村社区</a>"):]
			row = row[:strings.Index(row, "</tr>")]
			assertContains(t, row, `data-count="households" data-label="户数">2</td>`, `data-count="residents" data-label="居民">4</td>`,
				`data-count="vulnerable" data-label="特殊人群">3</td>`)
		})
		t.Run("Household", func(t *testing.T) {
			_, body := ts.getPage(t, fmt.Sprintf("/places/%d", f.hh[0].ID), http.StatusOK)
			assertContains(t, body, "家庭成员", "张三", "李梅", "张小明", "户主", "透析", "婴幼儿",
				frontline.MaskIDNumber(f.persons[0].IDNumber), "139****0001",
				fmt.Sprintf(`action="/persons/%d/reveal"`, f.persons[0].ID), fmt.Sprintf(`href="/persons/%d/edit"`, f.persons[0].ID),
				fmt.Sprintf(`href="/households/%d/persons/new"`, f.hh[0].ID))
		})
		t.Run("English", func(t *testing.T) {
			resp, body := ts.getPage(t, fmt.Sprintf("/places/%d?lang=en", f.hh[0].ID), http.StatusOK)
			assertContains(t, body, `<html lang="en">`, "Members", "head", "dialysis", "Households", `name="lang" value="zh-CN"`)
			var cookie *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == "lang" {
					cookie = c
				}
			}
			if cookie == nil || cookie.Value != "en" {
				t.Fatalf("cookies %v, want lang=en", resp.Cookies())
			}
			// The cookie keeps English on pages reached by plain links.
			_, body = ts.getPage(t, "/", http.StatusOK, cookie)
			assertContains(t, body, "Place tree", `<html lang="en">`)
			_, body = ts.getPage(t, "/?lang=zh-CN", http.StatusOK, cookie)
			assertContains(t, body, "辖区概况")
		})
		t.Run("Errors", func(t *testing.T) {
			_, body := ts.getPage(t, "/places/99999", http.StatusNotFound)
			assertContains(t, body, "找不到", "不在您的辖区内")
			_, body = ts.getPage(t, "/places/abc?lang=en", http.StatusBadRequest)
			assertContains(t, body, "The request is not valid", "<code>id</code>")
			_, body = ts.getPage(t, "/no/such/page?lang=zh-CN", http.StatusNotFound)
			assertContains(t, body, "找不到", `data-testid="nav"`)
			var got apiError
			ts.getJSON(t, "/api/v1/no/such", http.StatusNotFound, &got)
			if got.Error.Code != frontline.ENOTFOUND {
				t.Fatalf("error %+v", got.Error)
			}
		})
	})
}

func TestStatic(t *testing.T) {
	ts := newTestServer(t, brokenPlaces{}, stubPersons{})
	resp, body := ts.get(t, "/static/site.css")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/css") || !strings.Contains(body, "max-width") {
		t.Fatalf("site.css: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, path := range []string{"/static/", "/static/nope.css"} {
		if resp, _ := ts.get(t, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestNoPersonalDataLeaks crawls every endpoint and page for every node and
// person of the fixture, in both languages, and fails if any body holds a
// full ID number, a full phone, or the birth date an ID number encodes.
func TestNoPersonalDataLeaks(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		paths := []string{"/", "/?lang=en", "/api/v1/places", "/api/v1/persons?include_moved=true&limit=1000",
			"/audit", "/api/v1/audit?limit=1000"}
		for _, p := range f.places() {
			paths = append(paths,
				fmt.Sprintf("/places/%d", p.ID), fmt.Sprintf("/places/%d?lang=en", p.ID),
				fmt.Sprintf("/api/v1/places/%d", p.ID), fmt.Sprintf("/api/v1/places/%d/tree?depth=4", p.ID),
				fmt.Sprintf("/api/v1/places?under=%d&limit=1000", p.ID),
				fmt.Sprintf("/api/v1/households?under=%d&limit=1000", p.ID),
				fmt.Sprintf("/api/v1/households/%d?include_moved=true", p.ID),
				fmt.Sprintf("/api/v1/persons?under=%d&include_moved=true", p.ID))
		}
		var secrets []string
		for _, p := range f.persons {
			paths = append(paths, fmt.Sprintf("/api/v1/persons/%d", p.ID), fmt.Sprintf("/persons/%d", p.ID),
				fmt.Sprintf("/persons/%d/edit", p.ID), fmt.Sprintf("/api/v1/persons/%d/history", p.ID),
				"/api/v1/persons?include_moved=true&id_number="+p.IDNumber,
				fmt.Sprintf("/api/v1/persons?household_id=%d&include_moved=true", p.HouseholdID))
			if p.Phone != "" {
				paths = append(paths, "/api/v1/persons?include_moved=true&phone="+p.Phone)
				secrets = append(secrets, p.Phone, strings.ReplaceAll(p.Phone, "-", ""))
			}
			secrets = append(secrets, p.IDNumber)
			if p.IDType == frontline.IDMainland {
				secrets = append(secrets, p.IDNumber[6:14], p.BirthDate)
			}
		}
		persons := 0
		for _, path := range paths {
			resp, body := ts.get(t, path)
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: status %d", path, resp.StatusCode)
			}
			persons += strings.Count(body, `"id_number"`) + strings.Count(body, `class="mono"`)
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("GET %s: body contains %q", path, s)
				}
			}
		}
		if persons < 50 {
			t.Fatalf("the crawl saw only %d persons; it proves nothing", persons)
		}
	})
}

func TestTemplates_ErrorStopsOpen(t *testing.T) {
	good := func() fstest.MapFS {
		fsys := fstest.MapFS{}
		names, err := filepath.Glob("templates/*.html")
		if err != nil || len(names) < 10 {
			t.Fatalf("templates: %v %v", names, err)
		}
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			fsys[filepath.ToSlash(name)] = &fstest.MapFile{Data: b}
		}
		return fsys
	}
	if err := new(web.Server).ParseTemplatesForTest(good()); err != nil {
		t.Fatalf("the real templates: %v", err)
	}
	for name, broken := range map[string]string{
		"Syntax":      `{{define "content"}}{{if}}{{end}}`,
		"UnknownFunc": `{{define "content"}}{{shout .Title}}{{end}}`,
	} {
		t.Run(name, func(t *testing.T) {
			fsys := good()
			fsys["templates/place.html"] = &fstest.MapFile{Data: []byte(broken)}
			if err := new(web.Server).ParseTemplatesForTest(fsys); err == nil {
				t.Fatal("a broken template parsed")
			}
		})
	}
	t.Run("Missing", func(t *testing.T) {
		fsys := good()
		delete(fsys, "templates/error.html")
		if err := new(web.Server).ParseTemplatesForTest(fsys); err == nil {
			t.Fatal("a missing template parsed")
		}
	})
}
