package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// The last hundred metres: the runs of the day, a run's page (the
// delivery volunteer's, one tap per door at 390 px), making a run at the
// gate, and the complaints households sent through their links.

// Delivery pages.
const (
	pageRunsName       = "runs"
	pageRunName        = "run"
	pageComplaintsName = "complaints"
)

func deliveryPages() []string { return []string{pageRunsName, pageRunName, pageComplaintsName} }

// registerDeliveries registers the run pages, their API, and the
// complaints, when the server has Deliveries (with Orders).
func (s *Server) registerDeliveries() {
	deliver := Needs(frontline.PermDeliver)
	s.route("GET /runs", deliver, s.pageRuns)
	s.route("GET /runs/{id}", deliver, s.pageRun)
	s.route("POST /runs/{id}/close", deliver, s.postCloseRun)
	s.route("POST /gate/runs", deliver, s.postRun)
	s.route("POST /parcels/{id}/delivered", deliver, s.postDelivered)
	s.route("POST /parcels/{id}/returned", deliver, s.postReturned)
	s.route("POST /parcels/{id}/reopen", deliver, s.postReopen)
	s.route("GET /complaints", Needs(frontline.PermPlaceOrders), s.pageComplaints)
	s.route("POST /complaints/{id}/handled", Needs(frontline.PermPlaceOrders), s.postComplaintHandled)
	s.route("GET /api/v1/complaints", Needs(frontline.PermPlaceOrders), s.apiComplaints)
	s.route("POST /api/v1/complaints/{id}/handled", Needs(frontline.PermPlaceOrders), s.apiComplaintHandled)
	for _, pp := range partnerPrefixes() {
		s.route("GET "+pp.Prefix+"/complaints", Needs(pp.Perm), s.pageComplaints)
	}
	s.route("GET /api/v1/runs", deliver, s.apiRuns)
	s.route("GET /api/v1/runs/{id}", deliver, s.apiRun)
	s.route("POST /api/v1/parcels/{id}/delivered", deliver, s.apiDelivered)
	s.route("POST /api/v1/parcels/{id}/returned", deliver, s.apiReturned)
}

// deliveryLinks adds the runs to the navigation of those who carry them.
func (s *Server) deliveryLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Deliveries == nil || s.Orders == nil || len(links) == 0 || !p.Can(frontline.PermDeliver) {
		return links
	}
	return beforeLast(links, navLink{"/runs", "nav.runs", "nav-runs"})
}

// today is the local day now.
func (s *Server) today() string { return s.Now().In(s.Location).Format(frontline.DateLayout) }

// runsPage lists the caller's runs of a day and the runs of their scope.
type runsPage struct {
	layout
	Day, Prev, Next string
	Mine, All       []*frontline.Run
}

func (s *Server) pageRuns(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	day := s.today()
	if d := q.text("day"); d != nil && *d != "" {
		day = *d
		if _, err := time.Parse(frontline.DateLayout, day); err != nil {
			q.fail(frontline.FieldError("day", "not a date (YYYY-MM-DD)"))
		}
	}
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	// The caller's runs still under way, whatever their day, and those of
	// the day; then the others of the day in their scope.
	mine, err := s.Deliveries.FindRuns(ctx, frontline.RunFilter{Mine: true, Status: frontline.RunOpen})
	if err != nil {
		return err
	}
	ofDay, err := s.Deliveries.FindRuns(ctx, frontline.RunFilter{Day: day, Mine: true})
	if err != nil {
		return err
	}
	all, err := s.Deliveries.FindRuns(ctx, frontline.RunFilter{Day: day})
	if err != nil {
		return err
	}
	has := func(list []*frontline.Run, run *frontline.Run) bool {
		return slices.ContainsFunc(list, func(x *frontline.Run) bool { return x.ID == run.ID })
	}
	for _, run := range ofDay {
		if !has(mine, run) {
			mine = append(mine, run)
		}
	}
	all = slices.DeleteFunc(all, func(run *frontline.Run) bool { return has(mine, run) })
	lang := pickLang(w, r)
	title, err := s.text(lang, "runs.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageRunsName, runsPage{layout: s.layout(r, lang, title), Day: day, Mine: mine, All: all,
		Prev: frontline.AddDays(day, -1), Next: frontline.AddDays(day, 1)})
}

// runPage is one run, building by building, with a tap per door.
type runPage struct {
	layout
	Run       *frontline.Run
	Buildings []runBuilding
	Reasons   []string
	// Problem is a refusal's message id, for parcel Parcel (0: the run),
	// with the note that was typed.
	Problem string
	Parcel  int64
	Reason  string
	Note    string
}

// runBuilding is a building's doors on a run.
type runBuilding struct {
	ID    int64
	Name  string
	Doors []runDoor
	Out   int // doors with a parcel still out
}

// runDoor is a household's parcels on a run, ticked with one tap: the
// door's forms act through its first parcel still out (First; nil when
// every parcel has a result). Problem says a refusal is about this door.
type runDoor struct {
	HouseholdID int64
	Door        string
	Drop        frontline.Drop
	Parcels     []*frontline.Parcel
	First       *frontline.Parcel
	Problem     bool
}

func buildingsOf(r *frontline.Run, problem int64) []runBuilding {
	var out []runBuilding
	for _, d := range frontline.DoorsOf(r.Parcels) {
		p := d.Parcels[0]
		if n := len(out); n == 0 || out[n-1].ID != p.BuildingID {
			out = append(out, runBuilding{ID: p.BuildingID, Name: p.Building})
		}
		b := &out[len(out)-1]
		door := runDoor{HouseholdID: d.HouseholdID, Door: p.Door, Drop: p.Drop, Parcels: d.Parcels}
		if left := d.Out(); len(left) > 0 {
			door.First, door.Drop = left[0], left[0].Drop
			b.Out++
		}
		for _, q := range d.Parcels {
			door.Problem = door.Problem || problem != 0 && q.ID == problem
		}
		b.Doors = append(b.Doors, door)
	}
	return out
}

func (s *Server) pageRun(w http.ResponseWriter, r *http.Request) error {
	return s.renderRun(w, r, runPage{}, http.StatusOK)
}

func (s *Server) renderRun(w http.ResponseWriter, r *http.Request, page runPage, status int) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	run, err := s.Deliveries.FindRunByID(r.Context(), id)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "run.title", run.PlaceName)
	if err != nil {
		return err
	}
	page.layout, page.Run, page.Buildings, page.Reasons = s.layout(r, lang, title), run, buildingsOf(run, page.Parcel), frontline.ReturnReasons
	return s.render(w, status, pageRunName, page)
}

// runAnchor is where a parcel's answer leads: its building on the run.
// The door's taps act on the household's parcels together.
func runAnchor(p *frontline.Parcel) string {
	return fmt.Sprintf("/runs/%d#b%d", p.RunID, p.BuildingID)
}

func (s *Server) postDelivered(w http.ResponseWriter, r *http.Request) error {
	_, id, err := readFormFor(r, nil)
	if err != nil {
		return err
	}
	door, err := s.Deliveries.DeliverDoor(r.Context(), id)
	if err != nil {
		return s.parcelRefused(w, r, id, err, "", "")
	}
	return redirect(w, r, runAnchor(door[0]))
}

func (s *Server) postReturned(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"reason", "note"})
	if err != nil {
		return err
	}
	door, err := s.Deliveries.ReturnDoor(r.Context(), id, f.Values["reason"], f.Values["note"])
	if err != nil {
		return s.parcelRefused(w, r, id, err, f.Values["reason"], f.Values["note"])
	}
	return redirect(w, r, runAnchor(door[0]))
}

func (s *Server) postReopen(w http.ResponseWriter, r *http.Request) error {
	_, id, err := readFormFor(r, nil)
	if err != nil {
		return err
	}
	p, err := s.Deliveries.Reopen(r.Context(), id)
	if err != nil {
		return s.parcelRefused(w, r, id, err, "", "")
	}
	return redirect(w, r, runAnchor(p))
}

// parcelRefused shows the run again with the refusal next to the parcel
// and what was typed, for a refusal about the form; other errors are the
// page's.
func (s *Server) parcelRefused(w http.ResponseWriter, r *http.Request, parcel int64, err error, reason, note string) error {
	code := frontline.ErrorCode(err)
	if code != frontline.EINVALID && code != frontline.ECONFLICT {
		return err
	}
	run, _ := strconv.ParseInt(r.PostFormValue("run"), 10, 64)
	if run <= 0 {
		return err
	}
	problem := "run.error." + code
	if f := frontline.ErrorField(err); f == "reason" || f == "note" {
		problem = "run.error." + f
	}
	r.SetPathValue("id", strconv.FormatInt(run, 10))
	return s.renderRun(w, r, runPage{Problem: problem, Parcel: parcel, Reason: reason, Note: note}, http.StatusBadRequest)
}

func (s *Server) postCloseRun(w http.ResponseWriter, r *http.Request) error {
	_, id, err := readFormFor(r, nil)
	if err != nil {
		return err
	}
	if _, err := s.Deliveries.CloseRun(r.Context(), id); err != nil {
		if frontline.ErrorCode(err) != frontline.ECONFLICT {
			return err
		}
		return s.renderRun(w, r, runPage{Problem: "run.error.close"}, http.StatusConflict)
	}
	return redirect(w, r, fmt.Sprintf("/runs/%d", id))
}

// postRun makes a run at the gate: the compound (?place=), the day, the
// buildings ticked, a worker or a team ("w.ID" or "t.ID").
func (s *Server) postRun(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"day", "carrier", formTokenField}, "building")
	if err != nil {
		return err
	}
	q := newParams(r)
	place := q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	req := frontline.RunRequest{Day: f.Values["day"], Key: f.Values[formTokenField]}
	if place != nil {
		req.PlaceID = *place
	}
	for _, v := range r.PostForm["building"] {
		if id, ok := formID(v); ok {
			req.Buildings = append(req.Buildings, id)
		}
	}
	if c := f.Values["carrier"]; len(c) > 2 {
		id, _ := formID(c[2:])
		switch c[:2] {
		case "w.":
			req.WorkerID = id
		case "t.":
			req.PostID = id
		}
	}
	run, err := s.Deliveries.CreateRun(r.Context(), req)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/runs/%d", run.ID))
	}
	if err := s.formError(f, err, []string{"buildings", "worker", "post", "day"}); err != nil {
		return err
	}
	return s.renderGate(w, r, f, http.StatusBadRequest)
}

// complaintsPage lists households' complaints, open ones first; staff
// who handle them (CanHandle) have a form on each open one. Problem is a
// refusal's message id for complaint Complaint, with the note typed.
type complaintsPage struct {
	layout
	Complaints []*frontline.Complaint
	CanHandle  bool
	Complaint  int64
	Problem    string
	Note       string
}

func (s *Server) pageComplaints(w http.ResponseWriter, r *http.Request) error {
	return s.renderComplaints(w, r, complaintsPage{}, http.StatusOK)
}

func (s *Server) renderComplaints(w http.ResponseWriter, r *http.Request, page complaintsPage, status int) error {
	q := newParams(r)
	under := q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	list, err := s.Deliveries.FindComplaints(r.Context(), under)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "complaints.title")
	if err != nil {
		return err
	}
	p := callerFrom(r.Context()).principal
	page.layout, page.Complaints = s.layout(r, lang, title), list
	page.CanHandle = p.Can(frontline.PermPlaceOrders) || p.Can(frontline.PermManageSupply)
	return s.render(w, status, pageComplaintsName, page)
}

// postComplaintHandled records that staff handled a complaint, with a
// note of what was done; a refusal shows the list again with the note.
func (s *Server) postComplaintHandled(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"note"})
	if err != nil {
		return err
	}
	if _, err := s.Deliveries.HandleComplaint(r.Context(), id, f.Values["note"]); err != nil {
		code := frontline.ErrorCode(err)
		if code != frontline.EINVALID && code != frontline.ECONFLICT {
			return err
		}
		return s.renderComplaints(w, r, complaintsPage{Complaint: id, Problem: "complaints.error." + code, Note: f.Values["note"]},
			http.StatusBadRequest)
	}
	return redirect(w, r, fmt.Sprintf("/complaints#c%d", id))
}

// apiComplaints lists complaints (?place=), open ones first.
func (s *Server) apiComplaints(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	under := q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	list, err := s.Deliveries.FindComplaints(r.Context(), under)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"complaints": list})
}

// handledRequest is the body of a complaint's handling.
type handledRequest struct {
	Note string `json:"note"`
}

// apiComplaintHandled records that a complaint was handled.
func (s *Server) apiComplaintHandled(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in handledRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c, err := s.Deliveries.HandleComplaint(r.Context(), id, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// postOrderConfirm records, through the household's link, that it
// received an order.
func (s *Server) postOrderConfirm(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"t", "order"})
	if err != nil {
		return err
	}
	order, _ := formID(f.Values["order"])
	ctx := s.householdContext(r)
	_, err = s.Deliveries.ConfirmByLink(ctx, f.Values["t"], order)
	return s.linkAnswered(w, r, f, err, "order.confirmed")
}

// postOrderComplain records a household's complaint through its link.
func (s *Server) postOrderComplain(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"t", "order", "text"})
	if err != nil {
		return err
	}
	order, _ := formID(f.Values["order"])
	ctx := s.householdContext(r)
	_, err = s.Deliveries.ComplainByLink(ctx, f.Values["t"], order, f.Values["text"])
	return s.linkAnswered(w, r, f, err, "order.complained")
}

// linkAnswered shows the household's page again after a confirmation or
// a complaint: with a thank-you, with the refusal and what was typed, or
// as a link that no longer works.
func (s *Server) linkAnswered(w http.ResponseWriter, r *http.Request, f form, err error, done string) error {
	token := f.Values["t"]
	switch frontline.ErrorCode(err) {
	case "":
		g := newForm()
		g.Values["done"] = done
		return s.renderOrderLink(w, r, token, nil, g, http.StatusOK)
	case frontline.ENOTFOUND:
		// A link that no longer works shows as such; an order not the
		// household's leaves its page as it was.
		return s.renderOrderLink(w, r, token, nil, newForm(), http.StatusNotFound)
	case frontline.EINVALID, frontline.ECONFLICT:
		f.Errors["text"] = "order.error.complaint"
		if frontline.ErrorCode(err) == frontline.ECONFLICT {
			f.Errors["text"] = "order.error.answer"
		}
		f.Values["complain"] = f.Values["order"]
		return s.renderOrderLink(w, r, token, nil, f, http.StatusBadRequest)
	}
	return err
}

// apiRuns lists runs (?place=, ?day=, ?mine=1, ?status=).
func (s *Server) apiRuns(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.RunFilter{Under: q.id("place"), Mine: q.boolean("mine"), Day: r.URL.Query().Get("day"),
		Status: frontline.RunStatus(r.URL.Query().Get("status"))}
	if err := q.check(); err != nil {
		return err
	}
	if f.Mine && f.Day == "" {
		f.Day = s.today()
	}
	runs, err := s.Deliveries.FindRuns(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"runs": runs})
}

// apiRun returns a run with its parcels.
func (s *Server) apiRun(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	run, err := s.Deliveries.FindRunByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, run)
}

// apiDelivered ticks a parcel delivered; a retry answers the same.
func (s *Server) apiDelivered(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	p, err := s.Deliveries.Deliver(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// returnRequest is the body of a return.
type returnRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// apiReturned sends a parcel back to the gate with a reason.
func (s *Server) apiReturned(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in returnRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.Deliveries.Return(r.Context(), id, in.Reason, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// runsAt returns the runs of a compound's day, for the gate; nil when the
// server has no deliveries or the caller does not carry runs.
func (s *Server) runsAt(r *http.Request, place int64, day string) ([]*frontline.Run, error) {
	if s.Deliveries == nil || !callerFrom(r.Context()).principal.Can(frontline.PermDeliver) {
		return nil, nil
	}
	return s.Deliveries.FindRuns(r.Context(), frontline.RunFilter{Under: &place, Day: day})
}

// gateLink is the gate page of a run's compound and day.
func gateLink(r *frontline.Run) string {
	return "/gate?" + url.Values{"place": {strconv.FormatInt(r.PlaceID, 10)}, "day": {r.Day}}.Encode()
}

// runList is what the "runlist" part needs (Runs), and the "runreturns"
// part (Run: its returns by reason).
type runList struct {
	Lang string
	Runs []*frontline.Run
	Run  *frontline.Run
}

func runListOf(lang string, runs []*frontline.Run, one ...*frontline.Run) runList {
	l := runList{Lang: lang, Runs: runs}
	if len(one) > 0 {
		l.Run = one[0]
	}
	return l
}

// deliveryWork: the caller's delivery runs still under way, each with
// the doors left.
func (s *Server) deliveryWork(r *http.Request, p *frontline.Principal, lang string) ([]workItem, error) {
	if s.Deliveries == nil || s.Orders == nil || !p.Can(frontline.PermDeliver) {
		return nil, nil
	}
	runs, err := s.Deliveries.FindRuns(r.Context(), frontline.RunFilter{Mine: true, Status: frontline.RunOpen})
	if err != nil {
		return nil, err
	}
	var out []workItem
	for _, run := range runs {
		title, err := s.text(lang, "run.title", run.PlaceName)
		if err != nil {
			return nil, err
		}
		detail, err := s.text(lang, "run.counts", run.Counts.Out, run.Counts.Delivered, run.Counts.Returned)
		if err != nil {
			return nil, err
		}
		out = append(out, workItem{Title: title + " · " + run.Day, Detail: detail, Href: fmt.Sprintf("/runs/%d", run.ID), TestID: "work-run"})
	}
	return out, nil
}
