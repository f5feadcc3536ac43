package residentfile_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// TestOrderReadCatalog reads a shop's list as partners make it: a title
// row, prices in yuan with a sign, limits per household, and every bad
// cell named by row and column; a list without a price column is refused.
func TestOrderReadCatalog(t *testing.T) {
	csv := "自治巷超市 保供商品清单\n" +
		"货号,品名,规格,单位,分类,单价（元）,库存,每户限购\n" +
		"1001,大米,5kg,袋,粮油,¥39.90,200,2\n" +
		",青菜,,斤,蔬菜,3.5,,\n" +
		"1003,鸡蛋,,盒,,十元,-4,1.5\n"
	rows, err := residentfile.ReadCatalog("清单.csv", strings.NewReader(csv), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	it := rows[0].Item
	if len(rows[0].Errors) > 0 || rows[0].Row != 3 || it.Code != "1001" || it.Name != "大米" || it.Spec != "5kg" || it.Unit != "袋" ||
		it.Category != "粮油" || it.Price != 3990 || it.Stock != 200 || it.Limit != 2 {
		t.Errorf("row 3: %+v %v", it, rows[0].Errors)
	}
	if it := rows[1].Item; len(rows[1].Errors) > 0 || it.Price != 350 || it.Stock != 0 || it.Limit != 0 {
		t.Errorf("row 4: %+v %v", it, rows[1].Errors)
	}
	var cols []string
	for _, e := range rows[2].Errors {
		cols = append(cols, e.Column)
	}
	if !slices.Equal(cols, []string{"F (单价（元）)", "G (库存)", "H (每户限购)"}) {
		t.Errorf("row 5: %+v", rows[2].Errors)
	}
	if _, err := residentfile.ReadCatalog("x.csv", strings.NewReader("品名,单位\n大米,袋\n"), ""); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Errorf("a list without prices: %v", err)
	}
}

// TestOrderReadCatalog_XLSX reads prices and stock stored as numbers.
func TestOrderReadCatalog_XLSX(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for cell, v := range map[string]any{"A1": "药品名称", "B1": "规格", "C1": "单位", "D1": "单价", "E1": "库存",
		"A2": "二甲双胍缓释片", "B2": "0.5g×30片", "C2": "盒", "D2": 12.5, "E2": 40} {
		f.SetCellValue("Sheet1", cell, v)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := residentfile.ReadCatalog("药品.xlsx", &buf, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || len(rows[0].Errors) > 0 || rows[0].Item.Price != 1250 || rows[0].Item.Stock != 40 {
		t.Fatalf("%+v", rows)
	}
}
