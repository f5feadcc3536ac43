package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.PlaceService = (*PlaceService)(nil)

// PlaceService stores the place tree.
type PlaceService struct{ db *DB }

// NewPlaceService returns a PlaceService on db.
func NewPlaceService(db *DB) *PlaceService { return &PlaceService{db: db} }

const placeColumns = `id, COALESCE(parent_id, 0), kind, name, code, path, households, residents, vulnerable, created_at, updated_at`

// placeColumnsOf is placeColumns for a table alias.
func placeColumnsOf(a string) string {
	return a + `.id, COALESCE(` + a + `.parent_id, 0), ` + a + `.kind, ` + a + `.name, ` + a + `.code, ` + a + `.path, ` +
		a + `.households, ` + a + `.residents, ` + a + `.vulnerable, ` + a + `.created_at, ` + a + `.updated_at`
}

func scanPlace(sc interface{ Scan(...any) error }) (*frontline.Place, error) {
	var p frontline.Place
	err := sc.Scan(&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path,
		&p.Households, &p.Residents, &p.Vulnerable, &p.CreatedAt, &p.UpdatedAt)
	return &p, err
}

// subtreeRange returns bounds such that lo <= path < hi selects the strict
// descendants of the node with the given path, and the node itself when
// inclusive. "/" sorts just before "0", so every descendant path
// "/1/7/..." lies in ["/1/7/", "/1/70"): one index range scan on both
// engines.
func subtreeRange(path string) (lo, hi string) {
	return path, path[:len(path)-1] + "0"
}

// FindPlaceByID returns one node.
func (s *PlaceService) FindPlaceByID(ctx context.Context, id int64) (*frontline.Place, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findPlaceByID(ctx, id)
}

// findPlaceByID returns the node with id when it is inside the caller's
// scope; a node outside is not found, with the same message as one that
// does not exist.
func (tx *Tx) findPlaceByID(ctx context.Context, id int64) (*frontline.Place, error) {
	p, err := tx.placeByID(ctx, id)
	if err == nil && !visible(ctx, p.Path) {
		return nil, placeNotFound(id)
	}
	return p, err
}

// placeByID returns the node with id whatever the caller's scope, for
// checks that must see outside it (the scope given to a new user).
func (tx *Tx) placeByID(ctx context.Context, id int64) (*frontline.Place, error) {
	p, err := scanPlace(tx.QueryRowContext(ctx, `SELECT `+placeColumns+` FROM places WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, placeNotFound(id)
	}
	return p, tx.db.translate(err)
}

func placeNotFound(id int64) error {
	return frontline.Errorf(frontline.ENOTFOUND, "place %d not found", id)
}

// FindPlaceByPath resolves "天水市/秦州区/大城街道" (names from a root down)
// or a numeric id.
func (s *PlaceService) FindPlaceByPath(ctx context.Context, path string) (*frontline.Place, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findPlaceByPath(ctx, path)
}

// findPlaceByPath resolves a path of names or an id. A principal may walk
// by name through the ancestors of their scope node (people type the whole path from the city down) but a node that is
// neither inside the scope nor above it is not found, and the path may not
// end above the scope.
func (tx *Tx) findPlaceByPath(ctx context.Context, path string) (*frontline.Place, error) {
	path = strings.Trim(strings.TrimSpace(path), "/")
	if id, err := strconv.ParseInt(path, 10, 64); err == nil {
		return tx.findPlaceByID(ctx, id)
	}
	var cur *frontline.Place
	for _, name := range strings.Split(path, "/") {
		name = frontline.CleanName(name)
		var row *sql.Row
		if cur == nil {
			row = tx.QueryRowContext(ctx, `SELECT `+placeColumns+` FROM places WHERE COALESCE(parent_id, 0) = 0 AND name = ? ORDER BY id LIMIT 1`, name)
		} else {
			row = tx.QueryRowContext(ctx, `SELECT `+placeColumns+` FROM places WHERE COALESCE(parent_id, 0) = ? AND name = ? ORDER BY id LIMIT 1`, cur.ID, name)
		}
		p, err := scanPlace(row)
		if err == nil && !visible(ctx, p.Path) && !aboveScope(ctx, p.Path) {
			err = sql.ErrNoRows
		}
		if errors.Is(err, sql.ErrNoRows) {
			where := "at the top of the tree"
			if cur != nil {
				where = "under " + cur.Name
			}
			return nil, frontline.Errorf(frontline.ENOTFOUND, "no place named %q %s", name, where)
		} else if err != nil {
			return nil, err
		}
		cur = p
	}
	if cur == nil {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no place given")
	}
	if !visible(ctx, cur.Path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no place %q", path)
	}
	return cur, nil
}

// FindPlaces returns matching nodes ordered by kind, then name, and the total.
//
// For a principal the whole result is limited to their subtree, and the
// roots of the tree are their scope node alone.
func (s *PlaceService) FindPlaces(ctx context.Context, f frontline.PlaceFilter) ([]*frontline.Place, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return tx.findPlaces(ctx, f)
}

func (tx *Tx) findPlaces(ctx context.Context, f frontline.PlaceFilter) ([]*frontline.Place, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if v := f.ID; v != nil {
		where, args = append(where, "id = ?"), append(args, *v)
	}
	if v := f.ParentID; v != nil {
		// A parent outside the scope is not found, rather than childless.
		if _, err := tx.findPlaceByID(ctx, *v); err != nil {
			return nil, 0, err
		}
		// Written as the sibling index is, so children are one index range.
		where, args = append(where, "COALESCE(parent_id, 0) = ?"), append(args, *v)
	}
	if p := frontline.PrincipalFrom(ctx); f.Roots && p != nil {
		where, args = append(where, "path = ?"), append(args, p.ScopePath)
	} else if f.Roots {
		where = append(where, "COALESCE(parent_id, 0) = 0")
	}
	where, args = andScope(ctx, "path", where, args)
	if v := f.Under; v != nil {
		top, err := tx.findPlaceByID(ctx, *v)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "path > ? AND path < ?"), append(args, lo, hi)
	}
	if v := f.Kind; v != nil {
		where, args = append(where, "kind = ?"), append(args, string(*v))
	}
	if v := f.Name; v != nil {
		where, args = append(where, "name = ?"), append(args, *v)
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM places WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+placeColumns+` FROM places WHERE `+cond+
		` ORDER BY path`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	places := make([]*frontline.Place, 0)
	for rows.Next() {
		p, err := scanPlace(rows)
		if err != nil {
			return nil, 0, err
		}
		places = append(places, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if f.ParentID != nil || f.Roots {
		sortSiblings(places)
	}
	return places, total, nil
}

// Ancestors returns the chain from the root to the node's parent. For a
// principal the chain starts at their scope node: what lies above it is
// not theirs to read.
func (s *PlaceService) Ancestors(ctx context.Context, id int64) ([]*frontline.Place, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.findPlaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	all, err := tx.ancestors(ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]*frontline.Place, 0, len(all))
	for _, a := range all {
		if visible(ctx, a.Path) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (tx *Tx) ancestors(ctx context.Context, p *frontline.Place) ([]*frontline.Place, error) {
	ids := frontline.PathIDs(p.Path)
	if len(ids) <= 1 {
		return []*frontline.Place{}, nil
	}
	ids = ids[:len(ids)-1]
	rows, err := tx.QueryContext(ctx, `SELECT `+placeColumns+` FROM places WHERE id IN `+inList(len(ids))+` ORDER BY path`, int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.Place, 0, len(ids))
	for rows.Next() {
		a, err := scanPlace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreatePlace adds a node under p.ParentID (0 for a root).
func (s *PlaceService) CreatePlace(ctx context.Context, p *frontline.Place) error {
	if err := authorize(ctx, frontline.PermEditRegistry); err != nil {
		return err
	}
	if frontline.PrincipalFrom(ctx) != nil && p.ParentID == 0 {
		return frontline.Errorf(frontline.EFORBIDDEN, "a place at the top of the tree can only be added from the command line")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.createPlace(ctx, p); err != nil {
		return err
	}
	return tx.Commit()
}

func (tx *Tx) createPlace(ctx context.Context, p *frontline.Place) error {
	if err := p.Validate(); err != nil {
		return err
	}
	parentPath := ""
	if p.ParentID != 0 {
		parent, err := tx.findPlaceByID(ctx, p.ParentID)
		if err != nil {
			return err
		}
		if !parent.Kind.CanContain(p.Kind) {
			return frontline.FieldError("kind", "a %s cannot be placed under a %s", p.Kind, parent.Kind)
		}
		parentPath = parent.Path
	}
	ids, err := tx.nextIDs(ctx, "places", 1)
	if err != nil {
		return err
	}
	p.ID, p.Path = ids[0], frontline.ChildPath(parentPath, ids[0])
	p.CreatedAt, p.UpdatedAt = tx.now, tx.now
	p.Households, p.Residents, p.Vulnerable = 0, 0, 0
	if p.Kind == frontline.KindHousehold {
		p.Households = 1
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO places (id, parent_id, kind, name, code, path, households, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, nullID(p.ParentID), string(p.Kind), p.Name, p.Code, p.Path, p.Households, tx.now, tx.now); err != nil {
		return placeConflict(err, p)
	}
	if p.Households > 0 {
		if err := tx.addCounts(ctx, p.Path, counts{households: 1}, true); err != nil {
			return err
		}
	}
	return tx.audit(ctx, "create", "place", p.ID, p.Path, nil, placeFields(p))
}

func placeConflict(err error, p *frontline.Place) error {
	if frontline.ErrorCode(err) == frontline.ECONFLICT {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Err: err,
			Message: "a " + string(p.Kind) + " named " + strconv.Quote(p.Name) + " already exists here"}
	}
	return err
}

func placeFields(p *frontline.Place) map[string]any {
	return map[string]any{"kind": p.Kind, "name": p.Name, "code": p.Code, "parent_id": p.ParentID}
}

// UpdatePlace renames a node or changes its code.
func (s *PlaceService) UpdatePlace(ctx context.Context, id int64, upd frontline.PlaceUpdate) (*frontline.Place, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.findPlaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	before := placeFields(p)
	if upd.Name != nil {
		p.Name = *upd.Name
	}
	if upd.Code != nil {
		p.Code = *upd.Code
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE places SET name = ?, code = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Code, tx.now, p.ID); err != nil {
		return nil, placeConflict(err, p)
	}
	if err := tx.audit(ctx, "update", "place", p.ID, p.Path, before, placeFields(p)); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// MovePlace moves a node and its subtree under newParentID. Every path
// under the node is rewritten in one statement and the counts move from
// the old ancestors to the new ones.
func (s *PlaceService) MovePlace(ctx context.Context, id, newParentID int64) (*frontline.Place, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.findPlaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	parent, err := tx.findPlaceByID(ctx, newParentID)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(parent.Path, p.Path) {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s cannot be moved under itself or its own subtree", p.Name)
	}
	if !parent.Kind.CanContain(p.Kind) {
		return nil, frontline.FieldError("parent_id", "a %s cannot be placed under a %s", p.Kind, parent.Kind)
	}
	if parent.ID == p.ParentID {
		return p, nil
	}
	c := counts{households: p.Households, residents: p.Residents, vulnerable: p.Vulnerable}
	if err := tx.addCounts(ctx, p.Path, c.neg(), true); err != nil {
		return nil, err
	}
	oldPath, newPath := p.Path, frontline.ChildPath(parent.Path, p.ID)
	lo, hi := subtreeRange(oldPath)
	if _, err := tx.ExecContext(ctx, `UPDATE places SET path = CAST(? AS TEXT) || substr(path, ?) WHERE path >= ? AND path < ?`,
		newPath, len(oldPath)+1, lo, hi); err != nil {
		return nil, err
	}
	// Zones and their evidence keep the path of their place for their
	// range indexes; the paths move with the places.
	for _, table := range []string{"zones", "zone_evidence"} {
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET path = CAST(? AS TEXT) || substr(path, ?) WHERE path >= ? AND path < ?`,
			newPath, len(oldPath)+1, lo, hi); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE places SET parent_id = ?, updated_at = ? WHERE id = ?`, parent.ID, tx.now, p.ID); err != nil {
		return nil, placeConflict(err, p)
	}
	p.Path, p.ParentID, p.UpdatedAt = newPath, parent.ID, tx.now
	if err := tx.addCounts(ctx, p.Path, c, true); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "move", "place", p.ID, p.Path,
		map[string]any{"path": oldPath}, map[string]any{"path": newPath, "parent_id": parent.ID}); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// counts are deltas of the per-node subtree counts.
type counts struct{ households, residents, vulnerable int }

func (c counts) neg() counts { return counts{-c.households, -c.residents, -c.vulnerable} }
func (c counts) zero() bool  { return c == counts{} }

// addCounts adds c to every node on path: the node itself and its
// ancestors, or only the ancestors when ancestorsOnly (a subtree being moved
// keeps its own counts).
func (tx *Tx) addCounts(ctx context.Context, path string, c counts, ancestorsOnly bool) error {
	ids := frontline.PathIDs(path)
	if ancestorsOnly && len(ids) > 0 {
		ids = ids[:len(ids)-1]
	}
	if len(ids) == 0 || c.zero() {
		return nil
	}
	args := append([]any{c.households, c.residents, c.vulnerable}, int64Args(ids)...)
	_, err := tx.ExecContext(ctx, `UPDATE places SET households = households + ?, residents = residents + ?,
		vulnerable = vulnerable + ? WHERE id IN `+inList(len(ids)), args...)
	return err
}
