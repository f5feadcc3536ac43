package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// readTxAny begins a read transaction once ctx's principal has any of
// perms: the passage log is read by the staff at the gate
// (checkpoints.log) and by the command (reports.read).
func (db *DB) readTxAny(ctx context.Context, perms ...frontline.Permission) (*Tx, error) {
	p := frontline.PrincipalFrom(ctx)
	for _, perm := range perms {
		if p == nil || p.Can(perm) {
			return db.BeginReadTx(ctx)
		}
	}
	return nil, forbidden(p, perms[0])
}

// passenger is the registry's record of a resident at a checkpoint.
type passenger struct {
	id   int64
	name string
	home string // the household's path; "" for someone who moved out
	path string // the household's path whatever the status, for the scope
}

// findPassenger looks a resident up by personal code or ID number in the
// whole registry: people cross from one community into another, and the
// rules need the level of the home they come from. The caller learns only
// the name, masked when the home is outside their scope.
func (tx *Tx) findPassenger(ctx context.Context, p *frontline.Passage) (*passenger, error) {
	q := `SELECT p.id, p.name, p.status, h.path FROM persons p JOIN places h ON h.id = p.household_id WHERE `
	var row *sql.Row
	if p.PersonID > 0 {
		row = tx.QueryRowContext(ctx, q+`p.id = ?`, p.PersonID)
	} else {
		row = tx.QueryRowContext(ctx, q+`p.id_number = ? ORDER BY p.id LIMIT 1`, p.IDNumber)
	}
	var r passenger
	var status frontline.ResidenceStatus
	err := row.Scan(&r.id, &r.name, &status, &r.path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "id_number",
			Message: "no registered resident has this personal code or ID number; record the person as a visitor"}
	} else if err != nil {
		return nil, err
	}
	if status.Counted() {
		r.home = r.path
	}
	if !visible(ctx, r.path) {
		r.name = maskName(r.name)
	}
	return &r, nil
}

// restrictionRef names a restriction for the audit log: "measure:12".
func restrictionRef(r *frontline.Restriction) string {
	if r == nil {
		return ""
	}
	return r.Source + ":" + strconv.FormatInt(r.SourceID, 10)
}

// maskName keeps the surname: enough for staff to match the person in
// front of them, not enough to learn who lives where outside their scope.
func maskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 {
		return name
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// RecordPassage decides a passage at an open checkpoint by the zones on
// both sides and records it with the decision and its grounds.
func (s *CheckpointService) RecordPassage(ctx context.Context, p *frontline.Passage) error {
	tx, err := s.db.writeTx(ctx, frontline.PermCheckpointLog)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, p.CheckpointID)
	if err != nil {
		return err
	}
	if c.Status != frontline.CheckpointOpen {
		return frontline.Errorf(frontline.ECONFLICT, "%s is not open (%s)", c.Name, c.Status)
	}
	if err := p.Validate(tx.now); err != nil {
		return err
	}
	home := ""
	var restrictions *frontline.Restrictions
	if p.Kind == frontline.PassResident {
		r, err := tx.findPassenger(ctx, p)
		if err != nil {
			return err
		}
		p.PersonID, p.Name, p.Phone, home = r.id, r.name, "", r.home
		// The person's measures, case and transfer decide as much as the
		// zones: the one fact every workflow asks (restriction.go).
		rs, err := tx.restrictionsOf(ctx, []int64{p.PersonID})
		if err != nil {
			return err
		}
		restrictions = rs[p.PersonID]
	}
	zones, err := tx.activeOnPaths(ctx, c.Place.Path, home)
	if err != nil {
		return err
	}
	rules, err := tx.currentRules(ctx)
	if err != nil {
		return err
	}
	p.At = p.At.UTC()
	req := p.Request(c.Place.Path, home, zones)
	req.Hours, req.Restrictions = c.Hours, restrictions
	if s.Location != nil {
		req.At = p.At.In(s.Location) // opening hours are local wall-clock times
	}
	res := frontline.EntryDecision(req, rules, s.Settings)
	p.Allowed, p.Reasons, p.From, p.To = res.Allowed, res.Reasons, res.From, res.To
	p.FromRuleID, p.ToRuleID, p.RecordedBy = res.FromRuleID, res.ToRuleID, frontline.ActorFrom(ctx).String()
	p.Notes, p.Restriction = res.Notes, res.Restriction
	if err := tx.insertPassage(ctx, p); err != nil {
		return err
	}
	if err := tx.audit(ctx, "record", "passage", p.ID, c.Place.Path, nil, map[string]any{
		"checkpoint_id": c.ID, "kind": p.Kind, "person_id": p.PersonID, "name": p.Name, "phone": frontline.MaskPhone(p.Phone),
		"direction": p.Direction, "allowed": p.Allowed, "reasons": frontline.ReasonsText(p.Reasons),
		"notes": frontline.ReasonsText(p.Notes), "restriction": restrictionRef(p.Restriction),
	}); err != nil {
		return err
	}
	return tx.Commit()
}

func (tx *Tx) insertPassage(ctx context.Context, p *frontline.Passage) error {
	reasons, err := json.Marshal(p.Reasons)
	if err != nil {
		return err
	}
	notes, err := json.Marshal(p.Notes)
	if err != nil {
		return err
	}
	var testAt any
	if !p.Checks.NegativeTestAt.IsZero() {
		testAt = p.Checks.NegativeTestAt.UTC()
	}
	var rk, rs string
	var rid int64
	if r := p.Restriction; r != nil {
		rk, rs, rid = string(r.Kind), r.Source, r.SourceID
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO passages (checkpoint_id, kind, person_id, name, phone, reason, direction,
		emergency, temperature, health_code, negative_test_at, at, at_hour, allowed, reasons, from_level, to_level,
		from_rule_id, to_rule_id, recorded_by, notes, restriction_kind, restriction_source, restriction_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.CheckpointID, string(p.Kind), nullID(p.PersonID), p.Name, p.Phone, p.Reason, string(p.Direction), p.Emergency,
		int(math.Round(p.Checks.Temperature*10)), string(p.Checks.HealthCode), testAt, p.At, p.At.Truncate(time.Hour),
		p.Allowed, string(reasons), string(p.From), string(p.To), nullID(p.FromRuleID), nullID(p.ToRuleID),
		p.RecordedBy, string(notes), rk, rs, rid).Scan(&p.ID)
	return tx.db.translate(err)
}

const passageSelect = `SELECT s.id, s.checkpoint_id, s.kind, COALESCE(s.person_id, 0), s.name, s.phone, s.reason, s.direction,
	s.emergency, s.temperature, s.health_code, s.negative_test_at, s.at, s.allowed, s.reasons, s.from_level, s.to_level,
	COALESCE(s.from_rule_id, 0), COALESCE(s.to_rule_id, 0), s.recorded_by, s.notes, s.restriction_kind, s.restriction_source,
	s.restriction_id
	FROM passages s JOIN checkpoints c ON c.id = s.checkpoint_id JOIN places p ON p.id = c.place_id`

func scanPassage(sc interface{ Scan(...any) error }) (*frontline.Passage, error) {
	var p frontline.Passage
	var tenths int
	var testAt sql.NullTime
	var reasons, notes string
	var r frontline.Restriction
	if err := sc.Scan(&p.ID, &p.CheckpointID, &p.Kind, &p.PersonID, &p.Name, &p.Phone, &p.Reason, &p.Direction,
		&p.Emergency, &tenths, &p.Checks.HealthCode, &testAt, &p.At, &p.Allowed, &reasons, &p.From, &p.To,
		&p.FromRuleID, &p.ToRuleID, &p.RecordedBy, &notes, &r.Kind, &r.Source, &r.SourceID); err != nil {
		return nil, err
	}
	if r.Kind != "" {
		p.Restriction = &r
	}
	if err := json.Unmarshal([]byte(notes), &p.Notes); err != nil {
		return nil, err
	}
	p.Checks.Temperature, p.At = float64(tenths)/10, p.At.UTC()
	if testAt.Valid {
		p.Checks.NegativeTestAt = testAt.Time.UTC()
	}
	if err := json.Unmarshal([]byte(reasons), &p.Reasons); err != nil {
		return nil, err
	}
	return &p, nil
}

// FindPassages returns matching passages, newest first, and the total.
func (s *CheckpointService) FindPassages(ctx context.Context, f frontline.PassageFilter) ([]*frontline.Passage, int, error) {
	tx, err := s.db.readTxAny(ctx, frontline.PermCheckpointLog, frontline.PermReadReports)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if v := f.CheckpointID; v != nil {
		if _, err := tx.findCheckpoint(ctx, *v); err != nil {
			return nil, 0, err
		}
		where, args = append(where, "s.checkpoint_id = ?"), append(args, *v)
	}
	if v := f.Under; v != nil {
		top, err := tx.findPlaceByID(ctx, *v)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "p.path >= ? AND p.path < ?"), append(args, lo, hi)
	}
	if v := f.PersonID; v != nil {
		where, args = append(where, "s.person_id = ?"), append(args, *v)
	}
	if f.Refused {
		where, args = append(where, "s.allowed = ?"), append(args, false)
	}
	if !f.From.IsZero() {
		where, args = append(where, "s.at >= ?"), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, "s.at < ?"), append(args, f.To.UTC())
	}
	where, args = andScope(ctx, "p.path", where, args)
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM passages s JOIN checkpoints c ON c.id = s.checkpoint_id
		JOIN places p ON p.id = c.place_id WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, passageSelect+` WHERE `+cond+` ORDER BY s.at DESC, s.id DESC`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*frontline.Passage{}
	for rows.Next() {
		p, err := scanPassage(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// PassageCounts counts a checkpoint's passages per hour in [from, to):
// allowed ones by direction, refused ones together. It groups on the
// stored hour column, so both engines run the same SQL.
func (s *CheckpointService) PassageCounts(ctx context.Context, checkpointID int64, from, to time.Time) ([]*frontline.HourCount, error) {
	tx, err := s.db.readTxAny(ctx, frontline.PermCheckpointLog, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCheckpoint(ctx, checkpointID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT at_hour, direction, allowed, COUNT(*) FROM passages
		WHERE checkpoint_id = ? AND at >= ? AND at < ? GROUP BY at_hour, direction, allowed ORDER BY at_hour`,
		c.ID, from.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.HourCount{}
	for rows.Next() {
		var hour time.Time
		var dir frontline.Direction
		var allowed bool
		var n int
		if err := rows.Scan(&hour, &dir, &allowed, &n); err != nil {
			return nil, err
		}
		hour = hour.UTC()
		if len(out) == 0 || !out[len(out)-1].Hour.Equal(hour) {
			out = append(out, &frontline.HourCount{Hour: hour})
		}
		h := out[len(out)-1]
		switch {
		case !allowed:
			h.Refused += n
		case dir == frontline.DirIn:
			h.In += n
		default:
			h.Out += n
		}
	}
	return out, rows.Err()
}
