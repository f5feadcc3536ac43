package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// The fields of the place forms. They are not "name" and "code": a
// place's name takes 100 characters where a person's takes 50, and the
// catalogue says so next to the field.
var (
	placeFieldNames = map[string]string{"name": "place_name", "kind": "place_kind", "code": "place_code"}
	addFields       = []string{"place_name", "place_kind", "place_code"}
	renameFields    = []string{"place_name", "place_code"}
	moveFields      = []string{"parent_id", "area"}
	retireFields    = []string{"confirm", "residents", "campaign", "zone"}
)

// placeFormFieldIDs are the messages the place forms may show next to a
// field (see formFieldIDs).
func placeFormFieldIDs() []string {
	return []string{"form.invalid.place_name", "form.taken.place_name", "form.invalid.place_kind", "form.invalid.place_code",
		"form.invalid.parent_id", "form.notfound.parent_id", "form.taken.parent_id", "form.taken.area",
		"form.invalid.confirm", "form.taken.residents", "form.taken.campaign", "form.taken.zone"}
}

// officeKinds are the levels a user adds, renames, moves and retires on
// the web: the office's own. The administrative levels above follow the
// statistics bureau's list, kept from the command line.
var officeKinds = []frontline.PlaceKind{frontline.KindCompound, frontline.KindBuilding, frontline.KindUnit, frontline.KindHousehold}

// placeEditPage manages one place: add a place under it, rename, move or
// retire it. Each form keeps what was typed when the store refuses it.
type placeEditPage struct {
	layout
	Place     placeJSON
	Ancestors []placeJSON
	// AddKinds are the kinds that may be added here, the preselected one
	// marked; none for a household.
	AddKinds []option
	// CanChange says the place itself may be renamed, moved and retired by
	// the caller; Why is the message id saying why not, when not.
	CanChange bool
	Why       string
	MoveTo    []option
	Added     *placeJSON // the place just added, after a redirect
	RetiredAt time.Time
	AddForm   form
	Rename    form
	Move      form
	Retire    form
}

// placeForms are the four forms of the page; the one that failed carries
// its values and errors, the others start afresh.
type placeForms struct{ add, rename, move, retire *form }

func (s *Server) pageEditPlace(w http.ResponseWriter, r *http.Request) error {
	return s.renderEditPlace(w, r, http.StatusOK, placeForms{})
}

func (s *Server) renderEditPlace(w http.ResponseWriter, r *http.Request, status int, forms placeForms) error {
	lang := pickLang(w, r)
	q := newParams(r)
	id := q.pathID("id")
	kind := q.kind("kind")
	added := q.id("added")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	p, err := s.Places.FindPlaceByID(ctx, id)
	if err != nil {
		return err
	}
	anc, err := s.Places.Ancestors(ctx, id)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "place.edit.title", p.Name)
	if err != nil {
		return err
	}
	page := placeEditPage{layout: s.layout(r, lang, title), Place: newPlaceJSON(p), Ancestors: placesJSON(anc)}
	page.AddForm = orNew(forms.add, func(f form) {
		if kind != nil {
			f.Values["place_kind"] = string(*kind)
		}
	})
	page.Rename = orNew(forms.rename, func(f form) { f.Values["place_name"], f.Values["place_code"] = p.Name, p.Code })
	page.Move, page.Retire = orNew(forms.move, nil), orNew(forms.retire, nil)
	if p.Retired() {
		page.RetiredAt = p.RetiredAt
		return s.render(w, status, pagePlaceEditName, page)
	}
	page.AddKinds = addKinds(p.Kind, page.AddForm.Values["place_kind"])
	who := callerFrom(ctx).principal
	switch {
	case p.Kind.Administrative():
		page.Why = "place.noedit"
	case who.ScopePath == p.Path:
		page.Why = "place.ownscope"
	default:
		page.CanChange = true
		if page.MoveTo, err = s.moveTargets(ctx, p, anc); err != nil {
			return err
		}
	}
	if added != nil {
		if a, err := s.Places.FindPlaceByID(ctx, *added); err == nil && a.ParentID == p.ID {
			aj := newPlaceJSON(a)
			page.Added = &aj
		}
	}
	return s.render(w, status, pagePlaceEditName, page)
}

// orNew returns the failed form, or a new one set up by init.
func orNew(f *form, init func(form)) form {
	if f != nil {
		return *f
	}
	nf := newForm()
	if init != nil {
		init(nf)
	}
	return nf
}

// addKinds are the office's kinds that may hang under a place of kind
// parent, the chosen one (or the level right below) selected.
func addKinds(parent frontline.PlaceKind, chosen string) []option {
	if chosen == "" {
		chosen = string(frontline.NextKind(parent))
	}
	var out []option
	for _, k := range officeKinds {
		if parent.CanContain(k) {
			out = append(out, option{Value: string(k), Selected: string(k) == chosen})
		}
	}
	return out
}

// moveTargets lists the places nearby that could hold p, by address: the
// buildings and units of its compound for a unit or a household, the
// compounds of its community for a building, the communities of its
// subdistrict for a compound; its own parent aside. Anything else is
// reached by number.
func (s *Server) moveTargets(ctx context.Context, p *frontline.Place, anc []*frontline.Place) ([]option, error) {
	within := map[frontline.PlaceKind]frontline.PlaceKind{
		frontline.KindCompound: frontline.KindSubdistrict, frontline.KindBuilding: frontline.KindCommunity,
		frontline.KindUnit: frontline.KindCompound, frontline.KindHousehold: frontline.KindCompound,
	}[p.Kind]
	var top *frontline.Place
	for _, a := range anc {
		if top == nil || a.Kind.Rank() <= within.Rank() {
			top = a // the deepest ancestor at the level, or the highest the caller sees
		}
	}
	if top == nil {
		return nil, nil
	}
	var nodes []*frontline.Place
	if top.Kind.CanContain(p.Kind) {
		nodes = append(nodes, top)
	}
	for _, k := range frontline.PlaceKinds[top.Kind.Rank()+1 : p.Kind.Rank()] {
		found, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &top.ID, Kind: &k, Limit: maxRows})
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, found...)
	}
	book := newAddresses(s.Places, anc...)
	out := make([]option, 0, len(nodes))
	for _, n := range nodes {
		if n.ID == p.ParentID || !n.Kind.CanContain(p.Kind) {
			continue
		}
		addr, err := book.of(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, option{Value: strconv.FormatInt(n.ID, 10), Label: addr})
	}
	return out, nil
}

// placeForm reads a posted place form and the id of the place in the
// path.
func placeForm(r *http.Request, fields []string, boxes ...string) (form, int64, error) {
	f, err := readForm(r, fields, boxes...)
	if err != nil {
		return f, 0, err
	}
	q := newParams(r)
	id := q.pathID("id")
	return f, id, q.check()
}

// placeFormError records a refusal of the store in f, under the form's
// names of the fields, and returns err when it is not about the form.
func (s *Server) placeFormError(f *form, err error, fields []string, names map[string]string) error {
	return s.formError(*f, renameField(err, names), fields)
}

// postAddPlace adds a place under the one in the path, and returns to the
// page with the same kind chosen, to add the next one.
func (s *Server) postAddPlace(w http.ResponseWriter, r *http.Request) error {
	f, id, err := placeForm(r, addFields)
	if err != nil {
		return err
	}
	p := &frontline.Place{ParentID: id, Kind: frontline.PlaceKind(f.Values["place_kind"]), Name: f.Values["place_name"], Code: f.Values["place_code"]}
	if err := s.Places.CreatePlace(r.Context(), p); err != nil {
		if err := s.placeFormError(&f, err, addFields, placeFieldNames); err != nil {
			return err
		}
		return s.renderEditPlace(w, r, http.StatusUnprocessableEntity, placeForms{add: &f})
	}
	return redirect(w, r, fmt.Sprintf("/places/%d/edit?kind=%s&added=%d", id, p.Kind, p.ID))
}

func (s *Server) postRenamePlace(w http.ResponseWriter, r *http.Request) error {
	f, id, err := placeForm(r, renameFields)
	if err != nil {
		return err
	}
	upd := frontline.PlaceUpdate{Name: ptr(f.Values["place_name"]), Code: ptr(f.Values["place_code"])}
	if _, err := s.Places.UpdatePlace(r.Context(), id, upd); err != nil {
		if err := s.placeFormError(&f, err, renameFields, placeFieldNames); err != nil {
			return err
		}
		return s.renderEditPlace(w, r, http.StatusUnprocessableEntity, placeForms{rename: &f})
	}
	return redirect(w, r, fmt.Sprintf("/places/%d", id))
}

// postMovePlace moves the place under the one picked from the list or,
// when none is picked, the one whose number was typed. A sibling
// of the same name there is a refusal of the target, shown next to it.
func (s *Server) postMovePlace(w http.ResponseWriter, r *http.Request) error {
	f, id, err := placeForm(r, []string{"parent_pick", "parent_id"})
	if err != nil {
		return err
	}
	target := f.Values["parent_id"]
	if f.Values["parent_pick"] != "" {
		target = f.Values["parent_pick"] // picked from the list rather than typed
	}
	to, ok := formID(target)
	if !ok {
		f.Errors["parent_id"] = "form.invalid.parent_id"
		return s.renderEditPlace(w, r, http.StatusUnprocessableEntity, placeForms{move: &f})
	}
	if _, err := s.Places.MovePlace(r.Context(), id, to); err != nil {
		if err := s.placeFormError(&f, err, moveFields, map[string]string{"name": "parent_id"}); err != nil {
			return err
		}
		return s.renderEditPlace(w, r, http.StatusUnprocessableEntity, placeForms{move: &f})
	}
	return redirect(w, r, fmt.Sprintf("/places/%d", id))
}

// postRetirePlace retires the place once the box is ticked, and goes to
// its parent, where it is no longer listed.
func (s *Server) postRetirePlace(w http.ResponseWriter, r *http.Request) error {
	f, id, err := placeForm(r, nil, "confirm")
	if err != nil {
		return err
	}
	if !f.Checked["confirm"] {
		f.Errors["confirm"] = "form.invalid.confirm"
		return s.renderEditPlace(w, r, http.StatusUnprocessableEntity, placeForms{retire: &f})
	}
	p, err := s.Places.RetirePlace(r.Context(), id)
	if err != nil {
		if err := s.formError(f, err, retireFields); err != nil {
			return err
		}
		return s.renderEditPlace(w, r, http.StatusUnprocessableEntity, placeForms{retire: &f})
	}
	return redirect(w, r, fmt.Sprintf("/places/%d", p.ParentID))
}
