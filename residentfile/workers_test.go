package residentfile_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// TestReadWorkers reads a department's list as offices make it: title
// rows above the header, ranges and lists of dates, skills in words, and
// every bad cell named by row and column; a list without a name column is
// refused whole.
func TestReadWorkers(t *testing.T) {
	csv := "区林草局下沉干部名单\n填报单位：区林草局,,,\n" +
		"姓名,手机号码,人员类别,派出单位,技能,可到岗日期,最近核酸,备注\n" +
		"王林,139 0000 0001,部门干部,区林草局,急救、英语,2026-06-01至2026-06-03,2026-05-31 08:30,带队\n" +
		"李森,13900000002,,,,2026-06-01、2026-06-05,,\n" +
		"\n" +
		"张松,13900000003,厨师,,飞行,6月1日,昨天,\n"
	rows, err := residentfile.ReadWorkers("名单.csv", strings.NewReader(csv), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	w := rows[0].Worker
	if len(rows[0].Errors) > 0 || rows[0].Row != 4 || w.Name != "王林" || w.Kind != frontline.WorkerDepartment || w.Unit != "区林草局" ||
		!slices.Equal(w.Skills, []string{"first_aid", "lang:英语"}) || !slices.Equal(w.Days, []string{"2026-06-01", "2026-06-02", "2026-06-03"}) ||
		!w.LastNegative.Equal(time.Date(2026, 5, 31, 0, 30, 0, 0, time.UTC)) || w.Note != "带队" {
		t.Errorf("row 4: %+v %v", w, rows[0].Errors)
	}
	if w := rows[1].Worker; len(rows[1].Errors) > 0 || w.Kind != "" || !slices.Equal(w.Days, []string{"2026-06-01", "2026-06-05"}) {
		t.Errorf("row 5: %+v %v", w, rows[1].Errors)
	}
	var cols []string
	for _, e := range rows[2].Errors {
		cols = append(cols, e.Column)
	}
	if rows[2].Row != 7 || !slices.Equal(cols, []string{"C (人员类别)", "E (技能)", "F (可到岗日期)", "G (最近核酸)"}) {
		t.Errorf("row 7: %+v", rows[2].Errors)
	}
	if _, err := residentfile.ReadWorkers("x.csv", strings.NewReader("单位,电话\n区林草局,13900000001\n"), ""); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Errorf("a list without names: %v", err)
	}
}

// TestReadWorkers_XLSX reads an XLSX list whose dates are date cells, as
// Excel stores them.
func TestReadWorkers_XLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellValue("Sheet1", "A1", "社区志愿者名单")
	f.SetSheetRow("Sheet1", "A2", &[]any{"姓名", "电话", "可到岗日期"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"何勇", 13900000011, time.Date(2026, 6, 2, 0, 0, 0, 0, time.UTC)})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := residentfile.ReadWorkers("志愿者.xlsx", &buf, "")
	if err != nil || len(rows) != 1 {
		t.Fatalf("rows %v, %v", rows, err)
	}
	if w := rows[0].Worker; len(rows[0].Errors) > 0 || w.Phone != "13900000011" || !slices.Equal(w.Days, []string{"2026-06-02"}) {
		t.Errorf("row 3: %+v %v", w, rows[0].Errors)
	}
}
