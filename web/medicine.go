package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Medicine requests: the medicine part of a household's link page (in
// medicine_link.go), staff asking on a household's behalf, the lists of
// requests and a request's page. Staff reach them under /medicine
// (orders.place), a pharmacy's users under /pharmacy/medicine
// (medicine.fill): the same handlers, each prefix declaring its
// permission, as the partner pages do.

// Medicine pages.
const (
	pageMedicineList  = "medicine"
	pageMedicineReq   = "medicine_request"
	pageHouseMedicine = "household_medicine"
)

// medicinePrefixes are where the lists and a request's page are served.
func medicinePrefixes() []struct {
	Prefix string
	Perm   frontline.Permission
} {
	return []struct {
		Prefix string
		Perm   frontline.Permission
	}{{"/medicine", frontline.PermPlaceOrders}, {"/pharmacy/medicine", frontline.PermFillMedicines}}
}

// medicinePrefix is the prefix of medicine pages for a principal.
func medicinePrefix(p *frontline.Principal) string {
	if p != nil && !p.Can(frontline.PermPlaceOrders) && p.Can(frontline.PermFillMedicines) {
		return "/pharmacy/medicine"
	}
	return "/medicine"
}

// maxPhotoBody bounds a request that carries a medicine photo: the photo
// and the few fields around it.
const maxPhotoBody = frontline.MaxMedicinePhotoBytes + 64<<10

// isPhotoPost reports whether a request posts a medicine form, which may
// carry a photo larger than an ordinary form.
func isPhotoPost(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	p := r.URL.Path
	return p == "/order/medicine" || strings.HasPrefix(p, "/households/") && strings.HasSuffix(p, "/medicine")
}

// registerMedicine registers the medicine pages and API when the server
// has Medicine (with Orders, whose link it shares).
func (s *Server) registerMedicine() {
	if s.Medicine == nil || s.Orders == nil {
		return
	}
	funcs := map[string]any{"price": frontline.FormatPrice, "medForm": medFormOf, "medList": medListOf, "timeLeft": s.timeLeft, "medLate": s.medLate,
		"medOne": func(m *frontline.MedicineRequest) []*frontline.MedicineRequest {
			return []*frontline.MedicineRequest{m}
		}}
	if err := s.parsePageSet(funcs, []string{pageMedicineList, pageMedicineReq, pageHouseMedicine}, "templates/medicine_parts.html"); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	for _, mp := range medicinePrefixes() {
		need := Needs(mp.Perm)
		s.route("GET "+mp.Prefix, need, s.pageMedicineList)
		s.route("GET "+mp.Prefix+"/{id}", need, s.pageMedicineRequest)
		s.route("GET "+mp.Prefix+"/{id}/photo", need, s.medicinePhoto)
		s.route("POST "+mp.Prefix+"/{id}/{step}", need, s.postMedicineStep)
	}
	place := Needs(frontline.PermPlaceOrders)
	s.route("GET /households/{id}/medicine", place, s.pageHouseholdMedicine)
	s.route("POST /households/{id}/medicine", place, s.postHouseholdMedicine)
	lim := newRateLimiter(orderRate, time.Minute, s.Now)
	s.route("POST /order/medicine", AccessPublic, s.limited(lim, s.postLinkMedicine))
	s.registerMedicineAPI()
}

// medicineLinks adds the pharmacy's list to its users' navigation.
func (s *Server) medicineLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Medicine == nil || s.Orders == nil || len(links) == 0 || !p.Can(frontline.PermFillMedicines) {
		return links
	}
	return beforeLast(links, navLink{"/pharmacy/medicine", "nav.medicine", "nav-medicine"})
}

// timeLeft says how a chronic request stands against its target: the
// hours and minutes left, or how late it is; "" for a request without a
// target or one closed.
func (s *Server) timeLeft(lang string, m *frontline.MedicineRequest) string {
	left, ok := m.TimeLeft(s.Now())
	if !ok {
		return ""
	}
	id := "medicine.left"
	if left < 0 {
		id, left = "medicine.late", -left
	}
	t, _ := s.text(lang, id, int(left.Hours()), int(left.Minutes())%60)
	return t
}

// medLate reports whether a chronic request is past its target now.
func (s *Server) medLate(m *frontline.MedicineRequest) bool { return m.Late(s.Now()) }

// medFields maps the store's fields of a request to the form's names.
var medFields = map[string]string{"partner_id": "med_partner", "medicine": "med_name", "strength": "med_strength",
	"quantity": "med_quantity", "unit": "med_unit", "for": "med_for", "person_id": "med_person", "note": "med_note", "photo": "med_photo"}

var medFormFields = []string{"med_partner", "med_name", "med_strength", "med_quantity", "med_unit", "med_for", "med_person", "med_note",
	"med_photo", formTokenField}

// medForm is what the "medform" part needs: the form of a request, for a
// household's link (Token) or for staff (CSRF, Persons).
type medForm struct {
	Lang, CSRF, Action, Token string
	Pharmacies                []*frontline.Partner
	Persons                   []option
	Form                      form
	Large                     bool
}

func medFormOf(lang, csrf, action, token string, pharmacies []*frontline.Partner, persons []option, f form, large bool) medForm {
	return medForm{Lang: lang, CSRF: csrf, Action: action, Token: token, Pharmacies: pharmacies, Persons: persons, Form: f, Large: large}
}

// medList is what the "medlist" part needs: requests as cards, each linked
// to its page under Prefix when set (a household's link has no page).
type medList struct {
	Lang, Prefix string
	Requests     []*frontline.MedicineRequest
}

func medListOf(lang, prefix string, rs []*frontline.MedicineRequest) medList {
	return medList{Lang: lang, Prefix: prefix, Requests: rs}
}

// readMedicineForm reads a request's form, with its photo when one came:
// the photo's type is read from its bytes by the domain, never from the
// name or the browser's claim.
func readMedicineForm(r *http.Request) (frontline.MedicineRequestInput, form, error) {
	f, err := readForm(r, medFormFields, "med_chronic")
	if err != nil {
		return frontline.MedicineRequestInput{}, f, err
	}
	partner, _ := formID(f.Values["med_partner"])
	person, _ := formID(f.Values["med_person"])
	in := frontline.MedicineRequestInput{PartnerID: partner, Medicine: f.Values["med_name"], Strength: f.Values["med_strength"],
		Unit: f.Values["med_unit"], Chronic: f.Checked["med_chronic"], PersonID: person, For: f.Values["med_for"],
		Note: f.Values["med_note"], Key: f.Values[formTokenField]}
	if q := strings.TrimSpace(frontline.FoldWidth(f.Values["med_quantity"])); q != "" {
		if in.Quantity, err = strconv.Atoi(q); err != nil {
			return in, f, frontline.FieldError("quantity", "the quantity is a whole number")
		}
	}
	file, _, ferr := r.FormFile("med_photo")
	if ferr == nil {
		defer file.Close()
		data, err := io.ReadAll(io.LimitReader(file, frontline.MaxMedicinePhotoBytes+1))
		if err != nil {
			return in, f, tooLarge(err)
		}
		if len(data) > 0 {
			in.Photo = &frontline.MedicinePhoto{Data: data}
		}
	}
	return in, f, nil
}

// medicineFormError puts a refused request on its form, or returns the
// error when it is not about the form.
func (s *Server) medicineFormError(f form, err error) error {
	return s.formError(f, renameField(err, medFields), medFormFields)
}

// householdMedicinePage is staff asking for a household, with its
// requests.
type householdMedicinePage struct {
	layout
	Household  *frontline.Place
	Pharmacies []*frontline.Partner
	Persons    []option
	Requests   []*frontline.MedicineRequest
	// Need is the vulnerable resident's medicine need (?need=) this
	// request meets, 0 for none: the request made is linked to it.
	Need int64
	Form form
}

func (s *Server) pageHouseholdMedicine(w http.ResponseWriter, r *http.Request) error {
	return s.renderHouseholdMedicine(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderHouseholdMedicine(w http.ResponseWriter, r *http.Request, f form, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	hh, err := s.Places.FindPlaceByID(ctx, id)
	if err != nil {
		return err
	}
	partners, err := s.Orders.PartnersServing(ctx, id)
	if err != nil {
		return err
	}
	page := householdMedicinePage{Household: hh, Form: f}
	if need, ok := formID(r.URL.Query().Get("need")); ok && s.Vulnerable != nil {
		page.Need = need
	}
	for _, p := range partners {
		if p.Kind == frontline.PartnerPharmacy {
			page.Pharmacies = append(page.Pharmacies, p)
		}
	}
	persons, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{HouseholdID: &id, Limit: 50})
	if err != nil {
		return err
	}
	for _, p := range persons {
		v := strconv.FormatInt(p.ID, 10)
		page.Persons = append(page.Persons, option{Value: v, Label: p.Name, Selected: f.Values["med_person"] == v})
	}
	if page.Requests, _, err = s.Medicine.FindMedicineRequests(ctx, frontline.MedicineFilter{HouseholdID: &id, Limit: 20}); err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "medicine.staff.title")
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	return s.render(w, status, pageHouseMedicine, page)
}

func (s *Server) postHouseholdMedicine(w http.ResponseWriter, r *http.Request) error {
	in, f, err := readMedicineForm(r)
	q := newParams(r)
	in.HouseholdID = q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var m *frontline.MedicineRequest
	// A request for a vulnerable resident's need is made with the need,
	// for the resident, and the need then links to it.
	need, forNeed := formID(r.URL.Query().Get("need"))
	switch {
	case err != nil:
	case forNeed && s.Vulnerable != nil:
		m, err = s.Vulnerable.MedicineForNeed(r.Context(), need, in)
	default:
		m, err = s.Medicine.RequestMedicine(r.Context(), in)
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/medicine/%d", m.ID))
	}
	if err := s.medicineFormError(f, err); err != nil {
		return err
	}
	return s.renderHouseholdMedicine(w, r, f, http.StatusBadRequest)
}

// medicineListPage lists requests: a pharmacy's own (oldest first, open
// ones unless all are asked), or those under a node for staff.
type medicineListPage struct {
	layout
	Prefix   string
	Place    *frontline.Place // staff's node; nil for a pharmacy
	Requests []*frontline.MedicineRequest
	Total    int
	All      bool
}

func (s *Server) pageMedicineList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := newParams(r)
	p := callerFrom(ctx).principal
	page := medicineListPage{Prefix: medicinePrefix(p), All: q.boolean("all")}
	f := frontline.MedicineFilter{Open: !page.All, Limit: maxRows}
	if page.Prefix == "/medicine" {
		place, err := s.workforcePlace(ctx, q)
		if err != nil {
			return err
		}
		page.Place, f.Under = place, &place.ID
	} else if err := q.check(); err != nil {
		return err
	}
	var err error
	if page.Requests, page.Total, err = s.Medicine.FindMedicineRequests(ctx, f); err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "medicine.title")
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	return s.render(w, http.StatusOK, pageMedicineList, page)
}

// medicineRequestPage is one request with the steps its reader may take.
type medicineRequestPage struct {
	layout
	Prefix   string
	Request  *frontline.MedicineRequest
	Pharmacy bool // the reader fills: fill, consultation, refusal
	Staff    bool // the reader may cancel
	Workers  []option
	Forms    map[string]form // by step
	Done     string          // the step just taken
}

func (s *Server) pageMedicineRequest(w http.ResponseWriter, r *http.Request) error {
	return s.renderMedicineRequest(w, r, "", newForm(), http.StatusOK)
}

func (s *Server) renderMedicineRequest(w http.ResponseWriter, r *http.Request, step string, f form, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	done := r.URL.Query().Get("done")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	m, err := s.Medicine.FindMedicineRequestByID(ctx, id)
	if err != nil {
		return err
	}
	p := callerFrom(ctx).principal
	page := medicineRequestPage{Prefix: medicinePrefix(p), Request: m, Forms: map[string]form{}, Done: done,
		Pharmacy: p.Can(frontline.PermFillMedicines) || p.Can(frontline.PermManageSupply),
		Staff:    p.Can(frontline.PermPlaceOrders) || p.Can(frontline.PermManageSupply)}
	for _, st := range []string{"fill", "consult", "refuse", "deliver", "cancel"} {
		page.Forms[st] = newForm()
	}
	if step != "" {
		page.Forms[step] = f
	}
	if m.Status == frontline.MedicineFilled || m.Status == frontline.MedicineOut {
		ws, err := s.Medicine.MedicineWorkers(ctx, id)
		if err != nil {
			return err
		}
		for _, wk := range ws {
			v := strconv.FormatInt(wk.ID, 10)
			page.Workers = append(page.Workers, option{Value: v, Label: wk.Name, Selected: page.Forms["deliver"].Values["worker_id"] == v})
		}
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "medicine.request.title", m.ID)
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	return s.render(w, status, pageMedicineReq, page)
}

// medicineSteps are the steps a request's page posts, with their fields.
var medicineSteps = map[string][]string{
	"fill": {"given", "amount"}, "consult": {"consult_note"}, "refuse": {"refuse_reason"}, "deliver": {"worker_id"},
	"paid": {"paid"}, "cancel": {"cancel_reason"},
}

// postMedicineStep takes one step on a request and returns to its page,
// or shows the page again with the step's form and its error.
func (s *Server) postMedicineStep(w http.ResponseWriter, r *http.Request) error {
	step := r.PathValue("step")
	fields, ok := medicineSteps[step]
	if !ok {
		return frontline.Errorf(frontline.ENOTFOUND, "no such step: %s", step)
	}
	f, id, err := readFormFor(r, fields, "paid_now")
	if err != nil {
		return err
	}
	err = s.takeMedicineStep(r, step, id, f)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("%s/%d?done=%s", medicinePrefix(callerFrom(r.Context()).principal), id, step))
	}
	if err := s.formError(f, renameField(err, map[string]string{"reason": step + "_reason"}), fields); err != nil {
		return err
	}
	return s.renderMedicineRequest(w, r, step, f, http.StatusBadRequest)
}

func (s *Server) takeMedicineStep(r *http.Request, step string, id int64, f form) error {
	ctx := r.Context()
	var err error
	switch step {
	case "fill":
		var amount int64
		if amount, err = frontline.ParsePrice(cmpNext(f.Values["amount"], "0")); err != nil {
			return frontline.FieldError("amount", "%v", err)
		}
		_, err = s.Medicine.FillMedicine(ctx, id, frontline.MedicineFill{Given: f.Values["given"], Amount: amount, Paid: f.Checked["paid_now"]})
	case "consult":
		_, err = s.Medicine.AskConsultation(ctx, id, f.Values["consult_note"])
	case "refuse":
		_, err = s.Medicine.RefuseMedicine(ctx, id, f.Values["refuse_reason"])
	case "deliver":
		worker, _ := formID(f.Values["worker_id"])
		_, err = s.Medicine.DeliverMedicine(ctx, id, worker)
	case "paid":
		_, err = s.Medicine.SetMedicinePaid(ctx, id, f.Values["paid"] == "1")
	case "cancel":
		_, err = s.Medicine.CancelMedicine(ctx, id, f.Values["cancel_reason"])
	}
	return err
}

// medicinePhoto sends a request's photo to whoever may see the request.
// It is personal data: never cached by a shared cache, never sniffed as
// anything but the picture the store says it is.
func (s *Server) medicinePhoto(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ph, err := s.Medicine.MedicinePhoto(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ph.Type)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", "inline")
	_, err = w.Write(ph.Data)
	return err
}
