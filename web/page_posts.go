package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Posts and their shifts: the list of posts under a node, and the page of
// one post, where its people check in, who is on duty now is shown, and
// those who roster add shifts, put workers on them (with an override
// reason when a rule stands in the way), take them off and swap them.

// postsPage lists the posts at or under a node.
type postsPage struct {
	layout
	Place     *frontline.Place
	Posts     []*frontline.Post
	Total     int
	CanManage bool
	Kinds     []string
	Form      form
}

func (s *Server) pagePosts(w http.ResponseWriter, r *http.Request) error {
	return s.renderPosts(w, r, newForm(), http.StatusOK)
}

func (s *Server) renderPosts(w http.ResponseWriter, r *http.Request, f form, status int) error {
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	posts, total, err := s.Roster.FindPosts(r.Context(), frontline.PostFilter{Under: &place.ID, Limit: maxWorkerRows})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "posts.title")
	if err != nil {
		return err
	}
	page := postsPage{layout: s.layout(r, lang, title), Place: place, Posts: posts, Total: total, Form: f,
		CanManage: callerFrom(r.Context()).principal.Can(frontline.PermManageWorkforce)}
	for _, k := range frontline.PostKinds {
		if k != frontline.PostCheckpoint { // a checkpoint's post comes with the checkpoint
			page.Kinds = append(page.Kinds, string(k))
		}
	}
	if f.Values["kind"] == "" {
		f.Values["kind"] = string(frontline.PostStation)
		f.Checked["meets_residents"] = true
	}
	return s.render(w, status, pagePostsName, page)
}

// postFields are the fields of the new post form.
var postFields = []string{"name", "kind", "location"}

func (s *Server) postNewPost(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, postFields, "meets_residents")
	if err != nil {
		return err
	}
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	p := &frontline.Post{PlaceID: place.ID, Name: f.Values["name"], Kind: frontline.PostKind(f.Values["kind"]),
		Location: f.Values["location"], MeetsResidents: f.Checked["meets_residents"]}
	if err := s.Roster.CreatePost(r.Context(), p); err == nil {
		return redirect(w, r, fmt.Sprintf("/posts/%d", p.ID))
	} else if err := s.formError(f, err, postFields); err != nil {
		return err
	}
	return s.renderPosts(w, r, f, http.StatusBadRequest)
}

// postPage is one post: who is on duty now, the shifts of a week, and the
// forms of those who roster.
type postPage struct {
	layout
	Post      *frontline.Post
	CanManage bool
	// CanGate: the reader may open the post's checkpoint page (a sampler
	// on a checkpoint's roster may not).
	CanGate bool
	OnDuty  []shiftView
	Shifts  []shiftView
	Day     string // the first day shown
	Prev    string
	Next    string
	Workers []option // who may be put on a shift or lead the post
	Mine    []option // this post's people to come, for a swap
	Others  []option // the people of the node's other posts to come
	Roles   []string
	Skills  []string
	Saved   string
	// The forms; Assign.Values["shift"] says which shift's form was sent.
	Assign     form
	Violations []string // the rules a refused assignment breaks, in the page's language
	Override   bool     // a reason would let it through
	AddShifts  form
	Swap       form
	Leader     form
}

// shiftView is a shift with what the page may do to each person on it.
type shiftView struct {
	*frontline.Shift
	Rows []assignmentView
}

// assignmentView is a person on a shift, the phone masked.
type assignmentView struct {
	*frontline.Assignment
	Phone    string
	CanCheck bool // the reader may check them in or out
}

// postDays is how many days a post page shows.
const postDays = 7

func (s *Server) pagePost(w http.ResponseWriter, r *http.Request) error {
	return s.renderPost(w, r, func(*postPage) {}, http.StatusOK)
}

// renderPost shows the post page; adjust puts a refused form back.
func (s *Server) renderPost(w http.ResponseWriter, r *http.Request, adjust func(*postPage), status int) error {
	q := newParams(r)
	id := q.pathID("id")
	day := orZero(q.text("day"))
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	post, err := s.Roster.FindPostByID(ctx, id)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	p := callerFrom(ctx).principal
	page := postPage{layout: s.layout(r, lang, post.Name), Post: post, CanManage: p.Can(frontline.PermManageWorkforce),
		CanGate: p.Can(frontline.PermCheckpointLog),
		Saved:   r.URL.Query().Get("saved"), Assign: newForm(), AddShifts: newForm(), Swap: newForm(), Leader: newForm(),
		Skills: []string{frontline.SkillSampling, frontline.SkillDriving, frontline.SkillFirstAid}}
	for _, role := range []frontline.DutyRole{frontline.RoleDuty, frontline.RoleSamplerDuty, frontline.RoleOrderKeeper,
		frontline.RoleRegistrar, frontline.RoleDriverDuty} {
		page.Roles = append(page.Roles, string(role))
	}
	start, err := s.dayStart(day)
	if err != nil {
		return err
	}
	page.Day = start.Format(frontline.DateLayout)
	page.Prev = fmt.Sprintf("/posts/%d?day=%s", id, start.AddDate(0, 0, -postDays).Format(frontline.DateLayout))
	page.Next = fmt.Sprintf("/posts/%d?day=%s", id, start.AddDate(0, 0, postDays).Format(frontline.DateLayout))
	mine := s.ownWorker(ctx, p)
	rules, err := s.Roster.RosterRules(ctx)
	if err != nil {
		return err
	}
	onDuty, err := s.Duty.OnDuty(ctx, 0, id)
	if err != nil {
		return err
	}
	page.OnDuty = shiftViews(onDuty, mine, page.CanManage, rules, s.Now())
	shifts, err := s.Roster.FindShifts(ctx, frontline.ShiftFilter{PostID: &id, From: start, To: start.AddDate(0, 0, postDays)})
	if err != nil {
		return err
	}
	// The week's list is for rostering: people check in where the page
	// shows who is on duty now.
	page.Shifts = shiftViews(shifts, 0, false, rules, s.Now())
	page.AddShifts.Values["day_from"], page.AddShifts.Values["ndays"] = page.Day, "1"
	page.AddShifts.Values["times"], page.AddShifts.Values["headcount"] = "08:00-20:00, 20:00-08:00", "2"
	if page.CanManage {
		if err := s.rosterOptions(ctx, &page); err != nil {
			return err
		}
	}
	adjust(&page)
	return s.render(w, status, pagePostName, page)
}

// dayStart reads a day (YYYY-MM-DD, today when empty) as its start in the
// server's zone.
func (s *Server) dayStart(day string) (time.Time, error) {
	if day == "" {
		now := s.Now().In(s.Location)
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.Location), nil
	}
	t, err := time.ParseInLocation(frontline.DateLayout, day, s.Location)
	if err != nil {
		return t, frontline.FieldError("day", "%q is not a date (YYYY-MM-DD)", day)
	}
	return t, nil
}

// ownWorker returns the id of the caller's worker, 0 for none.
func (s *Server) ownWorker(ctx context.Context, p *frontline.Principal) int64 {
	if p == nil || p.UserID == 0 {
		return 0
	}
	if wk, err := s.Workers.WorkerForUser(ctx, p.UserID); err == nil {
		return wk.ID
	}
	return 0
}

// shiftViews returns shifts as the pages show them: a person may be
// checked in by themselves (mine) or by staff who roster (manage) while
// the shift's check-in is open, and checked out once in.
func shiftViews(shifts []*frontline.Shift, mine int64, manage bool, rules *frontline.RosterRules, now time.Time) []shiftView {
	out := make([]shiftView, len(shifts))
	for i, sh := range shifts {
		out[i] = shiftView{Shift: sh}
		open := frontline.CheckInWindow(*rules, sh, now) == nil
		for _, a := range sh.Assignments {
			may := manage || (mine != 0 && a.WorkerID == mine)
			in := !a.CheckedInAt.IsZero() && a.CheckedOutAt.IsZero()
			out[i].Rows = append(out[i].Rows, assignmentView{Assignment: a, Phone: frontline.MaskPhone(a.Phone),
				CanCheck: may && (open || in)})
		}
	}
	return out
}

// rosterOptions fills the choices of the forms: the workers of the post's
// community (or of the node itself above it), and the people to come for a
// swap.
func (s *Server) rosterOptions(ctx context.Context, page *postPage) error {
	under := page.Post.PlaceID
	if k := page.Post.Place.Kind; k != frontline.KindCommunity && k.Rank() > frontline.KindCommunity.Rank() {
		under = page.Post.Place.ParentID
	}
	ws, _, err := s.Workers.FindWorkers(ctx, frontline.WorkerFilter{Under: &under, Limit: maxWorkerRows})
	if err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return err
	}
	for _, wk := range ws {
		page.Workers = append(page.Workers, option{Value: strconv.FormatInt(wk.ID, 10), Label: wk.Label()})
	}
	now := s.Now()
	for _, sv := range page.Shifts {
		if !sv.Start.After(now) {
			continue
		}
		for _, a := range sv.Rows {
			if a.CheckedInAt.IsZero() {
				page.Mine = append(page.Mine, option{Value: strconv.FormatInt(a.ID, 10), Label: s.shiftSpan(sv.Shift) + " " + a.Name})
			}
		}
	}
	others, err := s.Roster.FindShifts(ctx, frontline.ShiftFilter{Under: &under, From: now, To: now.AddDate(0, 0, postDays), Limit: 2000})
	if err != nil {
		return err
	}
	for _, sh := range others {
		if sh.PostID == page.Post.ID || !sh.Start.After(now) {
			continue
		}
		for _, a := range sh.Assignments {
			if a.CheckedInAt.IsZero() {
				page.Others = append(page.Others, option{Value: strconv.FormatInt(a.ID, 10),
					Label: sh.Post.Name + " " + s.shiftSpan(sh) + " " + a.Name})
			}
		}
	}
	return nil
}

// postSaved returns to the post page with what was saved.
func postSaved(w http.ResponseWriter, r *http.Request, id int64, what string) error {
	path := fmt.Sprintf("/posts/%d?saved=%s", id, what)
	if day := r.URL.Query().Get("day"); day != "" {
		path += "&day=" + url.QueryEscape(day)
	}
	return redirect(w, r, path)
}

// rosterAssignFields are the fields of the assign form.
var rosterAssignFields = []string{"shift", "worker", "override"}

// postRosterAssign puts a worker on a shift. A refusal by the rules comes back
// with each rule broken and, when a reason would let it through, the
// override field; what was chosen stays chosen.
func (s *Server) postRosterAssign(w http.ResponseWriter, r *http.Request) error {
	id, f, err := s.postForm(r, rosterAssignFields, "leader")
	if err != nil {
		return err
	}
	shift, _ := formID(f.Values["shift"])
	worker, _ := formID(f.Values["worker"])
	_, err = s.Roster.Assign(r.Context(), frontline.AssignRequest{ShiftID: shift, WorkerID: worker, Leader: f.Checked["leader"],
		Override: f.Values["override"]})
	if err == nil {
		return postSaved(w, r, id, "assign")
	}
	refusal := ruleRefusal(err)
	violations, err := s.refused(pickLang(w, r), f, renameField(err, map[string]string{"worker_id": "worker", "shift_id": "shift"}),
		rosterAssignFields)
	if err != nil {
		return err
	}
	return s.renderPost(w, r, func(p *postPage) {
		p.Assign, p.Violations, p.Override = f, violations, refusal != nil && refusal.Overridable()
	}, http.StatusConflict)
}

// refused puts a refused assignment or swap into its form: a refusal by
// the roster rules as the rules broken, in lang, and the override field
// saying whether a reason would help; another error beside its field. It
// returns an error that is not about the form.
func (s *Server) refused(lang string, f form, err error, fields []string) ([]string, error) {
	refusal := ruleRefusal(err)
	if refusal == nil {
		return nil, s.formError(f, err, fields)
	}
	var violations []string
	for _, v := range refusal.Violations {
		t, err := s.text(lang, "roster.viol."+v.Code, refusal.Worker)
		if err != nil {
			return nil, err
		}
		violations = append(violations, t)
	}
	f.Errors["override"] = "roster.assign.refused"
	if !refusal.Overridable() {
		f.Errors["override"] = "roster.assign.hard"
	}
	return violations, nil
}

// postForm reads the post id of the path and a posted form.
func (s *Server) postForm(r *http.Request, fields []string, boxes ...string) (int64, form, error) {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return 0, form{}, err
	}
	f, err := readForm(r, fields, boxes...)
	return id, f, err
}

// postUnassign takes a worker off a shift.
func (s *Server) postUnassign(w http.ResponseWriter, r *http.Request) error {
	return s.postWithReason(w, r, "assignment", s.Roster.Unassign, "unassign")
}

// postCancelShift removes a shift nobody has checked in to.
func (s *Server) postCancelShift(w http.ResponseWriter, r *http.Request) error {
	return s.postWithReason(w, r, "shift", s.Roster.CancelShift, "cancel")
}

// postWithReason calls do with the id of the form's field and its reason,
// and returns to the post page saying what was done.
func (s *Server) postWithReason(w http.ResponseWriter, r *http.Request, field string, do func(context.Context, int64, string) error, saved string) error {
	id, f, err := s.postForm(r, []string{field, "reason"})
	if err != nil {
		return err
	}
	target, ok := formID(f.Values[field])
	if !ok {
		return frontline.FieldError(field, "say which")
	}
	if err := do(r.Context(), target, f.Values["reason"]); err != nil {
		return err
	}
	return postSaved(w, r, id, saved)
}

// swapFields are the fields of the swap form.
var swapFields = []string{"a", "b", "override"}

// postSwap exchanges the workers of two assignments.
func (s *Server) postSwap(w http.ResponseWriter, r *http.Request) error {
	id, f, err := s.postForm(r, swapFields)
	if err != nil {
		return err
	}
	a, _ := formID(f.Values["a"])
	b, _ := formID(f.Values["b"])
	err = s.Roster.Swap(r.Context(), a, b, f.Values["override"])
	if err == nil {
		return postSaved(w, r, id, "swap")
	}
	violations, err := s.refused(pickLang(w, r), f, err, swapFields)
	if err != nil {
		return err
	}
	return s.renderPost(w, r, func(p *postPage) { p.Swap, p.Violations = f, violations }, http.StatusConflict)
}

// postPost sets a post's leader or whether it meets residents.
func (s *Server) postPost(w http.ResponseWriter, r *http.Request) error {
	id, f, err := s.postForm(r, []string{"leader"}, "meets_residents")
	if err != nil {
		return err
	}
	var leader int64
	if f.Values["leader"] != "" {
		var ok bool
		if leader, ok = formID(f.Values["leader"]); !ok {
			return frontline.FieldError("leader", "choose the leader")
		}
	}
	meets := f.Checked["meets_residents"]
	if _, err := s.Roster.UpdatePost(r.Context(), id, frontline.PostUpdate{LeaderID: &leader, MeetsResidents: &meets}); err != nil {
		return err
	}
	return postSaved(w, r, id, "post")
}

// shiftFormFields are the fields of the form that adds shifts.
var shiftFormFields = []string{"day_from", "ndays", "times", "headcount", "role", "langs"}

// postShifts adds shifts: for each of a number of days from a day, one
// shift per span of times ("08:00-20:00, 20:00-08:00"; a span that ends
// before it starts ends the next day).
func (s *Server) postShifts(w http.ResponseWriter, r *http.Request) error {
	id, f, err := s.postForm(r, shiftFormFields, "skills")
	if err != nil {
		return err
	}
	shifts, err := s.shiftsOf(id, f, r.PostForm["skills"])
	if err == nil {
		if err = s.Roster.AddShifts(r.Context(), shifts); err == nil {
			return postSaved(w, r, id, "shifts")
		}
	}
	err = renameField(err, map[string]string{"end": "times", "skills": "langs", "shifts": "ndays", "post_id": "times"})
	if err := s.formError(f, err, shiftFormFields); err != nil {
		return err
	}
	return s.renderPost(w, r, func(p *postPage) { p.AddShifts = f }, http.StatusBadRequest)
}

// maxShiftDays bounds the days one form adds.
const maxShiftDays = 31

// shiftsOf reads the shift form into shifts.
func (s *Server) shiftsOf(postID int64, f form, skills []string) ([]*frontline.Shift, error) {
	v := f.Values
	first, err := time.ParseInLocation(frontline.DateLayout, v["day_from"], s.Location)
	if err != nil {
		return nil, frontline.FieldError("day_from", "%q is not a date (YYYY-MM-DD)", v["day_from"])
	}
	days, err := strconv.Atoi(v["ndays"])
	if err != nil || days < 1 || days > maxShiftDays {
		return nil, frontline.FieldError("ndays", "from 1 to %d days", maxShiftDays)
	}
	headcount, err := strconv.Atoi(v["headcount"])
	if err != nil {
		return nil, frontline.FieldError("headcount", "%q is not a number of people", v["headcount"])
	}
	spans, err := parseSpans(v["times"])
	if err != nil {
		return nil, err
	}
	for _, l := range splitList(v["langs"]) {
		skills = append(skills, frontline.SkillLanguage+l)
	}
	var out []*frontline.Shift
	for d := range days {
		day := first.AddDate(0, 0, d)
		for _, sp := range spans {
			out = append(out, &frontline.Shift{PostID: postID, Role: frontline.DutyRole(v["role"]), Headcount: headcount,
				Skills: skills, Start: day.Add(sp[0]), End: day.Add(sp[1])})
		}
	}
	return out, nil
}

// parseSpans reads "08:00-20:00, 20:00-08:00" as offsets from midnight; a
// span ending at or before its start ends the next day.
func parseSpans(s string) ([][2]time.Duration, error) {
	var out [][2]time.Duration
	for _, part := range splitList(strings.ReplaceAll(s, "—", "-")) {
		a, b, ok := strings.Cut(part, "-")
		from, okA := clockOffset(a)
		to, okB := clockOffset(b)
		if !ok || !okA || !okB {
			return nil, frontline.FieldError("times", "write the times of each shift as 08:00-20:00, separated by commas")
		}
		if to <= from {
			to += 24 * time.Hour
		}
		out = append(out, [2]time.Duration{from, to})
	}
	if len(out) == 0 {
		return nil, frontline.FieldError("times", "write the times of each shift as 08:00-20:00, separated by commas")
	}
	return out, nil
}

// clockOffset reads "08:00" (or "24:00") as time after midnight.
func clockOffset(s string) (time.Duration, bool) {
	var h, m int
	if n, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || h > 24 || m < 0 || m > 59 || h == 24 && m > 0 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// postCheckIn and postCheckOut record a check-in or -out and go back to
// the page the button was on.
func (s *Server) postCheckIn(w http.ResponseWriter, r *http.Request) error {
	return s.postCheck(w, r, s.Duty.CheckIn, "checkin")
}

func (s *Server) postCheckOut(w http.ResponseWriter, r *http.Request) error {
	return s.postCheck(w, r, s.Duty.CheckOut, "checkout")
}

func (s *Server) postCheck(w http.ResponseWriter, r *http.Request, check func(context.Context, int64) (*frontline.Assignment, error), what string) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return frontline.Errorf(frontline.EINVALID, "cannot read the form: %v", err)
	}
	if _, err := check(r.Context(), id); err != nil {
		return err
	}
	next := localPath(r.PostForm.Get("next"))
	sep := "?"
	if strings.Contains(next, "?") {
		sep = "&"
	}
	return redirect(w, r, next+sep+"saved="+what)
}
