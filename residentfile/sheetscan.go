package residentfile

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetFacts are what excelize's row iterator does not tell about a
// sheet: which cells of one column hold numbers (an ID number typed into
// a number cell has lost its digits, whatever it now looks like), and the
// merged ranges (a value missing below the first cell of a merge is there
// on screen, not in the file).
type sheetFacts struct {
	numeric map[int]bool // rows whose cell in the scanned column is a number
	merges  []cellRange
}

// cellRange is a merged range, 0-based columns and spreadsheet rows.
type cellRange struct {
	ref                    string // "B3:B10" as the file names it
	col1, row1, col2, row2 int
}

// covers reports whether the range holds the cell and the cell is not its
// first one, the only one that keeps the value.
func (m cellRange) covers(col, row int) bool {
	return col >= m.col1 && col <= m.col2 && row >= m.row1 && row <= m.row2 && (col != m.col1 || row != m.row1)
}

// first names the cell of the range that holds the value.
func (m cellRange) first() string {
	c, _ := excelize.CoordinatesToCellName(m.col1+1, m.row1)
	return c
}

// mergedAt returns the merged range covering a cell below its first one.
func (s *sheetFacts) mergedAt(col, row int) (cellRange, bool) {
	if s == nil {
		return cellRange{}, false
	}
	for _, m := range s.merges {
		if m.covers(col, row) {
			return m, true
		}
	}
	return cellRange{}, false
}

// scanSheet reads the sheet's XML once, without decoding it as XML: it
// steps from tag to tag, noting the type of each cell of column col (-1:
// none) and every merged range. A sheet of a million cells takes a
// fraction of a second and a few kilobytes of memory.
func scanSheet(data []byte, sheet string, col int) (*sheetFacts, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	part, err := sheetPart(zr, sheet)
	if err != nil || part == nil {
		return &sheetFacts{}, err
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	letters := ""
	if col >= 0 {
		letters = columnLetter(col)
	}
	facts := &sheetFacts{numeric: map[int]bool{}}
	br := bufio.NewReaderSize(rc, 64<<10)
	for {
		if _, err := br.ReadSlice('<'); err == bufio.ErrBufferFull {
			continue
		} else if err == io.EOF {
			return facts, nil
		} else if err != nil {
			return nil, err
		}
		head, _ := br.Peek(10)
		switch {
		case len(head) > 2 && head[0] == 'c' && (head[1] == ' ' || head[1] == '>'):
			tag, err := readTag(br)
			if err != nil {
				return nil, err
			}
			if letters != "" {
				facts.cell(tag, letters)
			}
		case bytes.HasPrefix(head, []byte("mergeCell ")):
			tag, err := readTag(br)
			if err != nil {
				return nil, err
			}
			if m, ok := parseRange(attr(tag, "ref")); ok {
				facts.merges = append(facts.merges, m)
			}
		}
	}
}

// readTag returns the rest of a start tag, up to its '>'.
func readTag(br *bufio.Reader) ([]byte, error) {
	tag, err := br.ReadSlice('>')
	if err == bufio.ErrBufferFull {
		return tag, nil // an absurdly long tag: what was read is enough
	}
	return tag, err
}

// cell notes a cell of the scanned column that holds a number: a cell
// without a type, or of type n. Strings are s (shared), str (a formula's
// text) or inlineStr; b, e and d are booleans, errors and dates.
func (s *sheetFacts) cell(tag []byte, letters string) {
	ref := attr(tag, "r")
	if !strings.HasPrefix(ref, letters) || len(ref) == len(letters) || ref[len(letters)] < '0' || ref[len(letters)] > '9' {
		return
	}
	if t := attr(tag, "t"); t != "" && t != "n" {
		return
	}
	if bytes.HasSuffix(tag, []byte("/>")) {
		return // an empty cell, only styled
	}
	_, row, err := excelize.CellNameToCoordinates(ref)
	if err == nil {
		s.numeric[row] = true
	}
}

// attr returns the value of an attribute in a tag's bytes.
func attr(tag []byte, name string) string {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte(name+`="`))
		if j < 0 {
			return ""
		}
		j += i
		if j == 0 || tag[j-1] == ' ' || tag[j-1] == '\t' || tag[j-1] == '\n' || tag[j-1] == '\r' {
			v := tag[j+len(name)+2:]
			if k := bytes.IndexByte(v, '"'); k >= 0 {
				return string(v[:k])
			}
			return ""
		}
		i = j + 1
	}
}

// parseRange reads "B3:B10" (or a single cell).
func parseRange(ref string) (cellRange, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		b = a
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil {
		return cellRange{}, false
	}
	return cellRange{ref: ref, col1: min(c1, c2) - 1, row1: min(r1, r2), col2: max(c1, c2) - 1, row2: max(r1, r2)}, true
}

// sheetPart finds the ZIP entry of the named sheet through the workbook
// and its relationships; nil when the workbook does not say.
func sheetPart(zr *zip.Reader, sheet string) (*zip.File, error) {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := unmarshalPart(zr, "xl/workbook.xml", &wb); err != nil {
		return nil, err
	}
	if err := unmarshalPart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return nil, err
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID != s.RID {
				continue
			}
			name := strings.TrimPrefix(r.Target, "/")
			if !strings.HasPrefix(r.Target, "/") {
				name = path.Join("xl", r.Target)
			}
			for _, f := range zr.File {
				if f.Name == name {
					return f, nil
				}
			}
		}
	}
	return nil, nil
}

func unmarshalPart(zr *zip.Reader, name string, v any) error {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return xml.NewDecoder(rc).Decode(v)
	}
	return nil
}
