package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// campaignManage are the choices of a dashboard's management forms.
type campaignManage struct {
	// Targets are the node shown and its children: "n:ID" moves every
	// household under a node (and those added there later), "h:ID" one
	// household.
	Targets []option
	// To are the workers ("u:ID") and teams ("t:ID") who may take them.
	To []option
	// Teams are the campaign's teams; Members the people a new team may
	// have; TeamForm the team form as typed when it was refused.
	Teams   []teamRow
	Members []option
	// Workers are the registered workers a new team may have, volunteers
	// and cadres without an account among them, when the server serves
	// the workforce.
	Workers  []option
	TeamForm form
	// Late are the households under the scope not in the denominator.
	// LateOnRequest says they were not looked for (a large campaign): the
	// page offers a link that does.
	Late          []lateRow
	LateTruncated bool
	LateOnRequest bool
}

// reportRow is one report as it was submitted upward.
type reportRow struct {
	*frontline.ReportSnapshot
	PlaceName string
}

// maxReportRows bounds the submitted reports a dashboard lists.
const maxReportRows = 100

// loadManagement adds the submitted reports and, for those who may
// manage an open campaign, the choices of the reassignment form.
func (s *Server) loadManagement(r *http.Request, page *campaignPage) error {
	ctx := r.Context()
	snaps, err := s.Reports.FindReports(ctx, page.Campaign.ID)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, sn := range snaps[:min(len(snaps), maxReportRows)] {
		if _, ok := names[sn.PlaceID]; !ok {
			names[sn.PlaceID] = "#" + strconv.FormatInt(sn.PlaceID, 10)
			if p, err := s.Places.FindPlaceByID(ctx, sn.PlaceID); err == nil {
				names[sn.PlaceID] = p.Name
			}
		}
		page.Reports = append(page.Reports, reportRow{ReportSnapshot: sn, PlaceName: names[sn.PlaceID]})
	}
	if !page.CanManage || page.Campaign.Status != frontline.CampaignOpen {
		return nil
	}
	m := &campaignManage{Targets: []option{target(page.Node.Coverage)}}
	for _, k := range page.Children {
		m.Targets = append(m.Targets, target(k.Coverage))
	}
	workers, err := s.Campaigns.Workers(ctx, page.Campaign.ID)
	if err != nil {
		return err
	}
	for _, a := range workers {
		m.To = append(m.To, option{Value: "u:" + strconv.FormatInt(a.UserID, 10), Label: a.Name})
	}
	teams, err := s.Campaigns.FindTeams(ctx, page.Campaign.ID)
	if err != nil {
		return err
	}
	team, err := s.text(page.Lang, "screening.team")
	if err != nil {
		return err
	}
	for _, t := range teams {
		m.To = append(m.To, option{Value: "t:" + strconv.FormatInt(t.ID, 10), Label: t.Name + " · " + team})
	}
	page.Manage = m
	return s.loadTeams(r, page, workers, teams)
}

// target is the reassignment choice of one node.
func target(c frontline.Coverage) option {
	prefix := "n:"
	if c.Kind == frontline.KindHousehold {
		prefix = "h:"
	}
	return option{Value: prefix + strconv.FormatInt(c.PlaceID, 10), Label: c.Name}
}

// dashboardNotice says on the dashboard what a form just did.
func (s *Server) dashboardNotice(page *campaignPage, q url.Values) error {
	var err error
	switch {
	case q.Get("closed") != "":
		page.Notice, err = s.text(page.Lang, "screening.close.done")
	case q.Get("assigned") != "":
		n, _ := strconv.Atoi(q.Get("assigned"))
		page.Notice, err = s.text(page.Lang, "screening.assign.done", formatNumber(n))
	case q.Get("submitted") != "":
		page.Notice, err = s.text(page.Lang, "screening.report.submitted")
	case q.Get("team") != "":
		page.Notice, err = s.text(page.Lang, "screening.team.created")
	case q.Get("added") != "":
		n, _ := strconv.Atoi(q.Get("added"))
		page.Notice, err = s.text(page.Lang, "screening.late.added", formatNumber(n))
	}
	return err
}

// dashboardPath is a dashboard's address at place with a notice.
func dashboardPath(id, place int64, notice, value string) string {
	v := url.Values{notice: {value}}
	if place > 0 {
		v.Set("place", strconv.FormatInt(place, 10))
	}
	return "/screening/" + strconv.FormatInt(id, 10) + "?" + v.Encode()
}

// postCloseCampaign closes a campaign whose households are all final.
// The refusal is the dashboard again, saying how many households lack a
// final status and under which nodes.
func (s *Server) postCloseCampaign(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	_, err := s.Campaigns.CloseCampaign(r.Context(), id)
	if err == nil {
		return redirect(w, r, dashboardPath(id, 0, "closed", "1"))
	}
	if frontline.ErrorCode(err) != frontline.ECONFLICT {
		return err
	}
	page, perr := s.campaignPage(w, r, id, 0)
	if perr != nil {
		return perr
	}
	if page.Problem, err = s.closeRefusal(r, page); err != nil {
		return err
	}
	return s.render(w, http.StatusConflict, pageCampaignName, page)
}

// closeRefusal explains a refused close in the page's language from the
// counters of the campaign's scope: how many households lack a final
// status, and the child nodes with the most of them.
func (s *Server) closeRefusal(r *http.Request, page *campaignPage) (string, error) {
	if page.Campaign.Status != frontline.CampaignOpen {
		return s.text(page.Lang, "screening.close.already")
	}
	top, kids, err := s.Campaigns.Coverage(r.Context(), page.Campaign.ID, page.Campaign.ScopeID)
	if err != nil {
		return "", err
	}
	slices.SortStableFunc(kids, func(a, b *frontline.Coverage) int { return b.Pending() - a.Pending() })
	var where []string
	for _, k := range kids {
		if k.Pending() > 0 && len(where) < 5 {
			where = append(where, k.Name+" "+formatNumber(k.Pending()))
		}
	}
	sep, err := s.text(page.Lang, "list.sep")
	if err != nil {
		return "", err
	}
	return s.text(page.Lang, "screening.close.refused", formatNumber(top.Pending()), strings.Join(where, sep))
}

// assignFields are the fields of the reassignment form.
var assignFields = []string{"target", "to", "place"}

// postAssign gives a node's households, or one household, to another
// grid worker or team, and returns to the dashboard.
func (s *Server) postAssign(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, assignFields)
	if err != nil {
		return err
	}
	place, _ := formID(f.Values["place"])
	kind, targetID, ok1 := choice(f.Values["target"])
	who, toID, ok2 := choice(f.Values["to"])
	problem := "screening.assign.error.form"
	if ok1 && ok2 && (kind == "n" || kind == "h") && (who == "u" || who == "t") {
		var households []int64
		var under int64
		if kind == "h" {
			households = []int64{targetID}
		} else {
			under = targetID
		}
		to := frontline.Assignee{UserID: toID}
		if who == "t" {
			to = frontline.Assignee{TeamID: toID}
		}
		n, err := s.Campaigns.Assign(r.Context(), id, households, under, to)
		if err == nil {
			return redirect(w, r, dashboardPath(id, place, "assigned", strconv.Itoa(n)))
		}
		if problem, err = assignProblem(err); err != nil {
			return err
		}
	}
	page, err := s.campaignPage(w, r, id, place)
	if err != nil {
		return err
	}
	if page.Problem, err = s.text(page.Lang, problem); err != nil {
		return err
	}
	return s.render(w, http.StatusBadRequest, pageCampaignName, page)
}

// assignProblem names the message of a refused reassignment, or returns
// the error when it is not about the form.
func assignProblem(err error) (string, error) {
	switch frontline.ErrorCode(err) {
	case frontline.ECONFLICT:
		return "screening.assign.error.closed", nil
	case frontline.EINVALID, frontline.ENOTFOUND:
		switch frontline.ErrorField(err) {
		case "user_id", "team_id":
			return "screening.assign.error.to", nil
		case "household_ids", "under", "place", "household_id":
			return "screening.assign.error.target", nil
		}
		if frontline.ErrorCode(err) == frontline.EINVALID {
			return "screening.assign.error.form", nil
		}
	}
	return "", err
}

// choice splits a form choice "k:ID".
func choice(v string) (string, int64, bool) {
	k, rest, ok := strings.Cut(v, ":")
	id, idOK := formID(rest)
	return k, id, ok && idOK
}

// postSubmitReport submits the report of a node upward, kept as it is,
// and returns to the dashboard, where it is listed for download.
func (s *Server) postSubmitReport(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"place"})
	if err != nil {
		return err
	}
	place, _ := formID(f.Values["place"])
	snap, err := s.Reports.SubmitReport(r.Context(), id, place)
	if err != nil {
		return notFoundIn(err, "place")
	}
	return redirect(w, r, dashboardPath(id, place, "submitted", strconv.FormatInt(snap.ID, 10)))
}
