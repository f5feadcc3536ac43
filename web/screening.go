package web

import (
	"html/template"

	"github.com/frontline-org/frontline"
)

// Screening pages. They are parsed by registerScreening, with the layout
// and parts every page has, when the server has the screening services.
const (
	pageCampaignsName = "campaigns"
	pageCampaignName  = "campaign"
	pageDoorsName     = "doors"
)

// registerScreening registers the pages and the API of door-to-door
// screening (摸排), when the server has its services.
func (s *Server) registerScreening() {
	if s.Campaigns == nil {
		return
	}
	if s.Visits == nil || s.Reports == nil || s.RiskAreas == nil || s.Rules == nil || s.FollowUps == nil {
		s.routeErr = append(s.routeErr, errScreeningServices)
		return
	}
	if err := s.parseScreeningPages(); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	visit, read, manage := Needs(frontline.PermVisit), Needs(frontline.PermReadReports), Needs(frontline.PermManageScreening)
	s.route("GET /screening", visit, s.pageCampaigns)
	s.route("POST /screening", manage, s.postCampaign)
	s.route("GET /screening/{id}", read, s.pageCampaign)
	s.route("GET /screening/{id}/doors", visit, s.pageDoors)

	s.route("GET /api/v1/risk-areas", visit, s.apiRiskAreas)
	s.route("POST /api/v1/risk-areas", manage, s.apiCreateRiskArea)
	s.route("POST /api/v1/risk-areas/import", manage, s.apiImportRiskAreas)
	s.route("GET /api/v1/measure-rules", visit, s.apiRules)
	s.route("POST /api/v1/measure-rules", manage, s.apiSaveRules)

	s.route("GET /api/v1/campaigns", visit, s.apiCampaigns)
	s.route("POST /api/v1/campaigns", manage, s.apiOpenCampaign)
	s.route("GET /api/v1/campaigns/{id}", visit, s.apiCampaign)
	s.route("POST /api/v1/campaigns/{id}/close", manage, s.apiCloseCampaign)
	s.route("GET /api/v1/campaigns/{id}/households", visit, s.apiMembers)
	s.route("POST /api/v1/campaigns/{id}/households", manage, s.apiAddHouseholds)
	s.route("GET /api/v1/campaigns/{id}/new-households", manage, s.apiNewHouseholds)
	s.route("POST /api/v1/campaigns/{id}/assign", manage, s.apiAssign)
	s.route("GET /api/v1/campaigns/{id}/teams", visit, s.apiTeams)
	s.route("POST /api/v1/campaigns/{id}/teams", manage, s.apiCreateTeam)
	s.route("POST /api/v1/campaigns/{id}/visits", visit, s.apiRecordVisit)
	s.route("GET /api/v1/campaigns/{id}/households/{hid}/visits", visit, s.apiVisits)
	s.route("GET /api/v1/campaigns/{id}/coverage", visit, s.apiCoverage)
	s.route("GET /api/v1/campaigns/{id}/gaps", visit, s.apiGaps)
	s.route("GET /api/v1/campaigns/{id}/gaps/by-assignee", visit, s.apiGapsByAssignee)
	s.route("GET /api/v1/campaigns/{id}/report", read, s.apiReport)
	s.route("POST /api/v1/campaigns/{id}/reports", read, s.apiSubmitReport)
	s.route("GET /api/v1/campaigns/{id}/reports", read, s.apiReports)
	s.route("GET /api/v1/reports/{id}", read, s.apiSubmittedReport)
	s.route("GET /api/v1/campaigns/{id}/follow-ups", visit, s.apiFollowUps)
	s.route("POST /api/v1/follow-ups/{id}", visit, s.apiRecordFollowUp)
	s.route("POST /api/v1/follow-ups/{id}/handle", visit, s.apiHandleFollowUp)
}

// screeningLink adds the screening pages to the navigation, before the
// account link, for a caller who may visit doors on a server that serves
// them.
func (s *Server) screeningLink(links []navLink, p *frontline.Principal) []navLink {
	if s.Campaigns == nil || !p.Can(frontline.PermVisit) || len(links) == 0 {
		return links
	}
	last := links[len(links)-1]
	return append(links[:len(links)-1], navLink{"/screening", "nav.screening", "nav-screening"}, last)
}

var errScreeningServices = frontline.Errorf(frontline.EINTERNAL, "web: the screening pages need Campaigns, Visits, Reports, RiskAreas, Rules and FollowUps together")

// parseScreeningPages parses the screening pages as parseTemplates parses
// the others, into the same map.
func (s *Server) parseScreeningPages() error {
	funcs := template.FuncMap{"t": s.text, "num": formatNumber, "when": s.formatTime, "field": fieldOf}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return err
	}
	for _, name := range []string{pageCampaignsName, pageCampaignName, pageDoorsName} {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if s.pages[name], err = t.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return err
		}
	}
	return nil
}
