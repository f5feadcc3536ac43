package report

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// SheetDailyCover is the first sheet of the daily report: what, where,
// which day, cut off when, submitted by whom.
const SheetDailyCover = "封面"

// DailySheets names each section's sheet.
var DailySheets = map[frontline.DailySectionKey]string{
	frontline.DailyScreening:   "摸排",
	frontline.DailyTesting:     "核酸检测",
	frontline.DailyCases:       "病例与密接",
	frontline.DailyZones:       "风险区域",
	frontline.DailyCheckpoints: "卡点",
	frontline.DailyWorkforce:   "队伍力量",
	frontline.DailySupplies:    "保供",
	frontline.DailyVulnerable:  "特殊人群包保",
	frontline.DailyHelp:        "紧急求助",
	frontline.DailyMedicine:    "送药",
}

// DailyHeaders names each figure of each section as offices write it.
var DailyHeaders = map[frontline.DailySectionKey]map[string]string{
	frontline.DailyScreening: {"households": "应排查户数", "screened": "已排查", "pending": "未排查", "returnees": "返乡人员",
		"isolation": "居家隔离", "monitoring": "居家健康监测"},
	frontline.DailyTesting: {"expected": "应检人数", "sampled": "已采样", "excused": "免检", "not_sampled": "未采样",
		"awaiting": "待出结果", "positive": "阳性"},
	frontline.DailyCases: {"new_cases": "新增阳性", "total_cases": "累计阳性", "active_cases": "在管病例", "contacts": "密切接触者",
		"transfers_open": "待转运"},
	frontline.DailyZones: {"sealed": "封控区", "controlled": "管控区", "precaution": "防范区", "sealed_households": "封控户数",
		"sealed_residents": "封控人数"},
	frontline.DailyCheckpoints: {"open": "运行卡点", "setting_up": "筹建卡点", "passages": "通行登记", "refused": "劝返"},
	frontline.DailyWorkforce:   {"workers": "在册人员", "on_duty": "在岗", "places_short": "缺岗", "no_shows": "未到岗"},
	frontline.DailySupplies: {"households": "保供包应发户数", "delivered": "已送达", "pending": "未完成", "delivered_today": "当日送达",
		"orders_delivered": "当日订单送达"},
	frontline.DailyHelp:     {"opened": "新增求助", "acked_late": "超时未受理", "resolved": "已办结", "open": "未办结"},
	frontline.DailyMedicine: {"requests": "购药需求", "filled": "已配药", "delivered": "已送达", "late": "慢病药超时"},
	frontline.DailyVulnerable: {"vulnerable": "封控管控区特殊人群", "with_contact": "已落实包保人", "checked": "当日已联系",
		"not_checked": "当日未联系"},
}

// dailyStatusLabels names a report's status on the cover.
var dailyStatusLabels = map[frontline.DailyStatus]string{
	frontline.DailyLive: "统计中（未截止）", frontline.DailyKept: "已截止", frontline.DailySubmitted: "已报送",
}

// DailyReport writes a daily report as the XLSX offices exchange: a cover
// with the node, the day and the cut-off as dates, then one sheet per
// section with a row per child node, the node's total last, each figure
// followed by its change since yesterday (blank when yesterday's is not
// known). Figures are numbers, dates are dates, headers are Chinese; times
// are in loc. The output depends on r alone.
func DailyReport(w io.Writer, r *frontline.DailyReport, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetDailyCover); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	border := []excelize.Border{{Type: "left", Style: 1}, {Type: "right", Style: 1}, {Type: "top", Style: 1}, {Type: "bottom", Style: 1}}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14, Border: border, Alignment: &excelize.Alignment{Horizontal: "left"}})
	if err != nil {
		return err
	}
	dtFmt := "yyyy-mm-dd hh:mm"
	datetime, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dtFmt, Border: border, Alignment: &excelize.Alignment{Horizontal: "left"}})
	if err != nil {
		return err
	}
	title := fmt.Sprintf("%s 疫情防控工作日报 %s", r.Place.Name, r.Day)
	if err := dailyCover(f, st, title, r, loc, date, datetime); err != nil {
		return err
	}
	for _, sec := range r.Sections {
		if err := dailySheet(f, st, title, &sec); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	return canonicalZip(w, buf.Bytes())
}

// wall returns t's wall clock in loc as a UTC time: a spreadsheet keeps a
// date and time without a zone, read as written.
func wall(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, time.UTC)
}

func dailyCover(f *excelize.File, st *styles, title string, r *frontline.DailyReport, loc *time.Location, date, datetime int) error {
	sh := SheetDailyCover
	if err := f.SetColWidth(sh, "A", "A", 16); err != nil {
		return err
	}
	if err := f.SetColWidth(sh, "B", "B", 36); err != nil {
		return err
	}
	if err := titleRow(f, st, sh, title, 2); err != nil {
		return err
	}
	day, _ := time.Parse(frontline.DateLayout, r.Day)
	type fact struct {
		label string
		value any
		style int
	}
	facts := []fact{
		{"地区", r.Place.Name, st.cell},
		{"报告日期", day, date},
		{"统计起", wall(r.From, loc), datetime},
		{"截止时间", wall(r.To, loc), datetime},
		{"数据时间", wall(r.TakenAt, loc), datetime},
		{"状态", dailyStatusLabels[r.Status], st.cell},
	}
	if r.SubmittedAt != nil {
		facts = append(facts, fact{"报送时间", wall(*r.SubmittedAt, loc), datetime}, fact{"报送人", r.SubmittedBy, st.cell})
	}
	for i, fc := range facts {
		row := i + 3
		if err := putRow(f, sh, row, []any{fc.label}, st.cell); err != nil {
			return err
		}
		ref := fmt.Sprintf("B%d", row)
		var err error
		if t, ok := fc.value.(time.Time); ok {
			err = f.SetCellValue(sh, ref, t)
		} else {
			err = f.SetCellStr(sh, ref, fmt.Sprint(fc.value))
		}
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, ref, ref, fc.style); err != nil {
			return err
		}
	}
	return nil
}

// dailySheet writes one section: 地区, then each figure and its change.
func dailySheet(f *excelize.File, st *styles, title string, sec *frontline.DailySection) error {
	header := []string{"地区"}
	for _, c := range sec.Columns {
		header = append(header, DailyHeaders[sec.Key][c], "较昨日")
	}
	rows := make([][]any, 0, len(sec.Rows)+1)
	line := func(r *frontline.DailyRow, name string) []any {
		out := []any{name}
		for i, v := range r.Values {
			out = append(out, v)
			if d, ok := r.Change(i); ok {
				out = append(out, d)
			} else {
				out = append(out, "")
			}
		}
		return out
	}
	for i := range sec.Rows {
		name := sec.Rows[i].Name
		if sec.Rows[i].Own {
			name += "（本级）"
		}
		rows = append(rows, line(&sec.Rows[i], name))
	}
	rows = append(rows, line(&sec.Total, "合计"))
	return table(f, st, DailySheets[sec.Key], title, header, rows)
}
