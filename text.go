package frontline

import (
	"strings"
	"unicode"
	"unicode/utf8"
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

// CheckLine refuses, in a name, a code or any other one-line text, the
// characters a person cannot have typed there: control characters (a
// NUL, a bell, an escape, a line break) and the invisible marks that turn
// the direction of text (U+202E and its kin), with which a name reads on
// screen as something other than what is stored. The error is about
// field and says which character, and where.
func CheckLine(field, s string) error { return checkText(field, s, false) }

// CheckText is CheckLine for free text (notes, symptoms, a notice's
// template), which may hold line breaks and tabs.
func CheckText(field, s string) error { return checkText(field, s, true) }

func checkText(field, s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return FieldError(field, "the text is not valid UTF-8; type it again")
	}
	pos := 0
	for _, r := range s {
		pos++
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
			continue
		case unicode.IsControl(r):
			return FieldError(field, "character %d is a control character (U+%04X), which cannot be shown; remove it", pos, r)
		case isBidiControl(r):
			return FieldError(field, "character %d is an invisible mark that turns the direction of text (U+%04X); remove it", pos, r)
		}
	}
	return nil
}

// isBidiControl reports the explicit direction marks, overrides and
// isolates (Unicode's Bidi_Control characters).
func isBidiControl(r rune) bool {
	return r == '\u061C' || r == '\u200E' || r == '\u200F' || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// CheckLines runs CheckLine on each pair of field and value, and returns
// the first refusal.
func CheckLines(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := CheckLine(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}
