package web

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// Supplies: the office's page of partner shops and pharmacies and the
// ordering windows, and a partner's page with its catalogue, reached by
// the office under /supply and by the partner's own users under /shop or
// /pharmacy (the same handlers; each prefix declares its permission).

// Supply pages.
const (
	pageSupplyName  = "supply"
	pagePartnerName = "partner"
)

func supplyPages() []string { return []string{pageSupplyName, pagePartnerName} }

// partnerPrefixes are where a partner's page is served, with what each
// needs: the office, a shop's users, a pharmacy's users.
func partnerPrefixes() []struct {
	Prefix string
	Perm   frontline.Permission
} {
	return []struct {
		Prefix string
		Perm   frontline.Permission
	}{{"/supply", frontline.PermManageSupply}, {"/shop", frontline.PermFillOrders}, {"/pharmacy", frontline.PermFillMedicines}}
}

// partnerPrefix is the prefix of partner pages for a principal.
func partnerPrefix(p *frontline.Principal) string {
	for _, pp := range partnerPrefixes() {
		if p.Can(pp.Perm) {
			return pp.Prefix
		}
	}
	return "/supply"
}

// registerSupply registers the supply pages when the server has the
// partner service.
func (s *Server) registerSupply() {
	if s.Partners == nil {
		return
	}
	funcs := map[string]any{"price": frontline.FormatPrice}
	if err := s.parsePageSet(funcs, supplyPages()); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	manage := Needs(frontline.PermManageSupply)
	s.route("GET /supply", manage, s.pageSupply)
	s.route("POST /supply/partners", manage, s.postNewPartner)
	s.route("POST /supply/windows", manage, s.postOrderWindow)
	s.route("POST /supply/partners/{id}", manage, s.postPartner)
	s.route("POST /supply/partners/{id}/users", manage, s.postPartnerUser)
	for _, pp := range partnerPrefixes() {
		need := Needs(pp.Perm)
		s.route("GET "+pp.Prefix+"/partners/{id}", need, s.pagePartner)
		s.route("POST "+pp.Prefix+"/partners/{id}/catalog", need, s.postCatalog)
		s.route("POST "+pp.Prefix+"/items/{id}", need, s.postItem)
	}
	s.route("GET /api/v1/partners", manage, s.apiPartners)
	s.route("GET /api/v1/partners/{id}/catalog", manage, s.apiCatalog)
}

// supplyLinks adds the supply page to the navigation of the office.
func (s *Server) supplyLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Partners == nil || len(links) == 0 || !p.Can(frontline.PermManageSupply) {
		return links
	}
	return beforeLast(links, navLink{"/supply", "nav.supply", "nav-supply"})
}

// supplyPage lists the partners registered at or under a node, with the
// form of a new one, and the ordering windows.
type supplyPage struct {
	layout
	Place    *frontline.Place
	Partners []*frontline.Partner
	Windows  []*frontline.OrderWindow
	Default  frontline.OrderWindow
	Areas    []option // the node and its children, where a partner may serve
	New      form
	Window   form
}

func (s *Server) pageSupply(w http.ResponseWriter, r *http.Request) error {
	return s.renderSupply(w, r, newForm(), newForm(), http.StatusOK)
}

func (s *Server) renderSupply(w http.ResponseWriter, r *http.Request, nf, wf form, status int) error {
	ctx := r.Context()
	place, err := s.workforcePlace(ctx, newParams(r))
	if err != nil {
		return err
	}
	partners, _, err := s.Partners.FindPartners(ctx, frontline.PartnerFilter{Under: &place.ID, Retired: true, Limit: maxRows})
	if err != nil {
		return err
	}
	windows, err := s.Partners.OrderWindows(ctx, place.ID)
	if err != nil {
		return err
	}
	kids, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &place.ID, Limit: maxRows})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "supply.title")
	if err != nil {
		return err
	}
	page := supplyPage{layout: s.layout(r, lang, title), Place: place, Partners: partners, Windows: windows,
		Default: frontline.DefaultOrderWindow(), New: nf, Window: wf}
	for _, p := range append([]*frontline.Place{place}, kids...) {
		page.Areas = append(page.Areas, option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name,
			Selected: nf.Checked["areas."+strconv.FormatInt(p.ID, 10)]})
	}
	if wf.Values["cutoff"] == "" {
		wf.Values["cutoff"], wf.Values["delivery_days"] = page.Default.CutoffText(), "1"
	}
	return s.render(w, status, pageSupplyName, page)
}

// partnerFieldNames are the form's names of a partner's fields.
var partnerFieldNames = map[string]string{"name": "partner_name", "phone": "partner_phone", "address": "partner_address", "kind": "partner_kind"}

var partnerFields = []string{"partner_name", "partner_phone", "partner_address", "partner_kind", "areas"}

func (s *Server) postNewPartner(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, partnerFields, "areas")
	if err != nil {
		return err
	}
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	p := &frontline.Partner{Kind: frontline.PartnerKind(f.Values["partner_kind"]), Name: f.Values["partner_name"],
		Phone: f.Values["partner_phone"], Address: f.Values["partner_address"], PlaceID: place.ID}
	for _, v := range r.PostForm["areas"] {
		if id, ok := formID(v); ok {
			p.Areas = append(p.Areas, id)
		}
	}
	err = s.Partners.CreatePartner(r.Context(), p)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/supply/partners/%d", p.ID))
	}
	if err := s.formError(f, renameField(err, partnerFieldNames), partnerFields); err != nil {
		return err
	}
	return s.renderSupply(w, r, f, newForm(), http.StatusBadRequest)
}

var windowFields = []string{"node", "cutoff", "delivery_days"}

func (s *Server) postOrderWindow(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, windowFields, "closed")
	if err != nil {
		return err
	}
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	win := &frontline.OrderWindow{PlaceID: place.ID, Closed: f.Checked["closed"]}
	if id, ok := formID(f.Values["node"]); ok {
		win.PlaceID = id
	}
	cutoff, cerr := frontline.ParseClock(f.Values["cutoff"])
	days, derr := strconv.Atoi(f.Values["delivery_days"])
	switch {
	case cerr != nil:
		err = frontline.FieldError("cutoff", "%v", cerr)
	case derr != nil:
		err = frontline.FieldError("delivery_days", "not a number")
	default:
		win.Cutoff, win.DeliveryDays = cutoff, days
		err = s.Partners.SetOrderWindow(r.Context(), win)
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/supply?place=%d#windows", place.ID))
	}
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		err = &frontline.Error{Code: frontline.EINVALID, Field: "node", Message: "not in your area", Err: err}
	} else {
		err = renameField(err, map[string]string{"place_id": "node"})
	}
	if err := s.formError(f, err, windowFields); err != nil {
		return err
	}
	return s.renderSupply(w, r, newForm(), f, http.StatusBadRequest)
}

// partnerPage is one partner: who it is, where it serves, its users and
// its catalogue, with the forms its reader may use.
type partnerPage struct {
	layout
	Partner *frontline.Partner
	Items   []*frontline.CatalogItem
	Prefix  string
	Office  bool // the reader is the office: may edit the partner and its users
	Import  *frontline.CatalogImportResult
	Problem string // message id of a file that could not be read
	Saved   string // message id of what was just saved
	Form    form
}

func (s *Server) pagePartner(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	saved := ""
	if r.URL.Query().Get("saved") != "" {
		saved = "partner.saved"
	}
	return s.renderPartner(w, r, id, nil, "", saved, newForm(), http.StatusOK)
}

func (s *Server) renderPartner(w http.ResponseWriter, r *http.Request, id int64, res *frontline.CatalogImportResult, problem, saved string, f form, status int) error {
	ctx := r.Context()
	p, err := s.Partners.FindPartnerByID(ctx, id)
	if err != nil {
		return err
	}
	items, err := s.Partners.Catalog(ctx, id, true)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	principal := callerFrom(ctx).principal
	page := partnerPage{layout: s.layout(r, lang, p.Name), Partner: p, Items: items, Prefix: partnerPrefix(principal),
		Office: principal.Can(frontline.PermManageSupply), Import: res, Problem: problem, Saved: saved, Form: f}
	if f.Values["partner_name"] == "" && f.Values["partner_phone"] == "" {
		f.Values["partner_name"], f.Values["partner_address"] = p.Name, p.Address
		f.Values["partner_phone"] = p.Phone
	}
	return s.render(w, status, pagePartnerName, page)
}

// postPartner changes a partner's name, phone, address, or retires it.
func (s *Server) postPartner(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"partner_name", "partner_phone", "partner_address"}, "retired")
	if err != nil {
		return err
	}
	name, phone, addr, retired := f.Values["partner_name"], f.Values["partner_phone"], f.Values["partner_address"], f.Checked["retired"]
	_, err = s.Partners.UpdatePartner(r.Context(), id, frontline.PartnerUpdate{Name: &name, Phone: &phone, Address: &addr, Retired: &retired})
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/supply/partners/%d?saved=1", id))
	}
	if err := s.formError(f, renameField(err, partnerFieldNames), partnerFields); err != nil {
		return err
	}
	return s.renderPartner(w, r, id, nil, "", "", f, http.StatusBadRequest)
}

// postPartnerUser links or unlinks a user of the partner's role.
func (s *Server) postPartnerUser(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"login", "action"})
	if err != nil {
		return err
	}
	if f.Values["action"] == "unlink" {
		err = s.Partners.UnlinkPartnerUser(r.Context(), id, f.Values["login"])
	} else {
		err = s.Partners.LinkPartnerUser(r.Context(), id, f.Values["login"])
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/supply/partners/%d?saved=1#users", id))
	}
	if frontline.ErrorField(err) == "login" {
		f.Errors["login"] = "partner.error.login"
		return s.renderPartner(w, r, id, nil, "", "", f, http.StatusBadRequest)
	}
	return err
}

// postCatalog imports a catalogue file, all or nothing.
func (s *Server) postCatalog(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return s.renderPartner(w, r, id, nil, "partner.import.nofile", "", newForm(), http.StatusBadRequest)
		}
		return frontline.Errorf(frontline.EINVALID, "cannot read the upload: %v", err)
	}
	defer file.Close()
	rows, err := residentfile.ReadCatalog(header.Filename, io.LimitReader(file, maxBodyBytes), r.FormValue("sheet"))
	if frontline.ErrorCode(err) == frontline.EINVALID {
		return s.renderPartner(w, r, id, nil, "partner.import.unreadable", "", newForm(), http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	res, err := s.Partners.ImportCatalog(r.Context(), id, rows, r.FormValue("dry_run") != "")
	switch {
	case res != nil && frontline.ErrorCode(err) == frontline.EINVALID:
		return s.renderPartner(w, r, id, res, "", "", newForm(), http.StatusBadRequest)
	case err != nil:
		return err
	}
	return s.renderPartner(w, r, id, res, "", "", newForm(), http.StatusOK)
}

var catalogItemFields = []string{"price", "stock", "limit"}

// postItem changes an item's price, stock and limit, or retires it.
func (s *Server) postItem(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, append(catalogItemFields, "partner"), "retired")
	if err != nil {
		return err
	}
	partner, _ := formID(f.Values["partner"])
	var u frontline.ItemUpdate
	retired := f.Checked["retired"]
	u.Retired = &retired
	price, perr := frontline.ParsePrice(f.Values["price"])
	stock, serr := strconv.Atoi(strings.TrimSpace(f.Values["stock"]))
	limit, lerr := strconv.Atoi(cmp.Or(strings.TrimSpace(f.Values["limit"]), "0"))
	switch {
	case perr != nil:
		err = frontline.FieldError("price", "%v", perr)
	case serr != nil:
		err = frontline.FieldError("stock", "not a number")
	case lerr != nil:
		err = frontline.FieldError("limit", "not a number")
	default:
		u.Price, u.Stock, u.Limit = &price, &stock, &limit
		_, err = s.Partners.UpdateItem(r.Context(), id, u)
	}
	prefix := partnerPrefix(callerFrom(r.Context()).principal)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("%s/partners/%d?saved=1#item-%d", prefix, partner, id))
	}
	if err := s.formError(f, err, catalogItemFields); err != nil {
		return err
	}
	f.Values["item"] = strconv.FormatInt(id, 10)
	return s.renderPartner(w, r, partner, nil, "", "", f, http.StatusBadRequest)
}

// apiPartners lists the partners at or under a node (?place=, default the
// caller's scope).
func (s *Server) apiPartners(w http.ResponseWriter, r *http.Request) error {
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	ps, total, err := s.Partners.FindPartners(r.Context(), frontline.PartnerFilter{Under: &place.ID, Retired: true, Limit: maxRows})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"partners": ps, "total": total})
}

// apiCatalog lists a partner's items, retired ones included.
func (s *Server) apiCatalog(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	items, err := s.Partners.Catalog(r.Context(), id, true)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
