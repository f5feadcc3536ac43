package web_test

import (
	"net/url"
	"testing"

	"github.com/frontline-org/frontline/web"
)

func TestLocalPath(t *testing.T) {
	for next, want := range map[string]string{
		"/places/7?lang=en": "/places/7?lang=en", "/": "/", "": "/", "places/7": "/",
		"//evil.example/": "/", "/\\evil.example": "/", "https://evil.example/x": "/", "javascript:alert(1)": "/",
	} {
		if got := web.LocalPathForTest(next); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestCSRFToken(t *testing.T) {
	a, b := web.CSRFTokenForTest("secret one"), web.CSRFTokenForTest("secret two")
	if a == b || a != web.CSRFTokenForTest("secret one") || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
}

func TestPageLinks(t *testing.T) {
	q := url.Values{"by": {"name"}, "q": {"张"}}
	for _, tt := range []struct {
		offset, n, total int
		prev, next       string
	}{
		{0, 50, 120, "", "/search?by=name&offset=50&q=%E5%BC%A0"},
		{50, 50, 120, "/search?by=name&offset=0&q=%E5%BC%A0", "/search?by=name&offset=100&q=%E5%BC%A0"},
		{100, 20, 120, "/search?by=name&offset=50&q=%E5%BC%A0", ""},
		{0, 3, 3, "", ""},
	} {
		prev, next := web.PageLinksForTest("/search", q, tt.offset, tt.n, 50, tt.total)
		if prev != tt.prev || next != tt.next {
			t.Errorf("offset %d: %q %q, want %q %q", tt.offset, prev, next, tt.prev, tt.next)
		}
	}
}
