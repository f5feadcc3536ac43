package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.TransferService = (*TransferService)(nil)

// TransferService runs the transfers of cases and their contacts.
type TransferService struct {
	db       *DB
	Settings CaseSettings
}

// NewTransferService returns a TransferService with the default settings.
func NewTransferService(db *DB) *TransferService {
	return &TransferService{db: db, Settings: DefaultCaseSettings()}
}

const transferColumns = `t.id, t.case_id, t.person_id, t.household_id, COALESCE(t.measure_id, 0), t.facility, t.vehicle, t.crew,
	t.status, t.due_at, t.requested_at, t.requested_by, t.assigned_at, t.assigned_by, t.picked_up_at, t.picked_up_by,
	t.arrived_at, t.arrived_by, t.cancelled_at, t.cancelled_by, t.note, p.name, t.path`

func scanTransfer(sc interface{ Scan(...any) error }) (*frontline.Transfer, string, error) {
	var t frontline.Transfer
	var path string
	err := sc.Scan(&t.ID, &t.CaseID, &t.PersonID, &t.HouseholdID, &t.MeasureID, &t.Facility, &t.Vehicle, &t.Crew,
		&t.Status, nullTimeDest{&t.DueAt}, &t.RequestedAt, &t.RequestedBy, nullTimeDest{&t.AssignedAt}, &t.AssignedBy,
		nullTimeDest{&t.PickedUpAt}, &t.PickedUpBy, nullTimeDest{&t.ArrivedAt}, &t.ArrivedBy, nullTimeDest{&t.CancelledAt},
		&t.CancelledBy, &t.Note, &t.PersonName, &path)
	t.RequestedAt = t.RequestedAt.UTC()
	return &t, path, err
}

// queryTransfers returns the transfers matching where (on t, the
// transfer, and p, its person), with addresses, names masked outside the
// caller's scope.
func (tx *Tx) queryTransfers(ctx context.Context, where string, args ...any) ([]*frontline.Transfer, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+transferColumns+` FROM transfers t JOIN persons p ON p.id = t.person_id WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, paths := []*frontline.Transfer{}, []string{}
	for rows.Next() {
		t, path, err := scanTransfer(rows)
		if err != nil {
			return nil, err
		}
		if !visible(ctx, path) {
			t.PersonName = maskName(t.PersonName)
		}
		out, paths = append(out, t), append(paths, path)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	addrs, err := tx.addressesOf(ctx, paths)
	if err != nil {
		return nil, err
	}
	for i, t := range out {
		t.Address = addrs[i]
	}
	return out, nil
}

// requestTransfer asks for a transfer of a person of case c to facility.
// A person with a transfer under way gets no second one (ECONFLICT).
func (tx *Tx) requestTransfer(ctx context.Context, c *frontline.Case, person, household int64, path string, measure int64,
	facility string, s frontline.TransferSettings) (*frontline.Transfer, error) {
	facility = strings.TrimSpace(facility)
	if facility == "" || len([]rune(facility)) > 100 {
		return nil, frontline.FieldError("facility", "name the facility (at most 100 characters)")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM transfers WHERE person_id = ? AND status IN ('requested', 'assigned', 'picked_up')`,
		person).Scan(&n); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "person %d already has a transfer under way", person)
	}
	actor := frontline.ActorFrom(ctx).String()
	t := &frontline.Transfer{CaseID: c.ID, PersonID: person, HouseholdID: household, MeasureID: measure, Facility: facility,
		Status: frontline.TransferRequested, RequestedAt: tx.now, RequestedBy: actor, DueAt: s.DueAfter(frontline.TransferRequested, tx.now)}
	if err := tx.QueryRowContext(ctx, `INSERT INTO transfers (case_id, person_id, household_id, path, measure_id, facility, status,
		due_at, requested_at, requested_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.CaseID, t.PersonID, t.HouseholdID, path, nullID(measure), t.Facility, string(t.Status), t.DueAt, tx.now, actor).Scan(&t.ID); err != nil {
		return nil, tx.db.translate(err)
	}
	return t, tx.audit(ctx, "request", "transfer", t.ID, path, nil, map[string]any{"case_id": c.ID, "person_id": person, "facility": facility})
}

// RequestTransfer asks for a transfer of a case's person (personID 0) or
// of one of its contacts.
func (s *TransferService) RequestTransfer(ctx context.Context, caseID, personID int64, facility string) (*frontline.Transfer, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCases)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, path, err := tx.findCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	household, measure := c.HouseholdID, int64(0)
	if personID == 0 || personID == c.PersonID {
		personID = c.PersonID
		if facility == "" {
			facility = s.Settings.Transfers.CaseFacility
		}
	} else {
		err := tx.QueryRowContext(ctx, `SELECT household_id, path, COALESCE(measure_id, 0) FROM case_contacts WHERE case_id = ? AND person_id = ?`,
			caseID, personID).Scan(&household, &path, &measure)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, frontline.FieldError("person_id", "person %d is not a contact of case %d", personID, caseID)
		} else if err != nil {
			return nil, err
		}
		if facility == "" {
			facility = s.Settings.Transfers.ContactFacility
		}
	}
	t, err := tx.requestTransfer(ctx, c, personID, household, path, measure, facility, s.Settings.Transfers)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.findTransfer(ctx, t.ID)
}

// StepTransfer moves a transfer on by one step, timed and signed, or
// cancels it. The update is conditional on the step read, so two crews
// pressing the same button record it once: the second is ECONFLICT. The
// arrival of a case's own transfer marks the case transferred.
func (s *TransferService) StepTransfer(ctx context.Context, id int64, st frontline.TransferStep) (*frontline.Transfer, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCases)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, path, err := tx.visibleTransfer(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := st.Validate(t.Status); err != nil {
		return nil, err
	}
	actor := frontline.ActorFrom(ctx).String()
	due := s.Settings.Transfers.DueAfter(st.To, tx.now)
	var set string
	args := []any{string(st.To), optionalTime(due)}
	switch st.To {
	case frontline.TransferAssigned:
		set = `assigned_at = ?, assigned_by = ?, vehicle = ?, crew = ?`
		args = append(args, tx.now, actor, st.Vehicle, st.Crew)
		if st.Facility != "" {
			set += `, facility = ?`
			args = append(args, st.Facility)
		}
	case frontline.TransferPickedUp:
		set, args = `picked_up_at = ?, picked_up_by = ?`, append(args, tx.now, actor)
	case frontline.TransferArrived:
		set, args = `arrived_at = ?, arrived_by = ?`, append(args, tx.now, actor)
	case frontline.TransferCancelled:
		set, args = `cancelled_at = ?, cancelled_by = ?`, append(args, tx.now, actor)
	}
	if st.Note != "" {
		set += `, note = ?`
		args = append(args, st.Note)
	}
	res, err := tx.ExecContext(ctx, `UPDATE transfers SET status = ?, due_at = ?, `+set+` WHERE id = ? AND status = ?`,
		append(args, id, string(t.Status))...)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "the transfer was moved on by someone else; reload the page")
	}
	if st.To == frontline.TransferArrived && t.MeasureID == 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ? WHERE id = ? AND status = ?`,
			string(frontline.CaseTransferred), t.CaseID, string(frontline.CaseOpen)); err != nil {
			return nil, err
		}
	}
	// A late step is late no more once done.
	if err := tx.resolveAlerts(ctx, frontline.AlertTransferOverdue, transferKey(t.ID, t.Status)); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "step", "transfer", id, path, map[string]any{"status": t.Status},
		map[string]any{"status": st.To, "vehicle": st.Vehicle, "crew": st.Crew, "facility": st.Facility, "note": st.Note}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.findTransfer(ctx, id)
}

func transferKey(id int64, status frontline.TransferStatus) string {
	return "transfer:" + strconv.FormatInt(id, 10) + ":" + string(status)
}

// visibleTransfer returns a transfer in the caller's scope, with its path.
func (tx *Tx) visibleTransfer(ctx context.Context, id int64) (*frontline.Transfer, string, error) {
	t, path, err := scanTransfer(tx.QueryRowContext(ctx, `SELECT `+transferColumns+` FROM transfers t JOIN persons p ON p.id = t.person_id
		WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "transfer %d not found", id)
	}
	return t, path, err
}

func (s *TransferService) findTransfer(ctx context.Context, id int64) (*frontline.Transfer, error) {
	ts, _, err := s.FindTransfers(ctx, frontline.TransferFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "transfer %d not found", id)
	}
	return ts[0], nil
}

// FindTransfers returns matching transfers in the caller's scope: those
// under way first, by when their next step is due, then the newest.
func (s *TransferService) FindTransfers(ctx context.Context, f frontline.TransferFilter) ([]*frontline.Transfer, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "t.id = ?"), append(args, *f.ID)
	}
	if f.CaseID != nil {
		where, args = append(where, "t.case_id = ?"), append(args, *f.CaseID)
	}
	if where, args, err = tx.andUnder(ctx, f.Under, "t.path", where, args); err != nil {
		return nil, 0, err
	}
	if f.UnderWay {
		where = append(where, "t.status IN ('requested', 'assigned', 'picked_up')")
	}
	where, args = andScope(ctx, "t.path", where, args)
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM transfers t WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	list, err := tx.queryTransfers(ctx, cond+` ORDER BY CASE WHEN t.status IN ('requested', 'assigned', 'picked_up') THEN 0 ELSE 1 END,
		t.due_at, t.id DESC`+limitClause(f.Offset, f.Limit), args...)
	return list, total, err
}

// AlertOverdueTransfers raises an alert for each transfer whose next step
// is overdue, keyed by the transfer and its step, so the job may run as
// often as it likes (and on several servers): a step is alerted once.
func (s *TransferService) AlertOverdueTransfers(ctx context.Context) (int, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	// A step alerted once is not alerted again while it stays late.
	list, err := tx.queryTransfers(ctx, `t.status IN ('requested', 'assigned', 'picked_up') AND t.due_at < ?
		AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.kind = ? AND a.subject = 'transfer' AND a.subject_id = t.id
			AND a.dedup_key = 'transfer:' || t.id || ':' || t.status)
		ORDER BY t.due_at, t.id`, tx.now, frontline.AlertTransferOverdue)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range list {
		a := &frontline.Alert{Kind: frontline.AlertTransferOverdue, PlaceID: t.HouseholdID, Subject: "transfer", SubjectID: t.ID,
			Key: transferKey(t.ID, t.Status), Detail: maskName(t.PersonName) + " · " + frontline.TransferStatusLabels[t.Status] + " · " + t.Facility,
			Action: casePath(t.CaseID) + "#transfer-" + strconv.FormatInt(t.ID, 10), Since: t.DueAt}
		if err := tx.raiseAlert(ctx, a); err != nil {
			return 0, err
		}
		if a.Repeats == 0 {
			n++
		}
	}
	return n, tx.Commit()
}
