package residentfile

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/frontline-org/frontline"
)

// Column indexes into the columns table, in the canonical order of
// formats/residents.md (also the order of ExportHeader).
const (
	cSubdistrict = iota
	cCommunity
	cCompound
	cBuilding
	cUnit
	cRoom
	cName
	cIDType
	cIDNumber
	cPhone
	cSex
	cBirthDate
	cRelation
	cFlags
	cStatus
	numColumns
)

// column describes one column of a resident list.
type column struct {
	name    string   // frontline.ColX, also accepted as a header
	headers []string // Chinese headers, the first being the one we export
	noun    string   // for "the building is missing"
	// kind is the place level the column names; "" for person columns.
	kind frontline.PlaceKind
}

// columns is the table of formats/residents.md. It is never modified.
var columns = [numColumns]column{
	cSubdistrict: {frontline.ColSubdistrict, []string{"街道", "街道办"}, "subdistrict", frontline.KindSubdistrict},
	cCommunity:   {frontline.ColCommunity, []string{"社区", "社区名称"}, "community", frontline.KindCommunity},
	cCompound:    {frontline.ColCompound, []string{"小区", "小区名称"}, "compound", frontline.KindCompound},
	cBuilding:    {frontline.ColBuilding, []string{"楼栋", "楼号", "栋"}, "building", frontline.KindBuilding},
	cUnit:        {frontline.ColUnit, []string{"单元"}, "unit", frontline.KindUnit},
	cRoom:        {frontline.ColRoom, []string{"户号", "房号", "门牌号"}, "room", frontline.KindHousehold},
	cName:        {frontline.ColName, []string{"姓名"}, "name", ""},
	cIDType:      {frontline.ColIDType, []string{"证件类型"}, "document type", ""},
	cIDNumber:    {frontline.ColIDNumber, []string{"证件号码", "身份证号", "身份证号码"}, "ID number", ""},
	cPhone:       {frontline.ColPhone, []string{"手机号", "联系电话", "电话"}, "phone number", ""},
	cSex:         {frontline.ColSex, []string{"性别"}, "sex", ""},
	cBirthDate:   {frontline.ColBirthDate, []string{"出生日期"}, "birth date", ""},
	cRelation:    {frontline.ColRelation, []string{"与户主关系"}, "relation", ""},
	cFlags:       {frontline.ColFlags, []string{"特殊人群", "标签"}, "flags", ""},
	cStatus:      {frontline.ColStatus, []string{"居住状态"}, "status", ""},
}

// headerIndex maps a normalized header (see headerKey) to its column. It is
// built once from the columns table and only read afterwards.
var headerIndex = func() map[string]int {
	m := make(map[string]int)
	for i, c := range columns {
		m[headerKey(c.name)] = i
		for _, h := range c.headers {
			m[headerKey(h)] = i
		}
	}
	return m
}()

// columnByName maps a column name (also a frontline.Error Field, since
// Person.Validate uses the same words) to its index.
var columnByName = func() map[string]int {
	m := make(map[string]int)
	for i, c := range columns {
		m[c.name] = i
	}
	return m
}()

// headerKey normalizes a header for matching. Spreadsheet headers come with
// stray spaces (full-width too), a BOM, a line break typed with Alt+Enter,
// an asterisk marking a required column, or a trailing colon; English
// headers come in any case with spaces, hyphens or underscores. None of
// that should make a known column unknown.
func headerKey(h string) string {
	h = frontline.FoldWidth(h)
	var b strings.Builder
	for _, r := range h {
		switch {
		case unicode.IsSpace(r), r == '\uFEFF', r == '_', r == '-', r == '*', r == ':':
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// headerLabel is the header as written, for messages: trimmed, with a BOM
// dropped and inner line breaks turned into single spaces.
func headerLabel(h string) string {
	h = strings.ReplaceAll(h, "\uFEFF", "")
	return strings.Join(strings.Fields(h), " ")
}

// columnLetter returns the spreadsheet letters of a 0-based column index:
// A, B, ... Z, AA, AB ...
func columnLetter(i int) string {
	var buf [8]byte
	n := len(buf)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		buf[n] = byte('A' + (i-1)%26)
	}
	return string(buf[n:])
}

// acceptedHeaders lists the headers accepted for a column, for the message
// about a missing column.
func acceptedHeaders(c column) string {
	return strings.Join(append(append([]string(nil), c.headers...), c.name), ", ")
}

// residentHeader accepts a row as a resident list's header when it names
// two of its columns: a title above the header ("罗玉新村社区居民花名册")
// or a line of notes does not.
func residentHeader(cells []string) bool {
	known := 0
	for _, cell := range cells {
		if _, ok := headerIndex[headerKey(cell)]; ok {
			if known++; known >= 2 {
				return true
			}
		}
	}
	return false
}

// header is the result of mapping a header row.
type header struct {
	idx    [numColumns]int    // file column of each column, -1 when absent
	labels [numColumns]string // `F (身份证号)` for present columns
	pos    map[string]int     // label → file column, to sort errors
	width  int
}

// mapHeader maps the header row onto the columns. It reports headers mapped
// twice and required columns that are missing; on any such error the file
// cannot be checked row by row.
func mapHeader(f *frontline.ResidentFile, row int, cells []string, under frontline.PlaceKind) (*header, bool) {
	h := &header{pos: make(map[string]int), width: len(cells)}
	for i := range h.idx {
		h.idx[i] = -1
	}
	f.Header = append([]string(nil), cells...)
	f.Columns = make(map[string]string)
	known := 0
	for i, cell := range cells {
		key := headerKey(cell)
		if key == "" {
			continue // an empty header cell: nothing to map, nothing to report
		}
		label := columnLetter(i) + " (" + headerLabel(cell) + ")"
		c, ok := headerIndex[key]
		if !ok {
			f.Unknown = append(f.Unknown, headerLabel(cell))
			continue
		}
		if h.idx[c] >= 0 {
			f.Errors = append(f.Errors, frontline.RowError{Row: row, Column: label,
				Message: "the " + columns[c].name + " column appears twice (also " + h.labels[c] + ")"})
			continue
		}
		known++
		h.idx[c], h.labels[c], h.pos[label] = i, label, i
		f.Columns[columns[c].name] = label
	}
	if known == 0 {
		f.Errors = append(f.Errors, frontline.RowError{Row: row,
			Message: "no known header in row " + strconv.Itoa(row) + " or the rows below it; a row must name the columns (姓名, 身份证号 ...)"})
	}
	for c := range columns {
		if h.idx[c] < 0 && required(c, under) {
			f.Errors = append(f.Errors, frontline.RowError{Column: columns[c].name,
				Message: "the column is missing; accepted headers: " + acceptedHeaders(columns[c])})
		}
	}
	return h, len(f.Errors) == 0
}

// required reports whether a column must be present in a file imported
// under a node of kind under. The place levels at or above that node may be
// left out, the building and below never.
func required(c int, under frontline.PlaceKind) bool {
	switch c {
	case cBuilding, cRoom, cName, cIDNumber:
		return true
	case cSubdistrict, cCommunity, cCompound:
		return under.Rank() < columns[c].kind.Rank()
	}
	return false
}
