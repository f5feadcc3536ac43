package report

import (
	"bytes"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// Sheets of a pick list.
const (
	SheetPickList = "拣货单"
	SheetPickSum  = "汇总"
)

// PickListHeader is the header of the pick list: one row per line of an
// order, by compound, building and door.
var PickListHeader = []string{"小区", "楼栋", "住户", "单号", "商品", "单位", "数量", "单价（元）", "金额（元）", "实配", "替换", "状态", "备注"}

// PickList writes a partner's pick list of a day as an XLSX workbook: the
// lines to pack by compound, building and door, and a sheet of each item's
// total. Quantities and amounts are numbers, texts are text (never
// formulas).
func PickList(w io.Writer, pl *frontline.PickList, status func(frontline.OrderStatus) string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetPickList); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetPickSum); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	set := func(sheet string, col, row int, v any, style int) error {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return err
		}
		if style != 0 {
			return f.SetCellStyle(sheet, cell, cell, style)
		}
		return nil
	}
	title := fmt.Sprintf("%s 拣货单 %s 送达", pl.Partner.Name, pl.Day)
	if err := set(SheetPickList, 1, 1, title, bold); err != nil {
		return err
	}
	for i, h := range PickListHeader {
		if err := set(SheetPickList, i+1, 2, h, bold); err != nil {
			return err
		}
	}
	row := 3
	for _, c := range pl.Compounds {
		for _, b := range c.Buildings {
			for _, o := range b.Orders {
				door := o.Address
				for _, l := range o.Lines {
					var filled any = ""
					if l.Filled >= 0 {
						filled = l.Filled
					}
					sub := ""
					if l.Substitute != nil {
						sub = fmt.Sprintf("%s ×%d", l.Substitute.Name, l.Substitute.Quantity)
					}
					vals := []any{text(c.Name), text(b.Name), text(door), o.ID, text(l.Name), text(l.Unit), l.Quantity,
						float64(l.Price) / 100, float64(int64(l.Quantity)*l.Price) / 100, filled, text(sub), status(o.Status), text(o.Note)}
					for i, v := range vals {
						style := 0
						if i == 7 || i == 8 {
							style = money
						}
						if err := set(SheetPickList, i+1, row, v, style); err != nil {
							return err
						}
					}
					row++
				}
			}
		}
	}
	for i, h := range []string{"商品", "单位", "待拣数量"} {
		if err := set(SheetPickSum, i+1, 1, h, bold); err != nil {
			return err
		}
	}
	for i, t := range pl.Totals {
		for j, v := range []any{text(t.Name), text(t.Unit), t.Quantity} {
			if err := set(SheetPickSum, j+1, i+2, v, 0); err != nil {
				return err
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// text keeps a cell's text from being read as a formula by the program
// that opens it: a leading =, +, - or @ gets an apostrophe.
func text(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}
