package report

import (
	"bytes"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// Sheet names of the purge certificate and the anonymised statistics.
const (
	SheetCertificate = "个人信息销毁证明"
	SheetPurgeStats  = "匿名统计"
)

// PurgeKindsHeader and PurgeStatsHeader are the tables' headers.
var (
	PurgeKindsHeader = []string{"记录类别", "销毁条数", "业务结束最早日期", "业务结束最晚日期"}
	PurgeStatsHeader = []string{"记录类别", "社区", "业务结束日期", "条数"}
)

// PurgeCertificate writes a purge's certificate as an XLSX workbook an
// office can hand to an auditor: when, by whom, why, under which rule
// version and where, then the records purged by kind with their date
// ranges; the anonymised statistics follow when given. It holds no
// personal value: the run and the statistics have none.
func PurgeCertificate(w io.Writer, run *frontline.PurgeRun, stats []frontline.PurgeStat, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetCertificate); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	under := run.UnderName
	if under == "" {
		under = "全部"
	}
	finished := "未完成"
	if run.FinishedAt != nil {
		finished = run.FinishedAt.In(loc).Format("2006-01-02 15:04:05")
	}
	facts := [][]any{
		{"证明编号", int(run.ID)}, {"原因", frontline.PurgeReasonLabels[run.Reason]}, {"范围", under},
		{"保存期限规则版本", run.RuleVersion}, {"开始时间", run.StartedAt.In(loc).Format("2006-01-02 15:04:05")},
		{"完成时间", finished}, {"执行人", run.By}, {"销毁总条数", run.Records()},
	}
	rows := make([][]any, 0, len(facts)+len(run.Kinds)+2)
	rows = append(rows, facts...)
	rows = append(rows, []any{"", "", "", ""}, anyRow(PurgeKindsHeader))
	for _, k := range run.Kinds {
		rows = append(rows, []any{frontline.RetentionKindLabels[k.Kind], k.Records, k.FirstDay, k.LastDay})
	}
	if err := sheetRows(f, st, SheetCertificate, "个人信息销毁证明", 4, rows); err != nil {
		return err
	}
	if stats != nil {
		if err := statsSheet(f, st, "个人信息销毁前的匿名统计", stats); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return canonicalZip(w, buf.Bytes())
}

// PurgeStatistics writes the anonymised statistics alone under a title, as
// a stand-down hands them over: counts by kind, community and day, nothing
// else.
func PurgeStatistics(w io.Writer, title string, stats []frontline.PurgeStat) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := statsSheet(f, st, title, stats); err != nil {
		return err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return canonicalZip(w, buf.Bytes())
}

func statsSheet(f *excelize.File, st *styles, title string, stats []frontline.PurgeStat) error {
	rows := make([][]any, 0, len(stats))
	for _, s := range stats {
		rows = append(rows, []any{frontline.RetentionKindLabels[s.Kind], s.Place, s.Day, s.Records})
	}
	return table(f, st, SheetPurgeStats, title, PurgeStatsHeader, rows)
}

// sheetRows writes a title merged over width columns and the rows below
// it, ints as numbers.
func sheetRows(f *excelize.File, st *styles, sheet, title string, width int, rows [][]any) error {
	if err := f.SetColWidth(sheet, "A", "A", 24); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "B", "D", 20); err != nil {
		return err
	}
	if err := titleRow(f, st, sheet, title, width); err != nil {
		return err
	}
	for i, r := range rows {
		if err := putRow(f, sheet, i+3, r, st.cell); err != nil {
			return err
		}
	}
	return nil
}

func anyRow(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
