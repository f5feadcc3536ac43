package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

// What a household says about its orders through its own link: it
// received one, or it complains. Complaints are listed for the office and
// for the partner whose order it was.

// linkOrder begins a write for the household of a link on one of its
// orders.
func (s *DeliveryService) linkOrder(ctx context.Context, secret string, orderID int64) (context.Context, *Tx, *frontline.Order, string, error) {
	ctx, tx, _, hh, err := s.db.linkTx(ctx, secret)
	if err != nil {
		return nil, nil, nil, "", err
	}
	o, path, err := tx.findOrder(ctx, orderID)
	if err == nil && o.HouseholdID != hh.ID {
		err = frontline.Errorf(frontline.ENOTFOUND, "order %d not found", orderID)
	}
	if err != nil {
		tx.Rollback()
		return nil, nil, nil, "", err
	}
	o.Address, o.Building = "", "" // a link may be forwarded: no address
	return ctx, tx, o, path, nil
}

// ConfirmByLink implements frontline.DeliveryService; confirmed again, it
// changes nothing.
func (s *DeliveryService) ConfirmByLink(ctx context.Context, secret string, orderID int64) (*frontline.Order, error) {
	ctx, tx, o, path, err := s.linkOrder(ctx, secret, orderID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if o.Status != frontline.OrderDelivered {
		return nil, frontline.Errorf(frontline.ECONFLICT, "only a delivered order can be confirmed")
	}
	if !o.ReceivedAt.IsZero() {
		return o, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET received_at = ?, updated_at = ? WHERE id = ?`, tx.now, tx.now, o.ID); err != nil {
		return nil, err
	}
	o.ReceivedAt = tx.now
	if err := tx.audit(ctx, "received", "supply_order", o.ID, path, nil, map[string]any{"received_at": tx.now}); err != nil {
		return nil, err
	}
	return o, tx.Commit()
}

// ComplainByLink implements frontline.DeliveryService: about an order on
// its way, delivered or returned. The same text sent again (a double tap)
// is one complaint.
func (s *DeliveryService) ComplainByLink(ctx context.Context, secret string, orderID int64, text string) (*frontline.Complaint, error) {
	text, err := frontline.CheckComplaint(text)
	if err != nil {
		return nil, err
	}
	ctx, tx, o, path, err := s.linkOrder(ctx, secret, orderID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	switch o.Status {
	case frontline.OrderOut, frontline.OrderDelivered, frontline.OrderReturned:
	default:
		return nil, frontline.Errorf(frontline.ECONFLICT, "a complaint is about an order on its way, delivered or returned")
	}
	c := &frontline.Complaint{OrderID: o.ID, PartnerID: o.PartnerID, PartnerName: o.PartnerName, Text: text, Status: string(o.Status)}
	err = tx.QueryRowContext(ctx, `SELECT id, created_at, created_by FROM delivery_complaints WHERE order_id = ? AND text = ?`, o.ID, text).
		Scan(&c.ID, &c.CreatedAt, &c.CreatedBy)
	if err == nil {
		c.CreatedAt = c.CreatedAt.UTC()
		return c, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	c.CreatedAt, c.CreatedBy = tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.QueryRowContext(ctx, `INSERT INTO delivery_complaints (order_id, partner_id, path, text, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, o.ID, o.PartnerID, path, text, tx.now, c.CreatedBy).Scan(&c.ID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET complaints = complaints + 1 WHERE id = ?`, o.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "create", "delivery_complaint", c.ID, path, nil, map[string]any{"order_id": o.ID, "text": text}); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// FindComplaints implements frontline.DeliveryService.
func (s *DeliveryService) FindComplaints(ctx context.Context, under *int64) ([]*frontline.Complaint, error) {
	tx, err := s.db.readTxAny(ctx, frontline.PermPlaceOrders, frontline.PermManageSupply, frontline.PermFillOrders,
		frontline.PermFillMedicines)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args, err := tx.andUnder(ctx, under, "c.path", []string{"1 = 1"}, []any{})
	if err != nil {
		return nil, err
	}
	if p := frontline.PrincipalFrom(ctx); p != nil && !p.Can(frontline.PermPlaceOrders) && !p.Can(frontline.PermManageSupply) {
		where, args = append(where, `c.partner_id IN (SELECT partner_id FROM supply_partner_users WHERE user_id = ?)`), append(args, p.UserID)
	} else {
		where, args = andScope(ctx, "c.path", where, args)
	}
	// Open ones first (what still needs someone), then newest first.
	out, paths, err := tx.queryComplaints(ctx, strings.Join(where, " AND ")+
		` ORDER BY CASE WHEN c.handled_at IS NULL THEN 0 ELSE 1 END, c.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return nil, err
	}
	for i, c := range out {
		var parts []string
		for _, id := range frontline.PathIDs(paths[i]) {
			if n := names[id]; n != nil && n.Kind.Rank() > frontline.KindCommunity.Rank() {
				parts = append(parts, n.Name)
			}
		}
		c.Address = strings.Join(parts, "/")
	}
	return out, nil
}

// queryComplaints reads complaints with their partner and order status,
// and their paths.
func (tx *Tx) queryComplaints(ctx context.Context, where string, args ...any) ([]*frontline.Complaint, []string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.order_id, c.partner_id, sp.name, c.text, c.created_at, c.created_by, c.path, o.status,
		c.handled_at, c.handled_by, c.handled_note
		FROM delivery_complaints c JOIN supply_partners sp ON sp.id = c.partner_id JOIN supply_orders o ON o.id = c.order_id
		WHERE `+where, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out := []*frontline.Complaint{}
	var paths []string
	for rows.Next() {
		var c frontline.Complaint
		var path string
		if err := rows.Scan(&c.ID, &c.OrderID, &c.PartnerID, &c.PartnerName, &c.Text, &c.CreatedAt, &c.CreatedBy, &path, &c.Status,
			nullTimeDest{&c.HandledAt}, &c.HandledBy, &c.HandledNote); err != nil {
			return nil, nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out, paths = append(out, &c), append(paths, path)
	}
	return out, paths, rows.Err()
}

// HandleComplaint implements frontline.DeliveryService: staff with
// orders.place or supply.manage, for a complaint in their scope. The
// order keeps the count handled and the latest note for the household's
// link.
func (s *DeliveryService) HandleComplaint(ctx context.Context, id int64, note string) (*frontline.Complaint, error) {
	note, err := frontline.CheckHandledNote(note)
	if err != nil {
		return nil, err
	}
	if p := frontline.PrincipalFrom(ctx); p != nil && !p.Can(frontline.PermPlaceOrders) && !p.Can(frontline.PermManageSupply) {
		return nil, forbidden(p, frontline.PermPlaceOrders)
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cs, paths, err := tx.queryComplaints(ctx, `c.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 || !visible(ctx, paths[0]) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "complaint %d not found", id)
	}
	c, path := cs[0], paths[0]
	switch {
	case c.Handled() && c.HandledNote == note:
		return c, nil // a retry
	case c.Handled():
		return nil, frontline.Errorf(frontline.ECONFLICT, "complaint %d was handled already by %s", c.ID, c.HandledBy)
	}
	c.HandledAt, c.HandledBy, c.HandledNote = tx.now, frontline.ActorFrom(ctx).String(), note
	res, err := tx.ExecContext(ctx, `UPDATE delivery_complaints SET handled_at = ?, handled_by = ?, handled_note = ? WHERE id = ? AND handled_at IS NULL`,
		tx.now, c.HandledBy, note, c.ID)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "complaint %d was handled meanwhile; look again", c.ID)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET complaints_handled = complaints_handled + 1, complaint_answer = ?, updated_at = ?
		WHERE id = ?`, note, tx.now, c.OrderID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "handle", "delivery_complaint", c.ID, path, map[string]any{"handled": false},
		map[string]any{"handled": true, "note": note, "order_id": c.OrderID}); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}
