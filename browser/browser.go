// Package browser drives the system's headless Chromium for tests of
// Frontline's pages: signing in, filling forms, going offline, and taking
// screenshots at phone and desktop sizes.
//
// Where no Chromium is installed the tests skip, unless
// FRONTLINE_TEST_REQUIRE lists "chromium" (CI sets it), which turns the
// skip into a failure.
package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Sizes of the screens Frontline is tested at.
var (
	Phone   = Size{390, 844}
	Desktop = Size{1366, 768}
)

// Size is a viewport in CSS pixels.
type Size struct{ Width, Height int64 }

// Browser is one headless Chromium process shared by a test's pages.
type Browser struct {
	ctx    context.Context
	cancel context.CancelFunc
	shots  string
}

// Executable returns the path of the Chromium binary, or "".
func Executable() string {
	if p := os.Getenv("FRONTLINE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Required reports whether FRONTLINE_TEST_REQUIRE lists chromium: then a
// test that needs Chromium fails where none is installed.
func Required() bool { return required() }

func required() bool {
	return slices.Contains(strings.Split(os.Getenv("FRONTLINE_TEST_REQUIRE"), ","), "chromium")
}

// Start launches Chromium for the test and stops it when the test ends.
func Start(tb testing.TB) *Browser {
	tb.Helper()
	exe := Executable()
	if exe == "" {
		if required() {
			tb.Fatal("no Chromium found but FRONTLINE_TEST_REQUIRE includes chromium (install Debian's chromium package)")
		}
		tb.Skip("no Chromium installed; set FRONTLINE_TEST_REQUIRE=chromium to make this a failure")
	}
	// The flags keep Chromium from reaching for the network on its own:
	// this machine's network is closed, and a refused background request
	// is noise at best.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(tb.TempDir()),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		acancel()
		tb.Fatalf("start chromium %s: %v", exe, err)
	}
	b := &Browser{ctx: ctx, cancel: func() { cancel(); acancel() }, shots: shotDir(tb)}
	tb.Cleanup(b.cancel)
	return b
}

var announce sync.Once

// shotDir is where screenshots go: $FRONTLINE_SCREENSHOTS, or
// frontline-screenshots in the temporary directory. Tests print it once.
func shotDir(tb testing.TB) string {
	dir := os.Getenv("FRONTLINE_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "frontline-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	announce.Do(func() { tb.Logf("screenshots are saved in %s", dir) })
	return dir
}

// Page is one tab at a screen size.
type Page struct {
	tb   testing.TB
	b    *Browser
	Ctx  context.Context
	size Size
}

// NewPage opens a tab with the viewport size; it closes when the test
// ends. Each tab has its own cookies only if opened in a new Browser.
func (b *Browser) NewPage(tb testing.TB, size Size) *Page {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.Width, size.Height)); err != nil {
		tb.Fatalf("open tab: %v", err)
	}
	return &Page{tb: tb, b: b, Ctx: ctx, size: size}
}

// timeout bounds every step a test takes in the browser.
const timeout = 20 * time.Second

// shotTimeout bounds a screenshot: encoding a tall page on a busy
// machine takes longer than a step.
const shotTimeout = time.Minute

// For returns the same tab reporting its failures to tb: a subtest that
// uses a tab opened by its parent fails itself, not the parent (which
// Go's testing refuses from a subtest).
func (p *Page) For(tb testing.TB) *Page {
	q := *p
	q.tb = tb
	return &q
}

// Do runs steps with a timeout, failing the test on error.
func (p *Page) Do(steps ...chromedp.Action[chromedp.Void]) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.tb.Fatalf("browser: %v", err)
	}
}

// Get runs an action that returns a value, failing the test on error.
func Get[T any](p *Page, a chromedp.Action[T]) T {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.tb.Fatalf("browser: %v", err)
	}
	return v
}

// Text returns the visible text of the first element matching the CSS
// selector sel.
func (p *Page) Text(sel string) string {
	p.tb.Helper()
	return Get(p, chromedp.Text(chromedp.CSS(sel)))
}

// Offline switches the tab's network off or back on, as a phone losing
// its signal does.
func (p *Page) Offline(off bool) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		p.tb.Fatalf("browser: network: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		p.tb.Fatalf("browser: offline=%v: %v", off, err)
	}
}

// TimeZone sets the tab's time zone (an IANA name), as a phone set to
// another zone has it.
func (p *Page) TimeZone(name string) {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: name}); err != nil {
		p.tb.Fatalf("browser: time zone %s: %v", name, err)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// Screenshot saves the whole page as NAME-WIDTHxHEIGHT.png in the
// screenshot folder and returns its path.
func (p *Page) Screenshot(name string) string {
	p.tb.Helper()
	return p.shoot("", name, 100, "png") // quality 100 is PNG
}

// ScreenshotIn saves the whole page as NAME-WIDTHxHEIGHT.jpg in the
// folder dir of the screenshot folder (made if missing) and returns its
// path: a test that takes many, such as a crawl, keeps them together, and
// JPEG keeps them quick to take and small.
func (p *Page) ScreenshotIn(dir, name string) string {
	p.tb.Helper()
	return p.shoot(dir, name, 80, "jpg")
}

// shoot saves a screenshot at quality (100 is PNG) with the extension.
func (p *Page) shoot(dir, name string, quality int, ext string) string {
	p.tb.Helper()
	// Chromium refuses a full-page capture taller than it can draw ("Page
	// is too large"); the visible part is then the screenshot.
	shot := func(a chromedp.Action[[]byte]) ([]byte, error) {
		ctx, cancel := context.WithTimeout(p.Ctx, shotTimeout)
		defer cancel()
		return chromedp.Run(ctx, a)
	}
	img, err := shot(chromedp.FullScreenshot(quality))
	if err != nil {
		if img, err = shot(chromedp.CaptureScreenshot()); err != nil {
			p.tb.Fatalf("browser: screenshot %s: %v", name, err)
		}
	}
	folder := filepath.Join(p.b.shots, unsafeName.ReplaceAllString(dir, "_"))
	if err := os.MkdirAll(folder, 0o755); err != nil {
		p.tb.Fatal(err)
	}
	file := filepath.Join(folder, fmt.Sprintf("%s-%dx%d.%s", unsafeName.ReplaceAllString(name, "_"), p.size.Width, p.size.Height, ext))
	if err := os.WriteFile(file, img, 0o644); err != nil {
		p.tb.Fatal(err)
	}
	return file
}

// Folder returns the path of folder dir of the screenshot folder, as
// ScreenshotIn names it.
func (b *Browser) Folder(dir string) string {
	return filepath.Join(b.shots, unsafeName.ReplaceAllString(dir, "_"))
}

// ClearCookies forgets every cookie of the browser, signing its tabs out
// without a request, so one tab can be signed in as one person after
// another.
func (p *Page) ClearCookies() {
	p.tb.Helper()
	ctx, cancel := context.WithTimeout(p.Ctx, timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		p.tb.Fatalf("browser: clear cookies: %v", err)
	}
}

// SignIn signs in through the login page of the server at base and waits
// for the signed-in page's navigation.
func (p *Page) SignIn(base, login, password string) {
	p.tb.Helper()
	testid := func(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }
	p.Do(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(testid("login-form")),
		chromedp.SendKeys(testid("login-login"), login),
		chromedp.SendKeys(testid("login-password"), password),
		chromedp.Click(testid("login-submit")),
		chromedp.WaitVisible(testid("nav")),
	)
}

// Until waits until the JavaScript expression is true. It keeps asking
// across page loads, so it is the way to wait for what a click navigates
// to.
func (p *Page) Until(expr string) {
	p.tb.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(p.Ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.tb.Fatalf("browser: %s was not true within %s", expr, timeout)
}
