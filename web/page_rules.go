package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/frontline-org/frontline"
)

// rulesPage shows the measure rules that decide now, the earlier
// versions, and for those who may, a form that saves edited rules as the
// next version.
type rulesPage struct {
	layout
	Current   *frontline.MeasureRules
	Versions  []*frontline.MeasureRules
	CanManage bool
	Form      form
	// Detail is the parser's or the domain's account of what is wrong
	// with refused rules (which rule, which value), shown under the
	// catalogue's message; it names fields and numbers, not prose.
	Detail string
	Saved  string
}

func (s *Server) pageRules(w http.ResponseWriter, r *http.Request) error {
	return s.renderRules(w, r, newForm(), "", http.StatusOK)
}

func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, f form, detail string, status int) error {
	ctx := r.Context()
	cur, err := s.Rules.CurrentRules(ctx)
	if err != nil {
		return err
	}
	versions, err := s.Rules.FindRules(ctx)
	if err != nil {
		return err
	}
	if _, ok := f.Values["rules"]; !ok {
		body, err := json.MarshalIndent(cur.Rules, "", "  ")
		if err != nil {
			return err
		}
		f.Values["rules"] = string(body)
	}
	if _, ok := f.Values["contacts"]; !ok {
		body, err := json.MarshalIndent(cur.Contacts, "", "  ")
		if err != nil {
			return err
		}
		f.Values["contacts"] = string(body)
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "rules.title")
	if err != nil {
		return err
	}
	page := rulesPage{layout: s.layout(r, lang, title), Current: cur, Versions: versions, Form: f, Detail: detail,
		CanManage: callerFrom(ctx).principal.Can(frontline.PermManageScreening), Saved: r.URL.Query().Get("saved")}
	return s.render(w, status, pageRulesName, page)
}

// postRules saves the rules of the form's JSON as the next version. JSON
// that does not parse, or rules the domain's Validate refuses, show the
// form again as typed, with what is wrong.
func (s *Server) postRules(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"rules", "contacts", "note"})
	if err != nil {
		return err
	}
	rs := &frontline.MeasureRules{Note: f.Values["note"]}
	for _, field := range []struct {
		name string
		into any
	}{{"rules", &rs.Rules}, {"contacts", &rs.Contacts}} {
		if field.name == "contacts" && f.Values["contacts"] == "" {
			continue // the contact rules of the version before stay
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(f.Values[field.name])))
		dec.DisallowUnknownFields()
		if err := dec.Decode(field.into); err != nil {
			f.Errors[field.name] = "rules.error.json"
			return s.renderRules(w, r, f, frontline.ErrorMessage(jsonProblem(err)), http.StatusBadRequest)
		}
	}
	if err := s.Rules.SaveRules(r.Context(), rs); err != nil {
		if frontline.ErrorCode(err) != frontline.EINVALID {
			return err
		}
		field := "rules"
		if frontline.ErrorField(err) == "contacts" {
			field = "contacts"
		}
		f.Errors[field] = "rules.error.invalid"
		return s.renderRules(w, r, f, frontline.ErrorMessage(err), http.StatusBadRequest)
	}
	return redirect(w, r, "/measure-rules?saved="+strconv.Itoa(rs.Version))
}

// ruleTable is what the "ruletable" template shows: one version's rules
// in a language.
type ruleTable struct {
	Lang  string
	Rules []frontline.MeasureRule
}

// newRuleTable is the template function "ruleTable".
func newRuleTable(lang string, rules []frontline.MeasureRule) ruleTable {
	return ruleTable{lang, rules}
}
