package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

// A hospital trip is planned under the zone's rules: planning asks the
// two facts every workflow asks — the household's effective zone level
// (the zones on its path, as ZoneService.EffectiveLevels reads them) and
// the person's restrictions (restrictionsOf, as the gate reads them) — and
// records what they said and how the trip must go. While the trip is on,
// the restriction query gives its person a permit, so the gate lets them
// out and back in as an emergency (entry.go); nothing else is asked.

const tripColumns = `t.id, t.request_id, t.person_id, t.plate, t.driver_id, COALESCE(w.name, ''), t.hospital, t.leave_at, t.left_at,
	t.arrived_at, t.returned_at, t.status, t.zone_level, t.mode, t.restriction, t.note, t.created_at, t.created_by`

// queryTrips lists the trips matching cond, oldest first.
func (tx *Tx) queryTrips(ctx context.Context, cond string, args ...any) ([]*frontline.HelpTrip, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+tripColumns+` FROM help_trips t LEFT JOIN workers w ON w.id = t.driver_id
		WHERE `+cond+` ORDER BY t.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.HelpTrip
	for rows.Next() {
		var t frontline.HelpTrip
		if err := rows.Scan(&t.ID, &t.RequestID, &t.PersonID, &t.Plate, &t.DriverID, &t.Driver, &t.Hospital, &t.LeaveAt,
			nullTimeDest{&t.LeftAt}, nullTimeDest{&t.ArrivedAt}, nullTimeDest{&t.ReturnedAt}, &t.Status, &t.Level, &t.Mode,
			&t.Restriction, &t.Note, &t.CreatedAt, &t.CreatedBy); err != nil {
			return nil, err
		}
		t.LeaveAt, t.CreatedAt = t.LeaveAt.UTC(), t.CreatedAt.UTC()
		out = append(out, &t)
	}
	return out, rows.Err()
}

// tripDriver checks that the driver is a working member of the workforce
// whom the caller reaches: registered in their scope, or at a node above
// the household (its community's or subdistrict's registry).
func (tx *Tx) tripDriver(ctx context.Context, id int64, household string) error {
	var path string
	var retired bool
	err := tx.QueryRowContext(ctx, `SELECT p.path, w.retired FROM workers w JOIN places p ON p.id = w.place_id WHERE w.id = ?`, id).
		Scan(&path, &retired)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path) && !strings.HasPrefix(household, path)) {
		return frontline.FieldError("driver_id", "worker %d is not in your workforce", id)
	} else if err != nil {
		return err
	}
	if retired {
		return frontline.FieldError("driver_id", "worker %d no longer works", id)
	}
	return nil
}

// PlanTrip plans a hospital trip for a request not yet resolved, for
// someone who manages the workforce in its scope.
func (s *HelpService) PlanTrip(ctx context.Context, t *frontline.HelpTrip) (*frontline.HelpTrip, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	h, path, err := tx.visibleHelp(ctx, t.RequestID)
	if err != nil {
		return nil, err
	}
	if h.Status == frontline.HelpResolved {
		return nil, frontline.Errorf(frontline.ECONFLICT, "help request %d is resolved", h.ID)
	}
	if t.PersonID == 0 {
		t.PersonID = h.PersonID
	}
	if t.PersonID == 0 {
		return nil, frontline.FieldError("person_id", "say who goes to hospital")
	}
	var household int64
	err = tx.QueryRowContext(ctx, `SELECT household_id FROM persons WHERE id = ?`, t.PersonID).Scan(&household)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && household != h.HouseholdID) {
		return nil, frontline.FieldError("person_id", "the person is not of the household that asked")
	} else if err != nil {
		return nil, err
	}
	if err := t.Validate(tx.now); err != nil {
		return nil, err
	}
	if err := tx.tripDriver(ctx, t.DriverID, path); err != nil {
		return nil, err
	}
	for _, o := range h.Trips {
		if o.Status.On() {
			return nil, frontline.Errorf(frontline.ECONFLICT, "help request %d has a trip on already (%s)", h.ID, o.Plate)
		}
	}
	if err := tx.tripRules(ctx, t, path, s.Policy); err != nil {
		return nil, err
	}
	t.Status, t.CreatedAt, t.CreatedBy = frontline.TripPlanned, tx.now, frontline.ActorFrom(ctx).String()
	err = tx.QueryRowContext(ctx, `INSERT INTO help_trips (request_id, person_id, path, plate, driver_id, hospital, leave_at, status,
		zone_level, mode, restriction, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		h.ID, t.PersonID, path, t.Plate, t.DriverID, t.Hospital, t.LeaveAt.UTC(), string(t.Status), string(t.Level), string(t.Mode),
		string(t.Restriction), t.Note, tx.now, t.CreatedBy).Scan(&t.ID)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "help_trip", t.ID, path, nil, map[string]any{"request_id": h.ID, "person_id": t.PersonID,
		"plate": t.Plate, "driver_id": t.DriverID, "hospital": t.Hospital, "leave_at": t.LeaveAt.UTC(), "level": t.Level,
		"mode": t.Mode, "restriction": t.Restriction}); err != nil {
		return nil, err
	}
	trips, err := tx.queryTrips(ctx, `t.id = ?`, t.ID)
	if err != nil {
		return nil, err
	}
	return trips[0], tx.Commit()
}

// tripRules asks the household's effective zone level and the person's
// restrictions, and sets what they say on the trip.
func (tx *Tx) tripRules(ctx context.Context, t *frontline.HelpTrip, path string, policy frontline.RestrictionPolicy) error {
	zones, err := tx.activeOnPaths(ctx, path)
	if err != nil {
		return err
	}
	t.Level = frontline.EffectiveLevel(path, zones)
	var rule *frontline.ZoneRule
	if t.Level != frontline.LevelNone {
		if rule, err = tx.currentRule(ctx, t.Level); err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
			return err
		}
	}
	rs, err := tx.restrictionsOf(ctx, []int64{t.PersonID})
	if err != nil {
		return err
	}
	if policy == nil {
		policy = frontline.DefaultRestrictionPolicy()
	}
	d := rs[t.PersonID].Decide(frontline.ActLeave, policy)
	t.Restriction = ""
	if by := rs[t.PersonID].Strictest(); by != nil {
		t.Restriction = by.Kind
	}
	t.Mode = frontline.DecideTripMode(t.Level, rule, d)
	return nil
}

// StepTrip moves a trip one step on (planned → out → arrived →
// returned) or calls it off, refusing a step someone else took a moment
// earlier.
func (s *HelpService) StepTrip(ctx context.Context, id int64, from, to frontline.TripStatus) (*frontline.HelpTrip, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	trips, err := tx.queryTrips(ctx, `t.id = ?`, id)
	if err != nil {
		return nil, err
	}
	var path string
	if len(trips) > 0 {
		err = tx.QueryRowContext(ctx, `SELECT path FROM help_trips WHERE id = ?`, id).Scan(&path)
	}
	if err != nil {
		return nil, err
	}
	if len(trips) == 0 || !visible(ctx, path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "hospital trip %d not found", id)
	}
	t := trips[0]
	if t.Status != from {
		return nil, frontline.Errorf(frontline.ECONFLICT, "the trip is %s now, not %s: someone recorded it a moment ago", t.Status, from)
	}
	if to != from.Next() && !(to == frontline.TripCancelled && from == frontline.TripPlanned) {
		return nil, frontline.FieldError("status", "a %s trip goes on to %s, not %s", from, from.Next(), to)
	}
	col := map[frontline.TripStatus]string{frontline.TripOut: "left_at", frontline.TripArrived: "arrived_at", frontline.TripReturned: "returned_at"}[to]
	set := `status = ?`
	args := []any{string(to)}
	if col != "" {
		set += `, ` + col + ` = ?`
		args = append(args, tx.now)
	}
	res, err := tx.ExecContext(ctx, `UPDATE help_trips SET `+set+` WHERE id = ? AND status = ?`, append(args, id, string(from))...)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "the trip was moved on a moment ago")
	}
	if err := tx.audit(ctx, "step", "help_trip", id, path, map[string]any{"status": from}, map[string]any{"status": to}); err != nil {
		return nil, err
	}
	if trips, err = tx.queryTrips(ctx, `t.id = ?`, id); err != nil {
		return nil, err
	}
	return trips[0], tx.Commit()
}
