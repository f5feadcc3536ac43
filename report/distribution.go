package report

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// Sheets of a distribution's list.
const (
	SheetDistributionBuildings = "楼栋进度"
	SheetDistributionDoors     = "发放名单"
)

// DistributionBuildingHeader and DistributionDoorHeader head the two sheets.
var (
	DistributionBuildingHeader = []string{"楼栋", "应发户数", "已送达", "拒收", "无人在家", "已搬离", "不适用", "未完成"}
	DistributionDoorHeader     = []string{"楼栋", "单元", "户", "状态", "送达时间", "经手人", "原因", "尝试次数", "特殊需要", "补录"}
)

// Distribution writes a node's list of a distribution as XLSX: a sheet of
// each building's progress, counted from the doors listed, and a sheet of
// every door by building with its status, who marked it and when, and the
// household's needs. Counts are numbers; every text goes through the
// same string cells as the other exports, never a formula. text names a
// status ("dist.status.delivered") or a need ("need.halal") in the
// reader's language.
func Distribution(w io.Writer, d *frontline.Distribution, node *frontline.DistributionProgress, hs []*frontline.Handout,
	text func(string) string, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	title := d.Name + " · " + node.Name + " · " + d.Contents
	var order []int64
	byBuilding := map[int64]*frontline.DistributionProgress{}
	doors := make([][]any, 0, len(hs))
	for _, h := range hs {
		b := byBuilding[h.BuildingID]
		if b == nil {
			b = &frontline.DistributionProgress{PlaceID: h.BuildingID, Name: h.Building}
			byBuilding[h.BuildingID], order = b, append(order, h.BuildingID)
		}
		b.Households++
		switch h.Status {
		case frontline.HandoutDelivered:
			b.Delivered++
		case frontline.HandoutRefused:
			b.Refused++
		case frontline.HandoutNotHome:
			b.NotHome++
		case frontline.HandoutMovedOut:
			b.MovedOut++
		case frontline.HandoutNotApplicable:
			b.NotApplicable++
		}
		when := ""
		if !h.MarkedAt.IsZero() {
			when = h.MarkedAt.In(loc).Format("2006-01-02 15:04")
		}
		needs := make([]string, len(h.Needs))
		for i, n := range h.Needs {
			needs[i] = text(n)
		}
		late := ""
		if h.AddedLate {
			late = "是"
		}
		doors = append(doors, []any{h.Building, h.Unit, h.Room, text("dist.status." + string(h.Status)), when, h.MarkedBy,
			h.Reason, h.Attempts, strings.Join(needs, "、"), late})
	}
	buildings := make([][]any, 0, len(order)+1)
	var sum frontline.DistributionProgress
	for _, id := range order {
		b := byBuilding[id]
		buildings = append(buildings, progressRow(b.Name, b))
		sum.Households, sum.Delivered, sum.Refused = sum.Households+b.Households, sum.Delivered+b.Delivered, sum.Refused+b.Refused
		sum.NotHome, sum.MovedOut, sum.NotApplicable = sum.NotHome+b.NotHome, sum.MovedOut+b.MovedOut, sum.NotApplicable+b.NotApplicable
	}
	buildings = append(buildings, progressRow("合计", &sum))
	if err := table(f, st, SheetDistributionBuildings, title, DistributionBuildingHeader, buildings); err != nil {
		return err
	}
	if err := table(f, st, SheetDistributionDoors, title, DistributionDoorHeader, doors); err != nil {
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

func progressRow(name string, p *frontline.DistributionProgress) []any {
	return []any{name, p.Households, p.Delivered, p.Refused, p.NotHome, p.MovedOut, p.NotApplicable, p.Pending()}
}
