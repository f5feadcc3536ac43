package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/frontline-org/frontline"
)

// RecordCheck records a daily check of a vulnerable resident and the
// needs found. A retry with the same key is the check already recorded.
// Reaching the last unreached resident of a zone resolves its alert in the
// same transaction.
func (s *VulnerableService) RecordCheck(ctx context.Context, c *frontline.VulnerableCheck) error {
	if err := c.Validate(); err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermCheckVulnerable)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	v, err := tx.vulnerableResident(ctx, c.PersonID)
	if err != nil {
		return err
	}
	if c.Key != "" {
		if done, err := tx.checkByKey(ctx, c.PersonID, c.Key); err != nil {
			return err
		} else if done != nil {
			*c = *done
			return nil
		}
	}
	if err := tx.insertCheck(ctx, c, v); err != nil {
		return err
	}
	if c.Reached() && v.ZoneID != 0 {
		if err := tx.resolveIfReached(frontline.AsSystem(ctx), v.ZoneID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// insertCheck writes the check and its needs, by the caller's worker.
func (tx *Tx) insertCheck(ctx context.Context, c *frontline.VulnerableCheck, v *frontline.VulnerableResident) error {
	c.HouseholdID, c.Day, c.CheckedAt, c.CheckedBy = v.HouseholdID, tx.today(), tx.now, frontline.ActorFrom(ctx).String()
	if p := frontline.PrincipalFrom(ctx); p != nil && p.UserID != 0 {
		err := tx.QueryRowContext(ctx, `SELECT id FROM workers WHERE user_id = ? AND NOT retired ORDER BY id LIMIT 1`, p.UserID).Scan(&c.WorkerID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	hh, err := tx.placeByID(ctx, v.HouseholdID)
	if err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO vulnerable_checks (person_id, household_id, path, day, worker_id, method, state,
		note, check_key, checked_at, checked_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.PersonID, c.HouseholdID, hh.Path, c.Day, nullID(c.WorkerID), string(c.Method), string(c.State), c.Note, c.Key,
		tx.now, c.CheckedBy).Scan(&c.ID); err != nil {
		return tx.db.translate(err)
	}
	needs := make([]string, 0, len(c.Needs))
	for i, n := range c.Needs {
		n.CheckID, n.PersonID, n.HouseholdID = c.ID, c.PersonID, c.HouseholdID
		// Urgent help does not wait for another form: the need is the
		// household's help request from this moment, with its deadlines.
		if n.Kind == frontline.NeedHelp {
			h, err := tx.helpForNeed(ctx, hh, c, n, i)
			if err != nil {
				return err
			}
			n.LinkKind, n.LinkID = "help", h.ID
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO vulnerable_needs (check_id, person_id, household_id, kind, detail, link_kind, link_id)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, n.CheckID, n.PersonID, n.HouseholdID, string(n.Kind), n.Detail,
			n.LinkKind, n.LinkID).Scan(&n.ID); err != nil {
			return tx.db.translate(err)
		}
		needs = append(needs, string(n.Kind))
	}
	return tx.audit(ctx, "record", "vulnerable_check", c.ID, hh.Path, nil, map[string]any{
		"person_id": c.PersonID, "method": c.Method, "state": c.State, "needs": needs, "worker_id": c.WorkerID})
}

// checkByKey returns the check of a person recorded with key, nil for none.
func (tx *Tx) checkByKey(ctx context.Context, personID int64, key string) (*frontline.VulnerableCheck, error) {
	c, err := scanCheck(tx.QueryRowContext(ctx, `SELECT `+checkColumns+` FROM vulnerable_checks c
		WHERE c.person_id = ? AND c.check_key = ?`, personID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	checks, err := tx.checksOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	for _, k := range checks {
		if k.ID == c.ID {
			return k, nil
		}
	}
	return c, nil
}

// OrderForNeed places the household's order for a supplies need and links
// the need to it, in one transaction: a need becomes one order, and a
// retry of a need already met returns its order.
func (s *VulnerableService) OrderForNeed(ctx context.Context, needID int64, r frontline.OrderRequest) (*frontline.Order, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	n, hh, err := tx.needOf(ctx, needID, frontline.NeedSupplies)
	if err != nil {
		return nil, err
	}
	if n.Met() {
		o, _, err := tx.findOrder(ctx, n.LinkID)
		return o, err
	}
	r.HouseholdID = hh.ID
	if r.Note == "" {
		r.Note = n.Detail
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	o, err := tx.placeOrder(ctx, hh, r, frontline.SourceStaff)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE vulnerable_needs SET link_kind = 'order', link_id = ? WHERE id = ?`, o.ID, n.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "order", "vulnerable_need", n.ID, hh.Path, nil, map[string]any{"order_id": o.ID}); err != nil {
		return nil, err
	}
	return o, tx.Commit()
}

// zoneAlertKey is the key of a zone's alert of a day: one a day per zone,
// resolved when all its vulnerable are reached.
func zoneAlertKey(zoneID int64, day string) string {
	return "vulnerable:" + strconv.FormatInt(zoneID, 10) + ":" + day
}

// helpForNeed raises the help request of a help need found on check c,
// through the help workflow's own call: for the resident, with the
// category their flags suggest unless the contact chose one, and the
// number to call back — the resident's, else their contact's.
func (tx *Tx) helpForNeed(ctx context.Context, hh *frontline.Place, c *frontline.VulnerableCheck, n *frontline.VulnerableNeed, i int) (*frontline.HelpRequest, error) {
	var flags, phone string
	if err := tx.QueryRowContext(ctx, `SELECT flags, phone FROM persons WHERE id = ?`, c.PersonID).Scan(&flags, &phone); err != nil {
		return nil, err
	}
	if phone == "" && c.WorkerID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT phone FROM workers WHERE id = ?`, c.WorkerID).Scan(&phone); err != nil {
			return nil, err
		}
	}
	if n.Category == "" {
		n.Category = frontline.HelpCategoryFor(splitFlags(flags))
	}
	h := &frontline.HelpRequest{HouseholdID: hh.ID, PersonID: c.PersonID, Category: n.Category, Need: n.Detail, Phone: phone}
	if c.Key != "" {
		h.Key = "vulnerable:" + c.Key + ":" + strconv.Itoa(i)
	}
	out, err := tx.raiseHelp(ctx, hh, h, frontline.HelpByStaff)
	if err != nil {
		return nil, &frontline.Error{Code: frontline.ErrorCode(err), Field: "needs", Message: frontline.ErrorMessage(err)}
	}
	return out, nil
}

// MedicineForNeed makes the medicine request of a medicine need through
// the medicine workflow's own call, for the resident, and links the need
// to it; a retry of a need already met returns its request.
func (s *VulnerableService) MedicineForNeed(ctx context.Context, needID int64, r frontline.MedicineRequestInput) (*frontline.MedicineRequest, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	n, hh, err := tx.needOf(ctx, needID, frontline.NeedMedicine)
	if err != nil {
		return nil, err
	}
	if n.Met() {
		m, _, err := tx.findMedicine(ctx, n.LinkID)
		return m, err
	}
	r.HouseholdID, r.PersonID = hh.ID, n.PersonID
	if r.Note == "" {
		r.Note = n.Detail
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	m, err := tx.requestMedicine(ctx, hh, r, frontline.SourceStaff)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE vulnerable_needs SET link_kind = 'medicine', link_id = ? WHERE id = ?`, m.ID, n.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "medicine", "vulnerable_need", n.ID, hh.Path, nil, map[string]any{"medicine_id": m.ID}); err != nil {
		return nil, err
	}
	return m, tx.Commit()
}

// needOf returns a need of kind in the caller's scope, with its household.
func (tx *Tx) needOf(ctx context.Context, needID int64, kind frontline.NeedKind) (*frontline.VulnerableNeed, *frontline.Place, error) {
	n, err := scanNeed(tx.QueryRowContext(ctx, `SELECT `+needColumns+` FROM vulnerable_needs n WHERE n.id = ?`, needID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "need %d not found", needID)
	} else if err != nil {
		return nil, nil, err
	}
	hh, err := tx.findPlaceByID(ctx, n.HouseholdID)
	if err != nil {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "need %d not found", needID)
	}
	if n.Kind != kind {
		return nil, nil, frontline.FieldError("need_id", "this need is for %s, not %s", n.Kind, kind)
	}
	return n, hh, nil
}
