package sqldb

import (
	"context"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// affected lists what a node holds: every household with an address below
// the node, and every vulnerable resident with their flags and a masked
// phone. It reads the subtree once for the names and the persons once.
func (tx *Tx) affected(ctx context.Context, place *frontline.Place) (*frontline.Affected, error) {
	zones, err := tx.activeOnPaths(ctx, place.Path)
	if err != nil {
		return nil, err
	}
	a := &frontline.Affected{Place: place, Level: frontline.EffectiveLevel(place.Path, zones), Residents: place.Residents,
		Households: []*frontline.AffectedHousehold{}, Vulnerable: []*frontline.AffectedPerson{}}
	if err := tx.subtreeHouseholds(ctx, place, a); err != nil {
		return nil, err
	}
	address := map[int64]string{}
	for _, h := range a.Households {
		address[h.ID] = h.Address
	}
	lo, hi := subtreeRange(place.Path)
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.household_id, p.name, p.birth_date, p.flags, p.phone
		FROM persons p JOIN places h ON h.id = p.household_id
		WHERE h.path >= ? AND h.path < ? AND p.flags <> '' AND p.status <> ? ORDER BY h.path, p.id`,
		lo, hi, string(frontline.StatusMovedOut))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v frontline.AffectedPerson
		var birth, flags, phone string
		if err := rows.Scan(&v.PersonID, &v.HouseholdID, &v.Name, &birth, &flags, &phone); err != nil {
			return nil, err
		}
		v.Age, v.Flags, v.Phone = frontline.AgeAt(birth, tx.now), splitFlags(flags), frontline.MaskPhone(phone)
		v.Address = address[v.HouseholdID]
		a.Vulnerable = append(a.Vulnerable, &v)
	}
	slices.SortStableFunc(a.Vulnerable, func(x, y *frontline.AffectedPerson) int { return NaturalCompare(x.Address, y.Address) })
	return a, rows.Err()
}

// subtreeHouseholds fills a.Households with the households under place,
// each addressed by the names below place ("3号楼/2单元/301"), in natural
// address order.
func (tx *Tx) subtreeHouseholds(ctx context.Context, place *frontline.Place, a *frontline.Affected) error {
	lo, hi := subtreeRange(place.Path)
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, name, path, residents, vulnerable FROM places
		WHERE path >= ? AND path < ? AND retired_at IS NULL ORDER BY path`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	names := map[int64]string{}
	type hh struct {
		h    *frontline.AffectedHousehold
		path string
	}
	var households []hh
	for rows.Next() {
		var id int64
		var kind frontline.PlaceKind
		var name, path string
		var residents, vulnerable int
		if err := rows.Scan(&id, &kind, &name, &path, &residents, &vulnerable); err != nil {
			return err
		}
		names[id] = name
		if kind == frontline.KindHousehold {
			households = append(households, hh{&frontline.AffectedHousehold{ID: id, Residents: residents, Vulnerable: vulnerable}, path})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	depth := len(frontline.PathIDs(place.Path))
	for _, h := range households {
		ids := frontline.PathIDs(h.path)
		parts := make([]string, 0, len(ids))
		for _, id := range ids[min(depth, len(ids)-1):] {
			parts = append(parts, names[id])
		}
		h.h.Address = strings.Join(parts, "/")
		a.Households = append(a.Households, h.h)
	}
	slices.SortStableFunc(a.Households, func(x, y *frontline.AffectedHousehold) int { return NaturalCompare(x.Address, y.Address) })
	return nil
}
