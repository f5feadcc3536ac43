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

// unreachedOf counts the vulnerable residents whose effective zone is z,
// and those of them not reached today, whatever the caller's scope: one
// aggregate query over the zone's share of the tree, no rows read. A zone
// a stricter or outer zone overrides decides nobody (0, 0).
func (tx *Tx) unreachedOf(ctx context.Context, z *frontline.Zone, zones []*frontline.Zone) (total, unreached int, err error) {
	for _, sh := range zoneShares(z.Place.Path, zones) {
		if sh.zone.ID == z.ID {
			total, n, err := tx.countShare(ctx, sh, notReachedOn(tx.today()))
			if err != nil {
				return 0, 0, err
			}
			return total, n[0], nil
		}
	}
	return 0, 0, nil
}

// alertHours reads every alert hour set, by node: a row per node a
// secretary set, a small table read whole once a turn.
func (tx *Tx) alertHours(ctx context.Context) (map[int64]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT place_id, at_minute FROM vulnerable_alert_hours`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[int64]int{}
	for rows.Next() {
		var id int64
		var at int
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		set[id] = at
	}
	return set, rows.Err()
}

// hourOf is the alert hour of the node with path: the nearest node at or
// above it that set one, else the default.
func hourOf(path string, set map[int64]int) int {
	ids := frontline.PathIDs(path)
	for i := len(ids) - 1; i >= 0; i-- {
		if at, ok := set[ids[i]]; ok {
			return at
		}
	}
	return frontline.DefaultVulnerableAlertAt
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
// resident of the zone has been reached today: a count, not a read of the
// zone's residents, on every check while an alert is open.
func (tx *Tx) resolveIfReached(ctx context.Context, zoneID int64) error {
	open, err := tx.openZoneAlerts(ctx)
	if err != nil || len(open[zoneID]) == 0 {
		return err
	}
	zones, err := tx.queryZones(ctx, `z.id = ?`, zoneID)
	if err != nil || len(zones) == 0 {
		return err
	}
	around, err := tx.activeAround(ctx, zones[0].Place.Path)
	if err != nil {
		return err
	}
	if _, unreached, err := tx.unreachedOf(ctx, zones[0], around); err != nil || unreached > 0 {
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
// ended, or that another zone overrides). It returns how many alerts it
// raised.
//
// It runs every minute on every server, so a turn costs what the zones
// cost, not what their residents do: the zones, the open alerts and the
// alert hours are three small reads; a zone before its hour costs nothing
// more; past it, a zone not yet alerted today or with an alert open costs
// one aggregate count (of the unreached, and of those without any
// contact, whom it then names); and only raising an alert or naming a
// contact writes.
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
	hours, err := tx.alertHours(ctx)
	if err != nil {
		return 0, err
	}
	day, local := tx.today(), tx.now.In(s.db.Location)
	minute := local.Hour()*60 + local.Minute()
	raised := 0
	deciding := map[int64]bool{}
	for _, sh := range zoneShares("", zones) {
		z := sh.zone
		deciding[z.ID] = true
		if minute < hourOf(z.Place.Path, hours) {
			continue
		}
		n, err := s.raiseOrResolve(ctx, tx, sh, day, open[z.ID])
		if err != nil {
			return 0, err
		}
		raised += n
	}
	// A lifted or overridden zone's alert has nobody left to reach in it.
	for id, keys := range open {
		if deciding[id] {
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

// raiseOrResolve is one zone's turn past its hour: due once a day (a zone
// alerted today and resolved since is not alerted again), counted when due
// or alerted, raised when due with someone unreached, resolved when
// everyone is reached. It returns how many it raised (0 or 1).
func (s *VulnerableService) raiseOrResolve(ctx context.Context, tx *Tx, sh zoneShare, day string, open []string) (int, error) {
	z, key := sh.zone, zoneAlertKey(sh.zone.ID, day)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE subject = 'zone' AND subject_id = ? AND kind = ? AND dedup_key = ?`,
		z.ID, frontline.AlertVulnerableUnchecked, key).Scan(&n); err != nil {
		return 0, err
	}
	due := n == 0
	if !due && len(open) == 0 {
		return 0, nil
	}
	total, counts, err := tx.countShare(ctx, sh, notReachedOn(day), noContactRow())
	if err != nil {
		return 0, err
	}
	// Residents who came in a way that names no contact (an import, a
	// merge), or who had nobody to propose until a worker was registered,
	// get one now: read only when the count says someone has none.
	if counts[1] > 0 && z.Place != nil {
		if _, err := tx.assignContacts(ctx, z.Place); err != nil {
			return 0, err
		}
	}
	unreached := counts[0]
	if unreached == 0 {
		for _, k := range open {
			if err := tx.resolveAlerts(ctx, frontline.AlertVulnerableUnchecked, k); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	if !due {
		return 0, nil
	}
	return 1, tx.raiseAlert(ctx, &frontline.Alert{Kind: frontline.AlertVulnerableUnchecked, PlaceID: z.PlaceID,
		Subject: "zone", SubjectID: z.ID, Key: key, Detail: strconv.Itoa(unreached) + "/" + strconv.Itoa(total),
		Action: "/vulnerable?place=" + strconv.FormatInt(z.PlaceID, 10)})
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
