package web

import (
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// The API of what the setup page changes beyond creating: sites edited and
// removed, stations renamed and retired, and the settings a plan was saved
// with. The services bound each by the caller's role and scope.

// registerSetupAPI registers the routes.
func (s *Server) registerSetupAPI() {
	manage := Needs(frontline.PermManageRounds)
	s.route("PATCH /api/v1/sites/{id}", manage, s.apiUpdateSite)
	s.route("DELETE /api/v1/sites/{id}", manage, s.apiRemoveSite)
	s.route("PATCH /api/v1/stations/{id}", manage, s.apiRenameStation)
	s.route("POST /api/v1/stations/{id}/retire", manage, s.apiRetireStation)
	s.route("GET /api/v1/rounds/{id}/plan/saved", manage, s.apiSavedPlan)
}

// siteInput is the body of PATCH /api/v1/sites/{id}: absent fields stay.
type siteInput struct {
	Name     *string    `json:"name"`
	Location *string    `json:"location"`
	OpensAt  *time.Time `json:"opens_at"`
	ClosesAt *time.Time `json:"closes_at"`
}

// apiUpdateSite changes a site's name, location or hours.
func (s *Server) apiUpdateSite(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in siteInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	site, err := s.Sites.UpdateSite(r.Context(), id, frontline.SiteUpdate{Name: in.Name, Location: in.Location,
		OpensAt: in.OpensAt, ClosesAt: in.ClosesAt})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"site": site})
}

// apiRemoveSite removes a site nobody was sampled at; 409 otherwise.
func (s *Server) apiRemoveSite(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Sites.RemoveSite(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiRenameStation renames a station: {"name": "..."}.
func (s *Server) apiRenameStation(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	st, err := s.Sites.RenameStation(r.Context(), id, in.Name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"station": st})
}

// apiRetireStation retires a station and revokes its device token.
func (s *Server) apiRetireStation(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	st, err := s.Sites.RetireStation(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"station": st})
}

// apiSavedPlan returns the settings the round's plan was saved with; 404
// when none was saved.
func (s *Server) apiSavedPlan(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	plan, err := s.Sites.FindSavedPlan(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plan": plan})
}
