package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// teamRow is one team of a campaign with its members' names.
type teamRow struct {
	ID      int64
	Name    string
	Members string // names joined, in the page's language
}

// lateRow is one household under the campaign's scope that is not in its
// denominator yet (registered after the opening, or moved in since).
type lateRow struct {
	ID      int64
	Address string
	// Problem is why adding it was just refused, a catalogue text.
	Problem string
}

// maxLateRows is how many households NewHouseholds returns at most.
const maxLateRows = 1000

// lateInline is the largest frozen denominator whose dashboard looks for
// late households on every view (a community's, read in milliseconds);
// above it the dashboard looks when asked (?late=1).
const lateInline = 50000

// wantsLate reports whether a request asks for the late households: the
// dashboard's ?late=1, or the add form shown again after a refusal.
func wantsLate(r *http.Request) bool {
	return r.URL.Query().Get("late") != "" || r.PostForm.Get("household") != ""
}

// loadTeams adds to the management section the campaign's teams, the
// people a new team may have (the workers in the caller's scope), and the
// households not yet in the denominator.
func (s *Server) loadTeams(r *http.Request, page *campaignPage, workers []frontline.Assignee, teams []*frontline.Team) error {
	ctx := r.Context()
	m := page.Manage
	names := map[int64]string{}
	for _, a := range workers {
		names[a.UserID] = a.Name
		m.Members = append(m.Members, option{Value: strconv.FormatInt(a.UserID, 10), Label: a.Name})
	}
	sep, err := s.text(page.Lang, "list.sep")
	if err != nil {
		return err
	}
	if s.Workers != nil {
		ws, _, err := s.Workers.FindWorkers(ctx, frontline.WorkerFilter{Under: &page.Campaign.ScopeID, Limit: maxWorkerRows})
		if err != nil && frontline.ErrorCode(err) != frontline.EFORBIDDEN && frontline.ErrorCode(err) != frontline.ENOTFOUND {
			return err
		}
		for _, w := range ws {
			m.Workers = append(m.Workers, option{Value: strconv.FormatInt(w.ID, 10), Label: w.Label()})
		}
	}
	for _, t := range teams {
		row := teamRow{ID: t.ID, Name: t.Name}
		var who []string
		for i, u := range t.Members {
			if i < len(t.MemberNames) && t.MemberNames[i] != "" {
				who = append(who, t.MemberNames[i])
			} else if n := names[u]; n != "" {
				who = append(who, n)
			} else {
				who = append(who, "#"+strconv.FormatInt(u, 10))
			}
		}
		for _, n := range t.WorkerNames {
			if !slices.Contains(who, n) {
				who = append(who, n)
			}
		}
		row.Members = strings.Join(who, sep)
		m.Teams = append(m.Teams, row)
	}
	if m.TeamForm.Values == nil {
		m.TeamForm = newForm()
	}
	if page.Campaign.Households > lateInline && !wantsLate(r) {
		// Finding them reads every household under the scope: on a
		// campaign of a district or a city that is paid for on request.
		m.LateOnRequest = true
		return nil
	}
	late, err := s.Campaigns.NewHouseholds(ctx, page.Campaign.ID)
	if err != nil {
		return err
	}
	book := newAddresses(s.Places)
	for _, h := range late {
		a, err := book.of(ctx, h)
		if err != nil {
			return err
		}
		m.Late = append(m.Late, lateRow{ID: h.ID, Address: a})
	}
	m.LateTruncated = len(late) >= maxLateRows
	return nil
}

// teamFields are the fields of the form that creates a team; members are
// checkboxes.
var teamFields = []string{"name", "place"}

// postCreateTeam creates a team of the campaign with the chosen members
// and returns to the dashboard, where it can be given households; a
// refused form comes back with the message beside the field.
func (s *Server) postCreateTeam(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, teamFields, "members", "workers")
	if err != nil {
		return err
	}
	place, _ := formID(f.Values["place"])
	t := &frontline.Team{CampaignID: id, Name: f.Values["name"]}
	for _, v := range r.PostForm["members"] {
		u, ok := formID(v)
		if !ok {
			f.Errors["members"] = "screening.team.error.members"
			return s.renderTeamForm(w, r, id, place, f)
		}
		t.Members = append(t.Members, u)
	}
	for _, v := range r.PostForm["workers"] {
		wid, ok := formID(v)
		if !ok {
			f.Errors["members"] = "screening.team.error.members"
			return s.renderTeamForm(w, r, id, place, f)
		}
		t.Workers = append(t.Workers, wid)
	}
	err = s.Campaigns.CreateTeam(r.Context(), t)
	if err == nil {
		return redirect(w, r, dashboardPath(id, place, "team", strconv.FormatInt(t.ID, 10)))
	}
	switch code, field := frontline.ErrorCode(err), frontline.ErrorField(err); {
	case code == frontline.ECONFLICT:
		f.Errors[""] = "screening.assign.error.closed"
	case code == frontline.EINVALID && field == "name":
		f.Errors["name"] = "screening.team.error.name"
	case (code == frontline.EINVALID || code == frontline.ENOTFOUND) && (field == "user_id" || field == "worker_id"):
		f.Errors["members"] = "screening.team.error.members"
	case code == frontline.EINVALID:
		f.Errors[""] = "screening.team.error.form"
	default:
		return err
	}
	return s.renderTeamForm(w, r, id, place, f)
}

// renderTeamForm shows the dashboard again with the team form as typed.
func (s *Server) renderTeamForm(w http.ResponseWriter, r *http.Request, id, place int64, f form) error {
	page, err := s.campaignPage(w, r, id, place)
	if err != nil {
		return err
	}
	if page.Manage == nil {
		// Closed meanwhile: the dashboard says so instead of a form.
		page.Problem, err = s.text(page.Lang, "screening.assign.error.closed")
		if err != nil {
			return err
		}
		return s.render(w, http.StatusConflict, pageCampaignName, page)
	}
	page.Manage.TeamForm = f
	return s.render(w, http.StatusBadRequest, pageCampaignName, page)
}

// postAddLateHousehold adds one household registered after the opening to
// the campaign's denominator (the service records who and when, and
// audits it) and returns to the dashboard.
func (s *Server) postAddLateHousehold(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"household", "place"})
	if err != nil {
		return err
	}
	place, _ := formID(f.Values["place"])
	hid, ok := formID(f.Values["household"])
	if !ok {
		return frontline.FieldError("household", "choose a household to add")
	}
	n, err := s.Campaigns.AddHouseholds(r.Context(), id, []int64{hid})
	if err == nil {
		return redirect(w, r, dashboardPath(id, place, "added", strconv.Itoa(n))+"&late=1")
	}
	problem, status := "screening.late.error.target", http.StatusBadRequest
	switch frontline.ErrorCode(err) {
	case frontline.ECONFLICT:
		problem, status = "screening.late.error.taken", http.StatusConflict
	case frontline.EINVALID, frontline.ENOTFOUND:
	default:
		return err
	}
	page, perr := s.campaignPage(w, r, id, place)
	if perr != nil {
		return perr
	}
	msg, err := s.text(page.Lang, problem)
	if err != nil {
		return err
	}
	page.Problem = msg
	if page.Manage != nil {
		for i := range page.Manage.Late {
			if page.Manage.Late[i].ID == hid {
				page.Manage.Late[i].Problem = msg
			}
		}
	}
	return s.render(w, status, pageCampaignName, page)
}
