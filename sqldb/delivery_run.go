package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// Making a run: the orders of the chosen buildings waiting at the
// compound's gate (handed over for the day, or returned before and to go
// out again) and the filled medicine of their households become the run's
// parcels and go out, in one transaction.

// CreateRun implements frontline.DeliveryService.
func (s *DeliveryService) CreateRun(ctx context.Context, req frontline.RunRequest) (*frontline.Run, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermDeliver)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if req.Key != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM delivery_runs WHERE place_id = ? AND run_key = ?`, req.PlaceID, req.Key).Scan(&id)
		if err == nil {
			r, _, err := tx.findRun(ctx, id)
			return r, err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	compound, err := tx.findPlaceByID(ctx, req.PlaceID)
	if err != nil {
		return nil, err
	}
	if compound.Kind != frontline.KindCompound {
		return nil, frontline.FieldError("place", "a run starts at a compound's gate; %s is not a compound", compound.Name)
	}
	buildings, err := tx.runBuildings(ctx, compound, req.Buildings)
	if err != nil {
		return nil, err
	}
	if err := tx.checkCarrier(ctx, compound, req); err != nil {
		return nil, err
	}
	orders, err := tx.ordersAtGate(ctx, buildings, req.Day)
	if err != nil {
		return nil, err
	}
	meds, err := tx.medicineAtGate(ctx, buildings)
	if err != nil {
		return nil, err
	}
	if len(orders)+len(meds) == 0 {
		return nil, frontline.FieldError("buildings", "no parcel waits at the gate for these buildings on %s", req.Day)
	}
	ids := make([]string, len(buildings))
	for i, b := range buildings {
		ids[i] = strconv.FormatInt(b.ID, 10)
	}
	by := frontline.ActorFrom(ctx).String()
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO delivery_runs (place_id, path, day, status, worker_id, post_id, buildings, run_key,
		created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, compound.ID, compound.Path, req.Day,
		string(frontline.RunOpen), nullID(req.WorkerID), nullID(req.PostID), strings.Join(ids, ","), req.Key, tx.now, by).Scan(&id); err != nil {
		return nil, tx.db.translate(err)
	}
	for _, o := range orders {
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_parcels (run_id, order_id, household_id, path, status) VALUES (?, ?, ?, ?, ?)`,
			id, o.order.ID, o.order.HouseholdID, o.path, string(frontline.ParcelOut)); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET return_reason = '' WHERE id = ?`, o.order.ID); err != nil {
			return nil, err
		}
		if err := tx.setOrderStatus(ctx, o.order, o.path, frontline.OrderOut, map[string]any{"run_id": id}); err != nil {
			return nil, err
		}
	}
	for _, m := range meds {
		if _, err := tx.ExecContext(ctx, `INSERT INTO delivery_parcels (run_id, medicine_id, household_id, path, status) VALUES (?, ?, ?, ?, ?)`,
			id, m.req.ID, m.req.HouseholdID, m.path, string(frontline.ParcelOut)); err != nil {
			return nil, err
		}
		before := map[string]any{"status": m.req.Status}
		m.req.Status = frontline.MedicineOut
		if err := tx.setMedicine(ctx, m.req, m.path, "out", []string{"status", "run_id", "return_reason"}, []any{string(m.req.Status), id, ""},
			before, map[string]any{"status": m.req.Status, "run_id": id}); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, "create", "delivery_run", id, compound.Path, nil, map[string]any{"day": req.Day, "buildings": ids,
		"worker_id": req.WorkerID, "post_id": req.PostID, "parcels": len(orders), "medicine": len(meds)}); err != nil {
		return nil, err
	}
	r, _, err := tx.findRun(ctx, id)
	if err != nil {
		return nil, err
	}
	return r, tx.Commit()
}

// runBuildings returns the buildings of a run, each once and under the
// compound.
func (tx *Tx) runBuildings(ctx context.Context, compound *frontline.Place, ids []int64) ([]*frontline.Place, error) {
	var out []*frontline.Place
	seen := map[int64]bool{}
	for i, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		b, err := tx.placeByID(ctx, id)
		if err != nil || b.Kind != frontline.KindBuilding || !strings.HasPrefix(b.Path, compound.Path) {
			return nil, frontline.AtItem(frontline.FieldError("buildings", "building %d is not a building of %s", id, compound.Name), i+1)
		}
		out = append(out, b)
	}
	return out, nil
}

// checkCarrier checks who carries a run: a worker who still works, or a
// delivery team, of the compound's community or a node above it (a
// subdistrict's cadres), or of the caller's scope.
func (tx *Tx) checkCarrier(ctx context.Context, compound *frontline.Place, req frontline.RunRequest) error {
	reaches := func(path string) bool { return strings.HasPrefix(compound.Path, path) || visible(ctx, path) }
	if req.WorkerID > 0 {
		ws, err := tx.queryWorkers(ctx, `w.id = ?`, req.WorkerID)
		if err != nil {
			return err
		}
		if len(ws) == 0 || !reaches(ws[0].Place.Path) {
			return frontline.FieldError("worker", "worker %d not found", req.WorkerID)
		}
		if ws[0].Retired {
			return frontline.FieldError("worker", "%s no longer works", ws[0].Name)
		}
		return nil
	}
	ps, err := tx.queryPosts(ctx, `o.id = ?`, req.PostID)
	if err != nil {
		return err
	}
	if len(ps) == 0 || !reaches(ps[0].Place.Path) {
		return frontline.FieldError("post", "team %d not found", req.PostID)
	}
	if ps[0].Kind != frontline.PostDelivery || ps[0].Retired {
		return frontline.FieldError("post", "%s is not a delivery team", ps[0].Name)
	}
	return nil
}

// gateOrder is an order waiting at the gate and its household's path.
type gateOrder struct {
	order *frontline.Order
	path  string
}

// ordersAtGate returns the orders waiting at the gate for the buildings:
// handed over for the day, or returned on an earlier run (of the day or
// before) and to go out again.
func (tx *Tx) ordersAtGate(ctx context.Context, buildings []*frontline.Place, day string) ([]gateOrder, error) {
	var under []string
	args := []any{string(frontline.OrderAtGate), string(frontline.OrderReturned), day}
	for _, b := range buildings {
		lo, hi := subtreeRange(b.Path)
		under, args = append(under, `(path >= ? AND path < ?)`), append(args, lo, hi)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, household_id, status, path FROM supply_orders
		WHERE status IN (?, ?) AND delivery_day <= ? AND (`+strings.Join(under, " OR ")+`) ORDER BY path, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gateOrder
	for rows.Next() {
		var o frontline.Order
		var path string
		if err := rows.Scan(&o.ID, &o.HouseholdID, &o.Status, &path); err != nil {
			return nil, err
		}
		out = append(out, gateOrder{&o, path})
	}
	return out, rows.Err()
}

// gateMedicine is a filled medicine request waiting at the gate and its
// household's path.
type gateMedicine struct {
	req  *frontline.MedicineRequest
	path string
}

// medicineAtGate returns the filled medicine requests of the buildings'
// households (filled and not yet out, or returned from an earlier run):
// a pharmacy's medicine goes out with the households' other parcels.
func (tx *Tx) medicineAtGate(ctx context.Context, buildings []*frontline.Place) ([]gateMedicine, error) {
	var under []string
	args := []any{string(frontline.MedicineFilled)}
	for _, b := range buildings {
		lo, hi := subtreeRange(b.Path)
		under, args = append(under, `(path >= ? AND path < ?)`), append(args, lo, hi)
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, household_id, status, path FROM medicine_requests
		WHERE status = ? AND purged_at IS NULL AND (`+strings.Join(under, " OR ")+`) ORDER BY path, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gateMedicine
	for rows.Next() {
		var m frontline.MedicineRequest
		var path string
		if err := rows.Scan(&m.ID, &m.HouseholdID, &m.Status, &path); err != nil {
			return nil, err
		}
		out = append(out, gateMedicine{&m, path})
	}
	return out, rows.Err()
}

// CloseRun implements frontline.DeliveryService.
func (s *DeliveryService) CloseRun(ctx context.Context, id int64) (*frontline.Run, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermDeliver)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, path, err := tx.findRun(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := frontline.CanClose(r); err != nil {
		return nil, err
	}
	by := frontline.ActorFrom(ctx).String()
	res, err := tx.ExecContext(ctx, `UPDATE delivery_runs SET status = ?, closed_at = ?, closed_by = ? WHERE id = ? AND status = ?`,
		string(frontline.RunClosed), tx.now, by, r.ID, string(frontline.RunOpen))
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "the run is closed already")
	}
	if err := tx.audit(ctx, "close", "delivery_run", r.ID, path, map[string]any{"status": r.Status},
		map[string]any{"status": frontline.RunClosed, "delivered": r.Counts.Delivered, "returned": r.Counts.Returned}); err != nil {
		return nil, err
	}
	r.Status, r.ClosedAt, r.ClosedBy = frontline.RunClosed, tx.now, by
	return r, tx.Commit()
}
