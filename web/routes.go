package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/frontline-org/frontline"
)

// Access is what a route requires of its caller. Every route declares one
// when it is registered; authorize is the one place that enforces them.
type Access string

// The access declarations. The access issue adds the roles and makes
// AccessRegistry require a signed-in user whose scope covers the data.
const (
	// AccessPublic routes answer anyone: health, readiness, metrics,
	// static files.
	AccessPublic Access = "public"
	// AccessRegistry routes read the place tree and persons (masked).
	// Until users exist anyone who reaches the server may read them.
	AccessRegistry Access = "registry"
)

// accesses lists the declarations authorize knows; anything else is
// refused at start-up.
func accesses() []Access { return []Access{AccessPublic, AccessRegistry} }

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

	s.route("GET /api/v1/places", AccessRegistry, s.apiPlaces)
	s.route("GET /api/v1/places/{id}", AccessRegistry, s.apiPlace)
	s.route("GET /api/v1/places/{id}/tree", AccessRegistry, s.apiPlaceTree)
	s.route("GET /api/v1/households", AccessRegistry, s.apiHouseholds)
	s.route("GET /api/v1/households/{id}", AccessRegistry, s.apiHousehold)
	s.route("GET /api/v1/persons", AccessRegistry, s.apiPersons)
	s.route("GET /api/v1/persons/{id}", AccessRegistry, s.apiPerson)

	s.route("GET /{$}", AccessRegistry, s.pageIndex)
	s.route("GET /places/{id}", AccessRegistry, s.pagePlace)

	// Everything else is a 404 in the caller's format (JSON under /api,
	// a page elsewhere) instead of ServeMux's plain text.
	s.route("/", AccessPublic, s.handleNotFound)
}

// Routes returns the registered routes with their access declarations.
func (s *Server) Routes() []Route { return slices.Clone(s.routes) }

// route registers h under pattern behind the access check. A missing or
// unknown access declaration, or a pattern ServeMux rejects, is recorded
// and makes Open fail: no route is ever served without a declaration.
func (s *Server) route(pattern string, access Access, h handlerFunc) {
	if !slices.Contains(accesses(), access) {
		s.routeErr = append(s.routeErr, fmt.Errorf("route %q declares no known access (got %q)", pattern, access))
		return
	}
	if err := handle(s.mux, pattern, s.authorize(access, s.adapt(h))); err != nil {
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

// authorize enforces a route's access declaration. Today both
// declarations let every caller through; the access issue resolves the
// session here, refuses AccessRegistry without one (EUNAUTHORIZED) and puts
// the caller's scope in the request context for the services to filter by.
func (s *Server) authorize(access Access, next http.Handler) http.Handler {
	switch access {
	case AccessPublic, AccessRegistry:
		return next
	}
	// Unreachable: route checks the declaration first. Fail closed anyway.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, frontline.Errorf(frontline.EFORBIDDEN, "this route declares no access"))
	})
}

// handleNotFound answers requests no other route matches.
func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) error {
	return frontline.Errorf(frontline.ENOTFOUND, "no such page: %s %s", r.Method, r.URL.Path)
}
