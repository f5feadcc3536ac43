package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// templatePage edits the checklist every new checkpoint gets: one row per
// line, and a few blank rows to add lines. A row emptied of its key and
// name is dropped.
type templatePage struct {
	layout
	// CanEdit: the template serves the whole tree, so only the city
	// command changes it; others read it.
	CanEdit bool
	Saved   bool
	Rows    []string // row indexes of the form
	Kinds   []string
	Form    form
}

// blankTemplateRows are the empty rows offered for new lines.
const blankTemplateRows = 3

// templateRowFields are the fields of one row of the template form.
var templateRowFields = []string{"key", "name", "kind", "need", "unit"}

func (s *Server) pageChecklistTemplate(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	saved := q.boolean("saved")
	if err := q.check(); err != nil {
		return err
	}
	items, err := s.Checkpoints.ChecklistTemplate(r.Context())
	if err != nil {
		return err
	}
	f := newForm()
	for i, it := range items {
		n := strconv.Itoa(i)
		f.Values["key."+n], f.Values["name."+n], f.Values["kind."+n] = it.Key, it.Name, string(it.Kind)
		f.Values["unit."+n] = it.Unit
		if it.Kind == frontline.ItemMaterial {
			f.Values["need."+n] = strconv.Itoa(it.Need)
		}
	}
	return s.renderTemplatePage(w, r, http.StatusOK, f, len(items), saved)
}

// renderTemplatePage shows the template form with lines rows filled in
// and blank rows after them.
func (s *Server) renderTemplatePage(w http.ResponseWriter, r *http.Request, status int, f form, lines int, saved bool) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "template.title")
	if err != nil {
		return err
	}
	page := templatePage{layout: s.layout(r, lang, title), CanEdit: callerFrom(r.Context()).principal.AtRoot(),
		Saved: saved, Form: f, Kinds: []string{string(frontline.ItemMaterial), string(frontline.ItemTask)}}
	for i := range min(lines+blankTemplateRows, frontline.MaxChecklist+blankTemplateRows) {
		page.Rows = append(page.Rows, strconv.Itoa(i))
		if f.Values["kind."+strconv.Itoa(i)] == "" {
			f.Values["kind."+strconv.Itoa(i)] = string(frontline.ItemMaterial)
		}
	}
	return s.render(w, status, pageTemplateName, page)
}

// postChecklistTemplate replaces the template with the rows of the form.
func (s *Server) postChecklistTemplate(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"rows"})
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(f.Values["rows"])
	if err != nil || n < 0 || n > frontline.MaxChecklist+blankTemplateRows {
		return frontline.FieldError("rows", "the form has %q rows", f.Values["rows"])
	}
	items, rows := templateItems(r, f, n)
	err = s.Checkpoints.SetChecklistTemplate(r.Context(), items)
	if err == nil {
		return redirect(w, r, "/checkpoints/template?saved=true")
	}
	switch code, field := frontline.ErrorCode(err), frontline.ErrorField(err); {
	case code == frontline.EFORBIDDEN:
		f.Errors[""] = "template.error.forbidden"
	case code == frontline.EINVALID:
		f.Errors[templateErrorField(field, rows)] = "template.error." + templateErrorKey(field)
	default:
		return err
	}
	return s.renderTemplatePage(w, r, statusOf(frontline.ErrorCode(err)), f, n-blankTemplateRows, false)
}

// templateItems reads the n rows of the template form into f and returns
// the lines of the rows not left blank, with the row of each.
func templateItems(r *http.Request, f form, n int) ([]*frontline.ChecklistItem, []string) {
	var items []*frontline.ChecklistItem
	var rows []string
	for i := range n {
		row := strconv.Itoa(i)
		for _, name := range templateRowFields {
			f.Values[name+"."+row] = strings.TrimSpace(r.PostForm.Get(name + "." + row))
		}
		v := func(name string) string { return f.Values[name+"."+row] }
		if v("key") == "" && v("name") == "" {
			continue
		}
		it := &frontline.ChecklistItem{Key: v("key"), Name: v("name"), Kind: frontline.ItemKind(v("kind")), Unit: v("unit")}
		if it.Kind == frontline.ItemMaterial {
			// A quantity that is not a number is -1, which Validate
			// refuses beside the field.
			if it.Need, _ = strconv.Atoi(frontline.FoldWidth(v("need"))); v("need") != "0" && it.Need == 0 {
				it.Need = -1
			}
		}
		items, rows = append(items, it), append(rows, row)
	}
	return items, rows
}

// templateErrorField names the form field beside which an error about
// line "items.N.FIELD" is shown; "" (the whole form) for the list.
func templateErrorField(field string, rows []string) string {
	parts := strings.Split(field, ".")
	if len(parts) == 3 && parts[0] == "items" {
		if i, err := strconv.Atoi(parts[1]); err == nil && i < len(rows) {
			return parts[2] + "." + rows[i]
		}
	}
	return ""
}

// templateErrorKey is the message of an error about field "items.N.FIELD".
func templateErrorKey(field string) string {
	parts := strings.Split(field, ".")
	if len(parts) == 3 && parts[0] == "items" {
		return parts[2]
	}
	return "items"
}
