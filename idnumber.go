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
	// IDNone is a person without a document number: an infant not yet
	// registered, a person without papers. They are told apart by name,
	// birth date and household (MatchesWithoutDocument).
	IDNone IDType = "none" // 无证件
)

// IDTypeLabels maps each document type to the label offices write in
// spreadsheets.
var IDTypeLabels = map[IDType]string{
	IDMainland:       "居民身份证",
	IDPassport:       "护照",
	IDHKMacaoPermit:  "港澳居民来往内地通行证",
	IDTaiwanPermit:   "台湾居民来往大陆通行证",
	IDForeignPermRes: "外国人永久居留身份证",
	IDNone:           "无证件",
}

// IDTypes are the document types in the order forms list them.
var IDTypes = []IDType{IDMainland, IDPassport, IDHKMacaoPermit, IDTaiwanPermit, IDForeignPermRes, IDNone}

// Valid reports whether t is a known document type.
func (t IDType) Valid() bool { _, ok := IDTypeLabels[t]; return ok }

// ParseIDType reads a document type from its code or its Chinese label.
// Empty input is a mainland ID, the default in every office list.
func ParseIDType(s string) (IDType, bool) {
	s = strings.TrimSpace(FoldWidth(s))
	switch s {
	case "", "身份证", "居民身份证号码", "二代身份证":
		return IDMainland, true
	case "无", "没有", "无证", "无证件", "未办理", "未登记":
		return IDNone, true
	case "回乡证", "港澳通行证":
		return IDHKMacaoPermit, true
	case "台胞证":
		return IDTaiwanPermit, true
	case "永居证", "外国人永久居留证":
		return IDForeignPermRes, true
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

// ValidateIDNumber checks a number by the rules of its document type:
//   - 居民身份证: 18 characters, region, birth date, GB 11643 check character;
//   - 护照: 5 to 17 letters and digits (Chinese passports are E or G and 8
//     digits, or EA1234567; other countries' vary);
//   - 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) and 8 digits, or 10
//     on the older cards;
//   - 台湾居民来往大陆通行证: 8 digits, or 10 on the older cards, which may
//     end in a letter in brackets, 1234567890(B);
//   - 外国人永久居留身份证: 3 letters of the country and 12 digits (before
//     2023), or 18 characters starting with 9 with a GB 11643 check
//     character (since);
//   - none: no number at all.
//
// The number must already be normalized (NormalizeIDNumber).
func ValidateIDNumber(t IDType, n string, now time.Time) error {
	if t == IDNone {
		if n != "" {
			return Errorf(EINVALID, "a person without a document has no document number; choose the document type")
		}
		return nil
	}
	if n == "" {
		return Errorf(EINVALID, "the ID number is missing")
	}
	switch t {
	case IDMainland:
		_, err := ParseMainlandID(n, now)
		return err
	case IDPassport:
		if len(n) < 5 || len(n) > 17 || !alnum(n) {
			return Errorf(EINVALID, "a passport number has 5 to 17 letters and digits")
		}
	case IDHKMacaoPermit:
		if len(n) != 9 && len(n) != 11 || n[0] != 'H' && n[0] != 'M' || !allDigits(n[1:]) {
			return Errorf(EINVALID, "a Hong Kong or Macao permit number is H or M and 8 digits (10 on older cards)")
		}
	case IDTaiwanPermit:
		body, _, _ := strings.Cut(n, "(")
		if !(len(n) == 8 && allDigits(n)) && !(len(body) == 10 && allDigits(body) && (len(n) == 10 || len(n) == 13 && n[12] == ')' && n[11] >= 'A' && n[11] <= 'Z')) {
			return Errorf(EINVALID, "a Taiwan permit number has 8 digits (10 on older cards)")
		}
	case IDForeignPermRes:
		switch {
		case len(n) == 15 && upper(n[:3]) && allDigits(n[3:]):
		case len(n) == 18 && n[0] == '9' && allDigits(n[:17]):
			if want := IDCheckDigit(n); want != n[17] {
				return Errorf(EINVALID, "the permanent residence card number's check digit is wrong (expected %c)", want)
			}
		default:
			return Errorf(EINVALID, "a foreign permanent residence card number is 3 letters and 12 digits, or 18 characters starting with 9")
		}
	default:
		return Errorf(EINVALID, "unknown document type %q", t)
	}
	return nil
}

// alnum reports whether s has only ASCII capitals and digits.
func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// upper reports whether s has only ASCII capitals.
func upper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
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
