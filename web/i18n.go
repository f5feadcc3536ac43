package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The languages of the pages. Chinese is the default: it is what the
// community offices read.
const (
	langZH = "zh-CN"
	langEN = "en"
)

// langCookie remembers a language chosen with ?lang=.
const langCookie = "lang"

// parseLang maps what a browser or a link says to a supported language.
func parseLang(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "en" || strings.HasPrefix(s, "en-"):
		return langEN, true
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		return langZH, true
	}
	return "", false
}

// langOf returns the language of a request: ?lang=, then the lang cookie,
// then Chinese.
func langOf(r *http.Request) string {
	if l, ok := parseLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	return langZH
}

// pickLang returns the request's language and, when ?lang= chose it, keeps
// the choice in a cookie so the links of the page (which carry no ?lang=)
// stay in that language.
func pickLang(w http.ResponseWriter, r *http.Request) string {
	lang := langOf(r)
	if _, ok := parseLang(r.URL.Query().Get("lang")); ok {
		setLangCookie(w, lang)
	}
	return lang
}

// setLangCookie remembers a language in this browser for a year.
func setLangCookie(w http.ResponseWriter, lang string) {
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/",
		MaxAge: int((365 * 24 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// formatTime writes a moment in the server's time zone as each language
// writes it: "2026-01-02 15:04" in Chinese, "2 Jan 2026 15:04" in English.
// The zero time is empty.
func (s *Server) formatTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(s.Location)
	if lang == langEN {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("2006-01-02 15:04")
}

// message is one text a person reads, in each language. A text with
// arguments is a fmt format.
type message struct{ zh, en string }

// text returns message id in lang. An unknown id is an error, so a page
// that names a missing message fails (and its test with it) instead of
// showing the id to a resident.
func (s *Server) text(lang, id string, args ...any) (string, error) {
	m, ok := s.catalog[id]
	if !ok {
		return "", fmt.Errorf("no message %q", id)
	}
	t := m.zh
	if lang == langEN {
		t = m.en
	}
	// A message is filled with exactly as many arguments as it has
	// verbs: a missing one would reach the page as a raw "%s", an extra
	// one as "%!(EXTRA …)". Either is a bug, and fails the page as an
	// unknown id does.
	if n := countVerbs(t); n != len(args) {
		return "", fmt.Errorf("message %q takes %d arguments, given %d", id, n, len(args))
	}
	if len(args) > 0 {
		t = fmt.Sprintf(t, args...)
	}
	return t, nil
}

// scriptText returns message id in lang unformatted, for a page's script
// that fills in its "%s" itself as it shows the text.
func (s *Server) scriptText(lang, id string) (string, error) {
	m, ok := s.catalog[id]
	if !ok {
		return "", fmt.Errorf("no message %q", id)
	}
	if lang == langEN {
		return m.en, nil
	}
	return m.zh, nil
}

// countVerbs counts the formatting verbs of a message ("%%" is none).
func countVerbs(t string) int {
	n := 0
	for i := 0; i < len(t); i++ {
		if t[i] != '%' {
			continue
		}
		i++
		for i < len(t) && strings.IndexByte("+-# 0123456789.", t[i]) >= 0 {
			i++
		}
		if i < len(t) && t[i] != '%' {
			n++
		}
	}
	return n
}

// formatNumber writes n with thousands separators: 1234567 → "1,234,567".
// Both languages group digits this way.
func formatNumber(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}
