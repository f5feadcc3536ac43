package frontline_test

import (
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

// now is the clock of the ID tests, so birth-date checks do not drift.
var now = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParseMainlandID(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want frontline.MainlandID
		err  string
	}{
		{in: "620502199001021230", want: frontline.MainlandID{Number: "620502199001021230", BirthDate: "1990-01-02", Sex: frontline.SexMale}},
		{in: "620502199001021345", want: frontline.MainlandID{Number: "620502199001021345", BirthDate: "1990-01-02", Sex: frontline.SexFemale}},
		{in: "62050219900102145X", want: frontline.MainlandID{Number: "62050219900102145X", BirthDate: "1990-01-02", Sex: frontline.SexMale}},
		{in: "620502200002291342", want: frontline.MainlandID{Number: "620502200002291342", BirthDate: "2000-02-29", Sex: frontline.SexFemale}},
		{in: "", err: "a mainland ID number has 18 characters, this one has 0"},
		{in: "62050219900102123", err: "a mainland ID number has 18 characters, this one has 17"},
		{in: "6205021990010212300", err: "a mainland ID number has 18 characters, this one has 19"},
		{in: "62050219900102123号", err: "the last character of the ID number must be a digit or X"},
		{in: "6205021990010号1230", err: "character 14 of the ID number is not a digit"},
		{in: "620502199O01021230", err: "character 10 of the ID number is not a digit"},
		{in: "62050219900102145x", err: "the last character of the ID number must be a digit or X"},
		{in: "020502199001021230", err: "the ID number does not start with a region code"},
		{in: "920502199001021230", err: "the ID number does not start with a region code"},
		{in: "620502199902311235", err: "the ID number holds an impossible birth date 19990231"},
		{in: "620502188001011230", err: "the ID number holds an impossible birth date 18800101"},
		{in: "620502203001011230", err: "the ID number holds an impossible birth date 20300101"},
		{in: "620502199001021231", err: "the ID number's check digit is wrong (expected 0)"},
	} {
		got, err := frontline.ParseMainlandID(tt.in, now)
		if tt.err != "" {
			if frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorMessage(err) != tt.err {
				t.Errorf("ParseMainlandID(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseMainlandID(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestMaskIDNumber(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"62050219900102145X": "6205**********145X",
		"E12345678":          "E******78",
		"H1234":              "H**34",
		"123":                "***",
		"AB12345678":         "AB12**5678",
	} {
		if got := frontline.MaskIDNumber(in); got != want {
			t.Errorf("MaskIDNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"":             "",
		"13800138000":  "138****8000",
		"0938-8212345": "093*****2345",
		"821234":       "82**34",
		"12345":        "*****",
	} {
		if got := frontline.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{in: "", want: ""},
		{in: "13800138000", want: "13800138000"},
		{in: " 138 0013 8000 ", want: "13800138000"},
		{in: "138-0013-8000", want: "13800138000"},
		{in: "+86 138 0013 8000", want: "13800138000"},
		{in: "8613800138000", want: "13800138000"},
		{in: "１３８００１３８０００", want: "13800138000"},
		{in: "0938-8212345", want: "0938-8212345"},
		{in: "09388212345", want: "0938-8212345"},
		{in: "(0938)8212345", want: "0938-8212345"},
		{in: "010-12345678", want: "010-12345678"},
		{in: "01012345678", want: "010-12345678"},
		{in: "12345", err: `"12345" is neither a mobile number (11 digits starting with 1) nor a landline with its area code`},
		{in: "12800138000", err: `"12800138000" is neither a mobile number (11 digits starting with 1) nor a landline with its area code`},
		{in: "138001380x0", err: `the phone number has an unexpected character 'x'`},
	} {
		got, err := frontline.NormalizePhone(tt.in)
		if tt.err != "" {
			if frontline.ErrorMessage(err) != tt.err {
				t.Errorf("NormalizePhone(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestPlaceNames(t *testing.T) {
	for _, tt := range []struct {
		fn   func(string) string
		name string
		in   string
		want string
	}{
		{frontline.BuildingName, "BuildingName", "3", "3号楼"},
		{frontline.BuildingName, "BuildingName", "3号楼", "3号楼"},
		{frontline.BuildingName, "BuildingName", "3栋", "3号楼"},
		{frontline.BuildingName, "BuildingName", "3幢", "3号楼"},
		{frontline.BuildingName, "BuildingName", "3号", "3号楼"},
		{frontline.BuildingName, "BuildingName", "３号楼", "3号楼"},
		{frontline.BuildingName, "BuildingName", " 3 号楼 ", "3号楼"},
		{frontline.BuildingName, "BuildingName", "a1", "A1号楼"},
		{frontline.BuildingName, "BuildingName", "综合楼", "综合楼"},
		{frontline.BuildingName, "BuildingName", "A座", "A座"},
		{frontline.BuildingName, "BuildingName", "号楼", "号楼"},
		{frontline.BuildingName, "BuildingName", "", ""},
		{frontline.UnitName, "UnitName", "2", "2单元"},
		{frontline.UnitName, "UnitName", "2单元", "2单元"},
		{frontline.UnitName, "UnitName", "２ 单元", "2单元"},
		{frontline.UnitName, "UnitName", "东单元", "东单元"},
		{frontline.RoomName, "RoomName", "501", "501"},
		{frontline.RoomName, "RoomName", "501室", "501"},
		{frontline.RoomName, "RoomName", "５０１ 户", "501"},
		{frontline.RoomName, "RoomName", "5-501", "5-501"},
		{frontline.RoomName, "RoomName", "b501", "B501"},
		{frontline.RoomName, "RoomName", "室", "室"},
		{frontline.CleanName, "CleanName", " 张 伟 ", "张伟"},
		{frontline.CleanName, "CleanName", "李　娜", "李娜"},
		{frontline.CleanName, "CleanName", "\uFEFF王芳", "王芳"},
		{frontline.CleanName, "CleanName", "Anna Li", "Anna Li"},
		{frontline.CleanName, "CleanName", "Anna   Li", "Anna Li"},
		{frontline.CleanName, "CleanName", "Anna\u3000Li", "Anna Li"},
		{frontline.CleanName, "CleanName", "阿卜杜 拉", "阿卜杜拉"},
		{frontline.CleanName, "CleanName", "John 张", "John张"},
		{frontline.CleanName, "CleanName", "  ", ""},
		{frontline.FoldWidth, "FoldWidth", "１３８ＡＢＣａｂｃ", "138ABCabc"},
		{frontline.FoldWidth, "FoldWidth", "３号楼\u3000２单元", "3号楼 2单元"},
		{frontline.FoldWidth, "FoldWidth", "（０９３８）－８２１", "(0938)-821"},
		{frontline.FoldWidth, "FoldWidth", "plain 张伟", "plain 张伟"},
	} {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("%s(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// FuzzParseMainlandID checks the ID rules on any input: no panic; an
// accepted number has 18 characters, a correct check digit and a birth
// date that parses and agrees with the number; masking keeps the length.
func FuzzParseMainlandID(f *testing.F) {
	for _, s := range []string{
		"620502199001021230", "62050219900102145X", "620502199902311235", "620502199001021231",
		"62050219900102123号", "", "X", "６２０５０２１９９００１０２１２３０", "000000000000000000",
		"999999999999999999", "62050218900101123X", "\xff\xfe620502199001021230",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m := frontline.MaskIDNumber(s); len(m) != len(s) {
			t.Fatalf("MaskIDNumber(%q) = %q: length %d, want %d", s, m, len(m), len(s))
		}
		for _, n := range []string{s, frontline.NormalizeIDNumber(s)} {
			id, err := frontline.ParseMainlandID(n, now)
			if err != nil {
				if frontline.ErrorCode(err) != frontline.EINVALID {
					t.Fatalf("ParseMainlandID(%q) error %v is not EINVALID", n, err)
				}
				continue
			}
			checkAccepted(t, n, id)
		}
	})
}

// checkAccepted checks the properties of a number ParseMainlandID accepted.
func checkAccepted(t *testing.T, n string, id frontline.MainlandID) {
	t.Helper()
	if len(n) != 18 || id.Number != n {
		t.Fatalf("accepted %q (length %d) as %q", n, len(n), id.Number)
	}
	if c := frontline.IDCheckDigit(n); c != n[17] {
		t.Fatalf("accepted %q with check character %c, want %c", n, n[17], c)
	}
	birth, err := time.Parse(frontline.DateLayout, id.BirthDate)
	if err != nil || birth.After(now) || birth.Format("20060102") != n[6:14] {
		t.Fatalf("accepted %q with birth date %q (%v)", n, id.BirthDate, err)
	}
	if id.Sex != frontline.SexMale && id.Sex != frontline.SexFemale {
		t.Fatalf("accepted %q with sex %q", n, id.Sex)
	}
	if strings.Count(frontline.MaskIDNumber(n), "*") != 10 {
		t.Fatalf("MaskIDNumber(%q) = %q, want 10 hidden characters", n, frontline.MaskIDNumber(n))
	}
}

// TestValidateIDNumber_DocumentTypes checks each document type by its own
// rules, and a person without a document.
func TestValidateIDNumber_DocumentTypes(t *testing.T) {
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	first := "91000019900102123"
	foreignNew := first + string(frontline.IDCheckDigit(first))
	good := map[frontline.IDType][]string{
		frontline.IDPassport:       {"E12345678", "EA1234567", "G12345678", "X1234567", "123456789"},
		frontline.IDHKMacaoPermit:  {"H12345678", "M12345678", "H1234567890"},
		frontline.IDTaiwanPermit:   {"12345678", "1234567890", "1234567890(B)"},
		frontline.IDForeignPermRes: {"USA123456789012", foreignNew},
		frontline.IDNone:           {""},
	}
	bad := map[frontline.IDType][]string{
		frontline.IDPassport:       {"E123", "E1234567890123456789", "E-1234567"},
		frontline.IDHKMacaoPermit:  {"A12345678", "H1234567", "12345678"},
		frontline.IDTaiwanPermit:   {"1234567", "H12345678", "1234567890(b)"},
		frontline.IDForeignPermRes: {"US123456789012", first + "0", "620502199001021230"},
		frontline.IDNone:           {"123"},
	}
	for typ, nums := range good {
		for _, n := range nums {
			if err := frontline.ValidateIDNumber(typ, n, now); err != nil {
				t.Errorf("%s %q: %v", typ, n, err)
			}
		}
	}
	for typ, nums := range bad {
		for _, n := range nums {
			if err := frontline.ValidateIDNumber(typ, n, now); err == nil {
				t.Errorf("%s %q: accepted", typ, n)
			}
		}
	}
	if typ, ok := frontline.ParseIDType("无证件"); !ok || typ != frontline.IDNone {
		t.Errorf("无证件 = %q %v", typ, ok)
	}
	p := &frontline.Person{Name: "张小宝", IDType: frontline.IDNone}
	if err := p.Validate(now); frontline.ErrorField(err) != "birth_date" {
		t.Errorf("no document, no birth date: %v", err)
	}
	p.BirthDate = "2024-05-01"
	if err := p.Validate(now); err != nil {
		t.Errorf("infant without a document: %v", err)
	}
	q := *p
	q.HouseholdID, p.HouseholdID = 7, 7
	if !frontline.SamePersonWithoutDocument(p, &q) {
		t.Error("same name, birth date and household are the same person")
	}
	q.Phone, p.Phone = "13800138000", "13900139000"
	if frontline.SamePersonWithoutDocument(p, &q) {
		t.Error("different phones are different persons")
	}
}
