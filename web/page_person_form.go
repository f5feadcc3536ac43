package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/frontline-org/frontline"
)

// personFields are the fields of the person form, in the order of the
// page.
func personFields() []string {
	return []string{"name", "sex", "birth_date", "id_type", "id_number", "phone", "relation", "flags", "status"}
}

// personFormPage adds a person to a household or edits one.
type personFormPage struct {
	layout
	Create bool
	Action string
	// Person is the person edited, masked; on the add form only its
	// household is set.
	Person  personJSON
	Address string
	Form    form
	Choices personChoices
}

// personChoices are the codes the selects and checkboxes offer; the
// template shows each with its label in the page's language.
type personChoices struct {
	Sexes     []frontline.Sex
	IDTypes   []frontline.IDType
	Relations []frontline.Relation
	Flags     []frontline.Flag
	Statuses  []frontline.ResidenceStatus
}

func newPersonChoices() personChoices {
	return personChoices{
		Sexes:   []frontline.Sex{frontline.SexMale, frontline.SexFemale},
		IDTypes: frontline.IDTypes,
		Relations: []frontline.Relation{frontline.RelHead, frontline.RelSpouse, frontline.RelChild, frontline.RelParent,
			frontline.RelGrandchild, frontline.RelSibling, frontline.RelOther},
		Flags:    slices.Clone(frontline.FlagOrder),
		Statuses: []frontline.ResidenceStatus{frontline.StatusResident, frontline.StatusTemporary, frontline.StatusAway, frontline.StatusMovedOut},
	}
}

// readPersonForm reads the person form as posted.
func readPersonForm(r *http.Request) (form, error) {
	return readForm(r, []string{"name", "sex", "birth_date", "id_type", "id_number", "phone", "relation", "status"}, "flags", "clear_phone")
}

func formFlags(f form) []frontline.Flag {
	flags := []frontline.Flag{}
	for _, fl := range frontline.FlagOrder {
		if f.Checked["flags."+string(fl)] {
			flags = append(flags, fl)
		}
	}
	return flags
}

// personFromForm builds a new person from the add form.
func personFromForm(f form, householdID int64) *frontline.Person {
	v := f.Values
	return &frontline.Person{
		HouseholdID: householdID, Name: v["name"], Sex: frontline.Sex(v["sex"]), BirthDate: v["birth_date"],
		IDType: frontline.IDType(v["id_type"]), IDNumber: v["id_number"], Phone: v["phone"],
		Relation: frontline.Relation(v["relation"]), Flags: formFlags(f), Status: frontline.ResidenceStatus(v["status"]),
	}
}

// updateFromForm turns the edit form into an update of cur. The form never
// shows the full ID number, phone or birth date, so an empty field keeps
// the value; the other fields are set only when they changed, so that a
// new ID number may still re-derive sex and birth date.
func updateFromForm(f form, cur *frontline.Person) frontline.PersonUpdate {
	v := f.Values
	upd := frontline.PersonUpdate{Name: ptr(v["name"])}
	if sex := frontline.Sex(v["sex"]); sex != cur.Sex {
		upd.Sex = &sex
	}
	if v["birth_date"] != "" {
		upd.BirthDate = ptr(v["birth_date"])
	}
	if t := frontline.IDType(v["id_type"]); t != cur.IDType {
		upd.IDType = &t
	}
	if v["id_number"] != "" {
		upd.IDNumber = ptr(v["id_number"])
	}
	if f.Checked["clear_phone"] {
		upd.Phone = ptr("")
	} else if v["phone"] != "" {
		upd.Phone = ptr(v["phone"])
	}
	if rel := frontline.Relation(v["relation"]); rel != cur.Relation {
		upd.Relation = &rel
	}
	if st := frontline.ResidenceStatus(v["status"]); st != cur.Status {
		upd.Status = &st
	}
	if flags := formFlags(f); !slices.Equal(flags, cur.Flags) {
		upd.Flags = &flags
	}
	return upd
}

func ptr[T any](v T) *T { return &v }

// formOfPerson fills the edit form with what may be shown of p.
func formOfPerson(p *frontline.Person) form {
	f := newForm()
	f.Values["name"] = p.Name
	f.Values["sex"] = string(p.Sex)
	f.Values["id_type"] = string(p.IDType)
	f.Values["relation"] = string(p.Relation)
	f.Values["status"] = string(p.Status)
	for _, fl := range p.Flags {
		f.Checked["flags."+string(fl)] = true
	}
	return f
}

func (s *Server) pageNewPerson(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	f.Values["id_type"] = string(frontline.IDMainland)
	f.Values["status"] = string(frontline.StatusResident)
	return s.renderNewPerson(w, r, http.StatusOK, f)
}

func (s *Server) postNewPerson(w http.ResponseWriter, r *http.Request) error {
	f, err := readPersonForm(r)
	if err != nil {
		return err
	}
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	p := personFromForm(f, id)
	if err := s.Persons.CreatePerson(r.Context(), p); err != nil {
		if err := s.formError(f, err, personFields()); err != nil {
			return err
		}
		return s.renderNewPerson(w, r, http.StatusUnprocessableEntity, f)
	}
	return redirect(w, r, fmt.Sprintf("/persons/%d", p.ID))
}

// renderNewPerson shows the add form of the household in the path; a
// household outside the caller's scope is not found.
func (s *Server) renderNewPerson(w http.ResponseWriter, r *http.Request, status int, f form) error {
	lang := pickLang(w, r)
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	h, err := s.household(r.Context(), id)
	if err != nil {
		return err
	}
	addr, err := newAddresses(s.Places).of(r.Context(), h)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "person.add")
	if err != nil {
		return err
	}
	return s.render(w, status, pagePersonFormName, personFormPage{
		layout: s.layout(r, lang, title), Create: true, Action: fmt.Sprintf("/households/%d/persons", id),
		Person: personJSON{HouseholdID: id}, Address: addr, Form: f, Choices: newPersonChoices(),
	})
}

func (s *Server) pageEditPerson(w http.ResponseWriter, r *http.Request) error {
	return s.renderEditPerson(w, r, http.StatusOK, nil)
}

func (s *Server) postEditPerson(w http.ResponseWriter, r *http.Request) error {
	f, err := readPersonForm(r)
	if err != nil {
		return err
	}
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	cur, err := s.Persons.FindPersonByID(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.Persons.UpdatePerson(ctx, id, updateFromForm(f, cur)); err != nil {
		if err := s.formError(f, err, personFields()); err != nil {
			return err
		}
		return s.renderEditPerson(w, r, http.StatusUnprocessableEntity, &f)
	}
	return redirect(w, r, fmt.Sprintf("/persons/%d", id))
}

// renderEditPerson shows the edit form of the person in the path, filled
// from the store unless f carries what was posted.
func (s *Server) renderEditPerson(w http.ResponseWriter, r *http.Request, status int, f *form) error {
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
	if f == nil {
		filled := formOfPerson(p)
		f = &filled
	}
	out := newPersonJSON(p, s.Now())
	if out.Address, err = newAddresses(s.Places).of(ctx, p.Household); err != nil {
		return err
	}
	title, err := s.text(lang, "person.edit")
	if err != nil {
		return err
	}
	return s.render(w, status, pagePersonFormName, personFormPage{
		layout: s.layout(r, lang, title), Action: fmt.Sprintf("/persons/%d/edit", id),
		Person: out, Address: out.Address, Form: *f, Choices: newPersonChoices(),
	})
}
