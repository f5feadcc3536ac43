package sqldb

import (
	"context"
	"fmt"
	"slices"

	"github.com/frontline-org/frontline"
)

// matchBatch is how many document numbers one lookup asks for.
const matchBatch = 500

// matchColumns are what an import reads of a registered person: what a
// row may change and what names them, not when and by whom they were
// written (parsing those times was a tenth of a re-import's lookups).
const matchColumns = `p.id, p.household_id, p.name, p.sex, p.birth_date, p.id_type, p.id_number, p.phone,
	p.relation, p.flags, p.status`

// scanMatch scans matchColumns and the household's path.
func scanMatch(sc interface{ Scan(...any) error }, path *string) (*frontline.Person, error) {
	var p frontline.Person
	var flags string
	if err := sc.Scan(&p.ID, &p.HouseholdID, &p.Name, &p.Sex, &p.BirthDate, &p.IDType, &p.IDNumber, &p.Phone,
		&p.Relation, &flags, &p.Status, path); err != nil {
		return nil, err
	}
	p.Flags = splitFlags(flags)
	return &p, nil
}

// match is the registered person a row names, as registered.
type match struct {
	p    *frontline.Person
	path string // of their household
}

// matchRegistry finds the registered person of each good row of a chunk,
// returned by index in rows: by document number anywhere in the registry,
// or, for a person without one, by name, birth date and phone in the row's
// household. A row names the person it matches, to update; a holder outside
// the caller's scope is an error (the office cannot take a person from
// another's area by listing them).
func (im *importer) matchRegistry(ctx context.Context, rows []frontline.ResidentRow) []*match {
	ms := make([]*match, len(rows))
	if im.registryEmpty == 0 {
		var registered int
		if im.err = im.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM persons LIMIT 1) AS p`).Scan(&registered); im.err != nil {
			return ms
		}
		im.registryEmpty = 1 + registered
	}
	if im.registryEmpty == 1 {
		return ms // an empty registry matches nothing: the first import of a city skips the lookups
	}
	if im.err = im.loadKnown(ctx); im.err != nil {
		return ms
	}
	var batch []int // indexes into rows
	flush := func() {
		if len(batch) > 0 && im.err == nil {
			im.err = im.lookupNumbers(ctx, rows, ms, batch)
		}
		batch = batch[:0]
	}
	for i := range rows {
		if im.home(rows[i].Row) == nil || im.bad(rows[i].Row) {
			continue
		}
		if rows[i].Person.IDType == frontline.IDNone {
			if im.err == nil {
				im.err = im.matchNoDocument(ctx, &rows[i], ms, i)
			}
			continue
		}
		if im.unchangedKnown(ctx, &rows[i]) {
			continue
		}
		if batch = append(batch, i); len(batch) == matchBatch {
			flush()
		}
	}
	flush()
	return ms
}

// matchNoDocument matches a row of a person without a document in its
// household, when the household exists.
func (im *importer) matchNoDocument(ctx context.Context, r *frontline.ResidentRow, ms []*match, i int) error {
	h := im.home(r.Row)
	if h.isNew {
		return nil
	}
	rows, err := im.tx.QueryContext(ctx, `SELECT `+matchColumns+`, h.path FROM persons p JOIN places h ON h.id = p.household_id
		WHERE p.household_id = ? AND p.id_type = 'none' AND p.name = ? AND p.birth_date = ? AND p.merged_into IS NULL`,
		h.id, r.Person.Name, r.Person.BirthDate)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		p, err := scanMatch(rows, &path)
		if err != nil {
			return err
		}
		row := r.Person
		row.HouseholdID = h.id
		if frontline.SamePersonWithoutDocument(&row, p) && ms[i] == nil {
			ms[i] = &match{p: p, path: path}
		}
	}
	return rows.Err()
}

// lookupNumbers matches a batch of rows by document number.
func (im *importer) lookupNumbers(ctx context.Context, chunk []frontline.ResidentRow, ms []*match, batch []int) error {
	args := make([]any, len(batch))
	byNumber := make(map[string]int, len(batch))
	for j, i := range batch {
		p := &chunk[i].Person
		args[j] = p.IDNumber
		byNumber[string(p.IDType)+":"+p.IDNumber] = i
	}
	rows, err := im.tx.QueryContext(ctx, `SELECT `+matchColumns+`, h.path
		FROM persons p JOIN places h ON h.id = p.household_id WHERE p.id_type <> 'none' AND p.id_number IN `+inList(len(args)), args...)
	if err != nil {
		return err
	}
	var found []int
	for rows.Next() {
		var path string
		p, err := scanMatch(rows, &path)
		if err != nil {
			rows.Close()
			return err
		}
		if i, ok := byNumber[string(p.IDType)+":"+p.IDNumber]; ok {
			ms[i] = &match{p: p, path: path}
			found = append(found, i)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, i := range found {
		// A number registered to someone of another name is a number typed
		// wrong far more often than a new name: it is refused, and a real
		// change of name made on the person's page.
		m := ms[i]
		r := &chunk[i]
		if visible(ctx, m.path) && m.p.Name == r.Person.Name {
			continue
		}
		holder, err := im.holder(ctx, m.p.HouseholdID, m.p.Name, m.path)
		if err != nil {
			return err
		}
		ms[i] = nil
		im.rowError(r.Row, frontline.ColIDNumber, fmt.Sprintf("ID number %s already belongs to %s (this row: %s %s)",
			frontline.MaskIDNumber(r.Person.IDNumber), holder, r.Person.Name, im.address(im.home(r.Row))))
	}
	return nil
}

// classify decides each good row's outcome against its match, and what
// an update changes. Empty cells change nothing: a list without phones
// does not erase the phones on file; flags are taken as the file has them
// when it has the column. The counts are made in settle, when every bad
// row is known.
func (im *importer) classify(ctx context.Context, rows []frontline.ResidentRow, ms []*match) {
	_, withFlags := im.f.Columns[frontline.ColFlags]
	_, withStatus := im.f.Columns[frontline.ColStatus]
	for i := range rows {
		r := &rows[i]
		h := im.home(r.Row)
		if h == nil || im.flag(r.Row)&(rowBad|rowUnchanged) != 0 {
			continue // bad, or found unchanged by unchangedKnown
		}
		m := ms[i]
		if m == nil {
			st := rowNew
			if pc := personCounts(&r.Person); pc.residents > 0 {
				st |= rowResident
				if pc.vulnerable > 0 {
					st |= rowVulnerable
				}
			}
			im.set(r.Row, st)
			if im.opts.DryRun && len(im.changes) < maxChanges {
				im.changes = append(im.changes, frontline.ImportChange{Row: r.Row, Outcome: frontline.ImportAdded, Name: r.Person.Name,
					To: im.address(h)})
			}
			continue
		}
		if im.named != nil {
			im.named[m.p.ID] = true
		}
		next, fields := merged(m.p, &r.Person, withFlags, withStatus)
		moved := h.isNew || h.id != m.p.HouseholdID
		c := frontline.ImportChange{Row: r.Row, PersonID: m.p.ID, Name: m.p.Name, Fields: fields}
		switch {
		case moved:
			c.Outcome, c.To = frontline.ImportMoved, im.address(h)
			if c.From, im.err = im.tx.address(ctx, m.path); im.err != nil {
				return
			}
		case len(fields) > 0:
			c.Outcome = frontline.ImportUpdated
		default:
			im.set(r.Row, rowUnchanged)
			continue
		}
		if len(im.changes) < maxChanges {
			im.changes = append(im.changes, c)
		}
		im.updates = append(im.updates, update{row: r.Row, m: m, next: next, moved: moved})
	}
}

// update is a registered person a row changes.
type update struct {
	row   int // row number
	m     *match
	next  *frontline.Person
	moved bool
}

// merged returns the registered person with the row's details over them,
// and the names of the fields that change. The status is the file's when
// it has the column (Validate makes an empty cell "resident").
func merged(old, row *frontline.Person, withFlags, withStatus bool) (*frontline.Person, []string) {
	p := *old
	var fields []string
	set := func(name string, changed bool) {
		if changed {
			fields = append(fields, name)
		}
	}
	if row.Phone != "" && row.Phone != p.Phone {
		p.Phone = row.Phone
		set("phone", true)
	}
	if row.Sex != "" && row.Sex != p.Sex {
		p.Sex = row.Sex
		set("sex", true)
	}
	if row.BirthDate != "" && row.BirthDate != p.BirthDate {
		p.BirthDate = row.BirthDate
		set("birth_date", true)
	}
	if row.Relation != "" && row.Relation != p.Relation {
		p.Relation = row.Relation
		set("relation", true)
	}
	if withFlags && !slices.Equal(row.Flags, p.Flags) {
		p.Flags = slices.Clone(row.Flags)
		set("flags", true)
	}
	switch {
	case withStatus && row.Status != p.Status:
		p.Status = row.Status
		set("status", true)
	case !withStatus && p.Status == frontline.StatusMovedOut:
		// Listed again: back where the list says they live.
		p.Status = frontline.StatusResident
		set("status", true)
	}
	return &p, fields
}

// writeUpdates writes each changed person, moves their counts and records
// the change in the audit log; the households they move to exist by now.
func (im *importer) writeUpdates(ctx context.Context) error {
	for _, u := range im.updates {
		old, p := u.m.p, u.next
		to := im.home(u.row)
		p.HouseholdID = to.id
		p.UpdatedAt, p.UpdatedBy = im.tx.now, frontline.ActorFrom(ctx).String()
		if _, err := im.tx.ExecContext(ctx, `
			UPDATE persons SET household_id = ?, name = ?, sex = ?, birth_date = ?, phone = ?, relation = ?, flags = ?, status = ?,
				updated_at = ?, updated_by = ? WHERE id = ?`,
			p.HouseholdID, p.Name, string(p.Sex), p.BirthDate, p.Phone, string(p.Relation), joinFlags(p.Flags), string(p.Status),
			p.UpdatedAt, p.UpdatedBy, p.ID); err != nil {
			return err
		}
		if err := im.tx.addCounts(ctx, u.m.path, personCounts(old).neg(), false); err != nil {
			return err
		}
		if err := im.tx.addCounts(ctx, to.path, personCounts(p), false); err != nil {
			return err
		}
		before, after := changedFields(auditFields(old), auditFields(p))
		after["file"], after["row"] = im.f.Name, u.row
		if u.moved {
			before["path"], after["path"] = u.m.path, to.path
		}
		if err := im.tx.audit(ctx, "import_update", "person", p.ID, to.path, before, after); err != nil {
			return err
		}
	}
	return nil
}

// syncOut finds the persons registered under the import node whom no row
// names, for a sync: they have moved out.
func (im *importer) syncOut(ctx context.Context, res *frontline.ImportResult) error {
	named := im.named
	lo, hi := subtreeRange(im.under.Path)
	rows, err := im.tx.QueryContext(ctx, `SELECT `+matchColumns+`, h.path FROM persons p JOIN places h ON h.id = p.household_id
		WHERE h.path > ? AND h.path < ? AND p.status <> ? AND p.merged_into IS NULL ORDER BY h.path, p.id`,
		lo, hi, string(frontline.StatusMovedOut))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var path string
		p, err := scanMatch(rows, &path)
		if err != nil {
			return err
		}
		if !named[p.ID] {
			im.out = append(im.out, &match{p: p, path: path})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, m := range im.out {
		from, err := im.tx.address(ctx, m.path)
		if err != nil {
			return err
		}
		res.Changes = append(res.Changes, frontline.ImportChange{Outcome: frontline.ImportMovedOut, PersonID: m.p.ID, Name: m.p.Name, From: from})
	}
	res.MovedOut = len(im.out)
	return nil
}

// writeMovedOut moves out the persons a sync found unlisted.
func (im *importer) writeMovedOut(ctx context.Context) error {
	for _, m := range im.out {
		old := m.p
		p := *old
		p.Status = frontline.StatusMovedOut
		if _, err := im.tx.ExecContext(ctx, `UPDATE persons SET status = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
			string(p.Status), im.tx.now, frontline.ActorFrom(ctx).String(), p.ID); err != nil {
			return err
		}
		if err := im.tx.addCounts(ctx, m.path, personCounts(&p).sub(personCounts(old)), false); err != nil {
			return err
		}
		if err := im.tx.audit(ctx, "move_out", "person", p.ID, m.path, map[string]any{"status": old.Status},
			map[string]any{"status": p.Status, "file": im.f.Name, "sync": true}); err != nil {
			return err
		}
	}
	return nil
}
