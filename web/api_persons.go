package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/frontline-org/frontline"
)

// householdsResponse is the body of GET /api/v1/households.
type householdsResponse struct {
	Households []householdJSON `json:"households"`
	listJSON
}

// apiHouseholds lists the households under a node, each with its address
// and counts.
func (s *Server) apiHouseholds(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	under := q.id("under")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	if under == nil {
		return frontline.FieldError("under", "give the node whose households to list")
	}
	ctx := r.Context()
	top, err := s.Places.FindPlaceByID(ctx, *under)
	if err != nil {
		return notFoundIn(err, "under")
	}
	kind := frontline.KindHousehold
	hhs, total, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: under, Kind: &kind, Limit: pg.Limit, Offset: pg.Offset})
	if err != nil {
		return notFoundIn(err, "under")
	}
	book := newAddresses(s.Places, top)
	out := make([]householdJSON, len(hhs))
	for i, h := range hhs {
		if out[i], err = householdOf(ctx, book, h); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, householdsResponse{Households: out, listJSON: listJSON{Total: total, page: pg}})
}

func householdOf(ctx context.Context, book *addresses, h *frontline.Place) (householdJSON, error) {
	addr, err := book.of(ctx, h)
	return householdJSON{placeJSON: newPlaceJSON(h), Address: addr}, err
}

// householdResponse is the body of GET /api/v1/households/{id}.
type householdResponse struct {
	Household householdJSON `json:"household"`
	Ancestors []placeJSON   `json:"ancestors"`
	Members   []personJSON  `json:"members"`
}

// maxMembers bounds the members listed for one household; real households
// have a handful, a dormitory registered as one may have hundreds.
const maxMembers = maxLimit

// apiHousehold returns a household, its ancestors and its members
// (masked). Moved-out members are listed with include_moved=true.
func (s *Server) apiHousehold(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	moved := q.boolean("include_moved")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	h, err := s.household(ctx, id)
	if err != nil {
		return err
	}
	anc, err := s.Places.Ancestors(ctx, id)
	if err != nil {
		return err
	}
	members, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{HouseholdID: &id, IncludeMoved: moved, Limit: maxMembers})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, householdResponse{
		Household: householdJSON{placeJSON: newPlaceJSON(h), Address: addressOf(slices.Concat(anc, []*frontline.Place{h}))},
		Ancestors: placesJSON(anc),
		Members:   s.personsJSON(members),
	})
}

// household returns the household with id; any other node is not found,
// as /households/{id} names households only.
func (s *Server) household(ctx context.Context, id int64) (*frontline.Place, error) {
	h, err := s.Places.FindPlaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if h.Kind != frontline.KindHousehold {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "%s (%d) is a %s, not a household", h.Name, h.ID, h.Kind)
	}
	return h, nil
}

func (s *Server) personsJSON(ps []*frontline.Person) []personJSON {
	now := s.Now()
	out := make([]personJSON, len(ps))
	for i, p := range ps {
		out[i] = newPersonJSON(p, now)
	}
	return out
}

// personsResponse is the body of GET /api/v1/persons.
type personsResponse struct {
	Persons []personJSON `json:"persons"`
	listJSON
}

// apiPersons finds persons by place, name prefix, phone or ID number (all
// of it or its last four or more characters). Every person is masked.
func (s *Server) apiPersons(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.PersonFilter{
		Under: q.id("under"), HouseholdID: q.id("household_id"),
		Name: q.text("name"), Phone: q.text("phone"), IDNumber: q.text("id_number"),
		IncludeMoved: q.boolean("include_moved"), OnlyFlagged: q.boolean("flagged"),
	}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	ctx := r.Context()
	persons, total, err := s.Persons.FindPersons(ctx, f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	out := s.personsJSON(persons)
	book := newAddresses(s.Places)
	for i, p := range persons {
		if p.Household == nil {
			continue
		}
		if out[i].Address, err = book.of(ctx, p.Household); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, personsResponse{Persons: out, listJSON: listJSON{Total: total, page: pg}})
}

// personResponse is the body of GET /api/v1/persons/{id}.
type personResponse struct {
	Person personJSON `json:"person"`
}

// apiPerson returns one person, masked, with their household's address.
func (s *Server) apiPerson(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	p, err := s.Persons.FindPersonByID(ctx, id)
	if err != nil {
		return err
	}
	out := newPersonJSON(p, s.Now())
	if p.Household != nil {
		if out.Address, err = newAddresses(s.Places).of(ctx, p.Household); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, personResponse{Person: out})
}
