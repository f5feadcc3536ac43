package residentfile_test

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

func TestReadDivisions(t *testing.T) {
	t.Run("TitleAboveHeaderGBK", func(t *testing.T) {
		csv := "2023年统计用区划代码\r\n\r\n统计用区划代码,城乡分类代码,名称\r\n" +
			"620000000000,,甘肃省\r\n620502001000,,大城街道\r\n620502001001,111,罗玉新村社区居民委员会\r\n" +
			"6.20502001002E+11,111,飞将巷社区居委会\r\n620502101201,220,皂郊村委会\r\n"
		data, err := simplifiedchinese.GB18030.NewEncoder().String(csv)
		if err != nil {
			t.Fatal(err)
		}
		f, err := residentfile.ReadDivisions("区划.csv", strings.NewReader(data), "")
		if err != nil {
			t.Fatal(err)
		}
		if f.HeaderRow != 3 || len(f.Rows) != 5 || f.Columns["code"] != "A (统计用区划代码)" {
			t.Fatalf("header row %d, %d rows, columns %v", f.HeaderRow, len(f.Rows), f.Columns)
		}
		want := []struct {
			row        int
			code, name string
			kind       frontline.PlaceKind
		}{
			{4, "620000000000", "甘肃省", ""},
			{5, "620502001000", "大城街道", frontline.KindSubdistrict},
			{6, "620502001001", "罗玉新村社区", frontline.KindCommunity},
			{7, "620502001002", "飞将巷社区", frontline.KindCommunity},
			{8, "620502101201", "皂郊村", frontline.KindCommunity},
		}
		for i, w := range want {
			r := f.Rows[i]
			if r.Row != w.row || r.Code != w.code || r.Name != w.name || r.Kind != w.kind || len(r.Errors) > 0 {
				t.Errorf("row %d: %+v, want %+v", i, r, w)
			}
		}
	})
	t.Run("PagesWithoutHeader", func(t *testing.T) {
		// Copied from the bureau's village page: code, urban-rural code,
		// name; a title first.
		for _, tt := range []struct {
			name, text string
			first      int // the row of the first code
		}{
			{"copied.csv", "皂郊镇\n620502101001,121,皂郊社区居委会\n620502101202,220,下寨村民委员会\n", 2},
			{"copied.txt", "620502101001\t121\t皂郊社区居委会\n620502101202\t220\t下寨村民委员会\n", 1},
		} {
			f, err := residentfile.ReadDivisions(tt.name, strings.NewReader(tt.text), "")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Rows) != 2 || f.Rows[0].Row != tt.first || f.Rows[0].Name != "皂郊社区" || f.Rows[1].Name != "下寨村" {
				t.Fatalf("%s: %+v", tt.name, f.Rows)
			}
		}
	})
	t.Run("RowErrors", func(t *testing.T) {
		csv := "代码,名称\n62050200100,甲\n620502001001,\nabc,乙\n000000000000,丙\n"
		f, err := residentfile.ReadDivisions("bad.csv", strings.NewReader(csv), "")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range f.Rows {
			for _, e := range r.Errors {
				got = append(got, e.Error())
			}
		}
		want := []string{
			`row 2, column A (代码): "62050200100" is not a division code: it has 11 digits, not 12 (or 2, 4, 6 or 9 without the trailing zeros)`,
			"row 3, column B (名称): the name is missing",
			`row 4, column A (代码): "abc" is not a division code: it must be digits only`,
			"row 5, column A (代码): 000000000000 names no place",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("ErrNothing", func(t *testing.T) {
		if _, err := residentfile.ReadDivisions("x.csv", strings.NewReader("名称,备注\n甲,乙\n"), ""); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
}
