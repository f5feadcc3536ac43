package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
)

// Distributions (保供包): the office starts a package to every household
// of a node, follows its progress per building, and closes it when every
// door has a final status; volunteers and grid workers mark the doors on a
// phone, one tap each, on the list of doors not yet served.

// Distribution pages.
const (
	pageDistributionsName = "distributions"
	pageDistributionName  = "distribution"
	pageHandoutsName      = "handouts"
)

// registerDistributions registers the pages and the API when the server
// has the service.
func (s *Server) registerDistributions() {
	if s.Distributions == nil {
		return
	}
	if err := s.parsePageSet(map[string]any{"add": func(a, b int) int { return a + b }}, []string{pageDistributionsName, pageDistributionName, pageHandoutsName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	manage, carry := Needs(frontline.PermManageSupply), Needs(frontline.PermPlaceOrders)
	s.route("GET /distributions", carry, s.pageDistributions)
	s.route("POST /distributions", manage, s.postDistribution)
	s.route("GET /distributions/{id}", carry, s.pageDistribution)
	s.route("GET /distributions/{id}/doors", carry, s.pageHandouts)
	s.route("POST /distributions/{id}/mark", carry, s.postMark)
	s.route("POST /distributions/{id}/close", manage, s.postCloseDistribution)
	s.route("POST /distributions/{id}/households", manage, s.postAddHandout)
	s.route("GET /distributions/{id}/list.xlsx", manage, s.exportDistribution)
	s.route("POST /households/{id}/needs", Needs(frontline.PermEditRegistry), s.postNeeds)
	s.route("GET /api/v1/distributions", carry, s.apiDistributions)
	s.route("POST /api/v1/distributions", manage, s.apiStartDistribution)
	s.route("GET /api/v1/distributions/{id}", carry, s.apiDistribution)
	s.route("GET /api/v1/distributions/{id}/households", carry, s.apiHandouts)
	s.route("POST /api/v1/distributions/{id}/marks", carry, s.apiMark)
	s.route("POST /api/v1/distributions/{id}/close", manage, s.apiCloseDistribution)
}

// distributionLinks adds the distributions to the navigation of those who
// carry or manage them.
func (s *Server) distributionLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Distributions == nil || len(links) == 0 || !p.Can(frontline.PermPlaceOrders) {
		return links
	}
	return beforeLast(links, navLink{"/distributions", "nav.distributions", "nav-distributions"})
}

// distributionsPage lists the distributions of a node, with the form that
// starts one for those who may.
type distributionsPage struct {
	layout
	Place         *frontline.Place
	Distributions []*frontline.Distribution
	CanStart      bool
	Areas         []option
	New           form
}

func (s *Server) pageDistributions(w http.ResponseWriter, r *http.Request) error {
	return s.renderDistributions(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderDistributions(w http.ResponseWriter, r *http.Request, f form, status int) error {
	ctx := r.Context()
	place, err := s.workforcePlace(ctx, newParams(r))
	if err != nil {
		return err
	}
	list, _, err := s.Distributions.FindDistributions(ctx, place.ID, 0, maxRows)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "dist.title")
	if err != nil {
		return err
	}
	page := distributionsPage{layout: s.layout(r, lang, title), Place: place, Distributions: list, New: f,
		CanStart: callerFrom(ctx).principal.Can(frontline.PermManageSupply)}
	if page.CanStart {
		kids, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &place.ID, Limit: maxRows})
		if err != nil {
			return err
		}
		for _, p := range append([]*frontline.Place{place}, kids...) {
			if p.Kind == frontline.KindHousehold {
				continue
			}
			v := strconv.FormatInt(p.ID, 10)
			page.Areas = append(page.Areas, option{Value: v, Label: p.Name, Selected: f.Values["scope_id"] == v})
		}
	}
	return s.render(w, status, pageDistributionsName, page)
}

var distributionFields = []string{"dist_name", "contents", "scope_id"}

func (s *Server) postDistribution(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, distributionFields)
	if err != nil {
		return err
	}
	d := &frontline.Distribution{Name: f.Values["dist_name"], Contents: f.Values["contents"]}
	d.ScopeID, _ = formID(f.Values["scope_id"])
	if err = s.Distributions.StartDistribution(r.Context(), d); err == nil {
		return redirect(w, r, fmt.Sprintf("/distributions/%d", d.ID))
	}
	if err := s.formError(f, renameField(err, map[string]string{"name": "dist_name"}), distributionFields); err != nil {
		return err
	}
	return s.renderDistributions(w, r, f, http.StatusBadRequest)
}

// distributionPage is a distribution's progress at a node: the node's
// counters, a row per child (the buildings of a compound), and the
// office's forms.
type distributionPage struct {
	layout
	Distribution *frontline.Distribution
	Node         *frontline.DistributionProgress
	Rows         []*frontline.DistributionProgress
	CanManage    bool
	New          []*frontline.Place // households under the node that are not in it
	Refusal      string             // why closing was refused
	Pending      int
	Form         form
}

func (s *Server) pageDistribution(w http.ResponseWriter, r *http.Request) error {
	return s.renderDistribution(w, r, "", newForm(), http.StatusOK)
}

func (s *Server) renderDistribution(w http.ResponseWriter, r *http.Request, refusal string, f form, status int) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	d, err := s.Distributions.FindDistributionByID(ctx, id)
	if err != nil {
		return err
	}
	node, rows, err := s.Distributions.Progress(ctx, id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	lang := pickLang(w, r)
	page := distributionPage{layout: s.layout(r, lang, d.Name), Distribution: d, Node: node, Rows: rows, Refusal: refusal,
		CanManage: callerFrom(ctx).principal.Can(frontline.PermManageSupply), Pending: node.Pending(), Form: f}
	// Households not in it are looked for in a compound or smaller: a
	// city's would be a walk of every household on each view.
	if page.CanManage && d.Status == frontline.DistributionOpen && node.Kind.Rank() >= frontline.KindCompound.Rank() {
		if page.New, err = s.Distributions.NewHouseholds(ctx, id, node.PlaceID); err != nil {
			return err
		}
	}
	return s.render(w, status, pageDistributionName, page)
}

func (s *Server) postCloseDistribution(w http.ResponseWriter, r *http.Request) error {
	_, id, err := readFormFor(r, nil)
	if err != nil {
		return err
	}
	_, err = s.Distributions.CloseDistribution(r.Context(), id)
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/distributions/%d", id))
	}
	if frontline.ErrorField(err) != "pending" {
		return err
	}
	return s.renderDistribution(w, r, "dist.close.refused", newForm(), http.StatusConflict)
}

func (s *Server) postAddHandout(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"household_id"})
	if err != nil {
		return err
	}
	hh, _ := formID(f.Values["household_id"])
	if err = s.Distributions.AddHousehold(r.Context(), id, hh); err == nil {
		return redirect(w, r, fmt.Sprintf("/distributions/%d/doors?household=%d", id, hh))
	}
	if err := s.formError(f, err, []string{"household_id"}); err != nil {
		return err
	}
	return s.renderDistribution(w, r, "", f, http.StatusBadRequest)
}

// handoutsPage is the list of doors of a node, by building: those not yet
// served (the gap list), or all of them, with one tap per door.
type handoutsPage struct {
	layout
	Distribution *frontline.Distribution
	Node         *frontline.DistributionProgress
	Buildings    []*handoutBuilding
	All          bool
	Total        int
	From, To     int
	Prev, Next   string
	Marks        []frontline.HandoutStatus
	Back         string // this page, where a mark returns
	Error        markError
}

// handoutBuilding is one building of a page of doors, with where its
// parcels are left by the zone rules.
type handoutBuilding struct {
	ID     int64
	Name   string
	Doors  []*frontline.Handout
	ToDoor bool
}

// markError is a mark the store refused, shown at its door.
type markError struct {
	HouseholdID int64
	Msg         string
	Status      string
	Reason      string
}

// maxHandouts bounds a page of doors: a few buildings on a phone.
const maxHandouts = 200

func (s *Server) pageHandouts(w http.ResponseWriter, r *http.Request) error {
	return s.renderHandouts(w, r, markError{}, http.StatusOK)
}

func (s *Server) renderHandouts(w http.ResponseWriter, r *http.Request, me markError, status int) error {
	q := newParams(r)
	id, place, one := q.pathID("id"), q.id("place"), q.id("household")
	all := q.boolean("all")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	if pg.Limit <= 0 || pg.Limit > maxHandouts {
		pg.Limit = maxHandouts
	}
	ctx := r.Context()
	d, err := s.Distributions.FindDistributionByID(ctx, id)
	if err != nil {
		return err
	}
	node, _, err := s.Distributions.Progress(ctx, id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	f := frontline.HandoutFilter{Under: &node.PlaceID, OnlyPending: !all && one == nil, HouseholdID: one, Offset: pg.Offset, Limit: pg.Limit}
	hs, total, err := s.Distributions.FindHandouts(ctx, id, f)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "dist.doors.title", node.Name)
	if err != nil {
		return err
	}
	page := handoutsPage{layout: s.layout(r, lang, title), Distribution: d, Node: node, All: all || one != nil, Total: total,
		From: pg.Offset + 1, To: pg.Offset + len(hs), Marks: frontline.HandoutMarks, Error: me, Back: r.URL.RequestURI()}
	if r.Method != http.MethodGet {
		page.Back = r.PostFormValue("back")
	}
	if page.Buildings, err = s.handoutBuildings(r, hs); err != nil {
		return err
	}
	page.Prev, page.Next = pageLinks(fmt.Sprintf("/distributions/%d/doors", id), r.URL.Query(), pg.Offset, len(hs), pg.Limit, total)
	return s.render(w, status, pageHandoutsName, page)
}

// handoutBuildings groups doors, which come in walking order, by building,
// and says for each whether parcels go to the door: the zone rule of the
// building's effective level (the one call every workflow asks).
func (s *Server) handoutBuildings(r *http.Request, hs []*frontline.Handout) ([]*handoutBuilding, error) {
	var out []*handoutBuilding
	var ids []int64
	for _, h := range hs {
		if len(out) == 0 || out[len(out)-1].ID != h.BuildingID {
			out = append(out, &handoutBuilding{ID: h.BuildingID, Name: h.Building})
			ids = append(ids, h.BuildingID)
		}
		out[len(out)-1].Doors = append(out[len(out)-1].Doors, h)
	}
	if s.Zones == nil || len(ids) == 0 {
		return out, nil
	}
	levels, err := s.Zones.EffectiveLevels(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	for _, b := range out {
		if st := levels[b.ID]; st != nil && st.Rule != nil {
			b.ToDoor = st.Rule.DoorDelivery
		}
	}
	return out, nil
}

func (s *Server) postMark(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, []string{"household_id", "status", "reason", "back"})
	if err != nil {
		return err
	}
	hh, _ := formID(f.Values["household_id"])
	m := &frontline.HandoutMark{DistributionID: id, HouseholdID: hh, Status: frontline.HandoutStatus(f.Values["status"]),
		Reason: f.Values["reason"]}
	back := f.Values["back"]
	if u, perr := url.Parse(back); perr != nil || u.Path != fmt.Sprintf("/distributions/%d/doors", id) || u.Host != "" {
		back = fmt.Sprintf("/distributions/%d/doors", id)
	}
	if _, err = s.Distributions.Mark(r.Context(), m); err == nil {
		return redirect(w, r, back)
	}
	me := markError{HouseholdID: hh, Status: f.Values["status"], Reason: f.Values["reason"], Msg: "error." + frontline.ErrorCode(err)}
	switch frontline.ErrorField(err) {
	case "reason":
		me.Msg = "dist.reason.missing"
	case "status":
		me.Msg = "dist.status.unknown"
	default:
		if frontline.ErrorCode(err) != frontline.EINVALID && frontline.ErrorCode(err) != frontline.ECONFLICT {
			return err
		}
	}
	// The list shows the page it came from, with the message at the door.
	u, _ := url.Parse(back)
	r.URL.RawQuery = u.RawQuery
	return s.renderHandouts(w, r, me, http.StatusBadRequest)
}

// postNeeds sets a household's needs from its page.
func (s *Server) postNeeds(w http.ResponseWriter, r *http.Request) error {
	f, id, err := readFormFor(r, nil, "needs")
	if err != nil {
		return err
	}
	var needs []frontline.HouseholdNeed
	for _, n := range frontline.HouseholdNeeds {
		if f.Checked["needs."+string(n)] {
			needs = append(needs, n)
		}
	}
	if err := s.Distributions.SetHouseholdNeeds(r.Context(), id, needs); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/places/%d#needs", id))
}

// exportDistribution writes a node's list of a distribution, by building,
// as XLSX: the progress of each building and every door with its status
// and needs.
func (s *Server) exportDistribution(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	d, err := s.Distributions.FindDistributionByID(ctx, id)
	if err != nil {
		return err
	}
	node, _, err := s.Distributions.Progress(ctx, id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	hs, _, err := s.Distributions.FindHandouts(ctx, id, frontline.HandoutFilter{Under: &node.PlaceID})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	text := func(id string) string {
		t, err := s.text(lang, id)
		if err != nil {
			return id
		}
		return t
	}
	var buf bytes.Buffer
	if err := report.Distribution(&buf, d, node, hs, text, s.Location); err != nil {
		return err
	}
	return writeXLSX(w, fmt.Sprintf("保供包-%s-%s.xlsx", d.Name, node.Name), buf.Bytes())
}
