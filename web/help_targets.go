package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// The help deadlines page: each category's time to take a request on and
// to resolve it, in minutes, for the user who may change them (a user
// manager at the top of the tree: frontline.CanEditHelpTargets, the same
// rule as PUT /api/v1/help-targets). The whole set is saved at once or
// not at all.

const pageHelpTargetsName = "help_targets"

// maxTargetMinutes caps what is read from a field before it becomes a
// duration (no overflow); Validate then says the range.
const maxTargetMinutes = 100 * 7 * 24 * 60

// helpTargetsPage is the form of the deadlines.
type helpTargetsPage struct {
	layout
	Rows  []helpTargetRow
	Form  form
	Saved bool
}

// helpTargetRow is one category's two fields.
type helpTargetRow struct {
	Category frontline.HelpCategory
	Medical  bool
	Ack      string // field names
	Resolve  string
}

func ackField(c frontline.HelpCategory) string     { return "ack." + string(c) }
func resolveField(c frontline.HelpCategory) string { return "resolve." + string(c) }

// helpTargetFields lists the form's fields, two per category.
func helpTargetFields() []string {
	var out []string
	for _, c := range frontline.HelpCategories {
		out = append(out, ackField(c), resolveField(c))
	}
	return out
}

// mayEditHelpTargets refuses the page to a caller who may not change the
// deadlines (a user manager below the top), so no form is shown that
// could only be refused.
func mayEditHelpTargets(r *http.Request) error {
	if !frontline.CanEditHelpTargets(callerFrom(r.Context()).principal) {
		return frontline.Errorf(frontline.EFORBIDDEN, "help deadlines apply everywhere: only a user who manages users at the top of the tree may change them")
	}
	return nil
}

func (s *Server) pageHelpTargets(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	saved := q.boolean("saved")
	if err := q.check(); err != nil {
		return err
	}
	if err := mayEditHelpTargets(r); err != nil {
		return err
	}
	targets, err := s.Help.HelpTargets(r.Context())
	if err != nil {
		return err
	}
	f := newForm()
	for _, t := range targets {
		f.Values[ackField(t.Category)] = strconv.Itoa(int(t.AckWithin / time.Minute))
		f.Values[resolveField(t.Category)] = strconv.Itoa(int(t.ResolveWithin / time.Minute))
	}
	return s.renderHelpTargets(w, r, targets, f, saved, http.StatusOK)
}

func (s *Server) postHelpTargets(w http.ResponseWriter, r *http.Request) error {
	if err := mayEditHelpTargets(r); err != nil {
		return err
	}
	f, err := readForm(r, helpTargetFields())
	if err != nil {
		return err
	}
	targets, err := s.Help.HelpTargets(r.Context())
	if err != nil {
		return err
	}
	var changes []*frontline.HelpTarget
	for _, was := range targets {
		t := &frontline.HelpTarget{Category: was.Category, Medical: was.Medical}
		ok := true
		for _, m := range []struct {
			field string
			into  *time.Duration
		}{{ackField(t.Category), &t.AckWithin}, {resolveField(t.Category), &t.ResolveWithin}} {
			n, err := strconv.Atoi(f.Values[m.field])
			if err != nil || n < 1 {
				f.Errors[m.field], ok = "help.targets.error.minutes", false
				continue
			}
			*m.into = time.Duration(min(n, maxTargetMinutes)) * time.Minute
		}
		if !ok {
			continue
		}
		// The rule of Validate, reported next to the field it is about.
		switch frontline.ErrorField(t.Validate()) {
		case "ack_within":
			f.Errors[ackField(t.Category)] = "help.targets.error.ack"
		case "resolve_within":
			f.Errors[resolveField(t.Category)] = "help.targets.error.resolve"
		default:
			changes = append(changes, t)
		}
	}
	if len(f.Errors) == 0 {
		_, err := s.Help.UpdateHelpTargets(r.Context(), changes)
		if err == nil {
			return redirect(w, r, "/help-targets?saved=1")
		}
		if err := s.formError(f, err, nil); err != nil {
			return err
		}
	} else {
		f.Errors[""] = "help.targets.error.form"
	}
	return s.renderHelpTargets(w, r, targets, f, false, http.StatusBadRequest)
}

func (s *Server) renderHelpTargets(w http.ResponseWriter, r *http.Request, targets []*frontline.HelpTarget, f form, saved bool, status int) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "help.targets.title")
	if err != nil {
		return err
	}
	page := helpTargetsPage{layout: s.layout(r, lang, title), Form: f, Saved: saved}
	for _, t := range targets {
		page.Rows = append(page.Rows, helpTargetRow{Category: t.Category, Medical: t.Medical, Ack: ackField(t.Category), Resolve: resolveField(t.Category)})
	}
	return s.render(w, status, pageHelpTargetsName, page)
}
