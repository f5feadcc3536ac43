package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/demo"
)

// The crawl of the demo city, as every demo login sees it.
//
// It starts from crawlSeeds and follows the links (href="/…") of every
// page, GET only, so a page another change adds is visited as soon as
// some page links to it: nothing here lists the pages. Pages of one shape
// (the same path with other ids, the same query keys) are followed
// crawlLinksPerShape times, read for links crawlPerShape times and opened
// in Chromium once, which keeps the crawl to about a minute while every
// kind of page is seen by every role.
const (
	crawlPerShape = 2
	// crawlLinksPerShape bounds the links of one shape that are followed:
	// whether a link is refused depends on its route and on the ids in it
	// (outside the reader's area), and a handful of each shows both,
	// where following all of them would open every household of the city.
	crawlLinksPerShape = 6
	crawlMaxFetch      = 800 // per login: a bound, should the pages ever link without end
	crawlShots         = "phone-crawl"
)

// crawlSeeds are the pages the crawl opens besides what the home page
// links to: pages reached by typing or by a form (a search), and an
// error page. Add a page here only if no link leads to it.
var crawlSeeds = []string{
	"/",
	"/account",
	"/search?by=name&q=" + url.QueryEscape("张"),
	"/places/999999999", // not found: the error page
}

// crawlMustReach are kinds of page (pageShape without the query) that
// some demo login must reach by following links: the pages added last,
// so that a page nobody links to (or that the demo leaves empty) fails
// here rather than going unchecked at 390 px.
var crawlMustReach = []string{
	"/help", "/help/{id}", "/help-targets", "/households/{id}/help",
	"/complaints", "/shop/complaints", "/pharmacy/complaints",
	"/medicine", "/medicine/{id}", "/pharmacy/medicine", "/pharmacy/medicine/{id}", "/households/{id}/medicine",
	"/vulnerable", "/vulnerable/persons/{id}",
	"/distributions", "/distributions/{id}", "/distributions/{id}/doors",
	"/runs", "/runs/{id}", "/checkpoints", "/checkpoints/{id}", "/notices",
}

// TestDemo_PhoneCrawl serves the demo city as `serve --demo` does, signs
// in as each demo login (two of them also in English) and follows every
// link of every page it reaches.
// It fails when a link answers an error (a 403 above all: no page may
// offer what its reader may not open), a page fails, a message reaches
// a page with its placeholder unfilled, or a home page lists no work. Then it opens every kind of page
// of every login in one Chromium tab at 390×844 and fails when the page
// scrolls sideways, saving each page's screenshot in the folder
// phone-crawl of the screenshot folder ($FRONTLINE_SCREENSHOTS).
func TestDemo_PhoneCrawl(t *testing.T) {
	base := serveDemo(t)
	var p *browser.Page
	if browser.Executable() != "" || browser.Required() {
		b := browser.Start(t)
		p = b.NewPage(t, browser.Phone)
		t.Logf("screenshots of the crawl: %s", b.Folder(crawlShots))
	} else {
		t.Log("no Chromium installed: the links are checked, the pages' width is not")
	}
	type visit struct{ login, lang string }
	var visits []visit
	for _, l := range demo.Logins() {
		visits = append(visits, visit{l.Login, "zh-CN"})
	}
	// English words are longer: the widest pages, and a phone's, in English too.
	visits = append(visits, visit{"admin", "en"}, visit{"sampler", "en"})
	reached := map[string]bool{}
	for _, v := range visits {
		name := v.login
		if v.lang != "zh-CN" {
			name += "-" + v.lang
		}
		t.Run(name, func(t *testing.T) {
			pages := crawlHTTP(t, base, v.login, v.lang)
			for _, path := range pages {
				shape, _, _ := strings.Cut(pageShape(path), "?")
				reached[shape] = true
			}
			if p == nil {
				return
			}
			p := p.For(t)
			p.ClearCookies()
			p.SignIn(base, v.login, demo.Password)
			p.Do(chromedp.Navigate(base + "/?lang=" + v.lang)) // the choice is kept in a cookie
			for i, path := range pages {
				checkPhonePage(t, p, base, name, path)
				p.ScreenshotIn(crawlShots, fmt.Sprintf("%s-%02d-%s", name, i, strings.TrimPrefix(path, "/")))
			}
		})
	}
	for _, shape := range crawlMustReach {
		if !reached[shape] {
			t.Errorf("no demo login reaches a page %s by links", shape)
		}
	}
}

// serveDemo runs `frontline serve --demo` on a new SQLite file and returns
// its base URL; the server stops when the test ends.
func serveDemo(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "frontline.db")
	go func() {
		done <- Run(ctx, []string{"serve", "--demo", "--db", db, "--addr", "127.0.0.1:0", "--log-level", "warn"},
			strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := servingOn.FindStringSubmatch(out.String()); m != nil {
			return "http://" + m[1]
		}
	}
	t.Fatalf("serve --demo printed no address:\n%s", out.String())
	return ""
}

// crawlHTTP signs login in and crawls as described above; it returns the
// first page of each shape that answered an HTML page, in the order met.
func crawlHTTP(t *testing.T, base, login, lang string) []string {
	t.Helper()
	c := signInHTTP(t, base, login)
	u, _ := url.Parse(base)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
	type link struct{ path, from string }
	var queue []link
	seeds := slices.Clone(crawlSeeds)
	if hh := firstHousehold(t, c, base); hh != "" {
		// Before the error page, which is a /places/{id} too: the pages of
		// one household (order, help, medicine on its behalf) are reached
		// through the search or a long walk down the tree, which the bound
		// per shape cuts short.
		seeds = slices.Insert(seeds, 1, hh)
	}
	for _, s := range seeds {
		queue = append(queue, link{s, ""})
	}
	fetched, read, followed := map[string]bool{}, map[string]int{}, map[string]int{}
	var pages []string
	for len(queue) > 0 && len(fetched) < crawlMaxFetch {
		l := queue[0]
		queue = queue[1:]
		shape := pageShape(l.path)
		if fetched[l.path] || followed[shape] >= crawlLinksPerShape {
			continue
		}
		fetched[l.path] = true
		followed[shape]++
		status, isHTML, body := fetch(t, c, base+l.path)
		if status >= 500 || (l.from != "" && status >= 400) {
			t.Errorf("%s: GET %s answers %d (linked from %s)", login, l.path, status, l.from)
		}
		if status != http.StatusOK && status != http.StatusNotFound || !isHTML {
			continue
		}
		// The error page is one kind of page whatever its path: it must not
		// stand in for the real pages of its shape in Chromium.
		kind := shape
		if status == http.StatusNotFound {
			kind = "404"
		}
		if read[kind] >= crawlPerShape {
			continue
		}
		if read[kind]++; read[kind] == 1 {
			pages = append(pages, l.path)
		}
		if l.path == "/" && !strings.Contains(body, `<li data-testid="work-`) {
			t.Errorf("%s: the home page lists no work", login)
		}
		if bad := unfilled(body); bad != "" {
			t.Errorf("%s: GET %s shows an unfilled message: …%s…", login, l.path, bad)
		}
		for _, next := range pageLinks(body) {
			if !fetched[next] {
				queue = append(queue, link{next, l.path})
			}
		}
	}
	if len(fetched) >= crawlMaxFetch {
		t.Errorf("%s: the crawl stopped at %d requests", login, crawlMaxFetch)
	}
	t.Logf("%s: %d requests, %d kinds of page", login, len(fetched), len(pages))
	return pages
}

// firstHousehold returns the page of the first household the login's
// API lists under its scope, or "" when it may not list households.
func firstHousehold(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	var me struct {
		ScopeID int64 `json:"scope_id"`
	}
	var list struct {
		Households []struct {
			ID int64 `json:"id"`
		} `json:"households"`
	}
	if !getJSON(t, c, base+"/api/v1/me", &me) ||
		!getJSON(t, c, fmt.Sprintf("%s/api/v1/households?under=%d&limit=1", base, me.ScopeID), &list) || len(list.Households) == 0 {
		return ""
	}
	return fmt.Sprintf("/places/%d", list.Households[0].ID)
}

// getJSON GETs u into v and reports whether it answered 200 with JSON.
func getJSON(t *testing.T, c *http.Client, u string, v any) bool {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(v) == nil
}

// signInHTTP signs login in with a client that keeps its cookies.
func signInHTTP(t *testing.T, base, login string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.PostForm(base+"/login", url.Values{"login": {login}, "password": {demo.Password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	if len(jar.Cookies(u)) == 0 || resp.Request.URL.Path == "/login" {
		t.Fatalf("%s could not sign in: %d at %s", login, resp.StatusCode, resp.Request.URL)
	}
	return c
}

// fetch GETs a page and returns its status, whether it is HTML, and its
// body (only when it is).
func fetch(t *testing.T, c *http.Client, u string) (int, bool, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, false, ""
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, true, string(b)
}

var (
	hrefRE   = regexp.MustCompile(`href="(/[^"]*)"`)
	idPartRE = regexp.MustCompile(`/[0-9]+`)
	// scriptRE finds what a page hands its scripts (their messages keep
	// their "%s", which the script fills).
	scriptRE = regexp.MustCompile(`(?s)<script.*?</script>`)
	// unfilledRE finds a placeholder on a page: a verb fmt never saw, or
	// one it complained about.
	unfilledRE = regexp.MustCompile(`%[sdvq]\b|%!`)
)

// pageLinks returns the site's links of a page, without fragments, but
// never into static files.
func pageLinks(body string) []string {
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
		link, _, _ := strings.Cut(html.UnescapeString(m[1]), "#")
		if !strings.HasPrefix(link, "/static/") {
			out = append(out, link)
		}
	}
	return out
}

// pageShape is what pages of one kind share: the path with its ids
// replaced, and the query's keys.
func pageShape(path string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	shape := idPartRE.ReplaceAllString(u.Path, "/{id}")
	var keys []string
	for k := range u.Query() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 0 {
		shape += "?" + strings.Join(keys, "&")
	}
	return shape
}

// unfilled returns the text around the first unfilled placeholder of a
// page outside its scripts, or "".
func unfilled(body string) string {
	body = scriptRE.ReplaceAllString(body, "")
	loc := unfilledRE.FindStringIndex(body)
	if loc == nil {
		return ""
	}
	return body[max(0, loc[0]-60):min(len(body), loc[1]+20)]
}

// phoneReport is what checkPhonePage learns of a page in the browser.
type phoneReport struct {
	ScrollWidth, ClientWidth int
	Wide                     []string // the innermost elements reaching past the right edge
	Clipped                  []string // boxes whose content is wider than they are: cut off, or scrolled sideways
	Text                     string   // the visible text around an unfilled placeholder
}

// phoneJS measures the open page: how wide it scrolls, which elements
// stick out (innermost first, to name the culprit), which boxes hide or
// scroll a part of their content sideways (a table in a scrolling box
// keeps the page narrow but its last columns off the screen), and whether
// its visible text, scripts run, holds a placeholder.
const phoneJS = `(() => {
  const root = document.documentElement, cw = root.clientWidth, wide = [], clipped = [];
  const name = el => {
    let n = el.tagName.toLowerCase();
    if (el.dataset && el.dataset.testid) n += '[data-testid=' + el.dataset.testid + ']';
    else if (el.className && typeof el.className === 'string' && el.className.trim()) n += '.' + el.className.trim().split(/\s+/).join('.');
    return (el.parentElement ? el.parentElement.tagName.toLowerCase() + ' > ' : '') + n;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (['OPTION', 'SCRIPT', 'STYLE'].includes(el.tagName) || el instanceof SVGElement) continue;
    const r = el.getBoundingClientRect();
    if (wide.length < 5 && r.right > cw + 1 && r.width > 0 && ![...el.children].some(c => c.getBoundingClientRect().right > cw + 1)) {
      wide.push(name(el) + ' (right ' + Math.round(r.right) + ')');
    }
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue; // a long value scrolls inside its field
    if (clipped.length < 5 && el.clientWidth > 2 && el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
      clipped.push(name(el) + ' (' + el.scrollWidth + ' in ' + el.clientWidth + ')');
    }
  }
  const text = document.body.innerText, m = text.match(/%[sdvq]\b|%!/);
  return {ScrollWidth: root.scrollWidth, ClientWidth: cw, Wide: wide, Clipped: clipped,
    Text: m ? text.slice(Math.max(0, m.index - 40), m.index + 20) : ''};
})()`

// checkPhonePage opens path in the tab and fails the test when it is wider
// than the screen, hides content sideways, or shows an unfilled
// placeholder.
func checkPhonePage(t *testing.T, p *browser.Page, base, login, path string) {
	t.Helper()
	p.Do(chromedp.Navigate(base + path))
	r := browser.Get(p, chromedp.Evaluate[phoneReport](phoneJS))
	if r.ScrollWidth > r.ClientWidth {
		t.Errorf("%s: %s is %d px wide on a %d px screen; sticking out: %s", login, path, r.ScrollWidth, r.ClientWidth, strings.Join(r.Wide, ", "))
	}
	if len(r.Clipped) > 0 {
		t.Errorf("%s: %s hides part of its content sideways on a %d px screen: %s", login, path, r.ClientWidth, strings.Join(r.Clipped, ", "))
	}
	if r.Text != "" {
		t.Errorf("%s: %s shows an unfilled message: …%s…", login, path, r.Text)
	}
}
