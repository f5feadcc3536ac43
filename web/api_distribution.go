package web

import (
	"net/http"

	"github.com/frontline-org/frontline"
)

// distributionInput is the body of POST /api/v1/distributions.
type distributionInput struct {
	Name     string `json:"name"`
	Contents string `json:"contents"`
	ScopeID  int64  `json:"scope_id"`
}

// distributionResponse is one distribution with the progress of a node
// (its scope unless ?place= says) and of the node's children.
type distributionResponse struct {
	Distribution *frontline.Distribution           `json:"distribution"`
	Progress     *frontline.DistributionProgress   `json:"progress,omitempty"`
	Children     []*frontline.DistributionProgress `json:"children,omitempty"`
}

// distributionsResponse is the body of GET /api/v1/distributions.
type distributionsResponse struct {
	Distributions []*frontline.Distribution `json:"distributions"`
	listJSON
}

// handoutsResponse is a page of a distribution's households.
type handoutsResponse struct {
	Households []*frontline.Handout `json:"households"`
	listJSON
}

// markInput is the body of POST /api/v1/distributions/{id}/marks.
type markInput struct {
	HouseholdID int64  `json:"household_id"`
	Status      string `json:"status"`
	Reason      string `json:"reason"`
}

// markResponse is the household as the mark left it.
type markResponse struct {
	Household *frontline.Handout `json:"household"`
}

func (s *Server) apiDistributions(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place := q.id("place")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	ds, total, err := s.Distributions.FindDistributions(r.Context(), deref(place), pg.Offset, pg.Limit)
	if err != nil {
		return notFoundIn(err, "place")
	}
	return writeJSON(w, http.StatusOK, distributionsResponse{Distributions: ds, listJSON: listJSON{Total: total, page: pg}})
}

// apiStartDistribution starts a distribution, freezing its households,
// and answers 201 with it.
func (s *Server) apiStartDistribution(w http.ResponseWriter, r *http.Request) error {
	var in distributionInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	d := &frontline.Distribution{Name: in.Name, Contents: in.Contents, ScopeID: in.ScopeID}
	if err := s.Distributions.StartDistribution(r.Context(), d); err != nil {
		return notFoundIn(err, "scope_id")
	}
	return writeJSON(w, http.StatusCreated, distributionResponse{Distribution: d})
}

func (s *Server) apiDistribution(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	d, err := s.Distributions.FindDistributionByID(r.Context(), id)
	if err != nil {
		return err
	}
	top, kids, err := s.Distributions.Progress(r.Context(), id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	return writeJSON(w, http.StatusOK, distributionResponse{Distribution: d, Progress: top, Children: kids})
}

// apiHandouts lists a distribution's households under ?place=, only those
// without a final status with ?pending=true.
func (s *Server) apiHandouts(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	pending := q.boolean("pending")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	hs, total, err := s.Distributions.FindHandouts(r.Context(), id, frontline.HandoutFilter{Under: place, OnlyPending: pending,
		Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return notFoundIn(err, "place")
	}
	return writeJSON(w, http.StatusOK, handoutsResponse{Households: hs, listJSON: listJSON{Total: total, page: pg}})
}

func (s *Server) apiMark(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in markInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h, err := s.Distributions.Mark(r.Context(), &frontline.HandoutMark{DistributionID: id, HouseholdID: in.HouseholdID,
		Status: frontline.HandoutStatus(in.Status), Reason: in.Reason})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, markResponse{Household: h})
}

// apiCloseDistribution closes a distribution; 409 while any household
// has no final status, the message saying how many and where.
func (s *Server) apiCloseDistribution(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	d, err := s.Distributions.CloseDistribution(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, distributionResponse{Distribution: d})
}
