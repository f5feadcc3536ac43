package web

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// The workforce: the registry of workers, posts and their shifts, the
// roster with its rules, auto-fill and swaps, check-in, the duty table,
// hours, and the responsible worker of every household.

// Workforce pages.
const (
	pageWorkersName        = "workers"
	pageWorkerFormName     = "worker_form"
	pagePostsName          = "posts"
	pagePostName           = "post"
	pageRosterName         = "roster"
	pageRosterRulesName    = "roster_rules"
	pageDutyName           = "duty"
	pageMyDutyName         = "my_duty"
	pageHoursName          = "hours"
	pageResponsibilityName = "responsibility"
)

func workforcePages() []string {
	return []string{pageWorkersName, pageWorkerFormName, pagePostsName, pagePostName, pageRosterName, pageRosterRulesName,
		pageDutyName, pageMyDutyName, pageHoursName, pageResponsibilityName}
}

var errWorkforceServices = errors.New("web: the workforce services come together: Workers, Roster, Duty and Responsibility")

// registerWorkforce registers the pages and the API of the workforce,
// when the server has its services.
func (s *Server) registerWorkforce() {
	if s.Roster == nil {
		return
	}
	if s.Workers == nil || s.Duty == nil || s.Responsibility == nil {
		s.routeErr = append(s.routeErr, errWorkforceServices)
		return
	}
	if err := s.parseWorkforcePages(); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	s.registerWorkforcePages()
	s.registerWorkforceAPI()
}

// registerWorkforcePages registers the pages.
func (s *Server) registerWorkforcePages() {
	manage, duty, reports := Needs(frontline.PermManageWorkforce), Needs(frontline.PermDuty), Needs(frontline.PermReadReports)
	s.route("GET /workers", manage, s.pageWorkers)
	s.route("POST /workers/import", manage, s.postImportWorkers)
	s.route("GET /workers/new", manage, s.pageNewWorker)
	s.route("POST /workers", manage, s.postNewWorker)
	s.route("GET /workers/{id}", manage, s.pageWorker)
	s.route("POST /workers/{id}", manage, s.postWorker)
	s.route("GET /posts", duty, s.pagePosts)
	s.route("POST /posts", manage, s.postNewPost)
	s.route("GET /posts/{id}", duty, s.pagePost)
	s.route("POST /posts/{id}", manage, s.postPost)
	s.route("POST /posts/{id}/shifts", manage, s.postShifts)
	s.route("POST /posts/{id}/assign", manage, s.postRosterAssign)
	s.route("POST /posts/{id}/unassign", manage, s.postUnassign)
	s.route("POST /posts/{id}/swap", manage, s.postSwap)
	s.route("POST /posts/{id}/cancel", manage, s.postCancelShift)
	s.route("POST /assignments/{id}/check-in", duty, s.postCheckIn)
	s.route("POST /assignments/{id}/check-out", duty, s.postCheckOut)
	s.route("GET /roster", manage, s.pageRoster)
	s.route("POST /roster/accept", manage, s.postAcceptFill)
	s.route("GET /roster/rules", duty, s.pageRosterRules)
	s.route("POST /roster/rules", manage, s.postRosterRules)
	s.route("GET /duty", duty, s.pageDuty)
	s.route("GET /duty/export.xlsx", duty, s.exportDuty)
	s.route("GET /my/duty", duty, s.pageMyDuty)
	s.route("GET /hours", reports, s.pageHours)
	s.route("GET /responsibility", manage, s.pageResponsibility)
	s.route("POST /responsibility", manage, s.postResponsibility)
}

// registerWorkforceAPI registers the JSON API.
func (s *Server) registerWorkforceAPI() {
	manage, duty, reports := Needs(frontline.PermManageWorkforce), Needs(frontline.PermDuty), Needs(frontline.PermReadReports)
	read := Needs(frontline.PermReadRegistry)
	s.route("GET /api/v1/workers", manage, s.apiWorkers)
	s.route("POST /api/v1/workers", manage, s.apiCreateWorker)
	s.route("POST /api/v1/workers/import", manage, s.apiImportWorkers)
	s.route("GET /api/v1/workers/{id}", manage, s.apiWorker)
	s.route("PATCH /api/v1/workers/{id}", manage, s.apiUpdateWorker)
	s.route("GET /api/v1/posts", duty, s.apiPosts)
	s.route("POST /api/v1/posts", manage, s.apiCreatePost)
	s.route("GET /api/v1/posts/{id}", duty, s.apiPost)
	s.route("PATCH /api/v1/posts/{id}", manage, s.apiUpdatePost)
	s.route("POST /api/v1/posts/{id}/shifts", manage, s.apiAddShifts)
	s.route("GET /api/v1/shifts", duty, s.apiShiftList)
	s.route("GET /api/v1/shifts/{id}", duty, s.apiShift)
	s.route("POST /api/v1/shifts/{id}/cancel", manage, s.apiCancelShift)
	s.route("POST /api/v1/assignments", manage, s.apiRosterAssign)
	s.route("POST /api/v1/assignments/{id}/unassign", manage, s.apiUnassign)
	s.route("POST /api/v1/assignments/{id}/check-in", duty, s.apiCheckIn)
	s.route("POST /api/v1/assignments/{id}/check-out", duty, s.apiCheckOut)
	s.route("POST /api/v1/swaps", manage, s.apiSwap)
	s.route("POST /api/v1/roster/proposals", manage, s.apiProposeFill)
	s.route("POST /api/v1/roster/accept", manage, s.apiAcceptFill)
	s.route("GET /api/v1/roster-rules", duty, s.apiRosterRules)
	s.route("GET /api/v1/roster-rules/versions", duty, s.apiRosterRuleVersions)
	s.route("PUT /api/v1/roster-rules", manage, s.apiSetRosterRules)
	s.route("GET /api/v1/on-duty", duty, s.apiOnDuty)
	s.route("GET /api/v1/me/shifts", duty, s.apiMyShifts)
	s.route("GET /api/v1/duty-table", duty, s.apiDutyTable)
	s.route("GET /api/v1/hours", reports, s.apiHours)
	s.route("GET /api/v1/responsibilities", manage, s.apiResponsibilities)
	s.route("PUT /api/v1/places/{id}/responsible", manage, s.apiSetResponsible)
	s.route("DELETE /api/v1/places/{id}/responsible", manage, s.apiClearResponsible)
	s.route("GET /api/v1/responsible-workers", read, s.apiResponsibleWorkers)
	s.route("GET /api/v1/places/{id}/unassigned", read, s.apiUnassigned)
}

// parseWorkforcePages parses the workforce pages as parseTemplates parses
// the others, into the same map.
func (s *Server) parseWorkforcePages() error {
	funcs := template.FuncMap{"span": s.shiftSpan, "hours": hoursText, "phone": frontline.MaskPhone,
		"kindOf": func(k frontline.WorkerKind) string { return "worker.kind." + string(k) },
		"skill":  s.skillText,
		"roleID": func(r string) string { return "duty.role." + cmp.Or(r, "duty") },
		"card": func(lang, csrf, next string, sv shiftView, manage, post bool) shiftCard {
			return shiftCard{Lang: lang, CSRF: csrf, Next: next, Shift: sv, Manage: manage, Post: post}
		}}
	return s.parsePageSet(funcs, workforcePages(), "templates/workforce_parts.html")
}

// workforceLinks adds the duty pages to the navigation, before its last
// link, for the roles that use them.
func (s *Server) workforceLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Roster == nil || len(links) == 0 || !p.Can(frontline.PermDuty) {
		return links
	}
	last := links[len(links)-1]
	links = links[:len(links)-1]
	if p.UserID != 0 {
		links = append(links, navLink{"/my/duty", "nav.myduty", "nav-myduty"})
	}
	links = append(links, navLink{"/duty", "nav.duty", "nav-duty"})
	if p.Can(frontline.PermManageWorkforce) {
		links = append(links, navLink{"/workers", "nav.workers", "nav-workers"})
	}
	return append(links, last)
}

// shiftCard is what the "shiftcard" part needs: a shift, the page's
// language, CSRF token and path (where a check-in returns to), whether the
// reader rosters, and whether to name the post.
type shiftCard struct {
	Lang, CSRF, Next string
	Shift            shiftView
	Manage           bool
	Post             bool
}

// shiftSpan writes a shift's times as people read them: "03-29 08:00–20:00",
// with the end's date when it is another day.
func (s *Server) shiftSpan(sh *frontline.Shift) string {
	a, b := sh.Start.In(s.Location), sh.End.In(s.Location)
	out := a.Format("01-02 15:04") + "–"
	if b.Add(-time.Minute).Format("01-02") != a.Format("01-02") {
		return out + b.Format("01-02 15:04")
	}
	return out + b.Format("15:04")
}

// hoursText writes a duration in hours with one decimal.
func hoursText(d time.Duration) string { return fmt.Sprintf("%.1f", d.Hours()) }

// skillText names a skill in the page's language: the fixed ones from the
// catalogue, a language by its name.
func (s *Server) skillText(lang, skill string) (string, error) {
	if name, ok := strings.CutPrefix(skill, frontline.SkillLanguage); ok {
		return s.text(lang, "worker.skill.lang", name)
	}
	return s.text(lang, "worker.skill."+skill)
}
