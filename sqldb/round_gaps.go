package sqldb

import (
	"context"
	"database/sql"
	"strings"

	"github.com/frontline-org/frontline"
)

// gapWhere selects the members under a node who are neither sampled nor
// excused: pending, without a live binding.
func (db *DB) gapWhere() string {
	return ` FROM round_members m WHERE m.round_id = ? AND m.path >= ? AND m.path < ? AND m.status = 'pending'
	AND ` + db.unsampled("m")
}

// NotSampled lists the households under a node that still have persons to
// sample, in walking order (by path), with those persons, their
// vulnerability flags and the names down to their building: the list
// staff take from door to door. It returns the total of such households.
//
// A page costs what it lists, not what the node holds: the members are
// read in path order through round_members_path and the read stops at the
// page's last household, and a node whose counters say nobody is left
// answers at once. The total counts the whole node (a community of 12,000
// members is a probe of bindings_person each); KeepGapTotals lets a busy
// server count it once a while per node.
func (s *CoverageService) NotSampled(ctx context.Context, roundID, placeID int64, offset, limit int) ([]*frontline.GapHousehold, int, error) {
	tx, r, p, err := s.coverageNode(ctx, roundID, placeID)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	if p.Kind != frontline.KindHousehold {
		own, err := tx.coverageOf(ctx, r.ID, p)
		if err != nil {
			return nil, 0, err
		}
		if own.NotYet() <= 0 {
			// Everyone counted here is sampled or excused: no gap.
			return nil, 0, nil
		}
	}
	lo, hi := subtreeRange(p.Path)
	args := []any{r.ID, lo, hi}
	total, err := s.gapTotals.get(ctx, gapKey{r.ID, p.ID}, s.db.Now, func() (int, error) {
		// Households by path, in the index's order: no member row is read
		// and nothing is sorted.
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT m.path`+tx.db.gapWhere()+` GROUP BY m.path) g`, args...).Scan(&n)
		return n, err
	})
	if err != nil {
		return nil, 0, err
	}
	// Grouped by the path alone (a household's path names it), the rows
	// come in the index's order, so the read ends with the page; grouped by
	// path and household, both engines sorted every member of the node
	// first.
	rows, err := tx.QueryContext(ctx, `SELECT m.path, MIN(m.household_id)`+tx.db.gapWhere()+` GROUP BY m.path
		ORDER BY m.path`+limitClause(offset, limit), args...)
	if err != nil {
		return nil, 0, err
	}
	var homes []*frontline.GapHousehold
	var paths []string
	byID := map[int64]*frontline.GapHousehold{}
	for rows.Next() {
		h := &frontline.GapHousehold{}
		var path string
		if err := rows.Scan(&path, &h.HouseholdID); err != nil {
			rows.Close()
			return nil, 0, err
		}
		homes, paths, byID[h.HouseholdID] = append(homes, h), append(paths, path), h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := tx.gapPersons(ctx, r.ID, byID); err != nil {
		return nil, 0, err
	}
	byPath := make(map[int64]string, len(homes))
	for i, h := range homes {
		byPath[h.HouseholdID] = paths[i]
	}
	resp, err := tx.responsibleFor(ctx, byPath, localDay(tx.now, chinaTime))
	if err != nil {
		return nil, 0, err
	}
	for _, h := range homes {
		h.Responsible = resp[h.HouseholdID].Acting()
	}
	return homes, total, tx.nameGaps(ctx, homes, paths, p.Path)
}

// gapPersons fills each household's persons still to sample.
func (tx *Tx) gapPersons(ctx context.Context, roundID int64, byID map[int64]*frontline.GapHousehold) error {
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	return tx.eachRow(ctx, `SELECT m.household_id, m.person_id, p.name, p.flags, m.excuse FROM round_members m
		JOIN persons p ON p.id = m.person_id
		WHERE m.round_id = `+itoa(roundID)+` AND m.status = 'pending' AND m.household_id IN %s
		AND `+tx.db.unsampled("m")+`
		ORDER BY m.household_id, m.person_id`, sortedUnique(ids), func(sc interface{ Scan(...any) error }) error {
		var hh int64
		var gp frontline.GapPerson
		var flags, excuse string
		if err := sc.Scan(&hh, &gp.PersonID, &gp.Name, &flags, &excuse); err != nil {
			return err
		}
		gp.Flags, gp.HomeSampling = splitFlags(flags), excuse == string(frontline.ExcuseHomeSampling)
		byID[hh].Persons = append(byID[hh].Persons, gp)
		return nil
	})
}

// nameGaps names each household and the nodes between the listed node and
// the household ("3号楼 2单元").
func (tx *Tx) nameGaps(ctx context.Context, homes []*frontline.GapHousehold, paths []string, top string) error {
	names, err := tx.pathNames(ctx, paths)
	if err != nil {
		return err
	}
	for i, h := range homes {
		ids := frontline.PathIDs(paths[i])
		h.Household = names[h.HouseholdID]
		if len(ids) >= 2 {
			h.BuildingID = ids[len(ids)-2]
		}
		parent := paths[i][:len(paths[i])-len(itoa(h.HouseholdID))-1]
		h.Building = strings.TrimSpace(addressBelow(names, top, parent))
	}
	return nil
}

// excusalWhere selects the members under a node taken off the site's
// queue and not sampled: the excused, and those left to the home sampling
// team (pending with a reason).
func (db *DB) excusalWhere() string {
	return ` FROM round_members m JOIN persons p ON p.id = m.person_id
	WHERE m.round_id = ? AND m.path >= ? AND m.path < ? AND m.excuse <> ''
	AND ` + db.unsampled("m")
}

// Excusals lists the members under a node who were excused or left to
// the home sampling team and are not sampled, in address order, with who
// decided, why and when, and their total.
func (s *CoverageService) Excusals(ctx context.Context, roundID, placeID int64, offset, limit int) ([]*frontline.Member, int, error) {
	tx, r, p, err := s.coverageNode(ctx, roundID, placeID)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	lo, hi := subtreeRange(p.Path)
	args := []any{r.ID, lo, hi}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+tx.db.excusalWhere(), args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.person_id, m.household_id, p.name, m.status, m.excuse, m.excuse_note, m.excused_by,
		m.excused_at, m.path`+tx.db.excusalWhere()+` ORDER BY m.path, m.person_id`+limitClause(offset, limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]*frontline.Member, 0)
	var paths []string
	for rows.Next() {
		m := &frontline.Member{RoundID: r.ID}
		var at sql.NullTime
		var path string
		if err := rows.Scan(&m.PersonID, &m.HouseholdID, &m.Name, &m.Status, &m.Excuse, &m.ExcuseNote, &m.ExcusedBy, &at, &path); err != nil {
			return nil, 0, err
		}
		m.ExcusedAt = nullTime(at)
		out, paths = append(out, m), append(paths, path)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	names, err := tx.pathNames(ctx, paths)
	if err != nil {
		return nil, 0, err
	}
	for i, m := range out {
		m.Address = addressBelow(names, p.Path, paths[i])
	}
	return out, total, nil
}
