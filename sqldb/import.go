package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.ImportService = (*ImportService)(nil)

// ImportService imports resident lists in one transaction per file.
type ImportService struct{ db *DB }

// NewImportService returns an ImportService on db.
func NewImportService(db *DB) *ImportService { return &ImportService{db: db} }

// ImportResidents checks f against the tree and the registry, then writes
// the good rows, creating missing places, in one transaction. See
// frontline.ImportService.
//
// A principal needs PermImportExport, and the import node must be inside
// their scope (ENOTFOUND otherwise); every place the file creates is under
// it.
func (s *ImportService) ImportResidents(ctx context.Context, f *frontline.ResidentFile, opts frontline.ImportOptions) (*frontline.ImportResult, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermImportExport)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	im, err := newImporter(ctx, tx, f, opts)
	if err != nil {
		return nil, err
	}
	res := im.check(ctx)
	if err := im.err; err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 && (!opts.SkipBad || im.fileErrors) {
		if opts.Sync && opts.SkipBad {
			return res, frontline.Errorf(frontline.EINVALID, "%s: %d problem(s) found; a sync takes a file without a bad row, nothing was imported", f.Name, len(res.Errors))
		}
		return res, frontline.Errorf(frontline.EINVALID, "%s: %d problem(s) found, nothing was imported", f.Name, len(res.Errors))
	}
	if opts.DryRun {
		return res, nil
	}
	if err := im.write(ctx); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "import", "place", im.under.ID, im.under.Path, nil, map[string]any{
		"file": f.Name, "rows": res.Rows, "imported": res.Imported, "skipped": res.Skipped, "places_created": res.PlacesCreated,
		"added": res.Added, "updated": res.Updated, "moved": res.Moved, "unchanged": res.Unchanged, "moved_out": res.MovedOut,
	}); err != nil {
		return nil, err
	}
	return res, tx.Commit()
}

// node is a place of the subtree being imported into, held in memory so
// that a million rows resolve their places without a query each.
type node struct {
	id       int64
	parent   *node
	kind     frontline.PlaceKind
	name     string
	path     string
	isNew    bool
	children map[string]*node // kind + "\x00" + name → child
	delta    counts           // what this import adds under the node
}

func (n *node) child(kind frontline.PlaceKind, name string) *node {
	return n.children[string(kind)+"\x00"+name]
}

func (n *node) addChild(c *node) {
	if n.children == nil {
		n.children = map[string]*node{}
	}
	c.parent = n
	n.children[string(c.kind)+"\x00"+c.name] = c
}

type importer struct {
	tx         *Tx
	f          *frontline.ResidentFile
	opts       frontline.ImportOptions
	under      *frontline.Place
	above      []*frontline.Place // ancestors of under, root first
	root       *node              // under itself
	byID       map[int64]*node
	created    []*node              // new places in creation order: parents first
	homes      []*node              // household of each row of f.Rows, nil when bad
	bad        map[int]bool         // bad row numbers
	errors     []frontline.RowError // problems found here
	fileErrors bool                 // a problem with the whole file: nothing can be imported
	err        error                // a database failure while checking
	matches    []*match             // the registered person of each row, nil when new
	updates    []update             // registered persons the rows change
	out        []*match             // registered persons a sync moves out
}

func newImporter(ctx context.Context, tx *Tx, f *frontline.ResidentFile, opts frontline.ImportOptions) (*importer, error) {
	im := &importer{tx: tx, f: f, opts: opts, bad: map[int]bool{}, byID: map[int64]*node{}}
	var err error
	if opts.Under == 0 {
		return nil, frontline.Errorf(frontline.EINVALID, "say which place the file is imported under (--under)")
	}
	if im.under, err = tx.findPlaceByID(ctx, opts.Under); err != nil {
		return nil, err
	}
	if im.under.Kind.Rank() < frontline.KindDistrict.Rank() || im.under.Kind.Rank() > frontline.KindCompound.Rank() {
		return nil, frontline.Errorf(frontline.EINVALID,
			"a resident list is imported under a district, subdistrict, community or compound; %s is a %s", im.under.Name, im.under.Kind)
	}
	if im.above, err = tx.ancestors(ctx, im.under); err != nil {
		return nil, err
	}
	return im, im.loadTree(ctx)
}

// loadTree reads the existing subtree under the import node.
func (im *importer) loadTree(ctx context.Context) error {
	lo, hi := subtreeRange(im.under.Path)
	rows, err := im.tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), kind, name, path FROM places
		WHERE path >= ? AND path < ? AND retired_at IS NULL ORDER BY path`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	parents := map[int64]int64{}
	for rows.Next() {
		n := &node{}
		var parent int64
		if err := rows.Scan(&n.id, &parent, &n.kind, &n.name, &n.path); err != nil {
			return err
		}
		im.byID[n.id], parents[n.id] = n, parent
	}
	if err := rows.Err(); err != nil {
		return err
	}
	im.root = im.byID[im.under.ID]
	for id, n := range im.byID {
		if p := im.byID[parents[id]]; p != nil && id != im.under.ID {
			p.addChild(n)
		}
	}
	return nil
}

// check resolves every row's household (planning the places to create),
// validates it, and finds duplicates in the file and in the registry.
func (im *importer) check(ctx context.Context) *frontline.ImportResult {
	res := &frontline.ImportResult{Rows: len(im.f.Rows), DryRun: im.opts.DryRun}
	for _, e := range im.f.Errors {
		if e.Row == 0 {
			im.fileErrors = true
		} else if !im.bad[e.Row] {
			im.bad[e.Row] = true
			res.Rows++
		}
	}
	im.homes = make([]*node, len(im.f.Rows))
	invalid := validateRows(im.f.Rows, im.tx.now)
	for i := range im.f.Rows {
		r := &im.f.Rows[i]
		if err := invalid[i]; err != nil {
			im.rowError(r.Row, fieldColumn(frontline.ErrorField(err)), frontline.ErrorMessage(err))
			continue
		}
		im.homes[i] = im.resolve(r)
	}
	im.checkDuplicatesInFile()
	im.matchRegistry(ctx)
	// A row that turned out bad must not create places: plan again for the
	// good rows only, so the places created are exactly what the good rows
	// need.
	if len(im.bad) > 0 {
		im.replan()
	}

	res.Errors = append(slices.Clone(im.f.Errors), im.errors...)
	slices.SortStableFunc(res.Errors, func(a, b frontline.RowError) int { return cmp.Compare(a.Row, b.Row) })
	for row := range im.bad {
		res.SkippedRows = append(res.SkippedRows, row)
	}
	slices.Sort(res.SkippedRows)
	res.Skipped = len(res.SkippedRows)
	res.Imported = res.Rows - res.Skipped
	res.PlacesCreated = len(im.created)
	if im.err == nil {
		im.classify(ctx, res)
	}
	if im.opts.Sync && im.err == nil {
		if len(res.Errors) > 0 {
			// A bad row may be a person the office still has: a sync
			// would move them out.
			im.fileErrors = true
		} else {
			im.err = im.syncOut(ctx, res)
		}
	}
	return res
}

func (im *importer) rowError(row int, column, msg string) {
	im.bad[row] = true
	im.errors = append(im.errors, frontline.RowError{Row: row, Column: im.f.Column(column), Message: msg})
}

// fieldColumn maps a Person field to the file column it came from.
func fieldColumn(field string) string {
	if field == "" {
		return frontline.ColName
	}
	return field // Person's field names are the column names
}

// levelValue returns the row's name for a level, and its column.
func levelValue(r *frontline.ResidentRow, k frontline.PlaceKind) (string, string) {
	switch k {
	case frontline.KindSubdistrict:
		return frontline.CleanName(r.Subdistrict), frontline.ColSubdistrict
	case frontline.KindCommunity:
		return frontline.CleanName(r.Community), frontline.ColCommunity
	case frontline.KindCompound:
		return frontline.CleanName(r.Compound), frontline.ColCompound
	case frontline.KindBuilding:
		return frontline.BuildingName(r.Building), frontline.ColBuilding
	case frontline.KindUnit:
		return frontline.UnitName(r.Unit), frontline.ColUnit
	case frontline.KindHousehold:
		return frontline.RoomName(r.Room), frontline.ColRoom
	}
	return "", ""
}

// resolve finds or plans the household of a row, checking the levels the
// row names at or above the import node against the tree.
func (im *importer) resolve(r *frontline.ResidentRow) *node {
	for _, k := range []frontline.PlaceKind{frontline.KindSubdistrict, frontline.KindCommunity, frontline.KindCompound} {
		if k.Rank() > im.under.Kind.Rank() {
			break
		}
		name, col := levelValue(r, k)
		if want := im.nameAt(k); name != "" && name != want {
			im.rowError(r.Row, col, fmt.Sprintf("%s is not under %s, where this file is imported (expected %s)", name, im.under.Name, want))
			return nil
		}
	}
	cur := im.root
	for _, k := range frontline.PlaceKinds[im.under.Kind.Rank()+1:] {
		name, col := levelValue(r, k)
		if name == "" {
			if k == frontline.KindUnit {
				continue // buildings without units hold households directly
			}
			im.rowError(r.Row, col, "the "+string(k)+" is missing")
			return nil
		}
		next := cur.child(k, name)
		if next == nil {
			next = &node{kind: k, name: name, isNew: true}
			cur.addChild(next)
			im.created = append(im.created, next)
		}
		cur = next
	}
	return cur
}

// address names a node's places below the district, for messages.
func (im *importer) address(n *node) string {
	var names []string
	for p := n; p != nil; p = p.parent {
		if p.kind.Rank() > frontline.KindDistrict.Rank() {
			names = append(names, p.name)
		}
	}
	for i := len(im.above) - 1; i >= 0; i-- {
		if im.above[i].Kind.Rank() > frontline.KindDistrict.Rank() {
			names = append(names, im.above[i].Name)
		}
	}
	slices.Reverse(names)
	return strings.Join(names, "/")
}

// nameAt returns the name of the import node or its ancestor of kind k.
func (im *importer) nameAt(k frontline.PlaceKind) string {
	if im.under.Kind == k {
		return im.under.Name
	}
	for _, a := range im.above {
		if a.Kind == k {
			return a.Name
		}
	}
	return ""
}

func (im *importer) checkDuplicatesInFile() {
	seen := make(map[string]int, len(im.f.Rows))
	for i := range im.f.Rows {
		r := &im.f.Rows[i]
		if im.homes[i] == nil {
			continue
		}
		key := string(r.Person.IDType) + ":" + r.Person.IDNumber
		col, what := frontline.ColIDNumber, "ID number "+frontline.MaskIDNumber(r.Person.IDNumber)
		if r.Person.IDType == frontline.IDNone {
			// Without a number: the same name and birth date in the same
			// household (frontline.SamePersonWithoutDocument).
			key = fmt.Sprintf("none:%p:%s:%s", im.homes[i], r.Person.Name, r.Person.BirthDate)
			col, what = frontline.ColName, r.Person.Name+" (born "+r.Person.BirthDate+", no document)"
		}
		if j, ok := seen[key]; ok {
			first := &im.f.Rows[j]
			im.rowError(r.Row, col, fmt.Sprintf("%s appears twice in the file: also on row %d (%s)", what, first.Row, first.Address()))
			im.rowError(first.Row, col, fmt.Sprintf("%s appears twice in the file: also on row %d (%s)", what, r.Row, r.Address()))
			continue
		}
		seen[key] = i
	}
}
