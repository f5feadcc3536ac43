package sqldb

import (
	"context"
	"fmt"
	"slices"
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
	buildings, err := tx.planBuildings(ctx, r.ID)
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

// planBuildings lists the round's buildings with the persons neither
// sampled nor excused, named with their compound ("枣园小区3号楼").
func (tx *Tx) planBuildings(ctx context.Context, roundID int64) ([]frontline.PlanBuilding, error) {
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
	// The persons left to the home sampling team (bedridden) are not
	// sampled yet, but no call-up brings them down: they are no one's
	// place in a queue.
	byID := make(map[int64]*row, len(out))
	for i := range out {
		byID[out[i].b.ID] = &out[i]
	}
	home, err := tx.QueryContext(ctx, `SELECT m.path FROM round_members m WHERE m.round_id = ? AND m.status = ? AND m.excuse = ?
		AND NOT EXISTS (SELECT 1 FROM bindings b WHERE b.round_id = m.round_id AND b.person_id = m.person_id AND b.undone_at IS NULL)`,
		roundID, string(frontline.MemberPending), string(frontline.ExcuseHomeSampling))
	if err != nil {
		return nil, err
	}
	defer home.Close()
	for home.Next() {
		var path string
		if err := home.Scan(&path); err != nil {
			return nil, err
		}
		for _, id := range frontline.PathIDs(path) {
			if b := byID[id]; b != nil {
				b.b.Persons--
				break
			}
		}
	}
	if err := home.Err(); err != nil {
		return nil, err
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
	notices := callUps(r, slots, changed, settings, byID, tx.now, tx.db.Location)
	if err := tx.enqueueNotices(ctx, notices); err != nil {
		return 0, err
	}
	if err := tx.savePlan(ctx, r.ID, settings, len(slots), len(notices)); err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, "plan", "round", r.ID, r.Scope.Path, nil, map[string]any{"slots": len(slots), "notices": len(notices),
		"cancelled": cancelled, "buildings_changed": len(changed), "channels": settings.Channels, "lead_minutes": settings.LeadMinutes}); err != nil {
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
	return tx.enqueueNotices(ctx, callUps(r, slots, changed, plan.Settings, byID, tx.now, tx.db.Location))
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
	rows, err := tx.QueryContext(ctx, `SELECT id, round_id, site_id, building_id, building, part, parts, persons, starts_at, ends_at
		FROM sampling_slots WHERE round_id = ? ORDER BY site_id, starts_at, id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]frontline.Slot, 0)
	for rows.Next() {
		var sl frontline.Slot
		if err := rows.Scan(&sl.ID, &sl.RoundID, &sl.SiteID, &sl.BuildingID, &sl.Building, &sl.Part, &sl.Parts,
			&sl.Persons, &sl.StartsAt, &sl.EndsAt); err != nil {
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
	return nil
}

func (tx *Tx) insertSlots(ctx context.Context, roundID int64, slots []frontline.Slot) error {
	insert := multiRow{prefix: `INSERT INTO sampling_slots (round_id, site_id, building_id, building, part, parts,
		persons, starts_at, ends_at) `,
		types: []string{"BIGINT", "BIGINT", "BIGINT", "TEXT", "INTEGER", "INTEGER", "INTEGER", "TIMESTAMPTZ", "TIMESTAMPTZ"}}
	return insert.exec(ctx, tx, len(slots), func(i int, args []any) []any {
		sl := slots[i]
		return append(args, roundID, sl.SiteID, sl.BuildingID, sl.Building, sl.Part, sl.Parts, sl.Persons,
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
