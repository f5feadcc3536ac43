package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// Sheet names of the case report.
const (
	SheetCase     = "病例概况"
	SheetTimeline = "处置时间线"
	SheetContacts = "密接人员"
)

// ContactsHeader is the header of the contacts sheet.
var ContactsHeader = []string{"序号", "关系", "姓名", "住址", "管控措施", "开始日期", "结束日期", "措施状态", "转运状态", "转运去向", "逾期随访项"}

// TimelineHeader is the header of the timeline sheet.
var TimelineHeader = []string{"时间", "事项", "经办人", "说明"}

// CaseReport writes the summary of a case that offices send up, as an
// XLSX workbook: a cover sheet with the case (the person's name masked to
// the surname: the report leaves the community) and the contacts counted
// by kind, the timeline of what was done when, and the contacts with
// their measures and transfers. Counts are numbers, not text; a cell a
// person typed that starts like a formula stays text. Times are in loc.
func CaseReport(w io.Writer, d *frontline.CaseDetail, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	c := d.Case
	if err := f.SetSheetName("Sheet1", SheetCase); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	title := fmt.Sprintf("阳性病例处置情况报告 · %s", c.Ref())
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	source := frontline.CaseSourceLabels[c.Source]
	origin := c.TubeCode
	if c.PoolCode != "" {
		origin = c.PoolCode + " → " + c.TubeCode
	}
	if c.ExternalRef != "" {
		origin = c.Reporter + " " + c.ExternalRef
	}
	cover := [][]any{
		{"病例编号", c.Ref()}, {"姓名", maskName(c.PersonName)}, {"住址", c.Address}, {"来源", source}, {"检测管 / 报告", origin},
		{"确诊时间", at(c.ConfirmedAt)}, {"确诊人", c.ConfirmedBy}, {"状态", caseStatusLabel(c.Status)},
		{"所依据的管控规则版本", c.RuleVersion},
	}
	var counts [][]any
	total := 0
	for _, k := range frontline.ContactKinds {
		n := len(d.ContactsOf(k))
		total += n
		counts = append(counts, []any{frontline.ContactKindLabels[k], n})
	}
	counts = append(counts, []any{"合计", total})
	if err := writeCover(f, st, title, cover, counts); err != nil {
		return err
	}
	rows := make([][]any, 0, len(d.Timeline))
	for _, e := range d.Timeline {
		rows = append(rows, []any{at(e.At), eventLabel(e.Action), e.Actor, e.Detail})
	}
	if err := table(f, st, SheetTimeline, title, TimelineHeader, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for i, ct := range d.Contacts {
		row := []any{i + 1, frontline.ContactKindLabels[ct.Kind], maskName(ct.Name), ct.Address, "", "", "", "", "", "", ct.Overdue}
		if m := ct.Measure; m != nil {
			row[4], row[5], row[6], row[7] = frontline.MeasureLabels[m.Type], m.StartDate, m.EndDate, measureStatusLabel(m.Status)
		}
		if t := ct.Transfer; t != nil {
			row[8], row[9] = frontline.TransferStatusLabels[t.Status], t.Facility
		}
		rows = append(rows, row)
	}
	if err := table(f, st, SheetContacts, title, ContactsHeader, rows); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return canonicalZip(w, buf.Bytes())
}

type styles struct{ title, head, cell int }

func newStyles(f *excelize.File) (*styles, error) {
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	if err != nil {
		return nil, err
	}
	border := []excelize.Border{{Type: "left", Style: 1}, {Type: "right", Style: 1}, {Type: "top", Style: 1}, {Type: "bottom", Style: 1}}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}}, Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return nil, err
	}
	cell, err := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	return &styles{title: title, head: head, cell: cell}, nil
}

// writeCover writes the cover sheet: the title merged over two columns,
// the case's facts, then the contacts by kind.
func writeCover(f *excelize.File, st *styles, title string, facts, counts [][]any) error {
	sh := SheetCase
	if err := f.SetColWidth(sh, "A", "A", 22); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", "B", 44); err != nil {
		return err
	}
	if err := titleRow(f, st, sh, title, 2); err != nil {
		return err
	}
	r := 3
	for _, kv := range facts {
		if err := putRow(f, sh, r, []any{kv[0], kv[1]}, st.cell); err != nil {
			return err
		}
		r++
	}
	r++
	if err := putRow(f, sh, r, []any{"密接人员", "人数"}, st.head); err != nil {
		return err
	}
	for _, kv := range counts {
		r++
		if err := putRow(f, sh, r, kv, st.cell); err != nil {
			return err
		}
	}
	return nil
}

// table writes a sheet of a title merged over the header's width, the
// header and the rows.
func table(f *excelize.File, st *styles, sheet, title string, header []string, rows [][]any) error {
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(header))
	if err := f.SetColWidth(sheet, "A", last, 16); err != nil {
		return err
	}
	if err := titleRow(f, st, sheet, title, len(header)); err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	if err := putRow(f, sheet, 2, head, st.head); err != nil {
		return err
	}
	for i, row := range rows {
		if err := putRow(f, sheet, i+3, row, st.cell); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
}

func titleRow(f *excelize.File, st *styles, sheet, title string, width int) error {
	last, _ := excelize.ColumnNumberToName(width)
	if err := f.SetCellStr(sheet, "A1", title); err != nil {
		return err
	}
	if err := f.MergeCell(sheet, "A1", last+"1"); err != nil {
		return err
	}
	if err := f.SetRowHeight(sheet, 1, 24); err != nil {
		return err
	}
	return f.SetCellStyle(sheet, "A1", last+"1", st.title)
}

// putRow writes one row: ints as numbers, everything else as string
// cells, which no spreadsheet evaluates: an ID tail stays as written and a
// note a person typed starting with "=" is not run as a formula.
func putRow(f *excelize.File, sheet string, row int, cells []any, style int) error {
	for i, v := range cells {
		ref, err := excelize.CoordinatesToCellName(i+1, row)
		if err != nil {
			return err
		}
		switch v := v.(type) {
		case int:
			err = f.SetCellInt(sheet, ref, int64(v))
		default:
			err = f.SetCellStr(sheet, ref, fmt.Sprint(v))
		}
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, ref, ref, style); err != nil {
			return err
		}
	}
	return nil
}

// maskName keeps the surname, as every list that leaves the community.
func maskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 || strings.Contains(name, "*") {
		return name
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

func caseStatusLabel(s frontline.CaseStatus) string {
	switch s {
	case frontline.CaseOpen:
		return "待转运"
	case frontline.CaseTransferred:
		return "已转运"
	case frontline.CaseClosed:
		return "已结案"
	}
	return string(s)
}

func measureStatusLabel(s frontline.MeasureStatus) string {
	switch s {
	case frontline.MeasureActive:
		return "执行中"
	case frontline.MeasureEnded:
		return "已解除"
	case frontline.MeasureSuperseded:
		return "已调整"
	}
	return string(s)
}

// eventLabel names a timeline event as offices write it.
func eventLabel(action string) string {
	labels := map[string]string{
		"confirmed": "确诊", "opened": "立案并追踪密接", "acknowledged": "告警已签收", "escalated": "告警升级",
		"zone.sealed": "划定封控区", "zone.controlled": "划定管控区", "zone.precaution": "划定防范区",
		"transfer.requested": "申请转运", "transfer.assigned": "派车", "transfer.picked_up": "接走", "transfer.arrived": "送达",
		"transfer.cancelled": "取消转运", "closed": "结案",
	}
	if l, ok := labels[action]; ok {
		return l
	}
	return action
}
