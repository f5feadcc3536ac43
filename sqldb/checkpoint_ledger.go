package sqldb

import (
	"context"

	"github.com/frontline-org/frontline"
)

// RecordMaterial adds a ledger entry for a material of a checkpoint's
// checklist and returns the item's new balance. Taking more than is on
// hand is refused: the ledger records what happened, and a negative stock
// did not.
func (s *CheckpointService) RecordMaterial(ctx context.Context, e *frontline.LedgerEntry) (*frontline.Balance, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	it, c, err := tx.findItem(ctx, e.ItemID)
	if err != nil {
		return nil, err
	}
	if e.CheckpointID != 0 && e.CheckpointID != c.ID {
		return nil, frontline.FieldError("item_id", "item %d belongs to another checkpoint", it.ID)
	}
	if it.Kind != frontline.ItemMaterial {
		return nil, frontline.FieldError("item_id", "%s is a task, not a material", it.Name)
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	sums, err := tx.ledgerSums(ctx, `item_id = ?`, it.ID)
	if err != nil {
		return nil, err
	}
	b := frontline.Balances([]*frontline.ChecklistItem{it}, sums)[0]
	if err := frontline.CheckDraw(b, e); err != nil {
		return nil, err
	}
	e.CheckpointID, e.ItemKey, e.At, e.RecordedBy = c.ID, it.Key, tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.QueryRowContext(ctx, `INSERT INTO material_entries (checkpoint_id, item_id, kind, quantity, source, note, at, recorded_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, it.ID, string(e.Kind), e.Quantity, e.Source, e.Note, tx.now,
		e.RecordedBy).Scan(&e.ID); err != nil {
		return nil, tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "material", e.ID, c.Place.Path, nil, map[string]any{
		"checkpoint_id": c.ID, "item": it.Key, "kind": e.Kind, "quantity": e.Quantity, "unit": it.Unit, "source": e.Source,
	}); err != nil {
		return nil, err
	}
	b = frontline.Balances([]*frontline.ChecklistItem{it}, append(sums, e))[0]
	return b, tx.Commit()
}

// Ledger returns a checkpoint's entries, oldest first, and the balance of
// each material.
func (s *CheckpointService) Ledger(ctx context.Context, checkpointID int64) (*frontline.Ledger, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, checkpointID)
	if err != nil {
		return nil, err
	}
	lists, err := tx.checklists(ctx, []int64{c.ID})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.checkpoint_id, e.item_id, i.item_key, e.kind, e.quantity, e.source,
		e.note, e.at, e.recorded_by FROM material_entries e JOIN checkpoint_items i ON i.id = e.item_id
		WHERE e.checkpoint_id = ? ORDER BY e.id`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	l := &frontline.Ledger{Entries: []*frontline.LedgerEntry{}}
	for rows.Next() {
		var e frontline.LedgerEntry
		if err := rows.Scan(&e.ID, &e.CheckpointID, &e.ItemID, &e.ItemKey, &e.Kind, &e.Quantity, &e.Source, &e.Note,
			&e.At, &e.RecordedBy); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		l.Entries = append(l.Entries, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	l.Balances = frontline.Balances(lists[c.ID], l.Entries)
	return l, nil
}

// Shortages returns, for each checkpoint at or under a node that is not
// closed, the materials it is short of.
func (s *CheckpointService) Shortages(ctx context.Context, placeID int64) ([]*frontline.Shortage, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(node.Path)
	cs, err := tx.queryCheckpoints(ctx, `p.path >= ? AND p.path < ? AND c.status <> ?`, lo, hi, string(frontline.CheckpointClosed))
	if err != nil {
		return nil, err
	}
	sortCheckpoints(cs)
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	lists, err := tx.checklists(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Shortage{}
	for _, c := range cs {
		var short []*frontline.Balance
		for _, it := range lists[c.ID] {
			if it.Kind == frontline.ItemMaterial && it.OnHand < it.Need {
				short = append(short, &frontline.Balance{ItemID: it.ID, Key: it.Key, Name: it.Name, Unit: it.Unit,
					Need: it.Need, OnHand: it.OnHand, Short: it.Need - it.OnHand})
			}
		}
		if len(short) > 0 {
			out = append(out, &frontline.Shortage{Checkpoint: c, Items: short})
		}
	}
	return out, nil
}
