package web

import (
	"net/http"
	"slices"

	"github.com/frontline-org/frontline"
)

// confirmField is the form field that carries a person's confirmation of
// an action that cannot be undone with one tap.
const confirmField = "confirm"

// pageConfirmName is the page that asks for it.
const pageConfirmName = "confirm"

// confirmation is what the page asks before an action that cannot be
// undone: Question asks it (and is the page's title), Lines say what will happen, Button does
// it and Back leaves it undone. The texts are in the page's language.
type confirmation struct {
	Question string
	Lines    []string
	Button   string
	Back     string
}

// confirmPage posts the form it answers again, to the same address, with
// the confirmation added.
type confirmPage struct {
	layout
	confirmation
	Action string
	Fields []hiddenField
}

// hiddenField is one field of a form carried through the confirmation.
type hiddenField struct{ Name, Value string }

// confirmed reports whether r carries the person's confirmation. When it
// does not, it shows the confirmation page instead, and the caller stops.
// It needs no script: a phone without one, or a tap on a slow network,
// still asks before a round starts or ends or a person is excused.
func (s *Server) confirmed(w http.ResponseWriter, r *http.Request, lang string, c confirmation) (bool, error) {
	if err := r.ParseForm(); err != nil {
		return false, frontline.Errorf(frontline.EINVALID, "cannot read the form: %v", err)
	}
	if r.PostForm.Get(confirmField) == "yes" {
		return true, nil
	}
	var fields []hiddenField
	names := make([]string, 0, len(r.PostForm))
	for name := range r.PostForm {
		if name != "csrf" && name != confirmField {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range r.PostForm[name] {
			fields = append(fields, hiddenField{name, v})
		}
	}
	page := confirmPage{layout: s.layout(r, lang, c.Question), confirmation: c, Action: r.URL.RequestURI(), Fields: fields}
	return false, s.render(w, http.StatusOK, pageConfirmName, page)
}
