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
	tx, err := s.db.readTxAny(ctx, frontline.PermPlaceOrders, frontline.PermManageSupply, frontline.PermFillOrders)
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
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.order_id, c.partner_id, sp.name, c.text, c.created_at, c.created_by, c.path, o.status
		FROM delivery_complaints c JOIN supply_partners sp ON sp.id = c.partner_id JOIN supply_orders o ON o.id = c.order_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Complaint{}
	var paths []string
	for rows.Next() {
		var c frontline.Complaint
		var path string
		if err := rows.Scan(&c.ID, &c.OrderID, &c.PartnerID, &c.PartnerName, &c.Text, &c.CreatedAt, &c.CreatedBy, &path, &c.Status); err != nil {
			rows.Close()
			return nil, err
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out, paths = append(out, &c), append(paths, path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
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
