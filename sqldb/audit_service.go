package sqldb

import (
	"context"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.AuditService = (*AuditService)(nil)

// AuditService appends events to the audit log and searches it.
type AuditService struct{ db *DB }

// NewAuditService returns an AuditService on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

// Record appends c, filling who and when from ctx and the clock. An entry
// about a place or a person is filed under its place, which must be inside
// the caller's scope (ENOTFOUND otherwise).
func (s *AuditService) Record(ctx context.Context, c *frontline.Change) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	path, err := tx.entityPath(ctx, c.Entity, c.EntityID)
	if err != nil {
		return err
	}
	if err := tx.audit(ctx, c.Action, c.Entity, c.EntityID, path, c.Before, c.After); err != nil {
		return err
	}
	a := frontline.ActorFrom(ctx)
	c.At, c.Actor, c.UserID, c.Addr, c.PlacePath = tx.now, a.String(), a.UserID, a.Addr, path
	if p := frontline.PrincipalFrom(ctx); path == "" && p != nil {
		c.PlacePath = p.ScopePath
	}
	return tx.Commit()
}

// entityPath returns the place path an entry about a place or a person is
// filed under. For a principal the entity must be inside their scope; the
// system may record an entry about the whole tree (id 0) or an entity of
// another kind, filed under no place.
func (tx *Tx) entityPath(ctx context.Context, entity string, id int64) (string, error) {
	var path string
	var err error
	switch entity {
	case "place":
		var p *frontline.Place
		if p, err = tx.findPlaceByID(ctx, id); err == nil {
			path = p.Path
		}
	case "person":
		var p *frontline.Person
		if p, err = tx.findPersonByID(ctx, id); err == nil {
			path = p.Household.Path
		}
	}
	if err != nil && frontline.PrincipalFrom(ctx) == nil && frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return "", nil
	}
	return path, err
}

// FindChanges returns the matching entries, newest first, and the total
// before paging. A principal needs PermReadAudit and sees only the entries
// filed under their scope.
func (s *AuditService) FindChanges(ctx context.Context, f frontline.ChangeFilter) ([]*frontline.Change, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadAudit)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	cond, args, err := tx.changeWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out := make([]*frontline.Change, 0)
	err = tx.walkChanges(ctx, cond, args, limitClause(f.Offset, f.Limit), func(c *frontline.Change) error {
		out = append(out, c)
		return nil
	})
	return out, total, err
}

// WalkChanges calls fn for every matching entry, newest first, reading in
// one snapshot without paging: for CSV exports of the log.
func (s *AuditService) WalkChanges(ctx context.Context, f frontline.ChangeFilter, fn func(*frontline.Change) error) error {
	tx, err := s.db.readTx(ctx, frontline.PermReadAudit)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	cond, args, err := tx.changeWhere(ctx, f)
	if err != nil {
		return err
	}
	return tx.walkChanges(ctx, cond, args, "", fn)
}

// walkChanges runs a search newest first and calls fn for each entry;
// limit is a LIMIT clause or "".
func (tx *Tx) walkChanges(ctx context.Context, cond string, args []any, limit string, fn func(*frontline.Change) error) error {
	rows, err := tx.QueryContext(ctx, `SELECT `+changeColumns+` FROM audit_log WHERE `+cond+
		` ORDER BY at DESC, id DESC`+limit, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanChange(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// changeWhere builds the condition of an audit search, limited to the
// caller's scope by the entries' place paths.
func (tx *Tx) changeWhere(ctx context.Context, f frontline.ChangeFilter) (string, []any, error) {
	where, args := []string{"1 = 1"}, []any{}
	if v := f.Under; v != nil {
		top, err := tx.findPlaceByID(ctx, *v)
		if err != nil {
			return "", nil, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "place_path >= ? AND place_path < ?"), append(args, lo, hi)
	}
	for _, c := range []struct {
		col string
		v   *string
	}{{"actor", f.Actor}, {"entity", f.Entity}, {"action", f.Action}} {
		if c.v != nil {
			where, args = append(where, c.col+" = ?"), append(args, *c.v)
		}
	}
	if v := f.EntityID; v != nil {
		where, args = append(where, "entity_id = ?"), append(args, *v)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, f.To.UTC())
	}
	where, args = andScope(ctx, "place_path", where, args)
	return strings.Join(where, " AND "), args, nil
}
