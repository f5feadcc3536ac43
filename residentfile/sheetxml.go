package residentfile

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A workbook is read straight from its ZIP archive. excelize opens a
// workbook by unpacking every part, a sheet over 16 MB to a temporary file
// (300,000 rows are 285 MB of XML), and its row iterator decodes each
// cell through encoding/xml into structs: reading a big list took five
// times the CPU of the same list as CSV, a thousand allocations a row.
// Here a sheet's XML is decompressed as it is read and stepped through
// tag by tag, keeping only the current row.

// workbook is an XLSX archive opened for reading.
type workbook struct {
	zr       *zip.Reader
	sheets   []workbookSheet // in the workbook's order
	date1904 bool
	sstPart  *zip.File
	sst      []string // shared strings, read on first use
	sstRead  bool
}

type workbookSheet struct {
	name string
	part *zip.File // nil when the workbook names a part it does not hold
}

// errNotWorkbook is a ZIP archive that is not a workbook.
var errNotWorkbook = errors.New("no workbook part")

// openWorkbook reads a workbook's sheet list, relationships and
// properties.
func openWorkbook(data []byte) (*workbook, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	parts := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		parts[strings.TrimPrefix(f.Name, "/")] = f
	}
	wbPath := "xl/workbook.xml"
	var rootRels xmlRels
	if err := unmarshalFile(parts["_rels/.rels"], &rootRels); err != nil {
		return nil, err
	}
	for _, r := range rootRels.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPath = relTarget("", r.Target)
		}
	}
	if parts[wbPath] == nil {
		return nil, errNotWorkbook
	}
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels xmlRels
	dir := path.Dir(wbPath)
	if err := unmarshalFile(parts[wbPath], &wb); err != nil {
		return nil, err
	}
	if err := unmarshalFile(parts[path.Join(dir, "_rels", path.Base(wbPath)+".rels")], &rels); err != nil {
		return nil, err
	}
	w := &workbook{zr: zr, date1904: wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"}
	targets := map[string]string{}
	for _, r := range rels.Rels {
		targets[r.ID] = relTarget(dir, r.Target)
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			w.sstPart = parts[relTarget(dir, r.Target)]
		}
	}
	if w.sstPart == nil {
		w.sstPart = parts[path.Join(dir, "sharedStrings.xml")]
	}
	for _, s := range wb.Sheets {
		w.sheets = append(w.sheets, workbookSheet{name: s.Name, part: parts[targets[s.RID]]})
	}
	return w, nil
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// relTarget resolves a relationship's target against the folder of the
// part that names it; an absolute target starts at the archive's root.
func relTarget(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(dir, target)
}

// unmarshalFile decodes a small XML part; a missing part decodes as empty.
func unmarshalFile(f *zip.File, v any) error {
	if f == nil {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(rc).Decode(v)
}

func (w *workbook) sheetNames() []string {
	names := make([]string, len(w.sheets))
	for i, s := range w.sheets {
		names[i] = s.name
	}
	return names
}

func (w *workbook) sheet(name string) (workbookSheet, bool) {
	for _, s := range w.sheets {
		if s.name == name {
			return s, true
		}
	}
	return workbookSheet{}, false
}

// sharedStrings returns the workbook's shared strings, read once: cells
// of type s hold an index into them.
func (w *workbook) sharedStrings() ([]string, error) {
	if w.sstRead || w.sstPart == nil {
		return w.sst, nil
	}
	rc, err := w.sstPart.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	x := newXMLScanner(rc)
	for {
		name, tag, err := x.nextTag()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if name == "si" && !selfClosing(tag) {
			s, err := x.richText("/si")
			if err != nil {
				return nil, err
			}
			w.sst = append(w.sst, s)
		} else if name == "si" {
			w.sst = append(w.sst, "")
		}
	}
	w.sstRead = true
	return w.sst, nil
}

// rows returns a source of the rows of a sheet, from the top; col, when
// not negative, is the column whose number cells are noted in numeric.
func (w *workbook) rows(s workbookSheet) (*xlsxSource, error) {
	sst, err := w.sharedStrings()
	if err != nil {
		return nil, err
	}
	src := &xlsxSource{sst: sst}
	if s.part == nil {
		return src, nil // a sheet without a part has no rows
	}
	if src.rc, err = s.part.Open(); err != nil {
		return nil, err
	}
	src.x = newXMLScanner(src.rc)
	return src, nil
}

// xlsxSource reads the rows of a sheet as excelize's iterator with
// RawCellValue did: the stored values, not formatted (formatting turns an
// ID number typed as a number into 6.20502E+17), and a row's cells up to
// its last one with a value. Rows missing from the XML are skipped; the
// row numbers are the sheet's.
type xlsxSource struct {
	rc    io.ReadCloser
	x     *xmlScanner
	sst   []string
	row   int
	cells []string
	done  bool
	// numberCol is a column (-1: none) whose number cells are noted in
	// numeric by row: an ID number typed into a number cell has lost
	// digits, whatever it now looks like.
	numberCol int
	numeric   map[int]bool
}

func (s *xlsxSource) next() (int, []string, error) {
	if s.x == nil || s.done {
		return 0, nil, io.EOF
	}
	for {
		name, tag, err := s.x.nextTag()
		if err == io.EOF {
			s.done = true
			return 0, nil, io.EOF
		} else if err != nil {
			return 0, nil, err
		}
		switch name {
		case "row":
			if r, ok := attrInt(tag, "r"); ok {
				s.row = r
			} else {
				s.row++
			}
			s.cells = s.cells[:0]
			if !selfClosing(tag) {
				if err := s.readRow(); err != nil {
					return 0, nil, err
				}
			}
			return s.row, s.cells, nil
		case "/sheetData":
			s.done = true
			return 0, nil, io.EOF
		}
	}
}

// readRow reads the cells of the current row, up to its end tag.
func (s *xlsxSource) readRow() error {
	col := -1
	for {
		name, tag, err := s.x.nextTag()
		if err != nil {
			return rowError(s.row, err)
		}
		switch name {
		case "/row":
			return nil
		case "c":
			if c, ok := cellColumn(attrBytes(tag, "r")); ok {
				col = c
			} else {
				col++
			}
			var value string
			var formula, number bool
			if !selfClosing(tag) {
				if value, formula, number, err = s.readCell(cellType(attrBytes(tag, "t"))); err != nil {
					return rowError(s.row, err)
				}
			}
			if number && col == s.numberCol {
				if s.numeric == nil {
					s.numeric = map[int]bool{}
				}
				s.numeric[s.row] = true
			}
			if value == "" && !formula {
				continue
			}
			for len(s.cells) < col {
				s.cells = append(s.cells, "")
			}
			s.cells = append(s.cells, value)
		}
	}
}

// readCell reads a cell's children up to its end tag and returns its
// value; number says the cell holds a number (no type, or n).
func (s *xlsxSource) readCell(typ string) (value string, formula, number bool, err error) {
	var v string
	var inline *string
	for {
		name, tag, err := s.x.nextTag()
		if err != nil {
			return "", false, false, err
		}
		switch name {
		case "/c":
			switch typ {
			case "s":
				if v == "" {
					return "", formula, false, nil
				}
				i, err := strconv.Atoi(strings.TrimSpace(v))
				if err != nil || i < 0 || i >= len(s.sst) {
					return "", false, false, fmt.Errorf("invalid shared string index %q", v)
				}
				return s.sst[i], formula, false, nil
			case "inlineStr":
				if inline != nil {
					return *inline, formula, false, nil
				}
				return v, formula, false, nil
			}
			return v, formula, (typ == "" || typ == "n") && v != "", nil
		case "v":
			if !selfClosing(tag) {
				if v, err = s.x.text("/v"); err != nil {
					return "", false, false, err
				}
			}
		case "f":
			formula = true
			if !selfClosing(tag) {
				if _, err := s.x.text("/f"); err != nil {
					return "", false, false, err
				}
			}
		case "is":
			if !selfClosing(tag) {
				t, err := s.x.richText("/is")
				if err != nil {
					return "", false, false, err
				}
				inline = &t
			}
		}
	}
}

// cellType interns the type of a cell: s, inlineStr, str, n, b, d, e or
// none.
func cellType(b []byte) string {
	switch string(b) {
	case "":
		return ""
	case "s":
		return "s"
	case "inlineStr":
		return "inlineStr"
	case "str":
		return "str"
	case "n":
		return "n"
	}
	return string(b)
}

func rowError(row int, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("sheet row %d: %w", row, err)
}

func (s *xlsxSource) close() error {
	if s.rc == nil {
		return nil
	}
	return s.rc.Close()
}

// xmlScanner steps through an XML document from tag to tag, handing back
// each tag's local name (its namespace prefix dropped, "/name" for an end
// tag) and raw bytes, and the text between tags on request. It is enough
// for SpreadsheetML, which has no DTD and whose text is in <t>, <v> and
// <f>; comments, processing instructions and declarations are skipped.
type xmlScanner struct {
	br  *bufio.Reader
	tag []byte // the last tag, valid until the next read
	buf []byte // scratch for text
}

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{br: bufio.NewReaderSize(r, 64<<10)}
}

// nextTag skips to the next tag and returns its name and bytes (without
// the angle brackets).
func (x *xmlScanner) nextTag() (string, []byte, error) {
	for {
		if err := x.skipTo('<'); err != nil {
			return "", nil, err
		}
		name, tag, err := x.readTag()
		if err != nil || name != "" {
			return name, tag, err
		}
	}
}

// skipTo discards input up to and including the byte c.
func (x *xmlScanner) skipTo(c byte) error {
	for {
		_, err := x.br.ReadSlice(c)
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// readTag reads a tag after its '<'; the name is "" for comments,
// processing instructions and declarations, which it skips.
func (x *xmlScanner) readTag() (string, []byte, error) {
	b, err := x.br.Peek(1)
	if err != nil {
		return "", nil, err
	}
	switch b[0] {
	case '?':
		return "", nil, x.skipPast("?>")
	case '!':
		if p, _ := x.br.Peek(3); string(p) == "!--" {
			return "", nil, x.skipPast("-->")
		}
		if p, _ := x.br.Peek(8); string(p) == "![CDATA[" {
			return "", nil, x.skipPast("]]>")
		}
		return "", nil, x.skipPast(">")
	}
	x.tag = x.tag[:0]
	for {
		chunk, err := x.br.ReadSlice('>')
		x.tag = append(x.tag, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		} else if err != nil {
			return "", nil, err
		}
		break
	}
	tag := x.tag[:len(x.tag)-1] // without the '>'
	closing := len(tag) > 0 && tag[0] == '/'
	start := 0
	if closing {
		start = 1
	}
	end := start
	for end < len(tag) && !isSpace(tag[end]) && tag[end] != '/' {
		end++
	}
	name := tag[start:end]
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	if closing {
		return endName(name), tag, nil
	}
	return localName(name), tag, nil
}

// endName is localName for an end tag: "/" and the name.
func endName(b []byte) string {
	switch string(b) {
	case "c":
		return "/c"
	case "v":
		return "/v"
	case "row":
		return "/row"
	case "t":
		return "/t"
	case "is":
		return "/is"
	case "f":
		return "/f"
	case "r":
		return "/r"
	case "si":
		return "/si"
	case "rPh":
		return "/rPh"
	case "rPr":
		return "/rPr"
	case "sheetData":
		return "/sheetData"
	}
	return "/" + string(b)
}

// localName interns the names SpreadsheetML repeats on every cell.
func localName(b []byte) string {
	switch string(b) {
	case "c":
		return "c"
	case "v":
		return "v"
	case "row":
		return "row"
	case "t":
		return "t"
	case "is":
		return "is"
	case "f":
		return "f"
	case "r":
		return "r"
	case "si":
		return "si"
	case "rPh":
		return "rPh"
	case "rPr":
		return "rPr"
	}
	return string(b)
}

// skipPast discards input up to and including the end marker.
func (x *xmlScanner) skipPast(end string) error {
	var tail []byte
	for {
		chunk, err := x.br.ReadSlice(end[len(end)-1])
		if err != nil && err != bufio.ErrBufferFull {
			return err
		}
		tail = append(tail, chunk...)
		if err == nil && bytes.HasSuffix(tail, []byte(end)) {
			return nil
		}
		if len(tail) > len(end) {
			tail = append(tail[:0], tail[len(tail)-len(end):]...)
		}
	}
}

// text reads the text of the element just opened up to its end tag (end
// is "/name"), decoded; the tags of child elements are dropped.
func (x *xmlScanner) text(end string) (string, error) {
	x.buf = x.buf[:0]
	var out []byte // set when a CDATA section splits the text
	for {
		chunk, err := x.br.ReadSlice('<')
		if err == bufio.ErrBufferFull {
			x.buf = append(x.buf, chunk...)
			continue
		} else if err != nil {
			return "", err
		}
		x.buf = append(x.buf, chunk[:len(chunk)-1]...)
		if p, _ := x.br.Peek(8); string(p) == "![CDATA[" {
			// Text in CDATA is taken as it is, without entities.
			s, err := decodeXMLText(x.buf)
			if err != nil {
				return "", err
			}
			out = append(out, s...)
			if out, err = x.cdata(out); err != nil {
				return "", err
			}
			x.buf = x.buf[:0]
			continue
		}
		tag, _, err := x.readTag()
		if err != nil {
			return "", err
		}
		if tag != end {
			continue
		}
		s, err := decodeXMLText(x.buf)
		if err != nil || out == nil {
			return s, err
		}
		return string(append(out, s...)), nil
	}
}

// cdata appends a CDATA section's text to out (its "<" read already).
func (x *xmlScanner) cdata(out []byte) ([]byte, error) {
	if _, err := x.br.Discard(8); err != nil {
		return out, err
	}
	var sec []byte
	for {
		chunk, err := x.br.ReadSlice('>')
		if err != nil && err != bufio.ErrBufferFull {
			return out, err
		}
		sec = append(sec, chunk...)
		if err == nil && bytes.HasSuffix(sec, []byte("]]>")) {
			return append(out, sec[:len(sec)-3]...), nil
		}
	}
}

// richText reads the text of a string item (<si> or <is>) up to its end
// tag: its <t>, or the <t> of each run <r>, joined; phonetic runs (<rPh>)
// are not part of the value. Excel's escapes of control characters
// (_x000D_) are undone, as excelize does.
func (x *xmlScanner) richText(end string) (string, error) {
	var first string // the common case: one <t>, no builder needed
	var sb *strings.Builder
	n, phonetic := 0, 0
	for {
		tag, raw, err := x.nextTag()
		if err != nil {
			return "", err
		}
		switch tag {
		case end:
			if sb != nil {
				first = sb.String()
			}
			return unescapeBSTR(first), nil
		case "rPh":
			if !selfClosing(raw) {
				phonetic++
			}
		case "/rPh":
			phonetic--
		case "t":
			if selfClosing(raw) {
				continue
			}
			t, err := x.text("/t")
			if err != nil {
				return "", err
			}
			if phonetic != 0 {
				continue
			}
			switch n++; n {
			case 1:
				first = t
			case 2:
				sb = &strings.Builder{}
				sb.WriteString(first)
				fallthrough
			default:
				sb.WriteString(t)
			}
		}
	}
}

// selfClosing reports whether a tag's bytes end with "/".
func selfClosing(tag []byte) bool { return len(tag) > 0 && tag[len(tag)-1] == '/' }

// attrBytes returns the raw value of an attribute in a tag's bytes.
func attrBytes(tag []byte, name string) []byte {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte(name))
		if j < 0 {
			return nil
		}
		j += i
		rest := tag[j+len(name):]
		if j > 0 && isSpace(tag[j-1]) && len(rest) >= 2 && rest[0] == '=' && (rest[1] == '"' || rest[1] == '\'') {
			v := rest[2:]
			if k := bytes.IndexByte(v, rest[1]); k >= 0 {
				return v[:k]
			}
			return nil
		}
		i = j + 1
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// attrInt returns a whole-number attribute.
func attrInt(tag []byte, name string) (int, bool) {
	v := attrBytes(tag, name)
	if len(v) == 0 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' || n > 1<<24 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// cellColumn returns the 0-based column of a reference such as "AB12".
func cellColumn(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref); i++ {
		c := ref[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		col = col*26 + int(c-'A'+1)
	}
	if i == 0 || i == len(ref) || col > 16384 {
		return 0, false
	}
	return col - 1, true
}

// decodeXMLText undoes XML's entities and line-end normalization in text.
func decodeXMLText(b []byte) (string, error) {
	if bytes.IndexByte(b, '&') < 0 && bytes.IndexByte(b, '\r') < 0 {
		return string(b), nil
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\r':
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case c == '&':
			j := bytes.IndexByte(b[i:], ';')
			if j < 0 {
				return "", fmt.Errorf("unterminated entity in %q", b)
			}
			r, ok := entity(string(b[i+1 : i+j]))
			if !ok {
				return "", fmt.Errorf("unknown entity &%s;", b[i+1:i+j])
			}
			out = utf8.AppendRune(out, r)
			i += j
		default:
			out = append(out, c)
		}
	}
	return string(out), nil
}

func entity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "quot":
		return '"', true
	case "apos":
		return '\'', true
	}
	if len(name) > 1 && name[0] == '#' {
		var n uint64
		var err error
		if name[1] == 'x' || name[1] == 'X' {
			n, err = strconv.ParseUint(name[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(name[1:], 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(n)) {
			return rune(n), true
		}
	}
	return 0, false
}

// unescapeBSTR undoes Excel's escapes of characters XML cannot hold,
// _xHHHH_ (a UTF-16 unit), and _x005F_ for an underscore that starts
// such a sequence, as excelize's bstrUnmarshal does.
func unescapeBSTR(s string) string {
	i := strings.Index(s, "_x")
	if i < 0 {
		return s
	}
	var sb strings.Builder
	for i >= 0 {
		sb.WriteString(s[:i])
		s = s[i:]
		if len(s) >= 7 && s[6] == '_' && isHex(s[2:6]) {
			n, _ := strconv.ParseUint(s[2:6], 16, 16)
			switch {
			case n == 0x5F:
				sb.WriteByte('_')
			case n >= 0xD800 && n <= 0xDFFF:
				// a lone surrogate: excelize drops it
			default:
				sb.WriteRune(rune(n))
			}
			s = s[7:]
		} else {
			sb.WriteString(s[:2])
			s = s[2:]
		}
		i = strings.Index(s, "_x")
	}
	sb.WriteString(s)
	return sb.String()
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}
