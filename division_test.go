package frontline_test

import (
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
)

func TestNormalizeDivisionCode(t *testing.T) {
	for in, want := range map[string]string{
		"620502001001": "620502001001", "620502003": "620502003000", "620502": "620502000000", "6205": "620500000000",
		"62": "620000000000", "６２０５０２": "620502000000", " 620 502 001 ": "620502001000",
	} {
		if got, err := frontline.NormalizeDivisionCode(in); err != nil || got != want {
			t.Errorf("%q: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "62050", "6205020010011", "62050200100A", "-62050"} {
		if got, err := frontline.NormalizeDivisionCode(in); err == nil {
			t.Errorf("%q: %q, want an error", in, got)
		}
	}
}

func TestDivisionLevel(t *testing.T) {
	for code, want := range map[string]frontline.PlaceKind{
		"620500000000": frontline.KindCity, "620502000000": frontline.KindDistrict,
		"620502001000": frontline.KindSubdistrict, "620502101000": frontline.KindSubdistrict,
		"620502001001": frontline.KindCommunity, "620502101201": frontline.KindCommunity,
	} {
		if got, province, ok := frontline.DivisionLevel(code); !ok || province || got != want {
			t.Errorf("%s: %s %v %v, want %s", code, got, province, ok, want)
		}
		if p := frontline.ParentDivisionCode(want, code); want != frontline.KindCity && !strings.HasPrefix(code, strings.TrimRight(p, "0")) {
			t.Errorf("%s: parent %s is not its prefix", code, p)
		}
	}
	if _, province, ok := frontline.DivisionLevel("620000000000"); !province || !ok {
		t.Error("a province's code")
	}
	if _, _, ok := frontline.DivisionLevel("000000000000"); ok {
		t.Error("zeros name a place")
	}
	if got := frontline.ParentDivisionCode(frontline.KindCommunity, "620502001001"); got != "620502001000" {
		t.Errorf("parent of a community: %s", got)
	}
	if got := frontline.ParentDivisionCode(frontline.KindCity, "620500000000"); got != "620000000000" {
		t.Errorf("parent of a city: %s", got)
	}
}

func TestCheckPlaceCode(t *testing.T) {
	district := &frontline.Place{Kind: frontline.KindDistrict, Name: "秦州区", Code: "620502000000"}
	for _, tt := range []struct {
		kind      frontline.PlaceKind
		code      string
		above     *frontline.Place
		want, err string
	}{
		{frontline.KindSubdistrict, "620502001", district, "620502001000", ""},
		{frontline.KindCommunity, "620502001001", district, "620502001001", ""}, // a level skipped
		{frontline.KindSubdistrict, "620503001", district, "", "does not start with 620502"},
		{frontline.KindSubdistrict, "620502001001", district, "", "the code of a community, not of a subdistrict"},
		{frontline.KindCity, "62", nil, "", "the code of a province"},
		{frontline.KindBuilding, " 3栋 ", district, "3栋", ""}, // the office's own code, kept
		{frontline.KindDistrict, "", nil, "", ""},
	} {
		got, err := frontline.CheckPlaceCode(tt.kind, tt.code, tt.above)
		if tt.err == "" && (err != nil || got != tt.want) || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s %q: %q, %v; want %q %q", tt.kind, tt.code, got, err, tt.want, tt.err)
		}
	}
}

func TestCommitteeName(t *testing.T) {
	for in, want := range map[string]string{
		"自治巷社区居委会": "自治巷社区", "罗玉新村社区居民委员会": "罗玉新村社区", "东关居委会": "东关社区",
		"皂郊村委会": "皂郊村", "下寨村民委员会": "下寨村", "罗玉新村社区": "罗玉新村社区", "居委会": "居委会",
	} {
		if got := frontline.CommitteeName(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestSplitPlacePath(t *testing.T) {
	got := frontline.SplitPlacePath(" 天水市 / 秦州区／大城街道\\罗玉新村社区// ")
	if strings.Join(got, "|") != "天水市|秦州区|大城街道|罗玉新村社区" {
		t.Fatalf("%q", got)
	}
	if frontline.NextKind("") != frontline.KindCity || frontline.NextKind(frontline.KindBuilding) != frontline.KindUnit ||
		frontline.NextKind(frontline.KindHousehold) != "" {
		t.Fatal("NextKind")
	}
}
