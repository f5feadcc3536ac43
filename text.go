package frontline

import (
	"strings"
	"unicode"
)

// FoldWidth folds full-width ASCII variants (１２３ＡＢＣ, the ideographic
// space) to their ASCII forms. Offices type codes and numbers with a Chinese
// input method on, so "１３８" must read as "138".
func FoldWidth(s string) string {
	if !hasWide(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u3000':
			b.WriteRune(' ')
		case r >= '\uFF01' && r <= '\uFF5E':
			b.WriteRune(r - 0xFEE0)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasWide(s string) bool {
	for _, r := range s {
		if r == '\u3000' || (r >= '\uFF01' && r <= '\uFF5E') {
			return true
		}
	}
	return false
}

// CleanName trims a person's or place's name and removes the spaces that
// spreadsheets carry inside Chinese names (full-width and ordinary), while a
// single space between Latin words ("Anna Li") is kept.
func CleanName(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' || r == '\uFEFF' })
	if s == "" {
		return s
	}
	var b strings.Builder
	var prev rune  // the last rune written
	space := false // a run of spaces was seen since prev
	for _, r := range s {
		if r == '\u3000' || unicode.IsSpace(r) {
			space = true
			continue
		}
		// A run of spaces (however long, full-width or not) becomes one
		// space between two Latin letters and nothing elsewhere.
		if space && isLatin(prev) && isLatin(r) {
			b.WriteRune(' ')
		}
		space = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func isLatin(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }
