package sqldb

import (
	"context"
	"strconv"

	"github.com/frontline-org/frontline"
)

// checklistTemplate reads the template lines in order. An empty table (a
// database someone emptied by hand) gives DefaultChecklist, so a new post
// never starts without a list.
func (tx *Tx) checklistTemplate(ctx context.Context) ([]*frontline.ChecklistItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT item_key, name, kind, need, unit, position FROM checklist_template
		ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.ChecklistItem
	for rows.Next() {
		var it frontline.ChecklistItem
		if err := rows.Scan(&it.Key, &it.Name, &it.Kind, &it.Need, &it.Unit, &it.Position); err != nil {
			return nil, err
		}
		out = append(out, &it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return frontline.DefaultChecklist(), nil
	}
	return out, nil
}

// ChecklistTemplate returns the checklist new checkpoints get.
func (s *CheckpointService) ChecklistTemplate(ctx context.Context) ([]*frontline.ChecklistItem, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.checklistTemplate(ctx)
}

// SetChecklistTemplate replaces the template's lines with items, in their
// order. The template serves every post to come in the whole tree, so, as
// with the zone rules, only a principal scoped at a root may change it;
// a community sets up its own posts' lists with AddChecklistItem.
func (s *CheckpointService) SetChecklistTemplate(ctx context.Context, items []*frontline.ChecklistItem) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCheckpoints)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if p := frontline.PrincipalFrom(ctx); p != nil && !p.AtRoot() {
		return frontline.Errorf(frontline.EFORBIDDEN, "the checklist template serves the whole city; only the city command may change it")
	}
	if err := frontline.ValidateChecklist(items); err != nil {
		return err
	}
	before, err := tx.checklistTemplate(ctx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM checklist_template`); err != nil {
		return err
	}
	for _, it := range items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO checklist_template (item_key, name, kind, need, unit, position)
			VALUES (?, ?, ?, ?, ?, ?)`, it.Key, it.Name, string(it.Kind), it.Need, it.Unit, it.Position); err != nil {
			return tx.db.translate(err)
		}
	}
	if err := tx.audit(ctx, "update", "checklist_template", 0, "",
		map[string]any{"items": templateLines(before)}, map[string]any{"items": templateLines(items)}); err != nil {
		return err
	}
	return tx.Commit()
}

// templateLines says each line as the audit log keeps it: "coal 煤炭 50 kg".
func templateLines(items []*frontline.ChecklistItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key + " " + it.Name
		if it.Kind == frontline.ItemMaterial {
			out[i] += " " + strconv.Itoa(it.Need) + " " + it.Unit
		}
	}
	return out
}
