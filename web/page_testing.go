package web

import (
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// Testing pages, parsed by registerTesting with the layout and parts.
const (
	pageRoundsName   = "rounds"
	pageRoundName    = "round"
	pageGapsName     = "round_gaps"
	pageStationName  = "station"
	pageLabelsName   = "tube_labels"
	pageQRName       = "household_qr"
	pageLabName      = "lab"
	pageFollowUpName = "round_followup"
	pageNoticesName  = "notices"
)

func testingPages() []string {
	return []string{pageRoundsName, pageRoundName, pageGapsName, pageStationName, pageLabelsName, pageQRName, pageLabName, pageFollowUpName, pageNoticesName}
}

// parseTestingPages parses the testing pages into the server's map.
func (s *Server) parseTestingPages() error {
	return s.parsePageSet(template.FuncMap{"pct": formatPercent, "rule": s.ruleText, "waited": s.waited}, testingPages())
}

// parsePageSet parses each named page (templates/NAME.html) with the
// layout, the parts every page has and the parts files given, and the
// template functions every page has (pageFuncs) with those of its
// workflow, into the server's map. It is the one way a workflow parses
// its pages, so a function the layout or the parts need reaches them all.
func (s *Server) parsePageSet(funcs template.FuncMap, names []string, parts ...string) error {
	all := s.pageFuncs()
	maps.Copy(all, funcs)
	base, err := template.New("").Funcs(all).ParseFS(templateFiles,
		append([]string{"templates/layout.html", "templates/parts.html"}, parts...)...)
	if err != nil {
		return err
	}
	for _, name := range names {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if s.pages[name], err = t.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// registerTestingPages registers the pages of test rounds.
func (s *Server) registerTestingPages() {
	manage, read := Needs(frontline.PermManageRounds), Needs(frontline.PermReadReports)
	s.route("GET /rounds", AccessSignedIn, s.pageRounds)
	s.route("POST /rounds", manage, s.postRound)
	s.route("POST /rounds/{id}/open", manage, s.postOpenRound)
	s.route("POST /rounds/{id}/close", manage, s.postCloseRound)
	s.route("POST /rounds/{id}/delete", manage, s.postDeleteRound)
	s.route("GET /rounds/{id}", read, s.pageRound)
	s.route("GET /rounds/{id}/gaps", read, s.pageGaps)
	s.route("POST /rounds/{id}/excuse", manage, s.postExcuse)
	s.route("POST /rounds/{id}/unexcuse", manage, s.postUnexcuse)
	// Command staff read the home team's list and the team works from it:
	// two permissions, so the route asks only for a signed-in caller and
	// the lab service decides (PermReadReports or PermSampling).
	s.route("GET /rounds/{id}/followup", AccessSignedIn, s.pageRoundFollowUp)
	s.route("POST /rounds/{id}/retests/{task}/sample", Needs(frontline.PermSampling), s.postSampleRetest)
	s.route("GET /notices", manage, s.pageNotices)
	s.route("POST /notices/{id}/requeue", manage, s.postRequeue)
	s.route("GET /rounds/{id}/station", Needs(frontline.PermSampling), s.pageStation)
	s.route("GET /rounds/{id}/labels", AccessSignedIn, s.pageLabels)
	s.route("GET /households/{id}/qr", Needs(frontline.PermReadRegistry), s.pageHouseholdQR)
	s.route("GET /rounds/{id}/lab", Needs(frontline.PermPostResults), s.pageLab)
	s.route("POST /rounds/{id}/lab/receive", Needs(frontline.PermPostResults), s.postReceive)
	s.route("POST /rounds/{id}/lab/results", Needs(frontline.PermPostResults), s.postResultsFile)
	s.route("POST /rounds/{id}/lab/result", Needs(frontline.PermPostResults), s.postOneResult)
	s.route("POST /rounds/{id}/lab/held/{held}", Needs(frontline.PermPostResults), s.postDecideHeld)
}

// testingLink adds the rounds to the navigation, before its last link,
// for the roles that work in them.
func (s *Server) testingLink(links []navLink, p *frontline.Principal) []navLink {
	if s.Rounds == nil || len(links) == 0 || !(p.Can(frontline.PermManageRounds) || p.Can(frontline.PermReadReports) ||
		p.Can(frontline.PermSampling) || p.Can(frontline.PermPostResults)) {
		return links
	}
	last := links[len(links)-1]
	links = append(links[:len(links)-1], navLink{"/rounds", "nav.rounds", "nav-rounds"})
	// The notices of every workflow are in the outbox of the testing
	// services; those who may send one again see them.
	if p.Can(frontline.PermManageRounds) {
		links = append(links, navLink{"/notices", "nav.notices", "nav-notices"})
	}
	return append(links, last)
}

// ruleText writes a pool rule in the page's language.
func (s *Server) ruleText(lang string, r frontline.PoolRule) (string, error) {
	if r.Mode == frontline.PoolMixed {
		return s.text(lang, "pool.pool", r.Size)
	}
	return s.text(lang, "pool."+string(r.Mode))
}

// roundsPage lists rounds and, for those who may, the form of a new one.
type roundsPage struct {
	layout
	Rounds    []*frontline.Round
	CanManage bool
	// CanFollowUp links each round's home sampling list, for those who
	// read it or work from it.
	CanFollowUp bool
	// What else the caller's role opens from a round: its dashboard, its
	// stations, its lab page. A link the role cannot follow is not shown.
	CanDashboard, CanSample, CanLab bool
	Form                            form
	Scopes                          []option
	principal                       *frontline.Principal
}

// Manages reports whether the caller may open or close round r: staff
// working inside a wider round see it but do not run it.
func (p roundsPage) Manages(r *frontline.Round) bool { return r.ManagedBy(p.principal) }

func (s *Server) pageRounds(w http.ResponseWriter, r *http.Request) error {
	return s.renderRounds(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderRounds(w http.ResponseWriter, r *http.Request, f form, status int) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "rounds.title")
	if err != nil {
		return err
	}
	rounds, _, err := s.Rounds.FindRounds(r.Context(), frontline.RoundFilter{Limit: maxRows})
	if err != nil {
		return err
	}
	p := callerFrom(r.Context()).principal
	page := roundsPage{layout: s.layout(r, lang, title), Rounds: rounds, CanManage: p.Can(frontline.PermManageRounds), Form: f, principal: p,
		CanFollowUp:  p.Can(frontline.PermReadReports) || p.Can(frontline.PermSampling),
		CanDashboard: p.Can(frontline.PermReadReports), CanSample: p.Can(frontline.PermSampling), CanLab: p.Can(frontline.PermPostResults)}
	if page.CanManage {
		if f.Values["day"] == "" {
			f.Values["day"] = s.Now().In(s.Location).AddDate(0, 0, 1).Format(frontline.DateLayout)
			f.Values["starts"], f.Values["ends"], f.Values["test_type"] = "06:00", "18:00", "PCR"
		}
		selected, ok := formID(f.Values["scope"])
		if !ok {
			selected = p.ScopeID
		}
		if page.Scopes, err = s.scopeOptions(r.Context(), lang, selected); err != nil {
			return err
		}
	}
	return s.render(w, status, pageRoundsName, page)
}

var roundFields = []string{"name", "scope", "day", "starts", "ends", "test_type"}

// postRound plans a round from the form and goes to its dashboard.
func (s *Server) postRound(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, roundFields)
	if err != nil {
		return err
	}
	scope, ok := formID(f.Values["scope"])
	if !ok {
		scope = callerFrom(r.Context()).principal.ScopeID
	}
	// Each time is read on its own, so the message stands at the field
	// that is wrong.
	at := func(field string) time.Time {
		t, err := time.ParseInLocation(frontline.DateLayout+" 15:04", f.Values["day"]+" "+f.Values[field], s.Location)
		if err != nil && f.Errors[field] == "" {
			f.Errors[field] = "form.invalid." + field
		}
		return t
	}
	if _, err := time.Parse(frontline.DateLayout, f.Values["day"]); err != nil {
		f.Errors["day"] = "form.invalid.day"
	}
	starts, ends := at("starts"), at("ends")
	if !ends.After(starts) {
		// An end at or before the start is the next morning: a round from
		// 20:00 to 02:00, as night rounds of sealed zones were.
		ends = ends.AddDate(0, 0, 1)
	}
	if len(f.Errors) > 0 {
		return s.renderRounds(w, r, f, http.StatusBadRequest)
	}
	round := &frontline.Round{Name: f.Values["name"], ScopeID: scope, Day: f.Values["day"], TestType: f.Values["test_type"],
		StartsAt: starts, EndsAt: ends}
	if err := s.Rounds.CreateRound(r.Context(), round); err != nil {
		// The store names the round's fields; the form calls two of them
		// otherwise.
		err = renameField(err, map[string]string{"ends_at": "ends", "scope_id": "scope"})
		if err := s.formError(f, err, roundFields); err != nil {
			return err
		}
		return s.renderRounds(w, r, f, http.StatusBadRequest)
	}
	// The new round's page: its setup starts there, and a draft made by
	// mistake is deleted there.
	return redirect(w, r, fmt.Sprintf("/rounds/%d", round.ID))
}

// postDeleteRound deletes a draft round and goes back to the list.
func (s *Server) postDeleteRound(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Rounds.DeleteRound(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/rounds?deleted=1")
}

// postOpenRound freezes the round's denominator and shows its dashboard.
func (s *Server) postOpenRound(w http.ResponseWriter, r *http.Request) error {
	return s.postRoundAction(w, r, true)
}

// postCloseRound ends sampling.
func (s *Server) postCloseRound(w http.ResponseWriter, r *http.Request) error {
	return s.postRoundAction(w, r, false)
}

// postRoundAction opens or closes a round once the person confirmed it:
// neither can be undone, and each is one tap on the rounds list.
func (s *Server) postRoundAction(w http.ResponseWriter, r *http.Request, open bool) error {
	lang := langOf(r)
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	// The store refuses a round the caller does not manage; asking first
	// would offer a choice that cannot be made.
	if !round.ManagedBy(callerFrom(r.Context()).principal) {
		return frontline.Errorf(frontline.EFORBIDDEN, "only staff whose area holds the whole round may open or close it")
	}
	act, which := s.Rounds.CloseRound, "close"
	if open {
		act, which = s.Rounds.OpenRound, "open"
	}
	c := confirmation{Back: "/rounds"}
	if c.Question, err = s.text(lang, "confirm."+which+".title", round.Name); err != nil {
		return err
	}
	line, err := s.text(lang, "confirm."+which+".line")
	if err != nil {
		return err
	}
	c.Lines = []string{line}
	if c.Button, err = s.text(lang, "confirm."+which+".button"); err != nil {
		return err
	}
	if ok, err := s.confirmed(w, r, lang, c); !ok || err != nil {
		return err
	}
	if _, err := act(r.Context(), round.ID); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/rounds/%d", round.ID), http.StatusSeeOther)
	return nil
}
