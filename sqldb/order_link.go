package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/frontline-org/frontline"
)

// A household orders through a link of its own, as residents under a
// measure report their health (selfreport.go): the link carries a random
// secret of which only the hash is kept, reaches one household and
// nothing else, and making a new link ends the old one.

// errOrderLinkGone is the one answer to every link that does not work.
var errOrderLinkGone = frontline.Errorf(frontline.ENOTFOUND, "this link does not work (any more); ask your community for a new one")

// CreateOrderLink makes a household's ordering link, ending any earlier
// one, for staff with orders.place in its scope.
func (s *OrderService) CreateOrderLink(ctx context.Context, householdID int64) (*frontline.OrderLink, string, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	hh, err := tx.findPlaceByID(ctx, householdID)
	if err != nil {
		return nil, "", err
	}
	if hh.Kind != frontline.KindHousehold {
		return nil, "", frontline.FieldError("household_id", "%s is not a household", hh.Name)
	}
	secret, err := newSecret()
	if err != nil {
		return nil, "", err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_order_links SET revoked_at = ? WHERE household_id = ? AND revoked_at IS NULL`,
		tx.now, hh.ID); err != nil {
		return nil, "", err
	}
	l := &frontline.OrderLink{HouseholdID: hh.ID, CreatedAt: tx.now, CreatedBy: frontline.ActorFrom(ctx).String()}
	if err := tx.QueryRowContext(ctx, `INSERT INTO supply_order_links (household_id, hash, path, created_at, created_by)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, hh.ID, hashSecret(secret), hh.Path, tx.now, l.CreatedBy).Scan(&l.ID); err != nil {
		return nil, "", tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "supply_order_link", l.ID, hh.Path, nil, map[string]any{"household_id": hh.ID}); err != nil {
		return nil, "", err
	}
	return l, secret, tx.Commit()
}

// findOrderLink resolves a secret to its household; no principal is
// involved.
func (tx *Tx) findOrderLink(ctx context.Context, secret string) (int64, *frontline.Place, error) {
	if len(secret) < 20 || len(secret) > 100 {
		return 0, nil, errOrderLinkGone
	}
	var id, household int64
	err := tx.QueryRowContext(ctx, `SELECT id, household_id FROM supply_order_links WHERE hash = ? AND revoked_at IS NULL`,
		hashSecret(secret)).Scan(&id, &household)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, errOrderLinkGone
	} else if err != nil {
		return 0, nil, err
	}
	hh, err := tx.placeByID(ctx, household)
	if err != nil || hh.Retired() {
		return 0, nil, errOrderLinkGone
	}
	return id, hh, nil
}

// OrderLinkView returns what a household's link page shows.
func (s *OrderService) OrderLinkView(ctx context.Context, secret string) (*frontline.OrderLinkView, error) {
	ctx = frontline.AsSystem(ctx) // the secret is the only credential: one household
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	_, hh, err := tx.findOrderLink(ctx, secret)
	if err != nil {
		return nil, err
	}
	return tx.orderLinkView(ctx, hh)
}

// orderLinkView gathers the partners serving a household, their
// catalogues, its window and its last orders.
func (tx *Tx) orderLinkView(ctx context.Context, hh *frontline.Place) (*frontline.OrderLinkView, error) {
	v := &frontline.OrderLinkView{HouseholdID: hh.ID, Catalogs: map[int64][]*frontline.CatalogItem{}}
	anc := frontline.AncestorPaths(hh.Path)
	args := make([]any, len(anc))
	for i, a := range anc {
		args[i] = a
	}
	var err error
	v.Partners, err = tx.queryPartners(ctx, []string{`NOT sp.retired`, `sp.id IN (SELECT partner_id FROM supply_partner_areas WHERE path IN ` +
		inList(len(anc)) + `)`}, args, ` ORDER BY sp.kind DESC, sp.name, sp.id`)
	if err != nil {
		return nil, err
	}
	for _, p := range v.Partners {
		p.Phone, p.Logins = "", nil // the household needs neither
		if v.Catalogs[p.ID], err = tx.queryItems(ctx, `partner_id = ? AND NOT retired`, p.ID); err != nil {
			return nil, err
		}
	}
	if v.Window, err = tx.windowFor(ctx, hh.Path); err != nil {
		return nil, err
	}
	v.DeliveryDay = v.Window.DeliveryDay(tx.now, tx.db.Location)
	v.Orders, err = tx.queryOrders(ctx, []string{`o.household_id = ?`}, []any{hh.ID}, ` ORDER BY o.id DESC LIMIT 10`)
	if err != nil {
		return nil, err
	}
	for _, o := range v.Orders {
		o.Address, o.Building = "", "" // a link may be forwarded: no address
	}
	return v, nil
}

// linkTx begins a write for the household of a link: the secret is the
// only credential and reaches that household alone, and the audit log
// names the link as the actor. Orders and medicine requests share it.
func (db *DB) linkTx(ctx context.Context, secret string) (context.Context, *Tx, int64, *frontline.Place, error) {
	ctx = frontline.AsSystem(ctx)
	tx, err := db.BeginTx(ctx)
	if err != nil {
		return nil, nil, 0, nil, err
	}
	id, hh, err := tx.findOrderLink(ctx, secret)
	if err != nil {
		tx.Rollback()
		return nil, nil, 0, nil, err
	}
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: fmt.Sprintf("household:link-%d", id), Addr: frontline.ActorFrom(ctx).Addr})
	return ctx, tx, id, hh, nil
}

// OrderByLink places a household's order through its link.
func (s *OrderService) OrderByLink(ctx context.Context, secret string, r frontline.OrderRequest) (*frontline.Order, error) {
	ctx, tx, id, hh, err := s.db.linkTx(ctx, secret)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r.HouseholdID, r.GroupID = hh.ID, 0
	if err := r.Validate(); err != nil {
		return nil, err
	}
	o, err := tx.placeOrder(ctx, hh, r, frontline.SourceLink)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_order_links SET last_used = ? WHERE id = ?`, tx.now, id); err != nil {
		return nil, err
	}
	o.Address, o.Building = "", ""
	return o, tx.Commit()
}

// OrderView returns, for staff with orders.place, what a household of
// their scope may order and its last orders.
func (s *OrderService) OrderView(ctx context.Context, householdID int64) (*frontline.OrderLinkView, error) {
	tx, err := s.db.readTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	hh, err := tx.findPlaceByID(ctx, householdID)
	if err != nil {
		return nil, err
	}
	if hh.Kind != frontline.KindHousehold {
		return nil, frontline.FieldError("household_id", "%s is not a household", hh.Name)
	}
	return tx.orderLinkView(frontline.AsSystem(ctx), hh)
}

// PartnersServing lists the working partners serving a node of the
// caller's scope, without their phones and users.
func (s *OrderService) PartnersServing(ctx context.Context, placeID int64) ([]*frontline.Partner, error) {
	tx, err := s.db.readTx(ctx, frontline.PermPlaceOrders)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	anc := frontline.AncestorPaths(place.Path)
	args := make([]any, len(anc))
	for i, a := range anc {
		args[i] = a
	}
	ps, err := tx.queryPartners(frontline.AsSystem(ctx), []string{`NOT sp.retired`,
		`sp.id IN (SELECT partner_id FROM supply_partner_areas WHERE path IN ` + inList(len(anc)) + `)`}, args, ` ORDER BY sp.kind DESC, sp.name, sp.id`)
	for _, p := range ps {
		p.Phone, p.Logins = "", nil
	}
	return ps, err
}
