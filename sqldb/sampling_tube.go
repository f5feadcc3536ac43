package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// tubeReader returns the permission the caller reads tubes with.
func tubeReader(ctx context.Context) frontline.Permission {
	p := frontline.PrincipalFrom(ctx)
	for _, perm := range []frontline.Permission{frontline.PermSampling, frontline.PermPostResults, frontline.PermReadReports} {
		if p.Can(perm) {
			return perm
		}
	}
	return frontline.PermSampling
}

// lockTube reads a tube by code with the path of its round's scope, and
// locks it on PostgreSQL. A tube of a round outside the caller's scope is
// not found.
func (tx *Tx) lockTube(ctx context.Context, code string, lock bool) (*frontline.Tube, string, error) {
	code, err := frontline.NormalizeTubeCode(code)
	if err != nil {
		return nil, "", err
	}
	var t frontline.Tube
	var scope string
	q := `SELECT ` + tubeColumns + `, sc.path FROM tubes t JOIN test_rounds r ON r.id = t.round_id
		JOIN places sc ON sc.id = r.scope_id WHERE t.code = ?`
	if lock {
		q += tx.db.forUpdateOf("t")
	}
	err = tx.QueryRowContext(ctx, q, code).Scan(append(tubeDest(&t), &scope)...)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !roundVisible(ctx, scope)) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "tube %s not found", code)
	} else if err != nil {
		return nil, "", tx.db.translate(err)
	}
	t.OpenedAt = t.OpenedAt.UTC()
	return &t, scope, nil
}

// FindTube returns a tube and its live bindings, oldest first.
func (s *SamplingService) FindTube(ctx context.Context, code string) (*frontline.Tube, []*frontline.Binding, error) {
	tx, err := s.db.readTx(ctx, tubeReader(ctx))
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	t, _, err := tx.lockTube(ctx, code, false)
	if err != nil {
		return nil, nil, err
	}
	bs, err := tx.tubeBindings(ctx, t, false)
	if err != nil {
		return nil, nil, err
	}
	if p := frontline.PrincipalFrom(ctx); p != nil && !p.Can(frontline.PermSampling) && !p.Can(frontline.PermReadRegistry) {
		// The lab reads tubes and results, not who is in them (its role
		// has no registry.read): the tube's count says enough.
		for _, b := range bs {
			b.PersonID, b.PersonName, b.HouseholdID = 0, "", 0
		}
		return t, bs, nil
	}
	return t, bs, tx.hideOutOfScope(ctx, bs)
}

// hideOutOfScope blanks the person, name and household of bindings whose
// person lives outside the caller's scope. A pool at a site that serves several
// compounds mixes their residents; a compound's sampler sees that the tube
// holds ten persons, not who the other compound's are.
func (tx *Tx) hideOutOfScope(ctx context.Context, bs []*frontline.Binding) error {
	if frontline.PrincipalFrom(ctx) == nil || len(bs) == 0 {
		return nil
	}
	homes := make([]int64, 0, len(bs))
	for _, b := range bs {
		homes = append(homes, b.HouseholdID)
	}
	paths := map[int64]string{}
	err := tx.eachRow(ctx, `SELECT id, path FROM places WHERE id IN %s`, homes, func(sc interface{ Scan(...any) error }) error {
		var id int64
		var path string
		if err := sc.Scan(&id, &path); err != nil {
			return err
		}
		paths[id] = path
		return nil
	})
	for _, b := range bs {
		if !visible(ctx, paths[b.HouseholdID]) {
			b.PersonID, b.PersonName, b.HouseholdID = 0, "", 0
		}
	}
	return err
}

const bindingColumns = `b.id, b.round_id, b.tube_id, b.person_id, p.name, p.household_id, COALESCE(b.station_id, 0),
	b.bound_at, b.bound_by, b.undone_at, b.undone_by`

func scanBinding(sc interface{ Scan(...any) error }) (*frontline.Binding, error) {
	var b frontline.Binding
	if err := sc.Scan(&b.ID, &b.RoundID, &b.TubeID, &b.PersonID, &b.PersonName, &b.HouseholdID, &b.StationID,
		&b.BoundAt, &b.BoundBy, nullTimeDest{&b.UndoneAt}, &b.UndoneBy); err != nil {
		return nil, err
	}
	b.BoundAt = b.BoundAt.UTC()
	return &b, nil
}

// tubeBindings returns the live bindings of a tube, oldest first (newest
// first with newestFirst).
func (tx *Tx) tubeBindings(ctx context.Context, t *frontline.Tube, newestFirst bool) ([]*frontline.Binding, error) {
	order := "b.id"
	if newestFirst {
		order = "b.id DESC"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+bindingColumns+` FROM bindings b JOIN persons p ON p.id = b.person_id
		WHERE b.tube_id = ? AND b.undone_at IS NULL ORDER BY `+order, t.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.Binding, 0, t.Count)
	for rows.Next() {
		b, err := scanBinding(rows)
		if err != nil {
			return nil, err
		}
		b.TubeCode = t.Code
		out = append(out, b)
	}
	return out, rows.Err()
}

// FindTubes returns matching tubes, newest first, and the total.
func (s *SamplingService) FindTubes(ctx context.Context, f frontline.TubeFilter) ([]*frontline.Tube, int, error) {
	tx, err := s.db.readTx(ctx, tubeReader(ctx))
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.RoundID != nil {
		where, args = append(where, "t.round_id = ?"), append(args, *f.RoundID)
	}
	if f.StationID != nil {
		where, args = append(where, "t.station_id = ?"), append(args, *f.StationID)
	}
	if f.State != nil {
		where, args = append(where, "t.state = ?"), append(args, string(*f.State))
	}
	where, args = andRoundScope(ctx, where, args)
	from := ` FROM tubes t JOIN test_rounds r ON r.id = t.round_id JOIN places sc ON sc.id = r.scope_id WHERE ` + strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+from, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+tubeColumns+from+` ORDER BY t.id DESC`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]*frontline.Tube, 0)
	for rows.Next() {
		var t frontline.Tube
		if err := rows.Scan(tubeDest(&t)...); err != nil {
			return nil, 0, err
		}
		t.OpenedAt = t.OpenedAt.UTC()
		out = append(out, &t)
	}
	return out, total, rows.Err()
}

// Undo takes a binding out of a tube that has not gone into a bag: the
// clerk scanned the wrong person. The station names the binding, and only
// the tube's newest live binding is taken out, so a double tap or a
// network retry finds it undone already and changes nothing. A tube that
// sealed itself opens again. The binding is kept, marked undone, and the
// audit log records who undid it.
func (s *SamplingService) Undo(ctx context.Context, req *frontline.UndoRequest) (*frontline.UndoAnswer, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermSampling)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t, scope, err := tx.lockTube(ctx, req.TubeCode, true)
	if err != nil {
		return nil, err
	}
	if t.RoundID != req.RoundID {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "tube %s is not in round %d", t.Code, req.RoundID)
	}
	b, err := tx.tubeBinding(ctx, t, req.BindingID)
	if err != nil {
		return nil, err
	}
	if !b.UndoneAt.IsZero() {
		return &frontline.UndoAnswer{Binding: b, Already: true}, tx.hideOutOfScope(ctx, []*frontline.Binding{b})
	}
	if t.State != frontline.TubeOpen && t.State != frontline.TubeSealed {
		return nil, frontline.Errorf(frontline.ECONFLICT, "tube %s is %s; it can no longer change", t.Code, t.State)
	}
	// A home sampling tube closed its task when it was taken; undoing its
	// binding would leave the task sampled with nobody in the tube.
	if t.Retest {
		return nil, frontline.Errorf(frontline.ECONFLICT, "tube %s was sampled at home; it cannot be undone", t.Code)
	}
	live, err := tx.tubeBindings(ctx, t, true)
	if err != nil {
		return nil, err
	}
	if len(live) == 0 || live[0].ID != b.ID {
		return nil, frontline.Errorf(frontline.ECONFLICT, "binding %d is no longer the newest in tube %s; undo the later ones first", b.ID, t.Code)
	}
	m, err := tx.lockMember(ctx, t.RoundID, b.PersonID)
	if err != nil {
		return nil, err
	}
	if err := tx.undoBinding(ctx, t, b, m, scope); err != nil {
		return nil, err
	}
	after := map[string]any{"undone_at": tx.now}
	if req.RequestID != "" {
		after["request_id"] = req.RequestID
	}
	if err := tx.audit(ctx, "undo", "binding", b.ID, m.path, map[string]any{"tube": t.Code, "person_id": b.PersonID}, after); err != nil {
		return nil, err
	}
	return &frontline.UndoAnswer{Binding: b}, tx.Commit()
}

// tubeBinding reads one binding of a tube, live or undone.
func (tx *Tx) tubeBinding(ctx context.Context, t *frontline.Tube, id int64) (*frontline.Binding, error) {
	b, err := scanBinding(tx.QueryRowContext(ctx, `SELECT `+bindingColumns+` FROM bindings b JOIN persons p ON p.id = b.person_id
		WHERE b.id = ? AND b.tube_id = ?`, id, t.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "tube %s has no binding %d", t.Code, id)
	} else if err != nil {
		return nil, tx.db.translate(err)
	}
	b.TubeCode = t.Code
	return b, nil
}

// undoBinding marks a binding undone and takes back everything it
// counted: the member is as before (pending, or excused), the tube has
// room, the counters and the flow of the binding's bucket go down by one.
func (tx *Tx) undoBinding(ctx context.Context, t *frontline.Tube, b *frontline.Binding, m *memberRow, scope string) error {
	b.UndoneAt, b.UndoneBy = tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE bindings SET undone_at = ?, undone_by = ? WHERE id = ?`, b.UndoneAt, b.UndoneBy, b.ID); err != nil {
		return err
	}
	t.Count--
	t.State, t.SealedAt = frontline.TubeOpen, time.Time{}
	if t.Count == 0 && t.Capacity > 0 && t.Mode != frontline.PoolMixed {
		t.Mode, t.Capacity, t.HouseholdID = "", 0, 0 // the next person fixes them again
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tubes SET count = ?, state = ?, sealed_at = NULL, mode = ?, capacity = ?, household_id = ?
		WHERE id = ?`, t.Count, string(t.State), string(t.Mode), t.Capacity, nullID(t.HouseholdID), t.ID); err != nil {
		return err
	}
	rc := roundCounts{}
	d := roundDelta{sampled: -1}
	if m.status == frontline.MemberExcused {
		d.excused = 1 // excused before they came after all
	}
	rc.addPath(t.RoundID, scope, m.path, d)
	if err := rc.write(ctx, tx); err != nil {
		return err
	}
	flow := map[flowKey]int{}
	addFlow(flow, t.RoundID, scope, m.path, b.StationID, frontline.FlowBucketOf(b.BoundAt).Unix(), -1)
	return writeFlow(ctx, tx, flow)
}
