package web

import (
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// Case, transfer and inbox pages. They are parsed by registerCases, with
// the layout and parts every page has, when the server has the services.
const (
	pageAlertsName    = "alerts"
	pageCasesName     = "cases"
	pageCaseName      = "case"
	pageCaseFormName  = "case_form"
	pageTransfersName = "transfers"
)

// registerCases registers the inbox (with Alerts), the case and transfer
// pages and their API (with Cases).
func (s *Server) registerCases() {
	if s.Alerts == nil && s.Cases == nil {
		return
	}
	if s.Alerts == nil || (s.Cases != nil && (s.Transfers == nil || s.Restrictions == nil)) {
		s.routeErr = append(s.routeErr, errors.New("web: the case pages need Alerts, and Cases needs Transfers and Restrictions"))
		return
	}
	if err := s.parseCasePages(); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	s.route("GET /alerts", AccessSignedIn, s.pageAlerts)
	s.route("POST /alerts/{id}/ack", AccessSignedIn, s.postAckAlert)
	s.route("GET /api/v1/alerts", AccessSignedIn, s.apiAlerts)
	s.route("GET /api/v1/alerts/unread", AccessSignedIn, s.apiUnread)
	s.route("POST /api/v1/alerts/{id}/ack", AccessSignedIn, s.apiAckAlert)
	s.route("GET /api/v1/alert-kinds", AccessSignedIn, s.apiAlertKinds)
	s.route("PUT /api/v1/alert-kinds/{kind}", Needs(frontline.PermManageUsers), s.apiUpdateAlertKind)
	if s.Cases == nil {
		return
	}
	read, manage, zones := Needs(frontline.PermReadRegistry), Needs(frontline.PermManageCases), Needs(frontline.PermManageZones)
	s.route("GET /cases", read, s.pageCases)
	s.route("GET /cases/new", manage, s.pageNewCase)
	s.route("POST /cases", manage, s.postCase)
	s.route("GET /cases/{id}", read, s.pageCase)
	s.route("GET /cases/{id}/report.xlsx", Needs(frontline.PermReadReports), s.exportCaseReport)
	s.route("POST /cases/{id}/seal", zones, s.postSealFromCase)
	s.route("POST /cases/{id}/close", manage, s.postCloseCase)
	s.route("POST /cases/{id}/transfers", manage, s.postRequestTransfer)
	s.route("GET /transfers", read, s.pageTransfers)
	s.route("POST /transfers/{id}/step", manage, s.postTransferStep)
	if s.FollowUps != nil && s.Campaigns != nil {
		s.route("GET /cases/{id}/follow-ups", Needs(frontline.PermVisit), s.pageCaseFollowUps)
	}
	s.route("GET /api/v1/cases", read, s.apiCases)
	s.route("POST /api/v1/cases", manage, s.apiReportCase)
	s.route("POST /api/v1/cases/import", manage, s.apiImportCases)
	s.route("GET /api/v1/cases/{id}", read, s.apiCase)
	s.route("GET /api/v1/cases/{id}/report.xlsx", Needs(frontline.PermReadReports), s.exportCaseReport)
	s.route("POST /api/v1/cases/{id}/seal", zones, s.apiSealFromCase)
	s.route("POST /api/v1/cases/{id}/close", manage, s.apiCloseCase)
	s.route("POST /api/v1/cases/{id}/transfers", manage, s.apiRequestTransfer)
	s.route("GET /api/v1/transfers", read, s.apiTransfers)
	s.route("POST /api/v1/transfers/{id}/step", manage, s.apiStepTransfer)
	s.route("GET /api/v1/persons/{id}/restrictions", read, s.apiRestrictions)
}

// parseCasePages parses the case pages as parseTemplates parses the
// others, into the same map.
func (s *Server) parseCasePages() error {
	return s.parsePageSet(template.FuncMap{"newForm": newForm, "transferView": newTransferView},
		[]string{pageAlertsName, pageCasesName, pageCaseName, pageCaseFormName, pageTransfersName}, "templates/transfer_parts.html")
}

// transferView is what the "transfer" template shows: one transfer, the
// step form as typed, and whether the caller may step it.
type transferView struct {
	Lang, CSRF, Back string
	T                *frontline.Transfer
	CanStep, Overdue bool
	Form             form
}

// newTransferView is the template function "transferView"; now is the
// page's time in Unix seconds (0: not checked).
func newTransferView(lang, csrf, back string, t *frontline.Transfer, canStep bool, f form, now int64) transferView {
	return transferView{Lang: lang, CSRF: csrf, Back: back, T: t, CanStep: canStep, Form: f,
		Overdue: now > 0 && t.Overdue(time.Unix(now, 0))}
}

// caseLinks adds the cases and transfers to the navigation of the roles
// that may read them.
func (s *Server) caseLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Cases == nil || len(links) == 0 || !p.Can(frontline.PermReadRegistry) || !p.Can(frontline.PermReadReports) {
		return links
	}
	last := links[len(links)-1]
	return append(links[:len(links)-1], navLink{"/cases", "nav.cases", "nav-cases"}, last)
}

// unread is the count of the signed-in user's unacknowledged alerts, for
// the page frame; -1 without an inbox. A failure to count shows no count
// rather than no page: it is logged.
func (s *Server) unread(r *http.Request) int {
	if s.Alerts == nil {
		return -1
	}
	n, err := s.Alerts.Unread(r.Context())
	if err != nil {
		s.Logger.Warn("cannot count the unread alerts", "err", err)
		return 0
	}
	return n
}
