package web

import (
	"html/template"
	"time"

	"github.com/frontline-org/frontline"
)

// Screening pages. They are parsed by registerScreening, with the layout
// and parts every page has, when the server has the screening services.
const (
	pageCampaignsName   = "campaigns"
	pageCampaignName    = "campaign"
	pageDoorsName       = "doors"
	pageFollowUpsName   = "followups"
	pageSelfLinkName    = "selflink"
	pageSelfReportName  = "selfreport"
	pageRiskAreasName   = "riskareas"
	pageRiskHistoryName = "riskarea_history"
	pageRiskFormName    = "riskarea_form"
	pageRulesName       = "rules"
)

// screeningPages are the templates parseScreeningPages parses.
func screeningPages() []string {
	return []string{pageCampaignsName, pageCampaignName, pageDoorsName, pageFollowUpsName, pageSelfLinkName,
		pageSelfReportName, pageRiskAreasName, pageRiskHistoryName, pageRiskFormName, pageRulesName}
}

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
	s.registerScreeningPages()

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

// registerScreeningPages are the pages that run a campaign beyond its
// dashboard and doors: managing it, follow-up work, the risk-area list,
// the measure rules, and the residents' own reports.
func (s *Server) registerScreeningPages() {
	visit, read, manage := Needs(frontline.PermVisit), Needs(frontline.PermReadReports), Needs(frontline.PermManageScreening)
	s.route("POST /screening/{id}/close", manage, s.postCloseCampaign)
	s.route("POST /screening/{id}/assign", manage, s.postAssign)
	s.route("POST /screening/{id}/teams", manage, s.postCreateTeam)
	s.route("POST /screening/{id}/households", manage, s.postAddLateHousehold)
	s.route("POST /screening/{id}/reports", read, s.postSubmitReport)

	s.route("GET /screening/{id}/follow-ups", visit, s.pageFollowUps)
	s.route("GET /screening/{id}/escalated", read, s.pageEscalated)
	s.route("POST /follow-ups/{id}/record", visit, s.postRecordFollowUp)
	s.route("POST /follow-ups/{id}/handle", visit, s.postHandleFollowUp)

	s.route("GET /risk-areas", visit, s.pageRiskAreas)
	s.route("GET /risk-areas/history", visit, s.pageRiskHistory)
	s.route("GET /risk-areas/new", manage, s.pageNewRiskArea)
	s.route("POST /risk-areas", manage, s.postRiskArea)
	s.route("POST /risk-areas/import", manage, s.postImportRiskAreas)
	s.route("GET /measure-rules", read, s.pageRules)
	s.route("POST /measure-rules", manage, s.postRules)

	if s.SelfReports != nil {
		// A resident has no account: the secret in the link is the only
		// credential, so the page is public and never looks at a session,
		// and each address is limited to a few requests a minute.
		lim := newRateLimiter(selfReportRate, time.Minute, s.Now)
		s.route("POST /measures/{id}/link", visit, s.postSelfReportLink)
		s.route("GET /self-report", AccessPublic, s.limited(lim, s.pageSelfReport))
		s.route("POST /self-report", AccessPublic, s.limited(lim, s.postSelfReport))
	}
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
	return s.parsePageSet(template.FuncMap{"symptoms": s.symptomLabels, "ruleTable": newRuleTable, "inc": func(i int) int { return i + 1 }},
		screeningPages())
}

// formatClock writes the time of day of t in the server's zone, "18:00":
// enough where the day is today.
func (s *Server) formatClock(t time.Time) string { return t.In(s.Location).Format("15:04") }
