package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Access is what a route requires of its caller. Every route declares one
// when it is registered; authorize is the one place that enforces them.
// The zero value declares nothing, and a route with it is refused.
type Access string

// The access declarations that need no permission. Routes that need one
// declare Needs(permission).
const (
	// AccessPublic routes answer anyone and never look at a session:
	// health, readiness, metrics, static files, the sign-in form.
	AccessPublic Access = "public"
	// AccessAnyone routes answer anyone, but resolve the session when
	// there is one (and then demand its CSRF token on a POST): the
	// language switch and the not-found page.
	AccessAnyone Access = "anyone"
	// AccessSignedIn routes need a signed-in user or device of any role:
	// the start page, the account page, signing out.
	AccessSignedIn Access = "signed_in"
)

// permPrefix starts the declarations made by Needs.
const permPrefix = "perm:"

// Needs declares a route for callers whose role has permission p. What
// they may reach through it is further bounded by their scope, which the
// services enforce.
func Needs(p frontline.Permission) Access { return Access(permPrefix + string(p)) }

// Permission returns the permission a declaration needs, or "" for the
// declarations that need none.
func (a Access) Permission() frontline.Permission {
	p, ok := strings.CutPrefix(string(a), permPrefix)
	if !ok {
		return ""
	}
	return frontline.Permission(p)
}

// valid reports whether authorize knows the declaration; anything else
// is refused at start-up.
func (a Access) valid() bool {
	switch a {
	case AccessPublic, AccessAnyone, AccessSignedIn:
		return true
	}
	return slices.Contains(frontline.AllPermissions, a.Permission())
}

// Route describes one registered route.
type Route struct {
	Pattern string // ServeMux pattern, e.g. "GET /api/v1/places/{id}"
	Access  Access
}

// handlerFunc is the form of every handler: it parses the request, calls a
// service and renders, and returns an error for the adapter to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// registerRoutes lists every route of the server.
func (s *Server) registerRoutes() {
	s.route("GET /healthz", AccessPublic, s.handleHealthz)
	s.route("GET /readyz", AccessPublic, s.handleReadyz)
	s.route("GET /metrics", AccessPublic, s.handleMetrics)
	s.route("GET /static/{file...}", AccessPublic, s.handleStatic)

	s.registerSessionRoutes()
	s.registerRegistryPages()
	s.registerAdminPages()
	s.registerAPI()
	s.registerScreening()
	s.registerTesting()
	s.registerZones()
	s.registerCases()
	s.registerWorkforce()
	s.registerSupply()
	s.registerDistributions()
	s.registerOrders()
	s.registerMedicine()
	s.registerHelp()
	s.registerVulnerable()
	s.registerDaily()
	s.registerRetention()
	s.registerAPIDoc()
	s.registerDuplicates()
	s.registerImport()
	s.registerNotices()

	// Everything else is a 404 in the caller's format (JSON under /api,
	// a page elsewhere) instead of ServeMux's plain text.
	s.route("/", AccessAnyone, s.handleNotFound)
}

// registerSessionRoutes are signing in and out, the account and the
// language.
func (s *Server) registerSessionRoutes() {
	s.route("GET /login", AccessPublic, s.pageLogin)
	s.route("POST /login", AccessPublic, s.postLogin)
	s.route("POST /logout", AccessSignedIn, s.postLogout)
	s.route("POST /logout/all", AccessSignedIn, s.postLogoutAll)
	s.route("POST /lang", AccessAnyone, s.postLang)
	s.route("GET /account", AccessSignedIn, s.pageAccount)
	s.route("POST /account/password", AccessSignedIn, s.postAccountPassword)
	s.route("GET /{$}", AccessSignedIn, s.pageIndex)
}

// registerRegistryPages are the pages of places and persons.
func (s *Server) registerRegistryPages() {
	read, edit := Needs(frontline.PermReadRegistry), Needs(frontline.PermEditRegistry)
	s.route("GET /places/{id}", read, s.pagePlace)
	s.route("GET /places/{id}/edit", edit, s.pageEditPlace)
	s.route("POST /places/{id}/children", edit, s.postAddPlace)
	s.route("POST /places/{id}/rename", edit, s.postRenamePlace)
	s.route("POST /places/{id}/move", edit, s.postMovePlace)
	s.route("POST /places/{id}/retire", edit, s.postRetirePlace)
	s.route("GET /search", read, s.pageSearch)
	s.route("GET /persons/{id}", read, s.pagePerson)
	s.route("GET /persons/{id}/edit", edit, s.pageEditPerson)
	s.route("POST /persons/{id}/edit", edit, s.postEditPerson)
	s.route("POST /persons/{id}/move", edit, s.postMovePerson)
	s.route("POST /persons/{id}/moveout", edit, s.postMoveOut)
	s.route("POST /persons/{id}/reveal", Needs(frontline.PermRevealPerson), s.postReveal)
	s.route("GET /households/{id}/persons/new", edit, s.pageNewPerson)
	s.route("POST /households/{id}/persons", edit, s.postNewPerson)
}

// registerAdminPages are the pages of users, device tokens and the audit
// log.
func (s *Server) registerAdminPages() {
	users := Needs(frontline.PermManageUsers)
	s.route("GET /users", users, s.pageUsers)
	s.route("GET /users/new", users, s.pageNewUser)
	s.route("POST /users", users, s.postNewUser)
	s.route("GET /users/{id}", users, s.pageUser)
	s.route("POST /users/{id}", users, s.postUser)
	s.route("POST /users/{id}/password", users, s.postUserPassword)
	s.route("POST /users/{id}/logout", users, s.postUserLogout)
	s.route("GET /tokens", users, s.pageTokens)
	s.route("POST /tokens", users, s.postToken)
	s.route("POST /tokens/{id}/revoke", users, s.postRevokeToken)

	audit := Needs(frontline.PermReadAudit)
	s.route("GET /audit", audit, s.pageAudit)
	s.route("GET /audit/export.csv", audit, s.exportAudit)
}

// registerAPI is the JSON API under /api/v1.
func (s *Server) registerAPI() {
	read, edit := Needs(frontline.PermReadRegistry), Needs(frontline.PermEditRegistry)
	s.route("GET /api/v1/me", AccessSignedIn, s.apiMe)
	s.route("POST /api/v1/me/password", AccessSignedIn, s.apiChangePassword)
	s.route("GET /api/v1/places", read, s.apiPlaces)
	s.route("GET /api/v1/places/{id}", read, s.apiPlace)
	s.route("GET /api/v1/places/{id}/tree", read, s.apiPlaceTree)
	s.route("POST /api/v1/places", edit, s.apiCreatePlace)
	s.route("PATCH /api/v1/places/{id}", edit, s.apiUpdatePlace)
	s.route("POST /api/v1/places/{id}/move", edit, s.apiMovePlace)
	s.route("POST /api/v1/places/{id}/retire", edit, s.apiRetirePlace)
	s.route("GET /api/v1/households", read, s.apiHouseholds)
	s.route("GET /api/v1/households/{id}", read, s.apiHousehold)
	s.route("GET /api/v1/persons", read, s.apiPersons)
	s.route("POST /api/v1/persons", edit, s.apiCreatePerson)
	s.route("GET /api/v1/persons/{id}", read, s.apiPerson)
	s.route("PATCH /api/v1/persons/{id}", edit, s.apiUpdatePerson)
	s.route("GET /api/v1/persons/{id}/history", read, s.apiPersonHistory)
	s.route("POST /api/v1/persons/{id}/move", edit, s.apiMovePerson)
	s.route("POST /api/v1/persons/{id}/reveal", Needs(frontline.PermRevealPerson), s.apiRevealPerson)
	s.route("GET /api/v1/users", Needs(frontline.PermManageUsers), s.apiUsers)
	s.route("GET /api/v1/users/{id}", Needs(frontline.PermManageUsers), s.apiUser)
	s.route("GET /api/v1/audit", Needs(frontline.PermReadAudit), s.apiAudit)
}

// Routes returns the registered routes with their access declarations.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// route registers h under pattern behind the access check. A missing or
// unknown access declaration, or a pattern ServeMux rejects, is recorded
// and makes Open fail: no route is ever served without a declaration.
func (s *Server) route(pattern string, access Access, h handlerFunc) {
	if !access.valid() {
		s.routeErr = append(s.routeErr, fmt.Errorf("route %q declares no known access (got %q)", pattern, access))
		return
	}
	if strings.HasPrefix(pattern, "POST /") && !strings.HasPrefix(pattern, "POST /api/") {
		h = s.once(h)
	}
	handler := s.authorize(access, s.adapt(h))
	if pattern == "/" {
		// What no route matched: a known path asked with another method
		// is 405 before any session or CSRF check, which would answer a
		// DELETE of a page with "forbidden".
		handler = s.methodNotAllowed(handler)
	}
	if err := handle(s.mux, pattern, handler); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	s.routes = append(s.routes, Route{Pattern: pattern, Access: access})
}

// handle registers a handler, turning ServeMux's panic on a malformed or
// conflicting pattern into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("route %q: %v", pattern, v)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// handleNotFound answers requests no other route matches.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	return frontline.Errorf(frontline.ENOTFOUND, "no such page: %s %s", r.Method, r.URL.Path)
}
