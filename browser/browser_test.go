package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline/browser"
)

// TestPage checks the harness itself on a page it serves: text, a click,
// going offline and a screenshot.
func TestPage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><p id="msg">你好</p>
<button id="b" onclick="document.getElementById('msg').textContent = navigator.onLine ? 'online' : 'offline'">go</button>`)
	}))
	defer srv.Close()
	b := browser.Start(t)
	p := b.NewPage(t, browser.Phone)
	p.Do(chromedp.Navigate(srv.URL))
	if got := p.Text("#msg"); got != "你好" {
		t.Fatalf("text %q", got)
	}
	p.Offline(true)
	p.Do(chromedp.Click(chromedp.CSS("#b")))
	if got := p.Text("#msg"); got != "offline" {
		t.Fatalf("after going offline the page says %q", got)
	}
	p.Offline(false)
	file := p.Screenshot("harness")
	data, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(data), "\x89PNG") {
		t.Fatalf("screenshot %s: %v", file, err)
	}
}
