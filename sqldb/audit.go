package sqldb

import (
	"context"
	"encoding/json"

	"github.com/frontline-org/frontline"
)

// audit appends one entry to the audit log, in the same transaction as the
// change it records, so a change and its record land or fail together.
func (tx *Tx) audit(ctx context.Context, action, entity string, id int64, placePath string, before, after map[string]any) error {
	a := frontline.ActorFrom(ctx)
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (at, actor, user_id, addr, action, entity, entity_id, place_path, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.now, a.String(), a.UserID, a.Addr, action, entity, id, placePath, jsonOrEmpty(before), jsonOrEmpty(after))
	return err
}

func jsonOrEmpty(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}

// changes returns the audit entries of one entity, newest first.
func (tx *Tx) changes(ctx context.Context, entity string, id int64) ([]*frontline.Change, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT id, at, actor, user_id, addr, action, entity, entity_id, before, after
		FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC`, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.Change
	for rows.Next() {
		var c frontline.Change
		var before, after string
		if err := rows.Scan(&c.ID, &c.At, &c.Actor, &c.UserID, &c.Addr, &c.Action, &c.Entity, &c.EntityID, &before, &after); err != nil {
			return nil, err
		}
		if before != "" {
			_ = json.Unmarshal([]byte(before), &c.Before)
		}
		if after != "" {
			_ = json.Unmarshal([]byte(after), &c.After)
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}
