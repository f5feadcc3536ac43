package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.PartnerService = (*PartnerService)(nil)

// PartnerService stores partner shops and pharmacies, their users, their
// catalogues and the ordering windows.
type PartnerService struct{ db *DB }

// NewPartnerService returns a PartnerService on db.
func NewPartnerService(db *DB) *PartnerService { return &PartnerService{db: db} }

var partnerColumns = `sp.id, sp.kind, sp.name, sp.phone, sp.address, sp.place_id, sp.retired, sp.created_at, sp.created_by, sp.updated_at, ` +
	`(SELECT COUNT(*) FROM supply_items si WHERE si.partner_id = sp.id AND NOT si.retired), ` + placeColumnsP

func scanPartner(sc interface{ Scan(...any) error }) (*frontline.Partner, error) {
	var s frontline.Partner
	var p frontline.Place
	if err := sc.Scan(&s.ID, &s.Kind, &s.Name, &s.Phone, &s.Address, &s.PlaceID, &s.Retired, &s.CreatedAt, &s.CreatedBy, &s.UpdatedAt,
		&s.Items, &p.ID, &p.ParentID, &p.Kind, &p.Name, &p.Code, &p.Path, &p.Households, &p.Residents, &p.Vulnerable,
		&p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt, s.Place = s.CreatedAt.UTC(), s.UpdatedAt.UTC(), &p
	return &s, nil
}

// partnerReach returns the condition on supply_partners sp (and its
// arguments) that limits a read to what the caller may see: a partner at
// or under the scope for the office, the partners a partner's user works
// for, nothing for anyone else; "" for the system.
func partnerReach(ctx context.Context) (string, []any) {
	p := frontline.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return "", nil
	case p.Can(frontline.PermManageSupply):
		return scopeCond(ctx, "sp.path")
	case p.Can(frontline.PermFillOrders) || p.Can(frontline.PermFillMedicines):
		return `sp.id IN (SELECT partner_id FROM supply_partner_users WHERE user_id = ?)`, []any{p.UserID}
	}
	return "1 = 0", nil
}

// queryPartners reads matching partners with their areas and users.
func (tx *Tx) queryPartners(ctx context.Context, where []string, args []any, tail string) ([]*frontline.Partner, error) {
	if cond, a := partnerReach(ctx); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	q := `SELECT ` + partnerColumns + ` FROM supply_partners sp JOIN places p ON p.id = sp.place_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := tx.QueryContext(ctx, q+tail, args...)
	if err != nil {
		return nil, err
	}
	out := []*frontline.Partner{}
	for rows.Next() {
		s, err := scanPartner(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.partnerDetails(ctx, out)
}

// partnerDetails fills the areas and logins of partners.
func (tx *Tx) partnerDetails(ctx context.Context, ps []*frontline.Partner) error {
	byID := map[int64]*frontline.Partner{}
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		p.Areas, p.AreaNames, p.Logins = []int64{}, []string{}, []string{}
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	err := tx.eachRow(ctx, `SELECT a.partner_id, a.place_id, pl.name FROM supply_partner_areas a JOIN places pl ON pl.id = a.place_id
		WHERE a.partner_id IN %s ORDER BY a.partner_id, a.path`, ids, func(sc interface{ Scan(...any) error }) error {
		var pid, place int64
		var name string
		if err := sc.Scan(&pid, &place, &name); err != nil {
			return err
		}
		byID[pid].Areas = append(byID[pid].Areas, place)
		byID[pid].AreaNames = append(byID[pid].AreaNames, name)
		return nil
	})
	if err != nil {
		return err
	}
	return tx.eachRow(ctx, `SELECT pu.partner_id, u.login FROM supply_partner_users pu JOIN users u ON u.id = pu.user_id
		WHERE pu.partner_id IN %s ORDER BY pu.partner_id, u.login`, ids, func(sc interface{ Scan(...any) error }) error {
		var pid int64
		var login string
		if err := sc.Scan(&pid, &login); err != nil {
			return err
		}
		byID[pid].Logins = append(byID[pid].Logins, login)
		return nil
	})
}

// findPartner returns one partner the caller may see.
func (tx *Tx) findPartner(ctx context.Context, id int64) (*frontline.Partner, string, error) {
	ps, err := tx.queryPartners(ctx, []string{`sp.id = ?`}, []any{id}, "")
	if err != nil {
		return nil, "", err
	}
	if len(ps) == 0 {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "partner %d not found", id)
	}
	return ps[0], ps[0].Place.Path, nil
}

// partnerTx begins a write transaction for work on one partner's own
// things (its catalogue): the office with supply.manage over it, or one of
// the partner's users.
func (s *PartnerService) partnerTx(ctx context.Context, id int64) (*Tx, *frontline.Partner, error) {
	p := frontline.PrincipalFrom(ctx)
	if p != nil && !p.Can(frontline.PermManageSupply) && !p.Can(frontline.PermFillOrders) && !p.Can(frontline.PermFillMedicines) {
		return nil, nil, forbidden(p, frontline.PermManageSupply)
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	partner, _, err := tx.findPartner(ctx, id)
	if err != nil {
		tx.Rollback()
		return nil, nil, err
	}
	return tx, partner, nil
}

// CreatePartner registers a partner at a node in the caller's scope,
// serving areas in the caller's scope.
func (s *PartnerService) CreatePartner(ctx context.Context, sp *frontline.Partner) error {
	if err := sp.Validate(); err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, sp.PlaceID)
	if err != nil {
		return err
	}
	sp.CreatedAt, sp.UpdatedAt, sp.CreatedBy = tx.now, tx.now, frontline.ActorFrom(ctx).String()
	err = tx.QueryRowContext(ctx, `INSERT INTO supply_partners (kind, name, phone, address, place_id, path, created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, string(sp.Kind), sp.Name, sp.Phone, sp.Address, place.ID, place.Path,
		tx.now, sp.CreatedBy, tx.now).Scan(&sp.ID)
	if frontline.ErrorCode(tx.db.translate(err)) == frontline.ECONFLICT {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Message: "a partner of this name is registered here already"}
	} else if err != nil {
		return tx.db.translate(err)
	}
	if err := tx.setPartnerAreas(ctx, sp.ID, sp.Areas); err != nil {
		return err
	}
	if err := tx.audit(ctx, "create", "supply_partner", sp.ID, place.Path, nil, partnerFields(sp)); err != nil {
		return err
	}
	return tx.Commit()
}

func partnerFields(p *frontline.Partner) map[string]any {
	return map[string]any{"kind": p.Kind, "name": p.Name, "phone": frontline.MaskPhone(p.Phone), "address": p.Address,
		"place_id": p.PlaceID, "areas": p.Areas, "retired": p.Retired}
}

// setPartnerAreas replaces the areas of a partner; each must be in the
// caller's scope.
func (tx *Tx) setPartnerAreas(ctx context.Context, id int64, areas []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM supply_partner_areas WHERE partner_id = ?`, id); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, a := range areas {
		if seen[a] {
			continue
		}
		seen[a] = true
		place, err := tx.findPlaceByID(ctx, a)
		if err != nil {
			return frontline.FieldError("areas", "place %d is not in your area", a)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO supply_partner_areas (partner_id, place_id, path) VALUES (?, ?, ?)`,
			id, place.ID, place.Path); err != nil {
			return err
		}
	}
	return nil
}

// UpdatePartner changes a partner registered in the caller's scope.
func (s *PartnerService) UpdatePartner(ctx context.Context, id int64, u frontline.PartnerUpdate) (*frontline.Partner, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sp, path, err := tx.findPartner(ctx, id)
	if err != nil {
		return nil, err
	}
	before := partnerFields(sp)
	if u.Name != nil {
		sp.Name = *u.Name
	}
	if u.Phone != nil {
		sp.Phone = *u.Phone
	}
	if u.Address != nil {
		sp.Address = *u.Address
	}
	if u.Retired != nil {
		sp.Retired = *u.Retired
	}
	if u.Areas != nil {
		sp.Areas = *u.Areas
	}
	if err := sp.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_partners SET name = ?, phone = ?, address = ?, retired = ?, updated_at = ? WHERE id = ?`,
		sp.Name, sp.Phone, sp.Address, sp.Retired, tx.now, sp.ID); err != nil {
		if frontline.ErrorCode(err) == frontline.ECONFLICT {
			return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "name", Message: "a partner of this name is registered here already"}
		}
		return nil, err
	}
	if u.Areas != nil {
		if err := tx.setPartnerAreas(ctx, sp.ID, sp.Areas); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, "update", "supply_partner", sp.ID, path, before, partnerFields(sp)); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.FindPartnerByID(ctx, id)
}

// FindPartnerByID returns a partner the caller may see.
func (s *PartnerService) FindPartnerByID(ctx context.Context, id int64) (*frontline.Partner, error) {
	tx, err := s.readPartners(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sp, _, err := tx.findPartner(ctx, id)
	return sp, err
}

// readPartners begins a read for the office or a partner's user.
func (s *PartnerService) readPartners(ctx context.Context) (*Tx, error) {
	p := frontline.PrincipalFrom(ctx)
	if p != nil && !p.Can(frontline.PermManageSupply) && !p.Can(frontline.PermFillOrders) && !p.Can(frontline.PermFillMedicines) {
		return nil, forbidden(p, frontline.PermManageSupply)
	}
	return s.db.BeginReadTx(ctx)
}

// FindPartners returns the partners the caller may see that match f.
func (s *PartnerService) FindPartners(ctx context.Context, f frontline.PartnerFilter) ([]*frontline.Partner, int, error) {
	tx, err := s.readPartners(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	var where []string
	var args []any
	if f.ID != nil {
		where, args = append(where, `sp.id = ?`), append(args, *f.ID)
	}
	if f.Kind != "" {
		where, args = append(where, `sp.kind = ?`), append(args, string(f.Kind))
	}
	if !f.Retired {
		where = append(where, `NOT sp.retired`)
	}
	if where, args, err = tx.andUnder(ctx, f.Under, "sp.path", where, args); err != nil {
		return nil, 0, err
	}
	if f.Serving != nil {
		n, err := tx.findPlaceByID(ctx, *f.Serving)
		if err != nil {
			return nil, 0, err
		}
		anc := frontline.AncestorPaths(n.Path)
		where = append(where, `sp.id IN (SELECT partner_id FROM supply_partner_areas WHERE path IN `+inList(len(anc))+`)`)
		for _, a := range anc {
			args = append(args, a)
		}
	}
	if p := frontline.PrincipalFrom(ctx); f.Mine && p != nil {
		where, args = append(where, `sp.id IN (SELECT partner_id FROM supply_partner_users WHERE user_id = ?)`), append(args, p.UserID)
	}
	all, err := tx.queryPartners(ctx, where, args, ` ORDER BY sp.kind DESC, sp.name, sp.id`)
	if err != nil {
		return nil, 0, err
	}
	total := len(all)
	lo := min(max(f.Offset, 0), total)
	hi := total
	if f.Limit > 0 {
		hi = min(lo+f.Limit, total)
	}
	return all[lo:hi], total, nil
}

// LinkPartnerUser makes the user with login work for the partner. The
// user must have the partner's role; the link is audited.
func (s *PartnerService) LinkPartnerUser(ctx context.Context, partnerID int64, login string) error {
	return s.partnerUser(ctx, partnerID, login, true)
}

// UnlinkPartnerUser ends a user's work for the partner.
func (s *PartnerService) UnlinkPartnerUser(ctx context.Context, partnerID int64, login string) error {
	return s.partnerUser(ctx, partnerID, login, false)
}

func (s *PartnerService) partnerUser(ctx context.Context, partnerID int64, login string, link bool) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	sp, path, err := tx.findPartner(ctx, partnerID)
	if err != nil {
		return err
	}
	var userID int64
	var role frontline.Role
	var userPath string
	err = tx.QueryRowContext(ctx, `SELECT u.id, u.role, p.path FROM users u JOIN places p ON p.id = u.scope_id WHERE u.login = ?`,
		strings.ToLower(strings.TrimSpace(login))).Scan(&userID, &role, &userPath)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, userPath) {
		return &frontline.Error{Code: frontline.ENOTFOUND, Field: "login", Message: "no user of this login in your area"}
	} else if err != nil {
		return err
	}
	action := "unlink"
	if link {
		if role != sp.Kind.Role() {
			return frontline.FieldError("login", "a %s's users have the role %s; %s has %s", sp.Kind, sp.Kind.Role(), login, role)
		}
		action = "link"
		_, err = tx.ExecContext(ctx, `INSERT INTO supply_partner_users (partner_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, sp.ID, userID)
	} else {
		_, err = tx.ExecContext(ctx, `DELETE FROM supply_partner_users WHERE partner_id = ? AND user_id = ?`, sp.ID, userID)
	}
	if err != nil {
		return err
	}
	if err := tx.audit(ctx, action, "supply_partner_user", sp.ID, path, nil, map[string]any{"user_id": userID, "login": login}); err != nil {
		return err
	}
	return tx.Commit()
}

const catalogColumns = `id, partner_id, code, name, spec, unit, category, price, stock, max_per_household, retired, updated_at`

func scanCatalogItem(sc interface{ Scan(...any) error }) (*frontline.CatalogItem, error) {
	var it frontline.CatalogItem
	if err := sc.Scan(&it.ID, &it.PartnerID, &it.Code, &it.Name, &it.Spec, &it.Unit, &it.Category, &it.Price, &it.Stock,
		&it.Limit, &it.Retired, &it.UpdatedAt); err != nil {
		return nil, err
	}
	it.UpdatedAt = it.UpdatedAt.UTC()
	return &it, nil
}

// queryItems reads items matching where.
func (tx *Tx) queryItems(ctx context.Context, where string, args ...any) ([]*frontline.CatalogItem, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+catalogColumns+` FROM supply_items WHERE `+where+` ORDER BY category, name, spec, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.CatalogItem{}
	for rows.Next() {
		it, err := scanCatalogItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Catalog lists a partner's items.
func (s *PartnerService) Catalog(ctx context.Context, partnerID int64, retired bool) ([]*frontline.CatalogItem, error) {
	tx, err := s.readPartners(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, _, err := tx.findPartner(ctx, partnerID); err != nil {
		return nil, err
	}
	if retired {
		return tx.queryItems(ctx, `partner_id = ?`, partnerID)
	}
	return tx.queryItems(ctx, `partner_id = ? AND NOT retired`, partnerID)
}

// ImportCatalog adds and updates a partner's items from the rows of a
// file in one transaction: every row is checked first, and a file with
// any bad row changes nothing. An item already in the catalogue (same
// article number, or same name, size and unit) is updated, so a list sent
// twice adds nothing twice; a retired item named again comes back.
func (s *PartnerService) ImportCatalog(ctx context.Context, partnerID int64, rows []frontline.CatalogRow, dryRun bool) (*frontline.CatalogImportResult, error) {
	res := &frontline.CatalogImportResult{Rows: len(rows), DryRun: dryRun}
	if len(rows) > frontline.MaxCatalogRows {
		return nil, frontline.Errorf(frontline.EINVALID, "a catalogue has at most %d rows; split it", frontline.MaxCatalogRows)
	}
	tx, sp, err := s.partnerTx(ctx, partnerID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	existing, err := tx.queryItems(ctx, `partner_id = ?`, sp.ID)
	if err != nil {
		return nil, err
	}
	known := map[string]*frontline.CatalogItem{}
	for _, it := range existing {
		known[it.Key()] = it
	}
	seen := map[string]int{}
	for i := range rows {
		r := &rows[i]
		res.Errors = append(res.Errors, r.Errors...)
		if len(r.Errors) > 0 {
			continue
		}
		if err := r.Item.Validate(); err != nil {
			res.Errors = append(res.Errors, frontline.RowError{Row: r.Row, Column: r.Columns[frontline.ErrorField(err)], Message: frontline.ErrorMessage(err)})
			continue
		}
		key := r.Item.Key()
		if first, dup := seen[key]; dup {
			res.Errors = append(res.Errors, frontline.RowError{Row: r.Row, Column: r.Columns["name"],
				Message: "the same item as row " + itoa(int64(first))})
			continue
		}
		seen[key] = r.Row
	}
	if len(res.Errors) > 0 {
		slices.SortStableFunc(res.Errors, func(a, b frontline.RowError) int { return a.Row - b.Row })
		return res, frontline.Errorf(frontline.EINVALID, "%d problems in the catalogue; nothing was imported", len(res.Errors))
	}
	for i := range rows {
		it := &rows[i].Item
		if old := known[it.Key()]; old != nil {
			res.Updated++
			_, err = tx.ExecContext(ctx, `UPDATE supply_items SET code = ?, name = ?, spec = ?, unit = ?, category = ?, price = ?, stock = ?,
				max_per_household = ?, retired = FALSE, updated_at = ? WHERE id = ?`, it.Code, it.Name, it.Spec, it.Unit, it.Category,
				it.Price, it.Stock, it.Limit, tx.now, old.ID)
		} else {
			res.Added++
			_, err = tx.ExecContext(ctx, `INSERT INTO supply_items (partner_id, item_key, code, name, spec, unit, category, price, stock,
				max_per_household, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, sp.ID, it.Key(), it.Code, it.Name, it.Spec, it.Unit,
				it.Category, it.Price, it.Stock, it.Limit, tx.now)
		}
		if err != nil {
			return nil, err
		}
	}
	if dryRun {
		return res, nil
	}
	if err := tx.audit(ctx, "import", "supply_catalog", sp.ID, sp.Place.Path, nil,
		map[string]any{"rows": res.Rows, "added": res.Added, "updated": res.Updated}); err != nil {
		return nil, err
	}
	return res, tx.Commit()
}

// UpdateItem changes one item of a catalogue the caller keeps.
func (s *PartnerService) UpdateItem(ctx context.Context, id int64, u frontline.ItemUpdate) (*frontline.CatalogItem, error) {
	var partnerID int64
	if err := s.db.read.QueryRowContext(ctx, s.db.rebind(`SELECT partner_id FROM supply_items WHERE id = ?`), id).Scan(&partnerID); errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "item %d not found", id)
	} else if err != nil {
		return nil, s.db.translate(err)
	}
	tx, sp, err := s.partnerTx(ctx, partnerID)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	items, err := tx.queryItems(ctx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	it := items[0]
	before := map[string]any{"price": it.Price, "stock": it.Stock, "limit": it.Limit, "retired": it.Retired}
	if u.Price != nil {
		it.Price = *u.Price
	}
	if u.Stock != nil {
		it.Stock = *u.Stock
	}
	if u.Limit != nil {
		it.Limit = *u.Limit
	}
	if u.Retired != nil {
		it.Retired = *u.Retired
	}
	if err := it.Validate(); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_items SET price = ?, stock = ?, max_per_household = ?, retired = ?, updated_at = ? WHERE id = ?`,
		it.Price, it.Stock, it.Limit, it.Retired, tx.now, it.ID); err != nil {
		return nil, err
	}
	it.UpdatedAt = tx.now
	if err := tx.audit(ctx, "update", "supply_item", it.ID, sp.Place.Path, before,
		map[string]any{"price": it.Price, "stock": it.Stock, "limit": it.Limit, "retired": it.Retired}); err != nil {
		return nil, err
	}
	return it, tx.Commit()
}

// SetOrderWindow sets the ordering window of a node in the caller's scope.
func (s *PartnerService) SetOrderWindow(ctx context.Context, w *frontline.OrderWindow) error {
	if err := w.Validate(); err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, w.PlaceID)
	if err != nil {
		return err
	}
	w.UpdatedAt, w.UpdatedBy, w.PlaceName = tx.now, frontline.ActorFrom(ctx).String(), place.Name
	err = tx.QueryRowContext(ctx, `INSERT INTO supply_windows (place_id, path, cutoff, delivery_days, closed, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (place_id) DO UPDATE SET cutoff = excluded.cutoff,
		delivery_days = excluded.delivery_days, closed = excluded.closed, updated_at = excluded.updated_at, updated_by = excluded.updated_by
		RETURNING id`, place.ID, place.Path, w.Cutoff, w.DeliveryDays, w.Closed, tx.now, w.UpdatedBy).Scan(&w.ID)
	if err != nil {
		return tx.db.translate(err)
	}
	if err := tx.audit(ctx, "set", "supply_window", w.ID, place.Path, nil,
		map[string]any{"cutoff": w.CutoffText(), "delivery_days": w.DeliveryDays, "closed": w.Closed}); err != nil {
		return err
	}
	return tx.Commit()
}

const windowColumns = `w.id, w.place_id, w.cutoff, w.delivery_days, w.closed, w.updated_at, w.updated_by, p.name`

func scanWindow(sc interface{ Scan(...any) error }) (*frontline.OrderWindow, error) {
	var w frontline.OrderWindow
	if err := sc.Scan(&w.ID, &w.PlaceID, &w.Cutoff, &w.DeliveryDays, &w.Closed, &w.UpdatedAt, &w.UpdatedBy, &w.PlaceName); err != nil {
		return nil, err
	}
	w.UpdatedAt = w.UpdatedAt.UTC()
	return &w, nil
}

// OrderWindows lists the windows set at or under a node, by path.
func (s *PartnerService) OrderWindows(ctx context.Context, under int64) ([]*frontline.OrderWindow, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args, err := tx.andUnder(ctx, &under, "w.path", nil, nil)
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+windowColumns+` FROM supply_windows w JOIN places p ON p.id = w.place_id WHERE `+
		strings.Join(where, " AND ")+` ORDER BY w.path`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.OrderWindow{}
	for rows.Next() {
		w, err := scanWindow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// WindowFor returns the window that applies to a node.
func (s *PartnerService) WindowFor(ctx context.Context, placeID int64) (*frontline.OrderWindow, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	return tx.windowFor(ctx, place.Path)
}

// windowFor returns the window of the nearest node at or above path, or
// the default.
func (tx *Tx) windowFor(ctx context.Context, path string) (*frontline.OrderWindow, error) {
	anc := frontline.AncestorPaths(path)
	args := make([]any, len(anc))
	for i, a := range anc {
		args[i] = a
	}
	w, err := scanWindow(tx.QueryRowContext(ctx, `SELECT `+windowColumns+` FROM supply_windows w JOIN places p ON p.id = w.place_id
		WHERE w.path IN `+inList(len(anc))+` ORDER BY LENGTH(w.path) DESC LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		d := frontline.DefaultOrderWindow()
		return &d, nil
	}
	return w, tx.db.translate(err)
}
