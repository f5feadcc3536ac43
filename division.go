package frontline

import (
	"context"
	"fmt"
	"strings"
)

// Statistics-bureau division codes (统计用区划代码). Every administrative
// place from the city down to the community (居委会, 村委会) has a
// 12-digit code whose leading digits are those of the places above it:
//
//	62 05 02 001 001   罗玉新村社区
//	62 05 02 001 000   大城街道 (the subdistrict: the last 3 digits zero)
//	62 05 02 000 000   秦州区 (the district: the last 6 zero)
//	62 05 00 000 000   天水市 (the city: the last 8 zero)
//	62 00 00 000 000   甘肃省 (a province, above Frontline's tree)
//
// Offices also write the short form, the significant digits alone
// (620502001); it names the same place and is padded with zeros.

// DivisionCodeLen is the length of a full division code.
const DivisionCodeLen = 12

// divisionDigits is how many leading digits name a place of each
// administrative kind; the digits after them are zeros.
var divisionDigits = map[PlaceKind]int{KindCity: 4, KindDistrict: 6, KindSubdistrict: 9, KindCommunity: 12}

// provinceDigits is how many leading digits name a province.
const provinceDigits = 2

// Administrative reports whether places of kind k are divisions of the
// state with statistics-bureau codes: city, district, subdistrict and
// community. The kinds below are the office's own (compounds, buildings,
// units, households) and have no official code.
func (k PlaceKind) Administrative() bool { return divisionDigits[k] > 0 }

// NormalizeDivisionCode returns the 12-digit form of a division code
// written in full or as its significant digits (2, 4, 6 or 9 of them),
// with full-width digits and spaces allowed, or an error saying what is
// wrong with it.
func NormalizeDivisionCode(s string) (string, error) {
	s = strings.Join(strings.Fields(FoldWidth(s)), "")
	if s == "" {
		return "", fmt.Errorf("the code is empty")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("%q is not a division code: it must be digits only", s)
		}
	}
	switch len(s) {
	case provinceDigits, 4, 6, 9, DivisionCodeLen:
		return s + strings.Repeat("0", DivisionCodeLen-len(s)), nil
	}
	return "", fmt.Errorf("%q is not a division code: it has %d digits, not 12 (or 2, 4, 6 or 9 without the trailing zeros)", s, len(s))
}

// DivisionLevel returns the kind a 12-digit code names from where its
// trailing zeros start, and province true for a province's code, which
// has no kind in Frontline's tree. A code of zeros names nothing: ok is
// false.
func DivisionLevel(code string) (kind PlaceKind, province, ok bool) {
	if len(code) != DivisionCodeLen {
		return "", false, false
	}
	zeroFrom := func(n int) bool { return strings.Trim(code[n:], "0") == "" }
	switch {
	case zeroFrom(0):
		return "", false, false
	case zeroFrom(provinceDigits):
		return "", true, true
	case zeroFrom(divisionDigits[KindCity]):
		return KindCity, false, true
	case zeroFrom(divisionDigits[KindDistrict]):
		return KindDistrict, false, true
	case zeroFrom(divisionDigits[KindSubdistrict]):
		return KindSubdistrict, false, true
	}
	return KindCommunity, false, true
}

// DivisionPrefix returns the significant digits of a code of an
// administrative kind: what the codes of every place under it start with.
func DivisionPrefix(kind PlaceKind, code string) string {
	n := divisionDigits[kind]
	if n == 0 || len(code) < n {
		return ""
	}
	return code[:n]
}

// ParentDivisionCode returns the code of the division right above a
// place of kind with code: a community's subdistrict, a subdistrict's
// district, a district's city, a city's province.
func ParentDivisionCode(kind PlaceKind, code string) string {
	n := provinceDigits
	if r := kind.Rank(); r > 0 && kind.Administrative() {
		n = divisionDigits[PlaceKinds[r-1]]
	}
	if len(code) < n {
		return ""
	}
	return code[:n] + strings.Repeat("0", DivisionCodeLen-n)
}

// CheckPlaceCode checks the code of a place of kind and returns it in its
// stored form. above is the nearest place above it that has a code (nil
// for none). The code of an administrative place, when given, must be a
// division code of the place's own level that starts with the significant
// digits of above's code; the codes of the levels below are the office's
// own and only trimmed. Errors are about the field "code".
func CheckPlaceCode(kind PlaceKind, code string, above *Place) (string, error) {
	code = FoldWidth(strings.TrimSpace(code))
	if code == "" || !kind.Administrative() {
		return code, nil
	}
	full, err := NormalizeDivisionCode(code)
	if err != nil {
		return "", FieldError("code", "%v", err)
	}
	level, province, ok := DivisionLevel(full)
	switch {
	case !ok:
		return "", FieldError("code", "%s is not a division code", full)
	case province:
		return "", FieldError("code", "%s is the code of a province, not of a %s", full, kind)
	case level != kind:
		return "", FieldError("code", "%s is the code of a %s, not of a %s (a %s's code has %d significant digits)",
			full, level, kind, kind, divisionDigits[kind])
	}
	if above != nil && above.Kind.Administrative() && above.Code != "" {
		if want := DivisionPrefix(above.Kind, above.Code); want != "" && !strings.HasPrefix(full, want) {
			return "", FieldError("code", "%s does not start with %s, the code of %s above it", full, want, above.Name)
		}
	}
	return full, nil
}

// KindAtDepth returns the kind of a node at depth d of a full path of
// names (0 is the city), or "" below a household.
func KindAtDepth(d int) PlaceKind {
	if d < 0 || d >= len(PlaceKinds) {
		return ""
	}
	return PlaceKinds[d]
}

// CommitteeName shortens the name of a residents' or villagers'
// committee, as the division list writes communities, to the
// community's own name, as people say it and resident lists write it:
// 自治巷社区居委会 → 自治巷社区, 罗玉村民委员会 → 罗玉村.
func CommitteeName(name string) string {
	for _, c := range []struct{ suffix, keep string }{
		{"社区居民委员会", "社区"}, {"社区居委会", "社区"}, {"居民委员会", "社区"}, {"居委会", "社区"},
		{"村民委员会", "村"}, {"村委会", "村"},
	} {
		if base, ok := strings.CutSuffix(name, c.suffix); ok && base != "" {
			return base + c.keep
		}
	}
	return name
}

// DivisionRow is one row of a division-code list as read from a file.
type DivisionRow struct {
	Row  int    // the row number as a spreadsheet shows it
	Code string // 12 digits
	Name string
	// Kind is the level the code names; empty for a province, which lies
	// above the tree and is passed over.
	Kind PlaceKind
	// Errors are what is wrong with the row; a row with errors is not
	// imported, and neither is any other row of the file.
	Errors []RowError
}

// DivisionFile is a division-code list as read from a file.
type DivisionFile struct {
	Name string
	// Sheet is the XLSX sheet read: the one named, or the first whose top
	// rows hold the header; "" for CSV.
	Sheet string
	// HeaderRow is the row taken as the header, after any title rows.
	HeaderRow int
	// Columns names the columns ("code", "name") as messages show them:
	// `A (统计用区划代码)`.
	Columns map[string]string
	Rows    []DivisionRow
	// Errors are about the file as a whole.
	Errors []RowError
}

// DivisionResult is what ImportDivisions did, or would do on a dry run.
type DivisionResult struct {
	Rows      int // rows read, provinces included
	Created   int
	Renamed   int // existing places whose name changed
	Coded     int // existing places that got their code
	Unchanged int
	Provinces int // province rows passed over
	DryRun    bool
	// Errors are every bad row; when there is any, nothing was written.
	Errors []RowError
}

// DivisionService loads the statistics bureau's division list into the
// place tree.
//
// Errors: EINVALID when any row is bad (every bad row is in the result,
// and nothing is written), EFORBIDDEN for a caller who is not the system.
type DivisionService interface {
	// ImportDivisions creates the city, districts, subdistricts and
	// communities of the rows that do not exist yet, gives their code to
	// places that lack it, and renames places whose name changed, all or
	// nothing. A place is found by its code, else by its name and kind
	// under its parent.
	ImportDivisions(ctx context.Context, f *DivisionFile, dryRun bool) (*DivisionResult, error)
}
