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
// moves the parcel's order with it, in the same transaction.

// parcelTx begins a write on one parcel of a run in the caller's scope;
// the parcel carries its order.
func (s *DeliveryService) parcelTx(ctx context.Context, id int64) (*Tx, *frontline.Parcel, *frontline.Run, *frontline.Order, string, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermDeliver)
	if err != nil {
		return nil, nil, nil, nil, "", err
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
	var p *frontline.Parcel
	var o *frontline.Order
	if err == nil {
		for _, q := range r.Parcels {
			if q.ID == id {
				p = q
			}
		}
		o, _, err = tx.findOrder(frontline.AsSystem(ctx), p.OrderID)
	}
	if err != nil {
		tx.Rollback()
		return nil, nil, nil, nil, "", err
	}
	return tx, p, r, o, path, nil
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
	tx, p, r, o, path, err := s.parcelTx(ctx, id)
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
	// p.Drop is where the zone rules say now (runParcels asked).
	worker, err := tx.carrier(ctx, r)
	if err != nil {
		return nil, err
	}
	p.Status, p.At, p.By, p.WorkerID = frontline.ParcelDelivered, tx.now, frontline.ActorFrom(ctx).String(), worker
	if err := tx.writeParcel(ctx, p, path, frontline.ParcelOut); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET delivered_at = ?, drop_at = ? WHERE id = ?`, tx.now, string(p.Drop), o.ID); err != nil {
		return nil, err
	}
	if err := tx.setOrderStatus(ctx, o, path, frontline.OrderDelivered, map[string]any{"run_id": r.ID, "drop": p.Drop}); err != nil {
		return nil, err
	}
	if err := tx.deliveryNotices(ctx, []*frontline.Order{o}, func(*frontline.Order) frontline.Drop { return p.Drop }); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// Return implements frontline.DeliveryService.
func (s *DeliveryService) Return(ctx context.Context, id int64, reason, note string) (*frontline.Parcel, error) {
	note, err := frontline.CheckReturn(reason, note)
	if err != nil {
		return nil, err
	}
	tx, p, r, o, path, err := s.parcelTx(ctx, id)
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
	p.Status, p.At, p.By, p.WorkerID, p.Reason, p.Note, p.Drop = frontline.ParcelReturned, tx.now, frontline.ActorFrom(ctx).String(),
		worker, reason, note, ""
	if err := tx.writeParcel(ctx, p, path, frontline.ParcelOut); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET return_reason = ? WHERE id = ?`, reason, o.ID); err != nil {
		return nil, err
	}
	if err := tx.setOrderStatus(ctx, o, path, frontline.OrderReturned, map[string]any{"run_id": r.ID, "reason": reason}); err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

// Reopen implements frontline.DeliveryService: only the latest parcel of
// its order, on an open run, before the household confirmed it.
func (s *DeliveryService) Reopen(ctx context.Context, id int64) (*frontline.Parcel, error) {
	tx, p, r, o, path, err := s.parcelTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if p.Status == frontline.ParcelOut {
		return p, nil
	}
	var later int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM delivery_parcels WHERE order_id = ? AND id > ?`, o.ID, p.ID).Scan(&later); err != nil {
		return nil, err
	}
	if r.Status == frontline.RunClosed || later > 0 || !o.ReceivedAt.IsZero() {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s %s can no longer be put back out", p.Building, p.Door)
	}
	was := p.Status
	p.Status, p.At, p.By, p.WorkerID, p.Reason, p.Note, p.Drop = frontline.ParcelOut, tx.now, frontline.ActorFrom(ctx).String(), 0, "", "", ""
	if err := tx.writeParcel(ctx, p, path, was); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET delivered_at = NULL, drop_at = '', return_reason = '' WHERE id = ?`, o.ID); err != nil {
		return nil, err
	}
	if err := tx.setOrderStatus(ctx, o, path, frontline.OrderOut, map[string]any{"run_id": r.ID, "reopened": true}); err != nil {
		return nil, err
	}
	p.At, p.By = time.Time{}, ""
	return p, tx.Commit()
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
		map[string]any{"status": p.Status, "drop": drop, "reason": p.Reason, "note": p.Note, "worker_id": p.WorkerID, "order_id": p.OrderID})
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
