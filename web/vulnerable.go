package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// The vulnerable of sealed and controlled zones: the board of those not
// reached today (by building, cards on a phone), a resident's page with
// the daily check form, their contact and their checks, the contact's
// own list on the home page with one tap for "called, fine", and the
// secretary's controls (confirm proposals, alert hour). The JSON API
// serves the same.

// Vulnerable pages.
const (
	pageVulnerableName = "vulnerable"
	pageVulnPersonName = "vulnerable_person"
)

// maxNeedRows is how many needs the check form offers.
const maxNeedRows = 3

// registerVulnerable registers the pages when the server has Vulnerable.
func (s *Server) registerVulnerable() {
	if s.Vulnerable == nil {
		return
	}
	if err := s.parsePageSet(nil, []string{pageVulnerableName, pageVulnPersonName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	check, manage := Needs(frontline.PermCheckVulnerable), Needs(frontline.PermManageWorkforce)
	s.route("GET /vulnerable", check, s.pageVulnerable)
	s.route("GET /vulnerable/persons/{id}", check, s.pageVulnPerson)
	s.route("POST /vulnerable/persons/{id}/checks", check, s.postVulnCheck)
	s.route("POST /vulnerable/persons/{id}/contact", manage, s.postVulnContact)
	s.route("POST /vulnerable/confirm", manage, s.postVulnConfirm)
	s.route("POST /vulnerable/assign", manage, s.postVulnAssign)
	s.route("POST /vulnerable/alert-hour", manage, s.postVulnAlertHour)
	s.route("GET /api/v1/vulnerable", check, s.apiVulnerable)
	s.route("GET /api/v1/vulnerable/{id}", check, s.apiVulnPerson)
	s.route("POST /api/v1/vulnerable/{id}/checks", check, s.apiVulnCheck)
}

// vulnerablePage is the board.
type vulnerablePage struct {
	layout
	Board  *frontline.VulnerableBoard
	Back   string // the board as shown, where a one-tap check returns
	Manage bool
	At     string // the alert hour, HH:MM
	Notice string // a message id after an action
	Form   form
}

func (s *Server) pageVulnerable(w http.ResponseWriter, r *http.Request) error {
	return s.renderVulnerable(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderVulnerable(w http.ResponseWriter, r *http.Request, f form, status int) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	view := boardView(q)
	if err := q.check(); err != nil {
		return err
	}
	b, err := s.Vulnerable.Board(r.Context(), place.ID, view)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "vuln.title", place.Name)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/vulnerable?place=%d", place.ID)
	if view != frontline.ViewUnreached {
		back += "&" + string(view) + "=1"
	}
	page := vulnerablePage{layout: s.layout(r, lang, title), Board: b, Back: back, Form: f, At: minuteText(b.AlertAt),
		Manage: callerFrom(r.Context()).principal.Can(frontline.PermManageWorkforce)}
	switch {
	case r.URL.Query().Get("confirmed") != "":
		page.Notice = "vuln.confirmed"
	case r.URL.Query().Get("assigned") != "":
		page.Notice = "vuln.assigned"
	case r.URL.Query().Get("saved") != "":
		page.Notice = "vuln.saved"
	case r.URL.Query().Get("checked") != "":
		page.Notice = "vuln.checked"
	}
	return s.render(w, status, pageVulnerableName, page)
}

// boardView reads whom the board lists: all=1 for everyone, nocontact=1
// for those without a named contact, else those not reached today.
func boardView(q *params) frontline.VulnerableView {
	switch {
	case q.boolean("nocontact"):
		return frontline.ViewNoContact
	case q.boolean("all"):
		return frontline.ViewAll
	}
	return frontline.ViewUnreached
}

// minuteText writes minutes after midnight as HH:MM.
func minuteText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// vulnPersonPage is one resident: the check form, the contact, the checks.
type vulnPersonPage struct {
	layout
	Resident *frontline.VulnerableResident
	Checks   []*frontline.VulnerableCheck
	Methods  []frontline.CheckMethod
	States   []frontline.PersonState
	Needs    []frontline.NeedKind
	NeedRows []int
	Workers  []option
	Manage   bool
	Order    bool // may order for the household (orders.place)
	// Medicine: may make and follow the household's medicine requests
	// (orders.place, with the medicine pages served); Help: may open a
	// help request (screening.visit, with the help pages served).
	Medicine bool
	Help     bool
	Next     string
	Form     form
}

func (s *Server) pageVulnPerson(w http.ResponseWriter, r *http.Request) error {
	return s.renderVulnPerson(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderVulnPerson(w http.ResponseWriter, r *http.Request, f form, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	v, checks, err := s.Vulnerable.Resident(ctx, id)
	if err != nil {
		return err
	}
	p := callerFrom(ctx).principal
	lang := pickLang(w, r)
	title, err := s.text(lang, "vuln.person.title", v.Name)
	if err != nil {
		return err
	}
	page := vulnPersonPage{layout: s.layout(r, lang, title), Resident: v, Checks: checks, Methods: frontline.CheckMethods,
		States: frontline.PersonStates, Needs: frontline.NeedKinds, NeedRows: []int{1, 2, 3}, Form: f,
		Manage: p.Can(frontline.PermManageWorkforce), Order: s.Orders != nil && p.Can(frontline.PermPlaceOrders),
		Medicine: s.Medicine != nil && s.Orders != nil && p.Can(frontline.PermPlaceOrders), Help: s.Help != nil && p.Can(frontline.PermVisit),
		Next: safeNext(r.URL.Query().Get("next"))}
	if page.Manage && s.Workers != nil {
		ws, _, err := s.Workers.FindWorkers(ctx, frontline.WorkerFilter{Limit: maxWorkerRows})
		if err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
			return err
		}
		for _, wk := range ws {
			page.Workers = append(page.Workers, option{Value: strconv.FormatInt(wk.ID, 10), Label: wk.Label(),
				Selected: v.Contact != nil && v.Contact.WorkerID == wk.ID})
		}
	}
	return s.render(w, status, pageVulnPersonName, page)
}

// safeNext keeps a return path local.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") {
		return next
	}
	return ""
}

// vulnCheckFields are the fields of the check form.
var vulnCheckFields = []string{"method", "state", "note", "form_token", "next",
	"need1_kind", "need1_detail", "need2_kind", "need2_detail", "need3_kind", "need3_detail"}

// vulnCheck reads the check form: a need row counts when its detail is
// filled.
func vulnCheck(f form, personID int64) *frontline.VulnerableCheck {
	c := &frontline.VulnerableCheck{PersonID: personID, Method: frontline.CheckMethod(f.Values["method"]),
		State: frontline.PersonState(f.Values["state"]), Note: f.Values["note"], Key: f.Values["form_token"]}
	for i := 1; i <= maxNeedRows; i++ {
		detail := strings.TrimSpace(f.Values[fmt.Sprintf("need%d_detail", i)])
		if detail == "" {
			continue
		}
		c.Needs = append(c.Needs, &frontline.VulnerableNeed{Kind: frontline.NeedKind(f.Values[fmt.Sprintf("need%d_kind", i)]), Detail: detail})
	}
	return c
}

// postVulnCheck records a check, from the resident's page or with one tap
// from the board or the home page, and returns to where it came from.
func (s *Server) postVulnCheck(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, vulnCheckFields)
	if err != nil {
		return err
	}
	c := vulnCheck(f, id)
	err = s.Vulnerable.RecordCheck(r.Context(), c)
	if err == nil {
		if next := safeNext(f.Values["next"]); next != "" {
			return redirect(w, r, next)
		}
		return redirect(w, r, fmt.Sprintf("/vulnerable/persons/%d?checked=1", id))
	}
	if err := s.formError(f, err, vulnCheckFields); err != nil {
		return err
	}
	return s.renderVulnPerson(w, r, f, http.StatusBadRequest)
}

// postVulnContact names a resident's contact by hand.
func (s *Server) postVulnContact(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"worker"})
	if err != nil {
		return err
	}
	worker, ok := formID(f.Values["worker"])
	if !ok {
		f.Errors["worker"] = "form.invalid.worker"
		return s.renderVulnPerson(w, r, f, http.StatusBadRequest)
	}
	if _, err := s.Vulnerable.SetContact(r.Context(), id, worker); err != nil {
		if err := s.formError(f, renameField(err, map[string]string{"worker_id": "worker"}), []string{"worker"}); err != nil {
			return err
		}
		return s.renderVulnPerson(w, r, f, http.StatusBadRequest)
	}
	return redirect(w, r, fmt.Sprintf("/vulnerable/persons/%d?saved=1", id))
}

// boardAction runs one of the secretary's actions on the board's node and
// returns to the board with a notice.
func (s *Server) boardAction(w http.ResponseWriter, r *http.Request, notice string, act func(place int64) error) error {
	if _, err := readForm(r, nil); err != nil {
		return err
	}
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	if err := act(place.ID); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/vulnerable?place=%d&%s=1", place.ID, notice))
}

func (s *Server) postVulnConfirm(w http.ResponseWriter, r *http.Request) error {
	return s.boardAction(w, r, "confirmed", func(place int64) error {
		_, err := s.Vulnerable.ConfirmProposals(r.Context(), place)
		return err
	})
}

func (s *Server) postVulnAssign(w http.ResponseWriter, r *http.Request) error {
	return s.boardAction(w, r, "assigned", func(place int64) error {
		_, err := s.Vulnerable.AssignContacts(r.Context(), place)
		return err
	})
}

// postVulnAlertHour sets the node's alert hour (HH:MM; empty clears it).
func (s *Server) postVulnAlertHour(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"alert_at"})
	if err != nil {
		return err
	}
	minute, ok := parseClock(f.Values["alert_at"])
	if !ok {
		f.Errors["alert_at"] = "form.invalid.alert_at"
		return s.renderVulnerable(w, r, f, http.StatusBadRequest)
	}
	return s.boardAction(w, r, "saved", func(place int64) error { return s.Vulnerable.SetAlertHour(r.Context(), place, minute) })
}

// parseClock reads HH:MM as minutes after midnight; "" is -1 (clear).
func parseClock(v string) (int, bool) {
	v = strings.TrimSpace(frontline.FoldWidth(v))
	if v == "" {
		return -1, true
	}
	h, m, ok := strings.Cut(v, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// vulnerableWork: for a contact, their people not reached today; for the
// command, how many of the scope's are not reached and without a contact.
func (s *Server) vulnerableWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Vulnerable == nil || !p.Can(frontline.PermCheckVulnerable) {
		return nil, nil
	}
	var out []workItem
	if p.Can(frontline.PermManageWorkforce) {
		b, err := s.Vulnerable.Board(r.Context(), p.ScopeID, frontline.ViewUnreached)
		if err != nil {
			return nil, err
		}
		if b.Total > 0 {
			title, err := s.text(lang, "work.vuln.board")
			if err != nil {
				return nil, err
			}
			detail, err := s.counts(lang, countText{"work.vuln.unreached", b.Total - b.Checked}, countText{"work.vuln.nocontact", b.NoContact})
			if err != nil {
				return nil, err
			}
			out = append(out, workItem{Title: title, Detail: detail, Href: "/vulnerable", TestID: "work-vulnerable"})
		}
	}
	return out, nil
}

// apiVulnerable is the board as JSON.
func (s *Server) apiVulnerable(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	view := boardView(q)
	if err := q.check(); err != nil {
		return err
	}
	b, err := s.Vulnerable.Board(r.Context(), place.ID, view)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, b)
}

// vulnPersonJSON is one resident with their checks.
type vulnPersonJSON struct {
	Resident *frontline.VulnerableResident `json:"resident"`
	Checks   []*frontline.VulnerableCheck  `json:"checks"`
}

func (s *Server) apiVulnPerson(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	v, checks, err := s.Vulnerable.Resident(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, vulnPersonJSON{Resident: v, Checks: checks})
}

// vulnCheckJSON is a check as the API takes it.
type vulnCheckJSON struct {
	Method frontline.CheckMethod       `json:"method"`
	State  frontline.PersonState       `json:"state"`
	Note   string                      `json:"note"`
	Needs  []*frontline.VulnerableNeed `json:"needs"`
	Key    string                      `json:"key"`
}

func (s *Server) apiVulnCheck(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in vulnCheckJSON
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := &frontline.VulnerableCheck{PersonID: id, Method: in.Method, State: in.State, Note: in.Note, Needs: in.Needs, Key: in.Key}
	if err := s.Vulnerable.RecordCheck(r.Context(), c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

// vulnCards is what the "vulncards" part needs: residents as cards, each
// with one tap for "called, fine" that returns to Next.
type vulnCards struct {
	Lang, CSRF, Next string
	Residents        []*frontline.VulnerableResident
}

func vulnCardsOf(lang, csrf, next string, residents []*frontline.VulnerableResident) vulnCards {
	return vulnCards{Lang: lang, CSRF: csrf, Next: next, Residents: residents}
}
