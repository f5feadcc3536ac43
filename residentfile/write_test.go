package residentfile_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// roundTripRows are rows with every column filled in some way, including
// values a careless writer breaks: a comma and a quote in a name, a room
// with a leading zero, an ID ending in X, a passport, several flags.
func roundTripRows(t *testing.T) []frontline.ResidentRow {
	f := readCSV(t, residentfile.ReadOptions{}, fullHeader,
		`大城街道,罗玉新村社区,枣园小区,3,2,501,张伟,,`+idA+`,13800138000,男,1990-01-02,户主,独居老人、慢性病,常住`,
		`大城街道,罗玉新村社区,枣园小区,3,2,0502,"Li, ""Anna""",,`+idC+`,0938-8212345,,,配偶,,暂住`,
		`中城街道,自治巷社区,忠义巷小区,综合楼,,101,John Smith,护照,E12345678,,M,1980-05-06,其他,行动不便,外出`,
		`中城街道,自治巷社区,忠义巷小区,A座,1,1-101,赵六,,`+idF+`,,,,子女,婴幼儿,`)
	assertErrors(t, f)
	if len(f.Rows) != 4 {
		t.Fatalf("rows = %d, want 4", len(f.Rows))
	}
	return f.Rows
}

func exportRows(rows []frontline.ResidentRow) [][]string {
	out := make([][]string, len(rows))
	for i := range rows {
		out[i] = residentfile.ExportRow(&rows[i])
	}
	return out
}

// TestWriteCSV_RoundTrip writes rows as CSV and reads them back unchanged.
func TestWriteCSV_RoundTrip(t *testing.T) {
	rows := roundTripRows(t)
	var buf bytes.Buffer
	if err := residentfile.WriteCSV(&buf, residentfile.ExportHeader(), exportRows(rows)); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte("\uFEFF街道,社区,小区,楼栋,单元,户号,姓名,证件类型,证件号码,手机号,性别,出生日期,与户主关系,特殊人群,居住状态\r\n")) {
		t.Errorf("CSV starts %q, want a BOM, the export header and CRLF", data[:min(len(data), 80)])
	}
	if n, crlf := bytes.Count(data, []byte("\n")), bytes.Count(data, []byte("\r\n")); n != crlf || n != 5 {
		t.Errorf("%d line feeds, %d CRLF, want 5 CRLF", n, crlf)
	}
	got := readFile(t, "export.csv", data, residentfile.ReadOptions{})
	assertErrors(t, got)
	if diff := cmp.Diff(rows, got.Rows); diff != "" {
		t.Errorf("rows after a round trip (-want +got):\n%s", diff)
	}
}

// TestWriteXLSX_RoundTrip writes rows as XLSX and reads them back
// unchanged; every cell is text, the header bold.
func TestWriteXLSX_RoundTrip(t *testing.T) {
	rows := roundTripRows(t)
	var buf bytes.Buffer
	if err := residentfile.WriteXLSX(&buf, "居民", residentfile.ExportHeader(), exportRows(rows)); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, "export.xlsx", buf.Bytes(), residentfile.ReadOptions{})
	assertErrors(t, got)
	if diff := cmp.Diff(rows, got.Rows); diff != "" {
		t.Errorf("rows after a round trip (-want +got):\n%s", diff)
	}

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if list := f.GetSheetList(); len(list) != 1 || list[0] != "居民" {
		t.Errorf("sheets = %q, want [居民]", list)
	}
	for _, cell := range []string{"I2", "J2", "F3", "A1"} {
		if typ, err := f.GetCellType("居民", cell); err != nil || typ != excelize.CellTypeInlineString {
			t.Errorf("cell %s type = %v (%v), want a string", cell, typ, err)
		}
	}
	if v, _ := f.GetCellValue("居民", "I2"); v != idA {
		t.Errorf("I2 = %q, want %q", v, idA)
	}
	style, _ := f.GetCellStyle("居民", "A1")
	if s, err := f.GetStyle(style); err != nil || s.Font == nil || !s.Font.Bold {
		t.Errorf("header style = %+v (%v), want bold", s, err)
	}
	if w, _ := f.GetColWidth("居民", "I"); w < 18 || w > 50 {
		t.Errorf("ID column width = %v, want room for 18 digits", w)
	}
}

// TestSkippedFile writes the bad rows with their problems so an office can
// fix them, and the fixed file imports cleanly.
func TestSkippedFile(t *testing.T) {
	f := readCSV(t, underCommunity, shortHeader,
		"枣园小区,3,2,501,张伟,"+idA+",,,,,,",
		"枣园小区,3,2,502,李娜,620502198505201340,12345,,,,,",
		"枣园小区,3,2,503,王芳,"+idA+",,,,,,",
		"枣园小区,3,2,504,赵六,"+idD+",,,,,,")
	if diff := cmp.Diff([]int{5}, rowNumbers(f)); diff != "" {
		t.Fatalf("good rows (-want +got):\n%s", diff)
	}
	header := residentfile.SkippedHeader(f)
	if want := strings.Split(shortHeader+",错误", ","); !cmp.Equal(want, header) {
		t.Errorf("skipped header = %q, want %q", header, want)
	}
	got := residentfile.SkippedFile(f, f.Errors, nil)
	want := [][]string{
		{"枣园小区", "3", "2", "501", "张伟", idA, "", "", "", "", "", "",
			"F (身份证号): ID number 6205**********1230 appears twice in the file: also on row 4 (枣园小区/3号楼/2单元/503)"},
		{"枣园小区", "3", "2", "502", "李娜", "620502198505201340", "12345", "", "", "", "", "",
			"F (身份证号): the ID number's check digit is wrong (expected 5); " +
				`G (手机号): "12345" is neither a mobile number (11 digits starting with 1) nor a landline with its area code`},
		{"枣园小区", "3", "2", "503", "王芳", idA, "", "", "", "", "", "",
			"F (身份证号): ID number 6205**********1230 appears twice in the file: also on row 2 (枣园小区/3号楼/2单元/501)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skipped file (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:2], residentfile.SkippedFile(f, f.Errors, []int{3, 5, 99})); diff != "" {
		t.Errorf("skipped row 3 only (-want +got):\n%s", diff)
	}

	// The office fixes the rows, keeps the problem column, imports again.
	got[0][5], got[1][5], got[1][6] = idB, idD, "13800138000"
	got = got[:2]
	var buf bytes.Buffer
	if err := residentfile.WriteCSV(&buf, header, got); err != nil {
		t.Fatal(err)
	}
	again := readFile(t, "skipped.csv", buf.Bytes(), underCommunity)
	assertErrors(t, again)
	if diff := cmp.Diff([]string{"错误"}, again.Unknown); diff != "" {
		t.Errorf("unknown (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{2, 3}, rowNumbers(again)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if h := residentfile.SkippedHeader(again); len(h) != 13 {
		t.Errorf("skipped header of a skipped file = %q, want no second 错误 column", h)
	}
}
