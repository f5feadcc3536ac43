package report_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/report"
)

func dailySample() *frontline.DailyReport {
	to := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC) // 16:00 China time
	sub := time.Date(2026, 1, 5, 8, 30, 0, 0, time.UTC)
	r := &frontline.DailyReport{Place: &frontline.Place{ID: 3, Name: "大城街道"}, Day: "2026-01-05", CutOff: "16:00",
		From: to.AddDate(0, 0, -1), To: to, TakenAt: to, Status: frontline.DailySubmitted, SubmittedAt: &sub, SubmittedBy: "xiahong"}
	for _, key := range frontline.DailySectionOrder {
		cols := frontline.DailySectionColumns[key]
		sec := frontline.DailySection{Key: key, Columns: cols}
		a, b := make([]int, len(cols)), make([]int, len(cols))
		for i := range cols {
			a[i], b[i] = 10+i, 3*i
		}
		sec.Rows = []frontline.DailyRow{
			{PlaceID: 4, Name: "罗玉新村社区", Values: a, Yesterday: b},
			{PlaceID: 5, Name: "自治巷社区", Values: b},
		}
		sec.Sum()
		r.Sections = append(r.Sections, sec)
	}
	return r
}

func TestDailyReport_XLSX(t *testing.T) {
	var a, b bytes.Buffer
	if err := report.DailyReport(&a, dailySample(), frontline.ChinaTime); err != nil {
		t.Fatal(err)
	}
	if err := report.DailyReport(&b, dailySample(), frontline.ChinaTime); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same report rendered to different bytes")
	}
	f, err := excelize.OpenReader(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1+len(frontline.DailySectionOrder) || sheets[0] != report.SheetDailyCover || sheets[1] != "摸排" {
		t.Fatalf("sheets %v", sheets)
	}
	rows, _ := f.GetRows("摸排")
	// title, header, two communities, the total
	if len(rows) != 5 || rows[1][1] != "应排查户数" || rows[1][2] != "较昨日" || rows[4][0] != "合计" || rows[4][1] != "10" {
		t.Fatalf("摸排 %q", rows)
	}
	// 罗玉新村社区 changed by 10 - 0; 自治巷社区 has no yesterday: blank.
	if rows[2][2] != "10" || rows[3][2] != "" {
		t.Errorf("changes %q %q", rows[2], rows[3])
	}
	for _, cell := range []string{"B3", "C3", "B5"} {
		if typ, _ := f.GetCellType("摸排", cell); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Errorf("摸排!%s is %v, not a number", cell, typ)
		}
	}
	day, _ := f.GetCellValue(report.SheetDailyCover, "B4", excelize.Options{RawCellValue: true})
	if day != "46027" { // 2026-01-05 as a spreadsheet date
		t.Errorf("the report date is %q, not a date", day)
	}
	cut, _ := f.GetCellValue(report.SheetDailyCover, "B6")
	if cut != "2026-01-05 16:00" {
		t.Errorf("cut-off shows %q", cut)
	}
}

// TestDailyReport_LibreOffice opens the report in LibreOffice with a SUM
// and a date difference added: both come out right only when figures are
// numbers and dates are dates (text gives 0 and an error).
func TestDailyReport_LibreOffice(t *testing.T) {
	var buf bytes.Buffer
	if err := report.DailyReport(&buf, dailySample(), frontline.ChinaTime); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	f.SetCellFormula("摸排", "B7", "SUM(B3:B4)")
	f.SetCellFormula(report.SheetDailyCover, "C4", "B4+1-DATE(2026,1,5)")
	var edited bytes.Buffer
	if err := f.Write(&edited); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sheets := office.Sheets(t, edited.Bytes())
	if len(sheets) != 1+len(frontline.DailySectionOrder) {
		t.Fatalf("LibreOffice found %d sheets", len(sheets))
	}
	s := sheets["摸排"]
	if len(s) < 7 || s[6][1] != "10" || s[4][0] != "合计" || s[1][1] != "应排查户数" {
		t.Fatalf("摸排 as LibreOffice reads it: %q", s)
	}
	if c := sheets[report.SheetDailyCover]; len(c) < 4 || len(c[3]) < 3 || c[3][2] != "1" {
		t.Fatalf("cover as LibreOffice reads it: %q", c)
	}
}
