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

// replan forgets the planned places and plans them again for the good rows.
func (im *importer) replan() {
	for _, n := range im.created {
		if n.parent != nil && n.parent.child(n.kind, n.name) == n {
			delete(n.parent.children, string(n.kind)+"\x00"+n.name)
		}
	}
	im.created = im.created[:0]
	for i := range im.f.Rows {
		if im.homes[i] == nil {
			continue
		}
		if im.bad[im.f.Rows[i].Row] {
			im.homes[i] = nil
			continue
		}
		im.homes[i] = im.resolve(&im.f.Rows[i])
	}
}

// write creates the planned places with their final counts, inserts the
// persons, and adds the counts to the places that already existed.
func (im *importer) write(ctx context.Context) error {
	im.computeDeltas()
	rebuild, err := im.tx.deferIndexes(ctx, len(im.created)+len(im.homes), "places", "persons")
	if err != nil {
		return err
	}
	ids, err := im.tx.nextIDs(ctx, "places", len(im.created))
	if err != nil {
		return err
	}
	for i, n := range im.created {
		n.id, n.path = ids[i], frontline.ChildPath(n.parent.path, ids[i])
	}
	if err := im.insertPlaces(ctx); err != nil {
		return err
	}
	if err := im.updateExisting(ctx); err != nil {
		return err
	}
	if err := im.insertPersons(ctx); err != nil {
		return err
	}
	if err := rebuild(ctx); err != nil {
		return err
	}
	if err := im.writeUpdates(ctx); err != nil {
		return err
	}
	return im.writeMovedOut(ctx)
}

// computeDeltas adds each household's new residents (and itself, when new)
// to it and every node above it up to the import node.
func (im *importer) computeDeltas() {
	own := map[*node]counts{}
	for _, n := range im.created {
		if n.kind == frontline.KindHousehold {
			own[n] = counts{households: 1}
		}
	}
	for i, h := range im.homes {
		if h != nil && im.matches[i] == nil { // registered persons move their own counts (writeUpdates)
			c := own[h]
			pc := personCounts(&im.f.Rows[i].Person)
			c.residents, c.vulnerable = c.residents+pc.residents, c.vulnerable+pc.vulnerable
			own[h] = c
		}
	}
	for n, c := range own {
		for p := n; p != nil; p = p.parent {
			p.delta = counts{p.delta.households + c.households, p.delta.residents + c.residents, p.delta.vulnerable + c.vulnerable}
		}
	}
}

var placeInsertColumns = []string{"id", "parent_id", "kind", "name", "code", "path",
	"households", "residents", "vulnerable", "created_at", "updated_at"}

func (im *importer) insertPlaces(ctx context.Context) error {
	now := im.tx.timeArg()
	return im.tx.bulkInsert(ctx, "places", placeInsertColumns, len(im.created),
		func(i int, args []any) []any {
			n := im.created[i]
			return append(args, n.id, n.parent.id, string(n.kind), n.name, "", n.path,
				n.delta.households, n.delta.residents, n.delta.vulnerable, now, now)
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

var personInsertColumns = []string{"household_id", "name", "sex", "birth_date", "id_type", "id_number", "id_tail",
	"phone", "relation", "flags", "status", "created_at", "created_by", "updated_at", "updated_by"}

func (im *importer) insertPersons(ctx context.Context) error {
	var good []int
	for i, h := range im.homes {
		if h != nil && im.matches[i] == nil {
			good = append(good, i)
		}
	}
	actor := frontline.ActorFrom(ctx).String()
	at := im.tx.timeArg()
	return im.tx.bulkInsert(ctx, "persons", personInsertColumns, len(good),
		func(j int, args []any) []any {
			i := good[j]
			p := &im.f.Rows[i].Person
			p.HouseholdID = im.homes[i].id
			p.CreatedAt, p.UpdatedAt, p.CreatedBy, p.UpdatedBy = im.tx.now, im.tx.now, actor, actor
			return append(args, personValues(p, at)...)
		})
}
