package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// Follow-ups raise two kinds of alert: an abnormal reading (a fever, a
// symptom, a positive) at once, when it is recorded; an item overdue past
// its grace from the job (AlertOverdueFollowUps). Both are keyed by the
// item, and resolved when it is recorded or handled.

func followUpKey(id int64) string { return "followup:" + strconv.FormatInt(id, 10) }

// followUpAlert raises an alert of kind about follow-up item f at its
// household, pointing at the page where it is recorded and handled: the
// campaign's follow-ups, or the case's for the measure of a contact.
func (tx *Tx) followUpAlert(ctx context.Context, kind string, f *frontline.FollowUpItem, since time.Time) error {
	var caseID, campaignID int64
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(m.case_id, 0), COALESCE(m.campaign_id, 0), p.name FROM screening_measures m
		JOIN persons p ON p.id = m.person_id WHERE m.id = ?`, f.MeasureID).Scan(&caseID, &campaignID, &name); err != nil {
		return err
	}
	action := fmt.Sprintf("/screening/%d/follow-ups#fu-%d", campaignID, f.ID)
	if caseID > 0 {
		action = fmt.Sprintf("/cases/%d/follow-ups#fu-%d", caseID, f.ID)
	}
	// Data only: the page says what it is in the reader's language.
	detail := maskName(name) + " · " + f.DueAt.In(tx.db.Location).Format("01-02 15:04")
	switch {
	case f.Result != "":
		detail = maskName(name)
	case f.Temperature > 0:
		detail = maskName(name) + " · " + strconv.FormatFloat(f.Temperature, 'f', 1, 64) + "℃"
		if f.Symptoms != "" {
			detail += " · " + f.Symptoms
		}
	}
	return tx.raiseAlert(ctx, &frontline.Alert{Kind: kind, PlaceID: f.HouseholdID, Subject: "followup", SubjectID: f.ID,
		Key: followUpKey(f.ID), Detail: truncateRunes(detail, 200), Action: action, Since: since})
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// AlertOverdueFollowUps raises an alert for each follow-up item of an
// active measure overdue past its grace and not yet alerted, as the
// system (a job), up to 500 a turn; it returns how many it raised. Several
// servers may run it at once: the alert's key makes a second raise a
// repeat, and the query skips items already alerted.
func (s *FollowUpService) AlertOverdueFollowUps(ctx context.Context) (int, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+followUpColumns+` FROM screening_followups f
		JOIN screening_measures m ON m.id = f.measure_id JOIN persons p ON p.id = f.person_id
		WHERE m.status = ? AND f.done_at IS NULL AND f.handled_at IS NULL AND f.due_at < ?
		AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.subject = 'followup' AND a.subject_id = f.id)
		ORDER BY f.due_at, f.id LIMIT 500`, string(frontline.MeasureActive), tx.now.Add(-s.Settings.Grace))
	if err != nil {
		return 0, err
	}
	var items []*frontline.FollowUpItem
	for rows.Next() {
		f, _, err := scanFollowUp(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		items = append(items, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, f := range items {
		if err := tx.followUpAlert(ctx, frontline.AlertFollowUpOverdue, f, f.DueAt.Add(s.Settings.Grace)); err != nil {
			return 0, err
		}
	}
	return len(items), tx.Commit()
}
