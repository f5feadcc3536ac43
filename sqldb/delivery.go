package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.DeliveryService = (*DeliveryService)(nil)

// DeliveryService runs the last hundred metres: runs from a compound's
// gate, parcels delivered or returned, and what households say about
// them.
type DeliveryService struct{ db *DB }

// NewDeliveryService returns a DeliveryService on db.
func NewDeliveryService(db *DB) *DeliveryService { return &DeliveryService{db: db} }

const runSelect = `SELECT r.id, r.place_id, r.path, r.day, r.status, COALESCE(r.worker_id, 0), COALESCE(r.post_id, 0), r.buildings,
	r.created_at, r.created_by, r.closed_at, r.closed_by, pl.name, COALESCE(w.name, ''), COALESCE(po.name, '')
	FROM delivery_runs r JOIN places pl ON pl.id = r.place_id LEFT JOIN workers w ON w.id = r.worker_id
	LEFT JOIN posts po ON po.id = r.post_id`

func scanRun(sc interface{ Scan(...any) error }) (*frontline.Run, string, error) {
	var r frontline.Run
	var path, buildings string
	if err := sc.Scan(&r.ID, &r.PlaceID, &path, &r.Day, &r.Status, &r.WorkerID, &r.PostID, &buildings, &r.CreatedAt, &r.CreatedBy,
		nullTimeDest{&r.ClosedAt}, &r.ClosedBy, &r.PlaceName, &r.WorkerName, &r.PostName); err != nil {
		return nil, "", err
	}
	r.CreatedAt = r.CreatedAt.UTC()
	r.Buildings = []int64{}
	for _, f := range strings.Split(buildings, ",") {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			r.Buildings = append(r.Buildings, id)
		}
	}
	return &r, path, nil
}

// deliveryReader refuses a principal who may neither carry runs nor
// watch the gate.
func deliveryReader(ctx context.Context) error {
	p := frontline.PrincipalFrom(ctx)
	if p == nil || p.Can(frontline.PermDeliver) || p.Can(frontline.PermPlaceOrders) {
		return nil
	}
	return forbidden(p, frontline.PermDeliver)
}

// findRun returns a run of a compound in the caller's scope with its
// parcels, and its path.
func (tx *Tx) findRun(ctx context.Context, id int64) (*frontline.Run, string, error) {
	r, path, err := scanRun(tx.QueryRowContext(ctx, runSelect+` WHERE r.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, path) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "run %d not found", id)
	} else if err != nil {
		return nil, "", err
	}
	if r.Parcels, err = tx.runParcels(ctx, `p.run_id = ?`, r.ID); err != nil {
		return nil, "", err
	}
	r.Counts.Count(r.Parcels)
	return r, path, nil
}

// parcelSelect reads a parcel with its order's or its medicine's
// pharmacy, how many items (a medicine request is one) and a chronic
// medicine's target.
const parcelSelect = `SELECT p.id, p.run_id, COALESCE(p.order_id, 0), COALESCE(p.medicine_id, 0), p.household_id, p.path, p.status, p.drop_at,
	p.at, p.by_actor, COALESCE(p.worker_id, 0), p.reason, p.note, sp.name,
	CASE WHEN p.order_id IS NULL THEN 1 ELSE (SELECT COUNT(*) FROM supply_order_lines l WHERE l.order_id = p.order_id) END, m.due_at
	FROM delivery_parcels p LEFT JOIN supply_orders o ON o.id = p.order_id LEFT JOIN medicine_requests m ON m.id = p.medicine_id
	JOIN supply_partners sp ON sp.id = COALESCE(o.partner_id, m.partner_id)`

// runParcels reads parcels with their buildings and doors, the workers
// who carried them, and, for those still out, where they go now: the
// household's effective level and its residents' restrictions, asked of
// the two calls every workflow asks (an isolated household in an open
// zone takes its parcel at the door, not at the building front).
func (tx *Tx) runParcels(ctx context.Context, where string, args ...any) ([]*frontline.Parcel, error) {
	rows, err := tx.QueryContext(ctx, parcelSelect+` WHERE `+where+` ORDER BY p.path, p.id`, args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Parcel{}
	var paths []string
	for rows.Next() {
		var p frontline.Parcel
		var path string
		if err := rows.Scan(&p.ID, &p.RunID, &p.OrderID, &p.MedicineID, &p.HouseholdID, &path, &p.Status, &p.Drop, nullTimeDest{&p.At}, &p.By,
			&p.WorkerID, &p.Reason, &p.Note, &p.PartnerName, &p.Items, nullTimeDest{&p.DueAt}); err != nil {
			rows.Close()
			return nil, err
		}
		out, paths = append(out, &p), append(paths, path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := tx.parcelDoors(ctx, out, paths); err != nil {
		return nil, err
	}
	var open, workers []int64
	for _, p := range out {
		if p.Status == frontline.ParcelOut {
			open = append(open, p.HouseholdID)
		}
		if p.WorkerID != 0 {
			workers = append(workers, p.WorkerID)
		}
	}
	levels, err := tx.effectiveLevels(ctx, open)
	if err != nil {
		return nil, err
	}
	kept, err := tx.householdRestrictions(ctx, open, frontline.ActFront, nil)
	if err != nil {
		return nil, err
	}
	names, err := tx.workerNames(ctx, workers)
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		if p.Status == frontline.ParcelOut {
			p.Drop = frontline.DropFor(levels[p.HouseholdID], kept[p.HouseholdID])
		}
		p.WorkerName = names[p.WorkerID]
	}
	return out, nil
}

// parcelDoors names each parcel's building and its door (the unit and the
// household below the building).
func (tx *Tx) parcelDoors(ctx context.Context, ps []*frontline.Parcel, paths []string) error {
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return err
	}
	for i, p := range ps {
		var door []string
		for _, id := range frontline.PathIDs(paths[i]) {
			n := names[id]
			switch {
			case n == nil:
			case n.Kind == frontline.KindBuilding:
				p.Building, p.BuildingID = n.Name, n.ID
			case n.Kind.Rank() > frontline.KindBuilding.Rank():
				door = append(door, n.Name)
			}
		}
		p.Door = strings.Join(door, " ")
	}
	return nil
}

// FindRunByID implements frontline.DeliveryService.
func (s *DeliveryService) FindRunByID(ctx context.Context, id int64) (*frontline.Run, error) {
	return findByID(ctx, s.db, deliveryReader, (*Tx).findRun, id)
}

// FindRuns implements frontline.DeliveryService.
func (s *DeliveryService) FindRuns(ctx context.Context, f frontline.RunFilter) ([]*frontline.Run, error) {
	tx, err := s.db.readTxIf(ctx, deliveryReader)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args, err := tx.andUnder(ctx, f.Under, "r.path", nil, nil)
	if err != nil {
		return nil, err
	}
	where, args = andScope(ctx, "r.path", where, args)
	if f.Day != "" {
		where, args = append(where, `r.day = ?`), append(args, f.Day)
	}
	if f.Status != "" {
		where, args = append(where, `r.status = ?`), append(args, string(f.Status))
	}
	if f.Mine {
		cond, a, err := tx.myRuns(ctx, f.Day)
		if err != nil {
			return nil, err
		}
		where, args = append(where, cond), append(args, a...)
	}
	if len(where) == 0 {
		where = []string{"1 = 1"}
	}
	rows, err := tx.QueryContext(ctx, runSelect+` WHERE `+strings.Join(where, " AND ")+` ORDER BY r.day DESC, r.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Run{}
	byID := map[int64]*frontline.Run{}
	for rows.Next() {
		r, _, err := scanRun(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out, byID[r.ID] = append(out, r), r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.runCounts(ctx, byID)
}

// runCounts counts the parcels of runs by status, and the returned ones
// by reason.
func (tx *Tx) runCounts(ctx context.Context, runs map[int64]*frontline.Run) error {
	ids := slices.Sorted(func(yield func(int64) bool) {
		for id := range runs {
			if !yield(id) {
				return
			}
		}
	})
	// reason is '' but for returned parcels, so the groups stay few.
	return tx.eachRow(ctx, `SELECT run_id, status, reason, COUNT(*) FROM delivery_parcels WHERE run_id IN %s GROUP BY run_id, status, reason`, ids,
		func(sc interface{ Scan(...any) error }) error {
			var id int64
			var st, reason string
			var n int
			if err := sc.Scan(&id, &st, &reason, &n); err != nil {
				return err
			}
			runs[id].Counts.Add(frontline.ParcelStatus(st), reason, n)
			return nil
		})
}

// myRuns is the condition on delivery_runs r of the caller's runs:
// assigned to their worker, or to a delivery team they have a shift with
// on the day (today for ""). A caller without a worker has none.
func (tx *Tx) myRuns(ctx context.Context, day string) (string, []any, error) {
	p := frontline.PrincipalFrom(ctx)
	if p == nil {
		return "1 = 0", nil, nil
	}
	w, err := tx.workerOfUser(ctx, p.UserID)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return "1 = 0", nil, nil
	} else if err != nil {
		return "", nil, err
	}
	if day == "" {
		day = tx.now.In(tx.db.Location).Format(frontline.DateLayout)
	}
	from, err := time.ParseInLocation(frontline.DateLayout, day, tx.db.Location)
	if err != nil {
		return "", nil, frontline.FieldError("day", "not a date (YYYY-MM-DD)")
	}
	return `(r.worker_id = ? OR r.post_id IN (SELECT s.post_id FROM duty_assignments a JOIN duty_shifts s ON s.id = a.shift_id
		WHERE a.worker_id = ? AND a.starts_at < ? AND a.ends_at > ?))`, []any{w.ID, w.ID, from.AddDate(0, 0, 1).UTC(), from.UTC()}, nil
}
