package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.FollowUpService = (*FollowUpService)(nil)

// FollowUpService stores measures and their follow-up items.
type FollowUpService struct {
	db *DB
	// Settings decide when an item is overdue and when it escalates.
	Settings frontline.FollowUpSettings
}

// NewFollowUpService returns a FollowUpService with the default settings.
func NewFollowUpService(db *DB) *FollowUpService {
	return &FollowUpService{db: db, Settings: followUpSettings(db)}
}

// followUpSettings are the default settings in db's time zone.
func followUpSettings(db *DB) frontline.FollowUpSettings {
	s := frontline.DefaultFollowUpSettings
	s.Location = db.Location
	return s
}

const followUpColumns = `f.id, f.measure_id, f.campaign_id, f.person_id, f.household_id, f.kind, f.day, f.due_at, f.done_at,
	f.done_by, f.temperature, f.symptoms, f.result, f.abnormal, f.handled_at, f.handled_by, f.note, p.name, f.path`

func scanFollowUp(sc interface{ Scan(...any) error }) (*frontline.FollowUpItem, string, error) {
	var f frontline.FollowUpItem
	var done, handled sql.NullTime
	var path string
	err := sc.Scan(&f.ID, &f.MeasureID, &f.CampaignID, &f.PersonID, &f.HouseholdID, &f.Kind, &f.Day, &f.DueAt, &done,
		&f.DoneBy, &f.Temperature, &f.Symptoms, &f.Result, &f.Abnormal, &handled, &f.HandledBy, &f.Note, &f.PersonName, &path)
	f.DueAt, f.DoneAt, f.HandledAt = f.DueAt.UTC(), done.Time.UTC(), handled.Time.UTC()
	return &f, path, err
}

// FindFollowUps returns matching items, due first, with who must act on
// each now. The escalation conditions in SQL are those of
// frontline.Escalate, with the times computed here.
func (s *FollowUpService) FindFollowUps(ctx context.Context, fl frontline.FollowUpItemFilter) ([]*frontline.FollowUpItem, int, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args, err := s.followUpWhere(ctx, tx, fl)
	if err != nil {
		return nil, 0, err
	}
	from := ` FROM screening_followups f JOIN screening_measures m ON m.id = f.measure_id JOIN persons p ON p.id = f.person_id
		WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+followUpColumns+from+` ORDER BY f.due_at, f.id`+limitClause(fl.Offset, fl.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out, paths := []*frontline.FollowUpItem{}, []string{}
	for rows.Next() {
		f, path, err := scanFollowUp(rows)
		if err != nil {
			return nil, 0, err
		}
		f.Escalation = frontline.Escalate(f, tx.now, s.Settings)
		out, paths = append(out, f), append(paths, path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	addrs, err := tx.addressesOf(ctx, paths)
	if err != nil {
		return nil, 0, err
	}
	for i, f := range out {
		f.Address = addrs[i]
	}
	return out, total, nil
}

// addressesOf returns the address of each household path below its
// community ("枣园小区/1号楼/1单元/101"), which is how the community's
// staff name a door.
func (tx *Tx) addressesOf(ctx context.Context, paths []string) ([]string, error) {
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(paths))
	for i, path := range paths {
		var parts []string
		for _, id := range frontline.PathIDs(path) {
			if p := names[id]; p != nil && p.Kind.Rank() > frontline.KindCommunity.Rank() {
				parts = append(parts, p.Name)
			}
		}
		out[i] = strings.Join(parts, "/")
	}
	return out, nil
}

// followUpWhere builds the conditions of a filter, within the caller's
// scope.
func (s *FollowUpService) followUpWhere(ctx context.Context, tx *Tx, fl frontline.FollowUpItemFilter) ([]string, []any, error) {
	where, args := []string{"m.status = ?"}, []any{string(frontline.MeasureActive)}
	if fl.CampaignID != nil {
		where, args = append(where, "f.campaign_id = ?"), append(args, *fl.CampaignID)
	}
	if fl.CaseID != nil {
		where, args = append(where, "m.case_id = ?"), append(args, *fl.CaseID)
	}
	if fl.PersonID != nil {
		where, args = append(where, "f.person_id = ?"), append(args, *fl.PersonID)
	}
	if fl.Under != nil {
		n, err := tx.findPlaceByID(ctx, *fl.Under)
		if err != nil {
			return nil, nil, err
		}
		lo, hi := subtreeRange(n.Path)
		where, args = append(where, "f.path >= ? AND f.path < ?"), append(args, lo, hi)
	}
	if fl.Assignee != nil {
		where = append(where, `EXISTS (SELECT 1 FROM screening_households s WHERE s.campaign_id = f.campaign_id
			AND s.household_id = f.household_id AND (s.user_id = ? OR s.team_id IN (SELECT team_id FROM screening_team_members WHERE user_id = ?)))`)
		args = append(args, *fl.Assignee, *fl.Assignee)
	}
	if fl.Open {
		where = append(where, "(f.done_at IS NULL OR (f.abnormal AND f.handled_at IS NULL))")
	}
	if !fl.DueBefore.IsZero() {
		// In UTC, as stored: SQLite compares times as text.
		where, args = append(where, "f.due_at < ?"), append(args, fl.DueBefore.UTC())
	}
	if fl.MinEscalation > frontline.EscalationNone {
		overdue, abnormal := tx.now.Add(-s.Settings.Grace), tx.now
		if fl.MinEscalation >= frontline.EscalationSecretary {
			overdue, abnormal = overdue.Add(-s.Settings.EscalateAfter), abnormal.Add(-s.Settings.EscalateAfter)
		}
		where = append(where, `f.handled_at IS NULL AND ((f.done_at IS NULL AND f.due_at < ?) OR (f.abnormal AND f.done_at <= ?))`)
		args = append(args, overdue, abnormal)
	}
	where, args = andScope(ctx, "f.path", where, args)
	return where, args, nil
}

// followUp returns one item inside the caller's scope.
func (tx *Tx) followUp(ctx context.Context, id int64) (*frontline.FollowUpItem, string, error) {
	f, path, err := scanFollowUp(tx.QueryRowContext(ctx, `SELECT `+followUpColumns+`
		FROM screening_followups f JOIN persons p ON p.id = f.person_id WHERE f.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, path) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "follow-up item %d not found", id)
	}
	return f, path, err
}

// RecordFollowUp enters a health report or a test result; an abnormal one
// is marked so it goes to the assignee at once.
func (s *FollowUpService) RecordFollowUp(ctx context.Context, id int64, r frontline.HealthReport) (*frontline.FollowUpItem, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	f, path, err := tx.followUp(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := tx.recordFollowUp(ctx, f, path, r, s.Settings); err != nil {
		return nil, err
	}
	return f, tx.Commit()
}

// recordFollowUp writes a reading into f, staff's or a resident's. The
// update is conditional on the item being open, so of two phones sending
// the same item at once only one records it.
func (tx *Tx) recordFollowUp(ctx context.Context, f *frontline.FollowUpItem, path string, r frontline.HealthReport, s frontline.FollowUpSettings) error {
	if f.Done() {
		return frontline.Errorf(frontline.ECONFLICT, "this %s was already recorded", f.Kind)
	}
	if err := r.Validate(f.Kind); err != nil {
		return err
	}
	f.DoneAt, f.DoneBy = tx.now, frontline.ActorFrom(ctx).String()
	f.Temperature, f.Symptoms, f.Result, f.Note = r.Temperature, r.Symptoms, r.Result, r.Note
	f.Abnormal = s.Abnormal(r.Temperature, r.Symptoms, r.Result)
	res, err := tx.ExecContext(ctx, `UPDATE screening_followups SET done_at = ?, done_by = ?, temperature = ?, symptoms = ?,
		result = ?, abnormal = ?, note = ? WHERE id = ? AND done_at IS NULL`, tx.now, f.DoneBy, f.Temperature, f.Symptoms, f.Result, f.Abnormal, f.Note, f.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return frontline.Errorf(frontline.ECONFLICT, "this %s was already recorded", f.Kind)
	}
	if err := tx.audit(ctx, "record", "screening_followup", f.ID, path, nil, map[string]any{
		"temperature": f.Temperature, "symptoms": f.Symptoms, "result": f.Result, "abnormal": f.Abnormal}); err != nil {
		return err
	}
	f.Escalation = frontline.Escalate(f, tx.now, s)
	// Done: no longer overdue. Abnormal: someone must act now.
	if err := tx.resolveAlerts(ctx, frontline.AlertFollowUpOverdue, followUpKey(f.ID)); err != nil {
		return err
	}
	if f.Abnormal {
		return tx.followUpAlert(ctx, frontline.AlertHealthAbnormal, f, f.DoneAt)
	}
	return nil
}

// HandleFollowUp records that someone dealt with an escalated item.
func (s *FollowUpService) HandleFollowUp(ctx context.Context, id int64, note string) (*frontline.FollowUpItem, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	f, path, err := tx.followUp(ctx, id)
	if err != nil {
		return nil, err
	}
	if frontline.Escalate(f, tx.now, s.Settings) == frontline.EscalationNone {
		return nil, frontline.Errorf(frontline.ECONFLICT, "this item needs nobody's attention")
	}
	if note = strings.TrimSpace(note); note == "" {
		return nil, frontline.FieldError("note", "say what was done")
	}
	if err := frontline.CheckText("note", note); err != nil {
		return nil, err
	}
	f.HandledAt, f.HandledBy, f.Note = tx.now, frontline.ActorFrom(ctx).String(), note
	if _, err := tx.ExecContext(ctx, `UPDATE screening_followups SET handled_at = ?, handled_by = ?, note = ? WHERE id = ?`,
		tx.now, f.HandledBy, note, f.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "handle", "screening_followup", f.ID, path, nil, map[string]any{"note": note}); err != nil {
		return nil, err
	}
	if err := tx.resolveAlerts(ctx, "", followUpKey(f.ID)); err != nil {
		return nil, err
	}
	return f, tx.Commit()
}

const measureColumns = `id, COALESCE(campaign_id, 0), visit_id, person_id, household_id, type, level, start_date, end_date, test_days,
	reports_per_day, rule_version, status, created_at, ended_at, COALESCE(case_id, 0)`

func scanMeasure(sc interface{ Scan(...any) error }) (*frontline.Measure, error) {
	var m frontline.Measure
	var days string
	var ended sql.NullTime
	err := sc.Scan(&m.ID, &m.CampaignID, &m.VisitID, &m.PersonID, &m.HouseholdID, &m.Type, &m.Level, &m.StartDate,
		&m.EndDate, &days, &m.ReportsPerDay, &m.RuleVersion, &m.Status, &m.CreatedAt, &ended, &m.CaseID)
	m.TestDays, m.CreatedAt, m.EndedAt = splitDays(days), m.CreatedAt.UTC(), ended.Time.UTC()
	return &m, err
}

// FindMeasures returns the measures of a household in a campaign,
// superseded ones included, oldest first.
func (s *FollowUpService) FindMeasures(ctx context.Context, campaignID, householdID int64) ([]*frontline.Measure, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.household(ctx, householdID); err != nil {
		return nil, err
	}
	return tx.measures(ctx, `campaign_id = ? AND household_id = ?`, campaignID, householdID)
}

func (tx *Tx) measures(ctx context.Context, cond string, args ...any) ([]*frontline.Measure, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+measureColumns+` FROM screening_measures WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Measure{}
	for rows.Next() {
		m, err := scanMeasure(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// EndMeasures ends the active measures under a node whose tests are all
// done and whose days are over.
func (s *FollowUpService) EndMeasures(ctx context.Context, campaignID, under int64) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// Campaign 0 is the measures of cases' contacts, which belong to none.
	owner, args := `campaign_id = ?`, []any{campaignID}
	if campaignID == 0 {
		owner, args = `campaign_id IS NULL`, nil
	}
	n, err := tx.findPlaceByID(ctx, under)
	if err != nil {
		return 0, err
	}
	lo, hi := subtreeRange(n.Path)
	day := s.Settings.LocalDay(tx.now)
	ms, err := tx.measures(ctx, owner+` AND status = ? AND path >= ? AND path < ? AND end_date < ?`,
		append(args, string(frontline.MeasureActive), lo, hi, day)...)
	if err != nil {
		return 0, err
	}
	var done []*frontline.Measure
	for _, m := range ms {
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM screening_followups WHERE measure_id = ? AND kind = ? AND done_at IS NULL`,
			m.ID, string(frontline.FollowUpTest)).Scan(&open); err != nil {
			return 0, err
		}
		items := make([]frontline.FollowUpItem, open)
		for i := range items {
			items[i].Kind = frontline.FollowUpTest
		}
		if !frontline.MeasureCanEnd(m, items, tx.now, s.Settings) {
			continue
		}
		// Only an active measure ends, so two servers running the job at
		// once end it, and record it, once.
		res, err := tx.ExecContext(ctx, `UPDATE screening_measures SET status = ?, ended_at = ? WHERE id = ? AND status = ?`,
			string(frontline.MeasureEnded), tx.now, m.ID, string(frontline.MeasureActive))
		if err != nil {
			return 0, err
		}
		if changed, err := res.RowsAffected(); err != nil || changed == 0 {
			continue
		}
		if err := tx.audit(ctx, "end", "screening_measure", m.ID, n.Path, nil, map[string]any{"person_id": m.PersonID}); err != nil {
			return 0, err
		}
		done = append(done, m)
	}
	if err := tx.endNotices(ctx, done); err != nil {
		return 0, err
	}
	return len(done), tx.Commit()
}
