package sqldb

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// callUpNotices are the call-ups of the slots of the changed buildings on
// every channel of the plan: one per slot on the channels that address a
// building (log, webhook), and on the SMS channel one per number on file
// of each household the slot calls down.
func (tx *Tx) callUpNotices(ctx context.Context, r *frontline.Round, slots []frontline.Slot, changed map[int64]bool,
	settings frontline.PlanSettings, sites map[int64]*frontline.Site) ([]*frontline.Notice, error) {
	sms := slices.Contains(settings.Channels, frontline.SMSChannel)
	building := settings
	building.Channels = slices.DeleteFunc(slices.Clone(settings.Channels), func(c string) bool { return c == frontline.SMSChannel })
	notices := callUps(r, slots, changed, building, sites, tx.now, tx.db.Location)
	if !sms {
		return notices, nil
	}
	more, err := tx.smsCallUps(ctx, r, slots, changed, settings, sites)
	return append(notices, more...), err
}

// smsCallUps writes a slot's call-up to the households it calls down: the
// round's members still to be sampled who come down (not those left to
// the home sampling team or excused), in the slot's building, and when
// the building is called in parts, in the slot's units.
func (tx *Tx) smsCallUps(ctx context.Context, r *frontline.Round, slots []frontline.Slot, changed map[int64]bool,
	settings frontline.PlanSettings, sites map[int64]*frontline.Site) ([]*frontline.Notice, error) {
	households, err := tx.calledHouseholds(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, sl := range slots {
		if changed[sl.BuildingID] {
			ids = append(ids, sl.BuildingID)
		}
	}
	parts, err := tx.buildingParts(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []*frontline.Notice
	for _, sl := range slots {
		if !changed[sl.BuildingID] {
			continue
		}
		hhs := households.under(parts.prefixes(sl))
		site := sites[sl.SiteID]
		n := frontline.Notice{Topic: frontline.TopicCallUp, PlaceID: sl.BuildingID, RoundID: r.ID, Subject: r.Name,
			NextAttemptAt: settings.NoticeAt(sl, tx.now), Body: frontline.CallUpText(settings.NoticeTemplate, r.Name, sl, site, tx.db.Location),
			Params: callUpParams(r, sl, site, tx.db.Location)}
		more, err := tx.toHouseholds(ctx, hhs, n)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// callUpParams are a call-up's named values, for SMS templates.
func callUpParams(r *frontline.Round, sl frontline.Slot, site *frontline.Site, loc *time.Location) map[string]string {
	location := site.Location
	if location == "" {
		location = site.Name
	}
	return map[string]string{"round": r.Name, "building": sl.Building, "units": sl.Units, "site": site.Name, "location": location,
		"start": sl.StartsAt.In(loc).Format("15:04"), "end": sl.EndsAt.In(loc).Format("15:04")}
}

// pathSet is households by path, sorted, for subtree lookups.
type pathSet struct {
	paths []string
	ids   map[string]int64
}

// under returns the households under any of prefixes, each once.
func (s pathSet) under(prefixes []string) []int64 {
	var out []int64
	for _, pre := range prefixes {
		for i := sort.SearchStrings(s.paths, pre); i < len(s.paths) && strings.HasPrefix(s.paths[i], pre); i++ {
			if id := s.ids[s.paths[i]]; !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

// calledHouseholds are the households of a round's members still to be
// sampled who come down.
func (tx *Tx) calledHouseholds(ctx context.Context, roundID int64) (pathSet, error) {
	set := pathSet{ids: map[string]int64{}}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT household_id, path FROM round_members
		WHERE round_id = ? AND status = ? AND excuse = ''`, roundID, string(frontline.MemberPending))
	if err != nil {
		return set, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			return set, err
		}
		if _, ok := set.ids[path]; !ok {
			set.ids[path] = id
			set.paths = append(set.paths, path)
		}
	}
	slices.Sort(set.paths)
	return set, rows.Err()
}

// partsOf are buildings' paths and their children's (units, or rooms of
// a building without units) by name.
type partsOf struct {
	path     map[int64]string
	children map[int64]map[string]string
}

// prefixes are the paths a slot calls down: its building's, or the
// children it names when the building is called in parts.
func (p partsOf) prefixes(sl frontline.Slot) []string {
	if strings.TrimSpace(sl.Units) == "" {
		return []string{p.path[sl.BuildingID]}
	}
	var out []string
	for name := range strings.SplitSeq(sl.Units, "、") {
		if path, ok := p.children[sl.BuildingID][strings.TrimSpace(name)]; ok {
			out = append(out, path)
		}
	}
	if len(out) == 0 { // names that match no part: rather the whole building than nobody
		return []string{p.path[sl.BuildingID]}
	}
	return out
}

func (tx *Tx) buildingParts(ctx context.Context, buildings []int64) (partsOf, error) {
	out := partsOf{path: map[int64]string{}, children: map[int64]map[string]string{}}
	slices.Sort(buildings)
	buildings = slices.Compact(buildings)
	for chunk := range slices.Chunk(buildings, maxInList) {
		rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), name, path FROM places
			WHERE id IN `+inList(len(chunk))+` OR parent_id IN `+inList(len(chunk)), append(int64Args(chunk), int64Args(chunk)...)...)
		if err != nil {
			return out, err
		}
		for rows.Next() {
			var id, parent int64
			var name, path string
			if err := rows.Scan(&id, &parent, &name, &path); err != nil {
				rows.Close()
				return out, err
			}
			if slices.Contains(chunk, id) {
				out.path[id] = path
			}
			if slices.Contains(chunk, parent) {
				if out.children[parent] == nil {
					out.children[parent] = map[string]string{}
				}
				out.children[parent][name] = path
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, err
		}
	}
	return out, nil
}
