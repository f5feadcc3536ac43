package residentfile_test

import (
	"strings"
	"testing"

	"github.com/frontline-org/frontline/residentfile"
	"github.com/xuri/excelize/v2"
)

// TestRead_TitleRows reads a list with a title, a date and a blank line
// above its header, as offices print them: the header is found, the file
// says which row it took, and rows keep the numbers a spreadsheet shows.
func TestRead_TitleRows(t *testing.T) {
	f := readCSV(t, underCommunity,
		"罗玉新村社区居民花名册,,,,,",
		"填报日期：2024年5月30日,,,,,",
		"",
		shortHeader,
		"枣园小区,3,2,501,张伟,"+idA+",,,,,,",
		"枣园小区,3,2,502,李娜,123,,,,,,")
	if f.HeaderRow != 4 || f.Sheet != "" || f.Source() != "header on row 4" {
		t.Errorf("header row %d, sheet %q, source %q", f.HeaderRow, f.Sheet, f.Source())
	}
	if len(f.Rows) != 1 || f.Rows[0].Row != 5 {
		t.Fatalf("rows %+v", f.Rows)
	}
	if len(f.Errors) != 1 || f.Errors[0].Row != 6 {
		t.Errorf("errors %v", errorStrings(f))
	}
}

// TestRead_SheetByHeader reads a workbook whose first sheet is a cover
// note: the sheet with the header is taken and named; --sheet still
// chooses.
func TestRead_SheetByHeader(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	must(t, x.SetSheetName("Sheet1", "说明"))
	must(t, x.SetSheetRow("说明", "A1", &[]any{"请按模板填写，身份证号列设为文本"}))
	_, err := x.NewSheet("居民")
	must(t, err)
	must(t, x.SetSheetRow("居民", "A1", &[]any{"枣园小区居民花名册"}))
	must(t, x.SetSheetRow("居民", "A3", &[]any{"小区", "楼栋", "单元", "户号", "姓名", "身份证号"}))
	must(t, x.SetSheetRow("居民", "A4", &[]any{"枣园小区", "3", "2", "501", "张伟", idA}))
	buf, err := x.WriteToBuffer()
	must(t, err)
	f := readFile(t, "名单.xlsx", buf.Bytes(), underCommunity)
	assertErrors(t, f)
	if f.Sheet != "居民" || f.HeaderRow != 3 || f.Source() != `sheet "居民", header on row 3` || len(f.Rows) != 1 || f.Rows[0].Row != 4 {
		t.Errorf("sheet %q, header row %d, rows %+v", f.Sheet, f.HeaderRow, f.Rows)
	}
	// Named, the cover sheet is read, and its lack of a header reported.
	opts := underCommunity
	opts.Sheet = "说明"
	f = readFile(t, "名单.xlsx", buf.Bytes(), opts)
	if f.Sheet != "说明" || len(f.Errors) == 0 || !strings.Contains(f.Errors[0].Message, "no known header") {
		t.Errorf("named cover sheet: sheet %q, errors %v", f.Sheet, errorStrings(f))
	}
}

// TestRead_MergedCells reads a building merged down its rows, as offices
// lay lists out: the rows below the first are refused with a message that
// says the cells are merged, not merely that the building is missing.
func TestRead_MergedCells(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	must(t, x.SetSheetRow("Sheet1", "A1", &[]any{"小区", "楼栋", "单元", "户号", "姓名", "身份证号"}))
	must(t, x.SetSheetRow("Sheet1", "A2", &[]any{"枣园小区", "3号楼", "2", "501", "张伟", idA}))
	must(t, x.SetSheetRow("Sheet1", "A3", &[]any{"枣园小区", nil, "2", "502", "李娜", idB}))
	must(t, x.SetSheetRow("Sheet1", "A4", &[]any{"枣园小区", "", "2", "503", "王芳", idD}))
	must(t, x.MergeCell("Sheet1", "B2", "B4"))
	buf, err := x.WriteToBuffer()
	must(t, err)
	f := readFile(t, "名单.xlsx", buf.Bytes(), underCommunity)
	assertErrors(t, f,
		"row 3, column B (楼栋): the cell is empty because cells B2:B4 are merged: only B2 holds the value; unmerge them and fill in every row",
		"row 4, column B (楼栋): the cell is empty because cells B2:B4 are merged: only B2 holds the value; unmerge them and fill in every row")
	if len(f.Rows) != 1 || f.Rows[0].Building != "3号楼" {
		t.Errorf("rows %+v", f.Rows)
	}
}

// TestRead_IDNumberAsNumber refuses an ID number that a spreadsheet kept
// as a number, in each form a CSV shows it; none is imported.
func TestRead_IDNumberAsNumber(t *testing.T) {
	for _, v := range []string{"6.20502E+17", "6.20502199001021E+17", "620502199001021000", `"620,502,199,001,021,000"`, "620502199001021230.00"} {
		f := readCSV(t, underCommunity, shortHeader, "枣园小区,3,2,501,张伟,"+v+",,,,,,")
		if len(f.Rows) != 0 || len(f.Errors) != 1 || !strings.Contains(f.Errors[0].Message, "stored as a number") {
			t.Errorf("%s: rows %d, errors %v", v, len(f.Rows), errorStrings(f))
		}
	}
}

// TestReadOtherLists_SheetAndTitles reads the worker and risk-area lists
// from the second sheet of a workbook, under a title row.
func TestReadOtherLists_SheetAndTitles(t *testing.T) {
	x := excelize.NewFile()
	defer x.Close()
	must(t, x.SetSheetRow("Sheet1", "A1", &[]any{"封面"}))
	_, err := x.NewSheet("名单")
	must(t, err)
	must(t, x.SetSheetRow("名单", "A1", &[]any{"区林草局下沉干部名单"}))
	must(t, x.SetSheetRow("名单", "A2", &[]any{"姓名", "电话", "地区名称", "风险等级", "开始日期"}))
	must(t, x.SetSheetRow("名单", "A3", &[]any{"王林", "13800138000", "西安市雁塔区", "高", "2024-05-20"}))
	buf, err := x.WriteToBuffer()
	must(t, err)
	workers, err := residentfile.ReadWorkers("名单.xlsx", strings.NewReader(buf.String()), "")
	if err != nil || len(workers) != 1 || workers[0].Row != 3 || workers[0].Worker.Name != "王林" {
		t.Errorf("workers %+v, %v", workers, err)
	}
	areas, err := residentfile.ReadRiskAreas("名单.xlsx", strings.NewReader(buf.String()), "")
	if err != nil || len(areas) != 1 || areas[0].Row != 3 || areas[0].Area.Name != "西安市雁塔区" {
		t.Errorf("areas %+v, %v", areas, err)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// TestRead_NoDocument reads persons without a document: the type says so,
// the number is empty, the birth date is required, and the same person
// twice in a household is a duplicate.
func TestRead_NoDocument(t *testing.T) {
	f := readCSV(t, underCommunity, shortHeader+",证件类型",
		"枣园小区,3,2,501,张小宝,,,,2024-01-01,子女,,,无证件",
		"枣园小区,3,2,501,张大宝,,,,,子女,,,无证件",
		"枣园小区,3,2,502,李小宝,,,,2024-02-02,,,,无",
		"枣园小区,3,2,502,李小宝,,,,2024-02-02,,,,无")
	assertErrors(t, f,
		"row 3, column I (出生日期): a person without a document needs a birth date",
		"row 4, column E (姓名): 李小宝 (born 2024-02-02, no document) appears twice in the file: also on row 5 (枣园小区/3号楼/2单元/502)",
		"row 5, column E (姓名): 李小宝 (born 2024-02-02, no document) appears twice in the file: also on row 4 (枣园小区/3号楼/2单元/502)")
	if len(f.Rows) != 1 || f.Rows[0].Person.IDType != "none" || f.Rows[0].Person.IDNumber != "" {
		t.Errorf("rows %+v", f.Rows)
	}
}
