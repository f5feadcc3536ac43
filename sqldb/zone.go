package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.ZoneService = (*ZoneService)(nil)

// ZoneService stores zones, their rules and evidence.
type ZoneService struct{ db *DB }

// NewZoneService returns a ZoneService on db.
func NewZoneService(db *DB) *ZoneService { return &ZoneService{db: db} }

// zoneSelect reads zones with their rule's version and their node.
const zoneSelect = `SELECT z.id, z.place_id, z.level, z.reason, z.evidence_kind, z.evidence_ref, z.rule_id, r.version,
	z.decided_by, z.recorded_by, z.started_at, z.ended_at, z.ended_by, z.end_reason, COALESCE(z.previous_id, 0),
	p.id, COALESCE(p.parent_id, 0), p.kind, p.name, p.code, p.path, p.households, p.residents, p.vulnerable,
	p.created_at, p.updated_at
	FROM zones z JOIN zone_rules r ON r.id = z.rule_id JOIN places p ON p.id = z.place_id`

func scanZone(sc interface{ Scan(...any) error }) (*frontline.Zone, error) {
	var z frontline.Zone
	var p frontline.Place
	var end sql.NullTime
	err := sc.Scan(&z.ID, &z.PlaceID, &z.Level, &z.Reason, &z.Evidence.Kind, &z.Evidence.Ref, &z.RuleID, &z.RuleVersion,
		&z.DecidedBy, &z.RecordedBy, &z.Start, &end, &z.EndedBy, &z.EndReason, &z.PreviousID,
		&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path, &p.Households, &p.Residents, &p.Vulnerable, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	z.Start = z.Start.UTC()
	if end.Valid {
		z.End = end.Time.UTC()
	}
	z.Place = &p
	return &z, nil
}

func (tx *Tx) queryZones(ctx context.Context, where string, args ...any) ([]*frontline.Zone, error) {
	rows, err := tx.QueryContext(ctx, zoneSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Zone{}
	for rows.Next() {
		z, err := scanZone(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, rows.Err()
}

// findZone returns a zone drawn on a node inside the caller's scope.
func (tx *Tx) findZone(ctx context.Context, id int64) (*frontline.Zone, error) {
	zones, err := tx.queryZones(ctx, `z.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(zones) == 0 || !visible(ctx, zones[0].Place.Path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "zone %d not found", id)
	}
	return zones[0], nil
}

// SetZone puts a node into a zone, ending the node's own looser zone, and
// returns what the node holds.
func (s *ZoneService) SetZone(ctx context.Context, z *frontline.Zone) (*frontline.Affected, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageZones)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, err := tx.setZone(ctx, z)
	if err != nil {
		return nil, err
	}
	return a, tx.Commit()
}

// setZone draws z in the caller's transaction.
func (tx *Tx) setZone(ctx context.Context, z *frontline.Zone) (*frontline.Affected, error) {
	if err := z.Validate(); err != nil {
		return nil, err
	}
	place, err := tx.findPlaceByID(ctx, z.PlaceID)
	if err != nil {
		return nil, err
	}
	if place.Kind.Rank() < frontline.MinZoneKind.Rank() {
		return nil, frontline.FieldError("place_id", "a zone is drawn on a compound, building, unit or household, not on a %s", place.Kind)
	}
	own, err := tx.queryZones(ctx, `z.place_id = ? AND z.ended_at IS NULL`, place.ID)
	if err != nil {
		return nil, err
	}
	if len(own) > 0 {
		if !z.Level.StricterThan(own[0].Level) {
			return nil, frontline.Errorf(frontline.ECONFLICT, "%s is already a %s zone; a looser level is a step-down", place.Name, own[0].Level)
		}
		if err := tx.endZone(ctx, own[0], frontline.ActorFrom(ctx).String(), "tightened to "+string(z.Level)); err != nil {
			return nil, err
		}
		z.PreviousID = own[0].ID
	}
	if err := tx.startZone(ctx, z, place); err != nil {
		return nil, err
	}
	a, err := tx.affected(ctx, place)
	if err != nil {
		return nil, err
	}
	a.Zone = z
	return a, nil
}

// startZone inserts z on place under the current rule of its level.
func (tx *Tx) startZone(ctx context.Context, z *frontline.Zone, place *frontline.Place) error {
	rule, err := tx.currentRule(ctx, z.Level)
	if err != nil {
		return err
	}
	z.PlaceID, z.Place, z.RuleID, z.RuleVersion = place.ID, place, rule.ID, rule.Version
	z.RecordedBy, z.Start, z.End = frontline.ActorFrom(ctx).String(), tx.now, time.Time{}
	if z.DecidedBy == "" {
		z.DecidedBy = z.RecordedBy
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO zones (place_id, path, level, reason, evidence_kind, evidence_ref, rule_id,
		decided_by, recorded_by, started_at, previous_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		place.ID, place.Path, string(z.Level), z.Reason, string(z.Evidence.Kind), z.Evidence.Ref, rule.ID, z.DecidedBy, z.RecordedBy,
		tx.now, nullID(z.PreviousID)).Scan(&z.ID); err != nil {
		return tx.db.translate(err)
	}
	// Where the level samples at the door, the rounds not yet closed turn
	// the node's residents into home sampling tasks (round_sealed.go).
	if rule.HomeSampling {
		if err := tx.homeSampleZone(ctx, place, z); err != nil {
			return err
		}
	}
	// A sealed or controlled zone names a contact for each of its
	// vulnerable residents in this transaction (vulnerable_contact.go).
	if guarded(z.Level) {
		if _, err := tx.assignContacts(ctx, place); err != nil {
			return err
		}
	}
	return tx.audit(ctx, "start", "zone", z.ID, place.Path, nil, map[string]any{
		"place_id": place.ID, "level": z.Level, "reason": z.Reason, "evidence": string(z.Evidence.Kind) + ":" + z.Evidence.Ref,
		"rule_version": rule.Version, "decided_by": z.DecidedBy, "previous_id": z.PreviousID,
	})
}

// endZone ends an active zone. The WHERE on ended_at makes a zone end
// once even when two requests race.
func (tx *Tx) endZone(ctx context.Context, z *frontline.Zone, by, reason string) error {
	res, err := tx.ExecContext(ctx, `UPDATE zones SET ended_at = ?, ended_by = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL`,
		tx.now, by, reason, z.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return frontline.Errorf(frontline.ECONFLICT, "zone %d has already ended", z.ID)
	}
	z.End, z.EndedBy, z.EndReason = tx.now, by, reason
	return tx.audit(ctx, "end", "zone", z.ID, z.Place.Path, map[string]any{"level": z.Level},
		map[string]any{"ended_by": by, "end_reason": reason})
}

// StepDownZone ends an active zone and, unless it is lifted, starts the
// looser zone on the same node. The rules must find the zone eligible
// unless the decision overrides them with a reason.
func (s *ZoneService) StepDownZone(ctx context.Context, id int64, d frontline.StepDown) (*frontline.Zone, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageZones)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	z, err := tx.findZone(ctx, id)
	if err != nil {
		return nil, err
	}
	if !z.Active() {
		return nil, frontline.Errorf(frontline.ECONFLICT, "this zone ended on %s", z.End.Format(frontline.DateLayout))
	}
	check, err := tx.stepDownCheck(ctx, z)
	if err != nil {
		return nil, err
	}
	to := d.To
	if d.Lift {
		to = frontline.LevelNone
	} else if to == frontline.LevelNone {
		to = check.Target
	}
	if to != frontline.LevelNone && !to.Valid() {
		return nil, frontline.FieldError("to", "unknown zone level %q", to)
	}
	if !z.Level.StricterThan(to) {
		return nil, frontline.Errorf(frontline.ECONFLICT, "a %s zone steps down to a looser level, not %q", z.Level, to)
	}
	d.Reason = strings.TrimSpace(d.Reason)
	if err := frontline.CheckText("reason", d.Reason); err != nil {
		return nil, err
	}
	if err := frontline.CheckLine("decided_by", d.DecidedBy); err != nil {
		return nil, err
	}
	if !check.Eligible && !d.Override {
		return nil, frontline.Errorf(frontline.ECONFLICT, "not eligible to step down yet: %s", frontline.ReasonsText(check.Reasons))
	}
	if d.Override && d.Reason == "" {
		return nil, frontline.FieldError("reason", "stepping down before the rules allow needs a reason")
	}
	return tx.stepDown(ctx, z, to, d, check)
}

// stepDown records the decision: the zone ends, a looser one starts, and
// the audit entry keeps what the rules said at the time.
func (tx *Tx) stepDown(ctx context.Context, z *frontline.Zone, to frontline.ZoneLevel, d frontline.StepDown, check *frontline.StepDownCheck) (*frontline.Zone, error) {
	by := frontline.CleanName(d.DecidedBy)
	if by == "" {
		by = frontline.ActorFrom(ctx).String()
	}
	reason := d.Reason
	if reason == "" {
		reason = frontline.ReasonsText(check.Reasons)
	}
	if err := tx.audit(ctx, "step_down", "zone", z.ID, z.Place.Path, map[string]any{"level": z.Level}, map[string]any{
		"to": to, "eligible": check.Eligible, "override": d.Override, "rules_said": frontline.ReasonsText(check.Reasons),
		"rule_version": check.Rule.Version, "decided_by": by, "reason": reason,
	}); err != nil {
		return nil, err
	}
	end := fmt.Sprintf("stepped down to %s: %s", frontline.ZoneLevelLabels[to], reason)
	if err := tx.endZone(ctx, z, by, end); err != nil {
		return nil, err
	}
	if to == frontline.LevelNone {
		return z, tx.Commit()
	}
	next := &frontline.Zone{Level: to, Reason: reason, DecidedBy: by, PreviousID: z.ID}
	if err := tx.startZone(ctx, next, z.Place); err != nil {
		return nil, err
	}
	return next, tx.Commit()
}

// FindZoneByID returns one zone.
func (s *ZoneService) FindZoneByID(ctx context.Context, id int64) (*frontline.Zone, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findZone(ctx, id)
}

// FindZones returns matching zones, newest first, and the total.
func (s *ZoneService) FindZones(ctx context.Context, f frontline.ZoneFilter) ([]*frontline.Zone, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := f.ID; v != nil {
		where, args = append(where, "z.id = ?"), append(args, *v)
	}
	if v := f.PlaceID; v != nil {
		where, args = append(where, "z.place_id = ?"), append(args, *v)
	}
	if v := f.Under; v != nil {
		top, err := tx.findPlaceByID(ctx, *v)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "z.path >= ? AND z.path < ?"), append(args, lo, hi)
	}
	if v := f.Level; v != nil {
		where, args = append(where, "z.level = ?"), append(args, string(*v))
	}
	if f.Active {
		where = append(where, "z.ended_at IS NULL")
	}
	where, args = andScope(ctx, "p.path", where, args)
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM zones z JOIN places p ON p.id = z.place_id WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	zones, err := tx.queryZones(ctx, cond+` ORDER BY z.started_at DESC, z.id DESC`+limitClause(f.Offset, f.Limit), args...)
	return zones, total, err
}

// ZoneTimeline returns a node's history: its zones and its ancestors',
// and the evidence that bears on it, oldest first.
func (s *ZoneService) ZoneTimeline(ctx context.Context, placeID int64) ([]*frontline.ZoneEvent, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	ids := frontline.PathIDs(place.Path)
	zones, err := tx.queryZones(ctx, `z.place_id IN `+inList(len(ids)), int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	evidence, err := tx.evidenceFor(ctx, place)
	if err != nil {
		return nil, err
	}
	return frontline.Timeline(place.Path, zones, evidence), nil
}
