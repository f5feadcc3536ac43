package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.SelfReportService = (*FollowUpService)(nil)

// errLinkGone is the one answer to every link that does not work, so a
// guess cannot tell an unknown secret from a replaced or expired one.
var errLinkGone = frontline.Errorf(frontline.ENOTFOUND, "this link does not work (any more); ask your community for a new one")

// CreateSelfReportLink makes the resident's link of an active measure in
// the caller's scope, revoking any earlier link of the measure, and
// returns it with its secret; only the secret's hash is stored.
func (s *FollowUpService) CreateSelfReportLink(ctx context.Context, measureID int64) (*frontline.SelfReportLink, string, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	m, path, err := tx.measure(ctx, measureID)
	if err != nil {
		return nil, "", err
	}
	if !s.linkWorks(tx, m) {
		return nil, "", frontline.Errorf(frontline.ECONFLICT, "the measure is over; it needs no more reports")
	}
	secret, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	res, err := tx.ExecContext(ctx, `UPDATE screening_report_links SET revoked_at = ? WHERE measure_id = ? AND revoked_at IS NULL`, tx.now, m.ID)
	if err != nil {
		return nil, "", err
	}
	replaced, err := res.RowsAffected()
	if err != nil {
		return nil, "", err
	}
	l := &frontline.SelfReportLink{MeasureID: m.ID, CreatedAt: tx.now, CreatedBy: frontline.ActorFrom(ctx).String(), LastDay: m.EndDate}
	if err := tx.QueryRowContext(ctx, `INSERT INTO screening_report_links (measure_id, hash, path, created_at, created_by)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, m.ID, hashSecret(secret), path, tx.now, l.CreatedBy).Scan(&l.ID); err != nil {
		return nil, "", tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "screening_report_link", l.ID, path, nil, map[string]any{
		"measure_id": m.ID, "person_id": m.PersonID, "replaced": replaced}); err != nil {
		return nil, "", err
	}
	return l, secret, tx.Commit()
}

// linkWorks reports whether a measure still takes reports: active, and
// its last day not over.
func (s *FollowUpService) linkWorks(tx *Tx, m *frontline.Measure) bool {
	return m.Status == frontline.MeasureActive && s.Settings.LocalDay(tx.now) <= m.EndDate
}

// measure returns one measure inside the caller's scope, with its path.
func (tx *Tx) measure(ctx context.Context, id int64) (*frontline.Measure, string, error) {
	var path string
	err := tx.QueryRowContext(ctx, `SELECT path FROM screening_measures WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, path) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "measure %d not found", id)
	} else if err != nil {
		return nil, "", err
	}
	ms, err := tx.measures(ctx, `id = ?`, id)
	if err != nil {
		return nil, "", err
	}
	return ms[0], path, nil
}

// selfReportLink is a working link with its measure.
type selfReportLink struct {
	id      int64
	path    string
	measure *frontline.Measure
	initial string
}

// findLink resolves a secret to its working link. No principal is
// involved: the secret is the resident's only credential, and it reaches
// one measure and nothing else.
func (s *FollowUpService) findLink(ctx context.Context, tx *Tx, secret string) (*selfReportLink, error) {
	if len(secret) < 20 || len(secret) > 100 {
		return nil, errLinkGone
	}
	l := &selfReportLink{}
	var measureID int64
	err := tx.QueryRowContext(ctx, `SELECT id, measure_id, path FROM screening_report_links WHERE hash = ? AND revoked_at IS NULL`,
		hashSecret(secret)).Scan(&l.id, &measureID, &l.path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errLinkGone
	} else if err != nil {
		return nil, err
	}
	ms, err := tx.measures(ctx, `id = ?`, measureID)
	if err != nil {
		return nil, err
	}
	if l.measure = ms[0]; !s.linkWorks(tx, l.measure) {
		return nil, errLinkGone
	}
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT name FROM persons WHERE id = ?`, l.measure.PersonID).Scan(&name); err != nil {
		return nil, err
	}
	l.initial = frontline.Initial(name)
	return l, nil
}

// todaysReports returns the health reports of a measure due today, in
// the settings' zone, in due order.
func (s *FollowUpService) todaysReports(ctx context.Context, tx *Tx, m *frontline.Measure) ([]frontline.FollowUpItem, error) {
	day := s.Settings.LocalDay(tx.now)
	start, err := time.ParseInLocation(frontline.DateLayout, day, s.Settings.Location)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+followUpColumns+` FROM screening_followups f JOIN persons p ON p.id = f.person_id
		WHERE f.measure_id = ? AND f.kind = ? AND f.due_at >= ? AND f.due_at < ? ORDER BY f.due_at, f.id`,
		m.ID, string(frontline.FollowUpReport), start.UTC(), start.AddDate(0, 0, 1).UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []frontline.FollowUpItem
	for rows.Next() {
		f, _, err := scanFollowUp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *f)
	}
	return out, rows.Err()
}

// selfReportView builds what the resident's page shows from today's
// reports.
func (s *FollowUpService) selfReportView(tx *Tx, l *selfReportLink, items []frontline.FollowUpItem) *frontline.SelfReportView {
	m := l.measure
	v := &frontline.SelfReportView{Initial: l.initial, Type: m.Type, StartDate: m.StartDate, EndDate: m.EndDate,
		Day: frontline.DaysBetween(m.StartDate, s.Settings.LocalDay(tx.now)) + 1, Days: frontline.DaysBetween(m.StartDate, m.EndDate) + 1,
		Today: make([]frontline.SelfReportSlot, len(items))}
	open := frontline.SelfReportItem(items, tx.now, s.Settings)
	for i := range items {
		v.Today[i] = frontline.SelfReportSlot{DueAt: items[i].DueAt, Opens: items[i].DueAt.Add(-s.Settings.SelfReportLead),
			Done: items[i].Done(), Now: i == open}
	}
	v.Open = open >= 0
	return v
}

// SelfReport returns what the page of a working link shows.
func (s *FollowUpService) SelfReport(ctx context.Context, secret string) (*frontline.SelfReportView, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := s.findLink(ctx, tx, secret)
	if err != nil {
		return nil, err
	}
	items, err := s.todaysReports(ctx, tx, l.measure)
	if err != nil {
		return nil, err
	}
	return s.selfReportView(tx, l, items), nil
}

// RecordSelfReport enters a resident's reading into today's open health
// report. Each report takes one reading, so a link records at most as
// many readings a day as the measure asks for, however often it is used.
// The audit log names the link as the actor.
func (s *FollowUpService) RecordSelfReport(ctx context.Context, secret string, r frontline.HealthReport) (*frontline.SelfReportView, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	l, err := s.findLink(ctx, tx, secret)
	if err != nil {
		return nil, err
	}
	items, err := s.todaysReports(ctx, tx, l.measure)
	if err != nil {
		return nil, err
	}
	i := frontline.SelfReportItem(items, tx.now, s.Settings)
	if i < 0 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "no health report is open now")
	}
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: fmt.Sprintf("resident:link-%d", l.id), Addr: frontline.ActorFrom(ctx).Addr})
	r.Result = "" // a resident reports how they are, never a test result
	if err := tx.recordFollowUp(ctx, &items[i], l.path, r, s.Settings); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE screening_report_links SET last_used = ? WHERE id = ?`, tx.now, l.id); err != nil {
		return nil, err
	}
	v := s.selfReportView(tx, l, items)
	v.Recorded = &frontline.SelfReportSlot{DueAt: items[i].DueAt, Done: true}
	v.Abnormal = items[i].Abnormal
	return v, tx.Commit()
}
