// Package residentfile reads and writes resident lists (居民花名册) as
// community offices keep them: CSV in whatever encoding Excel wrote, or
// XLSX (formats/residents.md).
//
// Read checks every row on its own: the cells, the ID number, and
// duplicates inside the file. Checks that need the database (an ID number
// already registered elsewhere, place names under the import node) belong
// to frontline.ImportService, which takes the ResidentFile Read returns.
package residentfile

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// ReadOptions control Read.
type ReadOptions struct {
	// Sheet names the XLSX sheet to read; empty means the first one.
	Sheet string
	// Now bounds birth dates; zero means time.Now().
	Now time.Time
	// Under is the kind of the node the file is imported under. The place
	// columns at that level and above may then be left out: under a
	// community the subdistrict and community columns are optional, under
	// a compound (or lower) the compound column too. Empty means every
	// place column is required.
	Under frontline.PlaceKind
}

// Read reads a resident list, CSV or XLSX, named name (used to tell the
// formats apart and in messages). It returns every problem of every row in
// ResidentFile.Errors and only the good rows in ResidentFile.Rows. The
// error is non-nil only when the file cannot be read at all (an I/O error,
// not a CSV or XLSX file, no header row); it is then a *frontline.Error
// with code EINVALID naming the file.
func Read(name string, r io.Reader, opts ReadOptions) (*frontline.ResidentFile, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, invalid(name, err, "the file cannot be read")
	}
	return ReadData(name, data, opts)
}

// ReadData is Read of a file already in memory, which it does not copy:
// an upload of a million rows is a hundred megabytes.
func ReadData(name string, data []byte, opts ReadOptions) (*frontline.ResidentFile, error) {
	if opts.Under != "" && !opts.Under.Valid() {
		return nil, frontline.Errorf(frontline.EINVALID, "unknown place kind %q", opts.Under)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	in, err := open(name, data, opts.Sheet, residentHeader)
	if err != nil {
		return nil, err
	}
	defer in.close()
	p := &parser{
		f:     &frontline.ResidentFile{Name: name, BadRows: make(map[int][]string)},
		in:    in,
		now:   opts.Now,
		under: opts.Under,
		// A row of a resident list takes 80 bytes or more in any format;
		// sizing the map from the file spares rehashing a big one, and
		// cannot reserve more than the file's size justifies.
		seen: make(map[idKey]int, min(len(data)/80, 1<<21)),
	}
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.f, nil
}

// readAll reads r whole. The whole file is needed anyway (XLSX is a ZIP;
// a CSV's encoding is known only once every byte is seen). Sizing the
// buffer from the reader's length, when it tells, avoids copying a big
// file several times while it grows.
func readAll(r io.Reader) ([]byte, error) {
	var size int64
	switch r := r.(type) {
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		size = int64(r.Len())
	case interface{ Stat() (fs.FileInfo, error) }: // os.File, multipart files
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	var buf bytes.Buffer
	if size > 0 && size < 1<<31 {
		buf.Grow(int(size) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

// idKey identifies a person within the file.
type idKey struct {
	t frontline.IDType
	n string
}

// maxCached bounds each column's cache of canonical place names. Place
// names repeat on almost every row (one compound, a few dozen buildings), so
// a small cache saves work and memory; a column of all-distinct values just
// stops being cached.
const maxCached = 4096

// parser holds the state of one Read.
type parser struct {
	f     *frontline.ResidentFile
	in    *input
	now   time.Time
	under frontline.PlaceKind
	h     *header

	all  rowStore      // every checked row, good and bad, in order
	bad  []bool        // parallel to all
	seen map[idKey]int // ID → index in all of its first row
	told map[int]bool  // indexes in all already told of a later duplicate
	// late are errors about earlier rows found on later ones (duplicates);
	// reread are those rows' numbers when their cells were not kept.
	late   []frontline.RowError
	reread []int
	names  [numColumns]map[string]string // raw cell → canonical place name

	// facts are an XLSX sheet's number cells in the ID column and its
	// merged ranges; nil for CSV.
	facts *sheetFacts

	// per-row scratch
	row     int
	cells   []string
	errs    []frontline.RowError
	cellBad [numColumns]bool
}

// run reads the header and every row, then settles the rows found bad late.
func (p *parser) run() error {
	src, err := p.in.rows()
	if err != nil {
		return err
	}
	defer src.close()
	row, cells, err := findHeader(src, residentHeader)
	if err == io.EOF {
		// No row names two columns: the first row is taken, and what its
		// header lacks is reported.
		src.close()
		if src, err = p.in.rows(); err != nil {
			return err
		}
		defer src.close()
		row, cells, err = nextNonBlank(src)
	}
	if err == io.EOF {
		return invalid(p.f.Name, nil, "the file has no header row")
	} else if err != nil {
		return p.readError(err)
	}
	p.f.HeaderRow = row
	h, ok := mapHeader(p.f, row, cells, p.under)
	if !ok {
		p.f.Sheet = p.in.sheet
		return nil // no row can be checked without its columns
	}
	p.h = h
	if p.facts, err = p.in.facts(h.idx[cIDNumber]); err != nil {
		return invalid(p.f.Name, err, "the file cannot be read as an XLSX workbook")
	}
	n := 0
	for {
		row, cells, err := nextNonBlank(src)
		if err == io.EOF {
			break
		} else if err != nil {
			return p.readError(err)
		}
		n++
		p.check(row, cells)
	}
	if n == 0 {
		p.f.Errors = append(p.f.Errors, frontline.RowError{Message: "the file has no rows below the header"})
	}
	if err := p.rereadBad(); err != nil {
		return err
	}
	p.finish()
	return nil
}

// nextNonBlank skips rows whose cells are all empty: spreadsheets are full
// of them, and they carry nothing to import or report.
func nextNonBlank(src source) (int, []string, error) {
	for {
		row, cells, err := src.next()
		if err != nil || !blank(cells) {
			return row, cells, err
		}
	}
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readError turns a failure in the middle of the file into the file-level
// error. A CSV parse error names its line, which is worth showing.
func (p *parser) readError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return invalid(p.f.Name, err, "line %d cannot be read as CSV: %v", pe.Line, pe.Err)
	}
	return invalid(p.f.Name, err, "the file cannot be read")
}

// rereadBad fetches the cells of rows that were good when read and turned
// bad later (the first row of a duplicate). Keeping every row's cells just
// in case would double the memory of a big import; reading the file again
// costs only when there are such duplicates.
func (p *parser) rereadBad() error {
	if len(p.reread) == 0 {
		return nil
	}
	want := make(map[int]bool, len(p.reread))
	for _, r := range p.reread {
		want[r] = true
	}
	src, err := p.in.rows()
	if err != nil {
		return err
	}
	defer src.close()
	for len(want) > 0 {
		row, cells, err := src.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return p.readError(err)
		}
		if want[row] {
			p.f.BadRows[row] = p.copyCells(cells)
			delete(want, row)
		}
	}
	return nil
}

// copyCells copies a row's cells, padded to the header's width so a file
// of skipped rows lines up with its header.
func (p *parser) copyCells(cells []string) []string {
	out := make([]string, max(len(cells), p.h.width))
	copy(out, cells)
	return out
}

// finish keeps the good rows and puts the late errors in their place.
func (p *parser) finish() {
	good := 0
	for _, b := range p.bad {
		if !b {
			good++
		}
	}
	p.f.Rows = p.all.collect(good, p.bad)
	p.f.Sheet = p.in.sheet
	if len(p.late) == 0 {
		return
	}
	p.f.Errors = append(p.f.Errors, p.late...)
	slices.SortStableFunc(p.f.Errors, p.compareErrors)
}

// chunkRows is the number of rows in each chunk of a rowStore.
const chunkRows = 1024

// rowStore holds rows in fixed-size chunks. A row is 360 bytes and a big
// import has a million of them; a plain slice would be copied on every
// growth (Go grows large slices by a quarter, so about five times the final
// size would be allocated), and the file gives no safe way to size it in
// advance. Chunks also keep a row's address stable while it is filled in.
type rowStore struct {
	chunks [][]frontline.ResidentRow
	n      int
}

// add appends a zero row and returns it.
func (s *rowStore) add() *frontline.ResidentRow {
	if s.n%chunkRows == 0 {
		s.chunks = append(s.chunks, make([]frontline.ResidentRow, chunkRows))
	}
	s.n++
	return s.at(s.n - 1)
}

// at returns the row at index i.
func (s *rowStore) at(i int) *frontline.ResidentRow {
	return &s.chunks[i/chunkRows][i%chunkRows]
}

// collect returns the n rows whose bad flag is false in one slice, freeing
// each chunk once copied.
func (s *rowStore) collect(n int, bad []bool) []frontline.ResidentRow {
	if n == 0 {
		return nil
	}
	rows := make([]frontline.ResidentRow, 0, n)
	for c, chunk := range s.chunks {
		for j := range chunk {
			if i := c*chunkRows + j; i < s.n && !bad[i] {
				rows = append(rows, chunk[j])
			}
		}
		s.chunks[c] = nil
	}
	return rows
}

// compareErrors orders errors by row, then by column as the file has them.
func (p *parser) compareErrors(a, b frontline.RowError) int {
	if c := cmp.Compare(a.Row, b.Row); c != 0 {
		return c
	}
	return cmp.Compare(p.columnPos(a.Column), p.columnPos(b.Column))
}

func (p *parser) columnPos(label string) int {
	if i, ok := p.h.pos[label]; ok {
		return i
	}
	return -1 // errors about the whole row come first
}

// Cells returns the cells of the given rows of a file as they were
// written, padded to the header's width. Rows that the import rejected
// after Read (a duplicate of a person already registered) have no cells in
// ResidentFile.BadRows; this reads them again for the file of skipped rows.
func Cells(name string, r io.Reader, sheet string, rows []int) (map[int][]string, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, invalid(name, err, "the file cannot be read")
	}
	in, err := open(name, data, sheet, residentHeader)
	if err != nil {
		return nil, err
	}
	defer in.close()
	src, err := in.rows()
	if err != nil {
		return nil, err
	}
	defer src.close()
	want := make(map[int]bool, len(rows))
	for _, r := range rows {
		want[r] = true
	}
	out := make(map[int][]string, len(rows))
	width := 0
	for len(want) > 0 {
		row, cells, err := src.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, invalid(name, err, "the file cannot be read")
		}
		if row == 1 {
			width = len(cells)
		}
		if want[row] {
			c := make([]string, max(len(cells), width))
			copy(c, cells)
			out[row] = c
			delete(want, row)
		}
	}
	return out, nil
}
