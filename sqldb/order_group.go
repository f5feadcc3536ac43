package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

// A building's group order (团购): its leader gathers what each household
// wants from one partner as drafts, which reserve nothing, then sends them
// all at once.

// group is a group order with its path.
type group struct {
	frontline.OrderGroup
	path string
}

const groupColumns = `g.id, g.partner_id, g.place_id, g.path, g.leader, g.sent_at, g.created_at, sp.name, p.name`

func scanGroup(sc interface{ Scan(...any) error }) (*group, error) {
	var g group
	if err := sc.Scan(&g.ID, &g.PartnerID, &g.PlaceID, &g.path, &g.Leader, nullTimeDest{&g.SentAt}, &g.CreatedAt, &g.PartnerName,
		&g.PlaceName); err != nil {
		return nil, err
	}
	g.CreatedAt = g.CreatedAt.UTC()
	return &g, nil
}

const groupFrom = ` FROM supply_groups g JOIN supply_partners sp ON sp.id = g.partner_id JOIN places p ON p.id = g.place_id`

// groupByID returns a group whatever the caller's scope.
func (tx *Tx) groupByID(ctx context.Context, id int64) (*group, error) {
	g, err := scanGroup(tx.QueryRowContext(ctx, `SELECT `+groupColumns+groupFrom+` WHERE g.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "group order %d not found", id)
	}
	return g, err
}

// findGroup returns a group in the caller's scope, with its orders.
func (tx *Tx) findGroup(ctx context.Context, id int64) (*group, error) {
	g, err := tx.groupByID(ctx, id)
	if err == nil && !visible(ctx, g.path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "group order %d not found", id)
	} else if err != nil {
		return nil, err
	}
	if g.Orders, err = tx.queryOrders(ctx, []string{`o.group_id = ?`, `o.status <> ?`}, []any{g.ID, string(frontline.OrderCancelled)},
		` ORDER BY o.path, o.id`); err != nil {
		return nil, err
	}
	for _, o := range g.Orders {
		g.Total += o.Total
	}
	return g, nil
}

// CreateGroup opens a group order of a building (any node at or below a
// compound) in the caller's scope, for a partner that serves it.
func (s *OrderService) CreateGroup(ctx context.Context, g *frontline.OrderGroup) error {
	g.Leader = strings.TrimSpace(g.Leader)
	if err := frontline.CheckLine("leader", g.Leader); err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, g.PlaceID)
	if err != nil {
		return err
	}
	if place.Kind.Rank() < frontline.KindCompound.Rank() || place.Kind == frontline.KindHousehold {
		return frontline.FieldError("place_id", "a group order is of a compound, a building or a unit")
	}
	sp, err := tx.partnerServing(ctx, g.PartnerID, place.Path)
	if err != nil {
		return err
	}
	if g.Leader == "" {
		g.Leader = frontline.ActorFrom(ctx).String()
	}
	g.CreatedAt, g.PartnerName, g.PlaceName = tx.now, sp.Name, place.Name
	if err := tx.QueryRowContext(ctx, `INSERT INTO supply_groups (partner_id, place_id, path, leader, created_at) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, sp.ID, place.ID, place.Path, g.Leader, tx.now).Scan(&g.ID); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "supply_group", g.ID, place.Path, nil, map[string]any{"partner_id": sp.ID, "leader": g.Leader}); err != nil {
		return err
	}
	return tx.Commit()
}

// FindGroupByID returns a group in the caller's scope with its orders.
func (s *OrderService) FindGroupByID(ctx context.Context, id int64) (*frontline.OrderGroup, error) {
	tx, err := s.db.readTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	g, err := tx.findGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	return &g.OrderGroup, nil
}

// FindGroups lists the groups at or under a node, newest first.
func (s *OrderService) FindGroups(ctx context.Context, under int64) ([]*frontline.OrderGroup, error) {
	tx, err := s.db.readTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args, err := tx.andUnder(ctx, &under, "g.path", nil, nil)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+groupColumns+groupFrom+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY g.id DESC LIMIT 100`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.OrderGroup{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, &g.OrderGroup)
	}
	return out, rows.Err()
}

// SendGroup places every drafted order of a group in one transaction:
// stock is reserved household by household, and one that runs short
// refuses the whole group, naming the door. Each order's delivery day is
// that of the window when the group is sent.
func (s *OrderService) SendGroup(ctx context.Context, id int64) (*frontline.OrderGroup, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	g, err := tx.findGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	if !g.SentAt.IsZero() {
		return &g.OrderGroup, nil // sent twice: once
	}
	if len(g.Orders) == 0 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "the group order has no household's order yet")
	}
	for _, o := range g.Orders {
		if o.Status != frontline.OrderDraft {
			continue
		}
		var path string
		if err := tx.QueryRowContext(ctx, `SELECT path FROM supply_orders WHERE id = ?`, o.ID).Scan(&path); err != nil {
			return nil, err
		}
		w, err := tx.windowFor(ctx, path)
		if err != nil {
			return nil, err
		}
		if w.Closed {
			return nil, frontline.Errorf(frontline.ECONFLICT, "ordering is paused here")
		}
		if err := tx.reserve(ctx, o.Lines, o.Address+": "); err != nil {
			return nil, err
		}
		o.DeliveryDay = w.DeliveryDay(tx.now, tx.db.Location)
		if _, err := tx.ExecContext(ctx, `UPDATE supply_orders SET delivery_day = ? WHERE id = ?`, o.DeliveryDay, o.ID); err != nil {
			return nil, err
		}
		if err := tx.setOrderStatus(ctx, o, path, frontline.OrderPlaced, map[string]any{"group_id": g.ID}); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_groups SET sent_at = ? WHERE id = ?`, tx.now, g.ID); err != nil {
		return nil, err
	}
	g.SentAt = tx.now
	if err := tx.audit(ctx, "send", "supply_group", g.ID, g.path, nil, map[string]any{"orders": len(g.Orders), "total": g.Total}); err != nil {
		return nil, err
	}
	return &g.OrderGroup, tx.Commit()
}
