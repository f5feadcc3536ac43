package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// campaignsPage lists the campaigns that concern the caller and, for
// those who may, the form that opens one over their scope.
type campaignsPage struct {
	layout
	Campaigns []*frontline.Campaign
	CanOpen   bool
	CanRead   bool
	Form      form
	Levels    []frontline.RiskLevel
	// Scopes are the nodes a campaign may be opened over: the caller's
	// scope node and the places under it down to buildings.
	Scopes []option
}

func (s *Server) pageCampaigns(w http.ResponseWriter, r *http.Request) error {
	return s.renderCampaigns(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderCampaigns(w http.ResponseWriter, r *http.Request, f form, status int) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "screening.title")
	if err != nil {
		return err
	}
	cs, _, err := s.Campaigns.FindCampaigns(r.Context(), frontline.CampaignFilter{Limit: maxRows})
	if err != nil {
		return err
	}
	p := callerFrom(r.Context()).principal
	if f.Values["arrived_since"] == "" {
		f.Values["arrived_since"] = s.Now().In(s.Location).AddDate(0, 0, -14).Format(frontline.DateLayout)
		f.Values["deadline"] = s.Now().In(s.Location).AddDate(0, 0, 2).Format(frontline.DateLayout)
		f.Values["cutoff"], f.Values["min_level"] = "16:00", string(frontline.RiskMedium)
	}
	page := campaignsPage{layout: s.layout(r, lang, title), Campaigns: cs, Form: f,
		CanOpen: p.Can(frontline.PermManageScreening), CanRead: p.Can(frontline.PermReadReports),
		Levels: []frontline.RiskLevel{frontline.RiskHigh, frontline.RiskMedium, frontline.RiskLow}}
	if page.CanOpen {
		selected, ok := formID(f.Values["scope"])
		if !ok {
			selected = p.ScopeID
		}
		// The places a user may be given are those a campaign may screen:
		// the caller's scope down to buildings.
		if page.Scopes, err = s.scopeOptions(r.Context(), lang, selected); err != nil {
			return err
		}
	}
	return s.render(w, status, pageCampaignsName, page)
}

// campaignFields are the fields of the form that opens a campaign.
var campaignFields = []string{"name", "scope", "arrived_since", "min_level", "deadline", "cutoff"}

// postCampaign opens a campaign over the caller's scope and goes to its
// dashboard; a refused form is shown again with what was typed.
func (s *Server) postCampaign(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, campaignFields)
	if err != nil {
		return err
	}
	deadline, derr := time.ParseInLocation(frontline.DateLayout+" 15:04", f.Values["deadline"]+" 23:59", s.Location)
	scope, ok := formID(f.Values["scope"])
	if !ok {
		scope = callerFrom(r.Context()).principal.ScopeID
	}
	c := &frontline.Campaign{Name: f.Values["name"], ScopeID: scope, Deadline: deadline,
		Cutoff: f.Values["cutoff"], Question: frontline.Question{ArrivedSince: f.Values["arrived_since"],
			MinLevel: frontline.RiskLevel(f.Values["min_level"])}}
	if derr != nil {
		f.Errors["deadline"] = "screening.error.deadline"
		return s.renderCampaigns(w, r, f, http.StatusBadRequest)
	}
	if err := s.Campaigns.OpenCampaign(r.Context(), c); err != nil {
		code := frontline.ErrorCode(err)
		if code != frontline.EINVALID && code != frontline.ECONFLICT && code != frontline.ENOTFOUND {
			return err
		}
		field := frontline.ErrorField(err)
		if code == frontline.ENOTFOUND || field == "scope_id" {
			field = "scope"
		}
		if field == "" || !containsString(campaignFields, field) {
			field = ""
		}
		f.Errors[field] = "screening.error." + errorFieldID(field)
		return s.renderCampaigns(w, r, f, http.StatusBadRequest)
	}
	return redirect(w, r, "/screening/"+strconv.FormatInt(c.ID, 10))
}

// errorFieldID names the message of a refused field; "form" for the
// whole form.
func errorFieldID(field string) string {
	if field == "" {
		return "form"
	}
	return field
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// campaignPage is a campaign's dashboard for one node: its counters and
// each child's, the doors not reached per assignee, and the gap list by
// building; for those who may, the forms that manage the campaign and the
// reports submitted so far.
type campaignPage struct {
	layout
	Campaign  *frontline.Campaign
	Node      coverageJSON
	Children  []coverageJSON
	Assignees []*frontline.AssigneeGaps
	Buildings []gapBuilding
	GapsTotal int
	CanManage bool
	PlaceID   int64
	// Manage holds the choices of the management forms (CanManage only).
	Manage  *campaignManage
	Reports []reportRow
	// Notice says what was just done; Problem why a form was refused.
	// Both are catalogue texts in the page's language.
	Notice  string
	Problem string
}

// gapBuilding is the doors not reached in one building, in walking order.
type gapBuilding struct {
	Name string
	Gaps []gapRow
}

// gapRow is one door not reached, with its wait in hours.
type gapRow struct {
	*frontline.Gap
	Hours string
}

// dashboardGaps bounds the gap list of the dashboard; the API pages
// through the rest.
const dashboardGaps = 300

func (s *Server) pageCampaign(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	page, err := s.campaignPage(w, r, id, deref(place))
	if err != nil {
		return err
	}
	if err := s.dashboardNotice(page, r.URL.Query()); err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageCampaignName, page)
}

// campaignPage loads the dashboard of a campaign at place (0: the
// caller's part of it).
func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request, id, place int64) (*campaignPage, error) {
	ctx := r.Context()
	c, err := s.Campaigns.FindCampaignByID(ctx, id)
	if err != nil {
		return nil, err
	}
	top, kids, err := s.Campaigns.Coverage(ctx, id, place)
	if err != nil {
		return nil, notFoundIn(err, "place")
	}
	lang := pickLang(w, r)
	page := &campaignPage{layout: s.layout(r, lang, c.Name), Campaign: c, Node: newCoverageJSON(top), PlaceID: top.PlaceID,
		CanManage: callerFrom(ctx).principal.Can(frontline.PermManageScreening)}
	for _, k := range kids {
		page.Children = append(page.Children, newCoverageJSON(k))
	}
	if page.Assignees, err = s.Campaigns.GapsByAssignee(ctx, id, top.PlaceID); err != nil {
		return nil, err
	}
	gaps, total, err := s.Campaigns.Gaps(ctx, id, top.PlaceID, frontline.CampaignMemberFilter{Limit: dashboardGaps})
	if err != nil {
		return nil, err
	}
	page.GapsTotal = total
	for _, g := range gaps {
		if n := len(page.Buildings); n == 0 || page.Buildings[n-1].Name != g.Building {
			page.Buildings = append(page.Buildings, gapBuilding{Name: g.Building})
		}
		b := &page.Buildings[len(page.Buildings)-1]
		b.Gaps = append(b.Gaps, gapRow{Gap: g, Hours: strconv.FormatFloat(g.Waiting.Hours(), 'f', 1, 64)})
	}
	if err := s.loadManagement(r, page); err != nil {
		return nil, err
	}
	return page, nil
}
