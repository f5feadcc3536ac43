package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.MedicineService = (*MedicineService)(nil)

// MedicineService keeps households' medicine requests to pharmacies. See
// frontline.MedicineService; the steps of a request are in
// medicine_steps.go, the late-chronic alert in medicine_alert.go.
type MedicineService struct{ db *DB }

// NewMedicineService returns a MedicineService on db.
func NewMedicineService(db *DB) *MedicineService { return &MedicineService{db: db} }

const medicineColumns = `m.id, m.household_id, m.partner_id, m.source, m.status, m.medicine, m.strength, m.quantity, m.unit, m.chronic,
	COALESCE(m.person_id, 0), m.for_whom, m.note, m.photo_type <> '', m.due_at, m.consult_note, m.consult_at, m.given, m.amount, m.paid,
	m.filled_at, m.refuse_reason, COALESCE(m.worker_id, 0), m.worker_name, m.delivered_at, m.request_key, m.created_at, m.created_by,
	m.updated_at, m.path, sp.name, COALESCE(m.run_id, 0), m.return_reason`

func scanMedicine(sc interface{ Scan(...any) error }) (*frontline.MedicineRequest, string, error) {
	var m frontline.MedicineRequest
	var path string
	var due, consult, filled, delivered sql.NullTime
	if err := sc.Scan(&m.ID, &m.HouseholdID, &m.PartnerID, &m.Source, &m.Status, &m.Medicine, &m.Strength, &m.Quantity, &m.Unit,
		&m.Chronic, &m.PersonID, &m.For, &m.Note, &m.HasPhoto, &due, &m.ConsultNote, &consult, &m.Given, &m.Amount, &m.Paid, &filled,
		&m.RefuseReason, &m.WorkerID, &m.WorkerName, &delivered, &m.Key, &m.CreatedAt, &m.CreatedBy, &m.UpdatedAt, &path,
		&m.PartnerName, &m.RunID, &m.ReturnReason); err != nil {
		return nil, "", err
	}
	m.DueAt, m.ConsultAt, m.FilledAt, m.DeliveredAt = nullTime(due), nullTime(consult), nullTime(filled), nullTime(delivered)
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, path, nil
}

// medicineReach returns the condition on medicine_requests m that limits
// a read to what the caller may see: the households of the scope for
// staff and the office, the requests of its pharmacies for a pharmacy's
// user. A pharmacy's user never sees another pharmacy's requests, even in
// the same compound.
func medicineReach(ctx context.Context) (string, []any) {
	p := frontline.PrincipalFrom(ctx)
	switch {
	case p == nil:
		return "", nil
	case p.Can(frontline.PermPlaceOrders) || p.Can(frontline.PermManageSupply):
		return scopeCond(ctx, "m.path")
	case p.Can(frontline.PermFillMedicines):
		return `m.partner_id IN (SELECT partner_id FROM supply_partner_users WHERE user_id = ?)`, []any{p.UserID}
	}
	return "1 = 0", nil
}

// medicineReader refuses a principal who may neither ask nor fill.
func medicineReader(ctx context.Context) error {
	p := frontline.PrincipalFrom(ctx)
	if p == nil || p.Can(frontline.PermPlaceOrders) || p.Can(frontline.PermManageSupply) || p.Can(frontline.PermFillMedicines) {
		return nil
	}
	return forbidden(p, frontline.PermFillMedicines)
}

// queryMedicine reads requests matching where, within the caller's reach,
// with their addresses.
func (tx *Tx) queryMedicine(ctx context.Context, where []string, args []any, tail string) ([]*frontline.MedicineRequest, []string, error) {
	cond, a := medicineReach(ctx)
	where, args = andCond(where, args, cond, a)
	q := `SELECT ` + medicineColumns + ` FROM medicine_requests m JOIN supply_partners sp ON sp.id = m.partner_id`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := tx.QueryContext(ctx, q+tail, args...)
	if err != nil {
		return nil, nil, err
	}
	out := []*frontline.MedicineRequest{}
	var paths []string
	for rows.Next() {
		m, path, err := scanMedicine(rows)
		if err != nil {
			rows.Close()
			return nil, nil, err
		}
		out, paths = append(out, m), append(paths, path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	addrs, err := tx.doorAddresses(ctx, paths)
	if err != nil {
		return nil, nil, err
	}
	for i, m := range out {
		m.Address = addrs[i]
	}
	return out, paths, nil
}

// andCond appends a condition and its arguments when there is one.
func andCond(where []string, args []any, cond string, a []any) ([]string, []any) {
	if cond == "" {
		return where, args
	}
	return append(where, cond), append(args, a...)
}

// doorAddresses names each household below its community:
// 忠义巷小区/2号楼/101.
func (tx *Tx) doorAddresses(ctx context.Context, paths []string) ([]string, error) {
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(paths))
	for i, path := range paths {
		var parts []string
		for _, id := range frontline.PathIDs(path) {
			if p := names[id]; p != nil && p.Kind.Rank() > frontline.KindCommunity.Rank() {
				parts = append(parts, p.Name)
			}
		}
		out[i] = strings.Join(parts, "/")
	}
	return out, nil
}

// findMedicine returns one request the caller may see, with its
// household's path.
func (tx *Tx) findMedicine(ctx context.Context, id int64) (*frontline.MedicineRequest, string, error) {
	ms, paths, err := tx.queryMedicine(ctx, []string{`m.id = ?`}, []any{id}, "")
	if err != nil {
		return nil, "", err
	}
	if len(ms) == 0 {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "medicine request %d not found", id)
	}
	return ms[0], paths[0], nil
}

// FindMedicineRequestByID returns a request the caller may see.
func (s *MedicineService) FindMedicineRequestByID(ctx context.Context, id int64) (*frontline.MedicineRequest, error) {
	return findByID(ctx, s.db, medicineReader, (*Tx).findMedicine, id)
}

// FindMedicineRequests returns the requests the caller may see that match
// f, oldest first, and the total.
func (s *MedicineService) FindMedicineRequests(ctx context.Context, f frontline.MedicineFilter) ([]*frontline.MedicineRequest, int, error) {
	return findPage(ctx, s.db, medicineReader, `medicine_requests m`, medicineReach,
		func(tx *Tx) ([]string, []any, error) { return tx.medicineWhere(ctx, f) },
		func(tx *Tx, where []string, args []any) ([]*frontline.MedicineRequest, error) {
			ms, _, err := tx.queryMedicine(ctx, where, args, ` ORDER BY m.created_at, m.id`+limitClause(f.Offset, f.Limit))
			return ms, err
		})
}

// medicineWhere builds the conditions of a filter.
func (tx *Tx) medicineWhere(ctx context.Context, f frontline.MedicineFilter) ([]string, []any, error) {
	var where []string
	var args []any
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	if f.ID != nil {
		add(`m.id = ?`, *f.ID)
	}
	if f.HouseholdID != nil {
		add(`m.household_id = ?`, *f.HouseholdID)
	}
	if f.PartnerID != nil {
		add(`m.partner_id = ?`, *f.PartnerID)
	}
	st := f.Status
	if f.Open && len(st) == 0 {
		for _, s := range frontline.MedicineStatuses {
			if s.Open() {
				st = append(st, s)
			}
		}
	}
	if len(st) > 0 {
		a := make([]any, len(st))
		for i, s := range st {
			a[i] = string(s)
		}
		add(`m.status IN `+inList(len(a)), a...)
	}
	return tx.andUnder(ctx, f.Under, "m.path", where, args)
}

// RequestMedicine records staff's request on behalf of a household of
// their scope.
func (s *MedicineService) RequestMedicine(ctx context.Context, r frontline.MedicineRequestInput) (*frontline.MedicineRequest, error) {
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
	m, err := tx.requestMedicine(ctx, hh, r, frontline.SourceStaff)
	if err != nil {
		return nil, err
	}
	return m, tx.Commit()
}

// RequestMedicineByLink records a household's request through its
// ordering link: the secret reaches that household alone.
func (s *MedicineService) RequestMedicineByLink(ctx context.Context, secret string, r frontline.MedicineRequestInput) (*frontline.MedicineRequest, error) {
	ctx, tx, id, hh, err := s.db.linkTx(ctx, secret)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r.HouseholdID, r.PersonID = hh.ID, 0 // a link names no resident: it may be forwarded
	if err := r.Validate(); err != nil {
		return nil, err
	}
	m, err := tx.requestMedicine(ctx, hh, r, frontline.SourceLink)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE supply_order_links SET last_used = ? WHERE id = ?`, tx.now, id); err != nil {
		return nil, err
	}
	m.Address = ""
	return m, tx.Commit()
}

// requestMedicine checks and writes a request of household hh: the
// pharmacy serves it and works, the person (when named) lives there. A
// request with a key the household used already returns that request.
func (tx *Tx) requestMedicine(ctx context.Context, hh *frontline.Place, r frontline.MedicineRequestInput, source frontline.OrderSource) (*frontline.MedicineRequest, error) {
	if hh.Kind != frontline.KindHousehold {
		return nil, frontline.FieldError("household_id", "%s is not a household", hh.Name)
	}
	if r.Key != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM medicine_requests WHERE household_id = ? AND request_key = ?`, hh.ID, r.Key).Scan(&id)
		if err == nil {
			m, _, err := tx.findMedicine(frontline.AsSystem(ctx), id)
			return m, err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	partner, err := tx.partnerServing(ctx, r.PartnerID, hh.Path)
	if err != nil {
		return nil, err
	}
	if partner.Kind != frontline.PartnerPharmacy {
		return nil, &frontline.Error{Code: frontline.ENOTFOUND, Field: "partner_id", Message: "choose a pharmacy that serves the household"}
	}
	if r.PersonID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons WHERE id = ? AND household_id = ?`, r.PersonID, hh.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, frontline.FieldError("person_id", "the person does not live in this household")
		}
	}
	m := &frontline.MedicineRequest{HouseholdID: hh.ID, PartnerID: partner.ID, Source: source, Status: frontline.MedicineRequested,
		Medicine: r.Medicine, Strength: r.Strength, Quantity: r.Quantity, Unit: r.Unit, Chronic: r.Chronic, PersonID: r.PersonID,
		For: r.For, Note: r.Note, HasPhoto: r.Photo != nil, DueAt: frontline.DueFor(r.Chronic, tx.now), Key: r.Key,
		CreatedAt: tx.now, CreatedBy: frontline.ActorFrom(ctx).String(), UpdatedAt: tx.now, PartnerName: partner.Name}
	var photo []byte
	var photoType string
	if r.Photo != nil {
		photo, photoType = r.Photo.Data, r.Photo.Type
	}
	if err := tx.QueryRowContext(ctx, `INSERT INTO medicine_requests (household_id, partner_id, path, source, status, medicine, strength,
		quantity, unit, chronic, person_id, for_whom, note, photo, photo_type, due_at, request_key, created_at, created_by, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		hh.ID, partner.ID, hh.Path, string(source), string(m.Status), m.Medicine, m.Strength, m.Quantity, m.Unit, m.Chronic,
		nullID(m.PersonID), m.For, m.Note, photo, photoType, tx.timeValue(m.DueAt), m.Key, tx.now, m.CreatedBy, tx.now).Scan(&m.ID); err != nil {
		return nil, tx.db.translate(err)
	}
	// The audit names what was asked, not the photo's bytes.
	if err := tx.audit(ctx, "create", "medicine_request", m.ID, hh.Path, nil, map[string]any{"household_id": hh.ID,
		"partner_id": partner.ID, "source": source, "medicine": m.Medicine, "strength": m.Strength, "quantity": m.Quantity,
		"chronic": m.Chronic, "for": m.For, "person_id": m.PersonID, "photo": m.HasPhoto}); err != nil {
		return nil, err
	}
	return m, nil
}

// MedicineLinkView returns the pharmacies serving a link's household and
// its last requests, without addresses.
func (s *MedicineService) MedicineLinkView(ctx context.Context, secret string) (*frontline.MedicineLinkView, error) {
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
	v := &frontline.MedicineLinkView{}
	anc := frontline.AncestorPaths(hh.Path)
	args := []any{string(frontline.PartnerPharmacy)}
	for _, a := range anc {
		args = append(args, a)
	}
	v.Pharmacies, err = tx.queryPartners(ctx, []string{`NOT sp.retired`, `sp.kind = ?`,
		`sp.id IN (SELECT partner_id FROM supply_partner_areas WHERE path IN ` + inList(len(anc)) + `)`}, args, ` ORDER BY sp.name, sp.id`)
	if err != nil {
		return nil, err
	}
	for _, p := range v.Pharmacies {
		p.Phone, p.Logins = "", nil // the household needs neither
	}
	v.Requests, _, err = tx.queryMedicine(ctx, []string{`m.household_id = ?`}, []any{hh.ID}, ` ORDER BY m.id DESC LIMIT 10`)
	for _, m := range v.Requests {
		m.Address = "" // a link may be forwarded: no address
	}
	return v, err
}

// MedicinePhoto returns a request's photo to whoever may see the request;
// each read is audited, as a full read of personal data.
func (s *MedicineService) MedicinePhoto(ctx context.Context, id int64) (*frontline.MedicinePhoto, error) {
	if err := medicineReader(ctx); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	m, path, err := tx.findMedicine(ctx, id)
	if err != nil {
		return nil, err
	}
	ph := &frontline.MedicinePhoto{}
	if err := tx.QueryRowContext(ctx, `SELECT photo_type, photo FROM medicine_requests WHERE id = ? AND photo IS NOT NULL`, m.ID).
		Scan(&ph.Type, &ph.Data); errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "medicine request %d has no photo", id)
	} else if err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "read_photo", "medicine_request", m.ID, path, nil, nil); err != nil {
		return nil, err
	}
	return ph, tx.Commit()
}
