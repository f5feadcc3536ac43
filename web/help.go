package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Urgent help: the household's own request through its ordering link
// (/order/help, large text, no account), staff or a grid worker raising
// one from the household's page, the unmet-needs board (/help) ordered by
// deadline, and a request's page with its acknowledgement, its resolution
// and its hospital trips.

// Help pages.
const (
	pageHelpLinkName  = "help_link"
	pageHelpNewName   = "help_new"
	pageHelpBoardName = "help_board"
	pageHelpName      = "help"
)

// registerHelp registers the help pages and API when the server has Help.
func (s *Server) registerHelp() {
	if s.Help == nil {
		return
	}
	funcs := map[string]any{"helpCards": helpCardsOf, "helpFields": helpFieldsOf, "slice1": func(c helpCard) []helpCard { return []helpCard{c} }}
	if err := s.parsePageSet(funcs, []string{pageHelpLinkName, pageHelpNewName, pageHelpBoardName, pageHelpName, pageHelpTargetsName},
		"templates/help_parts.html"); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	// The household's link is its only credential, as for ordering: the
	// page is public and limited per address.
	lim := newRateLimiter(orderRate, time.Minute, s.Now)
	s.route("GET /order/help", AccessPublic, s.limited(lim, s.pageHelpLink))
	s.route("POST /order/help", AccessPublic, s.limited(lim, s.postHelpLink))
	visit := Needs(frontline.PermVisit)
	s.route("GET /help", visit, s.pageHelpBoard)
	s.route("GET /households/{id}/help", visit, s.pageHelpNew)
	s.route("POST /households/{id}/help", visit, s.postHelpNew)
	s.route("GET /help/{id}", visit, s.pageHelp)
	s.route("POST /help/{id}/ack", visit, s.postHelpAck)
	s.route("POST /help/{id}/resolve", visit, s.postHelpResolve)
	s.route("POST /help/{id}/phone", Needs(frontline.PermRevealPerson), s.postHelpPhone)
	trips := Needs(frontline.PermManageWorkforce)
	s.route("POST /help/{id}/trips", trips, s.postHelpTrip)
	s.route("POST /help-trips/{id}/step", trips, s.postTripStep)
	s.route("GET /api/v1/help", visit, s.apiHelpList)
	s.route("POST /api/v1/help", visit, s.apiHelpRaise)
	s.route("GET /api/v1/help/{id}", visit, s.apiHelpGet)
	s.route("POST /api/v1/help/{id}/ack", visit, s.apiHelpAck)
	s.route("POST /api/v1/help/{id}/resolve", visit, s.apiHelpResolve)
	s.route("POST /api/v1/help/{id}/trips", trips, s.apiHelpTrip)
	s.route("POST /api/v1/help-trips/{id}/step", trips, s.apiTripStep)
	s.route("GET /help-targets", Needs(frontline.PermManageUsers), s.pageHelpTargets)
	s.route("POST /help-targets", Needs(frontline.PermManageUsers), s.postHelpTargets)
	s.route("GET /api/v1/help-targets", visit, s.apiHelpTargets)
	s.route("PUT /api/v1/help-targets/{category}", Needs(frontline.PermManageUsers), s.apiPutHelpTarget)
}

// helpLinks adds the unmet-needs board to the navigation of those who
// answer help requests.
func (s *Server) helpLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Help == nil || len(links) == 0 || !p.Can(frontline.PermVisit) {
		return links
	}
	return beforeLast(links, navLink{"/help", "nav.help", "nav-help"})
}

// helpWork: the open requests in the caller's scope, the most pressing
// first, each with its time left; "none open" links the board.
func (s *Server) helpWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Help == nil || !p.Can(frontline.PermVisit) {
		return nil, nil
	}
	open, total, err := s.Help.FindHelp(r.Context(), frontline.HelpFilter{Open: true, Limit: 5})
	if err != nil {
		return nil, err
	}
	var out []workItem
	now := s.Now()
	for _, h := range open {
		cat, err := s.text(lang, "help.cat."+string(h.Category))
		if err != nil {
			return nil, err
		}
		title, err := s.text(lang, "work.help", cat, h.Address)
		if err != nil {
			return nil, err
		}
		out = append(out, workItem{Title: title, Detail: s.helpLeft(lang, h, now), Href: fmt.Sprintf("/help/%d", h.ID), TestID: "work-help"})
	}
	if total > len(open) {
		t, err := s.text(lang, "work.help.more", formatNumber(total-len(open)))
		if err != nil {
			return nil, err
		}
		out = append(out, workItem{Title: t, Href: "/help", TestID: "work-help-more"})
	}
	return out, nil
}

// helpLeft says how long an open request has left to its next deadline,
// or how late it is.
func (s *Server) helpLeft(lang string, h *frontline.HelpRequest, now time.Time) string {
	d := h.Deadline()
	if d.IsZero() {
		return ""
	}
	id := "help.left.ack"
	if h.Status == frontline.HelpAcked {
		id = "help.left.resolve"
	}
	if now.After(d) {
		id += ".late"
	}
	t, err := s.text(lang, id, formatDuration(lang, absDuration(d.Sub(now))))
	if err != nil {
		return id
	}
	return t
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// formatDuration writes a span in minutes, or hours and minutes: what a
// board read from a wall cares about.
func formatDuration(lang string, d time.Duration) string {
	m := int(d / time.Minute)
	if m < 60 {
		if lang == langEN {
			return strconv.Itoa(m) + " min"
		}
		return strconv.Itoa(m) + " 分钟"
	}
	h, m := m/60, m%60
	if lang == langEN {
		return fmt.Sprintf("%d h %02d min", h, m)
	}
	return fmt.Sprintf("%d 小时 %d 分", h, m)
}

// helpCard is one request as the board and the pages show it.
type helpCard struct {
	*frontline.HelpRequest
	Age  string // how long since it was raised
	Left string // the next deadline, or how late
	Late bool
}

// helpCards is what the "helpcards" part needs.
type helpCards struct {
	Lang  string
	Cards []helpCard
}

func helpCardsOf(lang string, cards []helpCard) helpCards { return helpCards{Lang: lang, Cards: cards} }

// helpFields is what the "helpfields" part needs: the form and the
// categories to choose from.
type helpFields struct {
	Lang       string
	Form       form
	Categories []option
}

func helpFieldsOf(lang string, f form, categories []option) helpFields {
	return helpFields{Lang: lang, Form: f, Categories: categories}
}

func (s *Server) helpCardsFor(lang string, list []*frontline.HelpRequest) []helpCard {
	now := s.Now()
	out := make([]helpCard, len(list))
	for i, h := range list {
		out[i] = helpCard{HelpRequest: h, Age: formatDuration(lang, now.Sub(h.CreatedAt)), Left: s.helpLeft(lang, h, now), Late: h.Late(now)}
	}
	return out
}

// helpForm reads a request's form (the link's and staff's).
func helpForm(r *http.Request) (*frontline.HelpRequest, form, error) {
	f, err := readForm(r, []string{"category", "need", "phone", "person", formTokenField})
	if err != nil {
		return nil, f, err
	}
	h := &frontline.HelpRequest{Category: frontline.HelpCategory(f.Values["category"]), Need: f.Values["need"],
		Phone: f.Values["phone"], Key: f.Values[formTokenField]}
	if id, ok := formID(f.Values["person"]); ok {
		h.PersonID = id
	}
	return h, f, nil
}

// helpFormError puts a refusal next to its field, keeping what was typed;
// an error that is not about the form is returned.
func helpFormError(f form, err error) error {
	if frontline.ErrorCode(err) != frontline.EINVALID {
		return err
	}
	switch field := frontline.ErrorField(err); field {
	case "category", "need", "phone", "person_id", "plate", "driver_id", "hospital", "leave_at", "note", "outcome":
		f.Errors[strings.TrimSuffix(field, "_id")] = "help.error." + field
	default:
		f.Errors[""] = "help.error.form"
	}
	f.Values["detail"] = frontline.ErrorMessage(err)
	return nil
}

// categoryOptions lists the categories for a select.
func (s *Server) categoryOptions(lang, selected string) ([]option, error) {
	out := make([]option, len(frontline.HelpCategories))
	for i, c := range frontline.HelpCategories {
		label, err := s.text(lang, "help.cat."+string(c))
		if err != nil {
			return nil, err
		}
		out[i] = option{Value: string(c), Label: label, Selected: string(c) == selected}
	}
	return out, nil
}

// helpLinkPage is the household's own request page.
type helpLinkPage struct {
	layout
	Token      string
	Categories []option
	Mine       []helpCard
	Raised     *frontline.HelpRequest
	Problem    string
	Form       form
}

func (s *Server) pageHelpLink(w http.ResponseWriter, r *http.Request) error {
	return s.renderHelpLink(w, r, r.URL.Query().Get("t"), nil, newForm(), http.StatusOK)
}

func (s *Server) renderHelpLink(w http.ResponseWriter, r *http.Request, token string, raised *frontline.HelpRequest, f form, status int) error {
	l, err := s.linkLayout(w, r, "help.link.title", "/order/help", token)
	if err != nil {
		return err
	}
	page := helpLinkPage{layout: l, Token: token, Raised: raised, Form: f}
	mine, err := s.Help.HelpByLink(r.Context(), token)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		page.Path, page.Token, page.Problem = "/order/help", "", "self.error.gone"
		return s.render(w, http.StatusNotFound, pageHelpLinkName, page)
	} else if err != nil {
		return err
	}
	page.Mine = s.helpCardsFor(l.Lang, mine)
	if page.Categories, err = s.categoryOptions(l.Lang, f.Values["category"]); err != nil {
		return err
	}
	return s.render(w, status, pageHelpLinkName, page)
}

func (s *Server) postHelpLink(w http.ResponseWriter, r *http.Request) error {
	h, f, err := helpForm(r)
	raise := func(ctx context.Context, token string) (*frontline.HelpRequest, error) {
		return s.Help.RaiseHelpByLink(ctx, token, h)
	}
	return postByLink(s, w, r, f, err, raise, helpFormError, s.renderHelpLink)
}

// helpNewPage is staff raising a request for a household.
type helpNewPage struct {
	layout
	Household  *frontline.Place
	Persons    []option
	Categories []option
	Form       form
}

func (s *Server) pageHelpNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderHelpNew(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderHelpNew(w http.ResponseWriter, r *http.Request, f form, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	hh, err := s.Places.FindPlaceByID(r.Context(), id)
	if err != nil {
		return err
	}
	if hh.Kind != frontline.KindHousehold {
		return frontline.Errorf(frontline.ENOTFOUND, "%s is not a household", hh.Name)
	}
	persons, _, err := s.Persons.FindPersons(r.Context(), frontline.PersonFilter{HouseholdID: &hh.ID, Limit: maxRows})
	if err != nil {
		return err
	}
	if f.Values["person"] == "" {
		f.Values["person"] = r.URL.Query().Get("person")
	}
	lang := pickLang(w, r)
	page := helpNewPage{Household: hh, Form: f}
	for _, p := range persons {
		v := strconv.FormatInt(p.ID, 10)
		page.Persons = append(page.Persons, option{Value: v, Label: p.Name, Selected: v == f.Values["person"]})
	}
	if page.Categories, err = s.categoryOptions(lang, f.Values["category"]); err != nil {
		return err
	}
	title, err := s.text(lang, "help.new.title")
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	return s.render(w, status, pageHelpNewName, page)
}

func (s *Server) postHelpNew(w http.ResponseWriter, r *http.Request) error {
	h, f, err := helpForm(r)
	if err != nil {
		return err
	}
	q := newParams(r)
	h.HouseholdID = q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	raised, err := s.Help.RaiseHelp(r.Context(), h)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/help/%d", raised.ID))
	}
	if err := helpFormError(f, err); err != nil {
		return err
	}
	return s.renderHelpNew(w, r, f, http.StatusBadRequest)
}

// helpBoardPage is the unmet-needs board of a node.
type helpBoardPage struct {
	layout
	Place *frontline.Place
	Cards []helpCard
	Total int
	All   bool
	// EditTargets links the deadlines page for the one who may change them.
	EditTargets bool
}

func (s *Server) pageHelpBoard(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	all := q.boolean("all")
	if err := q.check(); err != nil {
		return err
	}
	list, total, err := s.Help.FindHelp(r.Context(), frontline.HelpFilter{Under: &place.ID, Open: !all, Limit: maxRows})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "help.board.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageHelpBoardName, helpBoardPage{layout: s.layout(r, lang, title), Place: place,
		Cards: s.helpCardsFor(lang, list), Total: total, All: all,
		EditTargets: frontline.CanEditHelpTargets(callerFrom(r.Context()).principal)})
}

// helpPage is one request: what, who, where, its deadlines, the actions,
// and its hospital trips.
type helpPage struct {
	layout
	Card      helpCard
	Phone     string // revealed, when asked
	CanReveal bool
	CanTrips  bool
	Drivers   []option
	Persons   []option
	Resolve   form
	Trip      form
}

func (s *Server) pageHelp(w http.ResponseWriter, r *http.Request) error {
	return s.renderHelp(w, r, "", newForm(), newForm(), http.StatusOK)
}

func (s *Server) renderHelp(w http.ResponseWriter, r *http.Request, phone string, resolve, trip form, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	h, err := s.Help.FindHelpByID(ctx, id)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	p := callerFrom(ctx).principal
	page := helpPage{Card: s.helpCardsFor(lang, []*frontline.HelpRequest{h})[0], Phone: phone, Resolve: resolve, Trip: trip,
		CanReveal: p.Can(frontline.PermRevealPerson), CanTrips: s.Workers != nil && p.Can(frontline.PermManageWorkforce)}
	if page.CanTrips && h.Status != frontline.HelpResolved {
		workers, _, err := s.Workers.FindWorkers(ctx, frontline.WorkerFilter{Under: &p.ScopeID, Limit: maxRows})
		if err != nil {
			return err
		}
		for _, wk := range workers {
			v := strconv.FormatInt(wk.ID, 10)
			page.Drivers = append(page.Drivers, option{Value: v, Label: wk.Name, Selected: v == trip.Values["driver"]})
		}
		persons, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{HouseholdID: &h.HouseholdID, Limit: maxRows})
		if err != nil {
			return err
		}
		for _, ps := range persons {
			v := strconv.FormatInt(ps.ID, 10)
			sel := v == trip.Values["person"] || (trip.Values["person"] == "" && ps.ID == h.PersonID)
			page.Persons = append(page.Persons, option{Value: v, Label: ps.Name, Selected: sel})
		}
	}
	title, err := s.text(lang, "help.title", h.ID)
	if err != nil {
		return err
	}
	if phone != "" {
		w.Header().Set("Referrer-Policy", "same-origin")
	}
	page.layout = s.layout(r, lang, title)
	return s.render(w, status, pageHelpName, page)
}

func (s *Server) postHelpAck(w http.ResponseWriter, r *http.Request) error {
	_, id, err := readFormFor(r, nil)
	if err != nil {
		return err
	}
	if _, err := s.Help.AcknowledgeHelp(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/help/%d", id))
}

func (s *Server) postHelpResolve(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"outcome"})
	if err != nil {
		return err
	}
	_, err = s.Help.ResolveHelp(r.Context(), id, f.Values["outcome"])
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/help/%d", id))
	}
	if err := helpFormError(f, err); err != nil {
		return err
	}
	return s.renderHelp(w, r, "", f, newForm(), http.StatusBadRequest)
}

// postHelpPhone shows the number to call back, audited; the page is not
// a redirect target, so a reload does not reveal it again.
func (s *Server) postHelpPhone(w http.ResponseWriter, r *http.Request) error {
	_, id, err := readFormFor(r, nil)
	if err != nil {
		return err
	}
	phone, err := s.Help.RevealHelpPhone(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderHelp(w, r, phone, newForm(), newForm(), http.StatusOK)
}

// readTrip reads a trip's form; the departure is a local date and time.
func (s *Server) readTrip(r *http.Request) (*frontline.HelpTrip, form, int64, error) {
	f, id, err := readFormFor(r, []string{"person", "plate", "driver", "hospital", "leave_at", "note"})
	if err != nil {
		return nil, f, 0, err
	}
	t := &frontline.HelpTrip{RequestID: id, Plate: f.Values["plate"], Hospital: f.Values["hospital"], Note: f.Values["note"]}
	t.PersonID, _ = formID(f.Values["person"])
	t.DriverID, _ = formID(f.Values["driver"])
	if v := strings.TrimSpace(f.Values["leave_at"]); v != "" {
		at, perr := time.ParseInLocation("2006-01-02T15:04", v, s.Location)
		if perr != nil {
			return t, f, id, frontline.FieldError("leave_at", "the time to leave is a date and time such as 2022-04-06T08:30")
		}
		t.LeaveAt = at.UTC()
	}
	return t, f, id, nil
}

func (s *Server) postHelpTrip(w http.ResponseWriter, r *http.Request) error {
	t, f, id, err := s.readTrip(r)
	if err == nil {
		_, err = s.Help.PlanTrip(r.Context(), t)
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/help/%d#trips", id))
	}
	if id == 0 {
		return err
	}
	if err := helpFormError(f, err); err != nil {
		return err
	}
	return s.renderHelp(w, r, "", newForm(), f, http.StatusBadRequest)
}

func (s *Server) postTripStep(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"from", "to", "request"})
	if err != nil {
		return err
	}
	t, err := s.Help.StepTrip(r.Context(), id, frontline.TripStatus(f.Values["from"]), frontline.TripStatus(f.Values["to"]))
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/help/%d#trips", t.RequestID))
}
