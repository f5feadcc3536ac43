package residentfile

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/frontline-org/frontline"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// source yields the rows of a sheet, CSV or XLSX alike.
type source interface {
	// next returns the spreadsheet number of the next row and its cells,
	// which stay valid only until the following call; io.EOF at the end.
	// Rows may be empty; blank rows may be skipped.
	next() (row int, cells []string, err error)
	close() error
}

// input is an opened file: a way to read its rows, as often as needed (see
// parser.rereadBad), and what the parser must know about its format.
type input struct {
	rows  func() (source, error)
	close func() error
	xlsx  bool // cells are raw XLSX values: numbers, date serials
	// date1904 says the workbook counts dates from 1904 (old Mac Excel).
	date1904 bool
	// sheet is the XLSX sheet read: the one asked for, or the first whose
	// top rows hold a header the reader accepts; "" for CSV.
	sheet string
	wb    *workbook // XLSX
	ws    workbookSheet
}

// facts returns, for a pass reading src, what the cells' values do not
// tell of the sheet: which rows have a number in column col (-1: none),
// noted by src as it reads them, and the merged ranges, read when first
// asked for; nil for CSV, which has neither.
func (in *input) facts(src source, col int) *sheetFacts {
	xs, ok := src.(*xlsxSource)
	if !in.xlsx || !ok {
		return nil
	}
	f := &sheetFacts{numeric: map[int]bool{}, wb: in.wb, ws: in.ws}
	xs.numberCol, xs.numeric = col, f.numeric
	return f
}

// accepter says whether a row is the header a reader looks for.
type accepter func(cells []string) bool

// Magic numbers of the binary formats offices upload by mistake or by
// design.
const (
	zipMagic = "PK\x03\x04"                       // XLSX (a ZIP archive)
	oleMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" // old .xls, or an encrypted workbook
)

// invalid returns the EINVALID error of a file that cannot be read.
func invalid(name string, err error, format string, args ...any) error {
	return &frontline.Error{Code: frontline.EINVALID, Message: name + ": " + fmt.Sprintf(format, args...), Err: err}
}

// open decides how to read a file from its content first and its name
// second: an XLSX renamed to .csv is still a ZIP, and a CSV named .xlsx is
// a mistake worth naming rather than guessing around.
//
// Without a sheet name, a workbook's sheets are tried in order and the
// first whose top rows hold a header that accepts takes is read (accepts
// nil: the first sheet): offices keep notes, a cover or last month's list
// in the first sheet.
func open(name string, data []byte, sheet string, accepts accepter) (*input, error) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case len(data) == 0:
		return nil, invalid(name, nil, "the file is empty; it has no header row")
	case bytes.HasPrefix(data, []byte(zipMagic)):
		return openXLSX(name, data, sheet, accepts)
	case bytes.HasPrefix(data, []byte(oleMagic)):
		return nil, invalid(name, nil, "this is an old Excel (.xls) or password-protected workbook; save it as .xlsx or CSV")
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, invalid(name, nil, "the file is named %s but is not an XLSX workbook", ext)
	}
	text, err := decodeText(data)
	if err != nil {
		return nil, invalid(name, err, "the file is not text in a known encoding")
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, invalid(name, nil, "the file is neither CSV nor XLSX")
	}
	if t := bytes.TrimSpace(text[:min(len(text), 512)]); len(t) > 0 && t[0] == '<' {
		// Some systems export an HTML table named .xls.
		return nil, invalid(name, nil, "the file is a web page, not a spreadsheet; open it in Excel and save it as .xlsx")
	}
	comma := sniffComma(text)
	return &input{
		rows:  func() (source, error) { return newCSVSource(text, comma), nil },
		close: func() error { return nil },
	}, nil
}

// decodeText returns the content as UTF-8. Excel on Chinese Windows saves
// "CSV" as GB18030 (GBK) and "CSV UTF-8" with a byte-order mark; "Unicode
// text" is UTF-16 with a mark. Offices cannot be asked which they used, so
// the mark decides, then validity: GBK text with Chinese in it is almost
// never valid UTF-8.
func decodeText(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		return data[3:], nil
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(data)
	case utf8.Valid(data):
		return data, nil
	}
	return simplifiedchinese.GB18030.NewDecoder().Bytes(data)
}

// sniffComma picks the delimiter from the first line: Excel's "text" and
// "Unicode text" exports separate with tabs, CSV with commas.
func sniffComma(text []byte) rune {
	line := text
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		line = text[:i]
	}
	if bytes.Count(line, []byte("\t")) > bytes.Count(line, []byte(",")) {
		return '\t'
	}
	return ','
}

// csvSource reads CSV rows and numbers them as a spreadsheet would.
// encoding/csv skips blank lines silently, but Excel shows them as rows,
// so the lines between two records are counted back in.
type csvSource struct {
	text  []byte
	r     *csv.Reader
	row   int   // number of the last row returned
	line  int   // line on which the next read starts
	start int64 // offset at which the next read starts
}

func newCSVSource(text []byte, comma rune) *csvSource {
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = comma
	r.LazyQuotes = true    // offices' files have stray quotes; keep them as text
	r.FieldsPerRecord = -1 // rows shorter or longer than the header are normal
	r.ReuseRecord = true   // the parser copies what it keeps
	return &csvSource{text: text, r: r, line: 1}
}

func (s *csvSource) next() (int, []string, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		return 0, nil, io.EOF
	} else if err != nil {
		return 0, nil, err
	}
	line, _ := s.r.FieldPos(0)
	s.row += 1 + line - s.line // one row per record, plus the blank lines skipped
	end := s.r.InputOffset()
	// A quoted field may span lines: the next record starts after them all.
	s.line += bytes.Count(s.text[s.start:end], []byte("\n"))
	s.start = end
	return s.row, rec, nil
}

func (s *csvSource) close() error { return nil }

// openXLSX opens a workbook; its rows function reads the chosen sheet
// from the top each time (sheetxml.go).
func openXLSX(name string, data []byte, sheet string, accepts accepter) (*input, error) {
	wb, err := openWorkbook(data)
	if err != nil {
		return nil, invalid(name, err, "the file cannot be read as an XLSX workbook")
	}
	sheets := wb.sheetNames()
	if sheet == "" && len(sheets) > 0 {
		sheet = sheets[0]
		if accepts != nil && len(sheets) > 1 {
			sheet = pickSheet(wb, accepts)
		}
	}
	ws, ok := wb.sheet(sheet)
	if !ok {
		return nil, invalid(name, nil, "the workbook has no sheet named %q (it has %s)", sheet, strings.Join(sheets, ", "))
	}
	in := &input{close: func() error { return nil }, xlsx: true, date1904: wb.date1904, sheet: sheet, wb: wb, ws: ws}
	in.rows = func() (source, error) {
		src, err := wb.rows(ws)
		if err != nil {
			return nil, invalid(name, err, "sheet %q cannot be read", sheet)
		}
		return src, nil
	}
	return in, nil
}

// pickSheet returns the first sheet with a header that accepts takes in
// its top rows, or the first sheet when none has one (its header is then
// reported as it is).
func pickSheet(wb *workbook, accepts accepter) string {
	for _, ws := range wb.sheets {
		src, err := wb.rows(ws)
		if err != nil {
			continue
		}
		_, _, err = findHeader(src, accepts)
		src.close()
		if err == nil {
			return ws.name
		}
	}
	return wb.sheets[0].name
}
