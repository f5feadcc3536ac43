package frontline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// PostKind is what a post does.
type PostKind string

// Post kinds: the places of work the report names.
const (
	PostCheckpoint PostKind = "checkpoint"         // 卡点值守
	PostStation    PostKind = "sampling_station"   // 采样点: samplers, order keepers, registrars
	PostHomeSample PostKind = "home_sampling"      // 上门采样组
	PostScreening  PostKind = "screening_team"     // 摸排组
	PostDelivery   PostKind = "delivery_team"      // 配送组
	PostContact    PostKind = "vulnerable_contact" // 重点人群联络
)

// PostKinds lists the kinds in the order pages offer them.
var PostKinds = []PostKind{PostCheckpoint, PostStation, PostHomeSample, PostScreening, PostDelivery, PostContact}

// PostKindLabels maps each kind to its Chinese label.
var PostKindLabels = map[PostKind]string{
	PostCheckpoint: "卡点值守", PostStation: "采样点", PostHomeSample: "上门采样组", PostScreening: "摸排组",
	PostDelivery: "配送组", PostContact: "重点人群联络",
}

// Post is a place of work with its needs: a checkpoint's duty, a sampling
// station, a team. Its shifts say when, how many and with which skills.
type Post struct {
	ID      int64    `json:"id"`
	PlaceID int64    `json:"place_id"` // the node it serves
	Place   *Place   `json:"place,omitempty"`
	Kind    PostKind `json:"kind"`
	Name    string   `json:"name"`
	// Location says where to report, in words people on the ground use.
	Location string `json:"location,omitempty"`
	// CheckpointID is the checkpoint whose duty this is, 0 for other posts.
	CheckpointID int64 `json:"checkpoint_id,omitempty"`
	// MeetsResidents: the people on it meet residents, so each needs a
	// recent negative test (RosterRules.TestWithin) at the shift's start.
	MeetsResidents bool `json:"meets_residents"`
	// LeaderID is the worker in charge of the post (责任落实到人): no-shows
	// alert them when a shift has no leader of its own. 0 for none;
	// LeaderName is filled by finders.
	LeaderID    int64     `json:"leader_id,omitempty"`
	LeaderName  string    `json:"leader_name,omitempty"`
	LeaderPhone string    `json:"-"`
	Retired     bool      `json:"retired"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the fields a caller sets.
func (p *Post) Validate() error {
	p.Name = CleanName(p.Name)
	if p.Name == "" || len([]rune(p.Name)) > 100 {
		return FieldError("name", "a post needs a name of at most 100 characters")
	}
	if PostKindLabels[p.Kind] == "" {
		return FieldError("kind", "unknown post kind %q (checkpoint, sampling_station, home_sampling, screening_team, delivery_team, vulnerable_contact)", p.Kind)
	}
	if p.Location = strings.TrimSpace(p.Location); len([]rune(p.Location)) > 300 {
		return FieldError("location", "the location is longer than 300 characters")
	}
	if p.PlaceID <= 0 {
		return FieldError("place_id", "a post serves a place")
	}
	return nil
}

// DutyRole is what a worker does on a shift where a post has several jobs:
// a sampling station needs samplers, order keepers and registrars; a home
// sampling team a sampler and a driver. The empty role is plain duty.
type DutyRole string

// Duty roles.
const (
	RoleDuty        DutyRole = ""
	RoleSamplerDuty DutyRole = "sampler"      // 采样
	RoleOrderKeeper DutyRole = "order_keeper" // 维持秩序
	RoleRegistrar   DutyRole = "registrar"    // 信息登记
	RoleDriverDuty  DutyRole = "driver"       // 驾驶
)

// DutyRoleLabels maps each role to its Chinese label.
var DutyRoleLabels = map[DutyRole]string{
	RoleDuty: "值守", RoleSamplerDuty: "采样", RoleOrderKeeper: "维持秩序", RoleRegistrar: "信息登记", RoleDriverDuty: "驾驶",
}

// Skills returns the skills a role needs whatever the shift says.
func (r DutyRole) Skills() []string {
	switch r {
	case RoleSamplerDuty:
		return []string{SkillSampling}
	case RoleDriverDuty:
		return []string{SkillDriving}
	}
	return nil
}

// AssignmentStatus is where one worker's shift stands.
type AssignmentStatus string

// Assignment statuses.
const (
	AssignAssigned   AssignmentStatus = "assigned"    // on the roster, not checked in
	AssignCheckedIn  AssignmentStatus = "checked_in"  // on duty
	AssignCheckedOut AssignmentStatus = "checked_out" // done
	// AssignNoShow: not checked in a grace period after the start; the
	// leader was alerted. Checking in late is still possible.
	AssignNoShow AssignmentStatus = "no_show"
)

// Assignment is one worker on one shift.
type Assignment struct {
	ID       int64 `json:"id"`
	ShiftID  int64 `json:"shift_id"`
	WorkerID int64 `json:"worker_id"`
	// The worker as the duty table shows them, filled by finders.
	Name   string           `json:"name"`
	Phone  string           `json:"-"`
	Kind   WorkerKind       `json:"kind"`
	Unit   string           `json:"unit,omitempty"`
	Leader bool             `json:"leader"`
	Status AssignmentStatus `json:"status"`
	// Override is the reason a user gave to assign despite a rule (empty
	// when no rule was broken); the audit log has who and when.
	Override     string    `json:"override,omitempty"`
	CheckedInAt  time.Time `json:"checked_in_at,omitzero"`
	CheckedOutAt time.Time `json:"checked_out_at,omitzero"`
	// CheckedBy is who recorded the check-in: the worker's own login, or a
	// post's device.
	CheckedBy string    `json:"checked_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// OnDuty reports whether the worker is checked in.
func (a *Assignment) OnDuty() bool { return a.Status == AssignCheckedIn }

// Shift is a stretch of duty at a post: when, how many people, with which
// skills, and who is on it, one of them possibly the leader responsible
// for it.
type Shift struct {
	ID        int64     `json:"id"`
	PostID    int64     `json:"post_id"`
	Post      *Post     `json:"post,omitempty"`
	Role      DutyRole  `json:"role"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Headcount int       `json:"headcount"`
	Skills    []string  `json:"skills"`
	// Assignments are the workers on the shift, the leader first.
	Assignments []*Assignment `json:"assignments"`
	CreatedAt   time.Time     `json:"created_at"`
	CreatedBy   string        `json:"created_by"`
}

// MaxHeadcount bounds the people of one shift.
const MaxHeadcount = 50

// Validate checks a shift before it is stored. A shift longer than the
// rules allow may exist (a rule can be overridden); 24 hours is the bound
// of any.
func (s *Shift) Validate() error {
	if s.Start.IsZero() || !s.End.After(s.Start) {
		return FieldError("end", "a shift ends after it starts")
	}
	if s.End.Sub(s.Start) > 24*time.Hour {
		return FieldError("end", "a shift lasts at most 24 hours")
	}
	if s.Headcount < 1 || s.Headcount > MaxHeadcount {
		return FieldError("headcount", "a shift needs 1 to %d people", MaxHeadcount)
	}
	if DutyRoleLabels[s.Role] == "" {
		return FieldError("role", "unknown duty role %q", s.Role)
	}
	skills, err := NormalizeSkills(append(slices.Clone(s.Skills), s.Role.Skills()...), "skills")
	if err != nil {
		return err
	}
	s.Skills = skills
	return nil
}

// Hours is the shift's length in hours.
func (s *Shift) Hours() float64 { return s.End.Sub(s.Start).Hours() }

// Leader returns the shift's leader, nil when it has none.
func (s *Shift) Leader() *Assignment {
	for _, a := range s.Assignments {
		if a.Leader {
			return a
		}
	}
	return nil
}

// Open is how many more people the shift needs.
func (s *Shift) Open() int { return max(0, s.Headcount-len(s.Assignments)) }

// Covers reports whether t falls within the shift.
func (s *Shift) Covers(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

// Booking is a stretch of time a worker is on the roster for.
type Booking struct {
	ShiftID int64     `json:"shift_id"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
}

// RosterRules are the rules every assignment is checked against. They are
// data with versions, as the zone rules are: an edit adds a version and
// assignments keep being judged by the current one.
type RosterRules struct {
	Version int `json:"version"`
	// MaxShift is the longest one shift may be (12 h).
	MaxShift time.Duration `json:"max_shift_ns"`
	// MinRest is the least time between two shifts of a worker (8 h).
	MinRest time.Duration `json:"min_rest_ns"`
	// MaxHours is the most a worker may be on the roster within any
	// Window (60 h in 7 days).
	MaxHours time.Duration `json:"max_hours_ns"`
	Window   time.Duration `json:"window_ns"`
	// TestWithin is how recent a negative test must be, at the start of a
	// shift, for a post that meets residents (48 h).
	TestWithin time.Duration `json:"test_within_ns"`
	// NoShowGrace is how long after a shift's start a worker who has not
	// checked in is a no-show, and the leader is alerted (30 min).
	NoShowGrace time.Duration `json:"no_show_grace_ns"`
	// UnfilledWithin: a shift starting within this time with places still
	// open raises an alert (2 h).
	UnfilledWithin time.Duration `json:"unfilled_within_ns"`
	// CheckInEarly is how long before the start a worker may check in.
	CheckInEarly time.Duration `json:"check_in_early_ns"`
	Note         string        `json:"note,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
	CreatedBy    string        `json:"created_by"`
}

// DefaultRosterRules are the field defaults (FIELD.md): at most 12 hours
// a shift, at least 8 hours between shifts, at most 60 hours in 7 days, a
// negative test within 48 hours for posts that meet residents. The first
// migration of the roster stores them as version 1; a test keeps the two
// equal.
var DefaultRosterRules = RosterRules{
	Version: 1, MaxShift: 12 * time.Hour, MinRest: 8 * time.Hour, MaxHours: 60 * time.Hour, Window: 7 * 24 * time.Hour,
	TestWithin: 48 * time.Hour, NoShowGrace: 30 * time.Minute, UnfilledWithin: 2 * time.Hour, CheckInEarly: time.Hour,
}

// Validate checks rules a user sets.
func (r *RosterRules) Validate() error {
	between := func(field string, d, lo, hi time.Duration) error {
		if d < lo || d > hi || d%time.Minute != 0 {
			return FieldError(field, "between %s and %s, in whole minutes", lo, hi)
		}
		return nil
	}
	for _, c := range []struct {
		field  string
		d      time.Duration
		lo, hi time.Duration
	}{
		{"max_shift", r.MaxShift, time.Hour, 24 * time.Hour},
		{"min_rest", r.MinRest, 0, 24 * time.Hour},
		{"window", r.Window, 24 * time.Hour, 31 * 24 * time.Hour},
		{"max_hours", r.MaxHours, time.Hour, r.Window},
		{"test_within", r.TestWithin, time.Hour, 14 * 24 * time.Hour},
		{"no_show_grace", r.NoShowGrace, 0, 6 * time.Hour},
		{"unfilled_within", r.UnfilledWithin, 0, 72 * time.Hour},
		{"check_in_early", r.CheckInEarly, 0, 6 * time.Hour},
	} {
		if err := between(c.field, c.d, c.lo, c.hi); err != nil {
			return err
		}
	}
	if r.Note = strings.TrimSpace(r.Note); len([]rune(r.Note)) > 300 {
		return FieldError("note", "the note is longer than 300 characters")
	}
	return nil
}

// Violation codes. The first five may be overridden by a user who gives a
// reason; the others may not: nobody is put on a sampling table without
// the qualification, nor in front of residents without a recent test.
const (
	ViolOverlap     = "overlap"      // another shift of the worker overlaps
	ViolShiftLength = "shift_length" // the shift is longer than MaxShift
	ViolRest        = "rest"         // less than MinRest before or after another shift
	ViolHours       = "hours"        // more than MaxHours within a Window
	ViolUnavailable = "unavailable"  // the worker is off or not available that day
	ViolSkills      = "skills"       // the worker lacks a skill the shift needs
	ViolHealth      = "health"       // no negative test recent enough for a post that meets residents
	ViolRetired     = "retired"      // the worker no longer works
)

// Violation is one rule an assignment would break.
type Violation struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// ShiftID is the other shift involved (overlap, rest), 0 otherwise.
	ShiftID int64 `json:"shift_id,omitempty"`
}

// Overridable reports whether a user may assign despite the violation.
func (v Violation) Overridable() bool {
	switch v.Code {
	case ViolOverlap, ViolShiftLength, ViolRest, ViolHours, ViolUnavailable:
		return true
	}
	return false
}

// RuleRefusal is the cause of the ECONFLICT error of an assignment refused
// by the rules: every rule it would break. Pages show each beside the
// override field; errors.As finds it.
type RuleRefusal struct {
	Worker     string      `json:"worker"`
	Violations []Violation `json:"violations"`
}

func (r *RuleRefusal) Error() string {
	msgs := make([]string, len(r.Violations))
	for i, v := range r.Violations {
		msgs[i] = v.Message
	}
	return r.Worker + ": " + strings.Join(msgs, "; ")
}

// Overridable reports whether every violation may be overridden.
func (r *RuleRefusal) Overridable() bool {
	for _, v := range r.Violations {
		if !v.Overridable() {
			return false
		}
	}
	return true
}

// Refuse returns the ECONFLICT error of an assignment that breaks rules,
// with the refusal as its cause; Field is "override" when a reason would
// let it through, "worker_id" when nothing would.
func (r *RuleRefusal) Refuse() error {
	field := "worker_id"
	if r.Overridable() {
		field = "override"
	}
	return &Error{Code: ECONFLICT, Field: field, Message: r.Error(), Err: r}
}

// CheckAssignment lists the rules putting w on shift sh of post p would
// break, given the worker's other bookings (the shift itself is passed
// over). day is the local date of the start, which availability is
// written in.
func CheckAssignment(rules RosterRules, w *Worker, p *Post, sh *Shift, day string, others []Booking) []Violation {
	var out []Violation
	checkRules(rules, w, p, sh, day, others, func(code string, b Booking) bool {
		out = append(out, Violation{Code: code, ShiftID: b.ShiftID, Message: violationMessage(code, rules, w, p, sh, day, others, b)})
		return true
	})
	return out
}

// checkRules is every rule of an assignment, in one place: it calls
// report with the code of each rule broken (and the other booking
// involved, for overlap and rest) until report returns false. Auto-fill
// stops at the first; CheckAssignment collects them all.
func checkRules(rules RosterRules, w *Worker, p *Post, sh *Shift, day string, others []Booking, report func(code string, b Booking) bool) {
	none := Booking{}
	if w.Retired && !report(ViolRetired, none) {
		return
	}
	if !HasSkills(w.Skills, sh.Skills) && !report(ViolSkills, none) {
		return
	}
	if p != nil && p.MeetsResidents && !w.TestedWithin(sh.Start, rules.TestWithin) && !report(ViolHealth, none) {
		return
	}
	if !w.AvailableOn(day) && !report(ViolUnavailable, none) {
		return
	}
	if sh.End.Sub(sh.Start) > rules.MaxShift && !report(ViolShiftLength, none) {
		return
	}
	for _, b := range others {
		if b.ShiftID == sh.ID && sh.ID != 0 {
			continue
		}
		code := ""
		switch {
		case b.Start.Before(sh.End) && sh.Start.Before(b.End):
			code = ViolOverlap
		case !b.End.After(sh.Start) && sh.Start.Sub(b.End) < rules.MinRest,
			!sh.End.After(b.Start) && b.Start.Sub(sh.End) < rules.MinRest:
			code = ViolRest
		}
		if code != "" && !report(code, b) {
			return
		}
	}
	if WindowHours(others, sh.ID, sh.Start, sh.End, rules.Window) > rules.MaxHours {
		report(ViolHours, none)
	}
}

// violationMessage says in English what rule code is broken; pages say it
// in the reader's language from the code.
func violationMessage(code string, rules RosterRules, w *Worker, p *Post, sh *Shift, day string, others []Booking, b Booking) string {
	switch code {
	case ViolRetired:
		return fmt.Sprintf("%s no longer works", w.Name)
	case ViolSkills:
		var missing []string
		for _, s := range sh.Skills {
			if !slices.Contains(w.Skills, s) {
				missing = append(missing, s)
			}
		}
		return fmt.Sprintf("%s lacks %s", w.Name, strings.Join(missing, ", "))
	case ViolHealth:
		if w.LastNegative.IsZero() {
			return fmt.Sprintf("%s has no negative test on record; %s meets residents", w.Name, p.Name)
		}
		return fmt.Sprintf("%s's last negative test (%s) is older than %s at the start; %s meets residents",
			w.Name, clock(w.LastNegative), hoursText(rules.TestWithin), p.Name)
	case ViolUnavailable:
		return fmt.Sprintf("%s is not available on %s", w.Name, day)
	case ViolShiftLength:
		return fmt.Sprintf("the shift lasts %s, more than %s", hoursText(sh.End.Sub(sh.Start)), hoursText(rules.MaxShift))
	case ViolOverlap:
		return fmt.Sprintf("%s is on another shift from %s to %s", w.Name, clock(b.Start), clock(b.End))
	case ViolRest:
		if !b.End.After(sh.Start) {
			return fmt.Sprintf("%s would rest only %s after a shift ending %s (at least %s)", w.Name,
				hoursText(sh.Start.Sub(b.End)), clock(b.End), hoursText(rules.MinRest))
		}
		return fmt.Sprintf("%s would rest only %s before a shift starting %s (at least %s)", w.Name,
			hoursText(b.Start.Sub(sh.End)), clock(b.Start), hoursText(rules.MinRest))
	case ViolHours:
		return fmt.Sprintf("%s would be on duty %s within %s (at most %s)", w.Name,
			hoursText(WindowHours(others, sh.ID, sh.Start, sh.End, rules.Window)), hoursText(rules.Window), hoursText(rules.MaxHours))
	}
	return code
}

// WindowHours returns the most time on duty within any window of the
// given length that includes the new shift [start, end), counting the
// new shift and the other bookings (but not the booking of shiftID, the
// shift itself). The busiest window starts where a booking starts or ends
// where one ends, so only those windows are tried.
func WindowHours(others []Booking, shiftID int64, start, end time.Time, window time.Duration) time.Duration {
	all := make([]Booking, 0, len(others)+1)
	for _, b := range others {
		if b.ShiftID != shiftID || shiftID == 0 {
			all = append(all, b)
		}
	}
	all = append(all, Booking{Start: start, End: end})
	var most time.Duration
	for _, b := range all {
		for _, from := range []time.Time{b.Start, b.End.Add(-window)} {
			to := from.Add(window)
			if !from.Before(end) || !to.After(start) {
				continue
			}
			var sum time.Duration
			for _, c := range all {
				lo, hi := maxTime(c.Start, from), minTime(c.End, to)
				if hi.After(lo) {
					sum += hi.Sub(lo)
				}
			}
			most = max(most, sum)
		}
	}
	return most
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// hoursText writes a duration as hours and minutes: "8h", "7h30m".
func hoursText(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}

// clock writes a time as messages show it, in UTC: pages translate.
func clock(t time.Time) string { return t.UTC().Format("01-02 15:04 UTC") }

// PostFilter selects posts. Zero fields do not filter.
type PostFilter struct {
	ID           *int64
	Under        *int64 // posts of this node or any node under it
	Kind         *PostKind
	CheckpointID *int64
	WithRetired  bool
	Offset       int
	Limit        int
}

// PostUpdate changes a post. Nil fields are left as they are.
type PostUpdate struct {
	Name           *string
	Location       *string
	MeetsResidents *bool
	// LeaderID names the post's leader (0: none).
	LeaderID *int64
	Retired  *bool
}

// ShiftFilter selects shifts. Zero fields do not filter.
type ShiftFilter struct {
	PostID *int64
	Under  *int64 // shifts of posts at or under this node
	// From and To select shifts overlapping [From, To).
	From, To time.Time
	// WorkerID selects the shifts a worker is on.
	WorkerID *int64
	// OnlyOpen selects shifts with places still open.
	OnlyOpen bool
	Limit    int
}

// MaxShifts bounds the shifts one call adds or returns: a district's
// 2,000 posts with three shifts a day for a week are 42,000.
const MaxShifts = 100_000

// AssignRequest puts a worker on a shift.
type AssignRequest struct {
	ShiftID  int64 `json:"shift_id"`
	WorkerID int64 `json:"worker_id"`
	Leader   bool  `json:"leader"`
	// Override is the reason to assign despite the rules that may be
	// overridden; empty to let the rules refuse.
	Override string `json:"override,omitempty"`
}

// FillRequest asks for proposals for the open shifts of the posts at or
// under a node (or of one post) that start in [From, To).
type FillRequest struct {
	PlaceID int64     `json:"place_id"`
	PostID  int64     `json:"post_id,omitempty"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
}

// MaxFillPeriod bounds the period of one auto-fill.
const MaxFillPeriod = 31 * 24 * time.Hour

// Validate checks the period.
func (r FillRequest) Validate() error {
	if r.From.IsZero() || !r.To.After(r.From) {
		return FieldError("to", "the period ends after it starts")
	}
	if r.To.Sub(r.From) > MaxFillPeriod {
		return FieldError("to", "a period is at most 31 days")
	}
	return nil
}

// RosterService keeps posts, their shifts and who is on them, under the
// rules.
//
// Changing posts, shifts and assignments needs PermManageWorkforce; reading
// them PermDuty; everything within the caller's scope (a post is in scope
// when its node is, and a worker when theirs is). The rules apply to the
// whole tree, so only a principal scoped at a root may change them.
//
// Errors: EINVALID for a bad field (Error.Field names it); ENOTFOUND for a
// post, shift, worker or node that does not exist or is outside the scope;
// ECONFLICT for an assignment the rules refuse (its cause is a
// *RuleRefusal listing every rule broken; Field is "override" when a
// reason would let it through), a worker already on the shift, a full
// shift, a checkpoint that has a post already, or a proposal that no
// longer holds; EFORBIDDEN.
type RosterService interface {
	CreatePost(ctx context.Context, p *Post) error
	FindPostByID(ctx context.Context, id int64) (*Post, error)
	// FindPosts returns matching posts by node and name, and the total.
	FindPosts(ctx context.Context, f PostFilter) ([]*Post, int, error)
	UpdatePost(ctx context.Context, id int64, upd PostUpdate) (*Post, error)

	// AddShifts adds shifts (of one or several posts) in one transaction.
	AddShifts(ctx context.Context, shifts []*Shift) error
	FindShiftByID(ctx context.Context, id int64) (*Shift, error)
	// FindShifts returns matching shifts in start order, each with its post
	// and assignments.
	FindShifts(ctx context.Context, f ShiftFilter) ([]*Shift, error)
	// CancelShift removes a shift nobody has checked in to.
	CancelShift(ctx context.Context, id int64, reason string) error

	// Assign puts a worker on a shift, checking the rules (CheckAssignment);
	// an override reason lets overridable violations through, audited.
	Assign(ctx context.Context, req AssignRequest) (*Assignment, error)
	// Unassign takes a worker off a shift they have not checked in to.
	Unassign(ctx context.Context, assignmentID int64, reason string) error
	// Swap exchanges the workers of two assignments, each checked against
	// the rules on the other's shift (override as for Assign).
	Swap(ctx context.Context, a, b int64, override string) error

	// ProposeFill proposes workers for the open places (see ProposeFill):
	// the workers registered at or under the node, or above it up to its
	// community, who are not retired.
	ProposeFill(ctx context.Context, req FillRequest) (*FillResult, error)
	// AcceptFill assigns the proposals chosen, whole or in part, checking
	// each again; when any no longer holds nothing is assigned and the
	// error (ECONFLICT) names the first.
	AcceptFill(ctx context.Context, proposals []Proposal) (int, error)

	// RosterRules returns the rules in force; RosterRuleVersions every
	// version, newest first; SetRosterRules adds a version.
	RosterRules(ctx context.Context) (*RosterRules, error)
	RosterRuleVersions(ctx context.Context) ([]*RosterRules, error)
	SetRosterRules(ctx context.Context, r *RosterRules) error
}
