package residentfile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

// xlsxOf returns a workbook whose first sheet holds the CSV-like lines as
// text cells, an empty line leaving its row out of the sheet altogether.
func xlsxOf(tb testing.TB, lines []string) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, line := range lines {
		if line == "" {
			continue
		}
		var cells []any
		for _, c := range strings.Split(line, ",") {
			cells = append(cells, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			tb.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestRead_XLSX reads cells as Excel stores them: numbers for buildings,
// rooms, phones and ID numbers typed into number cells, date cells, text.
func TestRead_XLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetRow("Sheet1", "A1", &[]any{"小区", "楼栋", "单元", "户号", "姓名", "身份证号", "手机号", "出生日期"}))
	// Row 2: numbers everywhere, the ID number too, and a real date cell.
	must(f.SetSheetRow("Sheet1", "A2", &[]any{"枣园小区", 3, 2, 501, "张伟", int64(620502199001021230), int64(13800138000),
		time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)}))
	// pandas writes integer columns with blanks as floats.
	must(f.SetCellDefault("Sheet1", "D2", "501.0"))
	// Row 3: the same as text, with an ID ending in X.
	must(f.SetSheetRow("Sheet1", "A3", &[]any{"枣园小区", "3号楼", "2单元", "0502", "王芳", idC, "138 0013 8000", "1990-01-02"}))
	// Row 4 is left empty. Row 5: what Excel stores for an ID number typed
	// into a General cell.
	must(f.SetSheetRow("Sheet1", "A5", &[]any{"枣园小区", 3, 2, 503, "李娜"}))
	must(f.SetCellDefault("Sheet1", "F5", "6.20502199001021E+17"))
	// A second sheet, read only when named.
	_, err := f.NewSheet("第二页")
	must(err)
	must(f.SetSheetRow("第二页", "A1", &[]any{"小区", "楼栋", "户号", "姓名", "证件号码"}))
	must(f.SetSheetRow("第二页", "A2", &[]any{"忠义巷小区", "1", "101", "赵六", idE}))
	buf, err := f.WriteToBuffer()
	must(err)
	data := buf.Bytes()

	rf := readFile(t, "名单.xlsx", data, underCommunity)
	// An ID number in a number cell is refused even when its digits look
	// whole: a number keeps 15 digits, and the next save loses the rest.
	assertErrors(t, rf,
		"row 2, column F (身份证号): the ID number is stored as a number (620502199001021230), which keeps 15 digits at most; format the column as text and type the numbers again",
		"row 5, column F (身份证号): the ID number is stored as a number (6.20502199001021E+17), which keeps 15 digits at most; format the column as text and type the numbers again")
	place := frontline.ResidentRow{Compound: "枣园小区", Building: "3号楼", Unit: "2单元"}
	want := []frontline.ResidentRow{place}
	want[0].Row, want[0].Room, want[0].Person = 3, "0502", frontline.Person{Name: "王芳", Sex: frontline.SexMale,
		BirthDate: "1990-01-02", IDType: frontline.IDMainland, IDNumber: idC, Phone: "13800138000",
		Status: frontline.StatusResident}
	if diff := cmp.Diff(want, rf.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}

	// The file's name does not matter: the content is a ZIP.
	second := readFile(t, "名单.csv", data, residentfile.ReadOptions{Sheet: "第二页", Under: frontline.KindCommunity})
	assertErrors(t, second)
	if len(second.Rows) != 1 || second.Rows[0].Compound != "忠义巷小区" || second.Rows[0].Person.IDNumber != idE {
		t.Errorf("second sheet rows = %+v", second.Rows)
	}
	_, err = residentfile.Read("名单.xlsx", strings.NewReader(string(data)), residentfile.ReadOptions{Sheet: "第三页"})
	assertFileError(t, err, `名单.xlsx: the workbook has no sheet named "第三页" (it has Sheet1, 第二页)`)
}
