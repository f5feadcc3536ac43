package web_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/web"
)

// templateSources returns every template file by name.
func templateSources(t *testing.T) map[string]string {
	t.Helper()
	names, err := filepath.Glob("templates/*.html")
	if err != nil || len(names) < 10 {
		t.Fatalf("templates: %v %v", names, err)
	}
	out := make(map[string]string)
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	return out
}

var (
	actionRE  = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tagRE     = regexp.MustCompile(`(?s)<[^>]*>`)
	commentRE = regexp.MustCompile(`(?s)<!--.*?-->`)
	// attrRE finds the attributes a person reads: labels, hints and
	// button texts hidden in attributes.
	attrRE = regexp.MustCompile(`(?i)\b(placeholder|title|alt|aria-label)\s*=\s*"([^"]*)"`)
)

// TestTemplates_NoLiteralText checks that the templates hold no words of
// any language outside {{ }}: every text a person reads comes from the
// message catalogue. Markup, digits, punctuation and entities are allowed.
func TestTemplates_NoLiteralText(t *testing.T) {
	for name, src := range templateSources(t) {
		// An action becomes a digit: it is not literal text, and it keeps
		// the text on either side apart.
		src = actionRE.ReplaceAllString(src, "0")
		src = commentRE.ReplaceAllString(src, "")
		for _, tag := range tagRE.FindAllString(src, -1) {
			for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
				if word := firstWord(html.UnescapeString(m[2])); word != "" {
					t.Errorf("%s: literal %q in %s=%q; put it in the catalogue", name, word, m[1], m[2])
				}
			}
		}
		text := html.UnescapeString(tagRE.ReplaceAllString(src, " "))
		if word := firstWord(text); word != "" {
			t.Errorf("%s: literal text %q; put it in the catalogue", name, word)
		}
	}
}

// firstWord returns the first run of letters in s, or "".
func firstWord(s string) string {
	start := strings.IndexFunc(s, unicode.IsLetter)
	if start < 0 {
		return ""
	}
	end := strings.IndexFunc(s[start:], func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		return s[start:]
	}
	return s[start : start+end]
}

// TestTemplates_LiteralCheckFails shows the check above catches what it is
// for.
func TestTemplates_LiteralCheckFails(t *testing.T) {
	for _, src := range []string{`<p>保存</p>`, `<button>Save</button>`, `<input placeholder="name">`, `<p>{{.X}} items</p>`, `<b title="Home">0</b>`} {
		s := actionRE.ReplaceAllString(src, "0")
		found := firstWord(html.UnescapeString(tagRE.ReplaceAllString(s, " "))) != ""
		for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
			found = found || firstWord(m[2]) != ""
		}
		if !found {
			t.Errorf("%q passed", src)
		}
	}
}

// templateIDRE finds the message ids templates name literally.
var templateIDRE = regexp.MustCompile(`\bt \$?\.?Lang "([^"]+)"`)

// goMessageIDRE is the shape of a message id in Go code.
var goMessageIDRE = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_-]+)+$`)

// TestMessages checks that every message has both languages and that
// every id the templates and the code use exists.
// verbRE finds the formatting verbs of a message.
var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

func TestMessages(t *testing.T) {
	msgs := web.MessagesForTest()
	prefixes := map[string]bool{}
	for id, m := range msgs {
		if m[0] == "" || m[1] == "" {
			t.Errorf("message %q lacks a language: %q", id, m)
		}
		// The arguments are the same in both languages, so are the verbs.
		if zh, en := verbRE.FindAllString(m[0], -1), verbRE.FindAllString(m[1], -1); !slices.Equal(zh, en) {
			t.Errorf("message %q: verbs %q in Chinese, %q in English", id, zh, en)
		}
		prefixes[strings.SplitN(id, ".", 2)[0]] = true
	}
	used := web.DynamicMessageIDsForTest()
	for name, src := range templateSources(t) {
		for _, m := range templateIDRE.FindAllStringSubmatch(src, -1) {
			used = append(used, m[1])
		}
		if !strings.Contains(src, `t .Lang`) && !strings.Contains(src, `t $.Lang`) {
			t.Errorf("%s names no message; is the check reading it?", name)
		}
	}
	used = append(used, goMessageIDs(t, prefixes)...)
	// Every code of the domain has a label.
	for _, k := range frontline.PlaceKinds {
		used = append(used, "kind."+string(k))
	}
	for f := range frontline.FlagLabels {
		used = append(used, "flag."+string(f))
	}
	for s := range frontline.StatusLabels {
		used = append(used, "status."+string(s))
	}
	for r := range frontline.RelationLabels {
		used = append(used, "relation."+string(r))
	}
	for it := range frontline.IDTypeLabels {
		used = append(used, "idtype."+string(it))
	}
	for _, r := range frontline.Roles {
		used = append(used, "role."+string(r))
	}
	used = append(used, "sex.M", "sex.F")
	if len(used) < 200 {
		t.Fatalf("only %d message ids found in use; the scan is broken", len(used))
	}
	for _, id := range used {
		if _, ok := msgs[id]; !ok {
			t.Errorf("message %q is used but not in the catalogue", id)
		}
	}
}

// goMessageIDs returns the string literals of the package's code that
// look like message ids (a catalogue prefix, dots, lower case), skipping
// prefixes the code completes at run time ("form.invalid.") and file
// names.
func goMessageIDs(t *testing.T, prefixes map[string]bool) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !goMessageIDRE.MatchString(s) || !prefixes[strings.SplitN(s, ".", 2)[0]] {
				return true
			}
			switch filepath.Ext(s) {
			case ".csv", ".css", ".js", ".html":
				return true
			}
			ids = append(ids, s)
			return true
		})
	}
	if len(ids) < 20 {
		t.Fatalf("only %d message ids found in the code; the scan is broken", len(ids))
	}
	return ids
}

func TestFormatNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 30000: "30,000", 3021567: "3,021,567", -1234: "-1,234"} {
		if got := web.FormatNumberForTest(n); got != want {
			t.Errorf("format %d = %q, want %q", n, got, want)
		}
	}
}

func TestFormatTime(t *testing.T) {
	s := &web.Server{Places: brokenPlaces{}, Persons: stubPersons{}, Users: stubUsers{}, Audit: stubAudit{}}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 7, 4, 0, 0, time.UTC) // 15:04 in China
	for lang, want := range map[string]string{"zh-CN": "2026-01-02 15:04", "en": "2 Jan 2026 15:04"} {
		if got := s.FormatTimeForTest(lang, at); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := s.FormatTimeForTest("en", time.Time{}); got != "" {
		t.Errorf("zero time: %q", got)
	}
}

// TestMessages_DefinedOnce fails when two of the catalogue's functions
// define the same id: the later would silently win, and one of the two
// pages that use it would show the other's text (as "followup.title" once
// put "上门采样 · %s" on the screening follow-up pages).
func TestMessages_DefinedOnce(t *testing.T) {
	if dups := web.CatalogDuplicatesForTest(); len(dups) > 0 {
		t.Errorf("message ids defined twice:\n%s", strings.Join(dups, "\n"))
	}
	// The check itself finds a duplicate across parts.
	got := web.DuplicateIDsForTest(map[string][]string{"aMessages": {"x.title", "x.none"}, "bMessages": {"x.title"}})
	if len(got) != 1 || !strings.Contains(got[0], `"x.title"`) || !strings.Contains(got[0], "aMessages and bMessages") {
		t.Errorf("the duplicate check found %q", got)
	}
}

// TestText_Placeholders shows that a message is filled with exactly as
// many arguments as it has verbs, so no raw "%s" and no "%!(EXTRA" ever
// reaches a page: the page fails instead (and with it its test and the
// crawl).
func TestText_Placeholders(t *testing.T) {
	for _, c := range []struct {
		id   string
		args []any
		ok   bool
	}{
		{"homesampling.title", []any{"第一轮"}, true},
		{"homesampling.title", nil, false},
		{"followup.title", nil, true},
		{"followup.title", []any{"x"}, false},
		{"list.range", []any{"1", "2", "3"}, true},
		{"list.range", []any{"1", "2"}, false},
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			got, err := web.TextForTest(lang, c.id, c.args...)
			if c.ok && (err != nil || strings.Contains(got, "%")) {
				t.Errorf("%s %s %q: %q, %v", lang, c.id, c.args, got, err)
			}
			if !c.ok && err == nil {
				t.Errorf("%s %s %q: %q, want an error", lang, c.id, c.args, got)
			}
		}
	}
}
