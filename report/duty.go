package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// SheetDuty is the sheet of a duty table.
const SheetDuty = "值班表"

// DutyHeader is the header of the duty table: one row per person on a
// shift, and one per shift still short of people.
var DutyHeader = []string{"岗位", "类型", "地点", "班次", "分工", "需要人数", "姓名", "类别", "单位", "电话", "带班", "签到"}

// DutyTable writes the day's duty table (值班表) of a node as an XLSX
// workbook, as offices post it: a title row, the header, and the post's
// cells merged down its rows. Phones are written whole when reveal is
// set, else masked. Names are written as text, never as formulas;
// headcounts as numbers.
func DutyTable(w io.Writer, t *frontline.DutyTable, loc *time.Location, reveal bool) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetDuty); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	if err != nil {
		return err
	}
	set := func(col, row int, v any, style int) error {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		if err := f.SetCellValue(SheetDuty, cell, v); err != nil {
			return err
		}
		return f.SetCellStyle(SheetDuty, cell, cell, style)
	}
	title := fmt.Sprintf("%s 值班表 %s", t.Place.Name, t.Day)
	if err := set(1, 1, title, bold); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(DutyHeader), 1)
	if err := f.MergeCell(SheetDuty, "A1", last); err != nil {
		return err
	}
	for i, h := range DutyHeader {
		if err := set(i+1, 2, h, bold); err != nil {
			return err
		}
	}
	row := 3
	for _, p := range t.Posts {
		first := row
		for _, r := range dutyRows(p, loc, reveal) {
			for i, v := range r {
				if err := set(i+1, row, v, wrap); err != nil {
					return err
				}
			}
			row++
		}
		if row-first > 1 {
			for col := 1; col <= 3; col++ {
				a, _ := excelize.CoordinatesToCellName(col, first)
				b, _ := excelize.CoordinatesToCellName(col, row-1)
				if err := f.MergeCell(SheetDuty, a, b); err != nil {
					return err
				}
			}
		}
	}
	for i, width := range []float64{14, 10, 18, 14, 10, 8, 10, 10, 12, 14, 8, 8} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(SheetDuty, col, col, width); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return canonicalZip(w, buf.Bytes())
}

// dutyRows are the rows of one post: a row per person, a row per shift
// short of people, a row for a post without shifts.
func dutyRows(p *frontline.DutyPost, loc *time.Location, reveal bool) [][]any {
	post := []any{p.Post.Name, frontline.PostKindLabels[p.Post.Kind], p.Post.Location}
	if len(p.Shifts) == 0 {
		return [][]any{append(post, "（无班次）", "", "", "", "", "", "", "", "")}
	}
	var out [][]any
	for _, sh := range p.Shifts {
		when := sh.Start.In(loc).Format("15:04") + "–" + sh.End.In(loc).Format("15:04")
		if sh.Start.In(loc).Format(frontline.DateLayout) != sh.End.Add(-time.Minute).In(loc).Format(frontline.DateLayout) {
			when += "（次日）"
		}
		role := frontline.DutyRoleLabels[sh.Role]
		ownLeader := sh.Leader() != nil
		for _, a := range sh.Assignments {
			phone := frontline.MaskPhone(a.Phone)
			if reveal {
				phone = a.Phone
			}
			lead := ""
			if a.Leader || !ownLeader && a.WorkerID == p.Post.LeaderID {
				lead = "带班"
			}
			out = append(out, append(slices.Clone(post), when, role, sh.Headcount, a.Name, frontline.WorkerKindLabels[a.Kind],
				a.Unit, phone, lead, statusText(a.Status)))
		}
		if n := sh.Open(); n > 0 {
			out = append(out, append(slices.Clone(post), when, role, sh.Headcount, fmt.Sprintf("（缺 %d 人）", n), "", "", "", "", ""))
		}
	}
	return out
}

// statusText is how the table marks a person's check-in.
func statusText(s frontline.AssignmentStatus) string {
	switch s {
	case frontline.AssignCheckedIn:
		return "在岗"
	case frontline.AssignCheckedOut:
		return "已下岗"
	case frontline.AssignNoShow:
		return "未到岗"
	}
	return ""
}
