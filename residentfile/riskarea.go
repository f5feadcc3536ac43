package residentfile

import (
	"fmt"
	"io"
	"strings"

	"github.com/frontline-org/frontline"
)

// Risk-area list columns and the headers offices give them.
var riskAreaHeaders = map[string][]string{
	"name":       {"地区", "地区名称", "风险地区", "名称", "name", "area"},
	"code":       {"地区代码", "区划代码", "代码", "code", "areacode"},
	"level":      {"风险等级", "等级", "level", "risklevel"},
	"valid_from": {"开始日期", "起始日期", "生效日期", "validfrom", "from"},
	"valid_to":   {"结束日期", "截止日期", "解除日期", "validto", "to"},
	"source":     {"来源", "依据", "通告", "source", "note"},
}

// riskAreaColumns are the columns in the order messages list them.
var riskAreaColumns = []string{"name", "code", "level", "valid_from", "valid_to", "source"}

// ReadRiskAreas reads a risk-area list (CSV in UTF-8 or GBK, or XLSX; the
// first sheet unless sheet is given) with a header row naming at least
// the area, its level and the first day. Each row comes back parsed, or
// with its problems, naming the row and the column as a spreadsheet shows
// them; a file that cannot be read at all is an EINVALID error.
func ReadRiskAreas(name string, r io.Reader, sheet string) ([]frontline.RiskAreaRow, error) {
	var pos map[string]int
	var labels map[string]string
	var out []frontline.RiskAreaRow
	var first []string
	seen := 0
	// The header is the first of the top rows naming the area, its level
	// and first day; titles above it are passed over.
	isHeader := func(cells []string) bool { _, _, err := riskAreaHeader(name, cells); return err == nil }
	err := eachRow(name, r, sheet, isHeader, func(row int, cells []string, in *input) error {
		if pos == nil {
			if first == nil {
				first = append([]string(nil), cells...)
			}
			if seen++; !isHeader(cells) {
				if seen >= headerSearchRows {
					return io.EOF
				}
				return nil
			}
			pos, labels, _ = riskAreaHeader(name, cells)
			return nil
		}
		out = append(out, riskAreaRow(row, cells, pos, labels, in))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if pos == nil && first != nil {
		// No row is the header: say what the first row lacks.
		_, _, err := riskAreaHeader(name, first)
		return nil, err
	} else if pos == nil {
		return nil, invalid(name, nil, "the file is empty; it has no header row")
	}
	return out, nil
}

// riskAreaHeader maps the header row to columns; the name, level and
// first day are required.
func riskAreaHeader(name string, cells []string) (map[string]int, map[string]string, error) {
	pos, labels := mapHeaders(cells, riskAreaHeaders)
	var missing []string
	for _, col := range []string{"name", "level", "valid_from"} {
		if _, ok := pos[col]; !ok {
			missing = append(missing, riskAreaHeaders[col][1])
		}
	}
	if len(missing) > 0 {
		return nil, nil, invalid(name, nil, "no header row: the first rows lack the columns %s (needed: 地区名称, 风险等级, 开始日期)", strings.Join(missing, ", "))
	}
	return pos, labels, nil
}

// riskAreaRow parses one row; every problem names its column.
func riskAreaRow(row int, cells []string, pos map[string]int, labels map[string]string, in *input) frontline.RiskAreaRow {
	out := frontline.RiskAreaRow{Row: row}
	cell := func(col string) string {
		if i, ok := pos[col]; ok && i < len(cells) {
			return strings.TrimSpace(unquoteFormula(cells[i]))
		}
		return ""
	}
	fail := func(col, msg string) {
		out.Errors = append(out.Errors, frontline.RowError{Row: row, Column: labels[col], Message: msg})
	}
	a := &out.Area
	a.Name, a.Code, a.Source = cell("name"), wholeNumber(cell("code")), cell("source")
	if l, ok := frontline.ParseRiskLevel(cell("level")); ok {
		a.Level = l
	} else {
		fail("level", fmt.Sprintf("%q is not a risk level (高, 中, 低 or 解除)", cell("level")))
	}
	day := func(col string, required bool) string {
		s := cell(col)
		if s == "" {
			if required {
				fail(col, "the day is missing")
			}
			return ""
		}
		if in.xlsx {
			if d, ok := excelSerial(s, in.date1904); ok {
				return d
			}
		}
		d, ok := parseDate(s)
		if !ok {
			fail(col, fmt.Sprintf("%q is not a date", s))
		}
		return d
	}
	a.ValidFrom, a.ValidTo = day("valid_from", true), day("valid_to", false)
	if len(out.Errors) == 0 {
		if err := a.Validate(); err != nil {
			col := frontline.ErrorField(err)
			if labels[col] == "" {
				labels[col] = col
			}
			fail(col, frontline.ErrorMessage(err))
		}
	}
	return out
}
