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

// ImportService imports resident lists. A file is read twice: once to
// check every row against the tree and the registry, holding nothing of a
// row but its household and a byte of state, and once to write the good
// rows in batches, each its own transaction, so that other users' writes
// go between them (SQLite has one writer at a time). Everything a running
// import wrote carries its import_id; when it fails, or its server stops,
// that is deleted again (see cleanup and SweepInterrupted), so an import
// still ends with all of its rows or none.
type ImportService struct {
	db *DB
	// batchRows is how many persons one transaction writes.
	batchRows int
	// afterBatch, when set (tests), runs after each batch is committed;
	// an error fails the import there.
	afterBatch func(batch int) error
	// knownMinRows is how many rows are checked at least before the import
	// node's persons are loaded (import_known.go).
	knownMinRows int
}

// NewImportService returns an ImportService on db.
func NewImportService(db *DB) *ImportService {
	return &ImportService{db: db, batchRows: importBatchRows, knownMinRows: knownMinRows}
}

// importBatchRows is how many persons one transaction of an import writes:
// on SQLite about 0.4 s of the writer's CPU (300,000 rows into a loaded
// two-core machine's SQLite took 4.5 CPU seconds of inserts), which is
// what another user's write waits at most. Each commit writes every index
// page its batch touched, and rows on random keys (ID numbers, names,
// phones) touch most of them: 10,000 rows a batch spent 1.1 CPU seconds
// of 300,000 rows in commits, 25,000 spend 0.7.
const importBatchRows = 25_000

// ImportResidents checks f against the tree and the registry, then writes
// the good rows, creating missing places. See frontline.ImportService.
//
// A principal needs PermImportExport, and the import node must be inside
// their scope (ENOTFOUND otherwise); every place the file creates is under
// it.
func (s *ImportService) ImportResidents(ctx context.Context, f *frontline.ResidentFile, opts frontline.ImportOptions) (*frontline.ImportResult, error) {
	if err := authorize(ctx, frontline.PermImportExport); err != nil {
		return nil, err
	}
	each := f.Each
	if each == nil {
		each = inChunks(f.Rows)
	}
	var run *importRun
	if !opts.DryRun {
		var err error
		if run, err = s.startRun(ctx, f.Name, opts); err != nil {
			return nil, err
		}
	}
	res, err := s.importRows(ctx, f, each, opts, run)
	if run != nil && err != nil {
		s.fail(ctx, run, err)
	}
	return res, err
}

func (s *ImportService) importRows(ctx context.Context, f *frontline.ResidentFile, each func(func([]frontline.ResidentRow) error) error,
	opts frontline.ImportOptions, run *importRun) (*frontline.ImportResult, error) {
	im, res, err := s.check(ctx, f, each, opts, run)
	if err != nil {
		return nil, err
	}
	if (len(res.Errors) > 0 || res.MoreErrors > 0) && (!opts.SkipBad || im.fileErrors) {
		n := len(res.Errors) + res.MoreErrors
		if opts.Sync && opts.SkipBad {
			return res, frontline.Errorf(frontline.EINVALID, "%s: %d problem(s) found; a sync takes a file without a bad row, nothing was imported", f.Name, n)
		}
		return res, frontline.Errorf(frontline.EINVALID, "%s: %d problem(s) found, nothing was imported", f.Name, n)
	}
	if opts.DryRun {
		return res, nil
	}
	if err := im.write(ctx, each, res); err != nil {
		return nil, err
	}
	s.analyze(ctx, res)
	return res, nil
}

// analyzeRows is how many persons and places an import adds before it
// has PostgreSQL's statistics brought up to date.
const analyzeRows = 10_000

// analyze gives PostgreSQL's planner the real size of the tables a big
// import filled, now rather than when autovacuum next looks (every test
// schema and every import competes for it). Planned on the statistics of
// an empty table, the next import's lookups by ID number (500 numbers
// and their households a query) read the tables whole: re-importing
// 300,000 rows right after importing them took 123 s of the server's CPU.
func (s *ImportService) analyze(ctx context.Context, res *frontline.ImportResult) {
	if s.db.Engine != Postgres || res.Added+res.PlacesCreated < analyzeRows {
		return
	}
	if _, err := s.db.write.ExecContext(ctx, `ANALYZE persons, places`); err != nil {
		s.db.logger.Warn("analyze after an import", "err", err)
	}
}

// inChunks hands rows already in memory on as a streamed file's Each does.
func inChunks(rows []frontline.ResidentRow) func(func([]frontline.ResidentRow) error) error {
	return func(fn func([]frontline.ResidentRow) error) error {
		for start := 0; start < len(rows); start += 1024 {
			if err := fn(rows[start:min(start+1024, len(rows))]); err != nil {
				return err
			}
		}
		return nil
	}
}

// check is the first pass, in one read transaction: every row resolved to
// its household (planning the places to create), validated, matched
// against the registry and classified.
func (s *ImportService) check(ctx context.Context, f *frontline.ResidentFile, each func(func([]frontline.ResidentRow) error) error,
	opts frontline.ImportOptions, run *importRun) (*importer, *frontline.ImportResult, error) {
	tx, err := s.db.readTx(ctx, frontline.PermImportExport)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	restore, err := tx.narrowCheckCache(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer restore()
	im, err := newImporter(ctx, tx, f, opts)
	if err != nil {
		return nil, nil, err
	}
	im.svc, im.run = s, run
	if err := each(func(rows []frontline.ResidentRow) error { return im.checkChunk(ctx, rows) }); err != nil {
		return nil, nil, err
	}
	if im.err != nil {
		return nil, nil, im.err
	}
	res := im.settle(ctx)
	if im.err != nil {
		return nil, nil, im.err
	}
	return im, res, nil
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
	used     bool             // new, and the household of a good row is under it
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
	svc        *ImportService
	run        *importRun // nil on a dry run
	tx         *Tx        // the read transaction of the check, then each batch's
	f          *frontline.ResidentFile
	opts       frontline.ImportOptions
	under      *frontline.Place
	above      []*frontline.Place // ancestors of under, root first
	root       *node              // under itself
	byID       map[int64]*node
	created    []*node // new places in creation order: parents first
	fileErrors bool    // a problem with the whole file: nothing can be imported
	err        error   // a database failure while checking

	// What is kept of each row, by its row number: its household and a
	// byte of state (row* flags). A million rows take 9 MB.
	homes []*node
	state []uint8
	rows  int // rows handed on by the reader

	errors     []frontline.RowError // problems found here, at most frontline.MaxRowErrors
	moreErrors int                  // and how many more
	seen       map[string]seenRow   // person → the first row naming them, to find the same one twice
	// registryEmpty is 1 when the registry had no person at the start,
	// 2 when it had, 0 before the first chunk.
	registryEmpty int
	// known are the persons with a document under the import node, once
	// loaded (import_known.go); knownTried says the load was done.
	known      *knownSet
	knownTried bool
	changes    []frontline.ImportChange
	updates    []update       // registered persons the rows change
	named      map[int64]bool // registered persons the rows name (Sync)
	out        []*match       // registered persons a sync moves out
	checked    int            // rows checked, for the progress
	beatAt     int            // rows checked at the last progress written
	res        frontline.ImportResult
	batches    int // transactions committed by the write
}

// Flags of a row's state.
const (
	rowSeen       uint8 = 1 << iota // handed on by the reader
	rowBad                          // has a problem: skipped
	rowNew                          // a new person
	rowUnchanged                    // a registered person as registered
	rowResident                     // a new person counted as a resident
	rowVulnerable                   // and as vulnerable
)

// maxChanges bounds the changes an import lists: the counts stay exact,
// and a page shows the first ones.
const maxChanges = 10_000

func newImporter(ctx context.Context, tx *Tx, f *frontline.ResidentFile, opts frontline.ImportOptions) (*importer, error) {
	im := &importer{tx: tx, f: f, opts: opts, byID: map[int64]*node{}, seen: map[string]seenRow{}}
	if opts.Sync {
		im.named = map[int64]bool{}
	}
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

// flag returns the state of a row; set adds flags to it.
func (im *importer) flag(row int) uint8 {
	if row < len(im.state) {
		return im.state[row]
	}
	return 0
}

func (im *importer) set(row int, f uint8) {
	if row >= len(im.state) {
		im.state = slices.Grow(im.state, row+1-len(im.state))[:row+1]
		im.homes = slices.Grow(im.homes, row+1-len(im.homes))[:row+1]
	}
	im.state[row] |= f
}

func (im *importer) bad(row int) bool { return im.flag(row)&rowBad != 0 }

func (im *importer) home(row int) *node {
	if row < len(im.homes) {
		return im.homes[row]
	}
	return nil
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

// checkChunk checks a chunk of rows: resolves each row's household,
// validates it, matches it against the registry and classifies it.
func (im *importer) checkChunk(ctx context.Context, rows []frontline.ResidentRow) error {
	if im.err != nil {
		return im.err
	}
	// A streamed file's reader has validated every row it hands on, with
	// the same Person.Validate; rows given in memory are validated here.
	var invalid []error
	if im.f.Each == nil {
		invalid = validateRows(rows, im.tx.now)
	}
	for i := range rows {
		r := &rows[i]
		im.rows++
		im.set(r.Row, rowSeen)
		if invalid != nil && invalid[i] != nil {
			err := invalid[i]
			im.rowError(r.Row, fieldColumn(frontline.ErrorField(err)), frontline.ErrorMessage(err))
			continue
		}
		h := im.resolve(r)
		if h == nil {
			continue
		}
		im.homes[r.Row] = h
		im.dedupe(r, h)
	}
	ms := im.matchRegistry(ctx, rows)
	if im.err == nil {
		im.classify(ctx, rows, ms)
	}
	im.checked += len(rows)
	if im.err == nil && im.run != nil && im.checked-im.beatAt >= progressRows {
		im.beatAt = im.checked
		im.err = im.svc.beat(ctx, im.run, im.checked, 0)
	}
	return im.err
}

// progressRows is how many rows the check goes between two records of its
// progress (and heartbeats).
const progressRows = 10_000

// settle ends the check once every bad row is known: a row found bad late
// (the first of two that name one person) must neither count nor create
// places, so the places to create and the counts are worked out only now,
// from the households of the good rows.
func (im *importer) settle(ctx context.Context) *frontline.ImportResult {
	res := &im.res
	res.DryRun = im.opts.DryRun
	res.Rows = im.rows
	for _, e := range im.f.Errors {
		if e.Row == 0 {
			im.fileErrors = true
		}
	}
	// The reader's bad rows: every one listed for a streamed file, those of
	// its problems otherwise.
	bad := im.f.Bad
	if im.f.Each == nil {
		for _, e := range im.f.Errors {
			if e.Row > 0 {
				bad = append(bad, e.Row)
			}
		}
	}
	for _, row := range bad {
		if im.flag(row)&rowSeen == 0 && !im.bad(row) {
			res.Rows++
		}
		im.set(row, rowBad)
	}
	res.Errors = append(slices.Clone(im.f.Errors), im.errors...)
	slices.SortStableFunc(res.Errors, func(a, b frontline.RowError) int { return cmp.Compare(a.Row, b.Row) })
	res.MoreErrors = im.f.MoreErrors + im.moreErrors
	if n := len(res.Errors) - frontline.MaxRowErrors; n > 0 {
		res.Errors, res.MoreErrors = res.Errors[:frontline.MaxRowErrors], res.MoreErrors+n
	}
	own := map[*node]counts{}
	for row, st := range im.state {
		if st&rowBad != 0 {
			res.SkippedRows = append(res.SkippedRows, row)
			continue
		}
		h := im.homes[row]
		if h == nil {
			continue
		}
		for p := h; p != nil && p.isNew && !p.used; p = p.parent {
			p.used = true
			if p.kind == frontline.KindHousehold {
				own[p] = counts{households: 1}
			}
		}
		switch {
		case st&rowNew != 0:
			res.Added++
			c := own[h]
			if st&rowResident != 0 {
				c.residents++
			}
			if st&rowVulnerable != 0 {
				c.vulnerable++
			}
			own[h] = c
		case st&rowUnchanged != 0:
			res.Unchanged++
		}
	}
	for n, c := range own {
		for p := n; p != nil; p = p.parent {
			p.delta = counts{p.delta.households + c.households, p.delta.residents + c.residents, p.delta.vulnerable + c.vulnerable}
		}
	}
	im.created = slices.DeleteFunc(im.created, func(n *node) bool { return !n.used })
	res.Skipped = len(res.SkippedRows)
	res.Imported = res.Rows - res.Skipped
	res.PlacesCreated = len(im.created)
	im.updates = slices.DeleteFunc(im.updates, func(u update) bool { return im.bad(u.row) })
	for _, u := range im.updates {
		if u.moved {
			res.Moved++
		} else {
			res.Updated++
		}
	}
	for _, c := range im.changes {
		if !im.bad(c.Row) && len(res.Changes) < maxChanges {
			res.Changes = append(res.Changes, c)
		}
	}
	im.changes = nil
	if im.opts.Sync {
		if len(res.Errors) > 0 || res.MoreErrors > 0 {
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
	im.set(row, rowBad)
	if len(im.errors) >= frontline.MaxRowErrors {
		im.moreErrors++
		return
	}
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

// dedupe finds a person listed twice: the same document number, or,
// without one, the same name and birth date in one household
// (frontline.SamePersonWithoutDocument). A streamed file's reader has
// compared the numbers already; rows given in memory (built by a program,
// not read) are compared here, where they stay in memory anyway.
func (im *importer) dedupe(r *frontline.ResidentRow, h *node) {
	key := string(r.Person.IDType) + ":" + r.Person.IDNumber
	col, what := frontline.ColIDNumber, "ID number "+frontline.MaskIDNumber(r.Person.IDNumber)
	if r.Person.IDType == frontline.IDNone {
		key = fmt.Sprintf("none:%p:%s:%s", h, r.Person.Name, r.Person.BirthDate)
		col, what = frontline.ColName, r.Person.Name+" (born "+r.Person.BirthDate+", no document)"
	} else if im.f.Each != nil {
		return
	}
	first, ok := im.seen[key]
	if !ok {
		im.seen[key] = seenRow{r.Row, r.Address(), h}
		return
	}
	firstAddr := first.addr
	if im.f.Each != nil {
		firstAddr = im.address(first.home)
	}
	addr := r.Address()
	if im.f.Each != nil {
		addr = im.address(h)
	}
	im.rowError(r.Row, col, fmt.Sprintf("%s appears twice in the file: also on row %d (%s)", what, first.row, firstAddr))
	im.rowError(first.row, col, fmt.Sprintf("%s appears twice in the file: also on row %d (%s)", what, r.Row, addr))
}

// seenRow is the first row that named a person.
type seenRow struct {
	row  int
	addr string // as the file wrote it (rows in memory)
	home *node
}
