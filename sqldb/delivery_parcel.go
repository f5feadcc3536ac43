package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frontline-org/frontline"
)

// Ticking a parcel: delivered (where the zone rules say, now), returned to
// the gate with a reason, or put back out when ticked by mistake. Each
// moves the parcel's order or medicine request with it, in the same
// transaction. A door's parcels (a household's order and its medicine)
// are ticked together with one tap.

// parcelTx begins a write on one parcel of a run in the caller's scope.
func (s *DeliveryService) parcelTx(ctx context.Context, id int64) (*Tx, *frontline.Parcel, *frontline.Run, string, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermDeliver)
	if err != nil {
		return nil, nil, nil, "", err
	}
	var runID int64
	err = tx.QueryRowContext(ctx, `SELECT run_id FROM delivery_parcels WHERE id = ?`, id).Scan(&runID)
	if errors.Is(err, sql.ErrNoRows) {
		err = frontline.Errorf(frontline.ENOTFOUND, "parcel %d not found", id)
	}
	var r *frontline.Run
	var path string
	if err == nil {
		r, path, err = tx.findRun(ctx, runID)
	}
	if err != nil {
		tx.Rollback()
		return nil, nil, nil, "", err
	}
	for _, q := range r.Parcels {
		if q.ID == id {
			return tx, q, r, path, nil
		}
	}
	tx.Rollback()
	return nil, nil, nil, "", frontline.Errorf(frontline.ENOTFOUND, "parcel %d not found", id)
}

// carrier is the worker who carried a parcel: the one signed in, or
// else the run's.
func (tx *Tx) carrier(ctx context.Context, r *frontline.Run) (int64, error) {
	if p := frontline.PrincipalFrom(ctx); p != nil {
		w, err := tx.workerOfUser(ctx, p.UserID)
		if err == nil {
			return w.ID, nil
		} else if frontline.ErrorCode(err) != frontline.ENOTFOUND {
			return 0, err
		}
	}
	return r.WorkerID, nil
}

// Deliver implements frontline.DeliveryService.
func (s *DeliveryService) Deliver(ctx context.Context, id int64) (*frontline.Parcel, error) {
	tx, p, r, path, err := s.parcelTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	switch {
	case p.Status == frontline.ParcelDelivered:
		return p, nil // a retry: it was ticked already
	case p.Status == frontline.ParcelReturned:
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s %s was returned to the gate; put it back out first", p.Building, p.Door)
	case r.Status == frontline.RunClosed:
		return nil, frontline.Errorf(frontline.ECONFLICT, "the run is closed")
	}
	worker, err := tx.carrier(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := tx.deliverParcel(ctx, r, p, path, worker); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// DeliverDoor implements frontline.DeliveryService.
func (s *DeliveryService) DeliverDoor(ctx context.Context, id int64) ([]*frontline.Parcel, error) {
	tx, p, r, path, err := s.parcelTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	door := doorOf(r, p)
	out := door.Out()
	switch {
	case len(out) == 0 && p.Status == frontline.ParcelDelivered:
		return door.Parcels, nil // a retry: the door was ticked already
	case len(out) == 0:
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s %s was returned to the gate; put it back out first", p.Building, p.Door)
	case r.Status == frontline.RunClosed:
		return nil, frontline.Errorf(frontline.ECONFLICT, "the run is closed")
	}
	worker, err := tx.carrier(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, q := range out {
		if err := tx.deliverParcel(ctx, r, q, path, worker); err != nil {
			return nil, err
		}
	}
	return door.Parcels, tx.Commit()
}

// doorOf is the door of a run's parcel: its household's parcels.
func doorOf(r *frontline.Run, p *frontline.Parcel) *frontline.Door {
	for _, d := range frontline.DoorsOf(r.Parcels) {
		if d.HouseholdID == p.HouseholdID {
			return d
		}
	}
	return &frontline.Door{HouseholdID: p.HouseholdID, Parcels: []*frontline.Parcel{p}}
}

// deliverParcel ticks an out parcel delivered where p.Drop says (the zone
// rules now: runParcels asked) and moves its order or medicine request.
func (tx *Tx) deliverParcel(ctx context.Context, r *frontline.Run, p *frontline.Parcel, path string, worker int64) error {
	p.Status, p.At, p.By, p.WorkerID = frontline.ParcelDelivered, tx.now, frontline.ActorFrom(ctx).String(), worker
	if err := tx.writeParcel(ctx, p, path, frontline.ParcelOut); err != nil {
		return err
	}
	if p.MedicineID != 0 {
		return tx.medicineDelivered(ctx, r, p)
	}
	o, _, err := tx.findOrder(frontline.AsSystem(ctx), p.OrderID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET delivered_at = ?, drop_at = ? WHERE id = ?`, tx.now, string(p.Drop), o.ID); err != nil {
		return err
	}
	if err := tx.setOrderStatus(ctx, o, path, frontline.OrderDelivered, map[string]any{"run_id": r.ID, "drop": p.Drop}); err != nil {
		return err
	}
	return tx.deliveryNotices(ctx, []*frontline.Order{o}, func(*frontline.Order) frontline.Drop { return p.Drop })
}

// runMedicine reads the medicine request a parcel carries, which must
// stand where the parcel's step starts.
func (tx *Tx) runMedicine(ctx context.Context, p *frontline.Parcel, want frontline.MedicineStatus) (*frontline.MedicineRequest, string, error) {
	m, path, err := tx.findMedicine(frontline.AsSystem(ctx), p.MedicineID)
	if err != nil {
		return nil, "", err
	}
	if m.Status != want {
		return nil, "", frontline.Errorf(frontline.ECONFLICT, "the medicine of %s %s is %s, not %s", p.Building, p.Door, m.Status, want)
	}
	return m, path, nil
}

// medicineDelivered records that a run delivered a medicine request: by
// its carrier, at the parcel's time, which is what its 24-hour target is
// measured against; its late alert is resolved.
func (tx *Tx) medicineDelivered(ctx context.Context, r *frontline.Run, p *frontline.Parcel) error {
	m, path, err := tx.runMedicine(ctx, p, frontline.MedicineOut)
	if err != nil {
		return err
	}
	names, err := tx.workerNames(ctx, []int64{p.WorkerID})
	if err != nil {
		return err
	}
	before := map[string]any{"status": m.Status}
	m.Status, m.WorkerID, m.WorkerName, m.DeliveredAt = frontline.MedicineDelivered, p.WorkerID, names[p.WorkerID], p.At
	if err := tx.setMedicine(ctx, m, path, "deliver", []string{"status", "worker_id", "worker_name", "delivered_at"},
		[]any{string(m.Status), nullID(p.WorkerID), m.WorkerName, p.At}, before,
		map[string]any{"status": m.Status, "run_id": r.ID, "worker_id": p.WorkerID, "drop": p.Drop}); err != nil {
		return err
	}
	if err := tx.medicineNotices(ctx, m); err != nil {
		return err
	}
	return tx.resolveAlerts(ctx, frontline.AlertMedicineLate, medicineKey(m.ID))
}

// Return implements frontline.DeliveryService.
func (s *DeliveryService) Return(ctx context.Context, id int64, reason, note string) (*frontline.Parcel, error) {
	note, err := frontline.CheckReturn(reason, note)
	if err != nil {
		return nil, err
	}
	tx, p, r, path, err := s.parcelTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	switch {
	case p.Status == frontline.ParcelReturned && p.Reason == reason:
		return p, nil // a retry
	case p.Status != frontline.ParcelOut:
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s %s has a final status already; put it back out first", p.Building, p.Door)
	case r.Status == frontline.RunClosed:
		return nil, frontline.Errorf(frontline.ECONFLICT, "the run is closed")
	}
	worker, err := tx.carrier(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := tx.returnParcel(ctx, r, p, path, worker, reason, note); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// ReturnDoor implements frontline.DeliveryService.
func (s *DeliveryService) ReturnDoor(ctx context.Context, id int64, reason, note string) ([]*frontline.Parcel, error) {
	note, err := frontline.CheckReturn(reason, note)
	if err != nil {
		return nil, err
	}
	tx, p, r, path, err := s.parcelTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	door := doorOf(r, p)
	out := door.Out()
	switch {
	case len(out) == 0 && p.Status == frontline.ParcelReturned && p.Reason == reason:
		return door.Parcels, nil // a retry
	case len(out) == 0:
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s %s has a final status already; put it back out first", p.Building, p.Door)
	case r.Status == frontline.RunClosed:
		return nil, frontline.Errorf(frontline.ECONFLICT, "the run is closed")
	}
	worker, err := tx.carrier(ctx, r)
	if err != nil {
		return nil, err
	}
	for _, q := range out {
		if err := tx.returnParcel(ctx, r, q, path, worker, reason, note); err != nil {
			return nil, err
		}
	}
	return door.Parcels, tx.Commit()
}

// returnParcel sends an out parcel back to the gate: its order waits
// there returned, its medicine request filled again, with the reason.
func (tx *Tx) returnParcel(ctx context.Context, r *frontline.Run, p *frontline.Parcel, path string, worker int64, reason, note string) error {
	p.Status, p.At, p.By, p.WorkerID, p.Reason, p.Note, p.Drop = frontline.ParcelReturned, tx.now, frontline.ActorFrom(ctx).String(),
		worker, reason, note, ""
	if err := tx.writeParcel(ctx, p, path, frontline.ParcelOut); err != nil {
		return err
	}
	if p.MedicineID != 0 {
		m, mpath, err := tx.runMedicine(ctx, p, frontline.MedicineOut)
		if err != nil {
			return err
		}
		before := map[string]any{"status": m.Status}
		m.Status, m.ReturnReason = frontline.MedicineFilled, reason
		return tx.setMedicine(ctx, m, mpath, "return", []string{"status", "return_reason"}, []any{string(m.Status), reason}, before,
			map[string]any{"status": m.Status, "run_id": r.ID, "reason": reason})
	}
	o, _, err := tx.findOrder(frontline.AsSystem(ctx), p.OrderID)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET return_reason = ? WHERE id = ?`, reason, o.ID); err != nil {
		return err
	}
	return tx.setOrderStatus(ctx, o, path, frontline.OrderReturned, map[string]any{"run_id": r.ID, "reason": reason})
}

// Reopen implements frontline.DeliveryService: only the latest parcel of
// its order or medicine, on an open run, before the household confirmed
// an order.
func (s *DeliveryService) Reopen(ctx context.Context, id int64) (*frontline.Parcel, error) {
	tx, p, r, path, err := s.parcelTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if p.Status == frontline.ParcelOut {
		return p, nil
	}
	col, ref := "order_id", p.OrderID
	if p.MedicineID != 0 {
		col, ref = "medicine_id", p.MedicineID
	}
	var later int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delivery_parcels WHERE `+col+` = ? AND id > ?`, ref, p.ID).Scan(&later); err != nil {
		return nil, err
	}
	var o *frontline.Order
	if p.OrderID != 0 {
		if o, _, err = tx.findOrder(frontline.AsSystem(ctx), p.OrderID); err != nil {
			return nil, err
		}
	}
	if r.Status == frontline.RunClosed || later > 0 || o != nil && !o.ReceivedAt.IsZero() {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s %s can no longer be put back out", p.Building, p.Door)
	}
	was := p.Status
	p.Status, p.At, p.By, p.WorkerID, p.Reason, p.Note, p.Drop = frontline.ParcelOut, tx.now, frontline.ActorFrom(ctx).String(), 0, "", "", ""
	if err := tx.writeParcel(ctx, p, path, was); err != nil {
		return nil, err
	}
	if o == nil {
		if err := tx.medicineReopened(ctx, r, p, was); err != nil {
			return nil, err
		}
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET delivered_at = NULL, drop_at = '', return_reason = '' WHERE id = ?`, o.ID); err != nil {
			return nil, err
		}
		if err := tx.setOrderStatus(ctx, o, path, frontline.OrderOut, map[string]any{"run_id": r.ID, "reopened": true}); err != nil {
			return nil, err
		}
	}
	p.At, p.By = time.Time{}, ""
	return p, tx.Commit()
}

// medicineReopened puts a medicine request back out on its run after its
// parcel was ticked by mistake.
func (tx *Tx) medicineReopened(ctx context.Context, r *frontline.Run, p *frontline.Parcel, was frontline.ParcelStatus) error {
	want := frontline.MedicineDelivered
	if was == frontline.ParcelReturned {
		want = frontline.MedicineFilled
	}
	m, path, err := tx.runMedicine(ctx, p, want)
	if err != nil {
		return err
	}
	before := map[string]any{"status": m.Status}
	m.Status, m.WorkerID, m.WorkerName, m.DeliveredAt, m.ReturnReason = frontline.MedicineOut, 0, "", time.Time{}, ""
	return tx.setMedicine(ctx, m, path, "reopen", []string{"status", "worker_id", "worker_name", "delivered_at", "return_reason"},
		[]any{string(m.Status), nil, "", nil, ""}, before, map[string]any{"status": m.Status, "run_id": r.ID, "reopened": true})
}

// writeParcel stores a parcel's new status if it still has status was
// (two volunteers tapping the same door: the second finds it changed),
// and audits it.
func (tx *Tx) writeParcel(ctx context.Context, p *frontline.Parcel, path string, was frontline.ParcelStatus) error {
	drop := string(p.Drop)
	if p.Status != frontline.ParcelDelivered {
		drop = ""
	}
	res, err := tx.ExecContext(ctx, `UPDATE delivery_parcels SET status = ?, drop_at = ?, at = ?, by_actor = ?, worker_id = ?, reason = ?, note = ?
		WHERE id = ? AND status = ?`, string(p.Status), drop, tx.now, p.By, nullID(p.WorkerID), p.Reason, p.Note, p.ID, string(was))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return frontline.Errorf(frontline.ECONFLICT, "%s %s was changed meanwhile; look again", p.Building, p.Door)
	}
	return tx.audit(ctx, string(p.Status), "delivery_parcel", p.ID, path, map[string]any{"status": was},
		map[string]any{"status": p.Status, "drop": drop, "reason": p.Reason, "note": p.Note, "worker_id": p.WorkerID, "order_id": p.OrderID,
			"medicine_id": p.MedicineID})
}

// deliveryNotices tells the households of orders by SMS where their
// order is: at the gate, or delivered to the door or the building front
// (drop says which; "" for the gate). Written only when this server sends
// SMS, in the transaction that moves the orders.
func (tx *Tx) deliveryNotices(ctx context.Context, orders []*frontline.Order, drop func(*frontline.Order) frontline.Drop) error {
	if !tx.smsOn() || len(orders) == 0 {
		return nil
	}
	var out []*frontline.Notice
	for _, o := range orders {
		d := drop(o)
		n := frontline.Notice{Topic: frontline.TopicDelivery, PlaceID: o.HouseholdID, Subject: o.PartnerName,
			Body: frontline.DeliveryNoticeText(o.PartnerName, d), Params: map[string]string{"partner": o.PartnerName, "stage": frontline.DeliveryStage(d)}}
		more, err := tx.toHouseholds(ctx, []int64{o.HouseholdID}, n)
		if err != nil {
			return err
		}
		out = append(out, more...)
	}
	return tx.enqueueNotices(ctx, out)
}
