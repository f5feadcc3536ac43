package residentfile

import (
	"encoding/csv"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/frontline-org/frontline"
	"github.com/xuri/excelize/v2"
)

// ErrorHeader is the header of the column SkippedFile adds for each row's
// problems. Read does not know it, so a corrected file imports without
// removing it.
const ErrorHeader = "错误"

// ExportHeader returns the Chinese headers of a resident list in the
// canonical column order of formats/residents.md.
func ExportHeader() []string {
	h := make([]string, numColumns)
	for i, c := range columns {
		h[i] = c.headers[0]
	}
	return h
}

// ExportRow returns the cells of a row in the order of ExportHeader, with
// labels rather than codes, as offices write them.
func ExportRow(r *frontline.ResidentRow) []string {
	ps := &r.Person
	flags := make([]string, len(ps.Flags))
	for i, f := range ps.Flags {
		flags[i] = frontline.FlagLabels[f]
	}
	sex := ""
	switch ps.Sex {
	case frontline.SexMale:
		sex = "男"
	case frontline.SexFemale:
		sex = "女"
	}
	return []string{
		cSubdistrict: r.Subdistrict, cCommunity: r.Community, cCompound: r.Compound,
		cBuilding: r.Building, cUnit: r.Unit, cRoom: r.Room,
		cName: ps.Name, cIDType: frontline.IDTypeLabels[ps.IDType], cIDNumber: ps.IDNumber,
		cPhone: ps.Phone, cSex: sex, cBirthDate: ps.BirthDate,
		cRelation: frontline.RelationLabels[ps.Relation], cFlags: strings.Join(flags, "、"),
		cStatus: frontline.StatusLabels[ps.Status],
	}
}

// SkippedHeader returns the header of the file of skipped rows: the
// file's own header and a last column for the problems. A header that
// already ends in that column (a skipped-rows file imported again) keeps
// it rather than growing a second one.
func SkippedHeader(f *frontline.ResidentFile) []string {
	h := slices.Clone(f.Header)
	if n := len(h); n > 0 && headerLabel(h[n-1]) == ErrorHeader {
		return h
	}
	return append(h, ErrorHeader)
}

// SkippedFile returns the cells of the given bad rows as they were read,
// each followed by its problems in errs (f.Errors, or an import's errors,
// which include problems found against the registry) joined with "; ", so
// an office can fix them and import the file again. Rows whose cells are
// not in f.BadRows are left out; nil rows means every bad row, in order.
func SkippedFile(f *frontline.ResidentFile, errs []frontline.RowError, rows []int) [][]string {
	if rows == nil {
		rows = slices.Sorted(maps.Keys(f.BadRows))
	}
	msgs := make(map[int][]string)
	for _, e := range errs {
		m := e.Message
		if e.Column != "" {
			m = e.Column + ": " + m
		}
		msgs[e.Row] = append(msgs[e.Row], m)
	}
	width := len(SkippedHeader(f))
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		cells, ok := f.BadRows[r]
		if !ok {
			continue
		}
		// The problems go in the last column, over an old list of problems
		// or past cells no header names (those were ignored anyway).
		row := make([]string, width)
		copy(row, cells[:min(len(cells), width-1)])
		row[width-1] = strings.Join(msgs[r], "; ")
		out = append(out, row)
	}
	return out
}

// WriteCSV writes a CSV file as UTF-8 with a byte-order mark and CRLF line
// endings: without the mark, Excel on Chinese Windows reads UTF-8 as GBK
// and shows mojibake.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	return writeAll(w, "csv", "", header, rows)
}

// WriteXLSX writes an XLSX workbook with one sheet (named sheet, or
// "Sheet1"). Every cell is text in a column formatted as text, so ID and
// phone numbers keep all their digits even when edited in Excel; the
// header is bold and frozen.
func WriteXLSX(w io.Writer, sheet string, header []string, rows [][]string) error {
	return writeAll(w, "xlsx", sheet, header, rows)
}

func writeAll(w io.Writer, format, sheet string, header []string, rows [][]string) error {
	tw, err := NewWriter(w, format, sheet, header)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := tw.Write(r); err != nil {
			return err
		}
	}
	return tw.Close()
}

// Writer writes a table row by row as CSV or XLSX, so an export of a whole
// city never holds all its rows in memory.
type Writer struct {
	csv *csv.Writer

	xlsx       *excelize.File
	sw         *excelize.StreamWriter
	out        io.Writer
	header     []string
	pending    [][]string // the first rows, held until the column widths are known
	text, bold int
	row        int
}

// widthSample is how many rows size the XLSX columns.
const widthSample = 200

// NewWriter starts a table of the format "csv" or "xlsx" with its header.
// sheet names the XLSX sheet ("" is "Sheet1"). Close finishes the file.
func NewWriter(w io.Writer, format, sheet string, header []string) (*Writer, error) {
	switch format {
	case "csv":
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, err
		}
		cw := csv.NewWriter(w)
		cw.UseCRLF = true
		return &Writer{csv: cw}, cw.Write(header)
	case "xlsx":
		return newXLSXWriter(w, sheet, header)
	}
	return nil, frontline.Errorf(frontline.EINVALID, "unknown table format %q (csv or xlsx)", format)
}

func newXLSXWriter(w io.Writer, sheet string, header []string) (*Writer, error) {
	f := excelize.NewFile()
	tw := &Writer{xlsx: f, out: w, header: header}
	if sheet == "" {
		sheet = "Sheet1"
	} else if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	var err error
	if tw.sw, err = f.NewStreamWriter(sheet); err != nil {
		return nil, err
	}
	const textFormat = 49 // the built-in "@" number format
	if tw.text, err = f.NewStyle(&excelize.Style{NumFmt: textFormat}); err != nil {
		return nil, err
	}
	if tw.bold, err = f.NewStyle(&excelize.Style{NumFmt: textFormat, Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	return tw, nil
}

// Write adds one row. CSV cells are made safe (SafeCell) and those a
// spreadsheet would turn into numbers kept as text; XLSX cells are string
// cells, which no spreadsheet runs as a formula nor turns into a number.
func (tw *Writer) Write(cells []string) error {
	if tw.csv != nil {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = csvCell(c)
		}
		return tw.csv.Write(out)
	}
	if tw.pending != nil || tw.row == 0 {
		if tw.pending = append(tw.pending, cells); len(tw.pending) < widthSample {
			return nil
		}
		return tw.flushPending()
	}
	tw.row++
	return writeRow(tw.sw, tw.row, cells, tw.text)
}

// flushPending lays out the sheet from the sampled rows and writes them.
func (tw *Writer) flushPending() error {
	if err := setLayout(tw.sw, tw.header, tw.pending, tw.text); err != nil {
		return err
	}
	if err := writeRow(tw.sw, 1, tw.header, tw.bold); err != nil {
		return err
	}
	tw.row = 1
	for _, r := range tw.pending {
		tw.row++
		if err := writeRow(tw.sw, tw.row, r, tw.text); err != nil {
			return err
		}
	}
	tw.pending = nil
	return nil
}

// Close finishes the file; for XLSX it writes the whole workbook.
func (tw *Writer) Close() error {
	if tw.csv != nil {
		tw.csv.Flush()
		return tw.csv.Error()
	}
	defer tw.xlsx.Close()
	if tw.row == 0 {
		if err := tw.flushPending(); err != nil {
			return err
		}
	}
	if err := tw.sw.Flush(); err != nil {
		return err
	}
	return tw.xlsx.Write(tw.out)
}

// setLayout sets column widths and styles and freezes the header; the
// stream writer wants all of it before the first row.
func setLayout(sw *excelize.StreamWriter, header []string, rows [][]string, style int) error {
	widths := columnWidths(header, rows)
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if len(widths) > 0 {
		if err := sw.SetColStyle(1, len(widths), style); err != nil {
			return err
		}
	}
	return sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func writeRow(sw *excelize.StreamWriter, n int, cells []string, style int) error {
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = excelize.Cell{StyleID: style, Value: c}
	}
	cell, err := excelize.CoordinatesToCellName(1, n)
	if err != nil {
		return err
	}
	return sw.SetRow(cell, vals)
}

// columnWidths sizes each column to its header and the first rows, a
// Chinese character counting twice, within bounds that keep a sheet
// readable on a laptop.
func columnWidths(header []string, rows [][]string) []float64 {
	n := len(header)
	for _, r := range rows {
		n = max(n, len(r))
	}
	widths := make([]float64, n)
	measure := func(cells []string) {
		for i, c := range cells {
			widths[i] = max(widths[i], float64(displayWidth(c)))
		}
	}
	measure(header)
	for _, r := range rows[:min(len(rows), 1000)] {
		measure(r)
	}
	for i, wd := range widths {
		widths[i] = min(max(wd+2, 8), 50)
	}
	return widths
}

// displayWidth counts a wide (CJK) character as two columns.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && (unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x30FF || r >= 0xFF00 && r <= 0xFF60) {
			w += 2
		} else if r != utf8.RuneError {
			w++
		}
	}
	return w
}

// UnlistedProblem stands in the file of skipped rows for the problems
// of a row past the first frontline.MaxRowErrors, which are counted but
// not kept.
const UnlistedProblem = "more problems were found than are listed; fix the ones listed and check the file again"

// WriteSkipped writes the file of skipped rows of an import of data (the
// file as uploaded, read with sheet): each row not imported as it was
// written, with its problems in a last column. It reads the rows from data
// as it writes them, so a file with a bad row on every line costs no more
// memory than a good one.
func WriteSkipped(w io.Writer, data []byte, sheet string, f *frontline.ResidentFile, errs []frontline.RowError, rows []int) error {
	msgs := make(map[int][]string)
	for _, e := range errs {
		m := e.Message
		if e.Column != "" {
			m = e.Column + ": " + m
		}
		msgs[e.Row] = append(msgs[e.Row], m)
	}
	header := SkippedHeader(f)
	width := len(header)
	out, err := NewWriter(w, "csv", "", header)
	if err != nil {
		return err
	}
	in, err := open(f.Name, data, sheet, residentHeader)
	if err != nil {
		return err
	}
	defer in.close()
	src, err := in.rows()
	if err != nil {
		return err
	}
	defer src.close()
	row, cells := 0, []string(nil)
	for _, want := range rows {
		for row < want {
			if row, cells, err = src.next(); err == io.EOF {
				return out.Close()
			} else if err != nil {
				return invalid(f.Name, err, "the file cannot be read")
			}
		}
		if row != want {
			continue
		}
		// The problems go in the last column, over an old list of problems
		// or past cells no header names (those were ignored anyway).
		line := make([]string, width)
		copy(line, cells[:min(len(cells), width-1)])
		line[width-1] = strings.Join(msgs[want], "; ")
		if len(msgs[want]) == 0 {
			line[width-1] = UnlistedProblem
		}
		if err := out.Write(line); err != nil {
			return err
		}
	}
	return out.Close()
}
