package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// The JSON API of the workforce. Each handler parses, calls one service
// and renders; phones go out masked.

// workerIn is a worker as the API takes it.
type workerIn struct {
	PlaceID      int64                 `json:"place_id"`
	Name         *string               `json:"name"`
	Phone        *string               `json:"phone"`
	Kind         *frontline.WorkerKind `json:"kind"`
	Unit         *string               `json:"unit"`
	Skills       *[]string             `json:"skills"`
	Days         *[]string             `json:"days"`
	Off          *[]string             `json:"off"`
	LastNegative *time.Time            `json:"last_negative"`
	Note         *string               `json:"note"`
	Retired      *bool                 `json:"retired"`
	UserID       *int64                `json:"user_id"`
}

func (in workerIn) update() frontline.WorkerUpdate {
	return frontline.WorkerUpdate{Name: in.Name, Phone: in.Phone, Kind: in.Kind, Unit: in.Unit, Skills: in.Skills, Days: in.Days,
		Off: in.Off, LastNegative: in.LastNegative, Note: in.Note, Retired: in.Retired, UserID: in.UserID}
}

func (s *Server) apiWorkers(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.WorkerFilter{Under: q.id("under"), Unit: q.text("unit"), Query: orZero(q.text("q")),
		AvailableOn: orZero(q.text("available_on")), WithRetired: q.boolean("retired")}
	if k := q.text("kind"); k != nil {
		kind := frontline.WorkerKind(*k)
		f.Kind = &kind
	}
	if sk := q.text("skills"); sk != nil {
		f.Skills = strings.Split(*sk, ",")
	}
	pg := q.page()
	f.Offset, f.Limit = pg.Offset, pg.Limit
	if err := q.check(); err != nil {
		return err
	}
	ws, total, err := s.Workers.FindWorkers(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"workers": workersJSON(ws), "total": total, "page": pg})
}

func (s *Server) apiCreateWorker(w http.ResponseWriter, r *http.Request) error {
	var in workerIn
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	wk := &frontline.Worker{PlaceID: in.PlaceID}
	in.update().Apply(wk)
	if err := s.Workers.CreateWorker(r.Context(), wk); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"worker": newWorkerJSON(wk)})
}

func (s *Server) apiWorker(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	wk, err := s.Workers.FindWorkerByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"worker": newWorkerJSON(wk)})
}

func (s *Server) apiUpdateWorker(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in workerIn
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	wk, err := s.Workers.UpdateWorker(r.Context(), id, in.update())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"worker": newWorkerJSON(wk)})
}

// apiImportWorkers imports a list sent as the body (CSV or XLSX) under
// ?under=, with ?kind= and ?unit= for rows that leave them out and
// ?dry_run=true to check only. A list with any bad row imports nothing:
// the answer (422) lists every problem by row and column.
func (s *Server) apiImportWorkers(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	opts := frontline.WorkerImport{PlaceID: orZero(q.id("under")), Kind: frontline.WorkerKind(orZero(q.text("kind"))),
		Unit: orZero(q.text("unit")), DryRun: q.boolean("dry_run")}
	name := orZero(q.text("name"))
	if err := q.check(); err != nil {
		return err
	}
	if name == "" {
		name = "upload.xlsx"
	}
	rows, err := residentfile.ReadWorkers(name, io.LimitReader(r.Body, maxBodyBytes), orZero(q.text("sheet")))
	if err != nil {
		return err
	}
	res, err := s.Workers.ImportWorkers(r.Context(), rows, opts)
	if res != nil && frontline.ErrorCode(err) == frontline.EINVALID {
		return writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"result": res})
	} else if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"result": res})
}

func (s *Server) apiPosts(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.PostFilter{Under: q.id("under"), CheckpointID: q.id("checkpoint"), WithRetired: q.boolean("retired")}
	if k := q.text("kind"); k != nil {
		kind := frontline.PostKind(*k)
		f.Kind = &kind
	}
	pg := q.page()
	f.Offset, f.Limit = pg.Offset, pg.Limit
	if err := q.check(); err != nil {
		return err
	}
	ps, total, err := s.Roster.FindPosts(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	out := make([]postJSON, len(ps))
	for i, p := range ps {
		out[i] = newPostJSON(p)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"posts": out, "total": total, "page": pg})
}

func (s *Server) apiCreatePost(w http.ResponseWriter, r *http.Request) error {
	var p frontline.Post
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	p.ID, p.Retired, p.CreatedBy = 0, false, ""
	if err := s.Roster.CreatePost(r.Context(), &p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"post": newPostJSON(&p)})
}

func (s *Server) apiPost(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	p, err := s.Roster.FindPostByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"post": newPostJSON(p)})
}

func (s *Server) apiUpdatePost(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Name           *string `json:"name"`
		Location       *string `json:"location"`
		MeetsResidents *bool   `json:"meets_residents"`
		LeaderID       *int64  `json:"leader_id"`
		Retired        *bool   `json:"retired"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	p, err := s.Roster.UpdatePost(r.Context(), id, frontline.PostUpdate{Name: in.Name, Location: in.Location,
		MeetsResidents: in.MeetsResidents, LeaderID: in.LeaderID, Retired: in.Retired})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"post": newPostJSON(p)})
}

// shiftIn is a shift as the API takes it.
type shiftIn struct {
	Role      frontline.DutyRole `json:"role"`
	Start     time.Time          `json:"start"`
	End       time.Time          `json:"end"`
	Headcount int                `json:"headcount"`
	Skills    []string           `json:"skills"`
}

// apiAddShifts adds shifts to a post: {"shifts": [...]}.
func (s *Server) apiAddShifts(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Shifts []shiftIn `json:"shifts"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	shifts := make([]*frontline.Shift, len(in.Shifts))
	for i, sh := range in.Shifts {
		shifts[i] = &frontline.Shift{PostID: id, Role: sh.Role, Start: sh.Start, End: sh.End, Headcount: sh.Headcount, Skills: sh.Skills}
	}
	if err := s.Roster.AddShifts(r.Context(), shifts); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"shifts": shiftsJSON(shifts)})
}

// apiShiftList returns the shifts overlapping ?from= and ?to= (today by
// default) of ?post= or of the posts ?under= a node, ?worker= to a
// worker's, ?open=true to those with places open.
func (s *Server) apiShiftList(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.ShiftFilter{PostID: q.id("post"), Under: q.id("under"), WorkerID: q.id("worker"), OnlyOpen: q.boolean("open"),
		From: q.day("from", s.Location, false), To: q.day("to", s.Location, true), Limit: q.number("limit", 1000, 1, frontline.MaxShifts)}
	if err := q.check(); err != nil {
		return err
	}
	f.From, f.To = s.defaultDay(f.From, f.To)
	shifts, err := s.Roster.FindShifts(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"shifts": shiftsJSON(shifts)})
}

func (s *Server) apiShift(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	sh, err := s.Roster.FindShiftByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"shift": shiftsJSON([]*frontline.Shift{sh})[0]})
}

// reasonIn is the body of an action that needs a reason.
type reasonIn struct {
	Reason string `json:"reason"`
}

func (s *Server) apiCancelShift(w http.ResponseWriter, r *http.Request) error {
	return apiWithReason(w, r, s.Roster.CancelShift, "cancelled")
}

// apiWithReason calls do with the path's id and the body's reason, and
// answers {done: id}.
func apiWithReason(w http.ResponseWriter, r *http.Request, do func(context.Context, int64, string) error, done string) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in reasonIn
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := do(r.Context(), id, in.Reason); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{done: id})
}

// apiRosterAssign puts a worker on a shift. A refusal by the rules is 409 with
// every rule broken; "override" with a reason lets the ones that may be
// overridden through.
func (s *Server) apiRosterAssign(w http.ResponseWriter, r *http.Request) error {
	var in frontline.AssignRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.Roster.Assign(r.Context(), in)
	if err != nil {
		return refusalJSON(w, err)
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"assignment": newAssignmentJSON(a)})
}

// refusalJSON answers a refusal by the roster rules with its violations;
// other errors go to the adapter.
func refusalJSON(w http.ResponseWriter, err error) error {
	r := ruleRefusal(err)
	if r == nil {
		return err
	}
	return writeJSON(w, http.StatusConflict, map[string]any{"error": map[string]any{"code": frontline.ECONFLICT,
		"field": frontline.ErrorField(err), "message": frontline.ErrorMessage(err), "violations": r.Violations,
		"overridable": r.Overridable()}})
}

// ruleRefusal returns the refusal of an assignment by the roster rules,
// nil for any other error.
func ruleRefusal(err error) *frontline.RuleRefusal {
	var r *frontline.RuleRefusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

func (s *Server) apiUnassign(w http.ResponseWriter, r *http.Request) error {
	return apiWithReason(w, r, s.Roster.Unassign, "unassigned")
}

func (s *Server) apiSwap(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		A        int64  `json:"a"`
		B        int64  `json:"b"`
		Override string `json:"override"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Roster.Swap(r.Context(), in.A, in.B, in.Override); err != nil {
		return refusalJSON(w, err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"swapped": []int64{in.A, in.B}})
}

func (s *Server) apiCheckIn(w http.ResponseWriter, r *http.Request) error {
	return s.apiCheck(w, r, s.Duty.CheckIn)
}

func (s *Server) apiCheckOut(w http.ResponseWriter, r *http.Request) error {
	return s.apiCheck(w, r, s.Duty.CheckOut)
}

func (s *Server) apiCheck(w http.ResponseWriter, r *http.Request, check func(ctx context.Context, id int64) (*frontline.Assignment, error)) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	a, err := check(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"assignment": newAssignmentJSON(a)})
}

func (s *Server) apiProposeFill(w http.ResponseWriter, r *http.Request) error {
	var in frontline.FillRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.Roster.ProposeFill(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"result": res})
}

func (s *Server) apiAcceptFill(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Proposals []frontline.Proposal `json:"proposals"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.Roster.AcceptFill(r.Context(), in.Proposals)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"assigned": n})
}

func (s *Server) apiRosterRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Roster.RosterRules(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
}

func (s *Server) apiRosterRuleVersions(w http.ResponseWriter, r *http.Request) error {
	versions, err := s.Roster.RosterRuleVersions(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"versions": versions})
}

// apiSetRosterRules adds a version of the rules, durations in nanoseconds
// as the rules are read.
func (s *Server) apiSetRosterRules(w http.ResponseWriter, r *http.Request) error {
	var in frontline.RosterRules
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Roster.SetRosterRules(r.Context(), &in); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": in})
}

// apiOnDuty returns the shifts on now at ?post= or under ?place=.
func (s *Server) apiOnDuty(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, post := q.id("place"), q.id("post")
	if err := q.check(); err != nil {
		return err
	}
	if place == nil && post == nil {
		return frontline.FieldError("place", "say which place or post")
	}
	shifts, err := s.Duty.OnDuty(r.Context(), orZero(place), orZero(post))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"shifts": shiftsJSON(shifts)})
}

func (s *Server) apiMyShifts(w http.ResponseWriter, r *http.Request) error {
	wk, shifts, err := s.Duty.MyShifts(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"worker": newWorkerJSON(wk), "shifts": shiftsJSON(shifts)})
}

// apiDutyTable returns the duty table of ?place= on ?day= (today), the
// phones masked.
func (s *Server) apiDutyTable(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, day := q.id("place"), orZero(q.text("day"))
	if err := q.check(); err != nil {
		return err
	}
	if day == "" {
		day = s.Now().In(s.Location).Format(frontline.DateLayout)
	}
	t, err := s.Duty.DutyTable(r.Context(), orZero(place), day, false)
	if err != nil {
		return err
	}
	type postOut struct {
		Post   postJSON    `json:"post"`
		Shifts []shiftJSON `json:"shifts"`
	}
	out := make([]postOut, len(t.Posts))
	for i, p := range t.Posts {
		out[i] = postOut{Post: newPostJSON(p.Post), Shifts: shiftsJSON(p.Shifts)}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"place": newPlaceJSON(t.Place), "day": t.Day, "posts": out})
}

func (s *Server) apiHours(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, from, to := q.id("place"), q.day("from", s.Location, false), q.day("to", s.Location, true)
	if err := q.check(); err != nil {
		return err
	}
	from, to = s.defaultDay(from, to)
	rep, err := s.Duty.Hours(r.Context(), orZero(place), from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"report": rep})
}

func (s *Server) apiResponsibilities(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	under := q.id("under")
	if err := q.check(); err != nil {
		return err
	}
	rs, err := s.Responsibility.FindResponsibilities(r.Context(), orZero(under))
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"responsibilities": rs})
}

func (s *Server) apiSetResponsible(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		WorkerID int64 `json:"worker_id"`
		CoverID  int64 `json:"cover_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.Responsibility.SetResponsible(r.Context(), id, in.WorkerID, in.CoverID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"responsibility": res})
}

func (s *Server) apiClearResponsible(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Responsibility.ClearResponsible(r.Context(), id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"cleared": id})
}

// maxResponsibleIDs bounds ?households= of one request.
const maxResponsibleIDs = 1000

// apiResponsibleWorkers answers ?households=1,2,3 with each household's
// responsible worker and today's cover.
func (s *Server) apiResponsibleWorkers(w http.ResponseWriter, r *http.Request) error {
	var ids []int64
	for _, v := range strings.Split(r.URL.Query().Get("households"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return frontline.FieldError("households", "%q is not an id", v)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 || len(ids) > maxResponsibleIDs {
		return frontline.FieldError("households", "give 1 to %d household ids", maxResponsibleIDs)
	}
	got, err := s.Responsibility.ResponsibleWorkers(r.Context(), ids)
	if err != nil {
		return err
	}
	out := make([]responsibleJSON, 0, len(ids))
	for _, id := range ids {
		out = append(out, newResponsibleJSON(got[id]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"households": out})
}

func (s *Server) apiUnassigned(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	limit := q.number("limit", defaultLimit, 1, maxLimit)
	if err := q.check(); err != nil {
		return err
	}
	hs, total, err := s.Responsibility.Unassigned(r.Context(), id, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"households": placesJSON(hs), "total": total})
}
