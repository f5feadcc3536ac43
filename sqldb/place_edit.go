package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/frontline-org/frontline"
)

// childByName returns the node named name in use under parentID (0 for
// the roots), preferring one of kind when two of different kinds share the
// name; nil when there is none.
func (tx *Tx) childByName(ctx context.Context, parentID int64, name string, kind frontline.PlaceKind) (*frontline.Place, error) {
	p, err := scanPlaceR(tx.QueryRowContext(ctx, `SELECT `+placeColumnsR+` FROM places
		WHERE COALESCE(parent_id, 0) = ? AND name = ? AND retired_at IS NULL
		ORDER BY CASE WHEN kind = ? THEN 0 ELSE 1 END, id LIMIT 1`, parentID, name, string(kind)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return p, err
}

// AddPath creates every missing node along a path of names from a root
// and returns the last one and how many it created, in one transaction.
// A missing node is of the kind that follows its parent's; the last one
// is of kind when given (a path that skips a level, as a building whose
// households have no unit). A path that exists is left as it is, except
// that its last node gets code when it had none.
func (s *PlaceService) AddPath(ctx context.Context, names []string, kind frontline.PlaceKind, code string) (*frontline.Place, int, error) {
	if len(names) == 0 {
		return nil, 0, frontline.Errorf(frontline.EINVALID, "give the path of names to add, from the city down: 天水市/秦州区/大城街道")
	}
	if kind != "" && !kind.Valid() {
		return nil, 0, frontline.FieldError("kind", "unknown place kind %q (kinds: city, district, subdistrict, community, compound, building, unit, household)", kind)
	}
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var cur *frontline.Place
	created := 0
	for i, name := range names {
		last := i == len(names)-1
		parentID, want := int64(0), frontline.NextKind("")
		if cur != nil {
			parentID, want = cur.ID, frontline.NextKind(cur.Kind)
		}
		if last && kind != "" {
			want = kind
		}
		found, err := tx.childByName(ctx, parentID, frontline.CleanName(name), want)
		if err != nil {
			return nil, 0, err
		}
		if found != nil && !visible(ctx, found.Path) && !aboveScope(ctx, found.Path) {
			found = nil // not the caller's: adding it will say it exists
		}
		switch {
		case found != nil && last:
			if found, err = tx.keepLast(ctx, found, kind, code); err != nil {
				return nil, 0, err
			}
		case found == nil && want == "":
			return nil, 0, frontline.Errorf(frontline.EINVALID, "%s would be below a household, and nothing is", name)
		case found == nil:
			found = &frontline.Place{ParentID: parentID, Kind: want, Name: name}
			if last {
				found.Code = code
			}
			if err := tx.createPlace(ctx, found); err != nil {
				return nil, 0, err
			}
			created++
		}
		cur = found
	}
	return cur, created, tx.Commit()
}

// keepLast checks an existing last node of a path against the kind and
// code asked for, and gives it the code when it had none.
func (tx *Tx) keepLast(ctx context.Context, p *frontline.Place, kind frontline.PlaceKind, code string) (*frontline.Place, error) {
	if kind != "" && p.Kind != kind {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s exists already, as a %s, not a %s", p.Name, p.Kind, kind)
	}
	if code == "" {
		return p, nil
	}
	parent, err := tx.parentOf(ctx, p)
	if err != nil {
		return nil, err
	}
	norm, err := tx.checkCode(ctx, p.Kind, code, parent)
	switch {
	case err != nil:
		return nil, err
	case p.Code == norm:
		return p, nil
	case p.Code != "":
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s exists already with the code %s, not %s", p.Name, p.Code, norm)
	}
	return tx.updatePlace(ctx, p.ID, frontline.PlaceUpdate{Code: &norm})
}

// checkCode checks the code of a place of kind under parent (nil for a
// root) against the nearest place above it with a code, and returns it in
// its stored form (frontline.CheckPlaceCode).
func (tx *Tx) checkCode(ctx context.Context, kind frontline.PlaceKind, code string, parent *frontline.Place) (string, error) {
	if code == "" || !kind.Administrative() || parent == nil {
		return frontline.CheckPlaceCode(kind, code, nil)
	}
	chain, err := tx.ancestors(ctx, parent)
	if err != nil {
		return "", err
	}
	chain = append(chain, parent)
	var above *frontline.Place
	for _, a := range chain {
		if a.Code != "" && a.Kind.Administrative() {
			above = a
		}
	}
	return frontline.CheckPlaceCode(kind, code, above)
}

// parentOf returns p's parent, nil for a root.
func (tx *Tx) parentOf(ctx context.Context, p *frontline.Place) (*frontline.Place, error) {
	if p.ParentID == 0 {
		return nil, nil
	}
	return tx.placeByID(ctx, p.ParentID)
}

// RetirePlace retires a node and everything under it. It is refused while
// anyone lives there, while an open campaign still has to visit one of its
// households, or while a zone is in force on it or under it: retiring
// must not hide a person or a door from the work.
func (s *PlaceService) RetirePlace(ctx context.Context, id int64) (*frontline.Place, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.editable(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := tx.retirable(ctx, p); err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(p.Path)
	actor := frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE places SET retired_at = ?, retired_by = ?, households = 0, updated_at = ?
		WHERE path >= ? AND path < ? AND retired_at IS NULL`, tx.now, actor, tx.now, lo, hi); err != nil {
		return nil, err
	}
	if err := tx.addCounts(ctx, p.Path, counts{households: -p.Households}, true); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "retire", "place", p.ID, p.Path, placeFields(p),
		map[string]any{"retired_at": tx.now, "households": p.Households}); err != nil {
		return nil, err
	}
	p.RetiredAt, p.UpdatedAt, p.Households = tx.now, tx.now, 0
	return p, tx.Commit()
}

// retirable says why p may not be retired, if it may not.
func (tx *Tx) retirable(ctx context.Context, p *frontline.Place) error {
	if p.Residents > 0 {
		what := "a household there has"
		if p.Kind == frontline.KindHousehold {
			what = "it has"
		}
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "residents", Message: fmt.Sprintf(
			"%s cannot be retired: %s %d residents; move them to another household or out first", p.Name, what, p.Residents)}
	}
	lo, hi := subtreeRange(p.Path)
	var campaign string
	var n int
	err := tx.QueryRowContext(ctx, `SELECT c.name, COUNT(*) FROM screening_households s
		JOIN screening_campaigns c ON c.id = s.campaign_id
		WHERE c.status = ? AND s.final = ? AND s.path >= ? AND s.path < ? GROUP BY c.id, c.name ORDER BY c.id LIMIT 1`,
		string(frontline.CampaignOpen), false, lo, hi).Scan(&campaign, &n)
	switch {
	case err == nil:
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "campaign", Message: fmt.Sprintf(
			"%s cannot be retired: %d households there are still to be visited in the open campaign %s; record the visit (vacant) first",
			p.Name, n, campaign)}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM zones WHERE ended_at IS NULL AND path >= ? AND path < ?`, lo, hi).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "zone", Message: fmt.Sprintf(
			"%s cannot be retired: %s in force on it or under it; lift it first", p.Name, plural(n, "a zone is", fmt.Sprintf("%d zones are", n)))}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
