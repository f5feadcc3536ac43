package residentfile

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// Catalogues: what a partner shop or pharmacy sends of what it sells (商品
// 清单, 药品目录), a header under title rows as for worker lists, a row per
// item with its unit, price and stock.

// catalogHeaders are the columns of a catalogue and the headers partners
// give them.
var catalogHeaders = map[string][]string{
	"code":     {"编码", "商品编码", "货号", "条码", "药品编码", "code", "sku"},
	"name":     {"名称", "商品名称", "品名", "商品", "药品名称", "药名", "通用名", "name", "item"},
	"spec":     {"规格", "规格型号", "含量", "spec", "size", "strength"},
	"unit":     {"单位", "计量单位", "unit"},
	"category": {"类别", "分类", "品类", "category"},
	"price":    {"单价", "价格", "售价", "单价(元)", "单价（元）", "价格(元)", "price"},
	"stock":    {"库存", "库存数量", "数量", "stock"},
	"limit":    {"限购", "每户限购", "限购数量", "limit"},
}

// ReadCatalog reads a catalogue (CSV in UTF-8 or GBK, or XLSX; the first
// sheet unless sheet is given): a header naming at least the names, units
// and prices, under up to nine title rows. Each row comes back parsed, or
// with its problems named by row and column; a file without such a header
// is an EINVALID error.
func ReadCatalog(name string, r io.Reader, sheet string) ([]frontline.CatalogRow, error) {
	var pos map[string]int
	var labels map[string]string
	var out []frontline.CatalogRow
	seen := 0
	where := ""
	err := eachRow(name, r, sheet, func(cells []string) bool { return catalogHeader(cells) != nil }, func(row int, cells []string, in *input) error {
		if pos == nil {
			where = inSheet(in)
			if seen++; seen > headerSearchRows {
				return io.EOF
			}
			if pos = catalogHeader(cells); pos != nil {
				_, labels = mapHeaders(cells, catalogHeaders)
			}
			return nil
		}
		out = append(out, catalogRow(row, cells, pos, labels))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if pos == nil {
		return nil, invalid(name, nil, "no header row naming the columns 名称 (name), 单位 (unit) and 单价 (price) in the first %d rows%s", headerSearchRows, where)
	}
	return out, nil
}

// catalogHeader maps a header row to columns when it names the name,
// unit and price columns; nil when it does not (a title row).
func catalogHeader(cells []string) map[string]int {
	pos, _ := mapHeaders(cells, catalogHeaders)
	for _, need := range []string{"name", "unit", "price"} {
		if _, ok := pos[need]; !ok {
			return nil
		}
	}
	return pos
}

// catalogRow parses one row; every problem names its column.
func catalogRow(row int, cells []string, pos map[string]int, labels map[string]string) frontline.CatalogRow {
	out := frontline.CatalogRow{Row: row, Columns: labels}
	cell := func(col string) string {
		if i, ok := pos[col]; ok && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	fail := func(col, msg string) {
		out.Errors = append(out.Errors, frontline.RowError{Row: row, Column: labels[col], Message: msg})
	}
	it := &out.Item
	it.Code, it.Name, it.Spec = wholeNumber(cell("code")), cell("name"), cell("spec")
	it.Unit, it.Category = cell("unit"), cell("category")
	if it.Name == "" {
		fail("name", "the name is missing")
	}
	if it.Unit == "" {
		fail("unit", "the unit is missing (斤, 袋, 盒)")
	}
	if s := cell("price"); s == "" {
		fail("price", "the price is missing")
	} else if p, err := frontline.ParsePrice(s); err != nil {
		fail("price", err.Error())
	} else {
		it.Price = p
	}
	count := func(col string, dst *int) {
		s := wholeNumber(strings.TrimSpace(frontline.FoldWidth(cell(col))))
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			fail(col, fmt.Sprintf("%q is not a whole number of 0 or more", s))
			return
		}
		*dst = n
	}
	count("stock", &it.Stock)
	count("limit", &it.Limit)
	return out
}
