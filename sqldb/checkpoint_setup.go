package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

const itemColumns = `id, checkpoint_id, item_key, name, kind, need, unit, position, done, done_at, done_by`

func scanItem(sc interface{ Scan(...any) error }) (*frontline.ChecklistItem, error) {
	var it frontline.ChecklistItem
	var doneAt sql.NullTime
	if err := sc.Scan(&it.ID, &it.CheckpointID, &it.Key, &it.Name, &it.Kind, &it.Need, &it.Unit, &it.Position,
		&it.Done, &doneAt, &it.DoneBy); err != nil {
		return nil, err
	}
	if doneAt.Valid {
		it.DoneAt = doneAt.Time.UTC()
	}
	return &it, nil
}

// addItem appends an item to c's checklist, after the last one when its
// position is not set.
func (tx *Tx) addItem(ctx context.Context, c *frontline.Checkpoint, it *frontline.ChecklistItem) error {
	if err := it.Validate(); err != nil {
		return err
	}
	// Two lines of one name (帐篷 under two keys) would leave staff unsure
	// which one the ledger counts.
	var same int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM checkpoint_items WHERE checkpoint_id = ? AND name = ?`,
		c.ID, it.Name).Scan(&same); err != nil {
		return err
	} else if same > 0 {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Message: "the checklist already has an item named " + it.Name}
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM checkpoint_items WHERE checkpoint_id = ?`,
		c.ID).Scan(&it.Position); err != nil {
		return err
	}
	it.CheckpointID, it.Done, it.OnHand = c.ID, false, 0
	if err := tx.QueryRowContext(ctx, `INSERT INTO checkpoint_items (checkpoint_id, item_key, name, kind, need, unit, position)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.ID, it.Key, it.Name, string(it.Kind), it.Need, it.Unit, it.Position).Scan(&it.ID); err != nil {
		if err = tx.db.translate(err); frontline.ErrorCode(err) == frontline.ECONFLICT {
			return &frontline.Error{Code: frontline.ECONFLICT, Field: "key", Message: "the checklist already has an item " + it.Key, Err: err}
		}
		return err
	}
	return tx.audit(ctx, "create", "checkpoint_item", it.ID, c.Place.Path, nil, map[string]any{
		"checkpoint_id": c.ID, "key": it.Key, "name": it.Name, "kind": it.Kind, "need": it.Need, "unit": it.Unit,
	})
}

// checklists reads the checklists of checkpoints, each material with what
// is on hand: the ledger summed per item and kind in the database.
func (tx *Tx) checklists(ctx context.Context, ids []int64) (map[int64][]*frontline.ChecklistItem, error) {
	out := map[int64][]*frontline.ChecklistItem{}
	for chunk := range slices.Chunk(ids, maxInList) {
		in, args := inList(len(chunk)), int64Args(chunk)
		rows, err := tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM checkpoint_items WHERE checkpoint_id IN `+in+
			` ORDER BY checkpoint_id, position, id`, args...)
		if err != nil {
			return nil, err
		}
		var items []*frontline.ChecklistItem
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			items = append(items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		sums, err := tx.ledgerSums(ctx, `checkpoint_id IN `+in, args...)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]*frontline.ChecklistItem, len(items))
		for _, it := range items {
			byID[it.ID] = it
		}
		for _, b := range frontline.Balances(items, sums) {
			byID[b.ItemID].OnHand = b.OnHand
		}
		for _, it := range items {
			out[it.CheckpointID] = append(out[it.CheckpointID], it)
		}
	}
	return out, nil
}

// ledgerSums returns one synthetic entry per item and kind holding the
// sum of its quantities, which Balances totals like single entries.
func (tx *Tx) ledgerSums(ctx context.Context, where string, args ...any) ([]*frontline.LedgerEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT item_id, kind, SUM(quantity) FROM material_entries WHERE `+where+
		` GROUP BY item_id, kind`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.LedgerEntry
	for rows.Next() {
		var e frontline.LedgerEntry
		if err := rows.Scan(&e.ItemID, &e.Kind, &e.Quantity); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// findItem returns a checklist item and its checkpoint, which must be
// inside the caller's scope.
func (tx *Tx) findItem(ctx context.Context, id int64) (*frontline.ChecklistItem, *frontline.Checkpoint, error) {
	it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM checkpoint_items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "checklist item %d not found", id)
	} else if err != nil {
		return nil, nil, err
	}
	c, err := tx.findCheckpoint(ctx, it.CheckpointID)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "checklist item %d not found", id)
	}
	return it, c, err
}

// AddChecklistItem adds a line to a checkpoint's checklist.
func (s *CheckpointService) AddChecklistItem(ctx context.Context, it *frontline.ChecklistItem) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, it.CheckpointID)
	if err != nil {
		return err
	}
	if err := tx.addItem(ctx, c, it); err != nil {
		return err
	}
	return tx.Commit()
}

// SetTaskDone ticks a task off, or back on. A material is not ticked: it
// is ready when the ledger shows enough on hand.
func (s *CheckpointService) SetTaskDone(ctx context.Context, itemID int64, done bool) (*frontline.ChecklistItem, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	it, c, err := tx.findItem(ctx, itemID)
	if err != nil {
		return nil, err
	}
	if it.Kind != frontline.ItemTask {
		return nil, frontline.FieldError("item_id", "%s is a material: record it in the ledger instead", it.Name)
	}
	// Un-ticking clears who and when, so the list never shows a task as
	// done by someone who took it back.
	var at any
	it.Done, it.DoneAt, it.DoneBy = done, time.Time{}, ""
	if done {
		at, it.DoneAt, it.DoneBy = tx.now, tx.now, frontline.ActorFrom(ctx).String()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE checkpoint_items SET done = ?, done_at = ?, done_by = ? WHERE id = ?`,
		done, at, it.DoneBy, it.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "update", "checkpoint_item", it.ID, c.Place.Path,
		map[string]any{"done": !done}, map[string]any{"done": done}); err != nil {
		return nil, err
	}
	return it, tx.Commit()
}
