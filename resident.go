package frontline

import (
	"context"
	"fmt"
	"strings"
)

// ResidentRow is one row of a resident list (居民花名册), parsed and checked
// on its own. The place columns are as the file wrote them, after width
// folding and trimming; Building and Unit are already in their canonical
// form (see BuildingName, UnitName).
type ResidentRow struct {
	Row         int // as a spreadsheet shows it, the header being row 1
	Subdistrict string
	Community   string
	Compound    string
	Building    string
	Unit        string
	Room        string
	Person      Person
}

// Address returns the row's place names joined with "/", for messages.
func (r *ResidentRow) Address() string {
	var parts []string
	for _, s := range []string{r.Subdistrict, r.Community, r.Compound, r.Building, r.Unit, r.Room} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "/")
}

// Resident list column names (formats/residents.md). The parser maps the
// headers offices use onto these.
const (
	ColSubdistrict = "subdistrict"
	ColCommunity   = "community"
	ColCompound    = "compound"
	ColBuilding    = "building"
	ColUnit        = "unit"
	ColRoom        = "room"
	ColName        = "name"
	ColIDType      = "id_type"
	ColIDNumber    = "id_number"
	ColPhone       = "phone"
	ColSex         = "sex"
	ColBirthDate   = "birth_date"
	ColRelation    = "relation"
	ColFlags       = "flags"
	ColStatus      = "status"
)

// RowError is a problem with one cell of an imported file.
type RowError struct {
	Row     int    `json:"row"`    // spreadsheet row number, header = 1; 0 for the whole file
	Column  string `json:"column"` // e.g. `F (身份证号)`; empty when about the whole row
	Message string `json:"message"`
}

// Error formats the problem as "row N, column C: reason".
func (e RowError) Error() string {
	switch {
	case e.Row == 0 && e.Column == "":
		return e.Message
	case e.Row == 0:
		return fmt.Sprintf("column %s: %s", e.Column, e.Message)
	case e.Column == "":
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s", e.Row, e.Column, e.Message)
}

// ResidentFile is a parsed resident list: the good rows, the problems found
// in the file itself, and how columns were named so later checks (against
// the database) can point at the same cells.
type ResidentFile struct {
	Name    string
	Rows    []ResidentRow
	Errors  []RowError
	Unknown []string          // headers that were not recognised, ignored
	Columns map[string]string // column name (ColIDNumber ...) → label such as `F (身份证号)`
	// BadRows holds the raw cells of each rejected row by row number, so a
	// file of skipped rows can be written.
	BadRows map[int][]string
	Header  []string
	// Sheet is the XLSX sheet read ("" for CSV) and HeaderRow the row
	// taken as the header, as a spreadsheet numbers it: titles and notes
	// above it are passed over, and the office is told which were.
	Sheet     string
	HeaderRow int

	// A file opened to be streamed (residentfile.Open) has no Rows: Each
	// reads the file again and hands fn its good rows in chunks, in file
	// order, so that an import holds a chunk rather than every row. The
	// first call also checks every row, and fills Errors, MoreErrors, Bad
	// and Sample; a row found bad late (the first of two that name one
	// person) may already have been handed to fn, and is then in Bad.
	Each func(fn func(rows []ResidentRow) error) error
	// MoreErrors counts the problems found past the first MaxRowErrors,
	// which alone are kept (a streamed file).
	MoreErrors int
	// Bad lists every bad row's number in order (a streamed file), Errors
	// being bounded.
	Bad []int
	// Sample holds the first good rows of a streamed file, for a preview.
	Sample []ResidentRow
}

// MaxRowErrors bounds the problems a streamed file or an import keeps in
// full: a wrong file has a problem on every row, and an office fixes the
// first ones and checks again. The rest are counted, and their rows are
// still skipped and written to the file of skipped rows.
const MaxRowErrors = 1000

// Source says where in the file the rows were read: "sheet 居民, header
// on row 3", or "header on row 1" for CSV.
func (f *ResidentFile) Source() string {
	return TableSource(f.Sheet, f.HeaderRow)
}

// TableSource says which sheet and header row of a file were read.
func TableSource(sheet string, headerRow int) string {
	s := fmt.Sprintf("header on row %d", headerRow)
	if sheet != "" {
		s = fmt.Sprintf("sheet %q, %s", sheet, s)
	}
	return s
}

// Column returns the label of a column for messages, or the column name
// when the file has no such column.
func (f *ResidentFile) Column(name string) string {
	if c, ok := f.Columns[name]; ok {
		return c
	}
	return name
}

// ImportOptions control an import of residents.
type ImportOptions struct {
	// Under is the node the file's places hang under. Columns for the levels
	// at or above it may be left out; when present they must name it or
	// its ancestors.
	Under   int64
	DryRun  bool // check everything, write nothing
	SkipBad bool // import the good rows, report and skip the bad ones
	// Sync makes the file the whole list of the node: registered persons
	// under it whom no row names are moved out. It needs a file without a
	// bad row (a bad row may be a person the office still has).
	Sync bool
	// Total is how many rows the file has, when a check told (an upload):
	// the progress is shown against it.
	Total int
	// Upload is the web upload the import runs for (0 from the command
	// line): its page shows the import's progress.
	Upload int64
}

// ImportProgress is how far an import has got: a file is read twice,
// once to check every row and once to write the good ones in batches.
type ImportProgress struct {
	Total   int `json:"total"`   // rows in the file, when known (0 otherwise)
	Checked int `json:"checked"` // rows checked
	Written int `json:"written"` // rows written (persons added or changed)
}

// Outcomes of a row of an import, and of a person a sync moves out.
const (
	ImportAdded     = "added"     // a new person
	ImportUpdated   = "updated"   // a registered person whose details changed
	ImportMoved     = "moved"     // a registered person now in another household (and maybe changed)
	ImportUnchanged = "unchanged" // a registered person as registered
	ImportMovedOut  = "moved_out" // registered under the node, named by no row (Sync)
)

// ImportChange is what an import does, or would do, to one person.
type ImportChange struct {
	Row      int    `json:"row,omitempty"` // 0 for a person moved out
	Outcome  string `json:"outcome"`
	PersonID int64  `json:"person_id,omitempty"` // 0 for a person added
	Name     string `json:"name"`
	// Fields are the details that change (phone, flags …) of an update.
	Fields []string `json:"fields,omitempty"`
	// From and To are the addresses of a person who moves.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// ImportResult says what an import did, or would do on a dry run.
type ImportResult struct {
	Rows          int        `json:"rows"`
	Imported      int        `json:"imported"`
	Skipped       int        `json:"skipped"`
	PlacesCreated int        `json:"places_created"`
	Errors        []RowError `json:"errors,omitempty"`
	// MoreErrors counts the problems past the first MaxRowErrors, which
	// alone are listed in Errors.
	MoreErrors int `json:"more_errors,omitempty"`
	// SkippedRows are the row numbers not imported (with SkipBad).
	SkippedRows []int `json:"skipped_rows,omitempty"`
	DryRun      bool  `json:"dry_run"`
	// What the rows are: new persons, registered ones updated, moved or
	// unchanged; and the persons a sync moves out.
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Moved     int `json:"moved"`
	Unchanged int `json:"unchanged"`
	MovedOut  int `json:"moved_out"`
	// Changes lists every person updated, moved or moved out (and added
	// on a dry run), in row order, moved out last.
	Changes []ImportChange `json:"changes,omitempty"`
}

// ImportService imports resident lists.
//
// ImportResidents checks the whole file against the database (duplicate ID
// numbers inside the file and against persons already registered, place
// names against the tree under opts.Under) and then writes it: all of it,
// or nothing when it fails (the batches written are removed). When any
// row is bad and SkipBad is not set it writes nothing and returns an
// EINVALID error together with a result listing the problems.
type ImportService interface {
	ImportResidents(ctx context.Context, f *ResidentFile, opts ImportOptions) (*ImportResult, error)
}

// BuildingName returns the canonical name of a building written as "3",
// "3号楼", "3栋", "3号", "3幢" or "３号楼": "3号楼". Names that are not a
// number with such a suffix ("综合楼", "A座") are kept as written.
func BuildingName(s string) string {
	return numberedName(s, []string{"号楼", "栋", "幢", "号", "楼"}, "号楼")
}

// UnitName returns the canonical name of a unit written as "2" or "2单元":
// "2单元".
func UnitName(s string) string {
	return numberedName(s, []string{"单元"}, "单元")
}

func numberedName(s string, suffixes []string, canonical string) string {
	s = strings.Join(strings.Fields(FoldWidth(s)), "")
	if s == "" {
		return ""
	}
	n := s
	for _, suf := range suffixes {
		if strings.HasSuffix(n, suf) {
			n = strings.TrimSuffix(n, suf)
			break
		}
	}
	if n == "" {
		return s
	}
	for _, r := range n {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && r != '-' {
			return s
		}
	}
	return strings.ToUpper(n) + canonical
}

// RoomName returns the canonical household name for a room: width folded,
// spaces removed, a trailing 室 or 户 dropped ("501室" is "501").
func RoomName(s string) string {
	s = strings.Join(strings.Fields(FoldWidth(s)), "")
	for _, suf := range []string{"室", "户"} {
		if t := strings.TrimSuffix(s, suf); t != "" {
			s = t
		}
	}
	return strings.ToUpper(s)
}
