package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// The setup page of a round (/rounds/{id}/setup): its sampling sites and
// stations, the call-up plan and the pool policy, for those who manage the
// round as a whole. Every form posts and, when it worked, goes back to the
// page with a notice shown once; a refused form comes back with what was
// typed and the message beside the field. A new station's device token is
// the exception: it is shown on the page that answers the post, the only
// time it can be, and never travels in a URL.

// Setup pages, parsed by registerSetupPages with the layout and parts.
const (
	pageSetupName      = "round_setup"
	pageSetupTokenName = "round_setup_token"
)

// registerSetupPages parses the setup pages and registers their routes.
// Every route needs rounds.manage; the handlers then refuse a round whose
// scope is wider than the caller's.
func (s *Server) registerSetupPages() error {
	funcs := template.FuncMap{"pct": formatPercent, "rule": s.ruleText, "planfields": func() []string { return planFields },
		"sitefields": func(lang string, f form, id string) siteFieldsView { return siteFieldsView{lang, f, id} }}
	if err := s.parsePageSet(funcs, []string{pageSetupName, pageSetupTokenName}); err != nil {
		return err
	}
	manage := Needs(frontline.PermManageRounds)
	s.route("GET /rounds/{id}/setup", manage, s.pageSetup)
	s.route("POST /rounds/{id}/setup/sites", manage, s.postSetupSite)
	s.route("POST /rounds/{id}/setup/sites/{site}", manage, s.postSetupSiteEdit)
	s.route("POST /rounds/{id}/setup/sites/{site}/remove", manage, s.postSetupSiteRemove)
	s.route("POST /rounds/{id}/setup/sites/{site}/stations", manage, s.postSetupStation)
	s.route("POST /rounds/{id}/setup/stations/{station}", manage, s.postSetupStationRename)
	s.route("POST /rounds/{id}/setup/stations/{station}/retire", manage, s.postSetupStationRetire)
	s.route("POST /rounds/{id}/setup/plan", manage, s.postSetupPlan)
	s.route("POST /rounds/{id}/setup/policy", manage, s.postSetupPolicy)
	return nil
}

// setupPage is the setup page. Only the form just posted holds values
// other than the stored ones, or errors.
type setupPage struct {
	layout
	Round *frontline.Round
	// Closed: the round is closed; only retiring stations is left.
	Closed bool
	// Notice is what the last post did, in the page's language, shown
	// once.
	Notice  string
	Sites   []*setupSite
	Places  []option
	NewSite form
	Lanes   []option
	Plan    setupPlan
	Policy  []policyField
	// PolicyForm holds the policy form's message about the whole form.
	PolicyForm form
	Modes      []string
}

// setupSite is a site with its forms and its stations.
type setupSite struct {
	*frontline.Site
	Place   string
	Sampled int
	// Edit is the form of its name, location and hours.
	Edit form
	// Refused says why it could not be removed, in the page's language.
	Refused    string
	Stations   []*setupStation
	NewStation form
	// Open: the site's section starts unfolded (a form of it was used).
	Open bool
}

// setupStation is a station with its rename form.
type setupStation struct {
	*frontline.Station
	Sampled int
	Rename  form
}

// setupRound returns the round of the path if the caller may manage it as
// a whole: staff working inside a wider round see its dashboard but do
// not set it up.
func (s *Server) setupRound(r *http.Request) (*frontline.Round, error) {
	round, err := s.pathRound(r)
	if err != nil {
		return nil, err
	}
	if !round.ManagedBy(callerFrom(r.Context()).principal) {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "round %s covers %s, beyond your scope; it is set up from there", round.Name, round.Scope.Name)
	}
	return round, nil
}

func (s *Server) pageSetup(w http.ResponseWriter, r *http.Request) error {
	round, err := s.setupRound(r)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	page, err := s.setupPageOf(r, lang, round)
	if err != nil {
		return err
	}
	if page.Notice, err = s.takeSetupNotice(w, r, lang, round.ID); err != nil {
		return err
	}
	if err := s.fillPlan(r, lang, &page, r.URL.Query()); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageSetupName, page)
}

// renderSetup shows the page again after a refused form; set puts the
// form in its place.
func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, round *frontline.Round, status int, set func(*setupPage)) error {
	lang := pickLang(w, r)
	page, err := s.setupPageOf(r, lang, round)
	if err != nil {
		return err
	}
	if err := s.fillPlan(r, lang, &page, nil); err != nil {
		return err
	}
	set(&page)
	return s.render(w, status, pageSetupName, page)
}

// setupPageOf reads what the page shows of the sites, stations and policy.
func (s *Server) setupPageOf(r *http.Request, lang string, round *frontline.Round) (setupPage, error) {
	ctx := r.Context()
	title, err := s.text(lang, "roundsetup.title", round.Name)
	if err != nil {
		return setupPage{}, err
	}
	page := setupPage{layout: s.layout(r, lang, title), Round: round, Closed: round.Status == frontline.RoundClosed,
		NewSite: newForm(), PolicyForm: newForm(), Modes: []string{string(frontline.PoolSingle), string(frontline.PoolHousehold), string(frontline.PoolMixed)}}
	for _, l := range []string{"", "non_green"} {
		name := "ordinary"
		if l != "" {
			name = l
		}
		page.Lanes = append(page.Lanes, option{Value: l, Label: s.label(lang, "roundsetup.station.lane."+name, name)})
	}
	if page.Places, page.NewSite.Values["place"], err = s.sitePlaces(ctx, lang, round); err != nil {
		return page, err
	}
	page.NewSite.Values["opens"], page.NewSite.Values["closes"] = s.localTime(round.StartsAt), s.localTime(round.EndsAt)
	if page.Sites, err = s.setupSites(ctx, round, page.Places); err != nil {
		return page, err
	}
	page.Policy = s.policyFields(lang, round.Policy)
	return page, nil
}

// setupSites reads the round's sites and stations with what each sampled.
func (s *Server) setupSites(ctx context.Context, round *frontline.Round, places []option) ([]*setupSite, error) {
	sites, err := s.Sites.FindSites(ctx, round.ID)
	if err != nil {
		return nil, err
	}
	stations, err := s.Sites.FindStations(ctx, round.ID)
	if err != nil {
		return nil, err
	}
	through, err := s.Coverage.Throughput(ctx, round.ID)
	if err != nil {
		return nil, err
	}
	sampled := map[int64]int{}
	for _, t := range through {
		sampled[t.StationID] = t.Sampled
	}
	names := map[string]string{}
	for _, o := range places {
		names[o.Value] = o.Label
	}
	out := make([]*setupSite, 0, len(sites))
	bySite := map[int64]*setupSite{}
	for _, si := range sites {
		v := &setupSite{Site: si, Place: names[strconv.FormatInt(si.PlaceID, 10)], Edit: newForm(), NewStation: newForm()}
		v.Edit.Values["name"], v.Edit.Values["location"] = si.Name, si.Location
		v.Edit.Values["opens"], v.Edit.Values["closes"] = s.localTime(si.OpensAt), s.localTime(si.ClosesAt)
		out, bySite[si.ID] = append(out, v), v
	}
	for _, st := range stations {
		v := bySite[st.SiteID]
		if v == nil {
			continue
		}
		row := &setupStation{Station: st, Sampled: sampled[st.ID], Rename: newForm()}
		row.Rename.Values["station_name"] = st.Name
		v.Stations, v.Sampled = append(v.Stations, row), v.Sampled+row.Sampled
	}
	return out, nil
}

// sitePlaces offers the places a site may serve from: the round's scope
// and the nodes under it down to compounds (down to buildings in a round
// of one compound), which the places service bounds by the caller's
// scope as well. A city's households would make the list useless, and a
// site serves at least a compound's residents. It also returns the choice
// the form starts with: the first node of the deepest kind offered, where
// sites usually stand, rather than the whole city.
func (s *Server) sitePlaces(ctx context.Context, lang string, round *frontline.Round) ([]option, string, error) {
	scope := round.Scope
	deepest := frontline.KindCompound
	if scope.Kind.Rank() >= frontline.KindCompound.Rank() {
		deepest = frontline.KindBuilding
	}
	nodes := []*frontline.Place{scope}
	for _, k := range frontline.PlaceKinds {
		if k.Rank() <= scope.Kind.Rank() || k.Rank() > deepest.Rank() {
			continue
		}
		kind := k
		more, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &scope.ID, Kind: &kind, Limit: maxRows})
		if err != nil {
			return nil, "", err
		}
		nodes = append(nodes, more...)
	}
	slices.SortFunc(nodes, func(a, b *frontline.Place) int { return strings.Compare(a.Path, b.Path) })
	// A node is named with its parent (the options are in path order, so
	// a district's communities follow it): the whole path from a city does
	// not fit a phone's select.
	names := make(map[int64]string, len(nodes))
	out := make([]option, 0, len(nodes))
	first, chosen := strconv.FormatInt(scope.ID, 10), false
	for _, n := range nodes {
		names[n.ID] = n.Name
		label := n.Name
		if parent, ok := names[n.ParentID]; ok && n.ID != scope.ID && n.ParentID != scope.ID {
			label = parent + " / " + n.Name
		}
		value := strconv.FormatInt(n.ID, 10)
		if n.Kind == deepest && !chosen {
			first, chosen = value, true
		}
		out = append(out, option{Value: value, Label: label + " · " + s.label(lang, "kind."+string(n.Kind), string(n.Kind))})
	}
	return out, first, nil
}

// localTime writes t as <input type="datetime-local"> takes it, in the
// server's zone.
func (s *Server) localTime(t time.Time) string { return t.In(s.Location).Format(localMinute) }

// siteFieldsView is what the "sitefields" template needs: the form and
// the prefix of its inputs' ids, since a page holds one form per site.
type siteFieldsView struct {
	Lang string
	Form form
	ID   string
}

// siteFields are the fields of the site forms; siteErrorFields maps the
// fields the site service names to them.
var (
	siteFields      = []string{"place", "name", "location", "opens", "closes"}
	siteErrorFields = map[string]string{"place_id": "place", "name": "name", "location": "location", "opens_at": "opens", "closes_at": "closes"}
)

// readSiteHours reads the opening and closing times of a site form, in
// the server's zone, marking the fields it cannot read.
func (s *Server) readSiteHours(f form) (opens, closes time.Time) {
	var err error
	if opens, err = time.ParseInLocation(localMinute, f.Values["opens"], s.Location); err != nil {
		f.Errors["opens"] = "roundsetup.invalid.opens"
	}
	if closes, err = time.ParseInLocation(localMinute, f.Values["closes"], s.Location); err != nil {
		f.Errors["closes"] = "roundsetup.invalid.closes"
	}
	return opens, closes
}

// setupFormError records a refusal of the services in f, beside the field
// it names (fields maps the service's field names to the form's), or
// against the whole form. It returns err when it is not about the form.
func (s *Server) setupFormError(f form, err error, fields map[string]string) error {
	code, field := frontline.ErrorCode(err), frontline.ErrorField(err)
	if code != frontline.EINVALID && code != frontline.ECONFLICT {
		return err
	}
	if name, ok := fields[field]; ok {
		id := "roundsetup.invalid." + name
		if code == frontline.ECONFLICT {
			id = "roundsetup.taken." + name
		}
		if _, known := s.catalog[id]; known {
			f.Errors[name] = id
			return nil
		}
	}
	f.Errors[""] = "error." + code
	if code == frontline.ECONFLICT {
		f.Errors[""] = "roundsetup.conflict"
	}
	return nil
}

// refusedStatus is the status of a form shown again: 409 when the data
// refused it, 400 when what was typed was wrong.
func refusedStatus(err error) int {
	if frontline.ErrorCode(err) == frontline.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// postSetupSite adds a site.
func (s *Server) postSetupSite(w http.ResponseWriter, r *http.Request) error {
	round, err := s.setupRound(r)
	if err != nil {
		return err
	}
	f, err := readForm(r, siteFields)
	if err != nil {
		return err
	}
	site := &frontline.Site{RoundID: round.ID, Name: f.Values["name"], Location: f.Values["location"]}
	var ok bool
	if site.PlaceID, ok = formID(f.Values["place"]); !ok {
		f.Errors["place"] = "roundsetup.invalid.place"
	}
	site.OpensAt, site.ClosesAt = s.readSiteHours(f)
	if len(f.Errors) == 0 {
		err = s.Sites.CreateSite(r.Context(), site)
		if err == nil {
			return s.setupDone(w, r, round.ID, fmt.Sprintf("#site-%d", site.ID), "roundsetup.done.site_added")
		}
		if frontline.ErrorCode(err) == frontline.ENOTFOUND {
			// A place the caller cannot see is a wrong choice of place.
			err = frontline.FieldError("place_id", "%s", frontline.ErrorMessage(err))
		}
		if err := s.setupFormError(f, err, siteErrorFields); err != nil {
			return err
		}
	}
	return s.renderSetup(w, r, round, refusedStatus(err), func(p *setupPage) { p.NewSite = f })
}

// pathSite returns the site of the path's {site}, which must be one of
// the round's.
func (s *Server) pathSite(r *http.Request, round *frontline.Round) (*frontline.Site, error) {
	q := newParams(r)
	id := q.pathID("site")
	if err := q.check(); err != nil {
		return nil, err
	}
	sites, err := s.Sites.FindSites(r.Context(), round.ID)
	if err != nil {
		return nil, err
	}
	for _, si := range sites {
		if si.ID == id {
			return si, nil
		}
	}
	return nil, frontline.Errorf(frontline.ENOTFOUND, "round %d has no sampling site %d", round.ID, id)
}

// setupSite returns the round the caller sets up and the path's {site}.
func (s *Server) setupSite(r *http.Request) (*frontline.Round, *frontline.Site, error) {
	round, err := s.setupRound(r)
	if err != nil {
		return nil, nil, err
	}
	site, err := s.pathSite(r, round)
	return round, site, err
}

// onSite finds the page's section of site id and unfolds it.
func onSite(p *setupPage, id int64) *setupSite {
	for _, v := range p.Sites {
		if v.ID == id {
			v.Open = true
			return v
		}
	}
	return &setupSite{}
}

// postSetupSiteEdit changes a site's name, location and hours.
func (s *Server) postSetupSiteEdit(w http.ResponseWriter, r *http.Request) error {
	round, site, err := s.setupSite(r)
	if err != nil {
		return err
	}
	f, err := readForm(r, siteFields)
	if err != nil {
		return err
	}
	name, location := f.Values["name"], f.Values["location"]
	opens, closes := s.readSiteHours(f)
	if len(f.Errors) == 0 {
		_, err = s.Sites.UpdateSite(r.Context(), site.ID, frontline.SiteUpdate{Name: &name, Location: &location, OpensAt: &opens, ClosesAt: &closes})
		if err == nil {
			return s.setupDone(w, r, round.ID, fmt.Sprintf("#site-%d", site.ID), "roundsetup.done.site_saved")
		}
		if err := s.setupFormError(f, err, siteErrorFields); err != nil {
			return err
		}
	}
	return s.renderSetup(w, r, round, refusedStatus(err), func(p *setupPage) { onSite(p, site.ID).Edit = f })
}

// postSetupSiteRemove removes a site nobody was sampled at. A refusal
// says why, with the counts, in the site's section.
func (s *Server) postSetupSiteRemove(w http.ResponseWriter, r *http.Request) error {
	round, site, err := s.setupSite(r)
	if err != nil {
		return err
	}
	if _, err := readForm(r, nil); err != nil {
		return err
	}
	err = s.Sites.RemoveSite(r.Context(), site.ID)
	if err == nil {
		return s.setupDone(w, r, round.ID, "#sites", "roundsetup.done.site_removed")
	}
	var inUse *frontline.SiteInUse
	if !errors.As(err, &inUse) {
		return err
	}
	lang := pickLang(w, r)
	var why string
	if inUse.Bindings > 0 || inUse.Tubes > 0 {
		why, err = s.text(lang, "roundsetup.remove.bindings", inUse.Bindings, inUse.Tubes)
	} else {
		why, err = s.text(lang, "roundsetup.remove.slots", inUse.Slots)
	}
	if err != nil {
		return err
	}
	return s.renderSetup(w, r, round, http.StatusConflict, func(p *setupPage) { onSite(p, site.ID).Refused = why })
}
