package residentfile

import (
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/xuri/excelize/v2"
)

// Hints listing the accepted labels, for messages about unknown values.
// Built once from the domain's label tables in their display order.
var (
	idTypeHint = orList(frontline.IDTypeLabels, []frontline.IDType{frontline.IDMainland, frontline.IDPassport,
		frontline.IDHKMacaoPermit, frontline.IDTaiwanPermit, frontline.IDForeignPermRes})
	relationHint = orList(frontline.RelationLabels, []frontline.Relation{frontline.RelHead, frontline.RelSpouse,
		frontline.RelChild, frontline.RelParent, frontline.RelGrandchild, frontline.RelSibling, frontline.RelOther})
	flagHint   = orList(frontline.FlagLabels, frontline.FlagOrder)
	statusHint = orList(frontline.StatusLabels, []frontline.ResidenceStatus{frontline.StatusResident,
		frontline.StatusTemporary, frontline.StatusAway, frontline.StatusMovedOut})
)

// orList returns "a, b or c" of the labels of keys.
func orList[K comparable](labels map[K]string, keys []K) string {
	s := make([]string, len(keys))
	for i, k := range keys {
		s[i] = labels[k]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// date reads a birth date cell. XLSX cells are read raw, so a real date
// cell arrives as Excel's day count (32875 for 1990-01-02).
func (p *parser) date(s string) (string, bool) {
	if p.in.xlsx {
		if d, ok := excelSerial(s, p.in.date1904); ok {
			return d, true
		}
	}
	return parseDate(s)
}

// excelSerial converts an Excel date serial such as "32875" or
// "32875.0000" to YYYY-MM-DD. Longer numbers are not serials: 19900102 is
// a date written as digits.
func excelSerial(s string, date1904 bool) (string, bool) {
	whole, _, _ := strings.Cut(s, ".")
	if len(whole) == 0 || len(whole) > 6 || !digits(whole) {
		return "", false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 1 {
		return "", false
	}
	t, err := excelize.ExcelDateToTime(f, date1904)
	if err != nil {
		return "", false
	}
	return t.Format(frontline.DateLayout), true
}

// parseDate reads the ways offices write a date: 1990-01-02, 1990/1/2,
// 1990.1.2, 19900102, 1990年1月2日, optionally followed by a time of day
// (database exports write "1990-01-02 00:00:00"). It returns the date as
// YYYY-MM-DD, or false when it is not a real calendar date.
func parseDate(s string) (string, bool) {
	s = frontline.FoldWidth(s)
	if date, clock, ok := strings.Cut(s, " "); ok && isClock(strings.TrimSpace(clock)) {
		s = date
	}
	var y, m, d int
	if len(s) == 8 && digits(s) {
		y, _ = strconv.Atoi(s[:4])
		m, _ = strconv.Atoi(s[4:6])
		d, _ = strconv.Atoi(s[6:])
	} else {
		var ok bool
		if y, m, d, ok = splitDate(s); !ok {
			return "", false
		}
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// time.Date normalizes 1999-02-31 to March 3rd; a date that does not
	// come back as written does not exist.
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return "", false
	}
	return t.Format(frontline.DateLayout), true
}

// splitDate reads year, separator, month, separator, day, with - / . or
// 年 月 日 as separators.
func splitDate(s string) (y, m, d int, ok bool) {
	y, s, ok = leadingNumber(s, 4, 4)
	if !ok {
		return
	}
	if s, ok = cutSeparator(s, "年"); !ok {
		return
	}
	if m, s, ok = leadingNumber(s, 1, 2); !ok {
		return
	}
	if s, ok = cutSeparator(s, "月"); !ok {
		return
	}
	if d, s, ok = leadingNumber(s, 1, 2); !ok {
		return
	}
	s = strings.TrimPrefix(s, "日")
	return y, m, d, s == ""
}

// leadingNumber reads between lo and hi digits from the start of s.
func leadingNumber(s string, lo, hi int) (int, string, bool) {
	n, i := 0, 0
	for i < len(s) && i < hi && s[i] >= '0' && s[i] <= '9' {
		n = n*10 + int(s[i]-'0')
		i++
	}
	if i < lo || (i < len(s) && s[i] >= '0' && s[i] <= '9') {
		return 0, s, false
	}
	return n, s[i:], true
}

// cutSeparator removes one date separator: - / . or the given word.
func cutSeparator(s, word string) (string, bool) {
	if s != "" && (s[0] == '-' || s[0] == '/' || s[0] == '.') {
		return s[1:], true
	}
	if rest, ok := strings.CutPrefix(s, word); ok {
		return rest, true
	}
	return s, false
}

// isClock reports whether s looks like a time of day: digits and colons,
// with an optional fraction.
func isClock(s string) bool {
	if s == "" || !strings.Contains(s, ":") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != ':' && c != '.' {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
