package sqldb

import (
	"context"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// The alert of the unreached: past a zone's alert hour (the nearest node
// at or above the zone that set one, else 16:00 local), a sealed or
// controlled zone with a vulnerable resident not reached today raises one
// alert a day (key vulnerable:ZONE:DAY) at the zone's node, seen by its
// community's command; reaching them all resolves it, in the check's
// transaction or on the job's next turn. The job runs every minute on
// every server: the key makes a second raise a repeat, and a zone already
// alerted today is not read again until its alert can be resolved.

// alertAt returns the alert hour of the node with path, minutes after
// local midnight.
func (tx *Tx) alertAt(ctx context.Context, path string) (int, error) {
	ids := frontline.PathIDs(path)
	if len(ids) == 0 {
		return frontline.DefaultVulnerableAlertAt, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT place_id, at_minute FROM vulnerable_alert_hours WHERE place_id IN `+inList(len(ids)), int64Args(ids)...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	set := map[int64]int{}
	for rows.Next() {
		var id int64
		var at int
		if err := rows.Scan(&id, &at); err != nil {
			return 0, err
		}
		set[id] = at
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for i := len(ids) - 1; i >= 0; i-- {
		if at, ok := set[ids[i]]; ok {
			return at, nil
		}
	}
	return frontline.DefaultVulnerableAlertAt, nil
}

// SetAlertHour sets (or with -1 clears) a node's alert hour.
func (s *VulnerableService) SetAlertHour(ctx context.Context, placeID int64, minute int) error {
	if minute < -1 || minute >= 24*60 {
		return frontline.FieldError("alert_at", "the alert hour is a time of day, 00:00 to 23:59")
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return err
	}
	before, err := tx.alertAt(ctx, place.Path)
	if err != nil {
		return err
	}
	if minute < 0 {
		_, err = tx.ExecContext(ctx, `DELETE FROM vulnerable_alert_hours WHERE place_id = ?`, place.ID)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO vulnerable_alert_hours (place_id, at_minute, set_at, set_by) VALUES (?, ?, ?, ?)
			ON CONFLICT (place_id) DO UPDATE SET at_minute = excluded.at_minute, set_at = excluded.set_at, set_by = excluded.set_by`,
			place.ID, minute, tx.now, frontline.ActorFrom(ctx).String())
	}
	if err != nil {
		return err
	}
	if err := tx.audit(ctx, "set", "vulnerable_alert_hour", place.ID, place.Path,
		map[string]any{"alert_at": before}, map[string]any{"alert_at": minute}); err != nil {
		return err
	}
	return tx.Commit()
}

// unreachedOf returns the vulnerable whose effective zone is z, and how
// many of them are not reached today, whatever the caller's scope.
func (tx *Tx) unreachedOf(ctx context.Context, z *frontline.Zone) (total, unreached int, err error) {
	vs, _, err := tx.vulnerableUnder(frontline.AsSystem(ctx), z.Place.Path)
	if err != nil {
		return 0, 0, err
	}
	for _, v := range vs {
		if v.ZoneID != z.ID {
			continue
		}
		total++
		if !v.CheckedToday {
			unreached++
		}
	}
	return total, unreached, nil
}

// openZoneAlerts returns the open alerts of the unreached, by zone id.
func (tx *Tx) openZoneAlerts(ctx context.Context) (map[int64][]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT dedup_key FROM alerts WHERE kind = ? AND resolved_at IS NULL`, frontline.AlertVulnerableUnchecked)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var key string
		if err := rows.Scan(&key); err != nil {
			return nil, err
		}
		if id := zoneOfKey(key); id != 0 {
			out[id] = append(out[id], key)
		}
	}
	return out, rows.Err()
}

// zoneOfKey reads the zone id of a key made by zoneAlertKey.
func zoneOfKey(key string) int64 {
	parts := strings.Split(key, ":")
	if len(parts) != 3 {
		return 0
	}
	var id int64
	for _, c := range parts[1] {
		if c < '0' || c > '9' {
			return 0
		}
		id = id*10 + int64(c-'0')
	}
	return id
}

// resolveIfReached resolves a zone's open alerts when every vulnerable
// resident of the zone has been reached today.
func (tx *Tx) resolveIfReached(ctx context.Context, zoneID int64) error {
	open, err := tx.openZoneAlerts(ctx)
	if err != nil || len(open[zoneID]) == 0 {
		return err
	}
	zones, err := tx.queryZones(ctx, `z.id = ?`, zoneID)
	if err != nil || len(zones) == 0 {
		return err
	}
	if _, unreached, err := tx.unreachedOf(ctx, zones[0]); err != nil || unreached > 0 {
		return err
	}
	for _, key := range open[zoneID] {
		if err := tx.resolveAlerts(ctx, frontline.AlertVulnerableUnchecked, key); err != nil {
			return err
		}
	}
	return nil
}

// AlertUnchecked raises, past each sealed or controlled zone's alert hour,
// the day's alert of a zone with vulnerable residents not reached today,
// and resolves the alerts of zones whose residents all are (or that have
// ended). It returns how many alerts it raised.
func (s *VulnerableService) AlertUnchecked(ctx context.Context) (int, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	zones, err := tx.queryZones(ctx, `z.ended_at IS NULL AND z.level IN (?, ?)`, string(frontline.LevelSealed), string(frontline.LevelControlled))
	if err != nil {
		return 0, err
	}
	open, err := tx.openZoneAlerts(ctx)
	if err != nil {
		return 0, err
	}
	day, local := tx.today(), tx.now.In(s.db.Location)
	minute := local.Hour()*60 + local.Minute()
	raised := 0
	active := map[int64]bool{}
	for _, z := range zones {
		active[z.ID] = true
		key := zoneAlertKey(z.ID, day)
		at, err := tx.alertAt(ctx, z.Place.Path)
		if err != nil {
			return 0, err
		}
		// Due past the hour, once a day: a zone alerted today and resolved
		// since is not alerted again the same day.
		due := false
		if minute >= at {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE kind = ? AND dedup_key = ?`,
				frontline.AlertVulnerableUnchecked, key).Scan(&n); err != nil {
				return 0, err
			}
			due = n == 0
		}
		if !due && len(open[z.ID]) == 0 {
			continue
		}
		// Before counting, residents who came in another way since the
		// zone was drawn (an import, a merge) get their contact, and those
		// who had nobody to propose get one once a worker is registered;
		// it reads what unreachedOf reads, on the same turns.
		if z.Place != nil {
			if _, err := tx.assignContacts(ctx, z.Place); err != nil {
				return 0, err
			}
		}
		total, unreached, err := tx.unreachedOf(ctx, z)
		if err != nil {
			return 0, err
		}
		if unreached == 0 {
			for _, k := range open[z.ID] {
				if err := tx.resolveAlerts(ctx, frontline.AlertVulnerableUnchecked, k); err != nil {
					return 0, err
				}
			}
			continue
		}
		if !due {
			continue
		}
		if err := tx.raiseAlert(ctx, &frontline.Alert{Kind: frontline.AlertVulnerableUnchecked, PlaceID: z.PlaceID,
			Subject: "zone", SubjectID: z.ID, Key: key, Detail: strconv.Itoa(unreached) + "/" + strconv.Itoa(total),
			Action: "/vulnerable?place=" + strconv.FormatInt(z.PlaceID, 10)}); err != nil {
			return 0, err
		}
		raised++
	}
	// A lifted zone's alert has nobody left to reach in it.
	for id, keys := range open {
		if active[id] {
			continue
		}
		for _, k := range keys {
			if err := tx.resolveAlerts(ctx, frontline.AlertVulnerableUnchecked, k); err != nil {
				return 0, err
			}
		}
	}
	return raised, tx.Commit()
}

// dailyVulnerable counts, for the daily report, the vulnerable residents
// of the sealed and controlled zones now, those with a named contact, and
// those reached (called or visited) in the day's window and not.
func (tx *Tx) dailyVulnerable(ctx context.Context, f *dailyFrame) (grid, error) {
	vs, paths, err := tx.vulnerableUnder(ctx, f.n.Path)
	if err != nil {
		return nil, err
	}
	g := f.grid(4)
	if len(vs) == 0 {
		return g, nil
	}
	lo, hi := f.subtree()
	reached := map[int64]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT person_id FROM vulnerable_checks
		WHERE path >= ? AND path < ? AND checked_at >= ? AND checked_at < ? AND method <> ?`,
		lo, hi, f.from, f.to, string(frontline.CheckUnreachable))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		reached[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, v := range vs {
		path := paths[v.HouseholdID]
		f.add(g, path, 0, 1)
		if v.Contact.Named() {
			f.add(g, path, 1, 1)
		}
		if reached[v.PersonID] {
			f.add(g, path, 2, 1)
		} else {
			f.add(g, path, 3, 1)
		}
	}
	return g, nil
}
