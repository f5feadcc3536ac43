package sqldb

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Shops fill: the pick list of a day by compound and building, what was
// packed for each line (partial fills, substitutes the household accepts
// or refuses), and the hand-over of packed orders at a compound's gate.

// PickList returns a partner's orders to pack for a day.
func (s *OrderService) PickList(ctx context.Context, partnerID int64, day string) (*frontline.PickList, error) {
	tx, err := s.db.readTxIf(ctx, orderReader)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	partner, _, err := tx.findPartner(ctx, partnerID)
	if err != nil {
		return nil, err
	}
	orders, err := tx.queryOrders(ctx, []string{`o.partner_id = ?`, `o.delivery_day = ?`, `o.status IN (?, ?, ?)`},
		[]any{partner.ID, day, string(frontline.OrderPlaced), string(frontline.OrderPacked), string(frontline.OrderAtGate)}, ` ORDER BY o.path, o.id`)
	if err != nil {
		return nil, err
	}
	return pickList(partner, day, orders), nil
}

// pickList groups orders (in path order) by compound and building, and
// totals the items still to pack.
func pickList(partner *frontline.Partner, day string, orders []*frontline.Order) *frontline.PickList {
	pl := &frontline.PickList{Partner: partner, Day: day, Compounds: []*frontline.PickCompound{}, Orders: len(orders)}
	totals := map[int64]*frontline.PickTotal{}
	var order []int64
	for _, o := range orders {
		compound, _, _ := strings.Cut(o.Address, "/")
		var c *frontline.PickCompound
		if n := len(pl.Compounds); n > 0 && pl.Compounds[n-1].ID == o.CompoundID {
			c = pl.Compounds[n-1]
		} else {
			c = &frontline.PickCompound{ID: o.CompoundID, Name: compound}
			pl.Compounds = append(pl.Compounds, c)
		}
		var b *frontline.PickBuilding
		if n := len(c.Buildings); n > 0 && c.Buildings[n-1].ID == o.BuildingID {
			b = c.Buildings[n-1]
		} else {
			b = &frontline.PickBuilding{ID: o.BuildingID, Name: o.Building}
			c.Buildings = append(c.Buildings, b)
		}
		b.Orders = append(b.Orders, o)
		switch o.Status {
		case frontline.OrderPacked:
			c.Packed++
			pl.Packed++
		case frontline.OrderAtGate:
			c.AtGate++
			pl.Packed++
		case frontline.OrderPlaced:
			for _, l := range o.Lines {
				t := totals[l.ItemID]
				if t == nil {
					t = &frontline.PickTotal{ItemID: l.ItemID, Name: l.Name, Unit: l.Unit}
					totals[l.ItemID] = t
					order = append(order, l.ItemID)
				}
				t.Quantity += l.Quantity
			}
		}
	}
	for _, id := range order {
		pl.Totals = append(pl.Totals, *totals[id])
	}
	return pl
}

// FillOrder records what was packed for each line of a placed order and
// marks it packed. Stock reserved but not packed goes back; a substitute
// (another item of the partner) is taken from stock. The total follows.
func (s *OrderService) FillOrder(ctx context.Context, orderID int64, fills []frontline.LineFill) (*frontline.Order, error) {
	tx, o, path, err := s.orderTx(ctx, orderID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if o.Status != frontline.OrderPlaced && o.Status != frontline.OrderPacked {
		return nil, frontline.Errorf(frontline.ECONFLICT, "only an order placed and not yet handed over can be filled")
	}
	byLine := map[int64]frontline.LineFill{}
	for _, f := range fills {
		byLine[f.LineID] = f
	}
	var total int64
	for i := range o.Lines {
		l := &o.Lines[i]
		f, ok := byLine[l.ID]
		if !ok {
			return nil, frontline.AtItem(frontline.FieldError("filled", "say how many of %s were packed", l.Name), i+1)
		}
		if err := tx.fillLine(ctx, o.PartnerID, l, f); err != nil {
			return nil, frontline.AtItem(err, i+1)
		}
		total += l.Amount()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET total = ?, packed_at = ?, updated_at = ? WHERE id = ?`, total, tx.now, tx.now, o.ID); err != nil {
		return nil, err
	}
	o.Total = total
	if err := tx.setOrderStatus(ctx, o, path, frontline.OrderPacked, map[string]any{"total": total, "fills": len(fills)}); err != nil {
		return nil, err
	}
	return o, tx.Commit()
}

// fillLine packs one line: the stock of what was reserved and not packed
// goes back (or more is taken when a line filled before is filled with
// more), and a substitute replaces any earlier one.
func (tx *Tx) fillLine(ctx context.Context, partner int64, l *frontline.OrderLine, f frontline.LineFill) error {
	if f.Filled < 0 || f.Filled > l.Quantity {
		return frontline.FieldError("filled", "between 0 and %d %s of %s can be packed", l.Quantity, l.Unit, l.Name)
	}
	held := l.Quantity // what the line holds of the stock now
	if l.Filled >= 0 {
		held = l.Filled
	}
	if d := held - f.Filled; d > 0 {
		if err := tx.unreserve(ctx, []frontline.OrderLine{{ItemID: l.ItemID, Quantity: d}}); err != nil {
			return err
		}
	} else if d < 0 {
		if err := tx.reserve(ctx, []frontline.OrderLine{{ItemID: l.ItemID, Name: l.Name, Unit: l.Unit, Quantity: -d}}, ""); err != nil {
			return err
		}
	}
	if old := l.Substitute; old != nil && old.Answer != frontline.SubstituteRefused {
		if err := tx.unreserve(ctx, []frontline.OrderLine{{ItemID: old.ItemID, Quantity: old.Quantity}}); err != nil {
			return err
		}
	}
	l.Filled, l.Substitute = f.Filled, nil
	var sub frontline.Substitute
	if f.SubstituteID != 0 {
		if f.Filled == l.Quantity {
			return frontline.FieldError("substitute", "a substitute is for what is missing; all of %s was packed", l.Name)
		}
		if f.SubQuantity <= 0 || f.SubQuantity > 1000 {
			return frontline.FieldError("sub_quantity", "say how many of the substitute were packed")
		}
		items, err := tx.queryCatalog(ctx, `partner_id = ? AND id = ?`, partner, f.SubstituteID)
		if err != nil {
			return err
		}
		if len(items) == 0 || items[0].Retired || items[0].ID == l.ItemID {
			return frontline.FieldError("substitute", "the substitute is another item of this shop's catalogue")
		}
		it := items[0]
		sub = frontline.Substitute{ItemID: it.ID, Name: it.Name, Unit: it.Unit, Price: it.Price, Quantity: f.SubQuantity}
		if err := tx.reserve(ctx, []frontline.OrderLine{{ItemID: it.ID, Name: it.Name, Unit: it.Unit, Quantity: f.SubQuantity}}, ""); err != nil {
			return err
		}
		l.Substitute = &sub
	}
	_, err := tx.ExecContext(ctx, `UPDATE supply_order_lines SET filled = ?, sub_item_id = ?, sub_name = ?, sub_unit = ?, sub_price = ?,
		sub_quantity = ?, sub_answer = '' WHERE id = ?`, l.Filled, nullID(sub.ItemID), sub.Name, sub.Unit, sub.Price, sub.Quantity, l.ID)
	return err
}

// AnswerSubstitute records a household's answer to a substitute through
// its link.
func (s *OrderService) AnswerSubstitute(ctx context.Context, secret string, lineID int64, accept bool) (*frontline.Order, error) {
	ctx, tx, _, hh, err := s.db.linkTx(ctx, secret)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	o, err := tx.answerSubstitute(ctx, lineID, accept, &hh.ID)
	if err != nil {
		return nil, err
	}
	o.Address, o.Building = "", ""
	return o, tx.Commit()
}

// AnswerForHousehold records a household's answer given to staff (with
// orders.place in its scope) on the phone.
func (s *OrderService) AnswerForHousehold(ctx context.Context, lineID int64, accept bool) (*frontline.Order, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	o, err := tx.answerSubstitute(ctx, lineID, accept, nil)
	if err != nil {
		return nil, err
	}
	return o, tx.Commit()
}

// answerSubstitute records the answer to the substitute of a line of an
// order of household (any the caller may see when nil). A refused
// substitute goes back to stock and out of the total; an answer given
// stands (asked again, it changes nothing).
func (tx *Tx) answerSubstitute(ctx context.Context, lineID int64, accept bool, household *int64) (*frontline.Order, error) {
	var orderID int64
	if err := tx.QueryRowContext(ctx, `SELECT order_id FROM supply_order_lines WHERE id = ?`, lineID).Scan(&orderID); err != nil {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "line %d not found", lineID)
	}
	o, path, err := tx.findOrder(ctx, orderID)
	if err != nil || household != nil && o.HouseholdID != *household {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "line %d not found", lineID)
	}
	var l *frontline.OrderLine
	for i := range o.Lines {
		if o.Lines[i].ID == lineID {
			l = &o.Lines[i]
		}
	}
	if l.Substitute == nil || o.Status == frontline.OrderDelivered || o.Status == frontline.OrderCancelled {
		return nil, frontline.Errorf(frontline.ECONFLICT, "there is no substitute to answer")
	}
	if l.Substitute.Answer != "" {
		return o, nil
	}
	answer := frontline.SubstituteRefused
	if accept {
		answer = frontline.SubstituteAccepted
	} else if err := tx.unreserve(ctx, []frontline.OrderLine{{ItemID: l.Substitute.ItemID, Quantity: l.Substitute.Quantity}}); err != nil {
		return nil, err
	}
	l.Substitute.Answer = answer
	var total int64
	for i := range o.Lines {
		total += o.Lines[i].Amount()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_order_lines SET sub_answer = ? WHERE id = ?`, answer, lineID); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET total = ?, updated_at = ? WHERE id = ?`, total, tx.now, o.ID); err != nil {
		return nil, err
	}
	o.Total = total
	if err := tx.audit(ctx, "substitute", "supply_order", o.ID, path, nil, map[string]any{"line_id": lineID, "answer": answer, "total": total}); err != nil {
		return nil, err
	}
	return o, nil
}

// HandOver marks the partner's packed orders of a day for the households
// under a compound as handed over at its gate: contactless, the shop
// leaves them and the gate counts them.
func (s *OrderService) HandOver(ctx context.Context, partnerID, compoundID int64, day string) (int, error) {
	if err := orderReader(ctx); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	compound, err := tx.placeByID(ctx, compoundID)
	if err != nil {
		return 0, err
	}
	if compound.Kind != frontline.KindCompound {
		return 0, frontline.FieldError("compound", "%s is not a compound", compound.Name)
	}
	lo, hi := subtreeRange(compound.Path)
	orders, err := tx.queryOrders(ctx, []string{`o.partner_id = ?`, `o.delivery_day = ?`, `o.status = ?`, `o.path >= ? AND o.path < ?`},
		[]any{partnerID, day, string(frontline.OrderPacked), lo, hi}, ` ORDER BY o.id`)
	if err != nil {
		return 0, err
	}
	by := frontline.ActorFrom(ctx).String()
	for _, o := range orders {
		if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET status = ?, handed_at = ?, handed_by = ?, updated_at = ? WHERE id = ?`,
			string(frontline.OrderAtGate), tx.now, by, tx.now, o.ID); err != nil {
			return 0, err
		}
	}
	if err := tx.deliveryNotices(ctx, orders, func(*frontline.Order) frontline.Drop { return "" }); err != nil {
		return 0, err
	}
	if len(orders) > 0 {
		if err := tx.audit(ctx, "handover", "supply_partner", partnerID, compound.Path, nil,
			map[string]any{"day": day, "compound_id": compound.ID, "orders": len(orders)}); err != nil {
			return 0, err
		}
	}
	return len(orders), tx.Commit()
}

// GateCounts returns where each partner's orders of a day under a node
// stand.
func (s *OrderService) GateCounts(ctx context.Context, placeID int64, day string) ([]*frontline.GateCount, error) {
	tx, err := s.db.readTxIf(ctx, orderReader)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args, err := tx.andUnder(ctx, &placeID, "o.path", []string{`o.delivery_day = ?`}, []any{day})
	if err != nil {
		return nil, err
	}
	if cond, a := orderReach(ctx); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	rows, err := tx.QueryContext(ctx, `SELECT o.partner_id, sp.name, o.status, COUNT(*) FROM supply_orders o
		JOIN supply_partners sp ON sp.id = o.partner_id WHERE `+strings.Join(where, " AND ")+`
		GROUP BY o.partner_id, sp.name, o.status ORDER BY sp.name, o.partner_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.GateCount
	for rows.Next() {
		var id int64
		var name, status string
		var n int
		if err := rows.Scan(&id, &name, &status, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].PartnerID != id {
			out = append(out, &frontline.GateCount{PartnerID: id, PartnerName: name})
		}
		g := out[len(out)-1]
		switch frontline.OrderStatus(status) {
		case frontline.OrderPlaced:
			g.Placed = n
		case frontline.OrderPacked:
			g.Packed = n
		case frontline.OrderAtGate:
			g.AtGate = n
		case frontline.OrderOut:
			g.Out = n
		case frontline.OrderDelivered:
			g.Delivered = n
		case frontline.OrderReturned:
			g.Returned = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	meds, err := tx.medicineGateCounts(ctx, placeID, day)
	return append(out, meds...), err
}

// medicineGateCounts counts, per pharmacy, the medicine requests under a
// node at the gate: where they stand now (on today's count), and those a
// run delivered or returned on the day. Counts only: whoever carries runs
// in the scope sees them, a partner's user only its own.
func (tx *Tx) medicineGateCounts(ctx context.Context, placeID int64, day string) ([]*frontline.GateCount, error) {
	from, err := time.ParseInLocation(frontline.DateLayout, day, tx.db.Location)
	if err != nil {
		return nil, frontline.FieldError("day", "not a date (YYYY-MM-DD)")
	}
	where, args, err := tx.andUnder(ctx, &placeID, "m.path", []string{"m.purged_at IS NULL"}, []any{})
	if err != nil {
		return nil, err
	}
	if p := frontline.PrincipalFrom(ctx); p != nil && p.Can(frontline.PermDeliver) {
		where, args = andScope(ctx, "m.path", where, args)
	} else {
		cond, a := medicineReach(ctx)
		where, args = andCond(where, args, cond, a)
	}
	cond := strings.Join(where, " AND ")
	byPartner := map[int64]*frontline.GateCount{}
	var out []*frontline.GateCount
	row := func(id int64, name string) *frontline.GateCount {
		if g := byPartner[id]; g != nil {
			return g
		}
		g := &frontline.GateCount{PartnerID: id, PartnerName: name, Medicine: true}
		byPartner[id], out = g, append(out, g)
		return g
	}
	count := func(q string, args []any, add func(g *frontline.GateCount, status string, n int)) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name, status string
			var n int
			if err := rows.Scan(&id, &name, &status, &n); err != nil {
				return err
			}
			add(row(id, name), status, n)
		}
		return rows.Err()
	}
	if localDay(tx.now, tx.db.Location) == day {
		if err := count(`SELECT m.partner_id, sp.name, m.status, COUNT(*) FROM medicine_requests m JOIN supply_partners sp ON sp.id = m.partner_id
			WHERE `+cond+` AND m.status IN (?, ?, ?, ?) GROUP BY m.partner_id, sp.name, m.status ORDER BY sp.name, m.partner_id`,
			append(slices.Clone(args), string(frontline.MedicineRequested), string(frontline.MedicineConsultation), string(frontline.MedicineFilled),
				string(frontline.MedicineOut)),
			func(g *frontline.GateCount, status string, n int) {
				switch frontline.MedicineStatus(status) {
				case frontline.MedicineRequested, frontline.MedicineConsultation:
					g.Placed += n
				case frontline.MedicineFilled:
					g.AtGate = n
				case frontline.MedicineOut:
					g.Out = n
				}
			}); err != nil {
			return nil, err
		}
	}
	err = count(`SELECT m.partner_id, sp.name, p.status, COUNT(*) FROM delivery_parcels p JOIN medicine_requests m ON m.id = p.medicine_id
		JOIN supply_partners sp ON sp.id = m.partner_id WHERE `+cond+` AND p.status IN (?, ?) AND p.at >= ? AND p.at < ?
		GROUP BY m.partner_id, sp.name, p.status ORDER BY sp.name, m.partner_id`,
		append(slices.Clone(args), string(frontline.ParcelDelivered), string(frontline.ParcelReturned), from.UTC(), from.AddDate(0, 0, 1).UTC()),
		func(g *frontline.GateCount, status string, n int) {
			if frontline.ParcelStatus(status) == frontline.ParcelDelivered {
				g.Delivered = n
			} else {
				g.Returned = n
			}
		})
	return out, err
}
