package residentfile

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// Division-list columns and the headers they come with: the statistics
// bureau's pages (统计用区划代码, 城乡分类代码, 名称) and the lists
// offices pass round, which add a parent code or a level.
var divisionHeaders = map[string][]string{
	"code":   {"统计用区划代码", "区划代码", "行政区划代码", "代码", "编码", "code", "areacode", "divisioncode"},
	"name":   {"名称", "单位名称", "区划名称", "地名", "name"},
	"parent": {"上级代码", "上级区划代码", "父级代码", "parent", "parentcode", "pcode"},
	// Read to be known, not used: the level follows from the code.
	"urban": {"城乡分类代码", "城乡分类", "urbanrural"},
	"level": {"级别", "层级", "level"},
}

// headerSearchRows is how far down a header row is looked for: lists come
// with a title, a date and notes above it.
const headerSearchRows = 20

// inSheet names the sheet read, for a message about a workbook: ", in
// sheet 名单" ("" for CSV).
func inSheet(in *input) string {
	if in.sheet == "" {
		return ""
	}
	return fmt.Sprintf(" of sheet %q", in.sheet)
}

// findHeader returns the first of the first headerSearchRows non-blank
// rows that match accepts, skipping the title rows offices put above a
// header; io.EOF when none does.
func findHeader(src source, accepts func(cells []string) bool) (int, []string, error) {
	for range headerSearchRows {
		row, cells, err := nextNonBlank(src)
		if err != nil {
			return 0, nil, err
		}
		if accepts(cells) {
			return row, cells, nil
		}
	}
	return 0, nil, io.EOF
}

// divisionColumns maps a header row to the columns it has, with their
// labels for messages.
func divisionColumns(cells []string) (map[string]int, map[string]string) {
	pos, labels := map[string]int{}, map[string]string{}
	for i, h := range cells {
		key := headerKey(h)
		for col, aliases := range divisionHeaders {
			for _, a := range aliases {
				if _, seen := pos[col]; !seen && key == headerKey(a) {
					pos[col], labels[col] = i, fmt.Sprintf("%s (%s)", columnLetter(i), headerLabel(h))
				}
			}
		}
	}
	return pos, labels
}

// ReadDivisions reads the statistics bureau's division list (统计用区划代码):
// a code and a name per row, CSV in UTF-8 or GBK or XLSX (the first sheet
// unless sheet is given). The header row may have title rows above it; a
// list without one is read as the bureau's pages are copied, the code
// first and the name in the first cell after it that is not a number.
// Codes are checked and padded to 12 digits, each row gets the level its
// code names, and committees' names are shortened to the community's
// (frontline.CommitteeName). Every problem names its row and column; a
// file that cannot be read at all is an EINVALID error.
func ReadDivisions(name string, r io.Reader, sheet string) (*frontline.DivisionFile, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, invalid(name, err, "the file cannot be read")
	}
	in, err := open(name, data, sheet, func(cells []string) bool {
		p, _ := divisionColumns(cells)
		_, code := p["code"]
		_, nm := p["name"]
		return code && nm
	})
	if err != nil {
		return nil, err
	}
	defer in.close()
	src, err := in.rows()
	if err != nil {
		return nil, err
	}
	defer src.close()
	f := &frontline.DivisionFile{Name: name, Sheet: in.sheet}
	var pos map[string]int
	row, cells, err := findHeader(src, func(cells []string) bool {
		p, labels := divisionColumns(cells)
		_, code := p["code"]
		_, nm := p["name"]
		if code && nm {
			pos, f.Columns = p, labels
		}
		return code && nm
	})
	switch {
	case err == io.EOF:
		// No header: the bureau's pages, copied as they are.
		if src, err = in.rows(); err != nil {
			return nil, err
		}
		defer src.close()
		f.Columns = map[string]string{"code": "A", "name": ""}
	case err != nil:
		return nil, invalid(name, err, "the file cannot be read")
	default:
		f.HeaderRow = row
	}
	for {
		row, cells, err = nextNonBlank(src)
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, invalid(name, err, "the file cannot be read")
		}
		if pos == nil && len(f.Rows) == 0 && !digits(wholeCode(cell(cells, 0))) {
			continue // a title above a list without a header
		}
		f.Rows = append(f.Rows, divisionRow(row, cells, pos, f.Columns))
	}
	if len(f.Rows) == 0 {
		return nil, invalid(name, nil, "the file has no division rows: it needs a header row with 统计用区划代码 and 名称, or rows that start with a 12-digit code")
	}
	return f, nil
}

// cell returns cell i trimmed, "" past the end of the row.
func cell(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return strings.TrimSpace(unquoteFormula(cells[i]))
}

// divisionRow parses one row: with pos from a header, or, without one,
// the code in the first column and the name in the first cell after it
// that is not a number (the bureau's village pages put the urban-rural
// code between them).
func divisionRow(row int, cells []string, pos map[string]int, labels map[string]string) frontline.DivisionRow {
	out := frontline.DivisionRow{Row: row}
	fail := func(col, format string, args ...any) {
		out.Errors = append(out.Errors, frontline.RowError{Row: row, Column: labels[col], Message: fmt.Sprintf(format, args...)})
	}
	var code, name, parent string
	if pos != nil {
		code, name = cell(cells, pos["code"]), cell(cells, pos["name"])
		if i, ok := pos["parent"]; ok {
			parent = cell(cells, i)
		}
	} else {
		code = cell(cells, 0)
		for i := 1; i < len(cells); i++ {
			if c := cell(cells, i); c != "" && !digits(wholeCode(c)) {
				name = c
				if labels["name"] == "" {
					labels["name"] = columnLetter(i) // the column of the first row's name
				}
				break
			}
		}
	}
	if code == "" {
		fail("code", "the code is missing")
		return out
	}
	full, err := frontline.NormalizeDivisionCode(wholeCode(code))
	if err != nil {
		fail("code", "%v", err)
		return out
	}
	kind, province, ok := frontline.DivisionLevel(full)
	if !ok {
		fail("code", "%s names no place", full)
		return out
	}
	out.Code, out.Kind = full, kind
	if parent != "" && !province {
		want := frontline.ParentDivisionCode(kind, full)
		if p, err := frontline.NormalizeDivisionCode(wholeCode(parent)); err != nil || p != want {
			fail("parent", "the parent code %s is not the one the code %s starts with (%s)", parent, full, want)
		}
	}
	if name == "" {
		fail("name", "the name is missing")
		return out
	}
	if kind == frontline.KindCommunity {
		name = frontline.CommitteeName(name)
	}
	out.Name = name
	return out
}

// wholeCode returns a code as its digits when a spreadsheet stored it as
// a number: 620502001001.0, or 6.20502001001E+11.
func wholeCode(s string) string {
	s = wholeNumber(strings.TrimSpace(s))
	if !strings.ContainsAny(s, "eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f >= 1e15 || f != math.Trunc(f) {
		return s
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}
