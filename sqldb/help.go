package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.HelpService = (*HelpService)(nil)

// HelpService keeps urgent help requests and their hospital trips. A
// request is raised by staff, a grid worker or the household's ordering
// link; its deadlines come from help_targets when it is raised; a late one
// is alerted by AlertLateHelp (the job), and acknowledging or resolving it
// resolves its alerts in the same transaction.
type HelpService struct {
	db *DB
	// Policy is what restrictions forbid; nil is the default policy (the
	// one the gates use).
	Policy frontline.RestrictionPolicy
}

// NewHelpService returns a HelpService on db.
func NewHelpService(db *DB) *HelpService { return &HelpService{db: db} }

const helpColumns = `h.id, h.household_id, COALESCE(h.person_id, 0), h.category, h.need, h.phone, h.source, h.status, h.medical,
	h.ack_due, h.resolve_due, h.acked_at, h.acked_by, h.resolved_at, h.resolved_by, h.outcome, h.request_key, h.created_at,
	h.created_by, h.path, COALESCE(ps.name, '')`

const helpFrom = ` FROM help_requests h LEFT JOIN persons ps ON ps.id = h.person_id`

func scanHelp(sc interface{ Scan(...any) error }) (*frontline.HelpRequest, string, error) {
	var h frontline.HelpRequest
	var path string
	err := sc.Scan(&h.ID, &h.HouseholdID, &h.PersonID, &h.Category, &h.Need, &h.Phone, &h.Source, &h.Status, &h.Medical,
		&h.AckDue, &h.ResolveDue, nullTimeDest{&h.AckedAt}, &h.AckedBy, nullTimeDest{&h.ResolvedAt}, &h.ResolvedBy, &h.Outcome,
		&h.Key, &h.CreatedAt, &h.CreatedBy, &path, &h.Person)
	h.AckDue, h.ResolveDue, h.CreatedAt = h.AckDue.UTC(), h.ResolveDue.UTC(), h.CreatedAt.UTC()
	h.PhoneMasked = frontline.MaskPhone(h.Phone)
	return &h, path, err
}

// queryHelp lists requests matching where, with their addresses; names
// outside the caller's scope are masked.
func (tx *Tx) queryHelp(ctx context.Context, where []string, args []any, tail string) ([]*frontline.HelpRequest, error) {
	q := `SELECT ` + helpColumns + helpFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := tx.QueryContext(ctx, q+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []*frontline.HelpRequest
	var paths []string
	for rows.Next() {
		h, path, err := scanHelp(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if !visible(ctx, path) {
			h.Person = maskName(h.Person)
		}
		out, paths = append(out, h), append(paths, path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, h := range out {
		if h.Address, err = tx.address(ctx, paths[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// helpTargets reads the deadlines per category.
func (tx *Tx) helpTargets(ctx context.Context) (map[frontline.HelpCategory]*frontline.HelpTarget, []*frontline.HelpTarget, error) {
	rows, err := tx.QueryContext(ctx, `SELECT category, ack_seconds, resolve_seconds, medical FROM help_targets`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	byCat := map[frontline.HelpCategory]*frontline.HelpTarget{}
	for rows.Next() {
		var t frontline.HelpTarget
		var ack, resolve int64
		if err := rows.Scan(&t.Category, &ack, &resolve, &t.Medical); err != nil {
			return nil, nil, err
		}
		t.AckWithin, t.ResolveWithin = time.Duration(ack)*time.Second, time.Duration(resolve)*time.Second
		byCat[t.Category] = &t
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	var list []*frontline.HelpTarget
	for _, c := range frontline.HelpCategories {
		if t := byCat[c]; t != nil {
			list = append(list, t)
		}
	}
	return byCat, list, nil
}

// raiseHelp records a request for household hh, or returns the one a
// retry of the same key raised.
func (tx *Tx) raiseHelp(ctx context.Context, hh *frontline.Place, h *frontline.HelpRequest, source frontline.HelpSource) (*frontline.HelpRequest, error) {
	if hh.Kind != frontline.KindHousehold || hh.Retired() {
		return nil, frontline.FieldError("household_id", "%s is not a household", hh.Name)
	}
	h.HouseholdID = hh.ID
	if err := h.Validate(); err != nil {
		return nil, err
	}
	if h.Key != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM help_requests WHERE household_id = ? AND request_key = ?`, hh.ID, h.Key).Scan(&id)
		if err == nil {
			return tx.helpByID(ctx, id)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if h.PersonID != 0 {
		var household int64
		err := tx.QueryRowContext(ctx, `SELECT household_id FROM persons WHERE id = ?`, h.PersonID).Scan(&household)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && household != hh.ID) {
			return nil, frontline.FieldError("person_id", "the person is not of this household")
		} else if err != nil {
			return nil, err
		}
	}
	targets, _, err := tx.helpTargets(ctx)
	if err != nil {
		return nil, err
	}
	t := targets[h.Category]
	if t == nil {
		return nil, frontline.FieldError("category", "the category %s has no deadlines set", h.Category)
	}
	h.Source, h.Status, h.Medical = source, frontline.HelpOpen, t.Medical
	h.CreatedAt, h.CreatedBy = tx.now, frontline.ActorFrom(ctx).String()
	h.AckDue, h.ResolveDue = tx.now.Add(t.AckWithin), tx.now.Add(t.ResolveWithin)
	err = tx.QueryRowContext(ctx, `INSERT INTO help_requests (household_id, person_id, path, category, need, phone, source, status,
		medical, ack_due, resolve_due, request_key, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		hh.ID, nullID(h.PersonID), hh.Path, string(h.Category), h.Need, h.Phone, string(source), string(h.Status), h.Medical,
		h.AckDue, h.ResolveDue, h.Key, tx.now, h.CreatedBy).Scan(&h.ID)
	if err != nil {
		return nil, tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "help_request", h.ID, hh.Path, nil, map[string]any{
		"household_id": hh.ID, "person_id": h.PersonID, "category": h.Category, "need": h.Need,
		"phone": frontline.MaskPhone(h.Phone), "source": source}); err != nil {
		return nil, err
	}
	return tx.helpByID(ctx, h.ID)
}

// helpByID reads one request with its trips, whatever the scope (callers
// check it).
func (tx *Tx) helpByID(ctx context.Context, id int64) (*frontline.HelpRequest, error) {
	list, err := tx.queryHelp(ctx, []string{`h.id = ?`}, []any{id}, ``)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "help request %d not found", id)
	}
	h := list[0]
	if h.Trips, err = tx.queryTrips(ctx, `t.request_id = ?`, id); err != nil {
		return nil, err
	}
	return h, nil
}

// visibleHelp reads a request in the caller's scope, with its path.
func (tx *Tx) visibleHelp(ctx context.Context, id int64) (*frontline.HelpRequest, string, error) {
	var path string
	err := tx.QueryRowContext(ctx, `SELECT path FROM help_requests WHERE id = ?`, id).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "help request %d not found", id)
	} else if err != nil {
		return nil, "", err
	}
	h, err := tx.helpByID(ctx, id)
	return h, path, err
}

// RaiseHelp records a request staff or a grid worker raise for a
// household of their scope.
func (s *HelpService) RaiseHelp(ctx context.Context, h *frontline.HelpRequest) (*frontline.HelpRequest, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	hh, err := tx.findPlaceByID(ctx, h.HouseholdID)
	if err != nil {
		return nil, err
	}
	out, err := tx.raiseHelp(ctx, hh, h, frontline.HelpByStaff)
	if err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// RaiseHelpByLink records a household's request through its ordering
// link: the secret is the only credential and reaches that household
// alone, and the audit log names the link as the actor.
func (s *HelpService) RaiseHelpByLink(ctx context.Context, secret string, h *frontline.HelpRequest) (*frontline.HelpRequest, error) {
	ctx, tx, link, hh, err := s.db.linkTx(ctx, secret)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	h.PersonID = 0 // a link names nobody: it may have been forwarded
	out, err := tx.raiseHelp(ctx, hh, h, frontline.HelpByLink)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_order_links SET last_used = ? WHERE id = ?`, tx.now, link); err != nil {
		return nil, err
	}
	out.Address, out.Person = "", ""
	return out, tx.Commit()
}

// HelpByLink lists the last requests of a link's household, without
// address, person or trips (a link may be forwarded).
func (s *HelpService) HelpByLink(ctx context.Context, secret string) ([]*frontline.HelpRequest, error) {
	ctx = frontline.AsSystem(ctx)
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	_, hh, err := tx.findOrderLink(ctx, secret)
	if err != nil {
		return nil, err
	}
	list, err := tx.queryHelp(ctx, []string{`h.household_id = ?`}, []any{hh.ID}, ` ORDER BY h.id DESC LIMIT 5`)
	for _, h := range list {
		h.Address, h.Person = "", ""
	}
	return list, err
}

// FindHelp lists the requests under a node the caller sees: open ones by
// next deadline (to acknowledge, then to resolve), then resolved ones
// newest first.
func (s *HelpService) FindHelp(ctx context.Context, f frontline.HelpFilter) ([]*frontline.HelpRequest, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var where []string
	var args []any
	if f.ID != nil {
		where, args = append(where, `h.id = ?`), append(args, *f.ID)
	}
	if f.Under != nil {
		n, err := tx.findPlaceByID(ctx, *f.Under)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(n.Path)
		where, args = append(where, `h.path >= ? AND h.path < ?`), append(args, lo, hi)
	}
	if f.Open {
		where = append(where, `h.status <> 'resolved'`)
	}
	where, args = andScope(ctx, "h.path", where, args)
	cond := ""
	if len(where) > 0 {
		cond = ` WHERE ` + strings.Join(where, " AND ")
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM help_requests h`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	list, err := tx.queryHelp(ctx, where, args, ` ORDER BY CASE WHEN h.status = 'resolved' THEN 1 ELSE 0 END,
		CASE h.status WHEN 'open' THEN h.ack_due WHEN 'acked' THEN h.resolve_due END, h.resolved_at DESC, h.id
		LIMIT `+strconv.Itoa(limit)+` OFFSET `+strconv.Itoa(max(0, f.Offset)))
	return list, total, err
}

// FindHelpByID returns one request of the caller's scope with its trips.
func (s *HelpService) FindHelpByID(ctx context.Context, id int64) (*frontline.HelpRequest, error) {
	tx, err := s.db.readTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	h, _, err := tx.visibleHelp(ctx, id)
	return h, err
}

// RevealHelpPhone returns the whole number to call back, for a role that
// may reveal personal data; the reveal is in the audit log.
func (s *HelpService) RevealHelpPhone(ctx context.Context, id int64) (string, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermRevealPerson)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	h, path, err := tx.visibleHelp(ctx, id)
	if err != nil {
		return "", err
	}
	if err := tx.audit(ctx, "reveal", "help_request", id, path, nil, map[string]any{"field": "phone"}); err != nil {
		return "", err
	}
	return h.Phone, tx.Commit()
}

// AcknowledgeHelp takes a request on in the calling user's name.
func (s *HelpService) AcknowledgeHelp(ctx context.Context, id int64) (*frontline.HelpRequest, error) {
	p := frontline.PrincipalFrom(ctx)
	if p != nil && p.UserID == 0 {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "a help request is acknowledged by a named user, not a device")
	}
	tx, err := s.db.writeTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	h, path, err := tx.visibleHelp(ctx, id)
	if err != nil {
		return nil, err
	}
	if h.Status != frontline.HelpOpen {
		return h, nil // taken on already (perhaps a moment ago, by someone else)
	}
	if err := tx.ackHelp(ctx, h, path); err != nil {
		return nil, err
	}
	out, err := tx.helpByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// ackHelp marks an open request acknowledged by the caller and resolves
// its unacknowledged alert.
func (tx *Tx) ackHelp(ctx context.Context, h *frontline.HelpRequest, path string) error {
	who := frontline.ActorFrom(ctx).String()
	if p := frontline.PrincipalFrom(ctx); p != nil {
		who = p.Login
	}
	res, err := tx.ExecContext(ctx, `UPDATE help_requests SET status = 'acked', acked_at = ?, acked_by = ? WHERE id = ? AND status = 'open'`,
		tx.now, who, h.ID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return frontline.Errorf(frontline.ECONFLICT, "help request %d was taken on a moment ago", h.ID)
	}
	if err := tx.resolveAlerts(ctx, frontline.AlertHelpUnacked, helpAlertKey(h.ID, frontline.AlertHelpUnacked)); err != nil {
		return err
	}
	return tx.audit(ctx, "acknowledge", "help_request", h.ID, path, map[string]any{"status": h.Status},
		map[string]any{"status": frontline.HelpAcked, "acked_by": who})
}

// ResolveHelp closes a request with its outcome.
func (s *HelpService) ResolveHelp(ctx context.Context, id int64, outcome string) (*frontline.HelpRequest, error) {
	p := frontline.PrincipalFrom(ctx)
	if p != nil && p.UserID == 0 {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "a help request is resolved by a named user, not a device")
	}
	outcome, err := frontline.CheckOutcome(outcome)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermVisit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	h, path, err := tx.visibleHelp(ctx, id)
	if err != nil {
		return nil, err
	}
	switch h.Status {
	case frontline.HelpResolved:
		if h.Outcome == outcome {
			return h, nil // the same resolution again: a retry
		}
		return nil, frontline.Errorf(frontline.ECONFLICT, "help request %d was resolved already by %s", id, h.ResolvedBy)
	case frontline.HelpOpen:
		if err := tx.ackHelp(ctx, h, path); err != nil {
			return nil, err
		}
	}
	for _, t := range h.Trips {
		if t.Status == frontline.TripOut || t.Status == frontline.TripArrived {
			return nil, frontline.Errorf(frontline.ECONFLICT, "the hospital trip of help request %d is not back yet", id)
		}
	}
	who := frontline.ActorFrom(ctx).String()
	if p != nil {
		who = p.Login
	}
	if _, err := tx.ExecContext(ctx, `UPDATE help_requests SET status = 'resolved', resolved_at = ?, resolved_by = ?, outcome = ?
		WHERE id = ?`, tx.now, who, outcome, id); err != nil {
		return nil, err
	}
	// A planned trip no longer needed is called off: its permit ends.
	if _, err := tx.ExecContext(ctx, `UPDATE help_trips SET status = 'cancelled' WHERE request_id = ? AND status = 'planned'`, id); err != nil {
		return nil, err
	}
	for _, kind := range []string{frontline.AlertHelpUnacked, frontline.AlertHelpLate} {
		if err := tx.resolveAlerts(ctx, kind, helpAlertKey(id, kind)); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, "resolve", "help_request", id, path, map[string]any{"status": h.Status},
		map[string]any{"status": frontline.HelpResolved, "outcome": outcome}); err != nil {
		return nil, err
	}
	out, err := tx.helpByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// HelpTargets lists the deadlines per category.
func (s *HelpService) HelpTargets(ctx context.Context) ([]*frontline.HelpTarget, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	_, list, err := tx.helpTargets(ctx)
	return list, err
}

// UpdateHelpTarget changes a category's deadlines.
func (s *HelpService) UpdateHelpTarget(ctx context.Context, t *frontline.HelpTarget) error {
	_, err := s.UpdateHelpTargets(ctx, []*frontline.HelpTarget{t})
	return err
}

// UpdateHelpTargets changes the deadlines of several categories in one
// transaction: every target is checked before any is written, so a bad
// one leaves them all as they were. Each category that changes is
// audited with its old and new deadlines; one given as it is changes
// nothing. Requests keep the deadlines they were raised with.
func (s *HelpService) UpdateHelpTargets(ctx context.Context, ts []*frontline.HelpTarget) (int, error) {
	if !frontline.CanEditHelpTargets(frontline.PrincipalFrom(ctx)) {
		return 0, frontline.Errorf(frontline.EFORBIDDEN, "help deadlines apply everywhere: only a user who manages users at the top of the tree may change them")
	}
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return 0, err
		}
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	byCat, _, err := tx.helpTargets(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, t := range ts {
		was := byCat[t.Category]
		if was == nil {
			return 0, frontline.Errorf(frontline.ENOTFOUND, "no help category %q", t.Category)
		}
		if *was == *t {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE help_targets SET ack_seconds = ?, resolve_seconds = ?, medical = ? WHERE category = ?`,
			int64(t.AckWithin/time.Second), int64(t.ResolveWithin/time.Second), t.Medical, string(t.Category)); err != nil {
			return 0, err
		}
		if err := tx.audit(ctx, "update", "help_target", 0, "", map[string]any{"category": t.Category,
			"ack_seconds": int64(was.AckWithin / time.Second), "resolve_seconds": int64(was.ResolveWithin / time.Second), "medical": was.Medical},
			map[string]any{"category": t.Category, "ack_seconds": int64(t.AckWithin / time.Second),
				"resolve_seconds": int64(t.ResolveWithin / time.Second), "medical": t.Medical}); err != nil {
			return 0, err
		}
		byCat[t.Category] = t
		changed++
	}
	return changed, tx.Commit()
}
