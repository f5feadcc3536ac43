package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// MaxWorkerRows bounds one worker list: a district sends thousands.
const MaxWorkerRows = 20_000

// ImportWorkers registers the rows of a department's list under a node in
// one transaction: every row is checked first, and a list with any bad row
// writes nothing. A worker registered already under the node (same phone,
// or same name and unit without a phone) is updated, their dates added,
// so a list sent twice, or a corrected list sent again, registers nobody
// twice.
func (s *WorkerService) ImportWorkers(ctx context.Context, rows []frontline.WorkerRow, opts frontline.WorkerImport) (*frontline.WorkerImportResult, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res := &frontline.WorkerImportResult{Rows: len(rows), DryRun: opts.DryRun}
	if len(rows) > MaxWorkerRows {
		return nil, frontline.Errorf(frontline.EINVALID, "a list has at most %d rows; split it", MaxWorkerRows)
	}
	place, err := tx.findPlaceByID(ctx, opts.PlaceID)
	if err != nil {
		return nil, err
	}
	if opts.Kind != "" && frontline.WorkerKindLabels[opts.Kind] == "" {
		return nil, frontline.FieldError("kind", "unknown kind %q", opts.Kind)
	}
	existing, err := tx.queryWorkers(ctx, `w.place_id = ?`, place.ID)
	if err != nil {
		return nil, err
	}
	known := map[string]*frontline.Worker{}
	for _, w := range existing {
		known[frontline.WorkerKey(w)] = w
	}
	seen := map[string]int{} // key → row
	for i := range rows {
		r := &rows[i]
		res.Errors = append(res.Errors, r.Errors...)
		if len(r.Errors) > 0 {
			continue
		}
		w := &r.Worker
		w.PlaceID = place.ID
		if w.Kind == "" {
			w.Kind = opts.Kind
		}
		if w.Unit == "" {
			w.Unit = opts.Unit
		}
		if err := w.Validate(); err != nil {
			res.Errors = append(res.Errors, rowError(r, err))
			continue
		}
		key := frontline.WorkerKey(w)
		if first, dup := seen[key]; dup {
			res.Errors = append(res.Errors, frontline.RowError{Row: r.Row, Column: r.Columns[keyField(w)],
				Message: fmt.Sprintf("the same person as row %d", first)})
			continue
		}
		seen[key] = r.Row
	}
	if len(res.Errors) > 0 {
		slices.SortStableFunc(res.Errors, func(a, b frontline.RowError) int { return a.Row - b.Row })
		return res, frontline.Errorf(frontline.EINVALID, "%d problems in the list; nothing was imported", len(res.Errors))
	}
	for i := range rows {
		if err := tx.importWorker(ctx, &rows[i].Worker, known[frontline.WorkerKey(&rows[i].Worker)], res); err != nil {
			return nil, fmt.Errorf("row %d: %w", rows[i].Row, err)
		}
	}
	if opts.DryRun {
		return res, nil
	}
	return res, tx.Commit()
}

// keyField is the field that tells two rows are one worker.
func keyField(w *frontline.Worker) string {
	if w.Phone != "" {
		return "phone"
	}
	return "name"
}

// rowError turns a worker's validation error into the row's problem at
// the field's column.
func rowError(r *frontline.WorkerRow, err error) frontline.RowError {
	return frontline.RowError{Row: r.Row, Column: r.Columns[frontline.ErrorField(err)], Message: frontline.ErrorMessage(err)}
}

// importWorker registers a new worker, or updates the one already known:
// their dates and skills are added to, their name, kind and unit set.
func (tx *Tx) importWorker(ctx context.Context, w, old *frontline.Worker, res *frontline.WorkerImportResult) error {
	if old == nil {
		if err := tx.matchAccount(ctx, w); err != nil {
			return err
		}
		if w.UserID != 0 {
			res.Linked++
		}
		res.Created++
		return tx.createWorker(ctx, w)
	}
	days := slices.Concat(old.Days, w.Days)
	if len(old.Days) == 0 && len(old.Off) == 0 {
		days = w.Days // every day until now: the list says which
	}
	skills := slices.Concat(old.Skills, w.Skills)
	upd := frontline.WorkerUpdate{Name: &w.Name, Kind: &w.Kind, Unit: &w.Unit, Skills: &skills, Days: &days}
	if w.Phone != "" {
		upd.Phone = &w.Phone
	}
	if w.Note != "" {
		upd.Note = &w.Note
	}
	updated, err := tx.updateWorker(ctx, old.ID, upd)
	if err != nil {
		return err
	}
	*w = *updated
	res.Updated++
	return nil
}

// matchAccount links a new worker to the one account in scope with their
// name and phone that has no worker yet, if there is exactly one.
func (tx *Tx) matchAccount(ctx context.Context, w *frontline.Worker) error {
	if w.Phone == "" || w.UserID != 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT u.id, p.path FROM users u JOIN places p ON p.id = u.scope_id
		WHERE u.phone = ? AND u.name = ? AND NOT u.disabled AND NOT EXISTS (SELECT 1 FROM workers x WHERE x.user_id = u.id)`,
		w.Phone, w.Name)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			return err
		}
		if visible(ctx, path) && strings.HasPrefix(path, "/") {
			ids = append(ids, id)
		}
	}
	if len(ids) == 1 {
		w.UserID = ids[0]
	}
	return rows.Err()
}
