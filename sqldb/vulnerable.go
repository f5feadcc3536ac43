package sqldb

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// The vulnerable of the sealed and controlled zones are read, never kept:
// the zones are few (the zones_active index), the flagged residents under
// each are one range of the place tree, and a resident's effective zone is
// frontline.Effective over the zones around the node — the same answer
// ZoneService.EffectiveLevels gives, from the same rows. A resident leaves
// the board the moment their zone is lifted, with nothing to clean up.

// VulnerableService keeps the contacts and checks of the vulnerable.
type VulnerableService struct{ db *DB }

var _ frontline.VulnerableService = (*VulnerableService)(nil)

// NewVulnerableService returns a VulnerableService.
func NewVulnerableService(db *DB) *VulnerableService {
	return &VulnerableService{db: db}
}

// guarded reports whether a zone level puts its vulnerable residents under
// a named contact: sealed and controlled zones, where residents cannot go
// out for what they need.
func guarded(l frontline.ZoneLevel) bool {
	return l == frontline.LevelSealed || l == frontline.LevelControlled
}

// guardedRanges returns the path ranges under the node with path (the
// whole tree for "") that lie in a sealed or controlled zone, without
// overlaps: the node's own subtree when such a zone covers the node, else
// the outermost such zones under it.
func guardedRanges(path string, zones []*frontline.Zone) []string {
	var tops []string
	for _, z := range zones {
		if !guarded(z.Level) || z.Place == nil {
			continue
		}
		if path != "" && strings.HasPrefix(path, z.Place.Path) {
			return []string{path}
		}
		tops = append(tops, z.Place.Path)
	}
	slices.Sort(tops)
	var out []string
	for _, p := range tops {
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// vulnerableUnder returns the vulnerable residents (flagged, not moved
// out, visible to the caller) of the sealed and controlled zones at or
// under the node with path ("" for everywhere), each with the zone that
// decides their level, their contact and their last check, in building
// and address order; with the households' paths.
func (tx *Tx) vulnerableUnder(ctx context.Context, path string) ([]*frontline.VulnerableResident, map[int64]string, error) {
	zones, err := tx.activeAround(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	out := []*frontline.VulnerableResident{}
	paths := map[int64]string{} // household paths
	for _, r := range guardedRanges(path, zones) {
		lo, hi := subtreeRange(r)
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.household_id, p.name, p.birth_date, p.flags, p.phone, h.path
			FROM persons p JOIN places h ON h.id = p.household_id
			WHERE h.path >= ? AND h.path < ? AND p.flags <> '' AND p.status <> ? ORDER BY h.path, p.id`,
			lo, hi, string(frontline.StatusMovedOut))
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var v frontline.VulnerableResident
			var birth, flags, phone, hpath string
			if err := rows.Scan(&v.PersonID, &v.HouseholdID, &v.Name, &birth, &flags, &phone, &hpath); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if !visible(ctx, hpath) {
				continue
			}
			z := frontline.Effective(hpath, zones)
			if z == nil || !guarded(z.Level) {
				continue
			}
			v.Age, v.Flags, v.Phone = frontline.AgeAt(birth, tx.now), splitFlags(flags), frontline.MaskPhone(phone)
			v.Level, v.ZoneID = z.Level, z.ID
			paths[v.HouseholdID] = hpath
			out = append(out, &v)
			tx.db.vulnerableRows.Add(1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	if err := tx.fillVulnerable(ctx, out, paths); err != nil {
		return nil, nil, err
	}
	return out, paths, nil
}

// fillVulnerable adds the addresses, contacts and last checks of the
// residents, and whether each was reached today.
func (tx *Tx) fillVulnerable(ctx context.Context, vs []*frontline.VulnerableResident, paths map[int64]string) error {
	if len(vs) == 0 {
		return nil
	}
	names, err := tx.placeNamesOf(ctx, slices.Collect(maps.Values(paths)))
	if err != nil {
		return err
	}
	ids := make([]int64, len(vs))
	for i, v := range vs {
		ids[i] = v.PersonID
		addressInBuilding(v, paths[v.HouseholdID], names)
	}
	contacts, err := tx.contactsOf(ctx, ids)
	if err != nil {
		return err
	}
	last, err := tx.lastChecks(ctx, ids)
	if err != nil {
		return err
	}
	reached, err := tx.reachedOn(ctx, ids, tx.today())
	if err != nil {
		return err
	}
	for _, v := range vs {
		v.Contact, v.LastCheck, v.CheckedToday = contacts[v.PersonID], last[v.PersonID], reached[v.PersonID]
	}
	slices.SortStableFunc(vs, func(a, b *frontline.VulnerableResident) int {
		if c := NaturalCompare(a.Building, b.Building); c != 0 {
			return c
		}
		return NaturalCompare(a.Address, b.Address)
	})
	return nil
}

// addressInBuilding names a resident's building (compound · building) and
// their door below it (2单元/301) from the names on their household's path.
func addressInBuilding(v *frontline.VulnerableResident, path string, names map[int64]*frontline.Place) {
	var building []string
	var door []string
	for _, id := range frontline.PathIDs(path) {
		p := names[id]
		if p == nil {
			continue
		}
		switch {
		case p.Kind == frontline.KindCompound:
			building = append(building, p.Name)
		case p.Kind == frontline.KindBuilding:
			building = append(building, p.Name)
			v.BuildingID = p.ID
		case p.Kind.Rank() > frontline.KindBuilding.Rank():
			door = append(door, p.Name)
		}
	}
	if v.BuildingID == 0 {
		// A household straight under a compound: the compound is its
		// building on the board.
		ids := frontline.PathIDs(path)
		if len(ids) > 1 {
			v.BuildingID = ids[len(ids)-2]
		}
	}
	v.Building, v.Address = strings.Join(building, " · "), strings.Join(door, "/")
}

// today is the local day of the transaction's time.
func (tx *Tx) today() string { return localDay(tx.now, tx.db.Location) }

// contactsOf returns the contacts of the persons, by person.
func (tx *Tx) contactsOf(ctx context.Context, ids []int64) (map[int64]*frontline.VulnerableContact, error) {
	out := map[int64]*frontline.VulnerableContact{}
	err := tx.eachRow(ctx, `SELECT c.person_id, c.worker_id, w.name, w.phone, COALESCE(w.user_id, 0), c.source, c.set_at, c.set_by
		FROM vulnerable_contacts c JOIN workers w ON w.id = c.worker_id WHERE c.person_id IN %s`, ids,
		func(sc interface{ Scan(...any) error }) error {
			var c frontline.VulnerableContact
			if err := sc.Scan(&c.PersonID, &c.WorkerID, &c.WorkerName, &c.Phone, &c.UserID, &c.Source, &c.SetAt, &c.SetBy); err != nil {
				return err
			}
			out[c.PersonID] = &c
			return nil
		})
	return out, err
}

const checkColumns = `c.id, c.person_id, c.household_id, COALESCE(c.worker_id, 0), c.day, c.method, c.state, c.note, c.checked_at, c.checked_by`

func scanCheck(sc interface{ Scan(...any) error }) (*frontline.VulnerableCheck, error) {
	var c frontline.VulnerableCheck
	err := sc.Scan(&c.ID, &c.PersonID, &c.HouseholdID, &c.WorkerID, &c.Day, &c.Method, &c.State, &c.Note, &c.CheckedAt, &c.CheckedBy)
	return &c, err
}

// lastChecks returns each person's latest check.
func (tx *Tx) lastChecks(ctx context.Context, ids []int64) (map[int64]*frontline.VulnerableCheck, error) {
	out := map[int64]*frontline.VulnerableCheck{}
	err := tx.eachRow(ctx, `SELECT `+checkColumns+` FROM vulnerable_checks c WHERE c.id IN
		(SELECT MAX(id) FROM vulnerable_checks WHERE person_id IN %s GROUP BY person_id)`, ids,
		func(sc interface{ Scan(...any) error }) error {
			c, err := scanCheck(sc)
			if err == nil {
				out[c.PersonID] = c
			}
			return err
		})
	return out, err
}

// reachedOn returns the persons called or visited on day.
func (tx *Tx) reachedOn(ctx context.Context, ids []int64, day string) (map[int64]bool, error) {
	out := map[int64]bool{}
	for chunk := range slices.Chunk(ids, maxInList) {
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT person_id FROM vulnerable_checks WHERE day = ? AND method <> ?
			AND person_id IN `+inList(len(chunk)), append([]any{day, string(frontline.CheckUnreachable)}, int64Args(chunk)...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Board returns the vulnerable of the sealed and controlled zones under a
// node, by building: those not reached today, all of them, or those
// without a named contact.
func (s *VulnerableService) Board(ctx context.Context, placeID int64, view frontline.VulnerableView) (*frontline.VulnerableBoard, error) {
	switch view {
	case frontline.ViewUnreached, frontline.ViewAll, frontline.ViewNoContact:
	default:
		return nil, frontline.FieldError("view", "unknown view %q (all, nocontact)", view)
	}
	tx, err := s.db.readTx(ctx, frontline.PermCheckVulnerable)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	vs, _, err := tx.vulnerableUnder(ctx, node.Path)
	if err != nil {
		return nil, err
	}
	b := &frontline.VulnerableBoard{Place: node, Day: tx.today(), Total: len(vs), View: view, Buildings: []*frontline.VulnerableBuilding{}}
	if b.AlertAt, err = tx.alertAt(ctx, node.Path); err != nil {
		return nil, err
	}
	for _, v := range vs {
		if !v.Contact.Named() {
			b.NoContact++
			if v.Contact != nil {
				b.Proposed++
			}
		}
		if v.CheckedToday {
			b.Checked++
		}
		switch {
		case view == frontline.ViewUnreached && v.CheckedToday, view == frontline.ViewNoContact && v.Contact.Named():
			continue
		}
		if n := len(b.Buildings); n == 0 || b.Buildings[n-1].ID != v.BuildingID {
			b.Buildings = append(b.Buildings, &frontline.VulnerableBuilding{ID: v.BuildingID, Name: v.Building})
		}
		last := b.Buildings[len(b.Buildings)-1]
		last.Residents = append(last.Residents, v)
	}
	var listed []*frontline.VulnerableResident
	for _, bl := range b.Buildings {
		listed = append(listed, bl.Residents...)
	}
	if err := tx.householdRestrictionOf(ctx, listed); err != nil {
		return nil, err
	}
	return b, nil
}

// householdRestrictionOf fills the household restriction of the residents
// shown: of those listed only, since the daily report and the alert job
// read the same residents without it.
func (tx *Tx) householdRestrictionOf(ctx context.Context, vs []*frontline.VulnerableResident) error {
	if len(vs) == 0 {
		return nil
	}
	households := make([]int64, len(vs))
	for i, v := range vs {
		households[i] = v.HouseholdID
	}
	strictest, err := tx.householdStrictest(ctx, households)
	if err != nil {
		return err
	}
	for _, v := range vs {
		v.HouseholdRestriction = strictest[v.HouseholdID]
	}
	return nil
}

// Mine returns the vulnerable whose contact is the caller's worker, those
// not reached today first.
func (s *VulnerableService) Mine(ctx context.Context) ([]*frontline.VulnerableResident, error) {
	tx, err := s.db.readTx(ctx, frontline.PermCheckVulnerable)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p := frontline.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return []*frontline.VulnerableResident{}, nil
	}
	vs, _, err := tx.vulnerableUnder(ctx, p.ScopePath)
	if err != nil {
		return nil, err
	}
	out := []*frontline.VulnerableResident{}
	for _, v := range vs {
		if v.Contact != nil && v.Contact.UserID == p.UserID {
			out = append(out, v)
		}
	}
	slices.SortStableFunc(out, func(a, b *frontline.VulnerableResident) int {
		switch {
		case a.CheckedToday == b.CheckedToday:
			return 0
		case a.CheckedToday:
			return 1
		}
		return -1
	})
	return out, tx.householdRestrictionOf(ctx, out)
}

// Resident returns one vulnerable resident with their contact and checks.
func (s *VulnerableService) Resident(ctx context.Context, personID int64) (*frontline.VulnerableResident, []*frontline.VulnerableCheck, error) {
	tx, err := s.db.readTx(ctx, frontline.PermCheckVulnerable)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	v, err := tx.vulnerableResident(ctx, personID)
	if err != nil {
		return nil, nil, err
	}
	checks, err := tx.checksOf(ctx, personID)
	if err != nil {
		return nil, nil, err
	}
	if err := tx.householdRestrictionOf(ctx, []*frontline.VulnerableResident{v}); err != nil {
		return nil, nil, err
	}
	return v, checks, nil
}

// vulnerableResident returns a flagged resident of the caller's scope
// with their zone (LevelNone when none guards them), contact and last
// check.
func (tx *Tx) vulnerableResident(ctx context.Context, personID int64) (*frontline.VulnerableResident, error) {
	var v frontline.VulnerableResident
	var birth, flags, phone, hpath string
	err := tx.QueryRowContext(ctx, `SELECT p.id, p.household_id, p.name, p.birth_date, p.flags, p.phone, h.path
		FROM persons p JOIN places h ON h.id = p.household_id WHERE p.id = ? AND p.status <> ?`,
		personID, string(frontline.StatusMovedOut)).Scan(&v.PersonID, &v.HouseholdID, &v.Name, &birth, &flags, &phone, &hpath)
	if err != nil || !visible(ctx, hpath) || flags == "" {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no vulnerable resident %d here", personID)
	}
	v.Age, v.Flags, v.Phone = frontline.AgeAt(birth, tx.now), splitFlags(flags), frontline.MaskPhone(phone)
	zones, err := tx.activeOnPaths(ctx, hpath)
	if err != nil {
		return nil, err
	}
	v.Level = frontline.LevelNone
	if z := frontline.Effective(hpath, zones); z != nil {
		v.Level, v.ZoneID = z.Level, z.ID
	}
	if err := tx.fillVulnerable(ctx, []*frontline.VulnerableResident{&v}, map[int64]string{v.HouseholdID: hpath}); err != nil {
		return nil, err
	}
	return &v, nil
}

// checksOf returns a person's checks, newest first, with their needs.
func (tx *Tx) checksOf(ctx context.Context, personID int64) ([]*frontline.VulnerableCheck, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+checkColumns+` FROM vulnerable_checks c WHERE c.person_id = ?
		ORDER BY c.checked_at DESC, c.id DESC LIMIT 60`, personID)
	if err != nil {
		return nil, err
	}
	out := []*frontline.VulnerableCheck{}
	byID := map[int64]*frontline.VulnerableCheck{}
	for rows.Next() {
		c, err := scanCheck(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out, byID[c.ID] = append(out, c), c
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	err = tx.eachRow(ctx, `SELECT `+needColumns+` FROM vulnerable_needs n WHERE n.check_id IN %s ORDER BY n.id`,
		slices.Collect(func(yield func(int64) bool) {
			for _, c := range out {
				if !yield(c.ID) {
					return
				}
			}
		}),
		func(sc interface{ Scan(...any) error }) error {
			n, err := scanNeed(sc)
			if err == nil {
				byID[n.CheckID].Needs = append(byID[n.CheckID].Needs, n)
			}
			return err
		})
	return out, err
}

const needColumns = `n.id, n.check_id, n.person_id, n.household_id, n.kind, n.detail, n.link_kind, n.link_id`

func scanNeed(sc interface{ Scan(...any) error }) (*frontline.VulnerableNeed, error) {
	var n frontline.VulnerableNeed
	err := sc.Scan(&n.ID, &n.CheckID, &n.PersonID, &n.HouseholdID, &n.Kind, &n.Detail, &n.LinkKind, &n.LinkID)
	return &n, err
}
