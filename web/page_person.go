package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/frontline-org/frontline"
)

// personPage is one person, masked: where they live, their details, what
// was changed about them and by whom, and the actions the role may take.
type personPage struct {
	layout
	Person    personJSON
	Household placeJSON
	Ancestors []placeJSON
	History   changeTable
	CanEdit   bool
	CanReveal bool
	CanAudit  bool
	// MoveTo are the other households of the person's compound, the
	// usual target of a move; MoveForm holds the error of a failed move.
	MoveTo   []option
	MoveForm form
	// Health is the person's results, measures, cases and restrictions
	// now; nil when the server keeps no cases.
	Health *frontline.PersonHealth
	// Notices says whether the person's mobile number takes notices to
	// residents; nil without a mobile number or without opt-outs.
	Notices *noticeState
}

func (s *Server) pagePerson(w http.ResponseWriter, r *http.Request) error {
	return s.renderPerson(w, r, http.StatusOK, newForm())
}

func (s *Server) renderPerson(w http.ResponseWriter, r *http.Request, status int, moveForm form) error {
	lang := pickLang(w, r)
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
	anc, err := s.Places.Ancestors(ctx, p.HouseholdID)
	if err != nil {
		return err
	}
	history, err := s.Persons.PersonHistory(ctx, id)
	if err != nil {
		return err
	}
	who := callerFrom(ctx).principal
	page := personPage{
		layout: s.layout(r, lang, p.Name), Person: newPersonJSON(p, s.Now()),
		Household: newPlaceJSON(p.Household), Ancestors: placesJSON(anc),
		History: changeTable{Lang: lang, Rows: s.changeRows(lang, history)},
		CanEdit: who.Can(frontline.PermEditRegistry), CanReveal: who.Can(frontline.PermRevealPerson),
		CanAudit: who.Can(frontline.PermReadAudit), MoveForm: moveForm,
	}
	page.Person.Address = addressOf(append(slices.Clone(anc), p.Household))
	if s.Cases != nil {
		if page.Health, err = s.Cases.PersonHealth(ctx, p.ID); err != nil {
			return err
		}
	}
	if page.Notices, err = s.noticeState(ctx, p); err != nil {
		return err
	}
	if page.CanEdit {
		if page.MoveTo, err = s.neighbours(ctx, p.Household, anc); err != nil {
			return err
		}
	}
	return s.render(w, status, pagePersonName, page)
}

// neighbours lists the other households of the compound h is in (or of
// its parent, for a household outside any compound), by address.
func (s *Server) neighbours(ctx context.Context, h *frontline.Place, anc []*frontline.Place) ([]option, error) {
	top := h.ParentID
	for _, a := range anc {
		if a.Kind == frontline.KindCompound {
			top = a.ID
		}
	}
	if top == 0 {
		return nil, nil
	}
	kind := frontline.KindHousehold
	hhs, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &top, Kind: &kind, Limit: maxRows})
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return nil, nil // the compound is above the caller's scope
	} else if err != nil {
		return nil, err
	}
	book := newAddresses(s.Places, anc...)
	out := make([]option, 0, len(hhs))
	for _, o := range hhs {
		if o.ID == h.ID {
			continue
		}
		addr, err := book.of(ctx, o)
		if err != nil {
			return nil, err
		}
		out = append(out, option{Value: fmt.Sprint(o.ID), Label: addr})
	}
	return out, nil
}

// postMovePerson moves a person to the household picked or typed. A
// target the caller may not see is reported as not found next to the
// field, like one that does not exist.
func (s *Server) postMovePerson(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"household_id"})
	if err != nil {
		return err
	}
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.Persons.FindPersonByID(ctx, id); err != nil {
		return err
	}
	to, ok := formID(f.Values["household_id"])
	if !ok {
		f.Errors["household_id"] = "form.invalid.household_id"
		return s.renderPerson(w, r, http.StatusUnprocessableEntity, f)
	}
	if _, err := s.Persons.MovePerson(ctx, id, to); err != nil {
		if frontline.ErrorCode(err) == frontline.ENOTFOUND {
			err = &frontline.Error{Code: frontline.ENOTFOUND, Field: "household_id", Message: frontline.ErrorMessage(err), Err: err}
		}
		if err := s.formError(f, err, []string{"household_id"}); err != nil {
			return err
		}
		return s.renderPerson(w, r, http.StatusUnprocessableEntity, f)
	}
	return redirect(w, r, fmt.Sprintf("/persons/%d", id))
}

// postMoveOut marks a person as moved out: they stay on record, no longer
// counted as a resident of the household.
func (s *Server) postMoveOut(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	status := frontline.StatusMovedOut
	if _, err := s.Persons.UpdatePerson(r.Context(), id, frontline.PersonUpdate{Status: &status}); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/persons/%d", id))
}

// revealPage shows a person's full ID number and phone: the one page that
// does, after the store has recorded who looked.
type revealPage struct {
	layout
	Person   personJSON
	IDNumber string
	Phone    string
}

// postReveal is a POST, not a link: a reveal is recorded, so it must not
// happen because a browser prefetched a page, and it carries the CSRF
// token like every change.
func (s *Server) postReveal(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	p, err := s.Persons.RevealPerson(r.Context(), id)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "reveal.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageRevealName, revealPage{
		layout: s.layout(r, lang, title), Person: newPersonJSON(p, s.Now()), IDNumber: p.IDNumber, Phone: p.Phone,
	})
}
