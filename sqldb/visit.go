package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.VisitService = (*VisitService)(nil)

// VisitService records household visits.
type VisitService struct {
	db *DB
	// Settings time the follow-up items of new measures.
	Settings frontline.FollowUpSettings
}

// NewVisitService returns a VisitService on db with the default
// follow-up settings.
func NewVisitService(db *DB) *VisitService {
	return &VisitService{db: db, Settings: followUpSettings(db)}
}

// RecordVisit records a visit and everything it causes in one
// transaction; a resent visit (same client id) is answered from the first.
func (s *VisitService) RecordVisit(ctx context.Context, v *frontline.Visit) error {
	err := s.recordVisit(ctx, v)
	if frontline.ErrorCode(err) == frontline.ECONFLICT && v.ID == 0 {
		// Two servers got the same resend at once: the other one won the
		// unique client id, so answer with its visit.
		if dup, derr := s.findByClientID(ctx, v); derr == nil && dup {
			return nil
		}
	}
	return err
}

func (s *VisitService) recordVisit(ctx context.Context, v *frontline.Visit) error {
	tx, err := s.db.writeTx(ctx, frontline.PermVisit)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if dup, err := tx.visitByClientID(ctx, v); err != nil || dup {
		return err
	}
	today := s.Settings.LocalDay(tx.now)
	if err := v.Validate(tx.now, today); err != nil {
		return err
	}
	c, err := tx.openCampaign(ctx, v.CampaignID)
	if err != nil {
		return err
	}
	m, old, err := tx.campaignMember(ctx, c, v.HouseholdID, true)
	if err != nil {
		return err
	}
	a := frontline.ActorFrom(ctx)
	v.Visitor, v.VisitorID, v.RecordedAt = a.String(), a.UserID, tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO screening_visits (campaign_id, household_id, client_id, outcome, note,
		visited_at, recorded_at, visitor, visitor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ID, m.HouseholdID, v.ClientID, string(v.Outcome), v.Note, v.VisitedAt.UTC(), tx.now, v.Visitor, v.VisitorID).Scan(&v.ID); err != nil {
		v.ID = 0
		return tx.db.translate(err)
	}
	contrib := coverDelta{newPersons: old.newPersons}
	if v.Outcome == frontline.OutcomeScreened {
		r := &visitRecorder{tx: tx, c: c, m: m, v: v, settings: s.Settings, today: today, maps: map[string]frontline.RiskMap{}}
		if contrib, err = r.persons(ctx, old.newPersons); err != nil {
			return err
		}
		var measured []int64
		for _, vp := range v.Persons {
			if vp.MeasureID != 0 {
				measured = append(measured, vp.PersonID)
			}
		}
		if len(measured) > 0 {
			// A returnee isolated at home after the call-ups went out is
			// not called down to a station that would refuse him.
			if err := tx.homeKept(ctx, measured, "visit_id", v.ID); err != nil {
				return err
			}
		}
	}
	if err := tx.updateCampaignMember(ctx, c, m, v, old, contrib); err != nil {
		return err
	}
	if err := tx.audit(ctx, "visit", "screening_household", m.HouseholdID, m.Path, nil, map[string]any{
		"campaign_id": c.ID, "visit_id": v.ID, "outcome": v.Outcome, "persons": len(v.Persons), "client_id": v.ClientID,
	}); err != nil {
		return err
	}
	return tx.Commit()
}

// visitByClientID fills v with the visit recorded under its client id,
// if any, and reports whether there was one. The same id for another
// household is a conflict: the phone reused an id.
func (tx *Tx) visitByClientID(ctx context.Context, v *frontline.Visit) (bool, error) {
	id := strings.ToLower(strings.TrimSpace(v.ClientID))
	if id == "" {
		return false, nil
	}
	got, err := tx.findVisits(ctx, `v.client_id = ?`, id)
	if err != nil || len(got) == 0 {
		return false, err
	}
	if got[0].CampaignID != v.CampaignID || got[0].HouseholdID != v.HouseholdID {
		return false, &frontline.Error{Code: frontline.ECONFLICT, Field: "client_id",
			Message: "this client id was already used for a visit to another household"}
	}
	*v = *got[0]
	v.Duplicate = true
	return true, nil
}

func (s *VisitService) findByClientID(ctx context.Context, v *frontline.Visit) (bool, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	return tx.visitByClientID(ctx, v)
}

// campaignMember returns the campaign's household, if the caller's scope
// covers it, and what it contributes to the counters now. A visit locks
// the row (lock), so that the path and contribution it reads stay what
// they are until it has updated the counters: a move of the household's
// building waits for it, or it for the move.
func (tx *Tx) campaignMember(ctx context.Context, c campaign, householdID int64, lock bool) (*frontline.CampaignMember, coverDelta, error) {
	var old coverDelta
	m := &frontline.CampaignMember{CampaignID: c.ID}
	var final bool
	q := `SELECT household_id, path, status, final, c_persons, c_new, c_high, c_medium, c_low,
		c_isolation, c_monitoring FROM screening_households s WHERE campaign_id = ? AND household_id = ?`
	if lock {
		q += tx.db.forUpdateOf("s")
	}
	err := tx.QueryRowContext(ctx, q, c.ID, householdID).Scan(
		&m.HouseholdID, &m.Path, &m.Status, &final, &old.persons, &old.newPersons, &old.high, &old.medium, &old.low,
		&old.isolation, &old.monitor)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, m.Path) {
		return nil, old, frontline.Errorf(frontline.ENOTFOUND, "household %d is not in campaign %s", householdID, c.Name)
	}
	return m, old, err
}

// updateCampaignMember moves the household to its new status: a final outcome
// replaces whatever counted before (the last final visit counts); not
// home leaves a final status alone and otherwise marks the door for
// another visit. The counters get the difference.
func (tx *Tx) updateCampaignMember(ctx context.Context, c campaign, m *frontline.CampaignMember, v *frontline.Visit, old, contrib coverDelta) error {
	status := m.Status
	set, args := `visits = visits + 1, last_visit_at = ?`, []any{tx.now}
	if v.Outcome.Final() {
		status = frontline.HouseholdStatus(v.Outcome)
		set += `, status = ?, final = TRUE, counting_visit_id = ?, c_persons = ?, c_new = ?, c_high = ?, c_medium = ?,
			c_low = ?, c_isolation = ?, c_monitoring = ?`
		args = append(args, string(status), v.ID, contrib.persons, contrib.newPersons, contrib.high, contrib.medium,
			contrib.low, contrib.isolation, contrib.monitor)
	} else {
		if !status.Final() {
			status = frontline.HouseholdStatus(frontline.OutcomeNotHome)
			set, args = set+`, status = ?`, append(args, string(status))
		}
		contrib = old
	}
	if _, err := tx.ExecContext(ctx, `UPDATE screening_households SET `+set+` WHERE campaign_id = ? AND household_id = ?`,
		append(args, c.ID, m.HouseholdID)...); err != nil {
		return err
	}
	d := statusDelta(status).sub(statusDelta(m.Status)).plus(contrib.sub(old))
	m.Status = status
	return tx.addCoverage(ctx, c, m.Path, d)
}

// FindVisits returns the visits of a household, newest first.
func (s *VisitService) FindVisits(ctx context.Context, campaignID, householdID int64) ([]*frontline.Visit, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	if _, _, err := tx.campaignMember(ctx, c, householdID, false); err != nil {
		return nil, err
	}
	return tx.findVisits(ctx, `v.campaign_id = ? AND v.household_id = ?`, c.ID, householdID)
}

func (tx *Tx) findVisits(ctx context.Context, cond string, args ...any) ([]*frontline.Visit, error) {
	rows, err := tx.QueryContext(ctx, `SELECT v.id, v.campaign_id, v.household_id, v.client_id, v.outcome, v.note,
		v.visited_at, v.recorded_at, v.visitor, v.visitor_id FROM screening_visits v WHERE `+cond+` ORDER BY v.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	var out []*frontline.Visit
	for rows.Next() {
		v := &frontline.Visit{}
		if err := rows.Scan(&v.ID, &v.CampaignID, &v.HouseholdID, &v.ClientID, &v.Outcome, &v.Note, &v.VisitedAt,
			&v.RecordedAt, &v.Visitor, &v.VisitorID); err != nil {
			rows.Close()
			return nil, err
		}
		v.VisitedAt, v.RecordedAt = v.VisitedAt.UTC(), v.RecordedAt.UTC()
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, v := range out {
		if v.Persons, err = tx.visitPersons(ctx, v.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tx *Tx) visitPersons(ctx context.Context, visitID int64) ([]frontline.VisitPerson, error) {
	rows, err := tx.QueryContext(ctx, `SELECT vp.person_id, p.name, vp.present, vp.area_code, vp.area_name, vp.arrived_on,
		vp.means, vp.detail, vp.health, vp.temperature, vp.level, vp.measure, vp.measure_id
		FROM screening_visit_persons vp JOIN persons p ON p.id = vp.person_id WHERE vp.visit_id = ? ORDER BY vp.person_id`, visitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []frontline.VisitPerson
	for rows.Next() {
		var vp frontline.VisitPerson
		var t frontline.Travel
		if err := rows.Scan(&vp.PersonID, &vp.Name, &vp.Present, &t.AreaCode, &t.AreaName, &t.ArrivedOn, &t.Means,
			&t.Detail, &vp.Health, &vp.Temperature, &vp.Level, &vp.Measure, &vp.MeasureID); err != nil {
			return nil, err
		}
		if t.ArrivedOn != "" {
			vp.Travel = &t
		}
		out = append(out, vp)
	}
	return out, rows.Err()
}
