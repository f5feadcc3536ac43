package frontline

import (
	"strings"
	"time"
	"unicode/utf8"
)

// IDType is the kind of identity document a person's number belongs to.
type IDType string

// Identity document types accepted in the registry.
const (
	IDMainland       IDType = "mainland_id"      // 居民身份证
	IDPassport       IDType = "passport"         // 护照
	IDHKMacaoPermit  IDType = "hk_macao_permit"  // 港澳居民来往内地通行证
	IDTaiwanPermit   IDType = "taiwan_permit"    // 台湾居民来往大陆通行证
	IDForeignPermRes IDType = "foreign_perm_res" // 外国人永久居留身份证
)

// IDTypeLabels maps each document type to the label offices write in
// spreadsheets.
var IDTypeLabels = map[IDType]string{
	IDMainland:       "居民身份证",
	IDPassport:       "护照",
	IDHKMacaoPermit:  "港澳居民来往内地通行证",
	IDTaiwanPermit:   "台湾居民来往大陆通行证",
	IDForeignPermRes: "外国人永久居留身份证",
}

// Valid reports whether t is a known document type.
func (t IDType) Valid() bool { _, ok := IDTypeLabels[t]; return ok }

// ParseIDType reads a document type from its code or its Chinese label.
// Empty input is a mainland ID, the default in every office list.
func ParseIDType(s string) (IDType, bool) {
	s = strings.TrimSpace(FoldWidth(s))
	if s == "" || s == "身份证" {
		return IDMainland, true
	}
	for t, label := range IDTypeLabels {
		if s == string(t) || s == label {
			return t, true
		}
	}
	return "", false
}

// idWeights are the GB 11643-1999 weights of the first 17 characters.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// IDCheckDigit returns the GB 11643 check character for the first 17
// digits of a mainland ID number.
func IDCheckDigit(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// NormalizeIDNumber folds full-width characters, removes spaces and turns a
// trailing x into X.
func NormalizeIDNumber(s string) string {
	s = strings.Join(strings.Fields(FoldWidth(s)), "")
	return strings.ToUpper(s)
}

// MainlandID is what a valid mainland ID number tells about its holder.
type MainlandID struct {
	Number    string
	BirthDate string // YYYY-MM-DD
	Sex       Sex
}

// ParseMainlandID validates an 18-character mainland ID number: digits, a
// region code, a real birth date not in the future (relative to now) and the
// GB 11643 check character. The number must already be normalized.
func ParseMainlandID(n string, now time.Time) (MainlandID, error) {
	if len(n) != 18 {
		return MainlandID{}, idLengthError(n)
	}
	for i := 0; i < 17; i++ {
		if n[i] < '0' || n[i] > '9' {
			return MainlandID{}, Errorf(EINVALID, "character %d of the ID number is not a digit", i+1)
		}
	}
	if c := n[17]; (c < '0' || c > '9') && c != 'X' {
		return MainlandID{}, Errorf(EINVALID, "the last character of the ID number must be a digit or X")
	}
	if n[0] == '0' || n[0] == '9' {
		return MainlandID{}, Errorf(EINVALID, "the ID number does not start with a region code")
	}
	birth, err := time.Parse("20060102", n[6:14])
	if err != nil || birth.Year() < 1890 || birth.After(now) {
		return MainlandID{}, Errorf(EINVALID, "the ID number holds an impossible birth date %s", n[6:14])
	}
	if want := IDCheckDigit(n); want != n[17] {
		return MainlandID{}, Errorf(EINVALID, "the ID number's check digit is wrong (expected %c)", want)
	}
	sex := SexFemale
	if (n[16]-'0')%2 == 1 {
		sex = SexMale
	}
	return MainlandID{Number: n, BirthDate: birth.Format(DateLayout), Sex: sex}, nil
}

// idLengthError explains a number that is not 18 bytes long. A number of
// 18 characters can still be longer in bytes when one of them is not ASCII
// ("62050219900102123号"); saying "has 18 characters, this one has 18"
// would then contradict itself, so name the offending character instead.
func idLengthError(n string) error {
	if c := utf8.RuneCountInString(n); c != 18 {
		return Errorf(EINVALID, "a mainland ID number has 18 characters, this one has %d", c)
	}
	i := 0
	for _, r := range n {
		i++
		if r >= utf8.RuneSelf && i < 18 {
			return Errorf(EINVALID, "character %d of the ID number is not a digit", i)
		}
	}
	return Errorf(EINVALID, "the last character of the ID number must be a digit or X")
}

// ValidateIDNumber checks a number of the given type. Non-mainland documents
// are accepted as typed, within sane limits.
func ValidateIDNumber(t IDType, n string, now time.Time) error {
	if n == "" {
		return Errorf(EINVALID, "the ID number is missing")
	}
	if t == IDMainland {
		_, err := ParseMainlandID(n, now)
		return err
	}
	if len(n) > 32 {
		return Errorf(EINVALID, "the document number is longer than 32 characters")
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-' || r == '(' || r == ')') {
			return Errorf(EINVALID, "the document number has an unexpected character %q", r)
		}
	}
	return nil
}

// MaskIDNumber hides the middle of an ID number: 6205**********123X.
func MaskIDNumber(n string) string {
	switch {
	case n == "":
		return ""
	case len(n) >= 10:
		return n[:4] + strings.Repeat("*", len(n)-8) + n[len(n)-4:]
	case len(n) >= 4:
		return n[:1] + strings.Repeat("*", len(n)-3) + n[len(n)-2:]
	default:
		return strings.Repeat("*", len(n))
	}
}

// MaskPhone hides the middle of a phone number: 138****5678.
func MaskPhone(p string) string {
	switch {
	case p == "":
		return ""
	case len(p) >= 11:
		return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
	case len(p) >= 6:
		return p[:2] + strings.Repeat("*", len(p)-4) + p[len(p)-2:]
	default:
		return strings.Repeat("*", len(p))
	}
}

// NormalizePhone folds and checks a phone number. A mainland mobile number
// (11 digits starting with 1, optionally written with +86, spaces or
// dashes) becomes its 11 digits; a landline with an area code becomes
// "0AAA-NNNNNNN". Anything else is an error.
func NormalizePhone(s string) (string, error) {
	s = FoldWidth(strings.TrimSpace(s))
	if s == "" {
		return "", nil
	}
	var digits strings.Builder
	dash := -1 // position of the first separator in the digits, for landlines
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == '+' && i == 0:
		case r == '-' || r == ' ' || r == '(' || r == ')':
			if dash < 0 && digits.Len() > 0 {
				dash = digits.Len()
			}
		default:
			return "", Errorf(EINVALID, "the phone number has an unexpected character %q", r)
		}
	}
	d := digits.String()
	if strings.HasPrefix(s, "+86") || (len(d) == 13 && strings.HasPrefix(d, "86")) {
		d = strings.TrimPrefix(d, "86")
		dash = -1
	}
	switch {
	case len(d) == 11 && d[0] == '1' && d[1] >= '3':
		return d, nil
	case d != "" && d[0] == '0' && len(d) >= 10 && len(d) <= 12:
		area := 4 // 0AAA; the big cities have 0AA
		if dash == 3 || dash == 4 {
			area = dash
		} else if d[1] == '1' || d[1] == '2' {
			area = 3
		}
		return d[:area] + "-" + d[area:], nil
	}
	return "", Errorf(EINVALID, "%q is neither a mobile number (11 digits starting with 1) nor a landline with its area code", s)
}
