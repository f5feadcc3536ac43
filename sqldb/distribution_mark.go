package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/frontline-org/frontline"
)

// handoutDelta is a change of a distribution's counters.
type handoutDelta struct{ households, delivered, refused, notHome, movedOut, notApplicable int }

func (d handoutDelta) sub(o handoutDelta) handoutDelta {
	return handoutDelta{d.households - o.households, d.delivered - o.delivered, d.refused - o.refused,
		d.notHome - o.notHome, d.movedOut - o.movedOut, d.notApplicable - o.notApplicable}
}

// handoutStatusDelta is what a household in status s adds to the counters.
func handoutStatusDelta(s frontline.HandoutStatus) handoutDelta {
	switch s {
	case frontline.HandoutDelivered:
		return handoutDelta{delivered: 1}
	case frontline.HandoutRefused:
		return handoutDelta{refused: 1}
	case frontline.HandoutNotHome:
		return handoutDelta{notHome: 1}
	case frontline.HandoutMovedOut:
		return handoutDelta{movedOut: 1}
	case frontline.HandoutNotApplicable:
		return handoutDelta{notApplicable: 1}
	}
	return handoutDelta{}
}

// addHandoutCounts adds t to the counters of every node from the scope
// down to the household's parent: a handful of rows by primary key, in
// the transaction of the write.
func (tx *Tx) addHandoutCounts(ctx context.Context, d distribution, householdPath string, t handoutDelta) error {
	if t == (handoutDelta{}) {
		return nil
	}
	ids := countedNodes(d.path, householdPath)
	if len(ids) == 0 {
		return fmt.Errorf("household %s is not under distribution scope %s", householdPath, d.path)
	}
	res, err := tx.ExecContext(ctx, `UPDATE distribution_counts SET households = households + ?, delivered = delivered + ?,
		refused = refused + ?, not_home = not_home + ?, moved_out = moved_out + ?, not_applicable = not_applicable + ?
		WHERE distribution_id = ? AND place_id IN `+inList(len(ids)),
		append([]any{t.households, t.delivered, t.refused, t.notHome, t.movedOut, t.notApplicable, d.ID}, int64Args(ids)...)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && int(n) != len(ids) {
		return fmt.Errorf("distribution %d has counters for %d of the %d nodes above %s", d.ID, n, len(ids), householdPath)
	}
	return nil
}

var distributionDaysUpsert = multiRow{types: []string{"BIGINT", "BIGINT", "TEXT", "INTEGER"},
	prefix: `INSERT INTO distribution_days (distribution_id, place_id, day, delivered) `,
	suffix: ` ON CONFLICT (distribution_id, place_id, day) DO UPDATE SET delivered = distribution_days.delivered + excluded.delivered`}

// addDeliveredDay counts a delivery (n = 1) or takes one back (n = -1) on
// the day it was made, at every node from the scope down.
func (tx *Tx) addDeliveredDay(ctx context.Context, d distribution, householdPath, day string, n int) error {
	ids := countedNodes(d.path, householdPath)
	return distributionDaysUpsert.exec(ctx, tx, len(ids), func(i int, args []any) []any {
		return append(args, d.ID, ids[i], day, n)
	})
}

// Mark records what happened at a door. The counters get the difference
// between the old status and the new; the same final status again is
// answered with the household as it is, so a mark sent twice acts once.
// Nobody home counts an attempt each time: the door is tried again.
func (s *DistributionService) Mark(ctx context.Context, m *frontline.HandoutMark) (*frontline.Handout, error) {
	if err := authorizeDistribution(ctx, true); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, err := tx.openDistribution(ctx, m.DistributionID)
	if err != nil {
		return nil, err
	}
	h, err := tx.handout(ctx, d, m.HouseholdID, true)
	if err != nil {
		return nil, err
	}
	if h.Status == m.Status && m.Status.Final() && h.Reason == m.Reason {
		return h, nil
	}
	loc := s.db.Location
	actor := frontline.ActorFrom(ctx).String()
	// A delivered household marked delivered again (a note added) keeps
	// the time of its delivery, and with it its day on the charts and in
	// the daily report.
	at, by := tx.now, actor
	if h.Status == frontline.HandoutDelivered && m.Status == frontline.HandoutDelivered {
		at, by = h.MarkedAt, h.MarkedBy
	} else {
		if h.Status == frontline.HandoutDelivered {
			if err := tx.addDeliveredDay(ctx, d, h.Path, localDay(h.MarkedAt, loc), -1); err != nil {
				return nil, err
			}
		}
		if m.Status == frontline.HandoutDelivered {
			if err := tx.addDeliveredDay(ctx, d, h.Path, localDay(tx.now, loc), 1); err != nil {
				return nil, err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE distribution_households SET status = ?, final = ?, reason = ?, attempts = attempts + 1,
		marked_at = ?, marked_by = ? WHERE distribution_id = ? AND household_id = ?`,
		string(m.Status), m.Status.Final(), m.Reason, at, by, d.ID, h.HouseholdID); err != nil {
		return nil, err
	}
	if err := tx.addHandoutCounts(ctx, d, h.Path, handoutStatusDelta(m.Status).sub(handoutStatusDelta(h.Status))); err != nil {
		return nil, err
	}
	before := map[string]any{"status": h.Status, "reason": h.Reason}
	h.Status, h.Reason, h.Attempts, h.MarkedAt, h.MarkedBy = m.Status, m.Reason, h.Attempts+1, at, by
	if err := tx.audit(ctx, "mark", "distribution", d.ID, h.Path, before,
		map[string]any{"household_id": h.HouseholdID, "status": h.Status, "reason": h.Reason}); err != nil {
		return nil, err
	}
	return h, tx.Commit()
}

const handoutColumns = `s.household_id, s.path, s.building_id, s.status, s.reason, s.attempts, s.marked_at, s.marked_by,
	s.since, s.added_late, s.added_by`

func scanHandout(sc interface{ Scan(...any) error }, distributionID int64) (*frontline.Handout, error) {
	h := &frontline.Handout{DistributionID: distributionID}
	var marked sql.NullTime
	err := sc.Scan(&h.HouseholdID, &h.Path, &h.BuildingID, &h.Status, &h.Reason, &h.Attempts, &marked, &h.MarkedBy,
		&h.Since, &h.AddedLate, &h.AddedBy)
	h.MarkedAt, h.Since = marked.Time.UTC(), h.Since.UTC()
	return h, err
}

// handout reads one household of a distribution the caller may see;
// lock holds its row (PostgreSQL) until the counters are written.
func (tx *Tx) handout(ctx context.Context, d distribution, householdID int64, lock bool) (*frontline.Handout, error) {
	q := `SELECT ` + handoutColumns + ` FROM distribution_households s WHERE s.distribution_id = ? AND s.household_id = ?`
	if lock {
		q += tx.db.forUpdateOf("s")
	}
	h, err := scanHandout(tx.QueryRowContext(ctx, q, d.ID, householdID), d.ID)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, h.Path) {
		return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "household_id",
			Message: fmt.Sprintf("household %d is not in distribution %s", householdID, d.Name)}
	}
	return h, err
}

// FindHandouts lists households of a distribution in walking order (the
// path order of the gap index), with where each door is and what it
// needs, and their total.
func (s *DistributionService) FindHandouts(ctx context.Context, id int64, f frontline.HandoutFilter) ([]*frontline.Handout, int, error) {
	if err := authorizeDistribution(ctx, false); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	d, err := tx.findDistribution(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	under := int64(0)
	if f.Under != nil {
		under = *f.Under
	}
	n, err := tx.distributionNode(ctx, d, under)
	if err != nil {
		return nil, 0, err
	}
	lo, hi := subtreeRange(n.Path)
	where, args := []string{"s.distribution_id = ?", "s.path > ?", "s.path < ?"}, []any{d.ID, lo, hi}
	if f.OnlyPending {
		where = append(where, "s.final = FALSE")
	}
	if f.HouseholdID != nil {
		where, args = append(where, "s.household_id = ?"), append(args, *f.HouseholdID)
	}
	where, args = andScope(ctx, "s.path", where, args)
	cond := strings.Join(where, " AND ")
	total, err := tx.handoutTotal(ctx, d, n, f, cond, args)
	if err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+handoutColumns+` FROM distribution_households s WHERE `+cond+
		` ORDER BY s.path`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	out := []*frontline.Handout{}
	for rows.Next() {
		h, err := scanHandout(rows, d.ID)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := tx.nameHandouts(ctx, out); err != nil {
		return nil, 0, err
	}
	if err := tx.handoutDoors(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, tx.handoutNeeds(ctx, out)
}

// handoutTotal is how many households the filter selects. The node's
// counters know it when the filter is the node's whole list or its gap
// list and the caller sees the whole node: counting a city's million
// pending doors to show the first 200 would take longer than the page.
func (tx *Tx) handoutTotal(ctx context.Context, d distribution, n *frontline.Place, f frontline.HandoutFilter, cond string, args []any) (int, error) {
	if f.HouseholdID == nil && visible(ctx, n.Path) {
		top, err := scanProgress(tx.QueryRowContext(ctx, distributionProgressSelect+`c.place_id = ?`, d.ID, n.ID))
		if err == nil && f.OnlyPending {
			return top.Pending(), nil
		} else if err == nil {
			return top.Households, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		// A node without counters (a household, a building put up after
		// the start and not yet served) is counted below.
	}
	var total int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM distribution_households s WHERE `+cond, args...).Scan(&total)
	return total, err
}

// handoutDoors says of each household whether a resident's restriction
// keeps them from the building front (the package goes to the door,
// asked of the one call, restrictionsOf), and whether anybody registered
// still lives there.
func (tx *Tx) handoutDoors(ctx context.Context, hs []*frontline.Handout) error {
	ids := make([]int64, 0, len(hs))
	for _, h := range hs {
		ids = append(ids, h.HouseholdID)
	}
	if len(ids) == 0 {
		return nil
	}
	kept, err := tx.householdRestrictions(ctx, ids, frontline.ActFront, nil)
	if err != nil {
		return err
	}
	lived := map[int64]bool{}
	if err := tx.eachRow(ctx, `SELECT DISTINCT household_id FROM persons WHERE status <> '`+string(frontline.StatusMovedOut)+
		`' AND household_id IN %s`, sortedUnique(ids), func(sc interface{ Scan(...any) error }) error {
		var id int64
		if err := sc.Scan(&id); err != nil {
			return err
		}
		lived[id] = true
		return nil
	}); err != nil {
		return err
	}
	for _, h := range hs {
		h.ToDoor, h.NoResidents = kept[h.HouseholdID] != nil, !lived[h.HouseholdID]
	}
	return nil
}

// nameHandouts fills in each door's building, unit and room and sorts
// them in walking order as the screening door lists are.
func (tx *Tx) nameHandouts(ctx context.Context, hs []*frontline.Handout) error {
	paths := make([]string, len(hs))
	for i, h := range hs {
		paths[i] = h.Path
	}
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return err
	}
	for _, h := range hs {
		for _, id := range frontline.PathIDs(h.Path) {
			p := names[id]
			if p == nil {
				continue
			}
			switch {
			case id == h.BuildingID:
				h.Building = p.Name
			case p.Kind == frontline.KindUnit:
				h.Unit = p.Name
			case p.Kind == frontline.KindHousehold:
				h.Room = p.Name
			}
		}
	}
	return nil
}

// handoutNeeds fills each household's needs: its own (household_needs),
// then its residents' flags, as the catalogue's keys ("need.halal",
// "flag.infant") so every list names them in the reader's language.
func (tx *Tx) handoutNeeds(ctx context.Context, hs []*frontline.Handout) error {
	byID := make(map[int64]*frontline.Handout, len(hs))
	ids := make([]int64, 0, len(hs))
	for _, h := range hs {
		byID[h.HouseholdID] = h
		ids = append(ids, h.HouseholdID)
	}
	if len(ids) == 0 {
		return nil
	}
	ids = sortedUnique(ids)
	if err := tx.eachRow(ctx, `SELECT household_id, needs FROM household_needs WHERE household_id IN %s`, ids,
		func(sc interface{ Scan(...any) error }) error {
			var id int64
			var needs string
			if err := sc.Scan(&id, &needs); err != nil {
				return err
			}
			for _, n := range strings.Split(needs, ",") {
				if n != "" {
					byID[id].Needs = append(byID[id].Needs, "need."+n)
				}
			}
			return nil
		}); err != nil {
		return err
	}
	flags := map[int64]map[frontline.Flag]bool{}
	if err := tx.eachRow(ctx, `SELECT household_id, flags FROM persons WHERE flags <> '' AND status <> '`+
		string(frontline.StatusMovedOut)+`' AND household_id IN %s`, ids, func(sc interface{ Scan(...any) error }) error {
		var id int64
		var fl string
		if err := sc.Scan(&id, &fl); err != nil {
			return err
		}
		if flags[id] == nil {
			flags[id] = map[frontline.Flag]bool{}
		}
		for _, f := range splitFlags(fl) {
			flags[id][f] = true
		}
		return nil
	}); err != nil {
		return err
	}
	for id, set := range flags {
		for _, f := range frontline.FlagOrder {
			if set[f] {
				byID[id].Needs = append(byID[id].Needs, "flag."+string(f))
			}
		}
	}
	return nil
}

// HouseholdNeeds returns a household's needs.
func (s *DistributionService) HouseholdNeeds(ctx context.Context, householdID int64) ([]frontline.HouseholdNeed, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.householdInScope(ctx, householdID); err != nil {
		return nil, err
	}
	return tx.householdNeeds(ctx, householdID)
}

func (tx *Tx) householdNeeds(ctx context.Context, householdID int64) ([]frontline.HouseholdNeed, error) {
	var needs string
	err := tx.QueryRowContext(ctx, `SELECT needs FROM household_needs WHERE household_id = ?`, householdID).Scan(&needs)
	if errors.Is(err, sql.ErrNoRows) {
		return []frontline.HouseholdNeed{}, nil
	} else if err != nil {
		return nil, err
	}
	out := []frontline.HouseholdNeed{}
	for _, n := range strings.Split(needs, ",") {
		if n != "" {
			out = append(out, frontline.HouseholdNeed(n))
		}
	}
	return out, nil
}

// householdInScope returns a live household the caller may see.
func (tx *Tx) householdInScope(ctx context.Context, id int64) (*frontline.Place, error) {
	h, err := tx.liveHousehold(ctx, id)
	if err == nil && !visible(ctx, h.Path) {
		return nil, placeNotFound(id)
	}
	return h, err
}

// SetHouseholdNeeds sets a household's needs (none clears them), audited.
func (s *DistributionService) SetHouseholdNeeds(ctx context.Context, householdID int64, needs []frontline.HouseholdNeed) error {
	needs, err := frontline.CheckNeeds(needs)
	if err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	h, err := tx.householdInScope(ctx, householdID)
	if err != nil {
		return err
	}
	old, err := tx.householdNeeds(ctx, householdID)
	if err != nil {
		return err
	}
	list := make([]string, len(needs))
	for i, n := range needs {
		list[i] = string(n)
	}
	if len(list) == 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM household_needs WHERE household_id = ?`, h.ID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO household_needs (household_id, needs, updated_at, updated_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (household_id) DO UPDATE SET needs = excluded.needs, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
			h.ID, strings.Join(list, ","), tx.now, frontline.ActorFrom(ctx).String())
	}
	if err != nil {
		return err
	}
	if err := tx.audit(ctx, "set_needs", "household", h.ID, h.Path, map[string]any{"needs": old},
		map[string]any{"needs": needs}); err != nil {
		return err
	}
	return tx.Commit()
}
