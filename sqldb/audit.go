package sqldb

import (
	"context"
	"encoding/json"

	"github.com/frontline-org/frontline"
)

// audit appends one entry to the audit log, in the same transaction as the
// change it records, so a change and its record land or fail together.
// placePath is the place the entity is under; an entry without one that is
// made by a principal gets the principal's scope node, so that every entry a
// principal causes is found by searches scoped to where they work.
func (tx *Tx) audit(ctx context.Context, action, entity string, id int64, placePath string, before, after map[string]any) error {
	a := frontline.ActorFrom(ctx)
	if p := frontline.PrincipalFrom(ctx); placePath == "" && p != nil {
		placePath = p.ScopePath
	}
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

const changeColumns = `id, at, actor, user_id, addr, action, entity, entity_id, place_path, before, after`

func scanChange(sc interface{ Scan(...any) error }) (*frontline.Change, error) {
	var c frontline.Change
	var before, after string
	if err := sc.Scan(&c.ID, &c.At, &c.Actor, &c.UserID, &c.Addr, &c.Action, &c.Entity, &c.EntityID,
		&c.PlacePath, &before, &after); err != nil {
		return nil, err
	}
	c.At = c.At.UTC()
	if before != "" {
		_ = json.Unmarshal([]byte(before), &c.Before)
	}
	if after != "" {
		_ = json.Unmarshal([]byte(after), &c.After)
	}
	return &c, nil
}

// changes returns the audit entries of one entity, newest first.
func (tx *Tx) changes(ctx context.Context, entity string, id int64) ([]*frontline.Change, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+changeColumns+`
		FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC`, entity, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.Change
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
