package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// openAlerts counts the open alerts of kind.
func openAlerts(t *testing.T, db *sqldb.DB, kind string) []*frontline.Alert {
	t.Helper()
	list, _, err := sqldb.NewAlertService(db).FindAlerts(context.Background(), frontline.AlertFilter{Kind: &kind, Open: true})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func mustHelp(t *testing.T, s *sqldb.HelpService, ctx context.Context, h *frontline.HelpRequest) *frontline.HelpRequest {
	t.Helper()
	out, err := s.RaiseHelp(ctx, h)
	if err != nil {
		t.Fatalf("raise %+v: %v", h, err)
	}
	return out
}

// TestHelp_Targets keeps the deadlines the migration stores equal to
// DefaultHelpTargets, and lets only a root's user manager change one.
func TestHelp_Targets(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		s := sqldb.NewHelpService(db)
		got, err := s.HelpTargets(context.Background())
		if err != nil || len(got) != len(frontline.DefaultHelpTargets()) {
			t.Fatalf("targets: %d, %v", len(got), err)
		}
		for i, want := range frontline.DefaultHelpTargets() {
			if *got[i] != *want {
				t.Errorf("stored %+v, default %+v", got[i], want)
			}
		}
		change := &frontline.HelpTarget{Category: frontline.HelpOther, AckWithin: 30 * time.Minute, ResolveWithin: 12 * time.Hour}
		wantCode(t, "a community changes a target", s.UpdateHelpTarget(as(frontline.RoleCommunitySecretary, tr.comm1), change), frontline.EFORBIDDEN)
		if err := s.UpdateHelpTarget(as(frontline.RoleCityAdmin, tr.city), change); err != nil {
			t.Fatal(err)
		}
		bad := &frontline.HelpTarget{Category: frontline.HelpOther, AckWithin: time.Hour, ResolveWithin: time.Minute}
		if err := s.UpdateHelpTarget(as(frontline.RoleCityAdmin, tr.city), bad); frontline.ErrorField(err) != "resolve_within" {
			t.Fatalf("resolve before acknowledge: %v", err)
		}
		h := mustHelp(t, s, as(frontline.RoleGridWorker, tr.comm1), &frontline.HelpRequest{HouseholdID: tr.hh[0].ID,
			Category: frontline.HelpOther, Need: "门锁坏了", Phone: "13800000001"})
		if h.AckDue.Sub(h.CreatedAt) != 30*time.Minute || h.ResolveDue.Sub(h.CreatedAt) != 12*time.Hour {
			t.Fatalf("deadlines after the change: %v %v", h.AckDue.Sub(h.CreatedAt), h.ResolveDue.Sub(h.CreatedAt))
		}
	})
}

// TestHelp_TargetsAllOrNone changes several categories at once: a bad one
// (resolve before acknowledge) leaves every category as it was; a good
// set changes them, audits each changed one with its old and new
// deadlines and none given as it was; a district admin, not at the top,
// is refused.
func TestHelp_TargetsAllOrNone(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		s := sqldb.NewHelpService(db)
		root := as(frontline.RoleCityAdmin, tr.city)
		dialysis := &frontline.HelpTarget{Category: frontline.HelpDialysis, AckWithin: 10 * time.Minute, ResolveWithin: 90 * time.Minute, Medical: true}
		bad := &frontline.HelpTarget{Category: frontline.HelpOther, AckWithin: 2 * time.Hour, ResolveWithin: time.Hour}
		if _, err := s.UpdateHelpTargets(root, []*frontline.HelpTarget{dialysis, bad}); frontline.ErrorField(err) != "resolve_within" {
			t.Fatalf("a bad target among good ones: %v", err)
		}
		got, _ := s.HelpTargets(context.Background())
		if *got[0] != *frontline.DefaultHelpTargets()[0] {
			t.Fatalf("dialysis changed by a refused set: %+v", got[0])
		}
		wantCode(t, "a district changes the targets", func() error {
			_, err := s.UpdateHelpTargets(as(frontline.RoleDistrictAdmin, tr.district), []*frontline.HelpTarget{dialysis})
			return err
		}(), frontline.EFORBIDDEN)
		same := frontline.DefaultHelpTargets()[6] // other, as it is
		n, err := s.UpdateHelpTargets(root, []*frontline.HelpTarget{dialysis, same})
		if err != nil || n != 1 {
			t.Fatalf("changed %d, %v", n, err)
		}
		got, _ = s.HelpTargets(context.Background())
		if *got[0] != *dialysis || *got[6] != *same {
			t.Fatalf("after the change: %+v %+v", got[0], got[6])
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'help_target' AND before LIKE '%900%' AND after LIKE '%600%'`); n != 1 {
			t.Errorf("%d audit rows with the old and new deadlines", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'help_target'`); n != 1 {
			t.Errorf("%d audit rows for one change", n)
		}
	})
}

// TestHelp_UrgentDeadlines raises a dialysis request on a fake clock: no
// alert before 15 minutes, the unacknowledged alert after, escalated one
// level up when nobody takes it on in its kind's time, resolved by the
// acknowledgement; then the 2-hour alert, resolved by the resolution.
func TestHelp_UrgentDeadlines(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		p := mustPerson(t, db, tr.hh[0].ID, "透析居民", false)
		s, alerts := sqldb.NewHelpService(db), sqldb.NewAlertService(db)
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system:alerts"})
		grid := as(frontline.RoleGridWorker, tr.comm1)
		h := mustHelp(t, s, grid, &frontline.HelpRequest{HouseholdID: tr.hh[0].ID, PersonID: p.ID, Category: frontline.HelpDialysis,
			Need: "周三透析，需要车辆去市医院", Phone: "138-0000-0002"})
		if h.Status != frontline.HelpOpen || !h.Medical || h.AckDue.Sub(h.CreatedAt) != 15*time.Minute || h.ResolveDue.Sub(h.CreatedAt) != 2*time.Hour ||
			h.Phone != "13800000002" || h.PhoneMasked != "138****0002" {
			t.Fatalf("raised %+v", h)
		}
		job := func(want int) {
			t.Helper()
			if n, err := s.AlertLateHelp(sys); err != nil || n != want {
				t.Fatalf("the job raised %d (want %d): %v", n, want, err)
			}
		}
		advance(14 * time.Minute)
		job(0)
		if len(openAlerts(t, db, frontline.AlertHelpUnacked)) != 0 {
			t.Fatal("alerted before its 15 minutes")
		}
		advance(2 * time.Minute)
		job(1)
		job(0) // a second server, or the next minute: once
		list := openAlerts(t, db, frontline.AlertHelpUnacked)
		if len(list) != 1 || list[0].SubjectID != h.ID || list[0].Action != fmt.Sprintf("/help/%d", h.ID) || list[0].Detail != "透*** · 透析" {
			t.Fatalf("unacked alerts: %+v", list)
		}
		// Nobody takes it on: one level up, to the subdistrict.
		secretary, subdistrict := as(frontline.RoleCommunitySecretary, tr.comm1), as(frontline.RoleSubdistrictAdmin, tr.sub)
		unread := func(ctx context.Context) int {
			t.Helper()
			n, err := alerts.Unread(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if unread(secretary) != 1 || unread(subdistrict) != 0 {
			t.Fatalf("before escalating: %d, %d", unread(secretary), unread(subdistrict))
		}
		advance(11 * time.Minute)
		if n, err := alerts.Escalate(sys); err != nil || n != 1 {
			t.Fatalf("escalate: %d, %v", n, err)
		}
		if unread(subdistrict) != 1 {
			t.Fatal("the subdistrict does not see the escalated request")
		}
		device := frontline.WithPrincipal(context.Background(), &frontline.Principal{TokenID: 3, Login: "pad", Role: frontline.RoleCommunityStaff,
			ScopeID: tr.comm1.ID, ScopePath: tr.comm1.Path})
		_, err := s.AcknowledgeHelp(device, h.ID)
		wantCode(t, "a device acknowledges", err, frontline.EFORBIDDEN)
		acked, err := s.AcknowledgeHelp(secretary, h.ID)
		if err != nil || acked.Status != frontline.HelpAcked || acked.AckedBy != "as_community_secretary" {
			t.Fatalf("acknowledged %+v, %v", acked, err)
		}
		if again, err := s.AcknowledgeHelp(grid, h.ID); err != nil || again.AckedBy != "as_community_secretary" {
			t.Fatalf("acknowledged again: %+v, %v", again, err)
		}
		if len(openAlerts(t, db, frontline.AlertHelpUnacked)) != 0 {
			t.Fatal("the acknowledgement left its alert open")
		}
		// Two hours from the request: not resolved, late.
		advance(2*time.Hour - 28*time.Minute)
		job(0)
		advance(2 * time.Minute)
		job(1)
		if len(openAlerts(t, db, frontline.AlertHelpLate)) != 1 {
			t.Fatal("no late alert after 2 hours")
		}
		if _, err := s.ResolveHelp(secretary, h.ID, ""); frontline.ErrorField(err) != "outcome" {
			t.Fatalf("resolved without an outcome: %v", err)
		}
		done, err := s.ResolveHelp(secretary, h.ID, "社区车辆送至市医院透析，已返回")
		if err != nil || done.Status != frontline.HelpResolved || done.Outcome == "" {
			t.Fatalf("resolved %+v, %v", done, err)
		}
		if len(openAlerts(t, db, frontline.AlertHelpLate)) != 0 {
			t.Fatal("the resolution left its alert open")
		}
		advance(time.Hour)
		job(0)
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'help_request' AND entity_id = ?`, h.ID); n != 3 {
			t.Fatalf("%d audit entries (create, acknowledge, resolve)", n)
		}
	})
}

// TestHelp_ResolvedBeforeLate: a request resolved at once is never
// alerted; resolving an open one acknowledges it too.
func TestHelp_ResolvedBeforeLate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		s := sqldb.NewHelpService(db)
		staff := as(frontline.RoleCommunityStaff, tr.comm1)
		h := mustHelp(t, s, staff, &frontline.HelpRequest{HouseholdID: tr.hh[1].ID, Category: frontline.HelpPregnancy,
			Need: "孕38周，见红", Phone: "13800000003"})
		done, err := s.ResolveHelp(staff, h.ID, "120已接走")
		if err != nil || done.AckedBy != "as_community_staff" || done.Status != frontline.HelpResolved {
			t.Fatalf("resolved %+v, %v", done, err)
		}
		if again, err := s.ResolveHelp(staff, h.ID, "120已接走"); err != nil || again.ID != h.ID {
			t.Fatalf("the same resolution again: %v", err)
		}
		advance(3 * time.Hour)
		if n, err := s.AlertLateHelp(context.Background()); err != nil || n != 0 {
			t.Fatalf("a resolved request alerted: %d, %v", n, err)
		}
	})
}

// TestHelp_BoardOrder lists open requests by their next deadline: an
// unacknowledged dialysis request (15 minutes) before an acknowledged one
// whose 2 hours end later, before a request of another category with an
// hour to acknowledge; resolved ones last.
func TestHelp_BoardOrder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		s := sqldb.NewHelpService(db)
		staff := as(frontline.RoleCommunitySecretary, tr.comm1)
		raise := func(hh *frontline.Place, c frontline.HelpCategory) *frontline.HelpRequest {
			return mustHelp(t, s, staff, &frontline.HelpRequest{HouseholdID: hh.ID, Category: c, Need: "需要帮助", Phone: "13800000004"})
		}
		other := raise(tr.hh[0], frontline.HelpOther)    // ack due +60m
		acked := raise(tr.hh[1], frontline.HelpChemo)    // ack due +15m, then resolve due +120m
		resolved := raise(tr.hh[1], frontline.HelpAcute) // resolved: last
		advance(10 * time.Minute)
		urgent := raise(tr.hh[0], frontline.HelpDialysis) // ack due +25m
		if _, err := s.AcknowledgeHelp(staff, acked.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResolveHelp(staff, resolved.ID, "已送医"); err != nil {
			t.Fatal(err)
		}
		list, total, err := s.FindHelp(staff, frontline.HelpFilter{Under: &tr.comm1.ID})
		if err != nil || total != 4 {
			t.Fatalf("board: %d, %v", total, err)
		}
		want := []int64{urgent.ID, other.ID, acked.ID, resolved.ID}
		for i, h := range list {
			if h.ID != want[i] {
				t.Fatalf("board order %d: got %d, want %v", i, h.ID, want)
			}
		}
		open, n, err := s.FindHelp(staff, frontline.HelpFilter{Under: &tr.comm1.ID, Open: true})
		if err != nil || n != 3 || len(open) != 3 || open[0].Address == "" {
			t.Fatalf("open: %d, %v", n, err)
		}
	})
}

// TestHelp_Scope: requests are raised and seen only in the caller's
// scope; a retried request (same key) acts once; the phone is revealed
// only to a role that may, and the reveal is audited; a link raises for
// its household alone.
func TestHelp_Scope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock(db)
		tr := buildTree(t, db)
		s := sqldb.NewHelpService(db)
		mine, other := as(frontline.RoleGridWorker, tr.comm1), as(frontline.RoleGridWorker, tr.comm2)
		req := func() *frontline.HelpRequest {
			return &frontline.HelpRequest{HouseholdID: tr.hh[0].ID, Category: frontline.HelpMedicine, Need: "胰岛素只剩一天", Phone: "13800000005", Key: "tok-1"}
		}
		_, err := s.RaiseHelp(other, req())
		wantCode(t, "raise outside the scope", err, frontline.ENOTFOUND)
		_, err = s.RaiseHelp(as(frontline.RoleVolunteer, tr.comm1), req())
		wantCode(t, "a volunteer raises", err, frontline.EFORBIDDEN)
		first := mustHelp(t, s, mine, req())
		again := mustHelp(t, s, mine, req())
		if again.ID != first.ID || count(t, db, `SELECT COUNT(*) FROM help_requests`) != 1 {
			t.Fatalf("a retry raised another request: %d, %d", first.ID, again.ID)
		}
		if _, err := s.FindHelpByID(other, first.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community reads it: %v", err)
		}
		if list, n, err := s.FindHelp(other, frontline.HelpFilter{}); err != nil || n != 0 || len(list) != 0 {
			t.Fatalf("another community lists %d, %v", n, err)
		}
		bad := req()
		bad.Key, bad.Phone = "", "12"
		if _, err := s.RaiseHelp(mine, bad); frontline.ErrorField(err) != "phone" {
			t.Fatalf("a bad phone: %v", err)
		}
		bad.Phone, bad.Category = "13800000005", "snacks"
		if _, err := s.RaiseHelp(mine, bad); frontline.ErrorField(err) != "category" {
			t.Fatalf("a bad category: %v", err)
		}
		stranger := mustPerson(t, db, tr.hh[2].ID, "外人", false)
		bad.Category, bad.PersonID = frontline.HelpAcute, stranger.ID
		if _, err := s.RaiseHelp(mine, bad); frontline.ErrorField(err) != "person_id" {
			t.Fatalf("a person of another household: %v", err)
		}
		_, err = s.RevealHelpPhone(as(frontline.RoleVolunteer, tr.comm1), first.ID)
		wantCode(t, "a volunteer reveals", err, frontline.EFORBIDDEN)
		phone, err := s.RevealHelpPhone(mine, first.ID)
		if err != nil || phone != "13800000005" {
			t.Fatalf("reveal: %q, %v", phone, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'help_request' AND action = 'reveal'`); n != 1 {
			t.Fatalf("%d reveals audited", n)
		}
		// The household's own link.
		_, secret, err := sqldb.NewOrderService(db).CreateOrderLink(as(frontline.RoleCommunityStaff, tr.comm1), tr.hh[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		byLink := &frontline.HelpRequest{HouseholdID: tr.hh[0].ID, Category: frontline.HelpAcute, Need: "孩子高烧39度", Phone: "13800000006", Key: "tok-2"}
		h, err := s.RaiseHelpByLink(context.Background(), secret, byLink)
		if err != nil || h.HouseholdID != tr.hh[1].ID || h.Source != frontline.HelpByLink || h.Address != "" {
			t.Fatalf("by link: %+v, %v", h, err)
		}
		if again, err := s.RaiseHelpByLink(context.Background(), secret, &frontline.HelpRequest{Category: frontline.HelpAcute,
			Need: "孩子高烧39度", Phone: "13800000006", Key: "tok-2"}); err != nil || again.ID != h.ID {
			t.Fatalf("a retried link request: %v", err)
		}
		mineByLink, err := s.HelpByLink(context.Background(), secret)
		if err != nil || len(mineByLink) != 1 {
			t.Fatalf("the link's requests: %d, %v", len(mineByLink), err)
		}
		if _, err := s.RaiseHelpByLink(context.Background(), "not-a-secret-of-anyone-at-all", byLink); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a bad link: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'help_request' AND actor LIKE 'household:link-%'`); n != 1 {
			t.Fatalf("%d link requests audited in the link's name", n)
		}
	})
}

// TestHelp_TripUnderSealedZone plans a dialysis trip from a household of
// a sealed compound: planning asks the zone (closed-loop) and the
// person's restrictions; the compound's gate refuses the person before
// the trip is on, lets them out (and back in) while it is on, and refuses
// again once it is back. An isolated person's trip goes as a transfer.
func TestHelp_TripUnderSealedZone(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		ctx := context.Background()
		tr := buildTree(t, db)
		patient := mustPerson(t, db, tr.hh[0].ID, "透析病人", false)
		gate := openCheckpoint(t, db, ctx, tr.comp1, "枣园小区南门", db.Now())
		mustZone(t, sqldb.NewZoneService(db), ctx, tr.comp1, frontline.LevelSealed)
		driver := &frontline.Worker{PlaceID: tr.comm1.ID, Name: "赵师傅", Kind: frontline.WorkerVolunteer, Phone: "13900000099"}
		if err := sqldb.NewWorkerService(db).CreateWorker(ctx, driver); err != nil {
			t.Fatal(err)
		}
		s, gates := sqldb.NewHelpService(db), sqldb.NewCheckpointService(db)
		staff := as(frontline.RoleCommunityStaff, tr.comm1)
		h := mustHelp(t, s, staff, &frontline.HelpRequest{HouseholdID: tr.hh[0].ID, PersonID: patient.ID, Category: frontline.HelpDialysis,
			Need: "每周一三五透析", Phone: "13800000007"})
		pass := func(dir frontline.Direction) *frontline.Passage {
			t.Helper()
			p := &frontline.Passage{CheckpointID: gate.ID, Kind: frontline.PassResident, PersonID: patient.ID, Direction: dir}
			if err := gates.RecordPassage(as(frontline.RoleVolunteer, tr.comm1), p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		if p := pass(frontline.DirOut); p.Allowed {
			t.Fatal("the gate let a sealed resident out with no trip")
		}
		trip := &frontline.HelpTrip{RequestID: h.ID, Plate: "甘e 12345", DriverID: driver.ID, Hospital: "天水市第一人民医院",
			LeaveAt: db.Now().Add(2 * time.Hour)}
		_, err := s.PlanTrip(as(frontline.RoleGridWorker, tr.comm1), trip)
		wantCode(t, "a grid worker plans a trip", err, frontline.EFORBIDDEN)
		planned, err := s.PlanTrip(staff, trip)
		if err != nil {
			t.Fatal(err)
		}
		if planned.Mode != frontline.TripClosedLoop || planned.Level != frontline.LevelSealed || planned.Plate != "甘E12345" ||
			planned.Driver != "赵师傅" || planned.Status != frontline.TripPlanned {
			t.Fatalf("planned %+v", planned)
		}
		if _, err := s.PlanTrip(staff, &frontline.HelpTrip{RequestID: h.ID, Plate: "甘E1", DriverID: driver.ID, Hospital: "医院",
			LeaveAt: db.Now().Add(time.Hour)}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a second trip on: %v", err)
		}
		// Two hours before it leaves, the trip is not on yet.
		if p := pass(frontline.DirOut); p.Allowed {
			t.Fatal("the gate let the person out hours before the trip")
		}
		advance(time.Hour + 40*time.Minute)
		out := pass(frontline.DirOut)
		if !out.Allowed || len(out.Notes) == 0 || out.Notes[0].Code != frontline.ReasonHospitalTrip {
			t.Fatalf("the trip's person at the gate: allowed %v, %+v, notes %+v", out.Allowed, out.Reasons, out.Notes)
		}
		for _, from := range []frontline.TripStatus{frontline.TripPlanned, frontline.TripOut} {
			if _, err := s.StepTrip(staff, planned.ID, from, from.Next()); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.StepTrip(staff, planned.ID, frontline.TripOut, frontline.TripArrived); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a step taken twice: %v", err)
		}
		advance(4 * time.Hour)
		if p := pass(frontline.DirIn); !p.Allowed {
			t.Fatalf("the trip's person back at the gate: %+v", p.Reasons)
		}
		back, err := s.StepTrip(staff, planned.ID, frontline.TripArrived, frontline.TripReturned)
		if err != nil || back.ReturnedAt.IsZero() {
			t.Fatalf("returned %+v, %v", back, err)
		}
		if p := pass(frontline.DirOut); p.Allowed {
			t.Fatal("the gate let the person out after the trip was back")
		}
		rs, err := sqldb.NewRestrictionService(db, nil).Restrictions(staff, []int64{patient.ID})
		if err != nil || rs[patient.ID].Trip() != nil {
			t.Fatalf("a permit after the trip: %+v, %v", rs[patient.ID], err)
		}

		// An isolated person goes as a transfer.
		isolated := mustPerson(t, db, tr.hh[1].ID, "隔离孕妇", false)
		if _, err := sqldb.NewCaseService(db).ReportCase(staff, &frontline.CaseReport{PersonID: isolated.ID, Source: frontline.SourceHospital,
			ExternalRef: "H-9", Reporter: "市第一人民医院", ConfirmedAt: db.Now()}); err != nil {
			t.Fatal(err)
		}
		h2 := mustHelp(t, s, staff, &frontline.HelpRequest{HouseholdID: tr.hh[1].ID, PersonID: isolated.ID, Category: frontline.HelpPregnancy,
			Need: "临产", Phone: "13800000008"})
		t2, err := s.PlanTrip(staff, &frontline.HelpTrip{RequestID: h2.ID, Plate: "甘E120", DriverID: driver.ID, Hospital: "市妇幼保健院",
			LeaveAt: db.Now()})
		if err != nil || t2.Mode != frontline.TripTransfer || t2.Restriction != frontline.RestrictCase {
			t.Fatalf("an isolated person's trip: %+v, %v", t2, err)
		}
	})
}

// TestHelp_TripOrdinary: outside any zone a trip is ordinary, and a
// trip's person must be of the household and the driver of the workforce.
func TestHelp_TripOrdinary(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock(db)
		ctx := context.Background()
		tr := buildTree(t, db)
		patient := mustPerson(t, db, tr.hh[2].ID, "化疗病人", false)
		driver := &frontline.Worker{PlaceID: tr.comm2.ID, Name: "钱师傅", Kind: frontline.WorkerVolunteer}
		if err := sqldb.NewWorkerService(db).CreateWorker(ctx, driver); err != nil {
			t.Fatal(err)
		}
		s := sqldb.NewHelpService(db)
		staff := as(frontline.RoleCommunityStaff, tr.comm2)
		h := mustHelp(t, s, staff, &frontline.HelpRequest{HouseholdID: tr.hh[2].ID, Category: frontline.HelpChemo, Need: "化疗", Phone: "13800000009"})
		if _, err := s.PlanTrip(staff, &frontline.HelpTrip{RequestID: h.ID, Plate: "甘E2", DriverID: driver.ID, Hospital: "肿瘤医院",
			LeaveAt: db.Now()}); frontline.ErrorField(err) != "person_id" {
			t.Fatalf("a trip for nobody: %v", err)
		}
		if _, err := s.PlanTrip(staff, &frontline.HelpTrip{RequestID: h.ID, PersonID: patient.ID, Plate: "甘E2", DriverID: 99999, Hospital: "肿瘤医院",
			LeaveAt: db.Now()}); frontline.ErrorField(err) != "driver_id" {
			t.Fatalf("an unknown driver: %v", err)
		}
		trip, err := s.PlanTrip(staff, &frontline.HelpTrip{RequestID: h.ID, PersonID: patient.ID, Plate: "甘E2", DriverID: driver.ID,
			Hospital: "肿瘤医院", LeaveAt: db.Now()})
		if err != nil || trip.Mode != frontline.TripOrdinary || trip.Level != frontline.LevelNone {
			t.Fatalf("ordinary trip %+v, %v", trip, err)
		}
		if _, err := s.StepTrip(staff, trip.ID, frontline.TripPlanned, frontline.TripReturned); frontline.ErrorField(err) != "status" {
			t.Fatalf("a step skipped: %v", err)
		}
		if _, err := s.StepTrip(staff, trip.ID, frontline.TripPlanned, frontline.TripCancelled); err != nil {
			t.Fatal(err)
		}
	})
}

// TestHelp_Purge: a request not resolved keeps a stand-down from running;
// once resolved, the stand-down empties its need, phone and outcome, its
// trips' plates and hospitals, and the audit log's entries about them.
func TestHelp_Purge(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock(db)
		tr := buildTree(t, db)
		s := sqldb.NewHelpService(db)
		staff := as(frontline.RoleCommunityStaff, tr.comm2)
		need := "需要氧气瓶"
		h := mustHelp(t, s, staff, &frontline.HelpRequest{HouseholdID: tr.hh[3].ID, Category: frontline.HelpOther, Need: need, Phone: "13800000010"})
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "cli:office"})
		rs := sqldb.NewRetentionService(db)
		if _, err := rs.StandDown(ctx, tr.comm2.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("stand-down with a request open: %v", err)
		}
		if _, err := s.ResolveHelp(staff, h.ID, "已送到"); err != nil {
			t.Fatal(err)
		}
		res, err := rs.StandDown(ctx, tr.comm2.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, k := range res.Run.Kinds {
			if k.Kind == frontline.RetainHelp {
				found = k.Records == 1
			}
		}
		if !found {
			t.Errorf("help requests purged: %+v", res.Run.Kinds)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM help_requests WHERE need <> '' OR phone <> '' OR purged_at IS NULL`); n != 0 {
			t.Errorf("%d requests keep personal data", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE after LIKE ?`, "%"+need+"%"); n != 0 {
			t.Errorf("%d audit entries keep the need", n)
		}
	})
}

// TestHelp_DailyAndDashboard: the daily report's urgent help section
// counts the day's requests per child, and the dashboard counts the open
// ones by age.
func TestHelp_DailyAndDashboard(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		s := sqldb.NewHelpService(db)
		staff := as(frontline.RoleCommunitySecretary, tr.sub)
		raise := func(hh *frontline.Place, c frontline.HelpCategory) *frontline.HelpRequest {
			return mustHelp(t, s, staff, &frontline.HelpRequest{HouseholdID: hh.ID, Category: c, Need: "需要帮助", Phone: "13800000011"})
		}
		late := raise(tr.hh[0], frontline.HelpDialysis)
		done := raise(tr.hh[2], frontline.HelpOther)
		advance(20 * time.Minute)
		if _, err := s.ResolveHelp(staff, done.ID, "已办"); err != nil {
			t.Fatal(err)
		}
		raise(tr.hh[1], frontline.HelpMental)
		daily := sqldb.NewDailyReportService(db)
		r, err := daily.DailyReport(staff, tr.sub.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		sec := r.Section(frontline.DailyHelp)
		if sec == nil {
			t.Fatal("no urgent help section")
		}
		// opened, acked_late, resolved, open
		if got := sec.Total.Values; len(got) != 4 || got[0] != 3 || got[1] != 1 || got[2] != 1 || got[3] != 2 {
			t.Fatalf("help section total %v", got)
		}
		for _, row := range sec.Rows {
			if row.PlaceID == tr.comm1.ID && (row.Values[0] != 2 || row.Values[3] != 2) {
				t.Fatalf("罗玉新村社区's row %v", row.Values)
			}
		}
		d, err := daily.Dashboard(staff, tr.sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.HelpAges) != len(frontline.HelpAgeBuckets) || d.HelpAges[0].Other != 1 || d.HelpAges[1].Medical != 1 {
			t.Fatalf("help ages %+v (the late one is %d)", d.HelpAges, late.ID)
		}
	})
}
