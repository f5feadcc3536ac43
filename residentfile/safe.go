package residentfile

import "strings"

// SafeCell returns a cell of a CSV file so that no spreadsheet program
// runs it as a formula: a value a person typed that starts with = + - or
// @ (or a tab or carriage return before one) gets a leading apostrophe,
// which Excel and LibreOffice show as text and Read takes off again. Plain
// numbers (-3, +86…) are left alone: they are no formula.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	t := strings.TrimLeft(s, "\t\r")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '@':
		return "'" + s
	case '+', '-':
		if !plainNumber(t[1:]) {
			return "'" + s
		}
	}
	if t != s {
		return "'" + s // a tab or return before anything else: no risk worth a guess
	}
	return s
}

// plainNumber reports whether s is digits with at most one point.
func plainNumber(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	return digits(whole) && (frac == "" || digits(frac))
}

// keepText returns a CSV cell that a spreadsheet program would turn into
// a number and change, prefixed with a tab so that it stays text: ID
// numbers (18 digits, more than a number keeps), phone numbers, and codes
// with a leading zero (room 0502). Excel and LibreOffice both keep a
// tab-led cell as typed; Read trims it.
func keepText(s string) string {
	n := len(s)
	if n < 2 || s[0] < '0' || s[0] > '9' {
		return s
	}
	body := s
	if s[n-1] == 'X' || s[n-1] == 'x' {
		body = s[:n-1]
	}
	if !digits(body) {
		return s
	}
	if s[0] == '0' || n >= 11 || len(body) != n {
		return "\t" + s
	}
	return s
}

// csvCell is a cell as the CSV writer writes it: safe, and kept as text.
func csvCell(s string) string {
	if t := SafeCell(s); t != s {
		return t
	}
	return keepText(s)
}

// unquoteFormula takes off the apostrophe SafeCell put before a value
// that starts like a formula, so an exported file imports back as it was.
func unquoteFormula(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}
