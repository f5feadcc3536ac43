package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.WorkerService = (*WorkerService)(nil)

// WorkerService stores the registry of workers.
type WorkerService struct{ db *DB }

// NewWorkerService returns a WorkerService on db.
func NewWorkerService(db *DB) *WorkerService { return &WorkerService{db: db} }

var workerSelect = `SELECT w.id, w.place_id, w.name, w.phone, w.kind, w.unit, w.skills, COALESCE(w.user_id, 0),
	COALESCE(u.login, ''), w.last_negative, w.note, w.retired, w.created_at, w.created_by, w.updated_at, ` + placeColumnsP + `
	FROM workers w JOIN places p ON p.id = w.place_id LEFT JOIN users u ON u.id = w.user_id`

// placeColumnsP are the columns of a place joined as p.
var placeColumnsP = placeColumnsOf("p")

func scanWorker(sc interface{ Scan(...any) error }) (*frontline.Worker, error) {
	var w frontline.Worker
	var p frontline.Place
	var skills string
	if err := sc.Scan(&w.ID, &w.PlaceID, &w.Name, &w.Phone, &w.Kind, &w.Unit, &skills, &w.UserID, &w.Login,
		nullTimeDest{&w.LastNegative}, &w.Note, &w.Retired, &w.CreatedAt, &w.CreatedBy, &w.UpdatedAt,
		&p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path, &p.Households, &p.Residents, &p.Vulnerable,
		&p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	w.Skills = splitList(skills)
	w.CreatedAt, w.UpdatedAt, w.Place = w.CreatedAt.UTC(), w.UpdatedAt.UTC(), &p
	return &w, nil
}

// queryWorkers reads matching workers with their days.
func (tx *Tx) queryWorkers(ctx context.Context, where string, args ...any) ([]*frontline.Worker, error) {
	rows, err := tx.QueryContext(ctx, workerSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Worker{}
	for rows.Next() {
		w, err := scanWorker(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.workerDays(ctx, out)
}

// workerDays fills the days of workers, a chunk of ids at a time.
func (tx *Tx) workerDays(ctx context.Context, ws []*frontline.Worker) error {
	byID := make(map[int64]*frontline.Worker, len(ws))
	ids := make([]int64, 0, len(ws))
	for _, w := range ws {
		w.Days, w.Off = []string{}, []string{}
		byID[w.ID] = w
		ids = append(ids, w.ID)
	}
	return tx.eachRow(ctx, `SELECT worker_id, day, off FROM worker_days WHERE worker_id IN %s ORDER BY worker_id, day`, ids,
		func(rows interface{ Scan(...any) error }) error {
			var id int64
			var day string
			var off bool
			if err := rows.Scan(&id, &day, &off); err != nil {
				return err
			}
			if w := byID[id]; off {
				w.Off = append(w.Off, day)
			} else {
				w.Days = append(w.Days, day)
			}
			return nil
		})
}

// findWorker returns a worker in the caller's scope; ENOTFOUND otherwise.
func (tx *Tx) findWorker(ctx context.Context, id int64) (*frontline.Worker, error) {
	ws, err := tx.queryWorkers(ctx, `w.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 || !visible(ctx, ws[0].Place.Path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "worker %d not found", id)
	}
	return ws[0], nil
}

// workerNames returns the names of workers by id, whatever the scope:
// what other workflows show of the people they draw from the registry.
func (tx *Tx) workerNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := tx.eachRow(ctx, `SELECT id, name FROM workers WHERE id IN %s`, slices.Compact(slices.Sorted(slices.Values(ids))),
		func(rows interface{ Scan(...any) error }) error {
			var id int64
			var name string
			err := rows.Scan(&id, &name)
			out[id] = name
			return err
		})
	return out, err
}

// lockWorker takes the worker's row lock on PostgreSQL, so two
// assignments of one worker are checked one after the other; SQLite's
// writer is one already.
func (tx *Tx) lockWorker(ctx context.Context, id int64) error {
	if tx.db.Engine != Postgres {
		return nil
	}
	var n int64
	return tx.QueryRowContext(ctx, `SELECT w.id FROM workers w WHERE w.id = ?`+tx.db.forUpdateOf("w"), id).Scan(&n)
}

func workerFields(w *frontline.Worker) map[string]any {
	return map[string]any{"place_id": w.PlaceID, "name": w.Name, "phone": frontline.MaskPhone(w.Phone), "kind": w.Kind,
		"unit": w.Unit, "skills": strings.Join(w.Skills, ","), "user_id": w.UserID, "days": strings.Join(w.Days, ","),
		"off": strings.Join(w.Off, ","), "last_negative": w.LastNegative, "note": w.Note, "retired": w.Retired}
}

// CreateWorker registers a worker under a node in the caller's scope.
func (s *WorkerService) CreateWorker(ctx context.Context, w *frontline.Worker) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.createWorker(ctx, w); err != nil {
		return err
	}
	return tx.Commit()
}

func (tx *Tx) createWorker(ctx context.Context, w *frontline.Worker) error {
	if err := w.Validate(); err != nil {
		return err
	}
	place, err := tx.findPlaceByID(ctx, w.PlaceID)
	if err != nil {
		return err
	}
	if place.Retired() {
		return retired(place)
	}
	if err := tx.checkAccount(ctx, w.UserID, 0); err != nil {
		return err
	}
	by := frontline.ActorFrom(ctx).String()
	w.Place, w.CreatedAt, w.UpdatedAt, w.CreatedBy = place, tx.now, tx.now, by
	if err := tx.QueryRowContext(ctx, `INSERT INTO workers (place_id, name, phone, kind, unit, skills, user_id, last_negative,
		note, retired, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		place.ID, w.Name, w.Phone, string(w.Kind), w.Unit, strings.Join(w.Skills, ","), nullID(w.UserID),
		tx.timeValue(w.LastNegative), w.Note, w.Retired, tx.now, by, tx.now).Scan(&w.ID); err != nil {
		return workerConflict(tx.db.translate(err), w)
	}
	if err := tx.writeWorkerDays(ctx, w); err != nil {
		return err
	}
	return tx.audit(ctx, "create", "worker", w.ID, place.Path, nil, workerFields(w))
}

// workerConflict names what a unique index refused. The account was
// checked in the same transaction, so it is the phone under the node (or,
// without a phone, the name within the unit), unless another transaction
// linked the account meanwhile.
func workerConflict(err error, w *frontline.Worker) error {
	if frontline.ErrorCode(err) != frontline.ECONFLICT {
		return err
	}
	if w.Phone == "" {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Message: w.Label() +
			" without a phone is registered here already; give a phone to tell two of one name apart", Err: err}
	}
	msg := "a worker with the phone " + frontline.MaskPhone(w.Phone) + " is registered here already"
	if w.UserID != 0 {
		msg += ", or the account is linked to another worker"
	}
	return &frontline.Error{Code: frontline.ECONFLICT, Field: "phone", Message: msg, Err: err}
}

// checkAccount refuses linking an account the caller cannot see, or one
// linked to another worker than self (0 for a new worker).
func (tx *Tx) checkAccount(ctx context.Context, userID, self int64) error {
	if userID == 0 {
		return nil
	}
	var scope string
	var linked int64
	err := tx.QueryRowContext(ctx, `SELECT p.path, COALESCE((SELECT w.id FROM workers w WHERE w.user_id = u.id), 0)
		FROM users u JOIN places p ON p.id = u.scope_id WHERE u.id = ?`, userID).Scan(&scope, &linked)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, scope) {
		return &frontline.Error{Code: frontline.ENOTFOUND, Field: "user_id", Message: "account not found"}
	} else if err != nil {
		return err
	}
	if linked != 0 && linked != self {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "user_id", Message: "the account is linked to another worker"}
	}
	return nil
}

// writeWorkerDays replaces a worker's days.
func (tx *Tx) writeWorkerDays(ctx context.Context, w *frontline.Worker) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM worker_days WHERE worker_id = ?`, w.ID); err != nil {
		return err
	}
	type day struct {
		d   string
		off bool
	}
	var days []day
	for _, d := range w.Days {
		if !slices.Contains(w.Off, d) {
			days = append(days, day{d, false})
		}
	}
	for _, d := range w.Off {
		days = append(days, day{d, true})
	}
	if len(days) == 0 {
		return nil
	}
	return tx.bulkInsert(ctx, "worker_days", []string{"worker_id", "day", "off"}, len(days), func(i int, args []any) []any {
		return append(args, w.ID, days[i].d, days[i].off)
	})
}

// FindWorkerByID returns one worker.
func (s *WorkerService) FindWorkerByID(ctx context.Context, id int64) (*frontline.Worker, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findWorker(ctx, id)
}

// WorkerForUser returns the worker linked to an account. A principal asks
// for their own; others need PermManageWorkforce.
func (s *WorkerService) WorkerForUser(ctx context.Context, userID int64) (*frontline.Worker, error) {
	if p := frontline.PrincipalFrom(ctx); p != nil && p.UserID != userID {
		if err := authorize(ctx, frontline.PermManageWorkforce); err != nil {
			return nil, err
		}
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.workerOfUser(ctx, userID)
}

// workerOfUser returns the worker linked to an account, whatever the
// scope: a cadre registered at the subdistrict signs in with a scope at
// the community they serve.
func (tx *Tx) workerOfUser(ctx context.Context, userID int64) (*frontline.Worker, error) {
	ws, err := tx.queryWorkers(ctx, `w.user_id = ?`, userID)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 || userID == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "no worker is linked to this account")
	}
	return ws[0], nil
}

// workerWhere builds the conditions of a filter.
func (tx *Tx) workerWhere(ctx context.Context, f frontline.WorkerFilter) ([]string, []any, error) {
	where, args, err := tx.andUnder(ctx, f.Under, "p.path", []string{"1 = 1"}, []any{})
	if err != nil {
		return nil, nil, err
	}
	if v := f.ID; v != nil {
		where, args = append(where, "w.id = ?"), append(args, *v)
	}
	if v := f.Kind; v != nil {
		where, args = append(where, "w.kind = ?"), append(args, string(*v))
	}
	if v := f.Unit; v != nil {
		where, args = append(where, "w.unit = ?"), append(args, *v)
	}
	if v := f.UserID; v != nil {
		where, args = append(where, "w.user_id = ?"), append(args, *v)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
		where, args = append(where, "(w.name LIKE ? OR w.phone LIKE ? OR w.unit LIKE ?)"), append(args, like, like, like)
	}
	skills, err := frontline.NormalizeSkills(f.Skills, "skills")
	if err != nil {
		return nil, nil, err
	}
	for _, sk := range skills {
		where, args = append(where, "(',' || w.skills || ',') LIKE ?"), append(args, "%,"+sk+",%")
	}
	if d := f.AvailableOn; d != "" {
		where = append(where, `NOT EXISTS (SELECT 1 FROM worker_days x WHERE x.worker_id = w.id AND x.day = ? AND x.off)
			AND (NOT EXISTS (SELECT 1 FROM worker_days x WHERE x.worker_id = w.id AND NOT x.off)
			OR EXISTS (SELECT 1 FROM worker_days x WHERE x.worker_id = w.id AND x.day = ? AND NOT x.off))`)
		args = append(args, d, d)
	}
	if !f.WithRetired {
		where = append(where, "NOT w.retired")
	}
	where, args = andScope(ctx, "p.path", where, args)
	return where, args, nil
}

// FindWorkers returns matching workers by node and name.
func (s *WorkerService) FindWorkers(ctx context.Context, f frontline.WorkerFilter) ([]*frontline.Worker, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args, err := tx.workerWhere(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM workers w JOIN places p ON p.id = w.place_id WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	ws, err := tx.queryWorkers(ctx, cond+` ORDER BY p.path, w.unit, w.name, w.id`+limitClause(f.Offset, f.Limit), args...)
	return ws, total, err
}

// UpdateWorker changes a worker; moving them to another node is not a
// field here (retire and register again).
func (s *WorkerService) UpdateWorker(ctx context.Context, id int64, upd frontline.WorkerUpdate) (*frontline.Worker, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	w, err := tx.updateWorker(ctx, id, upd)
	if err != nil {
		return nil, err
	}
	return w, tx.Commit()
}

func (tx *Tx) updateWorker(ctx context.Context, id int64, upd frontline.WorkerUpdate) (*frontline.Worker, error) {
	w, err := tx.findWorker(ctx, id)
	if err != nil {
		return nil, err
	}
	before := workerFields(w)
	upd.Apply(w)
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if upd.UserID != nil {
		if err := tx.checkAccount(ctx, w.UserID, w.ID); err != nil {
			return nil, err
		}
	}
	w.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE workers SET name = ?, phone = ?, kind = ?, unit = ?, skills = ?, user_id = ?,
		last_negative = ?, note = ?, retired = ?, updated_at = ? WHERE id = ?`, w.Name, w.Phone, string(w.Kind), w.Unit,
		strings.Join(w.Skills, ","), nullID(w.UserID), tx.timeValue(w.LastNegative), w.Note, w.Retired, tx.now, w.ID); err != nil {
		return nil, workerConflict(tx.db.translate(err), w)
	}
	if upd.Days != nil || upd.Off != nil {
		if err := tx.writeWorkerDays(ctx, w); err != nil {
			return nil, err
		}
	}
	if upd.UserID != nil {
		w.Login = ""
		if w.UserID != 0 {
			if err := tx.QueryRowContext(ctx, `SELECT login FROM users WHERE id = ?`, w.UserID).Scan(&w.Login); err != nil {
				return nil, err
			}
		}
	}
	b, a := changedFields(before, workerFields(w))
	if len(a) == 0 {
		return w, nil
	}
	return w, tx.audit(ctx, "update", "worker", w.ID, w.Place.Path, b, a)
}
