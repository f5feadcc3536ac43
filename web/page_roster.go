package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// The roster of a node: auto-fill proposes workers for the open places of
// its posts in a period, and the secretary accepts the proposal whole or in
// part; and the roster rules with their versions.

// rosterPage shows the proposal for a node and period.
type rosterPage struct {
	layout
	Place    *frontline.Place
	From, To string // days
	Result   *frontline.FillResult
	Rows     []proposalRow
	Accepted int
	Problem  string // the message of a refused acceptance, in the page's language
}

// proposalRow is one proposal with its form value and how it reads.
type proposalRow struct {
	frontline.Proposal
	Value string // "shift:worker"
	Span  string
}

// maxRosterDays bounds the period of the page's proposal.
const maxRosterDays = 14

func (s *Server) pageRoster(w http.ResponseWriter, r *http.Request) error {
	return s.renderRoster(w, r, "", http.StatusOK)
}

func (s *Server) renderRoster(w http.ResponseWriter, r *http.Request, problem string, status int) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	from, to := q.day("from", s.Location, false), q.day("to", s.Location, true)
	if err := q.check(); err != nil {
		return err
	}
	if from.IsZero() {
		from, _ = s.dayStart("")
	}
	if to.IsZero() || !to.After(from) {
		to = from.AddDate(0, 0, 7)
	}
	if to.Sub(from) > maxRosterDays*24*time.Hour {
		to = from.AddDate(0, 0, maxRosterDays)
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "roster.title")
	if err != nil {
		return err
	}
	page := rosterPage{layout: s.layout(r, lang, title), Place: place, From: from.Format(frontline.DateLayout),
		To: to.AddDate(0, 0, -1).Format(frontline.DateLayout), Problem: problem}
	page.Accepted, _ = strconv.Atoi(r.URL.Query().Get("accepted"))
	if r.URL.Query().Get("propose") != "" || problem != "" {
		res, err := s.Roster.ProposeFill(r.Context(), frontline.FillRequest{PlaceID: place.ID, From: from, To: to})
		if err != nil {
			return err
		}
		page.Result = res
		for _, p := range res.Proposals {
			sh := &frontline.Shift{Start: p.Start, End: p.End}
			page.Rows = append(page.Rows, proposalRow{Proposal: p, Value: fmt.Sprintf("%d:%d", p.ShiftID, p.WorkerID), Span: s.shiftSpan(sh)})
		}
	}
	return s.render(w, status, pageRosterName, page)
}

// postAcceptFill assigns the proposals ticked. When one no longer holds
// nothing is assigned and the page proposes again with the reason.
func (s *Server) postAcceptFill(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return frontline.Errorf(frontline.EINVALID, "cannot read the form: %v", err)
	}
	var proposals []frontline.Proposal
	for _, v := range r.PostForm["p"] {
		a, b, _ := strings.Cut(v, ":")
		shift, ok1 := formID(a)
		worker, ok2 := formID(b)
		if !ok1 || !ok2 {
			return frontline.FieldError("p", "%q is not a proposal", v)
		}
		proposals = append(proposals, frontline.Proposal{ShiftID: shift, WorkerID: worker})
	}
	back := url.Values{}
	for _, k := range []string{"place", "from", "to"} {
		if v := r.URL.Query().Get(k); v != "" {
			back.Set(k, v)
		}
	}
	if len(proposals) == 0 {
		back.Set("propose", "1")
		return redirect(w, r, "/roster?"+back.Encode())
	}
	n, err := s.Roster.AcceptFill(r.Context(), proposals)
	if frontline.ErrorCode(err) == frontline.ECONFLICT {
		lang := pickLang(w, r)
		msg, terr := s.text(lang, "roster.accept.conflict", frontline.ErrorMessage(err))
		if terr != nil {
			return terr
		}
		return s.renderRoster(w, r, msg, http.StatusConflict)
	} else if err != nil {
		return err
	}
	back.Set("accepted", strconv.Itoa(n))
	return redirect(w, r, "/roster?"+back.Encode())
}

// rosterRulesPage shows the rules in force, their versions, and to those
// who may change them the form of the next version.
type rosterRulesPage struct {
	layout
	Rules     *frontline.RosterRules
	Versions  []*frontline.RosterRules
	CanChange bool
	Form      form
	Saved     bool
}

// ruleFields are the rules' fields on the form, in hours or minutes as
// their names say.
var ruleFields = []string{"max_shift", "min_rest", "max_hours", "window_days", "test_within", "no_show_grace", "unfilled_within",
	"check_in_early", "why"}

func (s *Server) pageRosterRules(w http.ResponseWriter, r *http.Request) error {
	return s.renderRosterRules(w, r, nil, http.StatusOK)
}

func (s *Server) renderRosterRules(w http.ResponseWriter, r *http.Request, f *form, status int) error {
	versions, err := s.Roster.RosterRuleVersions(r.Context())
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "rules.roster.title")
	if err != nil {
		return err
	}
	p := callerFrom(r.Context()).principal
	page := rosterRulesPage{layout: s.layout(r, lang, title), Rules: versions[0], Versions: versions,
		CanChange: p.Can(frontline.PermManageWorkforce) && p.AtRoot(), Saved: r.URL.Query().Get("saved") != ""}
	if f != nil {
		page.Form = *f
	} else {
		page.Form = rulesForm(versions[0])
	}
	return s.render(w, status, pageRosterRulesName, page)
}

// rulesForm fills the form with rules: hours, days and minutes.
func rulesForm(r *frontline.RosterRules) form {
	f := newForm()
	h := func(d time.Duration) string { return strconv.FormatFloat(d.Hours(), 'f', -1, 64) }
	m := func(d time.Duration) string { return strconv.Itoa(int(d.Minutes())) }
	v := f.Values
	v["max_shift"], v["min_rest"], v["max_hours"], v["test_within"] = h(r.MaxShift), h(r.MinRest), h(r.MaxHours), h(r.TestWithin)
	v["window_days"] = strconv.Itoa(int(r.Window.Hours() / 24))
	v["no_show_grace"], v["unfilled_within"], v["check_in_early"] = m(r.NoShowGrace), m(r.UnfilledWithin), m(r.CheckInEarly)
	v["why"] = r.Note
	return f
}

// postRosterRules adds a version of the rules.
func (s *Server) postRosterRules(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, ruleFields)
	if err != nil {
		return err
	}
	rules := &frontline.RosterRules{Note: f.Values["why"]}
	for _, c := range []struct {
		field string
		unit  time.Duration
		dst   *time.Duration
	}{
		{"max_shift", time.Hour, &rules.MaxShift}, {"min_rest", time.Hour, &rules.MinRest}, {"max_hours", time.Hour, &rules.MaxHours},
		{"window_days", 24 * time.Hour, &rules.Window}, {"test_within", time.Hour, &rules.TestWithin},
		{"no_show_grace", time.Minute, &rules.NoShowGrace}, {"unfilled_within", time.Minute, &rules.UnfilledWithin},
		{"check_in_early", time.Minute, &rules.CheckInEarly},
	} {
		n, perr := strconv.ParseFloat(frontline.FoldWidth(f.Values[c.field]), 64)
		if perr != nil || n < 0 {
			f.Errors[c.field] = "form.invalid." + c.field
			continue
		}
		*c.dst = time.Duration(n * float64(c.unit)).Round(time.Minute)
	}
	if len(f.Errors) == 0 {
		err = s.Roster.SetRosterRules(r.Context(), rules)
		if err == nil {
			return redirect(w, r, "/roster/rules?saved=1")
		}
		err = renameField(err, map[string]string{"window": "window_days", "note": "why"})
		if err := s.formError(f, err, ruleFields); err != nil {
			return err
		}
	}
	return s.renderRosterRules(w, r, &f, http.StatusBadRequest)
}
