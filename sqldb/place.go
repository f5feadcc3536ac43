package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"maps"
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

// placeColumnsR is placeColumns with when the place was retired, which
// the place service's own reads return; the reads of other services join
// places in use only and scan placeColumns.
const placeColumnsR = placeColumns + `, retired_at`

func scanPlaceR(sc interface{ Scan(...any) error }) (*frontline.Place, error) {
	var p frontline.Place
	var retired sql.NullTime
	err := sc.Scan(&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path,
		&p.Households, &p.Residents, &p.Vulnerable, &p.CreatedAt, &p.UpdatedAt, &retired)
	p.RetiredAt = nullTime(retired)
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
	p, err := scanPlaceR(tx.QueryRowContext(ctx, `SELECT `+placeColumnsR+` FROM places WHERE id = ?`, id))
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
		parentID := int64(0)
		if cur != nil {
			parentID = cur.ID
		}
		p, err := tx.childByName(ctx, parentID, name, "")
		if err == nil && (p == nil || !visible(ctx, p.Path) && !aboveScope(ctx, p.Path)) {
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
	if !f.IncludeRetired {
		where = append(where, "retired_at IS NULL")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM places WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+placeColumnsR+` FROM places WHERE `+cond+
		` ORDER BY path`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	places := make([]*frontline.Place, 0)
	for rows.Next() {
		p, err := scanPlaceR(rows)
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
	rows, err := tx.QueryContext(ctx, `SELECT `+placeColumnsR+` FROM places WHERE id IN `+inList(len(ids))+` ORDER BY path`, int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.Place, 0, len(ids))
	for rows.Next() {
		a, err := scanPlaceR(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreatePlace adds a node under p.ParentID (0 for a root).
func (s *PlaceService) CreatePlace(ctx context.Context, p *frontline.Place) error {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.createPlace(ctx, p); err != nil {
		return err
	}
	return tx.Commit()
}

// createPlace adds p under p.ParentID, within the rules of the caller:
// a principal adds the office's own levels under their scope, the system
// anything anywhere.
func (tx *Tx) createPlace(ctx context.Context, p *frontline.Place) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if frontline.PrincipalFrom(ctx) != nil && p.ParentID == 0 {
		return frontline.Errorf(frontline.EFORBIDDEN, "a place at the top of the tree can only be added from the command line")
	}
	if err := officeLevel(ctx, p.Kind); err != nil {
		return err
	}
	var parent *frontline.Place
	parentPath := ""
	if p.ParentID != 0 {
		var err error
		if parent, err = tx.findPlaceByID(ctx, p.ParentID); err != nil {
			return err
		}
		if parent.Retired() {
			return retired(parent)
		}
		if !parent.Kind.CanContain(p.Kind) {
			return frontline.FieldError("kind", "a %s cannot be placed under a %s", p.Kind, parent.Kind)
		}
		parentPath = parent.Path
	}
	code, err := tx.checkCode(ctx, p.Kind, p.Code, parent)
	if err != nil {
		return err
	}
	p.Code = code
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

// officeLevel refuses a principal a change to an administrative place
// (city to community): those follow the statistics bureau's list and are
// set from the command line. The system may change any.
func officeLevel(ctx context.Context, kind frontline.PlaceKind) error {
	if frontline.PrincipalFrom(ctx) == nil || !kind.Administrative() {
		return nil
	}
	return frontline.Errorf(frontline.EFORBIDDEN,
		"a %s follows the statistics bureau's division list and is changed from the command line (frontline places)", kind)
}

// editable returns the node with id for a change of itself (rename, move,
// retire): inside the caller's scope and not their scope node, which only
// someone above them may change, of a level the caller may change, and in
// use.
func (tx *Tx) editable(ctx context.Context, id int64) (*frontline.Place, error) {
	p, err := tx.findPlaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if pr := frontline.PrincipalFrom(ctx); pr != nil && pr.ScopePath == p.Path {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "%s is the area you work in; only someone above it may change it", p.Name)
	}
	if err := officeLevel(ctx, p.Kind); err != nil {
		return nil, err
	}
	if p.Retired() {
		return nil, retired(p)
	}
	return p, nil
}

func retired(p *frontline.Place) error {
	return frontline.Errorf(frontline.ECONFLICT, "%s was retired on %s", p.Name, p.RetiredAt.Format("2006-01-02"))
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
	p, err := tx.updatePlace(ctx, id, upd)
	if err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

func (tx *Tx) updatePlace(ctx context.Context, id int64, upd frontline.PlaceUpdate) (*frontline.Place, error) {
	p, err := tx.editable(ctx, id)
	if err != nil {
		return nil, err
	}
	before := placeFields(p)
	if upd.Name != nil {
		p.Name = *upd.Name
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if upd.Code != nil && *upd.Code != p.Code {
		parent, err := tx.parentOf(ctx, p)
		if err != nil {
			return nil, err
		}
		if p.Code, err = tx.checkCode(ctx, p.Kind, *upd.Code, parent); err != nil {
			return nil, err
		}
	}
	after := placeFields(p)
	if maps.Equal(before, after) {
		return p, nil // nothing changed: nothing to write or audit
	}
	p.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE places SET name = ?, code = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Code, tx.now, p.ID); err != nil {
		return nil, placeConflict(err, p)
	}
	if err := tx.audit(ctx, "update", "place", p.ID, p.Path, before, after); err != nil {
		return nil, err
	}
	return p, nil
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
