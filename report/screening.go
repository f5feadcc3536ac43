// Package report renders Frontline's reports as the XLSX workbooks that
// offices exchange upward (上报). A report is rendered from its data alone,
// so a submitted report, kept as JSON, renders to the same workbook every
// time.
package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// Sheet names of the screening report.
const (
	SheetTotals    = "汇总"
	SheetReturnees = "返乡人员"
	SheetGaps      = "未排查户"
)

// TotalsHeader is the header of the totals sheet: one row per child node
// and a last row for the node itself.
var TotalsHeader = []string{"地区", "应排查户数", "已排查", "未排查", "其中无人在家", "拒绝配合", "空置房", "已搬离",
	"排查人数", "新发现人员", "高风险地区返回", "中风险地区返回", "低风险地区返回", "居家隔离", "居家健康监测"}

// ReturneesHeader is the header of the returnees sheet.
var ReturneesHeader = []string{"姓名", "身份证号", "电话", "住址", "来自地区", "地区代码", "抵达日期", "交通方式",
	"风险等级", "管控措施", "规则版本", "健康状况"}

// GapsHeader is the header of the gap-list sheet.
var GapsHeader = []string{"住址", "楼栋", "单元", "户", "责任人", "状态", "上门次数", "等待时长(小时)"}

// TotalsRow returns the cells of one node's line: the name, then the
// figures as numbers, so a SUM over a column works in any spreadsheet.
func TotalsRow(c *frontline.Coverage) []any {
	return []any{c.Name, c.Households, c.Screened, c.Pending(), c.NotHome, c.Refused, c.Vacant,
		c.MovedOut, c.Persons, c.NewPersons, c.ReturneesHigh, c.ReturneesMedium, c.ReturneesLow,
		c.Isolation, c.Monitoring}
}

// Screening writes the report of a campaign for one node as an XLSX
// workbook with three sheets: totals per child node, the returnees (ID
// numbers masked as the report holds them) and the gap list. The output
// depends on r alone: the same report gives the same bytes.
func Screening(w io.Writer, r *frontline.Report) error {
	f := excelize.NewFile()
	defer f.Close()
	title := fmt.Sprintf("%s · %s · %s", r.Campaign.Name, r.Place.Name, r.ReportDate)
	totals := make([][]any, 0, len(r.Children)+1)
	for i := range r.Children {
		totals = append(totals, TotalsRow(&r.Children[i]))
	}
	all := r.Totals
	all.Name = "合计 " + r.Place.Name
	totals = append(totals, TotalsRow(&all))
	if err := sheet(f, SheetTotals, title, TotalsHeader, totals); err != nil {
		return err
	}
	rows := make([][]any, len(r.Returnees))
	for i, p := range r.Returnees {
		rows[i] = []any{p.Name, p.IDNumber, p.Phone, p.Address, p.AreaName, p.AreaCode, p.ArrivedOn, label(frontline.TravelMeansLabels, p.Means),
			frontline.RiskLevelLabels[p.Level], frontline.MeasureLabels[p.Measure], p.RuleVersion, label(frontline.HealthStateLabels, p.Health)}
	}
	if err := sheet(f, SheetReturnees, title, ReturneesHeader, rows); err != nil {
		return err
	}
	rows = make([][]any, len(r.Gaps))
	for i, g := range r.Gaps {
		hours, _ := strconv.ParseFloat(strconv.FormatFloat(g.Waiting.Round(time.Minute).Hours(), 'f', 1, 64), 64)
		rows[i] = []any{g.Address, g.Building, g.Unit, g.Room, g.Assignee.Name, statusLabel(g.Status), g.Visits, hours}
	}
	if r.GapsTotal > len(r.Gaps) {
		rows = append(rows, []any{fmt.Sprintf("……另有 %d 户未列出", r.GapsTotal-len(r.Gaps))})
	}
	if err := sheet(f, SheetGaps, title, GapsHeader, rows); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return canonicalZip(w, buf.Bytes())
}

// canonicalZip copies an XLSX (a ZIP) with its entries in name order.
// excelize writes the sheets in map order, so the same workbook could come
// out as different bytes; a submitted report must render byte for byte as
// it was submitted.
func canonicalZip(w io.Writer, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, f := range files {
		hdr := &zip.FileHeader{Name: f.Name, Method: zip.Deflate}
		out, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		in, err := f.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(out, in)
		in.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

func statusLabel(s frontline.HouseholdStatus) string {
	if l := frontline.OutcomeLabels[frontline.Outcome(s)]; l != "" {
		return l
	}
	return "未上门"
}

// label returns the report's word for a coded value, or the value as
// written when it has none (a means of travel typed by hand).
func label[K ~string](labels map[K]string, v K) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return string(v)
}

// sheet writes one sheet: a title line, the header and the rows. Numbers
// (ints, floats) are number cells, which SUM adds; every other value is a
// string cell, so ID tails keep their form and nothing typed runs as a
// formula.
func sheet(f *excelize.File, name, title string, header []string, rows [][]any) error {
	if f.SheetCount == 1 && f.GetSheetName(0) == "Sheet1" {
		if err := f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	for i := range header {
		if err := sw.SetColWidth(i+1, i+1, 14); err != nil {
			return err
		}
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: bold, Value: title}}); err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	if err := sw.SetRow("A2", cells(head, bold)); err != nil {
		return err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		if err := sw.SetRow(cell, cells(r, 0)); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func cells(row []any, style int) []any {
	out := make([]any, len(row))
	for i, c := range row {
		switch c.(type) {
		case int, float64:
		default:
			c = fmt.Sprint(c)
		}
		out[i] = excelize.Cell{StyleID: style, Value: c}
	}
	return out
}
