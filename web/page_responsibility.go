package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/frontline-org/frontline"
)

// The responsible workers of a node's households (包户到人): who has been
// given the node and the nodes under it, a form to give one, and the
// households nobody is responsible for yet.

// responsibilityPage shows a node's responsibilities.
type responsibilityPage struct {
	layout
	Place      *frontline.Place
	Rows       []*frontline.Responsibility
	Children   []*frontline.Place
	Nodes      []option // the node and its children, for the form
	Workers    []option
	Unassigned []*frontline.Place
	Missing    int // households without a responsible worker
	Form       form
	Saved      bool
}

// maxUnassignedShown bounds the households the page lists by name.
const maxUnassignedShown = 20

func (s *Server) pageResponsibility(w http.ResponseWriter, r *http.Request) error {
	return s.renderResponsibility(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderResponsibility(w http.ResponseWriter, r *http.Request, f form, status int) error {
	ctx := r.Context()
	place, err := s.workforcePlace(ctx, newParams(r))
	if err != nil {
		return err
	}
	rows, err := s.Responsibility.FindResponsibilities(ctx, place.ID)
	if err != nil {
		return err
	}
	kids, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &place.ID, Limit: maxRows})
	if err != nil {
		return err
	}
	hs, missing, err := s.Responsibility.Unassigned(ctx, place.ID, maxUnassignedShown)
	if err != nil {
		return err
	}
	under := place.ID
	if place.Kind.Rank() > frontline.KindCommunity.Rank() {
		under = place.ParentID
	}
	ws, _, err := s.Workers.FindWorkers(ctx, frontline.WorkerFilter{Under: &under, Limit: maxWorkerRows})
	if err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "resp.title", place.Name)
	if err != nil {
		return err
	}
	page := responsibilityPage{layout: s.layout(r, lang, title), Place: place, Rows: rows, Children: kids, Unassigned: hs,
		Missing: missing, Form: f, Saved: r.URL.Query().Get("saved") != ""}
	for _, n := range append([]*frontline.Place{place}, kids...) {
		page.Nodes = append(page.Nodes, option{Value: strconv.FormatInt(n.ID, 10), Label: n.Name})
	}
	for _, wk := range ws {
		page.Workers = append(page.Workers, option{Value: strconv.FormatInt(wk.ID, 10), Label: wk.Label()})
	}
	return s.render(w, status, pageResponsibilityName, page)
}

// respFields are the fields of the form.
var respFields = []string{"node", "worker", "cover"}

// postResponsibility gives a node to a worker, or takes it back when no
// worker is chosen.
func (s *Server) postResponsibility(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, respFields)
	if err != nil {
		return err
	}
	node, ok := formID(f.Values["node"])
	if !ok {
		f.Errors["node"] = "form.invalid.node"
		return s.renderResponsibility(w, r, f, http.StatusBadRequest)
	}
	worker, _ := formID(f.Values["worker"])
	cover, _ := formID(f.Values["cover"])
	if worker == 0 {
		err = s.Responsibility.ClearResponsible(r.Context(), node)
	} else {
		_, err = s.Responsibility.SetResponsible(r.Context(), node, worker, cover)
	}
	if err == nil {
		return redirect(w, r, fmt.Sprintf("/responsibility?place=%s&saved=1", r.URL.Query().Get("place")))
	}
	err = renameField(err, map[string]string{"place_id": "node", "worker_id": "worker", "cover_id": "cover"})
	if err := s.formError(f, err, respFields); err != nil {
		return err
	}
	return s.renderResponsibility(w, r, f, http.StatusBadRequest)
}
