package residentfile

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/frontline-org/frontline"
)

// check turns one row into a frontline.ResidentRow, reporting at most one
// problem per cell but every cell's problem, and puts it in the chunk when
// it is good.
func (p *parser) check(row int, cells []string) {
	if p.skip[row] {
		return
	}
	// Filled in place: the row is big, and copying it in costs.
	p.chunk = p.chunk[:len(p.chunk)+1]
	r := &p.chunk[len(p.chunk)-1]
	*r = frontline.ResidentRow{}
	p.places(r, row, cells)
	p.person(&r.Person, cells)
	p.validate(&r.Person)
	if p.checks && !p.cellBad[cIDType] && !p.cellBad[cIDNumber] && (r.Person.IDNumber != "" || r.Person.IDType == frontline.IDNone) {
		p.dedupe(r)
	}
	if len(p.errs) == 0 && !p.dupRow {
		if p.checks && len(p.sample) < sampleRows {
			p.sample = append(p.sample, *r)
		}
		return
	}
	p.chunk = p.chunk[:len(p.chunk)-1]
	p.bad[row] = true
	if !p.checks {
		return
	}
	slices.SortStableFunc(p.errs, p.compareErrors)
	p.addErrors(p.errs)
	if p.keepCells {
		p.f.BadRows[row] = p.copyCells(cells)
	}
}

// places starts a row: its number and place names, the per-row scratch
// reset.
func (p *parser) places(r *frontline.ResidentRow, row int, cells []string) {
	p.row, p.cells, p.errs, p.cellBad, p.dupRow = row, cells, p.errs[:0], [numColumns]bool{}, false
	r.Row = row
	r.Subdistrict = p.place(cells, cSubdistrict)
	r.Community = p.place(cells, cCommunity)
	r.Compound = p.place(cells, cCompound)
	r.Building = p.place(cells, cBuilding)
	r.Unit = p.place(cells, cUnit)
	r.Room = p.place(cells, cRoom)
}

// fail records a problem with column c of the current row, unless that
// cell already has one: the first problem of a cell is the one to fix, the
// rest are often its consequences.
func (p *parser) fail(c int, msg string) {
	if p.cellBad[c] {
		return
	}
	p.cellBad[c] = true
	label := p.h.labels[c]
	if label == "" {
		label = columns[c].name
	}
	if i := p.h.idx[c]; i >= 0 && (i >= len(p.cells) || strings.TrimSpace(p.cells[i]) == "") {
		if m, ok := p.facts.mergedAt(i, p.row); ok {
			msg = mergedMessage(m)
		}
	}
	p.errs = append(p.errs, frontline.RowError{Row: p.row, Column: label, Message: msg})
}

// mergedMessage explains an empty cell of a merged range: on screen the
// value is there, in the file only the range's first cell has it.
func mergedMessage(m cellRange) string {
	return fmt.Sprintf("the cell is empty because cells %s are merged: only %s holds the value; unmerge them and fill in every row", m.ref, m.first())
}

// cell returns the trimmed cell of column c, or "" when the file has no
// such column or the row is short. An Excel "text formula" ="0501", which
// some systems export to keep leading zeros, counts as its text.
func (p *parser) cell(cells []string, c int) string {
	i := p.h.idx[c]
	if i < 0 || i >= len(cells) {
		return ""
	}
	s := strings.TrimSpace(unquoteFormula(cells[i]))
	if len(s) >= 3 && s[0] == '=' && s[1] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[2 : len(s)-1])
	}
	if p.in.xlsx {
		s = wholeNumber(s)
	}
	// U+FFFD is what decoding leaves of bytes in no known encoding; a name
	// full of them must not be imported as if it were one.
	if strings.Contains(s, "\uFFFD") {
		p.fail(c, "the cell has characters that cannot be read (\uFFFD); save the file again as CSV UTF-8 or XLSX")
	}
	return s
}

// wholeNumber turns a raw XLSX number such as "501.0" into "501". Programs
// that write a column of integers with blanks in it as floats (pandas
// does) store rooms and phone numbers that way.
func wholeNumber(s string) string {
	if t, ok := strings.CutSuffix(s, ".0"); ok && digits(t) {
		return t
	}
	return s
}

// place returns the canonical place name of column c and checks it.
func (p *parser) place(cells []string, c int) string {
	if p.h.idx[c] < 0 {
		return ""
	}
	raw := p.cell(cells, c)
	if raw == "" {
		if required(c, p.under) {
			p.fail(c, "the "+columns[c].noun+" is missing")
		}
		return ""
	}
	name := p.placeName(c, raw)
	if utf8.RuneCountInString(name) > 100 {
		p.fail(c, "the "+columns[c].noun+" name is longer than 100 characters")
	}
	return name
}

// placeName canonicalizes a place name through the column's cache.
func (p *parser) placeName(c int, raw string) string {
	if name, ok := p.names[c][raw]; ok {
		return name
	}
	var name string
	switch c {
	case cBuilding:
		name = frontline.BuildingName(raw)
	case cUnit:
		name = frontline.UnitName(raw)
	case cRoom:
		name = frontline.RoomName(raw)
	default:
		name = cleanName(frontline.FoldWidth(raw))
	}
	if p.names[c] == nil {
		p.names[c] = make(map[string]string)
	}
	if len(p.names[c]) < maxCached {
		// Clone both: they may point into the row's cells, and a cached
		// string should not keep a whole row of personal data alive.
		name = strings.Clone(name)
		p.names[c][strings.Clone(raw)] = name
	}
	return name
}

// cleanName is frontline.CleanName without its allocation in the common
// case of a name with no space or BOM to remove.
func cleanName(s string) string {
	for _, r := range s {
		if r == '\uFEFF' || unicode.IsSpace(r) {
			return frontline.CleanName(s)
		}
	}
	return s
}

// person fills a Person from the row's cells. Values that cannot be
// parsed are reported here and left empty, so that Validate still checks
// the rest of the row.
func (p *parser) person(ps *frontline.Person, cells []string) {
	ps.Name = p.cell(cells, cName)
	ps.IDNumber = p.idNumber(cells)
	ps.Phone = strings.TrimPrefix(p.cell(cells, cPhone), "'")
	if v := p.cell(cells, cIDType); v != "" {
		t, ok := frontline.ParseIDType(v)
		if !ok {
			p.fail(cIDType, fmt.Sprintf("unknown document type %q (write %s)", v, idTypeHint))
			// The number cannot be checked without its type; only say
			// when it is missing.
			t = frontline.IDPassport
			if ps.IDNumber != "" {
				ps.IDNumber = standInPassport
			}
		}
		ps.IDType = t
	}
	if v := p.cell(cells, cSex); v != "" {
		s, ok := frontline.ParseSex(v)
		if !ok {
			p.fail(cSex, fmt.Sprintf("unknown sex %q (write 男 or 女)", v))
		}
		ps.Sex = s
	}
	if v := p.cell(cells, cBirthDate); v != "" {
		d, ok := p.date(v)
		if !ok {
			p.fail(cBirthDate, fmt.Sprintf("%q is not a possible birth date", v))
		}
		ps.BirthDate = d
	}
	p.personLabels(ps, cells)
}

// personLabels reads the columns written as labels: relation, flags, status.
func (p *parser) personLabels(ps *frontline.Person, cells []string) {
	if v := p.cell(cells, cRelation); v != "" {
		rel, ok := frontline.ParseRelation(v)
		if !ok {
			p.fail(cRelation, fmt.Sprintf("unknown relation %q (write %s)", v, relationHint))
		}
		ps.Relation = rel
	}
	if v := p.cell(cells, cFlags); v != "" {
		flags, unknown := frontline.ParseFlags(v)
		if unknown != "" {
			p.fail(cFlags, fmt.Sprintf("unknown flag %q (write %s)", unknown, flagHint))
		}
		ps.Flags = flags
	}
	if v := p.cell(cells, cStatus); v != "" {
		st, ok := frontline.ParseStatus(v)
		if !ok {
			p.fail(cStatus, fmt.Sprintf("unknown residence status %q (write %s)", v, statusHint))
			st = frontline.StatusResident
		}
		ps.Status = st
	}
}

// idNumber returns the ID number cell. A leading apostrophe is how people
// force text in a spreadsheet; it is not part of the number. A number in
// scientific notation is what Excel leaves of an ID number typed into a
// number cell: its last digits are gone and cannot be guessed.
func (p *parser) idNumber(cells []string) string {
	v := strings.TrimPrefix(p.cell(cells, cIDNumber), "'")
	switch {
	case v == "":
	case p.facts != nil && p.facts.numeric[p.row]:
		// Whatever it looks like now, a number cell kept 15 digits at
		// most: the rest were lost, or will be on the next save.
		p.fail(cIDNumber, fmt.Sprintf("the ID number is stored as a number (%s), which keeps 15 digits at most; format the column as text and type the numbers again", v))
	case scientific(v):
		p.fail(cIDNumber, fmt.Sprintf("the ID number was stored as a number and lost its last digits (%s); format the column as text and type it again", v))
	case numberLike(v, p.now):
		p.fail(cIDNumber, fmt.Sprintf("the ID number was stored as a number (%s) and its last digits are lost; format the column as text and type it again", v))
	}
	return v
}

// numberLike reports whether an ID number cell shows how a spreadsheet
// writes a number: digit groups (620,502,199,001,021,000), a decimal part
// (620502199001021000.00), or 18 digits ending in zeros past the 15 a
// number keeps (620502199001021000) that are no valid ID.
func numberLike(s string, now time.Time) bool {
	if whole, frac, ok := strings.Cut(s, "."); ok && len(whole) >= 15 && digits(strings.ReplaceAll(whole, ",", "")) && digits(frac) {
		return true
	}
	if strings.Contains(s, ",") && len(s) >= 19 {
		groups := strings.Split(s, ",")
		for i, g := range groups {
			if !digits(g) || len(g) > 3 || i > 0 && len(g) != 3 {
				return false
			}
		}
		return true
	}
	if len(s) == 18 && digits(s) && strings.HasSuffix(s, "000") {
		_, err := frontline.ParseMainlandID(s, now)
		return err != nil
	}
	return false
}

// scientific reports whether s is a number like 6.20502E+17.
func scientific(s string) bool {
	e := strings.IndexAny(s, "Ee")
	if e < 0 {
		return false // the common case, decided without allocating
	}
	mant, exp := s[:e], s[e+1:]
	if mant == "" || mant[0] == '.' {
		return false
	}
	for i := 0; i < len(mant); i++ {
		if (mant[i] < '0' || mant[i] > '9') && mant[i] != '.' {
			return false
		}
	}
	if exp != "" && (exp[0] == '+' || exp[0] == '-') {
		exp = exp[1:]
	}
	return digits(exp)
}

// validate runs Person.Validate, the one place the person rules live, and
// reports its error on the cell of the field it names. Validate stops at
// the first problem, so the field at fault is set to a harmless value and
// the person validated again, until every cell has had its say.
func (p *parser) validate(ps *frontline.Person) {
	for range numColumns {
		err := ps.Validate(p.now)
		if err == nil {
			return
		}
		var fe *frontline.Error
		c, ok := -1, errors.As(err, &fe)
		if ok {
			c, ok = columnByName[fe.Field]
		}
		if !ok || !neutralize(ps, c) {
			// Unknown to us: report it on the row and stop rather than loop.
			p.errs = append(p.errs, frontline.RowError{Row: p.row, Message: frontline.ErrorMessage(err)})
			return
		}
		p.fail(c, fe.Message)
	}
}

// standInPassport is a passport number of valid form that stands in, only
// while the rest of a row is checked, for a document number that could not
// be checked. The row already has an error, so it is never imported and
// the stand-in is never stored or shown.
const standInPassport = "XXXXXXXX"

// neutralize replaces the field of column c by a value Validate accepts.
func neutralize(ps *frontline.Person, c int) bool {
	switch c {
	case cName:
		ps.Name = "-"
	case cIDType:
		ps.IDType = frontline.IDMainland
	case cIDNumber:
		// A passport number is checked for form only, so the birth date
		// and sex are no longer compared with a number that is wrong.
		ps.IDType, ps.IDNumber = frontline.IDPassport, standInPassport
	case cPhone:
		ps.Phone = ""
	case cSex:
		ps.Sex = ""
	case cBirthDate:
		ps.BirthDate = ""
	case cRelation:
		ps.Relation = ""
	case cFlags:
		ps.Flags = nil
	case cStatus:
		ps.Status = frontline.StatusResident
	default:
		return false
	}
	return true
}

// dedupe reports the row when an earlier row has the same ID, and that
// earlier row too: which of the two is right is for the office to say, so
// neither is imported.
func (p *parser) dedupe(r *frontline.ResidentRow) {
	k := idKey{r.Person.IDType, r.Person.IDNumber}
	col, what := cIDNumber, "ID number "+frontline.MaskIDNumber(k.n)
	if k.t == frontline.IDNone {
		// Without a number, the same name and birth date at the same
		// address is the same person (frontline.SamePersonWithoutDocument).
		k.n = r.Person.Name + "\x00" + r.Person.BirthDate + "\x00" + r.Address()
		col, what = cName, r.Person.Name+" (born "+r.Person.BirthDate+", no document)"
	}
	first, ok := p.seen.get(k)
	if !ok {
		p.seen.put(k, r.Row)
		return
	}
	// The first row's address is read again at the end (rereadBad); the
	// cell is marked bad now.
	p.cellBad[col], p.dupRow = true, true
	p.dups = append(p.dups, dup{row: r.Row, first: first, col: col, what: what})
	if p.told[first] {
		return // the first row names the first duplicate only
	}
	if p.told == nil {
		p.told = make(map[int]bool)
	}
	p.told[first] = true
	p.late = append(p.late, frontline.RowError{Row: first, Column: p.h.labels[col],
		Message: fmt.Sprintf("%s appears twice in the file: also on row %d (%s)", what, r.Row, r.Address())})
	p.bad[first] = true
}
