package web

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"github.com/frontline-org/frontline"
)

// personInput is the body of POST /api/v1/persons and PATCH
// /api/v1/persons/{id}. Absent fields are not set (PATCH leaves them as
// they are); flags, when present, replace the flags.
type personInput struct {
	HouseholdID *int64    `json:"household_id"`
	Name        *string   `json:"name"`
	Sex         *string   `json:"sex"`
	BirthDate   *string   `json:"birth_date"`
	IDType      *string   `json:"id_type"`
	IDNumber    *string   `json:"id_number"`
	Phone       *string   `json:"phone"`
	Relation    *string   `json:"relation"`
	Flags       *[]string `json:"flags"`
	Status      *string   `json:"status"`
}

// update returns the change the input asks for.
func (in personInput) update() frontline.PersonUpdate {
	upd := frontline.PersonUpdate{Name: in.Name, BirthDate: in.BirthDate, IDNumber: in.IDNumber, Phone: in.Phone}
	if in.Sex != nil {
		upd.Sex = ptr(frontline.Sex(*in.Sex))
	}
	if in.IDType != nil {
		upd.IDType = ptr(frontline.IDType(*in.IDType))
	}
	if in.Relation != nil {
		upd.Relation = ptr(frontline.Relation(*in.Relation))
	}
	if in.Status != nil {
		upd.Status = ptr(frontline.ResidenceStatus(*in.Status))
	}
	if in.Flags != nil {
		flags := make([]frontline.Flag, len(*in.Flags))
		for i, f := range *in.Flags {
			flags[i] = frontline.Flag(f)
		}
		upd.Flags = &flags
	}
	return upd
}

// decodeJSON reads a JSON object into v. Only application/json is
// accepted: a browser cannot send it to another site without asking
// first, which keeps cross-site forms away from the API. Unknown fields
// are refused, so a misspelt field is an error, not silently ignored.
func decodeJSON(r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return frontline.Errorf(frontline.EINVALID, "send the body as Content-Type: application/json")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if dec.Decode(&struct{}{}) != io.EOF {
		return frontline.Errorf(frontline.EINVALID, "the body holds more than one JSON value")
	}
	return nil
}

// apiCreatePerson adds a person to a household and answers 201 with the
// person, masked.
func (s *Server) apiCreatePerson(w http.ResponseWriter, r *http.Request) error {
	var in personInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.HouseholdID == nil {
		return frontline.FieldError("household_id", "give the household to add the person to")
	}
	p := &frontline.Person{HouseholdID: *in.HouseholdID}
	in.update().Apply(p)
	ctx := r.Context()
	if err := s.Persons.CreatePerson(ctx, p); err != nil {
		return err
	}
	return s.writePerson(ctx, w, http.StatusCreated, p)
}

// apiUpdatePerson changes the fields given. A person moves with
// /move, so household_id is refused here.
func (s *Server) apiUpdatePerson(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in personInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.HouseholdID != nil {
		return frontline.FieldError("household_id", "move a person with POST /api/v1/persons/{id}/move")
	}
	ctx := r.Context()
	p, err := s.Persons.UpdatePerson(ctx, id, in.update())
	if err != nil {
		return err
	}
	return s.writePerson(ctx, w, http.StatusOK, p)
}

// moveInput is the body of POST /api/v1/persons/{id}/move.
type moveInput struct {
	HouseholdID int64 `json:"household_id"`
}

func (s *Server) apiMovePerson(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in moveInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.Persons.FindPersonByID(ctx, id); err != nil {
		return err
	}
	p, err := s.Persons.MovePerson(ctx, id, in.HouseholdID)
	if err != nil {
		return notFoundIn(err, "household_id")
	}
	return s.writePerson(ctx, w, http.StatusOK, p)
}

// writePerson answers with a person, masked, and their address.
func (s *Server) writePerson(ctx context.Context, w http.ResponseWriter, status int, p *frontline.Person) error {
	out := newPersonJSON(p, s.Now())
	if p.Household != nil {
		var err error
		if out.Address, err = newAddresses(s.Places).of(ctx, p.Household); err != nil {
			return err
		}
	}
	return writeJSON(w, status, personResponse{Person: out})
}

// revealResponse is the body of POST /api/v1/persons/{id}/reveal: the
// person as everywhere (masked), and beside it the full ID number and
// phone, which no other response carries.
type revealResponse struct {
	Person   personJSON `json:"person"`
	IDNumber string     `json:"id_number"`
	Phone    string     `json:"phone"`
}

// apiRevealPerson returns a person's full ID number and phone; the store
// records who asked before it answers.
func (s *Server) apiRevealPerson(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	p, err := s.Persons.RevealPerson(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, revealResponse{Person: newPersonJSON(p, s.Now()), IDNumber: p.IDNumber, Phone: p.Phone})
}

// apiPersonHistory returns the recorded changes of a person, newest first.
func (s *Server) apiPersonHistory(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	changes, err := s.Persons.PersonHistory(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]*frontline.Change, len(changes))
	for i, c := range changes {
		out[i] = maskedChange(c)
	}
	return writeJSON(w, http.StatusOK, struct {
		Changes []*frontline.Change `json:"changes"`
	}{out})
}
