package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

// The steps of a medicine request after it is made: the pharmacy fills
// it, asks for a doctor's consultation or refuses it; it is marked paid;
// a named worker delivers it; staff cancel one not yet filled. Each step
// reads the request within the caller's reach, checks that the caller's
// role may take the step and that the request stands where the step
// starts, and is audited.

// pharmacyStep: the pharmacy's own users (within reach, their pharmacy's
// requests only) and the office.
func pharmacyStep(p *frontline.Principal) error {
	if p == nil || p.Can(frontline.PermFillMedicines) || p.Can(frontline.PermManageSupply) {
		return nil
	}
	return forbidden(p, frontline.PermFillMedicines)
}

// staffStep: staff who ask on households' behalf, and the office.
func staffStep(p *frontline.Principal) error {
	if p == nil || p.Can(frontline.PermPlaceOrders) || p.Can(frontline.PermManageSupply) {
		return nil
	}
	return forbidden(p, frontline.PermPlaceOrders)
}

// anyStep: whoever may see the request.
func anyStep(*frontline.Principal) error { return nil }

// medicineTx begins a write on one request the caller may see and take
// the step on.
func (s *MedicineService) medicineTx(ctx context.Context, id int64, may func(*frontline.Principal) error) (*Tx, *frontline.MedicineRequest, string, error) {
	if err := medicineReader(ctx); err != nil {
		return nil, nil, "", err
	}
	if err := may(frontline.PrincipalFrom(ctx)); err != nil {
		return nil, nil, "", err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	m, path, err := tx.findMedicine(ctx, id)
	if err != nil {
		tx.Rollback()
		return nil, nil, "", err
	}
	return tx, m, path, nil
}

// medicineStep runs one step on a request: check where it stands, change
// it, commit.
func (s *MedicineService) medicineStep(ctx context.Context, id int64, may func(*frontline.Principal) error,
	step func(tx *Tx, m *frontline.MedicineRequest, path string) error) (*frontline.MedicineRequest, error) {
	tx, m, path, err := s.medicineTx(ctx, id, may)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if err := step(tx, m, path); err != nil {
		return nil, err
	}
	return m, tx.Commit()
}

// notFillable refuses a step of the pharmacy on a request past it.
func notFillable(m *frontline.MedicineRequest) error {
	return frontline.Errorf(frontline.ECONFLICT, "request %d is %s already", m.ID, m.Status)
}

// setMedicine writes the columns of sets (with updated_at) and audits the
// step with the values before and after.
func (tx *Tx) setMedicine(ctx context.Context, m *frontline.MedicineRequest, path, action string, cols []string, vals []any,
	before, after map[string]any) error {
	sets := make([]string, 0, len(cols)+1)
	for _, c := range cols {
		sets = append(sets, c+" = ?")
	}
	sets = append(sets, "updated_at = ?")
	args := append(append(vals, tx.now), m.ID)
	if _, err := tx.ExecContext(ctx, `UPDATE medicine_requests SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...); err != nil {
		return err
	}
	m.UpdatedAt = tx.now
	return tx.audit(ctx, action, "medicine_request", m.ID, path, before, after)
}

// FillMedicine records what the pharmacy gave for a request waiting for
// it (or for a consultation, which has taken place).
func (s *MedicineService) FillMedicine(ctx context.Context, id int64, f frontline.MedicineFill) (*frontline.MedicineRequest, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return s.medicineStep(ctx, id, pharmacyStep, func(tx *Tx, m *frontline.MedicineRequest, path string) error {
		if !m.Status.Fillable() {
			return notFillable(m)
		}
		before := map[string]any{"status": m.Status}
		m.Status, m.Given, m.Amount, m.Paid, m.FilledAt = frontline.MedicineFilled, f.Given, f.Amount, f.Paid, tx.now
		return tx.setMedicine(ctx, m, path, "fill", []string{"status", "given", "amount", "paid", "filled_at"},
			[]any{string(m.Status), m.Given, m.Amount, m.Paid, tx.now}, before,
			map[string]any{"status": m.Status, "given": m.Given, "amount": m.Amount, "paid": m.Paid})
	})
}

// AskConsultation puts a request on hold for a doctor's consultation.
func (s *MedicineService) AskConsultation(ctx context.Context, id int64, note string) (*frontline.MedicineRequest, error) {
	note = strings.TrimSpace(note)
	if err := frontline.CheckText("consult_note", note); err != nil {
		return nil, err
	}
	if note == "" || len([]rune(note)) > 300 {
		return nil, frontline.FieldError("consult_note", "say what the doctor is to see (at most 300 characters)")
	}
	return s.medicineStep(ctx, id, pharmacyStep, func(tx *Tx, m *frontline.MedicineRequest, path string) error {
		if !m.Status.Fillable() {
			return notFillable(m)
		}
		before := map[string]any{"status": m.Status, "consult_note": m.ConsultNote}
		m.Status, m.ConsultNote, m.ConsultAt = frontline.MedicineConsultation, note, tx.now
		return tx.setMedicine(ctx, m, path, "consultation", []string{"status", "consult_note", "consult_at"},
			[]any{string(m.Status), note, tx.now}, before, map[string]any{"status": m.Status, "consult_note": note})
	})
}

// RefuseMedicine refuses a request with a reason; a late chronic
// request's alert is resolved (the pharmacy has answered; what the
// household needs next is for staff to find on the list).
func (s *MedicineService) RefuseMedicine(ctx context.Context, id int64, reason string) (*frontline.MedicineRequest, error) {
	reason = strings.TrimSpace(reason)
	if err := frontline.CheckText("reason", reason); err != nil {
		return nil, err
	}
	if reason == "" || len([]rune(reason)) > 300 {
		return nil, frontline.FieldError("reason", "say why the request is refused (at most 300 characters)")
	}
	return s.medicineStep(ctx, id, pharmacyStep, func(tx *Tx, m *frontline.MedicineRequest, path string) error {
		if !m.Status.Fillable() {
			return notFillable(m)
		}
		before := map[string]any{"status": m.Status}
		m.Status, m.RefuseReason = frontline.MedicineRefused, reason
		if err := tx.setMedicine(ctx, m, path, "refuse", []string{"status", "refuse_reason"}, []any{string(m.Status), reason},
			before, map[string]any{"status": m.Status, "reason": reason}); err != nil {
			return err
		}
		return tx.resolveAlerts(ctx, frontline.AlertMedicineLate, medicineKey(m.ID))
	})
}

// SetMedicinePaid records whether a request was paid.
func (s *MedicineService) SetMedicinePaid(ctx context.Context, id int64, paid bool) (*frontline.MedicineRequest, error) {
	return s.medicineStep(ctx, id, anyStep, func(tx *Tx, m *frontline.MedicineRequest, path string) error {
		if m.Status == frontline.MedicineRefused || m.Status == frontline.MedicineCancelled {
			return frontline.Errorf(frontline.ECONFLICT, "request %d is %s", m.ID, m.Status)
		}
		if m.Paid == paid {
			return nil
		}
		before := map[string]any{"paid": m.Paid}
		m.Paid = paid
		return tx.setMedicine(ctx, m, path, "paid", []string{"paid"}, []any{paid}, before, map[string]any{"paid": paid})
	})
}

// CancelMedicine cancels a request the pharmacy has not filled yet.
func (s *MedicineService) CancelMedicine(ctx context.Context, id int64, reason string) (*frontline.MedicineRequest, error) {
	reason = strings.TrimSpace(reason)
	if err := frontline.CheckLine("reason", reason); err != nil {
		return nil, err
	}
	return s.medicineStep(ctx, id, staffStep, func(tx *Tx, m *frontline.MedicineRequest, path string) error {
		if !m.Status.Fillable() {
			return frontline.Errorf(frontline.ECONFLICT, "a request that is %s cannot be cancelled", m.Status)
		}
		before := map[string]any{"status": m.Status}
		m.Status = frontline.MedicineCancelled
		if err := tx.setMedicine(ctx, m, path, "cancel", []string{"status"}, []any{string(m.Status)}, before,
			map[string]any{"status": m.Status, "reason": reason}); err != nil {
			return err
		}
		return tx.resolveAlerts(ctx, frontline.AlertMedicineLate, medicineKey(m.ID))
	})
}

// DeliverMedicine records that a worker of the household's community
// delivered a filled request, now, and resolves its late alert; one out
// on a delivery run is ticked on the run.
func (s *MedicineService) DeliverMedicine(ctx context.Context, id, workerID int64) (*frontline.MedicineRequest, error) {
	return s.medicineStep(ctx, id, anyStep, func(tx *Tx, m *frontline.MedicineRequest, path string) error {
		if m.Status == frontline.MedicineOut {
			return frontline.Errorf(frontline.ECONFLICT, "request %d is out on delivery run %d; it is ticked there", m.ID, m.RunID)
		}
		if m.Status != frontline.MedicineFilled {
			return frontline.Errorf(frontline.ECONFLICT, "only a filled request can be delivered; request %d is %s", m.ID, m.Status)
		}
		w, err := tx.deliveryWorker(ctx, path, workerID)
		if err != nil {
			return err
		}
		before := map[string]any{"status": m.Status}
		m.Status, m.WorkerID, m.WorkerName, m.DeliveredAt = frontline.MedicineDelivered, w.ID, w.Name, tx.now
		if err := tx.setMedicine(ctx, m, path, "deliver", []string{"status", "worker_id", "worker_name", "delivered_at"},
			[]any{string(m.Status), w.ID, w.Name, tx.now}, before,
			map[string]any{"status": m.Status, "worker_id": w.ID, "worker": w.Name}); err != nil {
			return err
		}
		if err := tx.medicineNotices(ctx, m); err != nil {
			return err
		}
		return tx.resolveAlerts(ctx, frontline.AlertMedicineLate, medicineKey(m.ID))
	})
}

// communityPath is the path of the community a household lies in (its
// nearest ancestor of kind community or wider), the area whose workers
// deliver to it.
func (tx *Tx) communityPath(ctx context.Context, path string) (string, error) {
	names, err := tx.placeNamesOf(ctx, []string{path})
	if err != nil {
		return "", err
	}
	kinds := map[int64]frontline.PlaceKind{}
	for id, p := range names {
		kinds[id] = p.Kind
	}
	return frontline.AlertTier(path, kinds, frontline.KindCommunity), nil
}

// deliveryWorkersWhere selects the working workers of the community of
// the household at path: registered in it or under it, or above it (a
// cadre of the subdistrict sent down to it).
func (tx *Tx) deliveryWorkersWhere(ctx context.Context, path string) (string, []any, error) {
	comm, err := tx.communityPath(ctx, path)
	if err != nil {
		return "", nil, err
	}
	lo, hi := subtreeRange(comm)
	anc := frontline.AncestorPaths(comm)
	args := []any{lo, hi}
	for _, a := range anc {
		args = append(args, a)
	}
	return `NOT w.retired AND w.purged_at IS NULL AND ((pl.path >= ? AND pl.path < ?) OR pl.path IN ` + inList(len(anc)) + `)`, args, nil
}

// deliveryWorker returns a worker who may deliver to the household at
// path.
func (tx *Tx) deliveryWorker(ctx context.Context, path string, workerID int64) (*frontline.Worker, error) {
	cond, args, err := tx.deliveryWorkersWhere(ctx, path)
	if err != nil {
		return nil, err
	}
	w := &frontline.Worker{}
	err = tx.QueryRowContext(ctx, `SELECT w.id, w.name, w.kind, w.place_id FROM workers w JOIN places pl ON pl.id = w.place_id
		WHERE w.id = ? AND `+cond, append([]any{workerID}, args...)...).Scan(&w.ID, &w.Name, &w.Kind, &w.PlaceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.FieldError("worker_id", "choose a worker of the household's community")
	}
	return w, err
}

// MedicineWorkers lists the workers who may deliver a request, by name.
func (s *MedicineService) MedicineWorkers(ctx context.Context, id int64) ([]*frontline.Worker, error) {
	tx, err := s.db.readTxIf(ctx, medicineReader)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	_, path, err := tx.findMedicine(ctx, id)
	if err != nil {
		return nil, err
	}
	cond, args, err := tx.deliveryWorkersWhere(ctx, path)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT w.id, w.name, w.kind, w.place_id FROM workers w JOIN places pl ON pl.id = w.place_id
		WHERE `+cond+` ORDER BY w.name, w.id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Worker{}
	for rows.Next() {
		w := &frontline.Worker{}
		if err := rows.Scan(&w.ID, &w.Name, &w.Kind, &w.PlaceID); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}
