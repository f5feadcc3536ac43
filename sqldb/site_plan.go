package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// PlanSlots proposes a call-up plan: the round's buildings with the
// persons still to sample in each (from the counters), in walking order
// (compound by compound, buildings in natural order), spread over the
// round's sites.
func (s *SiteService) PlanSlots(ctx context.Context, roundID int64, settings frontline.PlanSettings) (*frontline.SitePlan, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := tx.findRound(ctx, roundID, false)
	if err != nil {
		return nil, err
	}
	sites, err := tx.sites(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	buildings, err := tx.planBuildings(ctx, r, s.policy())
	if err != nil {
		return nil, err
	}
	plan := make([]frontline.PlanSite, len(sites))
	for i, si := range sites {
		plan[i] = frontline.PlanSite{ID: si.ID, Stations: si.Stations, OpensAt: si.OpensAt, ClosesAt: si.ClosesAt}
	}
	proposed := frontline.PlanSlots(r.ID, buildings, plan, settings)
	frontline.ReviewPlan(proposed, plan)
	return proposed, nil
}

// policy returns the restriction policy the plan follows.
func (s *SiteService) policy() frontline.RestrictionPolicy {
	if s.Restrictions == nil {
		return frontline.DefaultRestrictionPolicy()
	}
	return s.Restrictions
}

// planBuildings lists the round's buildings with the persons neither
// sampled nor excused, named with their compound ("枣园小区3号楼"): those
// the call-up may bring down, so not the persons left to the home
// sampling team nor those whose restrictions refuse being called down.
func (tx *Tx) planBuildings(ctx context.Context, r *frontline.Round, policy frontline.RestrictionPolicy) ([]frontline.PlanBuilding, error) {
	roundID := r.ID
	rows, err := tx.QueryContext(ctx, `SELECT b.id, b.name, COALESCE(par.name, ''), COALESCE(par.kind, ''), par.path,
			c.expected - c.sampled - c.excused
		FROM round_counts c JOIN places b ON b.id = c.place_id LEFT JOIN places par ON par.id = b.parent_id
		WHERE c.round_id = ? AND b.kind = ?`, roundID, string(frontline.KindBuilding))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type row struct {
		b      frontline.PlanBuilding
		parent string
		name   string
	}
	var out []row
	for rows.Next() {
		var r row
		var parentName, parentKind string
		if err := rows.Scan(&r.b.ID, &r.name, &parentName, &parentKind, &r.parent, &r.b.Persons); err != nil {
			return nil, err
		}
		r.b.Name = r.name
		if parentKind == string(frontline.KindCompound) {
			r.b.Name = parentName + r.name
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	byID := make(map[int64]*row, len(out))
	for i := range out {
		byID[out[i].b.ID] = &out[i]
	}
	units, err := tx.planUnits(ctx, roundID)
	if err != nil {
		return nil, err
	}
	away, err := tx.notCalledDown(ctx, r, policy)
	if err != nil {
		return nil, err
	}
	// A building in a zone that samples at the door is not called down at
	// all, whoever in it is still to sample.
	sealed, err := tx.homeZonesOf(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, z := range sealed {
		for _, b := range byID {
			if strings.HasPrefix(b.parent+strconv.FormatInt(b.b.ID, 10)+"/", z) {
				b.b.Persons = 0
			}
		}
	}
	for _, a := range away {
		for _, id := range frontline.PathIDs(a.path) {
			// Rooms count no one left to the home team; units count everyone.
			if u := units.byID[id]; u != nil && (!u.Room || !a.homeTeam) {
				u.Persons--
			}
			if b := byID[id]; b != nil {
				b.b.Persons--
				break
			}
		}
	}
	for id, us := range units.ofBuilding {
		if b := byID[id]; b != nil {
			for _, u := range us {
				b.b.Units = append(b.b.Units, *u)
			}
		}
	}
	out = slices.DeleteFunc(out, func(r row) bool { return r.b.Persons <= 0 })
	slices.SortFunc(out, func(a, b row) int {
		if c := strings.Compare(a.parent, b.parent); c != 0 {
			return c
		}
		return NaturalCompare(a.name, b.name)
	})
	plan := make([]frontline.PlanBuilding, len(out))
	for i, r := range out {
		plan[i] = r.b
	}
	return plan, nil
}

// awayMember is a round member still to sample whom no call-up brings
// down: the household path, and whether the home team has them (excused
// as home sampling) rather than their restrictions keeping them in.
type awayMember struct {
	path     string
	homeTeam bool
}

// notCalledDown returns the household paths of the round's members still
// to sample whom no call-up brings down: those left to the home sampling
// team (bedridden, sealed) and those whose restrictions refuse it (home
// isolation, a case), one per person.
func (tx *Tx) notCalledDown(ctx context.Context, r *frontline.Round, policy frontline.RestrictionPolicy) ([]awayMember, error) {
	pending := `m.round_id = ? AND m.status = ?
		AND ` + tx.db.unsampled("m")
	var out []awayMember
	scan := func(homeTeam bool, query string, args ...any) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var path string
			if err := rows.Scan(&path); err != nil {
				return err
			}
			out = append(out, awayMember{path: path, homeTeam: homeTeam})
		}
		return rows.Err()
	}
	if err := scan(true, `SELECT m.path FROM round_members m WHERE `+pending+` AND m.excuse = ?`,
		r.ID, string(frontline.MemberPending), string(frontline.ExcuseHomeSampling)); err != nil {
		return nil, err
	}
	restricted, err := tx.restrictedUnder(ctx, r.Scope.Path)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for id, rs := range restricted {
		if rs.Decide(frontline.ActCallDown, policy).Effect == frontline.EffectRefuse {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for chunk := range slices.Chunk(ids, maxInList) {
		if err := scan(false, `SELECT m.path FROM round_members m WHERE `+pending+` AND m.excuse <> ? AND m.person_id IN `+inList(len(chunk)),
			append([]any{r.ID, string(frontline.MemberPending), string(frontline.ExcuseHomeSampling)}, int64Args(chunk)...)...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// planUnitList is the round's units (and the households of buildings
// without units) with persons to call, by building and by id.
type planUnitList struct {
	ofBuilding map[int64][]*frontline.PlanUnit
	byID       map[int64]*frontline.PlanUnit
}

// planUnits reads the persons to call in each unit of the round's
// buildings (from the counters) and in each household of a building
// without units (from the members not sampled, excused or bound), in
// walking order. Rooms leave out the persons left to the home team;
// planBuildings takes them off the units.
func (tx *Tx) planUnits(ctx context.Context, roundID int64) (*planUnitList, error) {
	out := &planUnitList{ofBuilding: map[int64][]*frontline.PlanUnit{}, byID: map[int64]*frontline.PlanUnit{}}
	for _, q := range []struct {
		room bool
		sql  string
	}{
		{false, `SELECT p.id, p.parent_id, p.name, c.expected - c.sampled - c.excused
			FROM round_counts c JOIN places p ON p.id = c.place_id JOIN places b ON b.id = p.parent_id
			WHERE c.round_id = ? AND b.kind = ? AND p.kind = ?`},
		{true, `SELECT p.id, p.parent_id, p.name, COUNT(*) FROM round_members m
			JOIN places p ON p.id = m.household_id JOIN places b ON b.id = p.parent_id
			WHERE m.round_id = ? AND b.kind = ? AND p.kind = ? AND m.status = '` + string(frontline.MemberPending) + `' AND m.excuse = ''
			AND NOT EXISTS (SELECT 1 FROM bindings x WHERE x.round_id = m.round_id AND x.person_id = m.person_id AND x.undone_at IS NULL)
			GROUP BY p.id, p.parent_id, p.name`},
	} {
		kind := frontline.KindUnit
		if q.room {
			kind = frontline.KindHousehold
		}
		rows, err := tx.QueryContext(ctx, q.sql, roundID, string(frontline.KindBuilding), string(kind))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, building int64
			u := &frontline.PlanUnit{Room: q.room}
			if err := rows.Scan(&id, &building, &u.Name, &u.Persons); err != nil {
				rows.Close()
				return nil, err
			}
			out.ofBuilding[building] = append(out.ofBuilding[building], u)
			out.byID[id] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, us := range out.ofBuilding {
		slices.SortFunc(us, func(a, b *frontline.PlanUnit) int { return NaturalCompare(a.Name, b.Name) })
	}
	return out, nil
}

// SaveSlots replaces the round's plan with slots and writes one call-up
// notice per slot and channel into the outbox, in the same transaction:
// a saved plan is always announced, and a failed save announces nothing.
func (s *SiteService) SaveSlots(ctx context.Context, roundID int64, slots []frontline.Slot, settings frontline.PlanSettings) (int, error) {
	settings = frontline.PlanSlots(0, nil, nil, settings).Settings // fill the defaults
	if err := settings.CheckChannels(s.channels); err != nil {
		return 0, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	r, err := tx.manageRound(ctx, roundID)
	if err != nil {
		return 0, err
	}
	byID, err := tx.sitesByID(ctx, r.ID)
	if err != nil {
		return 0, err
	}
	for i := range slots {
		if err := slots[i].Validate(i); err != nil {
			return 0, err
		}
		if byID[slots[i].SiteID] == nil {
			return 0, frontline.FieldError(fmt.Sprintf("slots[%d].site_id", i), "slot %d (%s): site %d is not a site of this round",
				i+1, slots[i].Building, slots[i].SiteID)
		}
	}
	if err := tx.checkSlotBuildings(ctx, r, slots); err != nil {
		return 0, err
	}
	// The call-ups are decided now: whoever may not be called down goes to
	// the home sampling team.
	home, err := tx.homeRestricted(ctx, r, s.policy())
	if err != nil {
		return 0, err
	}
	sealed, err := tx.homeSealed(ctx, r)
	if err != nil {
		return 0, err
	}
	home += sealed
	saved, err := tx.slots(ctx, r.ID)
	if err != nil {
		return 0, err
	}
	changed := frontline.ChangedBuildings(saved, slots)
	// Settings that change what a call-up says, where or when it goes out
	// change every call-up not yet sent.
	if before, err := tx.savedPlan(ctx, r.ID); err == nil && !sameNotices(before.Settings, settings) {
		for _, sl := range slices.Concat(saved, slots) {
			changed[sl.BuildingID] = true
		}
	} else if err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return 0, err
	}
	cancelled, err := tx.cancelCallUps(ctx, r.ID, changed)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sampling_slots WHERE round_id = ?`, r.ID); err != nil {
		return 0, err
	}
	if err := tx.insertSlots(ctx, r.ID, slots); err != nil {
		return 0, err
	}
	// A call-up per slot of each building whose slots changed (all of them
	// on the first save), going out LeadMinutes before the slot.
	notices, err := tx.callUpNotices(ctx, r, slots, changed, settings, byID)
	if err != nil {
		return 0, err
	}
	if err := tx.enqueueNotices(ctx, notices); err != nil {
		return 0, err
	}
	if err := tx.savePlan(ctx, r.ID, settings, len(slots), len(notices)); err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, "plan", "round", r.ID, r.Scope.Path, nil, map[string]any{"slots": len(slots), "notices": len(notices),
		"cancelled": cancelled, "buildings_changed": len(changed), "home_restricted": home, "channels": settings.Channels, "lead_minutes": settings.LeadMinutes}); err != nil {
		return 0, err
	}
	return len(notices), tx.Commit()
}

// callUps returns the call-ups of the slots of the changed buildings: one
// per slot and channel, due LeadMinutes before the slot.
func callUps(r *frontline.Round, slots []frontline.Slot, changed map[int64]bool, settings frontline.PlanSettings,
	sites map[int64]*frontline.Site, now time.Time, loc *time.Location) []*frontline.Notice {
	var notices []*frontline.Notice
	for _, sl := range slots {
		if !changed[sl.BuildingID] {
			continue
		}
		for _, ch := range settings.Channels {
			notices = append(notices, &frontline.Notice{Channel: ch, Topic: "callup", Recipient: sl.Building,
				PlaceID: sl.BuildingID, RoundID: r.ID, Subject: r.Name, NextAttemptAt: settings.NoticeAt(sl, now),
				Body: frontline.CallUpText(settings.NoticeTemplate, r.Name, sl, sites[sl.SiteID], loc)})
		}
	}
	return notices
}

// sameNotices reports whether two plans' settings make the same call-ups
// of the same slots: text, channels and timing.
func sameNotices(a, b frontline.PlanSettings) bool {
	return a.NoticeTemplate == b.NoticeTemplate && a.LeadMinutes == b.LeadMinutes && slices.Equal(a.Channels, b.Channels)
}

// renotifySite writes again the call-ups not yet sent of the buildings
// called to a site, after the site changed (they name it, where it is and
// its hours), with the settings the plan was saved with.
func (tx *Tx) renotifySite(ctx context.Context, r *frontline.Round, site *frontline.Site) error {
	plan, err := tx.savedPlan(ctx, r.ID)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return nil // nothing was announced
	} else if err != nil {
		return err
	}
	slots, err := tx.slots(ctx, r.ID)
	if err != nil {
		return err
	}
	changed := map[int64]bool{}
	for _, sl := range slots {
		if sl.SiteID == site.ID {
			changed[sl.BuildingID] = true
		}
	}
	if len(changed) == 0 {
		return nil
	}
	byID, err := tx.sitesByID(ctx, r.ID)
	if err != nil {
		return err
	}
	byID[site.ID] = site
	if _, err := tx.cancelCallUps(ctx, r.ID, changed); err != nil {
		return err
	}
	notices, err := tx.callUpNotices(ctx, r, slots, changed, plan.Settings, byID)
	if err != nil {
		return err
	}
	return tx.enqueueNotices(ctx, notices)
}

// sitesByID returns a round's sites by id.
func (tx *Tx) sitesByID(ctx context.Context, roundID int64) (map[int64]*frontline.Site, error) {
	sites, err := tx.sites(ctx, roundID)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*frontline.Site, len(sites))
	for _, si := range sites {
		byID[si.ID] = si
	}
	return byID, nil
}

// slots returns a round's saved slots.
func (tx *Tx) slots(ctx context.Context, roundID int64) ([]frontline.Slot, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, round_id, site_id, building_id, building, part, parts, persons, units, starts_at, ends_at
		FROM sampling_slots WHERE round_id = ? ORDER BY site_id, starts_at, id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]frontline.Slot, 0)
	for rows.Next() {
		var sl frontline.Slot
		if err := rows.Scan(&sl.ID, &sl.RoundID, &sl.SiteID, &sl.BuildingID, &sl.Building, &sl.Part, &sl.Parts,
			&sl.Persons, &sl.Units, &sl.StartsAt, &sl.EndsAt); err != nil {
			return nil, err
		}
		sl.StartsAt, sl.EndsAt = sl.StartsAt.UTC(), sl.EndsAt.UTC()
		out = append(out, sl)
	}
	return out, rows.Err()
}

// cancelCallUps withdraws the call-ups of a round's buildings not yet sent
// (their slots moved or went), and returns how many.
func (tx *Tx) cancelCallUps(ctx context.Context, roundID int64, buildings map[int64]bool) (int64, error) {
	ids := make([]int64, 0, len(buildings))
	for id := range buildings {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var n int64
	for start := 0; start < len(ids); start += idChunk {
		part := ids[start:min(start+idChunk, len(ids))]
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ? WHERE round_id = ? AND topic = 'callup' AND status = ?
			AND place_id IN `+inList(len(part)), append([]any{string(frontline.NoticeCancelled), roundID, string(frontline.NoticePending)},
			int64Args(part)...)...)
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

// checkSlotBuildings refuses slots whose building is unknown or outside
// the round's scope: their notice would call down residents the round
// does not test, or fail on the foreign key with no word of which slot.
func (tx *Tx) checkSlotBuildings(ctx context.Context, r *frontline.Round, slots []frontline.Slot) error {
	ids := make([]int64, 0, len(slots))
	for _, sl := range slots {
		ids = append(ids, sl.BuildingID)
	}
	ids = sortedUnique(ids)
	paths := map[int64]string{}
	for start := 0; start < len(ids); start += idChunk {
		part := ids[start:min(start+idChunk, len(ids))]
		rows, err := tx.QueryContext(ctx, `SELECT id, path FROM places WHERE id IN `+inList(len(part)), int64Args(part)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var path string
			if err := rows.Scan(&id, &path); err != nil {
				rows.Close()
				return err
			}
			paths[id] = path
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	lo, hi := subtreeRange(r.Scope.Path)
	for i, sl := range slots {
		if path, ok := paths[sl.BuildingID]; !ok || path < lo || path >= hi {
			return frontline.FieldError(fmt.Sprintf("slots[%d].building_id", i), "slot %d (%s): place %d is not under the round's scope %s",
				i+1, sl.Building, sl.BuildingID, r.Scope.Name)
		}
	}
	// A building whose zone samples at the door is never called down.
	var all []string
	for _, p := range paths {
		all = append(all, p)
	}
	zones, err := tx.activeOnPaths(ctx, all...)
	if err != nil || len(zones) == 0 {
		return err
	}
	rules, err := tx.currentRules(ctx)
	if err != nil {
		return err
	}
	for i, sl := range slots {
		if z := frontline.Effective(paths[sl.BuildingID], zones); z != nil && rules[z.Level] != nil && rules[z.Level].HomeSampling {
			return frontline.FieldError(fmt.Sprintf("slots[%d].building_id", i), "slot %d (%s): the building is in a %s zone, whose residents are sampled at the door, not called down",
				i+1, sl.Building, z.Level)
		}
	}
	return nil
}

func (tx *Tx) insertSlots(ctx context.Context, roundID int64, slots []frontline.Slot) error {
	insert := multiRow{prefix: `INSERT INTO sampling_slots (round_id, site_id, building_id, building, part, parts,
		persons, units, starts_at, ends_at) `,
		types: []string{"BIGINT", "BIGINT", "BIGINT", "TEXT", "INTEGER", "INTEGER", "INTEGER", "TEXT", "TIMESTAMPTZ", "TIMESTAMPTZ"}}
	return insert.exec(ctx, tx, len(slots), func(i int, args []any) []any {
		sl := slots[i]
		return append(args, roundID, sl.SiteID, sl.BuildingID, sl.Building, sl.Part, sl.Parts, sl.Persons, sl.Units,
			tx.timeValue(sl.StartsAt), tx.timeValue(sl.EndsAt))
	})
}

// FindSlots returns a round's plan by site and time.
func (s *SiteService) FindSlots(ctx context.Context, roundID int64) ([]*frontline.Slot, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.findRound(ctx, roundID, false); err != nil {
		return nil, err
	}
	slots, err := tx.slots(ctx, roundID)
	if err != nil {
		return nil, err
	}
	out := make([]*frontline.Slot, len(slots))
	for i := range slots {
		out[i] = &slots[i]
	}
	return out, nil
}
