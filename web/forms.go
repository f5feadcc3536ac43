package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// form is what a form page shows: the values entered and, next to each
// field, the message id of what is wrong with it. A form that failed is
// shown again with what the person typed, so nothing has to be typed
// twice.
type form struct {
	Values  map[string]string
	Checked map[string]bool
	// Errors maps a field to the message id shown next to it; "" holds a
	// message about the whole form.
	Errors map[string]string
}

func newForm() form {
	return form{Values: map[string]string{}, Checked: map[string]bool{}, Errors: map[string]string{}}
}

// readFormFor reads a form posted to a path with an {id}, as the write
// pages of one object are: the form's fields, then the id.
func readFormFor(r *http.Request, fields []string, boxes ...string) (form, int64, error) {
	f, err := readForm(r, fields, boxes...)
	if err != nil {
		return f, 0, err
	}
	q := newParams(r)
	id := q.pathID("id")
	return f, id, q.check()
}

// readForm parses a posted form into a form of the given text fields and
// checkboxes. A body too large or malformed is EINVALID.
func readForm(r *http.Request, fields []string, boxes ...string) (form, error) {
	f := newForm()
	if err := parseBody(r); err != nil {
		return f, err
	}
	for _, name := range fields {
		f.Values[name] = strings.TrimSpace(r.PostForm.Get(name))
	}
	for _, name := range boxes {
		for _, v := range r.PostForm[name] {
			f.Checked[name+"."+v] = true
		}
		if r.PostForm.Get(name) != "" {
			f.Checked[name] = true
		}
	}
	return f, nil
}

// formError records err in f against the field it is about when the form
// has that field and the catalogue a message for it, or against the whole
// form. It returns err when it is not the person's doing (an internal
// error, or a refusal that is not about the form), which the caller then
// returns instead of showing the form again.
func (s *Server) formError(f form, err error, fields []string) error {
	code, field := frontline.ErrorCode(err), frontline.ErrorField(err)
	switch code {
	case frontline.EINVALID, frontline.ECONFLICT:
	case frontline.EFORBIDDEN, frontline.ENOTFOUND:
		if field == "" {
			return err // not about the form: the page itself is refused
		}
	default:
		return err
	}
	id := fieldMessageID(code, field)
	if _, known := s.catalog[id]; known && slices.Contains(fields, field) {
		f.Errors[field] = id
	} else {
		f.Errors[""] = "error." + code
	}
	return nil
}

// renameField returns err about the form's name of its field, when names
// maps the store's name to another.
func renameField(err error, names map[string]string) error {
	var e *frontline.Error
	if !errors.As(err, &e) {
		return err
	}
	if name, ok := names[e.Field]; ok {
		return &frontline.Error{Code: e.Code, Field: name, Message: e.Message, Err: err}
	}
	return err
}

// fieldMessageID names the message shown next to a field the store
// refused. The domain's messages are English sentences for logs and API
// clients; a person reads the catalogue's, in their language.
func fieldMessageID(code, field string) string {
	switch code {
	case frontline.ECONFLICT:
		return "form.taken." + field
	case frontline.EFORBIDDEN:
		return "form.forbidden." + field
	case frontline.ENOTFOUND:
		return "form.notfound." + field
	}
	return "form.invalid." + field
}

// formFieldIDs lists every field a form may report an error about, with
// the codes it may report, so that a test can check the catalogue has a
// message for each.
func formFieldIDs() []string {
	var ids []string
	for _, f := range personFields() {
		ids = append(ids, "form.invalid."+f)
	}
	for _, f := range userFields() {
		ids = append(ids, "form.invalid."+f)
	}
	for _, f := range passwordFields() {
		ids = append(ids, "form.invalid."+f)
	}
	// The lab's receive and results forms.
	ids = append(ids, "form.invalid.code", "form.notfound.code", "form.invalid.tubes", "form.invalid.count")
	ids = append(ids, "form.invalid.file")
	// The round form and the gap list's excusals.
	ids = append(ids, "form.invalid.day", "form.invalid.starts", "form.invalid.ends", "form.invalid.test_type",
		"form.invalid.scope", "form.invalid.reason", "form.invalid.note")
	ids = append(ids, workforceFieldIDs()...)
	ids = append(ids, supplyFieldIDs()...)
	ids = append(ids, distributionFieldIDs()...)
	ids = append(ids, placeFormFieldIDs()...)
	return append(ids, "form.invalid.household_id", "form.notfound.household_id", "form.taken.id_number",
		"form.taken.login", "form.forbidden.role", "form.forbidden.scope_id", "form.forbidden.current_password")
}

// formID reads a positive id from a form value; ok is false when it is
// not one.
func formID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return id, err == nil && id > 0
}

// option is one choice of a select: a value and its label, already in the
// page's language.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// fieldView is what the "fielderror" part needs to show the message next
// to one field.
type fieldView struct {
	Lang string
	Name string
	Msg  string
}

// fieldOf is the template function "field": the message of form f about
// field name ("" for the whole form), in lang.
func fieldOf(lang string, f form, name string) fieldView {
	return fieldView{Lang: lang, Name: name, Msg: f.Errors[name]}
}
