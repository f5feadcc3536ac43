package sqldb

import (
	"context"
	"slices"
	"time"

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

// AddShift adds a shift of named staff, one of them its leader.
func (s *CheckpointService) AddShift(ctx context.Context, sh *frontline.Shift) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, sh.CheckpointID)
	if err != nil {
		return err
	}
	if err := sh.Validate(); err != nil {
		return err
	}
	sh.Start, sh.End, sh.CreatedAt, sh.CreatedBy = sh.Start.UTC(), sh.End.UTC(), tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.QueryRowContext(ctx, `INSERT INTO shifts (checkpoint_id, starts_at, ends_at, created_at, created_by)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, c.ID, sh.Start, sh.End, tx.now, sh.CreatedBy).Scan(&sh.ID); err != nil {
		return tx.db.translate(err)
	}
	var names []string
	for i, m := range sh.Staff {
		if _, err := tx.ExecContext(ctx, `INSERT INTO shift_staff (shift_id, position, name, phone, origin, department, leader)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, sh.ID, i+1, m.Name, m.Phone, string(m.Origin), m.Department, m.Leader); err != nil {
			return err
		}
		names = append(names, m.Name)
	}
	if err := tx.audit(ctx, "create", "shift", sh.ID, c.Place.Path, nil, map[string]any{
		"checkpoint_id": c.ID, "start": sh.Start, "end": sh.End, "leader": sh.Leader().Name, "staff": names,
	}); err != nil {
		return err
	}
	return tx.Commit()
}

// FindShifts returns the shifts of a checkpoint overlapping [from, to).
func (s *CheckpointService) FindShifts(ctx context.Context, checkpointID int64, from, to time.Time) ([]*frontline.Shift, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, checkpointID)
	if err != nil {
		return nil, err
	}
	return tx.shifts(ctx, `checkpoint_id = ? AND ends_at > ? AND starts_at < ?`, c.ID, from.UTC(), to.UTC())
}

// shifts reads matching shifts in start order with their staff.
func (tx *Tx) shifts(ctx context.Context, where string, args ...any) ([]*frontline.Shift, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, checkpoint_id, starts_at, ends_at, created_at, created_by FROM shifts WHERE `+
		where+` ORDER BY starts_at, id`, args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Shift{}
	byID := map[int64]*frontline.Shift{}
	for rows.Next() {
		sh := &frontline.Shift{Staff: []*frontline.StaffMember{}}
		if err := rows.Scan(&sh.ID, &sh.CheckpointID, &sh.Start, &sh.End, &sh.CreatedAt, &sh.CreatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		sh.Start, sh.End, sh.CreatedAt = sh.Start.UTC(), sh.End.UTC(), sh.CreatedAt.UTC()
		out, byID[sh.ID] = append(out, sh), sh
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, 0, len(out))
	for _, sh := range out {
		ids = append(ids, sh.ID)
	}
	for chunk := range slices.Chunk(ids, maxInList) {
		if err := tx.shiftStaff(ctx, chunk, byID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tx *Tx) shiftStaff(ctx context.Context, ids []int64, byID map[int64]*frontline.Shift) error {
	rows, err := tx.QueryContext(ctx, `SELECT shift_id, name, phone, origin, department, leader FROM shift_staff
		WHERE shift_id IN `+inList(len(ids))+` ORDER BY shift_id, position`, int64Args(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m frontline.StaffMember
		if err := rows.Scan(&id, &m.Name, &m.Phone, &m.Origin, &m.Department, &m.Leader); err != nil {
			return err
		}
		byID[id].Staff = append(byID[id].Staff, &m)
	}
	return rows.Err()
}
