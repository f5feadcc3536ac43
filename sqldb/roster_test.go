package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// day0 is the first day of the roster tests; the clock stands at 06:00
// UTC on it (see clock).
var day0 = time.Date(2022, 3, 29, 0, 0, 0, 0, time.UTC)

// h is the time h hours after the start of day0.
func h(n int) time.Time { return day0.Add(time.Duration(n) * time.Hour) }

// rosterFixture is the tree with a post at 罗玉新村社区 and the services,
// asked as the community's secretary.
type rosterFixture struct {
	db      *sqldb.DB
	tr      *tree
	ctx     context.Context
	workers *sqldb.WorkerService
	roster  *sqldb.RosterService
	duty    *sqldb.DutyService
	post    *frontline.Post
	seq     int
	advance func(time.Duration)
}

func newRoster(t *testing.T, db *sqldb.DB) *rosterFixture {
	t.Helper()
	f := &rosterFixture{db: db, tr: buildTree(t, db), advance: clock(db), workers: sqldb.NewWorkerService(db),
		roster: sqldb.NewRosterService(db), duty: sqldb.NewDutyService(db)}
	// Days are read in UTC here, so the dates of day0 are those of h().
	f.roster.Location, f.duty.Location = time.UTC, time.UTC
	f.ctx = as(frontline.RoleCommunitySecretary, f.tr.comm1)
	f.post = f.newPost(t, "1号卡点", frontline.PostCheckpoint)
	return f
}

func (f *rosterFixture) newPost(t *testing.T, name string, kind frontline.PostKind) *frontline.Post {
	t.Helper()
	p := &frontline.Post{PlaceID: f.tr.comm1.ID, Name: name, Kind: kind, MeetsResidents: true}
	if err := f.roster.CreatePost(f.ctx, p); err != nil {
		t.Fatalf("post %s: %v", name, err)
	}
	return p
}

// worker registers a worker at 罗玉新村社区, tested an hour before day0.
func (f *rosterFixture) worker(t *testing.T, name string, kind frontline.WorkerKind, unit string, skills ...string) *frontline.Worker {
	t.Helper()
	f.seq++
	w := &frontline.Worker{PlaceID: f.tr.comm1.ID, Name: name, Kind: kind, Unit: unit, Skills: skills,
		Phone: fmt.Sprintf("1390000%04d", f.seq), LastNegative: h(-1)}
	if err := f.workers.CreateWorker(f.ctx, w); err != nil {
		t.Fatalf("worker %s: %v", name, err)
	}
	return w
}

// shift adds a shift of post from hour a to hour b of day0.
func (f *rosterFixture) shift(t *testing.T, post *frontline.Post, a, b, headcount int) *frontline.Shift {
	t.Helper()
	sh := &frontline.Shift{PostID: post.ID, Start: h(a), End: h(b), Headcount: headcount}
	if err := f.roster.AddShifts(f.ctx, []*frontline.Shift{sh}); err != nil {
		t.Fatalf("shift %d-%d: %v", a, b, err)
	}
	return sh
}

func (f *rosterFixture) assign(t *testing.T, sh *frontline.Shift, w *frontline.Worker) *frontline.Assignment {
	t.Helper()
	a, err := f.roster.Assign(f.ctx, frontline.AssignRequest{ShiftID: sh.ID, WorkerID: w.ID})
	if err != nil {
		t.Fatalf("assign %s: %v", w.Name, err)
	}
	return a
}

// refusedBy checks err is a refusal by exactly the given rules.
func refusedBy(t *testing.T, what string, err error, codes ...string) {
	t.Helper()
	var r *frontline.RuleRefusal
	if !errors.As(err, &r) || frontline.ErrorCode(err) != frontline.ECONFLICT {
		t.Fatalf("%s: %v, want a refusal by %v", what, err, codes)
	}
	var got []string
	for _, v := range r.Violations {
		got = append(got, v.Code)
	}
	if !slices.Equal(got, codes) {
		t.Fatalf("%s: refused by %v, want %v", what, got, codes)
	}
}

// TestRosterAssign refuses each rule broken — overlap, too little rest, a
// shift over 12 hours, over 60 hours in 7 days, a day off — and lets each
// through with a reason, which the audit log keeps; a missing test is
// refused even with one.
func TestRosterAssign(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		day := f.shift(t, f.post, 8, 20, 3)
		override := func(sh *frontline.Shift, w *frontline.Worker, codes ...string) {
			t.Helper()
			_, err := f.roster.Assign(f.ctx, frontline.AssignRequest{ShiftID: sh.ID, WorkerID: w.ID})
			refusedBy(t, w.Name, err, codes...)
			if frontline.ErrorField(err) != "override" {
				t.Fatalf("%s: the refusal is on %q, want override", w.Name, frontline.ErrorField(err))
			}
			a, err := f.roster.Assign(f.ctx, frontline.AssignRequest{ShiftID: sh.ID, WorkerID: w.ID, Override: "人手不足，经书记同意"})
			if err != nil || a.Override != "人手不足，经书记同意" {
				t.Fatalf("%s with a reason: %+v, %v", w.Name, a, err)
			}
		}
		// Overlap: on the day shift, then on one from 18:00.
		w1 := f.worker(t, "王林", frontline.WorkerDepartment, "区林草局")
		f.assign(t, day, w1)
		override(f.shift(t, f.post, 18, 30, 1), w1, frontline.ViolOverlap)
		// Rest: four hours after the day shift.
		w2 := f.worker(t, "李森", frontline.WorkerDepartment, "区林草局")
		f.assign(t, day, w2)
		override(f.shift(t, f.post, 24, 36, 1), w2, frontline.ViolRest)
		// Eight hours is enough.
		w3 := f.worker(t, "赵榆", frontline.WorkerVolunteer, "")
		f.assign(t, f.shift(t, f.post, 8, 20, 1), w3)
		f.assign(t, f.shift(t, f.post, 28, 36, 1), w3)
		// A 14-hour shift.
		override(f.shift(t, f.post, 8, 22, 1), f.worker(t, "张松", frontline.WorkerVolunteer, ""), frontline.ViolShiftLength)
		// Five 12-hour shifts in the five days before: the day shift makes 72.
		w4 := f.worker(t, "刘柏", frontline.WorkerVolunteer, "")
		store := f.newPost(t, "物资库房", frontline.PostDelivery) // meets nobody: no test needed on the days before
		if _, err := f.roster.UpdatePost(f.ctx, store.ID, frontline.PostUpdate{MeetsResidents: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		for d := 1; d <= 5; d++ {
			f.assign(t, f.shift(t, store, 8-24*d, 20-24*d, 1), w4)
		}
		override(day, w4, frontline.ViolHours)
		// A day off.
		w5 := f.worker(t, "陈杨", frontline.WorkerVolunteer, "")
		if _, err := f.workers.UpdateWorker(f.ctx, w5.ID, frontline.WorkerUpdate{Off: &[]string{"2022-03-29"}}); err != nil {
			t.Fatal(err)
		}
		override(f.shift(t, f.post, 8, 16, 1), w5, frontline.ViolUnavailable)
		// No test on record: refused, reason or not.
		w6 := f.worker(t, "杨桦", frontline.WorkerVolunteer, "")
		if _, err := f.workers.UpdateWorker(f.ctx, w6.ID, frontline.WorkerUpdate{LastNegative: &time.Time{}}); err != nil {
			t.Fatal(err)
		}
		late := f.shift(t, f.post, 8, 16, 1)
		_, err := f.roster.Assign(f.ctx, frontline.AssignRequest{ShiftID: late.ID, WorkerID: w6.ID, Override: "急需"})
		refusedBy(t, "no test", err, frontline.ViolHealth)
		if frontline.ErrorField(err) != "worker_id" {
			t.Fatalf("a missing test is refused on %q", frontline.ErrorField(err))
		}
		// A full shift; a worker on it already.
		if _, err := f.roster.Assign(f.ctx, frontline.AssignRequest{ShiftID: day.ID, WorkerID: w5.ID, Override: "x"}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a full shift: %v", err)
		}
		if _, err := f.roster.Assign(f.ctx, frontline.AssignRequest{ShiftID: day.ID, WorkerID: w1.ID, Override: "x"}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("twice on a shift: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'assign' AND after LIKE '%人手不足%'`); n != 5 {
			t.Fatalf("%d overrides in the audit log, want 5", n)
		}
		// Outside the scope: a worker and a shift of 自治巷社区 are not found.
		other := as(frontline.RoleCommunitySecretary, f.tr.comm2)
		if _, err := f.roster.Assign(other, frontline.AssignRequest{ShiftID: day.ID, WorkerID: w5.ID}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community's secretary: %v", err)
		}
		if _, err := f.roster.Assign(as(frontline.RoleVolunteer, f.tr.comm1), frontline.AssignRequest{ShiftID: day.ID, WorkerID: w5.ID}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a volunteer assigns: %v", err)
		}
	})
}

// TestRosterSwap swaps two workers' shifts, and refuses a swap that
// leaves one of them without rest unless a reason is given.
func TestRosterSwap(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		other := f.newPost(t, "2号卡点", frontline.PostCheckpoint)
		wa, wb := f.worker(t, "王林", frontline.WorkerVolunteer, ""), f.worker(t, "李森", frontline.WorkerVolunteer, "")
		s1, s2 := f.shift(t, f.post, 8, 20, 1), f.shift(t, other, 32, 44, 1)
		a1, a2 := f.assign(t, s1, wa), f.assign(t, s2, wb)
		if err := f.roster.Swap(f.ctx, a1.ID, a2.ID, ""); err != nil {
			t.Fatal(err)
		}
		got1, _ := f.roster.FindShiftByID(f.ctx, s1.ID)
		got2, _ := f.roster.FindShiftByID(f.ctx, s2.ID)
		if got1.Assignments[0].WorkerID != wb.ID || got2.Assignments[0].WorkerID != wa.ID {
			t.Fatalf("after the swap: %+v, %+v", got1.Assignments[0], got2.Assignments[0])
		}
		// wc works 08–20 and 32–44; wd works 22–30. Taking wd's shift would
		// leave wc two hours of rest.
		wc, wd := f.worker(t, "张松", frontline.WorkerVolunteer, ""), f.worker(t, "刘柏", frontline.WorkerVolunteer, "")
		f.assign(t, f.shift(t, f.post, 8, 20, 1), wc)
		q := f.assign(t, f.shift(t, other, 32, 44, 1), wc)
		r := f.assign(t, f.shift(t, f.post, 22, 30, 1), wd)
		refusedBy(t, "swap without rest", f.roster.Swap(f.ctx, q.ID, r.ID, ""), frontline.ViolRest)
		if err := f.roster.Swap(f.ctx, q.ID, r.ID, "张松自愿连班"); err != nil {
			t.Fatalf("swap with a reason: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'swap' AND after LIKE '%自愿连班%'`); n != 1 {
			t.Fatalf("%d swaps with the reason in the audit log", n)
		}
		if err := f.roster.Swap(f.ctx, q.ID, q.ID, ""); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Fatalf("a swap with itself: %v", err)
		}
	})
}

// TestRosterAutoFill proposes workers for a crafted district — two
// checkpoints with two shifts a day, a sampling station, cadres of two
// bureaus, volunteers and a sampler — accepts part of it, and refuses an
// acceptance that no longer holds without writing any of it.
func TestRosterAutoFill(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		second := f.newPost(t, "2号卡点", frontline.PostCheckpoint)
		station := f.newPost(t, "枣园采样点", frontline.PostStation)
		for i := range 4 {
			f.worker(t, fmt.Sprintf("林%d", i), frontline.WorkerDepartment, "区林草局")
		}
		for i := range 4 {
			f.worker(t, fmt.Sprintf("水%d", i), frontline.WorkerDepartment, "区水务局")
		}
		f.worker(t, "何勇", frontline.WorkerVolunteer, "")
		nurse := f.worker(t, "白雪", frontline.WorkerSampler, "", frontline.SkillSampling)
		var shifts []*frontline.Shift
		for _, p := range []*frontline.Post{f.post, second} {
			shifts = append(shifts, &frontline.Shift{PostID: p.ID, Start: h(8), End: h(16), Headcount: 2},
				&frontline.Shift{PostID: p.ID, Start: h(16), End: h(24), Headcount: 2})
		}
		shifts = append(shifts, &frontline.Shift{PostID: station.ID, Role: frontline.RoleSamplerDuty, Start: h(6), End: h(14), Headcount: 2})
		if err := f.roster.AddShifts(f.ctx, shifts); err != nil {
			t.Fatal(err)
		}
		res, err := f.roster.ProposeFill(f.ctx, frontline.FillRequest{PlaceID: f.tr.comm1.ID, From: h(0), To: h(24)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Open != 10 || len(res.Proposals) != 9 || res.Unfilled != 1 {
			t.Fatalf("open %d, proposed %d, unfilled %d; want 10, 9, 1", res.Open, len(res.Proposals), res.Unfilled)
		}
		units := map[int64]map[string]bool{}
		for _, p := range res.Proposals {
			if units[p.PostID] == nil {
				units[p.PostID] = map[string]bool{}
			}
			units[p.PostID][p.Unit] = true
			if p.PostID == station.ID && p.WorkerID != nurse.ID {
				t.Errorf("the station gets %s, who cannot sample", p.WorkerName)
			}
		}
		if len(units[f.post.ID]) != 1 || len(units[second.ID]) != 1 || units[f.post.ID]["区林草局"] == units[second.ID]["区林草局"] {
			t.Fatalf("each checkpoint keeps one bureau: %v, %v", units[f.post.ID], units[second.ID])
		}
		// Accept the first checkpoint's proposals only.
		var mine []frontline.Proposal
		for _, p := range res.Proposals {
			if p.PostID == f.post.ID {
				mine = append(mine, p)
			}
		}
		if n, err := f.roster.AcceptFill(f.ctx, mine); err != nil || n != 4 {
			t.Fatalf("accept %d: %d, %v", len(mine), n, err)
		}
		// Accepting the whole proposal now fails on the first that no
		// longer holds, and writes none of the others.
		before := count(t, db, `SELECT COUNT(*) FROM duty_assignments`)
		if _, err := f.roster.AcceptFill(f.ctx, res.Proposals); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("accept it all again: %v", err)
		}
		if after := count(t, db, `SELECT COUNT(*) FROM duty_assignments`); after != before {
			t.Fatalf("a refused acceptance wrote %d assignments", after-before)
		}
		again, err := f.roster.ProposeFill(f.ctx, frontline.FillRequest{PlaceID: f.tr.comm1.ID, From: h(0), To: h(24)})
		if err != nil || again.Open != 6 || len(again.Proposals) != 5 {
			t.Fatalf("the proposal after accepting part: %+v, %v", again, err)
		}
		if n := count(t, db, `SELECT assigned FROM duty_shifts WHERE id = ?`, shifts[0].ID); n != 2 {
			t.Fatalf("the first shift counts %d assigned", n)
		}
	})
}

// TestShiftCheckIn checks in by the worker's own account and by the post's
// device, refuses another worker's account and a check-in before the
// window, marks a no-show once with one alert in the outbox however many
// times (and on however many servers) the job runs, and alerts an
// unfilled shift starting soon once.
func TestShiftCheckIn(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		users := userService(db)
		leader, cadre, late := f.worker(t, "王林", frontline.WorkerDepartment, "区林草局"), f.worker(t, "李森", frontline.WorkerDepartment, "区林草局"),
			f.worker(t, "何勇", frontline.WorkerVolunteer, "")
		u := mustUser(t, users, "lisen", frontline.RoleVolunteer, f.tr.comm1)
		if _, err := f.workers.UpdateWorker(f.ctx, cadre.ID, frontline.WorkerUpdate{UserID: &u.ID}); err != nil {
			t.Fatal(err)
		}
		sh := f.shift(t, f.post, 6, 18, 3) // the clock is at 06:00
		if _, err := f.roster.Assign(f.ctx, frontline.AssignRequest{ShiftID: sh.ID, WorkerID: leader.ID, Leader: true}); err != nil {
			t.Fatal(err)
		}
		ac, al := f.assign(t, sh, cadre), f.assign(t, sh, late)
		self := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: u.ID, Login: u.Login, Role: u.Role,
			ScopeID: f.tr.comm1.ID, ScopePath: f.tr.comm1.Path})
		if _, err := f.duty.CheckIn(self, al.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("checking in another worker: %v", err)
		}
		a, err := f.duty.CheckIn(self, ac.ID)
		if err != nil || a.Status != frontline.AssignCheckedIn || a.CheckedBy != "lisen" {
			t.Fatalf("check in: %+v, %v", a, err)
		}
		if again, err := f.duty.CheckIn(self, ac.ID); err != nil || !again.CheckedInAt.Equal(a.CheckedInAt) {
			t.Fatalf("a retried check-in moved: %+v, %v", again, err)
		}
		device := frontline.WithPrincipal(context.Background(), &frontline.Principal{TokenID: 7, Login: "token:1号卡点",
			Role: frontline.RoleVolunteer, ScopeID: f.tr.comm1.ID, ScopePath: f.tr.comm1.Path})
		tomorrow := f.shift(t, f.post, 30, 42, 1)
		at := f.assign(t, tomorrow, leader)
		if _, err := f.duty.CheckIn(device, at.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a check-in a day early: %v", err)
		}
		if a, err := f.duty.CheckIn(device, f.assignmentOf(t, sh, leader)); err != nil || a.CheckedBy != "token:1号卡点" {
			t.Fatalf("check in at the post's device: %+v, %v", a, err)
		}
		onDuty, err := f.duty.OnDuty(f.ctx, f.tr.comm1.ID, 0)
		if err != nil || len(onDuty) != 1 || len(onDuty[0].Assignments) != 3 {
			t.Fatalf("on duty: %+v, %v", onDuty, err)
		}
		// 何勇 never checks in: 31 minutes after the start he is a no-show.
		f.advance(31 * time.Minute)
		sys := context.Background()
		for range 3 {
			if _, err := f.duty.MarkNoShows(sys); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := f.roster.FindShiftByID(f.ctx, sh.ID)
		for _, a := range got.Assignments {
			if want := map[int64]frontline.AssignmentStatus{leader.ID: frontline.AssignCheckedIn, cadre.ID: frontline.AssignCheckedIn,
				late.ID: frontline.AssignNoShow}[a.WorkerID]; a.Status != want {
				t.Errorf("%s is %s, want %s", a.Name, a.Status, want)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE topic = ? AND recipient = ?`, frontline.AlertNoShow, leader.Phone); n != 1 {
			t.Fatalf("%d no-show alerts to the leader, want 1", n)
		}
		// The no-show is in the inbox too, open, until he comes.
		openAlerts := func(kind string) int {
			return count(t, db, `SELECT COUNT(*) FROM alerts WHERE kind = ? AND resolved_at IS NULL`, kind)
		}
		if n := openAlerts(frontline.AlertNoShow); n != 1 {
			t.Fatalf("%d open no-show alerts in the inbox, want 1", n)
		}
		// He comes late after all, which handles the alert.
		if a, err := f.duty.CheckIn(sys, al.ID); err != nil || a.Status != frontline.AssignCheckedIn {
			t.Fatalf("checking in late: %+v, %v", a, err)
		}
		if n := openAlerts(frontline.AlertNoShow); n != 0 {
			t.Errorf("%d open no-show alerts after the late check-in, want 0", n)
		}
		// A shift at 08:00 with a place open: alerted once, within two hours.
		open := f.shift(t, f.post, 8, 16, 2)
		f.assign(t, open, f.worker(t, "张松", frontline.WorkerVolunteer, ""))
		for range 2 {
			if _, err := f.duty.AlertUnfilled(sys); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM outbox WHERE topic = ? AND body LIKE '%还缺 1 人%'`, frontline.AlertUnfilledShift); n != 1 {
			t.Fatalf("%d unfilled-shift alerts, want 1", n)
		}
		if n := openAlerts(frontline.AlertUnfilledShift); n != 1 {
			t.Fatalf("%d open unfilled-shift alerts in the inbox, want 1", n)
		}
		f.assign(t, open, f.worker(t, "李桐", frontline.WorkerVolunteer, ""))
		if n := openAlerts(frontline.AlertUnfilledShift); n != 0 {
			t.Errorf("%d open unfilled-shift alerts once the shift is full, want 0", n)
		}
		if a, err := f.duty.CheckOut(self, ac.ID); err != nil || a.Status != frontline.AssignCheckedOut {
			t.Fatalf("check out: %+v, %v", a, err)
		}
		f.advance(12 * time.Hour)
		rep, err := f.duty.Hours(f.ctx, f.tr.comm1.ID, h(0), h(24))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Workers {
			if r.WorkerID == late.ID && (r.NoShows != 0 || r.Worked <= 0 || r.Rostered != 12*time.Hour) {
				t.Errorf("hours of 何勇: %+v", r)
			}
		}
		if len(rep.Units) == 0 || rep.Units[0].Unit == "" && rep.Units[0].Kind == "" {
			t.Fatalf("hours per unit: %+v", rep.Units)
		}
	})
}

func (f *rosterFixture) assignmentOf(t *testing.T, sh *frontline.Shift, w *frontline.Worker) int64 {
	t.Helper()
	got, err := f.roster.FindShiftByID(f.ctx, sh.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got.Assignments {
		if a.WorkerID == w.ID {
			return a.ID
		}
	}
	t.Fatalf("%s is not on shift %d", w.Name, sh.ID)
	return 0
}

// TestShiftDutyTable reads a day's duty table with phones masked, and
// whole for a reader who may see them, which the audit log records.
func TestShiftDutyTable(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		f.newPost(t, "上门采样组", frontline.PostHomeSample)
		w := f.worker(t, "王林", frontline.WorkerDepartment, "区林草局")
		f.assign(t, f.shift(t, f.post, 8, 20, 2), w)
		table, err := f.duty.DutyTable(as(frontline.RoleVolunteer, f.tr.comm1), f.tr.comm1.ID, "2022-03-29", false)
		if err != nil || len(table.Posts) != 2 || len(table.Posts[0].Shifts) != 1 {
			t.Fatalf("duty table %+v, %v", table, err)
		}
		if p := table.Posts[0].Shifts[0].Assignments[0].Phone; p != frontline.MaskPhone(w.Phone) {
			t.Fatalf("a volunteer reads the phone %q", p)
		}
		if _, err := f.duty.DutyTable(as(frontline.RoleVolunteer, f.tr.comm1), f.tr.comm1.ID, "2022-03-29", true); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a volunteer reveals the phones: %v", err)
		}
		full, err := f.duty.DutyTable(f.ctx, f.tr.comm1.ID, "2022-03-29", true)
		if err != nil || full.Posts[0].Shifts[0].Assignments[0].Phone != w.Phone {
			t.Fatalf("the secretary's table: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'reveal' AND entity = 'duty_table'`); n != 1 {
			t.Fatalf("%d reveals audited", n)
		}
	})
}
