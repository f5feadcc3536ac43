package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// followUpsPage is the follow-up work of a campaign: for a grid worker the
// items of the people in their households that are due today or overdue,
// in due order, each recorded with one tap; for the community secretary
// the items escalated to them, each closed with a note.
type followUpsPage struct {
	layout
	// Campaign or Case is whose follow-ups these are.
	Campaign *frontline.Campaign
	Case     *frontline.Case
	Items    []followUpRow
	// Measures are the people with open items, for their self-report
	// links; shown when the server serves those links.
	Measures []measureRow
	// Mine says the items are of the caller's own households; otherwise
	// they are the open items of their scope (a secretary helping out).
	Mine      bool
	Escalated bool
	Truncated bool
	CanLink   bool
	Back      string
	Symptoms  []string
	// Saved is the item just recorded or handled.
	Saved int64
}

// followUpRow is one item with how it stands now and, when a form for it
// was just refused, why.
type followUpRow struct {
	*frontline.FollowUpItem
	// State is abnormal (a reading that needs someone), overdue (past its
	// grace), due, or later today.
	State  string
	Failed string
}

// measureRow is one person under a measure on the follow-up page.
type measureRow struct {
	MeasureID  int64
	PersonName string
	Address    string
}

// maxFollowUps bounds one follow-up page: a grid worker follows a few
// dozen people, never thousands.
const maxFollowUps = 500

// followUpReasons are the refusals the follow-up forms explain, by the
// field or conflict they are about; anything else is an error page.
var followUpReasons = []string{"temperature", "result", "note", "done", "quiet"}

func (s *Server) pageFollowUps(w http.ResponseWriter, r *http.Request) error {
	return s.renderFollowUps(w, r, false)
}

func (s *Server) pageEscalated(w http.ResponseWriter, r *http.Request) error {
	return s.renderFollowUps(w, r, true)
}

// renderFollowUps shows a campaign's follow-up items: the caller's own
// (or their scope's) due today, or those escalated to the secretary.
func (s *Server) renderFollowUps(w http.ResponseWriter, r *http.Request, escalated bool) error {
	q := newParams(r)
	id, saved, failed := q.pathID("id"), q.id("saved"), q.id("failed")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.Campaigns.FindCampaignByID(ctx, id)
	if err != nil {
		return err
	}
	me := callerFrom(ctx).principal.UserID
	f := frontline.FollowUpItemFilter{CampaignID: &id, Open: true, Limit: maxFollowUps}
	if escalated {
		f.MinEscalation = frontline.EscalationSecretary
	} else {
		f.Assignee, f.DueBefore = &me, s.endOfToday()
	}
	items, total, err := s.FollowUps.FindFollowUps(ctx, f)
	if err != nil {
		return err
	}
	mine := !escalated && total > 0
	if !escalated && !mine {
		f.Assignee = nil
		if items, total, err = s.FollowUps.FindFollowUps(ctx, f); err != nil {
			return err
		}
	}
	lang := pickLang(w, r)
	title := "followup.title"
	if escalated {
		title = "followup.escalated.title"
	}
	heading, err := s.text(lang, title)
	if err != nil {
		return err
	}
	page := followUpsPage{layout: s.layout(r, lang, heading), Campaign: c, Mine: mine, Escalated: escalated,
		Truncated: total > len(items), CanLink: s.SelfReports != nil && !escalated, Back: r.URL.Path,
		Symptoms: symptomCodes(), Saved: deref(saved)}
	page.Items = s.followUpRows(r, items, failed)
	if page.CanLink {
		if page.Measures, err = s.linkableMeasures(r, id, f.Assignee); err != nil {
			return err
		}
	}
	return s.render(w, http.StatusOK, pageFollowUpsName, page)
}

// followUpRows are the page's rows of items, with the reason a form of
// item failed was refused (?failed=ID&reason=...).
func (s *Server) followUpRows(r *http.Request, items []*frontline.FollowUpItem, failed *int64) []followUpRow {
	reason := r.URL.Query().Get("reason")
	out := make([]followUpRow, 0, len(items))
	for _, it := range items {
		row := followUpRow{FollowUpItem: it, State: s.followUpState(it)}
		if failed != nil && *failed == it.ID && containsString(followUpReasons, reason) {
			row.Failed = "followup.error." + reason
		}
		out = append(out, row)
	}
	return out
}

// followUpState says how an item stands now, for its mark on the page.
func (s *Server) followUpState(it *frontline.FollowUpItem) string {
	switch {
	case it.Done() && it.Abnormal:
		return "abnormal"
	case it.Escalation > frontline.EscalationNone:
		return "overdue"
	case !it.DueAt.After(s.Now()):
		return "due"
	}
	return "later"
}

// endOfToday is midnight at the end of today in the server's zone, in
// UTC as the store compares times.
func (s *Server) endOfToday() time.Time {
	now := s.Now().In(s.Location)
	return time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, s.Location).UTC()
}

// linkableMeasures lists, once each, the people with open health reports
// of the caller's households (or scope), whatever day they are due.
func (s *Server) linkableMeasures(r *http.Request, campaignID int64, assignee *int64) ([]measureRow, error) {
	items, _, err := s.FollowUps.FindFollowUps(r.Context(), frontline.FollowUpItemFilter{CampaignID: &campaignID,
		Assignee: assignee, Open: true, Limit: 2 * maxFollowUps})
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	var out []measureRow
	for _, it := range items {
		if it.Kind == frontline.FollowUpReport && !it.Done() && !seen[it.MeasureID] {
			seen[it.MeasureID] = true
			out = append(out, measureRow{MeasureID: it.MeasureID, PersonName: it.PersonName, Address: it.Address})
		}
	}
	return out, nil
}

// followUpFields are the fields of the recording and handling forms.
var followUpFields = []string{"temperature", "result", "note", "back"}

// postRecordFollowUp records a health report (temperature, symptoms) or
// a test done, and returns to the page the form was on, marking the item
// saved or saying why it was refused.
func (s *Server) postRecordFollowUp(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, followUpFields, "symptoms")
	if err != nil {
		return err
	}
	rep := frontline.HealthReport{Result: f.Values["result"], Symptoms: formSymptoms(f), Note: f.Values["note"]}
	if v := f.Values["temperature"]; v != "" {
		t, perr := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if perr != nil {
			return s.backTo(w, r, f, id, "temperature")
		}
		rep.Temperature = t
	}
	_, err = s.FollowUps.RecordFollowUp(r.Context(), id, rep)
	return s.followUpAnswer(w, r, f, id, err)
}

// postHandleFollowUp marks an overdue or abnormal item as dealt with.
func (s *Server) postHandleFollowUp(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, followUpFields)
	if err != nil {
		return err
	}
	_, err = s.FollowUps.HandleFollowUp(r.Context(), id, f.Values["note"])
	if frontline.ErrorCode(err) == frontline.ECONFLICT {
		return s.backTo(w, r, f, id, "quiet")
	}
	return s.followUpAnswer(w, r, f, id, err)
}

// followUpAnswer returns to the form's page after a recording or
// handling: marked saved, or with the refusal next to the item. A refusal
// that is not about the form is an error page.
func (s *Server) followUpAnswer(w http.ResponseWriter, r *http.Request, f form, id int64, err error) error {
	switch frontline.ErrorCode(err) {
	case "":
		return s.backTo(w, r, f, id, "")
	case frontline.ECONFLICT:
		return s.backTo(w, r, f, id, "done")
	case frontline.EINVALID:
		if field := frontline.ErrorField(err); containsString(followUpReasons, field) {
			return s.backTo(w, r, f, id, field)
		}
	}
	return err
}

// backTo redirects to the page a follow-up form was on (a local path),
// at the item, with saved= or with failed= and the reason.
func (s *Server) backTo(w http.ResponseWriter, r *http.Request, f form, id int64, reason string) error {
	u, err := url.Parse(localPath(f.Values["back"]))
	if err != nil || u.Path == "/" {
		u = &url.URL{Path: "/screening"}
	}
	v := url.Values{}
	if reason == "" {
		v.Set("saved", strconv.FormatInt(id, 10))
	} else {
		v.Set("failed", strconv.FormatInt(id, 10))
		v.Set("reason", reason)
	}
	u.RawQuery, u.Fragment = v.Encode(), "fu-"+strconv.FormatInt(id, 10)
	return redirect(w, r, u.String())
}

// symptomCodes are the symptoms the forms offer as boxes to tick; they
// are stored as their codes, so each reader sees them in their language.
func symptomCodes() []string {
	return []string{"cough", "sore_throat", "fatigue", "smell_taste", "diarrhea", "breath"}
}

// formSymptoms joins the known symptoms ticked on a form.
func formSymptoms(f form) string {
	var out []string
	for _, c := range symptomCodes() {
		if f.Checked["symptoms."+c] {
			out = append(out, c)
		}
	}
	return strings.Join(out, ",")
}

// symptomLabels is the template function "symptoms": stored symptoms in
// lang, codes translated and anything else (typed by the API) as written.
func (s *Server) symptomLabels(lang, stored string) string {
	var out []string
	for _, c := range strings.Split(stored, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if t, err := s.text(lang, "symptom."+c); err == nil {
			c = t
		}
		out = append(out, c)
	}
	sep, _ := s.text(lang, "list.sep")
	return strings.Join(out, sep)
}
