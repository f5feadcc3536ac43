package sqldb

import (
	"context"
	"slices"

	"github.com/frontline-org/frontline"
)

// holder names the registered holder of a number and their household,
// from memory when it is in the subtree being imported into.
func (im *importer) holder(ctx context.Context, household int64, name, path string) (string, error) {
	if n := im.byID[household]; n != nil {
		return name + " at " + im.address(n), nil
	}
	return im.tx.holder(ctx, name, path)
}

// write is the second pass: the new places, then the new persons in
// batches as the file is read again, each batch its own transaction marked
// with the import's id; then, in one last transaction, the counts of the
// places that existed, the registered persons the rows change, those a
// sync moves out, and the audit entry. The places are written with their
// final counts, worked out in the check.
func (im *importer) write(ctx context.Context, each func(func([]frontline.ResidentRow) error) error, res *frontline.ImportResult) error {
	for start := 0; start < len(im.created); start += placeBatchRows {
		batch := im.created[start:min(start+placeBatchRows, len(im.created))]
		if err := im.batch(ctx, 0, true, func() error { return im.insertPlaces(ctx, batch) }); err != nil {
			return err
		}
	}
	actor := frontline.ActorFrom(ctx).String()
	pending := make([]frontline.Person, 0, im.svc.batchRows)
	written := 0
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		written += len(pending)
		err := im.batch(ctx, written, true, func() error { return im.insertPersons(ctx, pending, actor) })
		pending = pending[:0]
		return err
	}
	err := each(func(rows []frontline.ResidentRow) error {
		for i := range rows {
			r := &rows[i]
			if im.flag(r.Row)&(rowNew|rowBad) != rowNew {
				continue
			}
			p := r.Person
			p.HouseholdID = im.home(r.Row).id
			if pending = append(pending, p); len(pending) == cap(pending) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	return im.batch(ctx, written, false, func() error {
		if err := im.svc.finishRun(ctx, im.tx, im.run, im.checked, written+len(im.updates)+len(im.out)); err != nil {
			return err
		}
		if err := im.updateExisting(ctx); err != nil {
			return err
		}
		if err := im.writeUpdates(ctx); err != nil {
			return err
		}
		if err := im.writeMovedOut(ctx); err != nil {
			return err
		}
		return im.tx.audit(ctx, "import", "place", im.under.ID, im.under.Path, nil, map[string]any{
			"file": im.f.Name, "rows": res.Rows, "imported": res.Imported, "skipped": res.Skipped, "places_created": res.PlacesCreated,
			"added": res.Added, "updated": res.Updated, "moved": res.Moved, "unchanged": res.Unchanged, "moved_out": res.MovedOut,
		})
	})
}

// placeBatchRows is how many places one transaction of an import creates
// (as importBatchRows).
const placeBatchRows = 25_000

// batch runs fn in a write transaction of its own and commits. With beat,
// the progress (written rows, counting this batch's) is recorded first,
// which also stops an import taken for interrupted before it writes more.
func (im *importer) batch(ctx context.Context, written int, beat bool, fn func() error) error {
	tx, err := im.svc.db.writeTx(ctx, frontline.PermImportExport)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	im.tx = tx
	if beat {
		if err := im.svc.beatTx(ctx, tx, im.run, im.checked, written); err != nil {
			return err
		}
	}
	if err := fn(); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	im.batches++
	if im.svc.afterBatch != nil {
		return im.svc.afterBatch(im.batches)
	}
	return nil
}

// placeImportColumns are the columns of a place an import writes that
// differ from place to place; see shared for the others.
var placeImportColumns = []string{"id", "parent_id", "kind", "name", "path", "households", "residents", "vulnerable"}

// insertPlaces creates a batch of new places, parents first (a parent is
// in an earlier batch or earlier in this one).
func (im *importer) insertPlaces(ctx context.Context, batch []*node) error {
	ids, err := im.tx.nextIDs(ctx, "places", len(batch))
	if err != nil {
		return err
	}
	for i, n := range batch {
		n.id, n.path = ids[i], frontline.ChildPath(n.parent.path, ids[i])
	}
	return im.tx.bulkInsertAll(ctx, "places", placeImportColumns, im.shared(""), len(batch),
		func(i int, args []any) []any {
			n := batch[i]
			return append(args, n.id, n.parent.id, string(n.kind), n.name, n.path,
				n.delta.households, n.delta.residents, n.delta.vulnerable)
		})
}

// updateExisting adds the deltas to the places that existed before, in id
// order so that concurrent imports on PostgreSQL lock rows in one order.
func (im *importer) updateExisting(ctx context.Context) error {
	type upd struct {
		id int64
		c  counts
	}
	var updates []upd
	for id, n := range im.byID {
		if !n.delta.zero() {
			updates = append(updates, upd{id, n.delta})
		}
	}
	for _, a := range im.above {
		if !im.root.delta.zero() {
			updates = append(updates, upd{a.ID, im.root.delta})
		}
	}
	slices.SortFunc(updates, func(a, b upd) int { return int(a.id - b.id) })
	for _, u := range updates {
		if _, err := im.tx.ExecContext(ctx, `UPDATE places SET households = households + ?, residents = residents + ?,
			vulnerable = vulnerable + ? WHERE id = ?`, u.c.households, u.c.residents, u.c.vulnerable, u.id); err != nil {
			return err
		}
	}
	return nil
}

// personImportColumns are the columns of a person an import writes that
// differ from person to person; see shared for the others.
var personImportColumns = []string{"household_id", "name", "sex", "birth_date", "id_type", "id_number", "id_tail",
	"phone", "relation", "flags", "status"}

// shared returns the columns every place or person a batch writes has
// alike: the time and the import, and for persons the user.
func (im *importer) shared(actor string) []sharedColumn {
	at := im.tx.timeArg()
	cols := []sharedColumn{{"created_at", at}, {"updated_at", at}, {"import_id", im.run.id}}
	if actor != "" {
		cols = append(cols, sharedColumn{"created_by", actor}, sharedColumn{"updated_by", actor})
	}
	return cols
}

// insertPersons inserts a batch of new persons.
func (im *importer) insertPersons(ctx context.Context, batch []frontline.Person, actor string) error {
	return im.tx.bulkInsertAll(ctx, "persons", personImportColumns, im.shared(actor), len(batch),
		func(j int, args []any) []any {
			p := &batch[j]
			return append(args, p.HouseholdID, p.Name, string(p.Sex), p.BirthDate, string(p.IDType), p.IDNumber, idTail(p.IDNumber),
				p.Phone, string(p.Relation), joinFlags(p.Flags), string(p.Status))
		})
}
