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
	"fmt"
	"io"
	"io/fs"
	"maps"
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
// an upload of a million rows is a hundred megabytes. It keeps every good
// row; Open streams a big file instead.
func ReadData(name string, data []byte, opts ReadOptions) (*frontline.ResidentFile, error) {
	opts, err := readOptions(opts)
	if err != nil {
		return nil, err
	}
	var all rowStore
	f := &frontline.ResidentFile{Name: name, BadRows: make(map[int][]string)}
	p := &parser{f: f, now: opts.Now, under: opts.Under, keepCells: true, checks: true,
		emit: func(rows []frontline.ResidentRow) error {
			for i := range rows {
				*all.add() = rows[i]
			}
			return nil
		}}
	if err := p.run(name, data, opts.Sheet); err != nil {
		return nil, err
	}
	f.Rows = all.collect(p.bad)
	f.Bad = nil
	return f, nil
}

func readOptions(opts ReadOptions) (ReadOptions, error) {
	if opts.Under != "" && !opts.Under.Valid() {
		return opts, frontline.Errorf(frontline.EINVALID, "unknown place kind %q", opts.Under)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	return opts, nil
}

// Open reads the header of a resident list already in memory and returns
// the file without its rows: its Each reads them, checking every row the
// first time (see frontline.ResidentFile.Each). Memory stays that of the
// file, a chunk of rows and what finding duplicates takes (an ID per row),
// however long the list; at most frontline.MaxRowErrors problems are kept
// in full. The error is that of Read for a file that cannot be read.
func Open(name string, data []byte, opts ReadOptions) (*frontline.ResidentFile, error) {
	opts, err := readOptions(opts)
	if err != nil {
		return nil, err
	}
	f := &frontline.ResidentFile{Name: name}
	head := &parser{f: &frontline.ResidentFile{Name: name}, now: opts.Now, under: opts.Under}
	src, err := head.start(name, data, opts.Sheet)
	if err != nil {
		return nil, err
	}
	src.close()
	head.in.close()
	f.Sheet, f.HeaderRow, f.Header, f.Unknown, f.Columns = head.f.Sheet, head.f.HeaderRow, head.f.Header, head.f.Unknown, head.f.Columns
	var bad map[int]bool // after the first pass: the rows it found bad
	f.Each = func(fn func([]frontline.ResidentRow) error) error {
		first := bad == nil
		p := &parser{f: &frontline.ResidentFile{Name: name}, now: opts.Now, under: opts.Under, checks: first, bounded: true, emit: fn}
		if !first {
			p.skip = bad
		}
		if err := p.run(name, data, opts.Sheet); err != nil {
			return err
		}
		if !first {
			return nil
		}
		bad = p.bad
		f.Errors, f.MoreErrors, f.Bad = p.f.Errors, p.f.MoreErrors, slices.Sorted(maps.Keys(bad))
		for _, r := range p.sample {
			if !bad[r.Row] {
				f.Sample = append(f.Sample, r)
			}
		}
		return nil
	}
	return f, nil
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

// idSet maps the persons named so far to the row that first named them.
// Nearly every row of a big list has a mainland ID number, 17 digits and
// a check character: it is kept as one number, 12 bytes in the map rather
// than 40 and a copy of the string, which halved what finding duplicates
// took of a 300,000-row import's memory. Other keys keep their text.
type idSet struct {
	mainland map[uint64]int32
	other    map[idKey]int
}

func newIDSet(size int) idSet {
	return idSet{mainland: make(map[uint64]int32, size), other: map[idKey]int{}}
}

// mainlandKey packs a mainland ID number: the 17 digits times 11 plus the
// check character (X is 10) is below 1.1e18.
func mainlandKey(k idKey) (uint64, bool) {
	if k.t != frontline.IDMainland || len(k.n) != 18 {
		return 0, false
	}
	var v uint64
	for i := range 17 {
		c := k.n[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	switch c := k.n[17]; {
	case c >= '0' && c <= '9':
		return v*11 + uint64(c-'0'), true
	case c == 'X':
		return v*11 + 10, true
	}
	return 0, false
}

// get returns the row that first named k.
func (s idSet) get(k idKey) (int, bool) {
	if m, ok := mainlandKey(k); ok {
		row, found := s.mainland[m]
		return int(row), found
	}
	row, found := s.other[k]
	return row, found
}

// put records the row that first named k; the key's text is copied, as
// it may point into the row's cells (encoding/csv allocates one string a
// row, which the map would keep alive whole).
func (s idSet) put(k idKey, row int) {
	if m, ok := mainlandKey(k); ok {
		s.mainland[m] = int32(row)
		return
	}
	k.n = strings.Clone(k.n)
	s.other[k] = row
}

// maxCached bounds each column's cache of canonical place names. Place
// names repeat on almost every row (one compound, a few dozen buildings), so
// a small cache saves work and memory; a column of all-distinct values just
// stops being cached.
const maxCached = 4096

// chunkRows is how many rows the parser hands on at a time.
const chunkRows = 1024

// sampleRows is how many good rows a streamed file keeps for a preview.
const sampleRows = 10

// parser holds the state of one pass over a file.
type parser struct {
	f     *frontline.ResidentFile
	in    *input
	now   time.Time
	under frontline.PlaceKind
	h     *header

	// emit is handed the good rows, a chunk at a time; the chunk is
	// reused afterwards.
	emit  func([]frontline.ResidentRow) error
	chunk []frontline.ResidentRow
	// checks makes the pass find duplicates in the file and keep the
	// problems; a later pass of a streamed file skips the rows the first
	// found bad (skip) instead.
	checks bool
	skip   map[int]bool
	// keepCells keeps each bad row's cells in f.BadRows (ReadData);
	// bounded keeps at most frontline.MaxRowErrors problems (Open).
	keepCells, bounded bool

	bad    map[int]bool                  // bad row numbers
	seen   idSet                         // ID → row number of its first row
	told   map[int]bool                  // first rows already told of a later duplicate
	dups   []dup                         // duplicates whose first row's address is still to read
	late   []frontline.RowError          // errors about earlier rows found on later ones
	names  [numColumns]map[string]string // raw cell → canonical place name
	sample []frontline.ResidentRow

	// facts are an XLSX sheet's number cells in the ID column and its
	// merged ranges; nil for CSV.
	facts *sheetFacts

	// per-row scratch
	row     int
	cells   []string
	errs    []frontline.RowError
	cellBad [numColumns]bool
	dupRow  bool // the row names the person an earlier row named
}

// dup is a row that names the person an earlier row named. Its problem
// names that row's address, read again at the end rather than kept for
// every row of a big file in case it has a duplicate.
type dup struct {
	row, first, col int
	what            string
}

// start opens the file, finds and maps its header and returns the source
// positioned after it; p.h stays nil when the header cannot be mapped.
func (p *parser) start(name string, data []byte, sheet string) (source, error) {
	in, err := open(name, data, sheet, residentHeader)
	if err != nil {
		return nil, err
	}
	p.in = in
	src, err := p.in.rows()
	if err != nil {
		in.close()
		return nil, err
	}
	row, cells, err := findHeader(src, residentHeader)
	if err == io.EOF {
		// No row names two columns: the first row is taken, and what its
		// header lacks is reported.
		src.close()
		if src, err = p.in.rows(); err != nil {
			in.close()
			return nil, err
		}
		row, cells, err = nextNonBlank(src)
	}
	if err == io.EOF {
		err = invalid(p.f.Name, nil, "the file has no header row")
	} else if err != nil {
		err = p.readError(err)
	}
	if err != nil {
		src.close()
		in.close()
		return nil, err
	}
	p.f.HeaderRow = row
	p.f.Sheet = p.in.sheet
	if h, ok := mapHeader(p.f, row, cells, p.under); ok {
		p.h = h
	}
	return src, nil
}

// run reads the header and every row, then settles the rows found bad late.
func (p *parser) run(name string, data []byte, sheet string) error {
	src, err := p.start(name, data, sheet)
	if err != nil {
		return err
	}
	defer p.in.close()
	defer src.close()
	p.bad = map[int]bool{}
	if p.h == nil {
		return nil // no row can be checked without its columns
	}
	p.facts = p.in.facts(src, p.h.idx[cIDNumber])
	if p.checks {
		p.seen = newIDSet(min(len(data)/80, 1<<21))
	}
	p.chunk = make([]frontline.ResidentRow, 0, chunkRows)
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
		if len(p.chunk) == chunkRows {
			if err := p.flush(); err != nil {
				return err
			}
		}
	}
	if err := p.flush(); err != nil {
		return err
	}
	if !p.checks {
		return nil
	}
	p.seen = idSet{}
	if n == 0 {
		p.f.Errors = append(p.f.Errors, frontline.RowError{Message: "the file has no rows below the header"})
	}
	if err := p.rereadBad(); err != nil {
		return err
	}
	p.addErrors(p.late)
	slices.SortStableFunc(p.f.Errors, p.compareErrors)
	return nil
}

// flush hands the chunk's rows on.
func (p *parser) flush() error {
	if len(p.chunk) == 0 || p.emit == nil {
		p.chunk = p.chunk[:0]
		return nil
	}
	err := p.emit(p.chunk)
	p.chunk = p.chunk[:0]
	return err
}

// addErrors keeps problems, at most frontline.MaxRowErrors of them in a
// bounded pass.
func (p *parser) addErrors(errs []frontline.RowError) {
	if !p.bounded {
		p.f.Errors = append(p.f.Errors, errs...)
		return
	}
	n := min(len(errs), max(0, frontline.MaxRowErrors-len(p.f.Errors)))
	p.f.Errors = append(p.f.Errors, errs[:n]...)
	p.f.MoreErrors += len(errs) - n
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

// rereadBad reads again the rows the end of a pass needs: the address of
// the first row of each duplicate, and (ReadData) the cells of first rows
// that turned bad. Keeping every row's cells or address just in case would
// multiply the memory of a big import; reading the file again costs only
// when there are duplicates.
func (p *parser) rereadBad() error {
	want := map[int]bool{}
	for _, d := range p.dups {
		want[d.first] = true
	}
	if p.keepCells {
		for r := range p.bad {
			if _, ok := p.f.BadRows[r]; !ok {
				want[r] = true
			}
		}
	}
	if len(want) == 0 {
		return nil
	}
	src, err := p.in.rows()
	if err != nil {
		return err
	}
	defer src.close()
	addrs := map[int]string{}
	for len(want) > 0 {
		row, cells, err := src.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return p.readError(err)
		}
		if !want[row] {
			continue
		}
		delete(want, row)
		if p.keepCells && p.bad[row] {
			if _, ok := p.f.BadRows[row]; !ok {
				p.f.BadRows[row] = p.copyCells(cells)
			}
		}
		var r frontline.ResidentRow
		p.places(&r, row, cells)
		addrs[row] = r.Address()
	}
	for _, d := range p.dups {
		p.late = append(p.late, frontline.RowError{Row: d.row, Column: p.h.labels[d.col],
			Message: fmt.Sprintf("%s appears twice in the file: also on row %d (%s)", d.what, d.first, addrs[d.first])})
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

// rowStore holds rows in fixed-size chunks. A row is 360 bytes and a big
// file has a million of them; a plain slice would be copied on every
// growth (Go grows large slices by a quarter, so about five times the final
// size would be allocated), and the file gives no safe way to size it in
// advance.
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
	return &s.chunks[(s.n-1)/chunkRows][(s.n-1)%chunkRows]
}

// collect returns the rows not bad in one slice, freeing each chunk once
// copied.
func (s *rowStore) collect(bad map[int]bool) []frontline.ResidentRow {
	if s.n == 0 {
		return nil
	}
	rows := make([]frontline.ResidentRow, 0, s.n)
	for c, chunk := range s.chunks {
		for j := range chunk {
			if i := c*chunkRows + j; i < s.n && !bad[chunk[j].Row] {
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
