package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.OrderService = (*OrderService)(nil)

// OrderService takes and keeps households' orders.
type OrderService struct{ db *DB }

// NewOrderService returns an OrderService on db.
func NewOrderService(db *DB) *OrderService { return &OrderService{db: db} }

const orderColumns = `o.id, o.household_id, o.partner_id, COALESCE(o.group_id, 0), o.source, o.status, o.delivery_day, o.total, o.paid,
	o.note, o.order_key, o.created_at, o.created_by, o.updated_at, o.path, sp.name, o.delivered_at, o.drop_at, o.return_reason,
	o.received_at, o.complaints, o.complaints_handled, o.complaint_answer`

func scanOrder(sc interface{ Scan(...any) error }) (*frontline.Order, string, error) {
	var o frontline.Order
	var path string
	if err := sc.Scan(&o.ID, &o.HouseholdID, &o.PartnerID, &o.GroupID, &o.Source, &o.Status, &o.DeliveryDay, &o.Total, &o.Paid,
		&o.Note, &o.Key, &o.CreatedAt, &o.CreatedBy, &o.UpdatedAt, &path, &o.PartnerName, nullTimeDest{&o.DeliveredAt}, &o.Drop,
		&o.ReturnReason, nullTimeDest{&o.ReceivedAt}, &o.Complaints, &o.ComplaintsHandled, &o.ComplaintAnswer); err != nil {
		return nil, "", err
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return &o, path, nil
}

// orderReach returns the condition on supply_orders o that limits a read
// to what the caller may see: households in the scope for staff, the
// orders of its partners for a partner's user.
func orderReach(ctx context.Context) (string, []any) {
	p := frontline.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return "", nil
	case p.Can(frontline.PermPlaceOrders) || p.Can(frontline.PermManageSupply):
		return scopeCond(ctx, "o.path")
	case p.Can(frontline.PermFillOrders) || p.Can(frontline.PermFillMedicines):
		return `o.partner_id IN (SELECT partner_id FROM supply_partner_users WHERE user_id = ?)`, []any{p.UserID}
	}
	return "1 = 0", nil
}

// orderReader refuses a principal who may neither order nor fill.
func orderReader(ctx context.Context) error {
	p := frontline.PrincipalFrom(ctx)
	if p == nil || p.Can(frontline.PermPlaceOrders) || p.Can(frontline.PermManageSupply) || p.Can(frontline.PermFillOrders) ||
		p.Can(frontline.PermFillMedicines) {
		return nil
	}
	return forbidden(p, frontline.PermPlaceOrders)
}

// queryOrders reads orders matching where (within the caller's reach)
// with their lines and addresses.
func (tx *Tx) queryOrders(ctx context.Context, where []string, args []any, tail string) ([]*frontline.Order, error) {
	if cond, a := orderReach(ctx); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	q := `SELECT ` + orderColumns + ` FROM supply_orders o JOIN supply_partners sp ON sp.id = o.partner_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := tx.QueryContext(ctx, q+tail, args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Order{}
	var paths []string
	for rows.Next() {
		o, path, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out, paths = append(out, o), append(paths, path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := tx.orderAddresses(ctx, out, paths); err != nil {
		return nil, err
	}
	return out, tx.orderLines(ctx, out)
}

// orderAddresses names each order's door below its community and its
// building.
func (tx *Tx) orderAddresses(ctx context.Context, os []*frontline.Order, paths []string) error {
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return err
	}
	for i, o := range os {
		var parts []string
		for _, id := range frontline.PathIDs(paths[i]) {
			p := names[id]
			if p == nil || p.Kind.Rank() <= frontline.KindCommunity.Rank() {
				continue
			}
			parts = append(parts, p.Name)
			switch p.Kind {
			case frontline.KindBuilding:
				o.Building, o.BuildingID = p.Name, p.ID
			case frontline.KindCompound:
				o.CompoundID = p.ID
			}
		}
		o.Address = strings.Join(parts, "/")
	}
	return nil
}

const orderLineColumns = `id, order_id, item_id, name, unit, price, quantity, filled, COALESCE(sub_item_id, 0), sub_name, sub_unit,
	sub_price, sub_quantity, sub_answer`

// orderLines fills the lines of orders.
func (tx *Tx) orderLines(ctx context.Context, os []*frontline.Order) error {
	byID := make(map[int64]*frontline.Order, len(os))
	ids := make([]int64, 0, len(os))
	for _, o := range os {
		o.Lines = []frontline.OrderLine{}
		byID[o.ID] = o
		ids = append(ids, o.ID)
	}
	return tx.eachRow(ctx, `SELECT `+orderLineColumns+` FROM supply_order_lines WHERE order_id IN %s ORDER BY order_id, id`, ids,
		func(sc interface{ Scan(...any) error }) error {
			var l frontline.OrderLine
			var orderID int64
			var s frontline.Substitute
			if err := sc.Scan(&l.ID, &orderID, &l.ItemID, &l.Name, &l.Unit, &l.Price, &l.Quantity, &l.Filled, &s.ItemID, &s.Name,
				&s.Unit, &s.Price, &s.Quantity, &s.Answer); err != nil {
				return err
			}
			if s.ItemID != 0 {
				l.Substitute = &s
			}
			byID[orderID].Lines = append(byID[orderID].Lines, l)
			return nil
		})
}

// findOrder returns one order the caller may see, with its household's
// path.
func (tx *Tx) findOrder(ctx context.Context, id int64) (*frontline.Order, string, error) {
	os, err := tx.queryOrders(ctx, []string{`o.id = ?`}, []any{id}, "")
	if err != nil {
		return nil, "", err
	}
	if len(os) == 0 {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "order %d not found", id)
	}
	var path string
	if err := tx.QueryRowContext(ctx, `SELECT path FROM supply_orders WHERE id = ?`, id).Scan(&path); err != nil {
		return nil, "", err
	}
	return os[0], path, nil
}

// FindOrderByID returns an order the caller may see.
func (s *OrderService) FindOrderByID(ctx context.Context, id int64) (*frontline.Order, error) {
	return findByID(ctx, s.db, orderReader, (*Tx).findOrder, id)
}

// FindOrders returns the orders the caller may see that match f, newest
// first, and the total.
func (s *OrderService) FindOrders(ctx context.Context, f frontline.OrderFilter) ([]*frontline.Order, int, error) {
	return findPage(ctx, s.db, orderReader, `supply_orders o`, orderReach,
		func(tx *Tx) ([]string, []any, error) { return tx.orderWhere(ctx, f) },
		func(tx *Tx, where []string, args []any) ([]*frontline.Order, error) {
			return tx.queryOrders(ctx, where, args, ` ORDER BY o.id DESC`+limitClause(f.Offset, f.Limit))
		})
}

// orderWhere builds the conditions of a filter.
func (tx *Tx) orderWhere(ctx context.Context, f frontline.OrderFilter) ([]string, []any, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.ID != nil {
		add(`o.id = ?`, *f.ID)
	}
	if f.HouseholdID != nil {
		add(`o.household_id = ?`, *f.HouseholdID)
	}
	if f.PartnerID != nil {
		add(`o.partner_id = ?`, *f.PartnerID)
	}
	if f.GroupID != nil {
		add(`o.group_id = ?`, *f.GroupID)
	}
	if len(f.Status) > 0 {
		a := make([]any, len(f.Status))
		for i, s := range f.Status {
			a[i] = string(s)
		}
		add(`o.status IN `+inList(len(a)), a...)
	}
	if f.DeliveryDay != "" {
		add(`o.delivery_day = ?`, f.DeliveryDay)
	}
	if f.Unpaid {
		add(`NOT o.paid AND o.status <> ?`, string(frontline.OrderCancelled))
	}
	return tx.andUnder(ctx, f.Under, "o.path", where, args)
}

// PlaceOrder places a household's order for staff with orders.place in
// its scope, or drafts it into an open group order.
func (s *OrderService) PlaceOrder(ctx context.Context, r frontline.OrderRequest) (*frontline.Order, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	hh, err := tx.findPlaceByID(ctx, r.HouseholdID)
	if err != nil {
		return nil, err
	}
	source := frontline.SourceStaff
	if r.GroupID != 0 {
		source = frontline.SourceGroup
	}
	o, err := tx.placeOrder(ctx, hh, r, source)
	if err != nil {
		return nil, err
	}
	return o, tx.Commit()
}

// partnerServing returns a partner that serves the household at path and
// still works, whatever the caller's scope.
func (tx *Tx) partnerServing(ctx context.Context, id int64, path string) (*frontline.Partner, error) {
	anc := frontline.AncestorPaths(path)
	args := append([]any{id}, make([]any, 0, len(anc))...)
	for _, a := range anc {
		args = append(args, a)
	}
	var p frontline.Partner
	err := tx.QueryRowContext(ctx, `SELECT sp.id, sp.kind, sp.name, sp.retired FROM supply_partners sp WHERE sp.id = ?
		AND sp.id IN (SELECT partner_id FROM supply_partner_areas WHERE path IN `+inList(len(anc))+`)`, args...).
		Scan(&p.ID, &p.Kind, &p.Name, &p.Retired)
	if errors.Is(err, sql.ErrNoRows) || err == nil && p.Retired {
		return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "partner_id", Message: "this shop or pharmacy does not serve the household"}
	}
	return &p, err
}

// placeOrder checks and writes an order of household hh: the partner
// serves it, the window is open, each item is the partner's and on sale,
// within its limit per household a day, and in stock (reserved now unless
// the order is drafted into a group). A request with a key the household
// used already returns that order.
func (tx *Tx) placeOrder(ctx context.Context, hh *frontline.Place, r frontline.OrderRequest, source frontline.OrderSource) (*frontline.Order, error) {
	if hh.Kind != frontline.KindHousehold {
		return nil, frontline.FieldError("household_id", "%s is not a household", hh.Name)
	}
	if r.Key != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM supply_orders WHERE household_id = ? AND order_key = ?`, hh.ID, r.Key).Scan(&id)
		if err == nil {
			o, err := tx.queryOrders(context.Background(), []string{`o.id = ?`}, []any{id}, "")
			if err != nil {
				return nil, err
			}
			return o[0], nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	partner, err := tx.partnerServing(ctx, r.PartnerID, hh.Path)
	if err != nil {
		return nil, err
	}
	status := frontline.OrderPlaced
	if r.GroupID != 0 {
		g, err := tx.groupByID(ctx, r.GroupID)
		if err != nil {
			return nil, err
		}
		if !g.SentAt.IsZero() || g.PartnerID != partner.ID || !strings.HasPrefix(hh.Path, g.path) {
			return nil, frontline.Errorf(frontline.ECONFLICT, "the group order is sent already, or is for another shop or building")
		}
		status = frontline.OrderDraft
	}
	w, err := tx.windowFor(ctx, hh.Path)
	if err != nil {
		return nil, err
	}
	if w.Closed {
		return nil, frontline.Errorf(frontline.ECONFLICT, "ordering is paused here")
	}
	o := &frontline.Order{HouseholdID: hh.ID, PartnerID: partner.ID, GroupID: r.GroupID, Source: source, Status: status,
		DeliveryDay: w.DeliveryDay(tx.now, tx.db.Location), Note: r.Note, Key: r.Key, CreatedAt: tx.now, UpdatedAt: tx.now,
		CreatedBy: frontline.ActorFrom(ctx).String(), PartnerName: partner.Name}
	if o.Lines, err = tx.orderLinesFor(ctx, hh.ID, partner.ID, o.DeliveryDay, r.Quantities); err != nil {
		return nil, err
	}
	if status == frontline.OrderPlaced {
		if err := tx.reserve(ctx, o.Lines, ""); err != nil {
			return nil, err
		}
	}
	for _, l := range o.Lines {
		o.Total += l.Amount()
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO supply_orders (household_id, partner_id, group_id, path, source, status, delivery_day,
		total, note, order_key, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		hh.ID, partner.ID, nullID(r.GroupID), hh.Path, string(source), string(status), o.DeliveryDay, o.Total, o.Note, o.Key,
		tx.now, o.CreatedBy, tx.now).Scan(&o.ID); err != nil {
		return nil, tx.db.translate(err)
	}
	for i := range o.Lines {
		l := &o.Lines[i]
		if err := tx.QueryRowContext(ctx, `INSERT INTO supply_order_lines (order_id, item_id, name, unit, price, quantity)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, o.ID, l.ItemID, l.Name, l.Unit, l.Price, l.Quantity).Scan(&l.ID); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, "create", "supply_order", o.ID, hh.Path, nil, orderFields(o)); err != nil {
		return nil, err
	}
	return o, nil
}

func orderFields(o *frontline.Order) map[string]any {
	lines := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = fmt.Sprintf("%d×%d", l.ItemID, l.Quantity)
	}
	return map[string]any{"household_id": o.HouseholdID, "partner_id": o.PartnerID, "status": o.Status, "source": o.Source,
		"delivery_day": o.DeliveryDay, "total": o.Total, "lines": lines, "group_id": o.GroupID}
}

// orderLinesFor turns quantities into lines of the partner's items,
// checking each item's limit against what the household has ordered of it
// for the day already.
func (tx *Tx) orderLinesFor(ctx context.Context, household, partner int64, day string, qty map[int64]int) ([]frontline.OrderLine, error) {
	var ids []int64
	for id, q := range qty {
		if q > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	items, err := tx.queryCatalog(ctx, `partner_id = ? AND id IN `+inList(len(ids)), append([]any{partner}, int64Args(ids)...)...)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*frontline.CatalogItem{}
	for _, it := range items {
		byID[it.ID] = it
	}
	already := map[int64]int{}
	rows, err := tx.QueryContext(ctx, `SELECT l.item_id, l.quantity FROM supply_order_lines l JOIN supply_orders o ON o.id = l.order_id
		WHERE o.household_id = ? AND o.delivery_day = ? AND o.status <> ? AND l.item_id IN `+inList(len(ids)),
		append([]any{household, day, string(frontline.OrderCancelled)}, int64Args(ids)...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, err
		}
		already[id] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	lines := make([]frontline.OrderLine, 0, len(ids))
	for _, id := range ids {
		it := byID[id]
		if it == nil || it.Retired {
			return nil, frontline.FieldError("quantity", "item %d is not on sale here", id)
		}
		if err := frontline.CheckLimit(it, already[id], qty[id]); err != nil {
			return nil, err
		}
		lines = append(lines, frontline.OrderLine{ItemID: id, Name: it.Name, Unit: it.Unit, Price: it.Price, Quantity: qty[id], Filled: -1})
	}
	return lines, nil
}

// queryCatalog reads catalogue items matching where, in id order.
func (tx *Tx) queryCatalog(ctx context.Context, where string, args ...any) ([]*frontline.CatalogItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+catalogColumns+` FROM supply_items WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.CatalogItem
	for rows.Next() {
		it, err := scanCatalogItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// reserve takes the lines' quantities from stock, refusing the whole
// order when an item has too few left; who names the household in the
// message (a group order's).
func (tx *Tx) reserve(ctx context.Context, lines []frontline.OrderLine, who string) error {
	for _, l := range lines {
		res, err := tx.ExecContext(ctx, `UPDATE supply_items SET stock = stock - ? WHERE id = ? AND stock >= ?`, l.Quantity, l.ItemID, l.Quantity)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			var left int
			if err := tx.QueryRowContext(ctx, `SELECT stock FROM supply_items WHERE id = ?`, l.ItemID).Scan(&left); err != nil {
				return err
			}
			return &frontline.Error{Code: frontline.ECONFLICT, Field: "quantity",
				Message: fmt.Sprintf("%sonly %d %s of %s left", who, left, l.Unit, l.Name)}
		}
	}
	return nil
}

// unreserve puts the lines' quantities back in stock.
func (tx *Tx) unreserve(ctx context.Context, lines []frontline.OrderLine) error {
	for _, l := range lines {
		if _, err := tx.ExecContext(ctx, `UPDATE supply_items SET stock = stock + ? WHERE id = ?`, l.Quantity, l.ItemID); err != nil {
			return err
		}
	}
	return nil
}

// orderTx begins a write on one order for staff with orders.place in its
// scope, or one of its partner's users.
func (s *OrderService) orderTx(ctx context.Context, id int64) (*Tx, *frontline.Order, string, error) {
	if err := orderReader(ctx); err != nil {
		return nil, nil, "", err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	o, path, err := tx.findOrder(ctx, id)
	if err != nil {
		tx.Rollback()
		return nil, nil, "", err
	}
	return tx, o, path, nil
}

// CancelOrder cancels an order not yet packed and returns its stock.
func (s *OrderService) CancelOrder(ctx context.Context, id int64, reason string) (*frontline.Order, error) {
	reason = strings.TrimSpace(reason)
	if err := frontline.CheckLine("reason", reason); err != nil {
		return nil, err
	}
	tx, o, path, err := s.orderTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if o.Status != frontline.OrderPlaced && o.Status != frontline.OrderDraft {
		return nil, frontline.Errorf(frontline.ECONFLICT, "an order that is packed already cannot be cancelled")
	}
	if o.Status == frontline.OrderPlaced {
		if err := tx.unreserve(ctx, o.Lines); err != nil {
			return nil, err
		}
	}
	if err := tx.setOrderStatus(ctx, o, path, frontline.OrderCancelled, map[string]any{"reason": reason}); err != nil {
		return nil, err
	}
	return o, tx.Commit()
}

// setOrderStatus moves an order to status, audited with extra.
func (tx *Tx) setOrderStatus(ctx context.Context, o *frontline.Order, path string, status frontline.OrderStatus, extra map[string]any) error {
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET status = ?, updated_at = ? WHERE id = ?`, string(status), tx.now, o.ID); err != nil {
		return err
	}
	after := map[string]any{"status": status}
	for k, v := range extra {
		after[k] = v
	}
	before := map[string]any{"status": o.Status}
	o.Status, o.UpdatedAt = status, tx.now
	return tx.audit(ctx, "status", "supply_order", o.ID, path, before, after)
}

// SetPaid records whether an order was paid.
func (s *OrderService) SetPaid(ctx context.Context, id int64, paid bool) (*frontline.Order, error) {
	tx, o, path, err := s.orderTx(ctx, id)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if o.Status == frontline.OrderCancelled {
		return nil, frontline.Errorf(frontline.ECONFLICT, "the order was cancelled")
	}
	if o.Paid != paid {
		if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET paid = ?, updated_at = ? WHERE id = ?`, paid, tx.now, o.ID); err != nil {
			return nil, err
		}
		if err := tx.audit(ctx, "paid", "supply_order", o.ID, path, map[string]any{"paid": o.Paid}, map[string]any{"paid": paid}); err != nil {
			return nil, err
		}
		o.Paid, o.UpdatedAt = paid, tx.now
	}
	return o, tx.Commit()
}
