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

func sample() *frontline.Report {
	return &frontline.Report{
		Campaign:   &frontline.Campaign{ID: 1, Name: "返乡人员摸排"},
		Place:      &frontline.Place{ID: 2, Name: "大城街道"},
		ReportDate: "2026-01-05",
		Totals:     frontline.Coverage{Name: "大城街道", Households: 3, Screened: 1, NotHome: 1, ReturneesHigh: 1, Isolation: 1, Persons: 2},
		Children: []frontline.Coverage{
			{Name: "罗玉新村社区", Households: 2, Screened: 1, ReturneesHigh: 1, Isolation: 1, Persons: 2},
			{Name: "自治巷社区", Households: 1, NotHome: 1},
		},
		Returnees: []frontline.Returnee{{Name: "王五", IDNumber: "620502********1234", Address: "枣园小区/1号楼/101",
			AreaName: "西安市雁塔区", AreaCode: "610113", ArrivedOn: "2026-01-03", Means: "train", Level: frontline.RiskHigh,
			Measure: frontline.MeasureIsolation, RuleVersion: 1, Health: frontline.HealthNormal}},
		Gaps: []frontline.Gap{{Address: "忠义巷小区/2号楼/101", Building: "2号楼", Room: "101",
			Assignee: frontline.Assignee{TeamID: 1, Name: "自治巷社区摸排组"}, Status: "not_home", Visits: 1, Waiting: 3 * time.Hour}},
		GapsTotal: 2,
	}
}

func TestScreening(t *testing.T) {
	var a, b bytes.Buffer
	if err := report.Screening(&a, sample()); err != nil {
		t.Fatal(err)
	}
	if err := report.Screening(&b, sample()); err != nil {
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
	if got := f.GetSheetList(); len(got) != 3 || got[0] != report.SheetTotals || got[2] != report.SheetGaps {
		t.Fatalf("sheets %v", got)
	}
	rows, _ := f.GetRows(report.SheetTotals)
	// title, header, two communities, the total
	if len(rows) != 5 || rows[4][0] != "合计 大城街道" || rows[4][1] != "3" || rows[4][3] != "2" {
		t.Errorf("totals %v", rows)
	}
	rows, _ = f.GetRows(report.SheetReturnees)
	if len(rows) != 3 || rows[2][1] != "620502********1234" || rows[2][9] != "居家隔离" {
		t.Errorf("returnees %v", rows)
	}
	rows, _ = f.GetRows(report.SheetGaps)
	if len(rows) != 4 || rows[2][4] != "自治巷社区摸排组" || rows[2][5] != "无人在家" || rows[2][7] != "3" {
		t.Errorf("gaps %v", rows)
	}
}

// TestScreening_LibreOffice opens the report in LibreOffice: three sheets
// with the figures in them.
func TestScreening_LibreOffice(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Screening(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	sheets := office.Sheets(t, buf.Bytes())
	if len(sheets) != 3 {
		t.Fatalf("LibreOffice found %d sheets", len(sheets))
	}
	totals := sheets[report.SheetTotals]
	if len(totals) != 5 || totals[4][0] != "合计 大城街道" || totals[4][1] != "3" {
		t.Fatalf("totals as LibreOffice reads them: %q", totals)
	}
	if r := sheets[report.SheetReturnees]; len(r) != 3 || r[2][1] != "620502********1234" {
		t.Fatalf("returnees as LibreOffice reads them: %q", r)
	}
}

// TestScreening_NumbersAndLabels checks that figures are number cells a
// SUM adds up (LibreOffice computes one over the children's rows), and
// that coded values read in the report's language.
func TestScreening_NumbersAndLabels(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Screening(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, ref := range []string{"B3", "C3", "O5"} {
		if typ, _ := f.GetCellType(report.SheetTotals, ref); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("totals %s is of type %v, want a number", ref, typ)
		}
		if v, _ := f.GetCellValue(report.SheetTotals, ref, excelize.Options{RawCellValue: true}); v == "" {
			t.Errorf("totals %s is empty", ref)
		}
	}
	rows, _ := f.GetRows(report.SheetReturnees)
	if rows[2][7] != "火车" || rows[2][11] != "正常" || rows[2][8] != "高风险" {
		t.Errorf("returnee labels %q", rows[2])
	}
	// A SUM over the children's households, computed by LibreOffice.
	if err := f.SetCellFormula(report.SheetTotals, "B7", "SUM(B3:B4)"); err != nil {
		t.Fatal(err)
	}
	var withSum bytes.Buffer
	if err := f.Write(&withSum); err != nil {
		t.Fatal(err)
	}
	totals := office.Sheets(t, withSum.Bytes())[report.SheetTotals]
	if len(totals) < 7 || totals[6][1] != "3" {
		t.Fatalf("SUM of the children's households as LibreOffice computes it: %q", totals)
	}
}
