package residentfile

import (
	"archive/zip"
	"bufio"
	"bytes"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetFacts are what a sheet's cell values do not tell: which cells of
// the ID number column hold numbers (an ID number typed into a number cell
// has lost its digits, whatever it now looks like), and the merged ranges
// (a value missing below the first cell of a merge is there on screen, not
// in the file).
type sheetFacts struct {
	numeric map[int]bool // rows whose ID number cell is a number, noted as they are read
	// merges are read from the sheet when a message first needs them:
	// they come after the rows, at the end of the sheet's XML.
	merges     []cellRange
	mergesRead bool
	wb         *workbook
	ws         workbookSheet
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
	if !s.mergesRead {
		s.mergesRead = true
		// A sheet that cannot be read again has failed its reading
		// already; the message then just does not mention merges.
		s.merges, _ = scanMerges(s.ws.part)
	}
	for _, m := range s.merges {
		if m.covers(col, row) {
			return m, true
		}
	}
	return cellRange{}, false
}

// scanMerges reads a sheet's merged ranges, stepping over its rows
// without looking at them.
func scanMerges(part *zip.File) ([]cellRange, error) {
	if part == nil {
		return nil, nil
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	var merges []cellRange
	for {
		if _, err := br.ReadSlice('<'); err == bufio.ErrBufferFull {
			continue
		} else if err == io.EOF {
			return merges, nil
		} else if err != nil {
			return nil, err
		}
		head, _ := br.Peek(10)
		if bytes.HasPrefix(head, []byte("mergeCell ")) {
			tag, err := readTag(br)
			if err != nil {
				return nil, err
			}
			if m, ok := parseRange(string(attrBytes(tag, "ref"))); ok {
				merges = append(merges, m)
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
