package web

import (
	"net/http"

	"github.com/frontline-org/frontline"
)

// placeInput is the body of POST /api/v1/places and PATCH
// /api/v1/places/{id}. Absent fields are left as they are.
type placeInput struct {
	ParentID *int64  `json:"parent_id"`
	Kind     *string `json:"kind"`
	Name     *string `json:"name"`
	Code     *string `json:"code"`
}

// placeWriteResponse is the body answering a change of a place: the
// place as it is now.
type placeWriteResponse struct {
	Place placeJSON `json:"place"`
}

// apiCreatePlace adds a place under parent_id and answers 201 with it.
func (s *Server) apiCreatePlace(w http.ResponseWriter, r *http.Request) error {
	var in placeInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.ParentID == nil {
		return frontline.FieldError("parent_id", "give the place to add it under")
	}
	p := &frontline.Place{ParentID: *in.ParentID}
	if in.Kind != nil {
		p.Kind = frontline.PlaceKind(*in.Kind)
	}
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Code != nil {
		p.Code = *in.Code
	}
	if err := s.Places.CreatePlace(r.Context(), p); err != nil {
		return notFoundIn(err, "parent_id")
	}
	return writeJSON(w, http.StatusCreated, placeWriteResponse{Place: newPlaceJSON(p)})
}

// apiUpdatePlace renames a place or changes its code. A place moves with
// /move; its kind does not change.
func (s *Server) apiUpdatePlace(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in placeInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	switch {
	case in.ParentID != nil:
		return frontline.FieldError("parent_id", "move a place with POST /api/v1/places/{id}/move")
	case in.Kind != nil:
		return frontline.FieldError("kind", "a place's kind does not change; retire it and add one of the right kind")
	}
	p, err := s.Places.UpdatePlace(r.Context(), id, frontline.PlaceUpdate{Name: in.Name, Code: in.Code})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, placeWriteResponse{Place: newPlaceJSON(p)})
}

// placeMoveInput is the body of POST /api/v1/places/{id}/move.
type placeMoveInput struct {
	ParentID int64 `json:"parent_id"`
}

// apiMovePlace moves a place and everything under it under parent_id.
func (s *Server) apiMovePlace(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in placeMoveInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.Places.MovePlace(r.Context(), id, in.ParentID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, placeWriteResponse{Place: newPlaceJSON(p)})
}

// apiRetirePlace retires a place and everything under it. The request has
// no body.
func (s *Server) apiRetirePlace(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	p, err := s.Places.RetirePlace(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, placeWriteResponse{Place: newPlaceJSON(p)})
}
