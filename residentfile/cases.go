package residentfile

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
)

// caseColumns are the columns of a case list as the disease-control
// centre or a hospital sends it, with the headers each may have.
var caseColumns = []struct {
	field    string
	headers  []string
	required bool
}{
	{"id_number", []string{"身份证号", "身份证号码", "证件号码", "idnumber"}, true},
	{"name", []string{"姓名", "name"}, false},
	{"source", []string{"来源", "报告来源", "source"}, false},
	{"external_ref", []string{"病例编号", "编号", "caseno", "externalref"}, true},
	{"reporter", []string{"报告单位", "报告机构", "reporter"}, true},
	{"confirmed_at", []string{"确诊时间", "报告时间", "confirmedat"}, true},
	{"note", []string{"备注", "note"}, false},
}

// caseSources reads a source cell in either language.
var caseSources = map[string]frontline.CaseSource{
	"": frontline.SourceCDC, "cdc": frontline.SourceCDC, "疾控": frontline.SourceCDC, "疾控中心": frontline.SourceCDC,
	"疾控中心报告": frontline.SourceCDC, "hospital": frontline.SourceHospital, "医院": frontline.SourceHospital,
	"医院报告": frontline.SourceHospital,
}

// caseHeader accepts the header row of a case list: the one naming the ID
// number column.
func caseHeader(cells []string) bool {
	for _, h := range cells {
		key := headerKey(h)
		for _, hh := range append(caseColumns[0].headers, caseColumns[0].field) {
			if headerKey(hh) == key {
				return true
			}
		}
	}
	return false
}

// ReadCases reads a case list (CSV in UTF-8 or GBK, or XLSX): a header row
// naming the columns, then one case a row. Every bad cell is reported at
// once, by row and column; confirmation times are read in loc. The
// reports come back in file order with their row numbers.
func ReadCases(name string, r io.Reader, loc *time.Location) ([]*frontline.CaseReport, []frontline.RowError, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, nil, err
	}
	in, err := open(name, data, "", caseHeader)
	if err != nil {
		return nil, nil, err
	}
	defer in.close()
	src, err := in.rows()
	if err != nil {
		return nil, nil, err
	}
	defer src.close()
	row, cells, err := findHeader(src, caseHeader)
	if errors.Is(err, io.EOF) {
		return nil, nil, invalid(name, nil, "no header row naming the column 身份证号 in the first %d rows%s", headerSearchRows, inSheet(in))
	} else if err != nil {
		return nil, nil, invalid(name, err, "cannot read the file")
	}
	col := map[string]int{}
	var letters []string
	for i, h := range cells {
		letters = append(letters, columnLetter(i)+" ("+headerLabel(h)+")")
		key := headerKey(h)
		for _, c := range caseColumns {
			for _, hh := range append(c.headers, c.field) {
				if headerKey(hh) == key {
					if _, dup := col[c.field]; !dup {
						col[c.field] = i
					}
				}
			}
		}
	}
	var bad []frontline.RowError
	for _, c := range caseColumns {
		if _, ok := col[c.field]; !ok && c.required {
			bad = append(bad, frontline.RowError{Row: row, Message: "no column " + c.headers[0] + " (" + c.field + ")"})
		}
	}
	if len(bad) > 0 {
		return nil, bad, nil
	}
	var out []*frontline.CaseReport
	for {
		row, cells, err = nextNonBlank(src)
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, nil, invalid(name, err, "cannot read row %d", row)
		}
		cell := func(field string) string {
			if i, ok := col[field]; ok && i < len(cells) {
				return strings.TrimSpace(unquoteFormula(cells[i]))
			}
			return ""
		}
		where := func(field string) string { return letters[col[field]] }
		rep := &frontline.CaseReport{Row: row, IDNumber: cell("id_number"), Name: cell("name"), ExternalRef: cell("external_ref"),
			Reporter: cell("reporter"), Note: cell("note")}
		src, ok := caseSources[strings.ToLower(cell("source"))]
		if !ok {
			bad = append(bad, frontline.RowError{Row: row, Column: where("source"), Message: "the source is 疾控中心 (cdc) or 医院 (hospital)"})
		}
		rep.Source = src
		at, ok := parseTime(cell("confirmed_at"), in.xlsx, in.date1904, loc)
		if !ok {
			bad = append(bad, frontline.RowError{Row: row, Column: where("confirmed_at"),
				Message: "the confirmation time is written 2022-10-05 14:30"})
		}
		rep.ConfirmedAt = at
		out = append(out, rep)
	}
	if len(out) == 0 && len(bad) == 0 {
		return nil, nil, invalid(name, nil, "the file has a header but no case")
	}
	return out, bad, nil
}

// parseTime reads a date and time as offices write one ("2022-10-05
// 14:30", "2022/10/5 14:30:00", "2022-10-05T14:30") or, from XLSX, an
// Excel serial with its fraction of a day, in loc.
func parseTime(s string, xlsx, date1904 bool, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(frontline.FoldWidth(s))
	if xlsx {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 1 && f < 1e6 {
			t, err := excelize.ExcelDateToTime(f, date1904)
			if err == nil {
				return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc).UTC(), true
			}
		}
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006/1/2 15:04", "2006/1/2 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
