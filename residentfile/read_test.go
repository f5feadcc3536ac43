package residentfile_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// TestRead_GBK reads what Excel on Chinese Windows saves as "CSV": GBK
// with CRLF, Chinese headers, names with stray spaces.
func TestRead_GBK(t *testing.T) {
	text := strings.Join([]string{
		fullHeader,
		"大城街道,罗玉新村社区,枣园小区,3,2,501,张 伟,居民身份证," + idA + ",13800138000,男,1990-01-02,户主,,常住",
		"大城街道,罗玉新村社区,枣园小区,3号楼,2单元,501室,李　娜,,620502198505201345,0938-8212345,,,配偶,孕产妇,",
	}, "\r\n") + "\r\n"
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	f := readFile(t, "花名册.csv", data, residentfile.ReadOptions{})
	assertErrors(t, f)
	place := frontline.ResidentRow{Subdistrict: "大城街道", Community: "罗玉新村社区", Compound: "枣园小区",
		Building: "3号楼", Unit: "2单元", Room: "501"}
	want := []frontline.ResidentRow{place, place}
	want[0].Row, want[0].Person = 2, frontline.Person{Name: "张伟", Sex: frontline.SexMale, BirthDate: "1990-01-02",
		IDType: frontline.IDMainland, IDNumber: idA, Phone: "13800138000", Relation: frontline.RelHead,
		Status: frontline.StatusResident}
	want[1].Row, want[1].Person = 3, frontline.Person{Name: "李娜", Sex: frontline.SexFemale, BirthDate: "1985-05-20",
		IDType: frontline.IDMainland, IDNumber: idD, Phone: "0938-8212345", Relation: frontline.RelSpouse,
		Flags: []frontline.Flag{frontline.FlagPregnant}, Status: frontline.StatusResident}
	if diff := cmp.Diff(want, f.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if got := f.Columns[frontline.ColIDNumber]; got != "I (身份证号)" {
		t.Errorf("id_number column = %q, want %q", got, "I (身份证号)")
	}
	if got := f.Column(frontline.ColSubdistrict); got != "A (街道)" {
		t.Errorf("subdistrict column = %q", got)
	}
	if f.Name != "花名册.csv" || len(f.Header) != 15 || f.Header[6] != "姓名" {
		t.Errorf("name %q header %q", f.Name, f.Header)
	}
}

// TestRead_Undecodable reports cells holding bytes of no known encoding
// rather than importing garbage names.
func TestRead_Undecodable(t *testing.T) {
	header, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("小区,楼栋,户号,姓名,身份证号\r\n枣园小区,3,501,"))
	if err != nil {
		t.Fatal(err)
	}
	data := append(header, "\x81 \x81 ,"+idA+"\r\n"...)
	f := readFile(t, "名单.csv", data, underCommunity)
	assertErrors(t, f, "row 2, column D (姓名): the cell has characters that cannot be read (\uFFFD); save the file again as CSV UTF-8 or XLSX")
	if len(f.Rows) != 0 {
		t.Errorf("rows = %d, want none", len(f.Rows))
	}
}

// TestRead_UTF8BOM reads "CSV UTF-8" (with a byte-order mark) and English
// headers written in any case, with spaces and a full-width space.
func TestRead_UTF8BOM(t *testing.T) {
	text := "\uFEFFCompound,Building, Room ,　NAME,ID Number,Birth-Date\n" +
		"枣园小区,3,501,Anna  Li," + idB + ",1990年1月2日\n"
	f := readFile(t, "list.txt", []byte(text), underCommunity)
	assertErrors(t, f)
	if len(f.Rows) != 1 {
		t.Fatalf("rows = %d, want 1", len(f.Rows))
	}
	p := f.Rows[0].Person
	if p.Name != "Anna Li" || p.IDNumber != idB || p.BirthDate != "1990-01-02" || p.Sex != frontline.SexFemale {
		t.Errorf("person = %+v", p)
	}
	if got, want := f.Columns[frontline.ColName], "D (NAME)"; got != want {
		t.Errorf("name column = %q, want %q", got, want)
	}
	if f.Header[0] != "Compound" {
		t.Errorf("header[0] = %q, want the BOM removed", f.Header[0])
	}
}

// TestRead_TabSeparated reads Excel's "Unicode text": UTF-16 with tabs.
func TestRead_TabSeparated(t *testing.T) {
	text := "小区\t楼栋\t户号\t姓名\t身份证号\r\n枣园小区\t3\t501\t张伟\t" + idA + "\r\n"
	u16 := []byte{0xFF, 0xFE}
	for _, r := range text {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	f := readFile(t, "list.txt", u16, underCommunity)
	assertErrors(t, f)
	if len(f.Rows) != 1 || f.Rows[0].Person.Name != "张伟" {
		t.Errorf("rows = %+v", f.Rows)
	}
}

// TestRead_FullWidth folds full-width digits typed with a Chinese input
// method on.
func TestRead_FullWidth(t *testing.T) {
	f := readCSV(t, underCommunity, shortHeader,
		"枣园小区,３号楼,２,５０１室,张伟,６２０５０２１９９００１０２１２３０,１３８ ００１３ ８０００,,１９９０－０１－０２,,,")
	assertErrors(t, f)
	r := f.Rows[0]
	if r.Building != "3号楼" || r.Unit != "2单元" || r.Room != "501" {
		t.Errorf("place = %q %q %q", r.Building, r.Unit, r.Room)
	}
	if r.Person.IDNumber != idA || r.Person.Phone != "13800138000" || r.Person.BirthDate != "1990-01-02" {
		t.Errorf("person = %+v", r.Person)
	}
}

// TestRead_Buildings checks that every way of writing building 3 and unit 2
// gives the same names.
func TestRead_Buildings(t *testing.T) {
	var lines []string
	ids := []string{idA, idB, idC, idD, idE, idF}
	for i, b := range []string{"3", "3号楼", "3栋", "3幢", "３", " 3 号楼 "} {
		unit := []string{"2", "2单元"}[i%2]
		lines = append(lines, "枣园小区,"+b+","+unit+",501,张伟,"+ids[i]+",,,,,,")
	}
	f := readCSV(t, underCommunity, append([]string{shortHeader}, lines...)...)
	assertErrors(t, f)
	for _, r := range f.Rows {
		if r.Building != "3号楼" || r.Unit != "2单元" {
			t.Errorf("row %d: building %q unit %q", r.Row, r.Building, r.Unit)
		}
	}
	if len(f.Rows) != 6 {
		t.Errorf("rows = %d, want 6", len(f.Rows))
	}
}

// TestRead_Flags accepts the separators offices use between flags.
func TestRead_Flags(t *testing.T) {
	f := readCSV(t, underCommunity, shortHeader,
		"枣园小区,3,2,501,甲,"+idA+",,,,,独居老人、行动不便,",
		"枣园小区,3,2,502,乙,"+idB+",,,,,\"透析,孕产妇\",",
		"枣园小区,3,2,503,丙,"+idC+",,,,,卧床；慢性病 残疾,",
		"枣园小区,3,2,504,丁,"+idF+",,,,,婴幼儿，婴幼儿,")
	assertErrors(t, f)
	want := [][]frontline.Flag{
		{frontline.FlagLivingAlone, frontline.FlagLimitedMobility},
		{frontline.FlagDialysis, frontline.FlagPregnant},
		{frontline.FlagBedridden, frontline.FlagChronic, frontline.FlagDisability},
		{frontline.FlagInfant},
	}
	var got [][]frontline.Flag
	for _, r := range f.Rows {
		got = append(got, r.Person.Flags)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}

// TestRead_Unknown reports unknown columns without failing the file.
func TestRead_Unknown(t *testing.T) {
	f := readCSV(t, underCommunity, "小区,楼栋,户号,姓名,身份证号,备注,,Remarks",
		"枣园小区,3,501,张伟,"+idA+",新迁入,,x")
	assertErrors(t, f)
	if diff := cmp.Diff([]string{"备注", "Remarks"}, f.Unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	if len(f.Rows) != 1 {
		t.Errorf("rows = %d, want 1", len(f.Rows))
	}
}

// TestRead_RowNumbers numbers rows as a spreadsheet shows them: blank
// lines count, a quoted field with a line break is one row, short rows are
// padded.
func TestRead_RowNumbers(t *testing.T) {
	f := readCSV(t, underCommunity,
		"小区,楼栋,户号,姓名,身份证号",
		"",
		"枣园小区,3,501,\"张",
		"伟\","+idA,
		"枣园小区,3,502,李娜,"+idB[:17]+"0",
		",,,,",
		"  ",
		"枣园小区,3")
	assertErrors(t, f,
		"row 4, column E (身份证号): the ID number's check digit is wrong (expected 5)",
		"row 7, column C (户号): the room is missing",
		"row 7, column D (姓名): the name is missing",
		"row 7, column E (身份证号): the ID number is missing")
	if diff := cmp.Diff([]int{3}, rowNumbers(f)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if f.Rows[0].Person.Name != "张伟" {
		t.Errorf("name = %q", f.Rows[0].Person.Name)
	}
	if got := f.BadRows[7]; len(got) != 5 || got[0] != "枣园小区" || got[1] != "3" || got[4] != "" {
		t.Errorf("bad row 7 = %q, want padded to the header", got)
	}
}

// TestRead_Under makes the place columns at and above the import node
// optional, and only those.
func TestRead_Under(t *testing.T) {
	header := "楼栋,户号,姓名,身份证号"
	row := "3,501,张伟," + idA
	for _, tt := range []struct {
		under frontline.PlaceKind
		want  []string
	}{
		{"", []string{"subdistrict", "community", "compound"}},
		{frontline.KindDistrict, []string{"subdistrict", "community", "compound"}},
		{frontline.KindSubdistrict, []string{"community", "compound"}},
		{frontline.KindCommunity, []string{"compound"}},
		{frontline.KindCompound, nil},
		{frontline.KindBuilding, nil},
	} {
		f := readCSV(t, residentfile.ReadOptions{Under: tt.under}, header, row)
		var missing []string
		for _, e := range f.Errors {
			missing = append(missing, e.Column)
		}
		if !slices.Equal(missing, tt.want) {
			t.Errorf("under %q: missing %q, want %q", tt.under, missing, tt.want)
		}
		if len(tt.want) == 0 && len(f.Rows) != 1 {
			t.Errorf("under %q: rows = %d, want 1", tt.under, len(f.Rows))
		}
	}
	_, err := residentfile.Read("x.csv", strings.NewReader(header), residentfile.ReadOptions{Under: "galaxy"})
	assertFileError(t, err, `unknown place kind "galaxy"`)
}

// TestRead_FileErrors rejects what is not a resident list at all.
func TestRead_FileErrors(t *testing.T) {
	for _, tt := range []struct {
		name, data, want string
	}{
		{"a.csv", "", "a.csv: the file is empty; it has no header row"},
		{"a.csv", "\r\n\n,,,\n", "a.csv: the file has no header row"},
		{"a.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", "a.xls: this is an old Excel (.xls) or password-protected workbook; save it as .xlsx or CSV"},
		{"a.xlsx", "姓名,身份证号\n", "a.xlsx: the file is named .xlsx but is not an XLSX workbook"},
		{"a.xls", "<html><table><tr><td>姓名</td></tr></table>", "a.xls: the file is a web page, not a spreadsheet; open it in Excel and save it as .xlsx"},
		{"a.csv", "姓名\x00\x01\x02", "a.csv: the file is neither CSV nor XLSX"},
		{"a.xlsx", "PK\x03\x04broken", "a.xlsx: the file cannot be read as an XLSX workbook"},
	} {
		_, err := residentfile.Read(tt.name, strings.NewReader(tt.data), residentfile.ReadOptions{})
		assertFileError(t, err, tt.want)
	}
}
