package sqldb

import (
	"context"
	"fmt"
	"strconv"

	"github.com/frontline-org/frontline"
)

// Chronic medicine not delivered within its target alerts the household's
// community (kind medicine_late). Serve's alert job raises it every minute
// on every server: the query skips requests with an open alert and the
// alert's key makes a second raise a repeat, so two servers raise it once.
// Delivery (or a refusal, a cancellation) resolves it. A delivery undone
// (the parcel put back out on its run) makes the request late again, so
// an alert resolved before does not keep the job from raising a new one.

func medicineKey(id int64) string { return "medicine:" + strconv.FormatInt(id, 10) }

// AlertLateMedicine raises the alert of each chronic request past its
// target and not delivered, up to 500 a turn, and returns how many.
func (s *MedicineService) AlertLateMedicine(ctx context.Context) (int, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	ctx = frontline.AsSystem(ctx) // a job: every household, whoever runs it
	ms, _, err := tx.queryMedicine(ctx, []string{`m.due_at IS NOT NULL`, `m.delivered_at IS NULL`, `m.due_at < ?`,
		`m.status IN (?, ?, ?, ?)`, `NOT EXISTS (SELECT 1 FROM alerts a WHERE a.subject = 'medicine' AND a.subject_id = m.id AND a.resolved_at IS NULL)`},
		[]any{tx.timeArg(), string(frontline.MedicineRequested), string(frontline.MedicineConsultation), string(frontline.MedicineFilled),
			string(frontline.MedicineOut)}, ` ORDER BY m.due_at, m.id LIMIT 500`)
	if err != nil {
		return 0, err
	}
	for _, m := range ms {
		// Data only in the detail: the inbox says what it is in the
		// reader's language. No name: the address and the medicine.
		detail := fmt.Sprintf("%s · %s · %s %s", m.Address, m.PartnerName, m.Medicine, m.DueAt.In(s.db.Location).Format("01-02 15:04"))
		if err := tx.raiseAlert(ctx, &frontline.Alert{Kind: frontline.AlertMedicineLate, PlaceID: m.HouseholdID, Subject: "medicine",
			SubjectID: m.ID, Key: medicineKey(m.ID), Detail: truncateRunes(detail, 200),
			Action: "/medicine/" + strconv.FormatInt(m.ID, 10), Since: m.DueAt}); err != nil {
			return 0, err
		}
	}
	return len(ms), tx.Commit()
}
