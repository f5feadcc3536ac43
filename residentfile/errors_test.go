package residentfile_test

import (
	"strings"
	"testing"

	"github.com/frontline-org/frontline/residentfile"
	"github.com/google/go-cmp/cmp"
)

// TestRead_RowErrors checks the exact message of each problem a row can
// have. Every row uses shortHeader: A 小区, B 楼栋, C 单元, D 户号, E 姓名,
// F 身份证号, G 手机号, H 性别, I 出生日期, J 与户主关系, K 特殊人群,
// L 居住状态.
func TestRead_RowErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		row  string
		want []string
	}{
		{"CheckDigit", "枣园小区,3,2,501,张伟,620502199001021231,,,,,,",
			[]string{"row 2, column F (身份证号): the ID number's check digit is wrong (expected 0)"}},
		{"ImpossibleBirthInID", "枣园小区,3,2,501,张伟,620502199902311235,,,,,,",
			[]string{"row 2, column F (身份证号): the ID number holds an impossible birth date 19990231"}},
		{"ImpossibleBirthDate", "枣园小区,3,2,501,张伟," + idA + ",,,19990231,,,",
			[]string{`row 2, column I (出生日期): "19990231" is not a possible birth date`}},
		{"BirthDateMismatch", "枣园小区,3,2,501,张伟," + idA + ",,,1990/1/3,,,",
			[]string{"row 2, column I (出生日期): the birth date 1990-01-03 does not match the ID number (1990-01-02)"}},
		{"FutureBirthDate", "枣园小区,3,2,501,张伟," + idA + ",,,2030-01-01,,,",
			[]string{`row 2, column I (出生日期): "2030-01-01" is not a possible birth date (YYYY-MM-DD)`}},
		{"SexMismatch", "枣园小区,3,2,501,张伟," + idA + ",,女,,,,",
			[]string{"row 2, column H (性别): the sex does not match the ID number"}},
		{"ShortID", "枣园小区,3,2,501,张伟,62050219900102,,,,,,",
			[]string{"row 2, column F (身份证号): a mainland ID number has 18 characters, this one has 14"}},
		{"LetterInID", "枣园小区,3,2,501,张伟,620502199O01021230,,,,,,",
			[]string{"row 2, column F (身份证号): character 10 of the ID number is not a digit"}},
		{"ChineseInID", "枣园小区,3,2,501,张伟,62050219900102123号,,,,,,",
			[]string{"row 2, column F (身份证号): the last character of the ID number must be a digit or X"}},
		{"ScientificID", "枣园小区,3,2,501,张伟,6.20502E+17,,,,,,",
			[]string{"row 2, column F (身份证号): the ID number was stored as a number and lost its last digits (6.20502E+17); format the column as text and type it again"}},
		{"Phone", "枣园小区,3,2,501,张伟," + idA + ",12345,,,,,",
			[]string{`row 2, column G (手机号): "12345" is neither a mobile number (11 digits starting with 1) nor a landline with its area code`}},
		{"Unknowns", "枣园小区,3,2,501,张伟," + idA + ",,未知,,外甥,独居老人、高龄,住院",
			[]string{
				`row 2, column H (性别): unknown sex "未知" (write 男 or 女)`,
				`row 2, column J (与户主关系): unknown relation "外甥" (write 户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹 or 其他)`,
				`row 2, column K (特殊人群): unknown flag "高龄" (write 独居老人, 行动不便, 卧床, 透析, 孕产妇, 慢性病, 残疾 or 婴幼儿)`,
				`row 2, column L (居住状态): unknown residence status "住院" (write 常住, 暂住, 外出 or 迁出)`,
			}},
		{"MissingCells", "枣园小区,,2,,,,,,,,,",
			[]string{
				"row 2, column B (楼栋): the building is missing",
				"row 2, column D (户号): the room is missing",
				"row 2, column E (姓名): the name is missing",
				"row 2, column F (身份证号): the ID number is missing",
			}},
		{"EveryCell", "枣园小区,3,2,501,  ,620502199001021231,12345,男,1990-13-01,,,",
			[]string{
				"row 2, column E (姓名): the name is missing",
				"row 2, column F (身份证号): the ID number's check digit is wrong (expected 0)",
				`row 2, column G (手机号): "12345" is neither a mobile number (11 digits starting with 1) nor a landline with its area code`,
				`row 2, column I (出生日期): "1990-13-01" is not a possible birth date`,
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := readCSV(t, underCommunity, shortHeader, tt.row)
			assertErrors(t, f, tt.want...)
			if len(f.Rows) != 0 {
				t.Errorf("rows = %d, want the bad row left out", len(f.Rows))
			}
			if got := f.BadRows[2]; len(got) != 12 || got[0] != "枣园小区" {
				t.Errorf("bad row 2 = %q", got)
			}
		})
	}
}

// TestRead_Duplicates reports every row of an ID number found more than
// once, each pointing at another, and imports none of them.
func TestRead_Duplicates(t *testing.T) {
	for _, name := range []string{"CSV", "XLSX"} {
		t.Run(name, func(t *testing.T) {
			lines := []string{
				fullHeader,
				"大城街道,罗玉新村社区,枣园小区,3,2,501,张伟,," + idA + ",,,,,,",
				"大城街道,罗玉新村社区,枣园小区,3,2,502,李娜,," + idD + ",,,,,,",
				"大城街道,罗玉新村社区,枣园小区,3,2,501,王芳,," + idB + ",,,,,,",
				"",
				"大城街道,罗玉新村社区,枣园小区,5,1,101,张伟,," + strings.ToLower(idC) + ",,,,,,",
				"大城街道,罗玉新村社区,枣园小区,6,1,202,赵六,居民身份证," + idA + ",,,,,,",
				"大城街道,罗玉新村社区,枣园小区,5栋,1单元,101,张伟,," + idC + ",,,,,,",
				"大城街道,罗玉新村社区,枣园小区,7,1,303,孙七,护照,H12345678,,,,,,",
				"大城街道,罗玉新村社区,枣园小区,7,1,304,周八,港澳居民来往内地通行证,H12345678,,,,,,",
			}
			var f = readCSV(t, residentfile.ReadOptions{}, lines...)
			if name == "XLSX" {
				f = readFile(t, "名单.xlsx", xlsxOf(t, lines), residentfile.ReadOptions{})
			}
			assertErrors(t, f,
				"row 2, column I (身份证号): ID number 6205**********1230 appears twice in the file: also on row 7 (大城街道/罗玉新村社区/枣园小区/6号楼/1单元/202)",
				"row 6, column I (身份证号): ID number 6205**********145X appears twice in the file: also on row 8 (大城街道/罗玉新村社区/枣园小区/5号楼/1单元/101)",
				"row 7, column I (身份证号): ID number 6205**********1230 appears twice in the file: also on row 2 (大城街道/罗玉新村社区/枣园小区/3号楼/2单元/501)",
				"row 8, column I (身份证号): ID number 6205**********145X appears twice in the file: also on row 6 (大城街道/罗玉新村社区/枣园小区/5号楼/1单元/101)",
			)
			// A passport that happens to carry the same characters as a
			// permit is another document, not a duplicate.
			if diff := cmp.Diff([]int{3, 4, 9, 10}, rowNumbers(f)); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			// Row 2 was good when read; its cells are fetched again.
			for _, r := range []int{2, 6, 7, 8} {
				if got := f.BadRows[r]; len(got) != 15 || got[0] != "大城街道" {
					t.Errorf("bad row %d = %q", r, got)
				}
			}
			if got := f.BadRows[2][6]; got != "张伟" {
				t.Errorf("bad row 2 name = %q", got)
			}
		})
	}
}

// TestRead_HeaderErrors stops at a header that cannot be mapped: missing
// required columns, a column named twice, no known header at all.
func TestRead_HeaderErrors(t *testing.T) {
	t.Run("Missing", func(t *testing.T) {
		f := readCSV(t, residentfile.ReadOptions{}, "姓名,电话,备注", "张伟,13800138000,x")
		assertErrors(t, f,
			"column subdistrict: the column is missing; accepted headers: 街道, 街道办, subdistrict",
			"column community: the column is missing; accepted headers: 社区, 社区名称, community",
			"column compound: the column is missing; accepted headers: 小区, 小区名称, compound",
			"column building: the column is missing; accepted headers: 楼栋, 楼号, 栋, building",
			"column room: the column is missing; accepted headers: 户号, 房号, 门牌号, room",
			"column id_number: the column is missing; accepted headers: 证件号码, 身份证号, 身份证号码, id_number")
		if len(f.Rows) != 0 || len(f.BadRows) != 0 {
			t.Errorf("rows %d, bad rows %d: want no row checked", len(f.Rows), len(f.BadRows))
		}
		if diff := cmp.Diff([]string{"备注"}, f.Unknown); diff != "" {
			t.Errorf("unknown (-want +got):\n%s", diff)
		}
	})
	t.Run("MissingUnderCommunity", func(t *testing.T) {
		f := readCSV(t, underCommunity, "小区,楼栋,姓名", "枣园小区,3,张伟")
		assertErrors(t, f,
			"column room: the column is missing; accepted headers: 户号, 房号, 门牌号, room",
			"column id_number: the column is missing; accepted headers: 证件号码, 身份证号, 身份证号码, id_number")
	})
	t.Run("Twice", func(t *testing.T) {
		f := readCSV(t, underCommunity, "小区,楼栋,户号,姓名,身份证号,身份证号码", "枣园小区,3,501,张伟,"+idA+","+idB)
		assertErrors(t, f, "row 1, column F (身份证号码): the id_number column appears twice (also E (身份证号))")
		if len(f.Rows) != 0 {
			t.Errorf("rows = %d, want none", len(f.Rows))
		}
	})
	t.Run("NoKnownHeader", func(t *testing.T) {
		f := readCSV(t, underCommunity, "罗玉新村社区居民花名册,,", "小区名单,楼栋表,户")
		assertErrors(t, f,
			"row 1: no known header in row 1 or the rows below it; a row must name the columns (姓名, 身份证号 ...)",
			"column compound: the column is missing; accepted headers: 小区, 小区名称, compound",
			"column building: the column is missing; accepted headers: 楼栋, 楼号, 栋, building",
			"column room: the column is missing; accepted headers: 户号, 房号, 门牌号, room",
			"column name: the column is missing; accepted headers: 姓名, name",
			"column id_number: the column is missing; accepted headers: 证件号码, 身份证号, 身份证号码, id_number")
	})
	t.Run("NoRows", func(t *testing.T) {
		f := readCSV(t, underCommunity, shortHeader, ",,,", "")
		assertErrors(t, f, "the file has no rows below the header")
	})
}
