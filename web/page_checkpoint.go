package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// checkpointsPage lists the checkpoints under the caller's scope with what
// each is short of, and for those who set checkpoints up, the form that
// adds one: an office without the demo starts its first checkpoint here.
type checkpointsPage struct {
	layout
	Rows []checkpointRow
	// CanManage links the checklist template and shows the form.
	CanManage bool
	Form      form
	Targets   []option // the node and its children a checkpoint may guard
	Types     []frontline.CheckpointType
}

// newCheckpointFields are the fields of the form that adds a checkpoint.
var newCheckpointFields = []string{"place_id", "name", "location", "type", "hours"}

type checkpointRow struct {
	*frontline.Checkpoint
	Short []*frontline.Balance
}

func (s *Server) pageCheckpoints(w http.ResponseWriter, r *http.Request) error {
	return s.renderCheckpoints(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderCheckpoints(w http.ResponseWriter, r *http.Request, f form, status int) error {
	ctx := r.Context()
	scope := s.placeOrScope(r, nil)
	cs, _, err := s.Checkpoints.FindCheckpoints(ctx, frontline.CheckpointFilter{Under: &scope, Limit: maxRows})
	if err != nil {
		return err
	}
	short, err := s.Checkpoints.Shortages(ctx, scope)
	if err != nil {
		return err
	}
	byID := map[int64][]*frontline.Balance{}
	for _, sh := range short {
		byID[sh.Checkpoint.ID] = sh.Items
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "checkpoints.title")
	if err != nil {
		return err
	}
	page := checkpointsPage{layout: s.layout(r, lang, title), CanManage: callerFrom(ctx).principal.Can(frontline.PermManageCheckpoints),
		Form: f, Types: []frontline.CheckpointType{frontline.CheckpointGate, frontline.CheckpointRoad, frontline.CheckpointFootpath}}
	for _, c := range cs {
		page.Rows = append(page.Rows, checkpointRow{Checkpoint: c, Short: byID[c.ID]})
	}
	if page.CanManage {
		node, err := s.Places.FindPlaceByID(ctx, scope)
		if err != nil {
			return err
		}
		kids, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &node.ID, Limit: maxRows})
		if err != nil {
			return err
		}
		// A checkpoint guards a community, compound or building: the
		// scope's node and what lies directly under it.
		for _, p := range append([]*frontline.Place{node}, kids...) {
			if p.Kind == frontline.KindUnit || p.Kind == frontline.KindHousehold {
				continue
			}
			v := strconv.FormatInt(p.ID, 10)
			page.Targets = append(page.Targets, option{Value: v, Label: p.Name, Selected: f.Values["place_id"] == v})
		}
	}
	return s.render(w, status, pageCheckpointsName, page)
}

// postCheckpoint adds a checkpoint being set up, with the checklist
// template, and opens its page, where it is set up and opened; a refused
// form comes back with what was typed.
func (s *Server) postCheckpoint(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, newCheckpointFields)
	if err != nil {
		return err
	}
	place, _ := formID(f.Values["place_id"])
	c := &frontline.Checkpoint{PlaceID: place, Name: f.Values["name"], Location: f.Values["location"],
		Type: frontline.CheckpointType(f.Values["type"]), Hours: f.Values["hours"]}
	err = s.Checkpoints.CreateCheckpoint(r.Context(), c)
	if err == nil {
		return redirect(w, r, "/checkpoints/"+strconv.FormatInt(c.ID, 10))
	}
	switch code, field := frontline.ErrorCode(err), frontline.ErrorField(err); {
	case code == frontline.ECONFLICT && field == "name":
		f.Errors["name"] = "checkpoints.error.taken"
	case (code == frontline.EINVALID || code == frontline.ENOTFOUND) && slices.Contains(newCheckpointFields, field):
		f.Errors[field] = "checkpoints.error." + field
	case code == frontline.ENOTFOUND:
		f.Errors["place_id"] = "checkpoints.error.place_id"
	default:
		return err
	}
	return s.renderCheckpoints(w, r, f, statusOf(frontline.ErrorCode(err)))
}

// checkpointPage is the page staff use at a gate on a phone, at night: the
// entry form first, with large targets, then the decision just made, the
// counts per hour, the refused list and the setup.
type checkpointPage struct {
	layout
	Checkpoint      *frontline.Checkpoint
	Inside, Outside string // level keys; Outside is "" when above the caller's scope
	Open            bool
	Form            form
	Decision        *passageRow
	Hours           []hourRow
	Refused         []passageRow
	Recent          []passageRow
	TestHours       []string
	// OpenNow is false outside the opening hours, when every passage is
	// refused; the page says so above the form.
	OpenNow bool
	Setup   setupView
}

// passageRow is a passage as the page lists it.
type passageRow struct {
	*frontline.Passage
	Messages []string
	// Notes are what staff should know of a passage (health monitoring).
	Notes    []string
	Phone    string // masked
	From, To string // level keys
}

// hourRow is one hour of the counts, in the server's zone.
type hourRow struct {
	Label            string
	In, Out, Refused int
}

// passageFields are the fields of the entry form.
func passageFields() []string {
	return []string{"direction", "kind", "id_number", "name", "phone", "reason", "temperature", "health_code", "test_hours"}
}

// recentPassages bounds the lists of the page.
const recentPassages = 20

func (s *Server) pageCheckpoint(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, shown, saved := q.pathID("id"), q.id("passage"), q.text("saved")
	if err := q.check(); err != nil {
		return err
	}
	page, err := s.checkpointPage(w, r, id, s.newPassageForm())
	if err != nil {
		return err
	}
	if saved != nil && slices.Contains([]string{"status", "item", "task", "ledger", "shift"}, *saved) {
		page.Setup.Saved, page.Setup.Unfolded = "setup.saved."+*saved, true
	}
	for i := range page.Recent {
		if shown != nil && page.Recent[i].ID == *shown {
			page.Decision = &page.Recent[i]
		}
	}
	return s.render(w, http.StatusOK, pageCheckpointName, page)
}

// newPassageForm is the entry form as a new passage starts: someone coming
// in, a resident, a green code.
func (s *Server) newPassageForm() form {
	f := newForm()
	f.Values["direction"], f.Values["kind"], f.Values["health_code"] = string(frontline.DirIn), string(frontline.PassResident), string(frontline.CodeGreen)
	return f
}

// checkpointPage gathers the gate page of checkpoint id.
func (s *Server) checkpointPage(w http.ResponseWriter, r *http.Request, id int64, f form) (*checkpointPage, error) {
	ctx := r.Context()
	c, err := s.Checkpoints.FindCheckpointByID(ctx, id)
	if err != nil {
		return nil, err
	}
	lang := pickLang(w, r)
	page := &checkpointPage{layout: s.layout(r, lang, c.Name), Checkpoint: c, Form: f,
		Open: c.Status == frontline.CheckpointOpen, TestHours: []string{"12", "24", "48", "72"},
		OpenNow: c.OpenAt(s.Now().In(s.Location)), Setup: s.newSetupView(r, c)}
	if err := s.fillSetup(r, lang, c, &page.Setup); err != nil {
		return nil, err
	}
	st, err := s.Zones.EffectiveLevel(ctx, c.PlaceID)
	if err != nil {
		return nil, err
	}
	page.Inside = levelKey(st.Level)
	if st, err := s.Zones.EffectiveLevel(ctx, c.Place.ParentID); err == nil {
		page.Outside = levelKey(st.Level)
	}
	if page.Recent, err = s.passageRows(r, lang, frontline.PassageFilter{CheckpointID: &id, Limit: recentPassages}); err != nil {
		return nil, err
	}
	if page.Refused, err = s.passageRows(r, lang, frontline.PassageFilter{CheckpointID: &id, Refused: true, Limit: recentPassages}); err != nil {
		return nil, err
	}
	from, to := s.defaultDay(time.Time{}, time.Time{})
	hours, err := s.Checkpoints.PassageCounts(ctx, id, from, to)
	if err != nil {
		return nil, err
	}
	for _, h := range hours {
		page.Hours = append(page.Hours, hourRow{Label: h.Hour.In(s.Location).Format("15:04"), In: h.In, Out: h.Out, Refused: h.Refused})
	}
	return page, nil
}

func (s *Server) passageRows(r *http.Request, lang string, f frontline.PassageFilter) ([]passageRow, error) {
	ps, _, err := s.Checkpoints.FindPassages(r.Context(), f)
	if err != nil {
		return nil, err
	}
	out := make([]passageRow, len(ps))
	for i, p := range ps {
		msgs, err := s.reasonTexts(lang, p.Reasons)
		if err != nil {
			return nil, err
		}
		notes, err := s.reasonTexts(lang, p.Notes)
		if err != nil {
			return nil, err
		}
		out[i] = passageRow{Passage: p, Messages: msgs, Notes: notes, Phone: frontline.MaskPhone(p.Phone), From: levelKey(p.From), To: levelKey(p.To)}
	}
	return out, nil
}

// postPassage records a passage from the entry form and shows the page
// again with the decision on top; a form staff must correct comes back
// with what they typed.
func (s *Server) postPassage(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, passageFields(), "emergency")
	if err != nil {
		return err
	}
	p, ferr := s.passageFromForm(f)
	if ferr == nil {
		p.CheckpointID = id
		ferr = s.Checkpoints.RecordPassage(r.Context(), p)
	}
	if ferr == nil {
		return redirect(w, r, "/checkpoints/"+strconv.FormatInt(id, 10)+"?passage="+strconv.FormatInt(p.ID, 10)+"#decision")
	}
	if err := passageFormError(f, ferr); err != nil {
		return err
	}
	page, err := s.checkpointPage(w, r, id, f)
	if err != nil {
		return err
	}
	return s.render(w, statusOf(frontline.ErrorCode(ferr)), pageCheckpointName, page)
}

// passageFromForm reads the entry form. The negative test is entered as
// "within N hours", the bound staff read off the result, and recorded as
// that many hours before now.
func (s *Server) passageFromForm(f form) (*frontline.Passage, error) {
	v := f.Values
	p := &frontline.Passage{Kind: frontline.PassageKind(v["kind"]), Direction: frontline.Direction(v["direction"]),
		Reason: v["reason"], Emergency: f.Checked["emergency"], Checks: frontline.Checks{HealthCode: frontline.HealthCode(v["health_code"])}}
	if p.Kind == frontline.PassResident {
		id := frontline.FoldWidth(strings.TrimSpace(v["id_number"]))
		if n, err := strconv.ParseInt(id, 10, 64); err == nil && len(id) < 15 {
			p.PersonID = n // a personal code is the person's number
		} else {
			p.IDNumber = id
		}
	} else {
		p.Name, p.Phone = v["name"], v["phone"]
	}
	if t := frontline.FoldWidth(v["temperature"]); t != "" {
		temp, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, frontline.FieldError("temperature", "%q is not a temperature", t)
		}
		p.Checks.Temperature = temp
	}
	if h := v["test_hours"]; h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n <= 0 {
			return nil, frontline.FieldError("negative_test_at", "%q is not a number of hours", h)
		}
		p.Checks.NegativeTestAt = s.Now().Add(-time.Duration(n) * time.Hour).Add(time.Minute)
	}
	return p, nil
}

// passageFormError puts a refused entry next to its field; it returns err
// when the refusal is not about the form.
func passageFormError(f form, err error) error {
	code, field := frontline.ErrorCode(err), frontline.ErrorField(err)
	switch {
	case code == frontline.ENOTFOUND && field == "id_number":
		f.Errors["id_number"] = "passage.error.notfound"
	case code == frontline.ECONFLICT:
		f.Errors[""] = "checkpoint.notopen"
	case code != frontline.EINVALID:
		return err
	case field == "negative_test_at":
		f.Errors["test_hours"] = "passage.error.test"
	case field == "id_number" || field == "name" || field == "phone" || field == "reason" || field == "temperature" ||
		field == "direction" || field == "kind" || field == "health_code":
		f.Errors[field] = "passage.error." + field
	default:
		f.Errors[""] = "error." + code
	}
	return nil
}
