package frontline

import (
	"context"
	"time"
)

// On duty: workers check in and out of their shifts on a phone, with
// their own account or on the post's device; whoever has not checked in a
// grace period after the start is a no-show and the post's leader is
// alerted; shifts starting soon with places open alert too.

// CheckInWindow reports whether a worker may check in to sh at now: from
// CheckInEarly before the start until the end.
func CheckInWindow(rules RosterRules, sh *Shift, now time.Time) error {
	switch {
	case now.Before(sh.Start.Add(-rules.CheckInEarly)):
		return Errorf(ECONFLICT, "the shift starts at %s; check in from %s before", clock(sh.Start), hoursText(rules.CheckInEarly))
	case !now.Before(sh.End):
		return Errorf(ECONFLICT, "the shift ended at %s", clock(sh.End))
	}
	return nil
}

// Worked returns the time a worker was on duty within [from, to): from
// check-in to check-out, or to the end of the shift when they never
// checked out, or to now while they are still on it.
func (a *Assignment) Worked(sh *Shift, from, to, now time.Time) time.Duration {
	if a.CheckedInAt.IsZero() {
		return 0
	}
	end := a.CheckedOutAt
	if end.IsZero() {
		end = minTime(sh.End, now)
	}
	return overlap(a.CheckedInAt, end, from, to)
}

// HoursRow is one worker's time in an hours report.
type HoursRow struct {
	WorkerID int64      `json:"worker_id"`
	Name     string     `json:"name"`
	Kind     WorkerKind `json:"kind"`
	Unit     string     `json:"unit,omitempty"`
	Shifts   int        `json:"shifts"`
	NoShows  int        `json:"no_shows"`
	// Rostered is the time of their shifts within the period; Worked the
	// time checked in.
	Rostered time.Duration `json:"rostered_ns"`
	Worked   time.Duration `json:"worked_ns"`
}

// UnitHours is the time of one unit's workers; workers without a unit
// are counted by kind, under Unit "" with their Kind.
type UnitHours struct {
	Unit     string        `json:"unit"`
	Kind     WorkerKind    `json:"kind,omitempty"`
	Workers  int           `json:"workers"`
	Shifts   int           `json:"shifts"`
	NoShows  int           `json:"no_shows"`
	Rostered time.Duration `json:"rostered_ns"`
	Worked   time.Duration `json:"worked_ns"`
}

// HoursReport is the hours worked per worker and per unit under a node in
// a period.
type HoursReport struct {
	Place   *Place       `json:"place"`
	From    time.Time    `json:"from"`
	To      time.Time    `json:"to"`
	Workers []*HoursRow  `json:"workers"`
	Units   []*UnitHours `json:"units"`
}

// DutyTable is the day's duty table (值班表) of a node: every post with its
// shifts of the day, their people and leaders.
type DutyTable struct {
	Place *Place      `json:"place"`
	Day   string      `json:"day"`
	Posts []*DutyPost `json:"posts"`
}

// DutyPost is one post of a duty table.
type DutyPost struct {
	Post   *Post    `json:"post"`
	Shifts []*Shift `json:"shifts"`
}

// Leader returns the post's leader for a shift: the shift's own, else the
// post's standing leader; "" when it has none.
func (d *DutyPost) Leader(sh *Shift) string {
	if a := sh.Leader(); a != nil {
		return a.Name
	}
	return d.Post.LeaderName
}

// Alert kinds the roster raises.
const (
	AlertUnfilledShift = "unfilled_shift"
	AlertNoShow        = "no_show"
)

// DutyService records who is on duty and reports it.
//
// Checking in and out needs PermDuty: a user checks in to their own
// shifts (the worker linked to their account), a post's device (a token
// scoped at the post's node) anyone's shift at a post in its scope, and a
// user with PermManageWorkforce anyone's in scope. Reading needs PermDuty;
// the hours report PermReadReports.
//
// Errors: ENOTFOUND for an assignment, node or post that does not exist or
// is outside the scope, or an account without a worker; EFORBIDDEN for
// another worker's shift; ECONFLICT for a check-in outside the shift's
// window, or a check-out before a check-in; EINVALID for a bad period.
type DutyService interface {
	CheckIn(ctx context.Context, assignmentID int64) (*Assignment, error)
	CheckOut(ctx context.Context, assignmentID int64) (*Assignment, error)
	// OnDuty returns the shifts on now at the posts at or under a node (or
	// of one post when postID is set), with who is on them and their
	// status.
	OnDuty(ctx context.Context, placeID, postID int64) ([]*Shift, error)
	// MyShifts returns the shifts of the caller's worker from twelve hours
	// ago for a week.
	MyShifts(ctx context.Context) (*Worker, []*Shift, error)
	// Hours reports the time rostered and worked per worker and unit.
	Hours(ctx context.Context, placeID int64, from, to time.Time) (*HoursReport, error)
	// DutyTable returns the duty table of a node for a day (YYYY-MM-DD),
	// the phones masked; with reveal, whole, which needs PermRevealPerson
	// and is audited.
	DutyTable(ctx context.Context, placeID int64, day string, reveal bool) (*DutyTable, error)

	// AlertUnfilled raises an alert for every shift starting within the
	// rules' UnfilledWithin with places open, once per shift, and returns
	// how many it raised. Several servers may run it at once.
	AlertUnfilled(ctx context.Context) (int, error)
	// MarkNoShows marks the workers not checked in NoShowGrace after their
	// shift's start, alerting the leader of each, once per assignment.
	MarkNoShows(ctx context.Context) (int, error)
}
