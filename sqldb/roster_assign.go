package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Assignments are checked inside the writing transaction, with the
// worker's row locked on PostgreSQL (SQLite has one writer), so two
// people rostering the same worker at once cannot both break a rule.

// bookings returns a worker's shifts overlapping [from, to). A shift lasts
// at most 24 hours, so the index range on the start is bounded.
func (tx *Tx) bookings(ctx context.Context, workerID int64, from, to time.Time) ([]frontline.Booking, error) {
	rows, err := tx.QueryContext(ctx, `SELECT shift_id, starts_at, ends_at FROM duty_assignments
		WHERE worker_id = ? AND starts_at > ? AND starts_at < ? AND ends_at > ? ORDER BY starts_at`,
		workerID, tx.timeValue(from.Add(-24*time.Hour)), tx.timeValue(to), tx.timeValue(from))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []frontline.Booking
	for rows.Next() {
		var b frontline.Booking
		if err := rows.Scan(&b.ShiftID, &b.Start, &b.End); err != nil {
			return nil, err
		}
		b.Start, b.End = b.Start.UTC(), b.End.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// checkRoster lists the rules putting w on sh breaks, leaving out the
// worker's booking of the shift they leave (0: none), as a swap does.
func (tx *Tx) checkRoster(ctx context.Context, rules *frontline.RosterRules, loc *time.Location, w *frontline.Worker,
	sh *frontline.Shift, leaving int64) ([]frontline.Violation, error) {
	all, err := tx.bookings(ctx, w.ID, sh.Start.Add(-rules.Window), sh.End.Add(rules.Window))
	if err != nil {
		return nil, err
	}
	others := all[:0]
	for _, b := range all {
		if b.ShiftID != leaving || leaving == 0 {
			others = append(others, b)
		}
	}
	return frontline.CheckAssignment(*rules, w, sh.Post, sh, localDay(sh.Start, loc), others), nil
}

// checkOverride returns nil when the violations may go through with the
// reason given, or the refusal.
func checkOverride(w *frontline.Worker, vs []frontline.Violation, override string) error {
	if len(vs) == 0 {
		return nil
	}
	r := &frontline.RuleRefusal{Worker: w.Name, Violations: vs}
	if override == "" || !r.Overridable() {
		return r.Refuse()
	}
	return nil
}

// validOverride trims a reason and bounds it.
func validOverride(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > 200 {
		return "", frontline.FieldError("override", "the reason is longer than 200 characters")
	}
	return reason, nil
}

// Assign puts a worker on a shift under the rules; an override reason lets
// the rules that may be overridden through, and is audited with them.
func (s *RosterService) Assign(ctx context.Context, req frontline.AssignRequest) (*frontline.Assignment, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rules, err := tx.currentRosterRules(ctx)
	if err != nil {
		return nil, err
	}
	a, err := tx.assign(ctx, rules, s.Location, req)
	if err != nil {
		return nil, err
	}
	return a, tx.Commit()
}

// assign is Assign inside a transaction.
func (tx *Tx) assign(ctx context.Context, rules *frontline.RosterRules, loc *time.Location, req frontline.AssignRequest) (*frontline.Assignment, error) {
	override, err := validOverride(req.Override)
	if err != nil {
		return nil, err
	}
	if err := tx.lockShift(ctx, req.ShiftID); err != nil {
		return nil, err
	}
	sh, err := tx.findShift(ctx, req.ShiftID)
	if err != nil {
		return nil, err
	}
	w, err := tx.findWorker(ctx, req.WorkerID)
	if err != nil {
		return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "worker_id", Message: frontline.ErrorMessage(err)}
	}
	if err := tx.lockWorker(ctx, w.ID); err != nil {
		return nil, err
	}
	for _, a := range sh.Assignments {
		if a.WorkerID == w.ID {
			return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "worker_id", Message: w.Name + " is on the shift already"}
		}
	}
	if sh.Open() == 0 {
		return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "worker_id", Message: "the shift is full"}
	}
	vs, err := tx.checkRoster(ctx, rules, loc, w, sh, 0)
	if err != nil {
		return nil, err
	}
	if err := checkOverride(w, vs, override); err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		override = ""
	}
	if req.Leader {
		if _, err := tx.ExecContext(ctx, `UPDATE duty_assignments SET leader = FALSE WHERE shift_id = ?`, sh.ID); err != nil {
			return nil, err
		}
	}
	a := &frontline.Assignment{ShiftID: sh.ID, WorkerID: w.ID, Name: w.Name, Phone: w.Phone, Kind: w.Kind, Unit: w.Unit,
		Leader: req.Leader, Status: frontline.AssignAssigned, Override: override, CreatedAt: tx.now,
		CreatedBy: frontline.ActorFrom(ctx).String()}
	if err := tx.QueryRowContext(ctx, `INSERT INTO duty_assignments (shift_id, worker_id, starts_at, ends_at, leader, status,
		override, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, sh.ID, w.ID, tx.timeValue(sh.Start), tx.timeValue(sh.End),
		a.Leader, string(a.Status), a.Override, tx.now, a.CreatedBy).Scan(&a.ID); err != nil {
		return nil, tx.db.translate(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE duty_shifts SET assigned = assigned + 1 WHERE id = ?`, sh.ID); err != nil {
		return nil, err
	}
	if sh.Open() == 1 { // this assignment fills the shift
		if err := tx.resolveAlerts(ctx, frontline.AlertUnfilledShift, unfilledKey(sh.ID)); err != nil {
			return nil, err
		}
	}
	after := map[string]any{"shift_id": sh.ID, "worker_id": w.ID, "worker": w.Name, "post_id": sh.PostID,
		"start": sh.Start, "end": sh.End, "leader": a.Leader}
	if override != "" {
		after["override"], after["broken"] = override, violationCodes(vs)
	}
	return a, tx.audit(ctx, "assign", "assignment", a.ID, sh.Post.Place.Path, nil, after)
}

func violationCodes(vs []frontline.Violation) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Code
	}
	return out
}

// assignmentRow is an assignment with its shift, as changes need them.
type assignmentRow struct {
	a  *frontline.Assignment
	sh *frontline.Shift
}

// findAssignment returns an assignment of a shift in the caller's scope.
func (tx *Tx) findAssignment(ctx context.Context, id int64) (assignmentRow, error) {
	var shiftID int64
	err := tx.QueryRowContext(ctx, `SELECT shift_id FROM duty_assignments WHERE id = ?`, id).Scan(&shiftID)
	if errors.Is(err, sql.ErrNoRows) {
		return assignmentRow{}, frontline.Errorf(frontline.ENOTFOUND, "assignment %d not found", id)
	} else if err != nil {
		return assignmentRow{}, err
	}
	if err := tx.lockShift(ctx, shiftID); err != nil {
		return assignmentRow{}, err
	}
	sh, err := tx.findShift(ctx, shiftID)
	if err != nil {
		return assignmentRow{}, frontline.Errorf(frontline.ENOTFOUND, "assignment %d not found", id)
	}
	for _, a := range sh.Assignments {
		if a.ID == id {
			return assignmentRow{a: a, sh: sh}, nil
		}
	}
	return assignmentRow{}, frontline.Errorf(frontline.ENOTFOUND, "assignment %d not found", id)
}

// Unassign takes a worker off a shift they have not checked in to.
func (s *RosterService) Unassign(ctx context.Context, id int64, reason string) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if reason, err = validOverride(reason); err != nil {
		return &frontline.Error{Code: frontline.EINVALID, Field: "reason", Message: frontline.ErrorMessage(err)}
	}
	r, err := tx.findAssignment(ctx, id)
	if err != nil {
		return err
	}
	if !r.a.CheckedInAt.IsZero() {
		return frontline.Errorf(frontline.ECONFLICT, "%s checked in to the shift already", r.a.Name)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM duty_assignments WHERE id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE duty_shifts SET assigned = assigned - 1 WHERE id = ?`, r.sh.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, "unassign", "assignment", id, r.sh.Post.Place.Path, map[string]any{"shift_id": r.sh.ID,
		"worker_id": r.a.WorkerID, "worker": r.a.Name, "leader": r.a.Leader}, map[string]any{"reason": reason}); err != nil {
		return err
	}
	return tx.Commit()
}

// Swap exchanges the workers of two assignments that nobody has checked
// in to: each worker is checked against the rules on the other's shift,
// without the shift they leave. The leader's place on a shift stays with
// the shift.
func (s *RosterService) Swap(ctx context.Context, a, b int64, override string) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if override, err = validOverride(override); err != nil {
		return err
	}
	rules, err := tx.currentRosterRules(ctx)
	if err != nil {
		return err
	}
	ra, err := tx.findAssignment(ctx, a)
	if err != nil {
		return err
	}
	rb, err := tx.findAssignment(ctx, b)
	if err != nil {
		return err
	}
	if ra.sh.ID == rb.sh.ID {
		return frontline.FieldError("b", "both are on the same shift")
	}
	for _, r := range []assignmentRow{ra, rb} {
		if r.a.Status != frontline.AssignAssigned && r.a.Status != frontline.AssignNoShow || !r.a.CheckedInAt.IsZero() {
			return frontline.Errorf(frontline.ECONFLICT, "%s checked in already; the shifts cannot be swapped", r.a.Name)
		}
	}
	wa, err := tx.findWorker(ctx, ra.a.WorkerID)
	if err != nil {
		return err
	}
	wb, err := tx.findWorker(ctx, rb.a.WorkerID)
	if err != nil {
		return err
	}
	var broken []string
	for _, m := range []struct {
		w        *frontline.Worker
		to, from assignmentRow
	}{{wa, rb, ra}, {wb, ra, rb}} {
		for _, x := range m.to.sh.Assignments {
			if x.WorkerID == m.w.ID {
				return frontline.Errorf(frontline.ECONFLICT, "%s is on the other shift already", m.w.Name)
			}
		}
		if err := tx.lockWorker(ctx, m.w.ID); err != nil {
			return err
		}
		vs, err := tx.checkRoster(ctx, rules, s.Location, m.w, m.to.sh, m.from.sh.ID)
		if err != nil {
			return err
		}
		if err := checkOverride(m.w, vs, override); err != nil {
			return err
		}
		broken = append(broken, violationCodes(vs)...)
	}
	if len(broken) == 0 {
		override = ""
	}
	for _, m := range []struct {
		id     int64
		worker int64
	}{{a, wb.ID}, {b, wa.ID}} {
		if _, err := tx.ExecContext(ctx, `UPDATE duty_assignments SET worker_id = ?, status = ?, override = ? WHERE id = ?`,
			m.worker, string(frontline.AssignAssigned), override, m.id); err != nil {
			return tx.db.translate(err)
		}
	}
	after := map[string]any{"a": a, "b": b, "a_worker": wb.Name, "b_worker": wa.Name}
	if override != "" {
		after["override"], after["broken"] = override, broken
	}
	if err := tx.audit(ctx, "swap", "assignment", a, ra.sh.Post.Place.Path,
		map[string]any{"a": a, "b": b, "a_worker": wa.Name, "b_worker": wb.Name}, after); err != nil {
		return err
	}
	return tx.Commit()
}
