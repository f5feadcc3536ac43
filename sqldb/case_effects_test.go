package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestCase_SealTurnsRoundHome seals the building of a case from the case,
// during a round whose plan calls the building down: the building's
// residents still to sample become home sampling tasks, its call-ups are
// withdrawn and its slots leave the plan, a new plan proposes it no more,
// a plan that names it is refused, and the zone cites the case.
func TestCase_SealTurnsRoundHome(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "lab"})
		f := newRoundFixture(t, db, 3, nil)
		sites, lab := sqldb.NewSiteService(db), sqldb.NewLabService(db)
		opens := f.round.StartsAt
		site := &frontline.Site{RoundID: f.round.ID, PlaceID: f.tr.sub.ID, Name: "街道采样点", OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
			t.Fatal(err)
		}
		plan, err := sites.PlanSlots(ctx, f.round.ID, frontline.PlanSettings{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sites.SaveSlots(ctx, f.round.ID, plan.Slots, plan.Settings); err != nil {
			t.Fatal(err)
		}
		hasBuilding := func(slots []frontline.Slot, id int64) bool {
			for _, sl := range slots {
				if sl.BuildingID == id {
					return true
				}
			}
			return false
		}
		if !hasBuilding(plan.Slots, f.tr.bld1.ID) {
			t.Fatalf("the plan does not call building 1 down: %+v", plan)
		}
		sum := positiveRetest(t, f, lab, ctx, "S-1")
		cases := sqldb.NewCaseService(db)
		secretary := as(frontline.RoleCommunitySecretary, f.tr.comm1)
		d, err := cases.CaseDetail(secretary, sum.Cases[0])
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Proposals) != 2 || d.Proposals[0].PlaceID != f.tr.bld1.ID || d.Proposals[0].Level != frontline.LevelSealed ||
			d.Proposals[1].PlaceID != f.tr.comp1.ID || d.Proposals[1].Level != frontline.LevelControlled || d.Proposals[0].Drawn {
			t.Fatalf("proposals %+v", d.Proposals)
		}
		if _, err := cases.SealFromCase(as(frontline.RoleCommunityStaff, f.tr.comm1), d.Case.ID, f.tr.bld1.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("staff without zones.manage sealed: %v", err)
		}
		if _, err := cases.SealFromCase(secretary, d.Case.ID, f.tr.bld2.ID); frontline.ErrorField(err) != "place_id" {
			t.Fatalf("sealed a place the case does not propose: %v", err)
		}
		a, err := cases.SealFromCase(secretary, d.Case.ID, f.tr.bld1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Zone.Level != frontline.LevelSealed || a.Zone.Evidence != (frontline.EvidenceLink{Kind: frontline.LinkCase, Ref: d.Case.Ref()}) {
			t.Fatalf("the zone %+v", a.Zone)
		}
		if _, err := cases.SealFromCase(secretary, d.Case.ID, f.tr.bld1.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("sealed twice: %v", err)
		}
		// hh[1]'s two residents not in the pool were pending: now home tasks.
		open := frontline.RetestOpen
		tasks, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Status: &open})
		if err != nil {
			t.Fatal(err)
		}
		home := map[int64]bool{}
		for _, task := range tasks {
			if task.Kind == frontline.KindHome {
				home[task.PersonID] = true
			}
		}
		if len(home) != 2 || !home[f.persons[f.tr.hh[1].ID][1].ID] || !home[f.persons[f.tr.hh[1].ID][2].ID] {
			t.Fatalf("home tasks after sealing: %v", home)
		}
		slots, err := sites.FindSlots(ctx, f.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, sl := range slots {
			if sl.BuildingID == f.tr.bld1.ID {
				t.Fatal("the sealed building keeps its slot")
			}
		}
		pending, callups := frontline.NoticePending, 0
		notices, _, err := sqldb.NewOutboxService(db).FindNotices(ctx, frontline.NoticeFilter{Status: &pending, RoundID: &f.round.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range notices {
			if n.Topic == "callup" && n.PlaceID == f.tr.bld1.ID {
				callups++
			}
		}
		if callups != 0 {
			t.Fatalf("%d call-ups of the sealed building still pending", callups)
		}
		again, err := sites.PlanSlots(ctx, f.round.ID, frontline.PlanSettings{})
		if err != nil || hasBuilding(again.Slots, f.tr.bld1.ID) {
			t.Fatalf("a new plan calls the sealed building down (%v)", err)
		}
		if _, err := sites.SaveSlots(ctx, f.round.ID, plan.Slots, plan.Settings); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Fatalf("a plan naming the sealed building was saved: %v", err)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

// TestCase_GateRefuses puts residents under restrictions and sends them
// through the compound's gate: the home-isolated and the case are refused
// going out with the reason and the measure or case that decided, an
// emergency lets the isolated one through with a note, going home is
// allowed with a note, health monitoring is allowed with a note, and a
// resident without any passes plainly.
func TestCase_GateRefuses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		clock(db)
		ctx := context.Background()
		tr := buildTree(t, db)
		positive := mustPerson(t, db, tr.hh[0].ID, "阳性者", false)
		mate := mustPerson(t, db, tr.hh[0].ID, "同住人", false)
		neighbour := mustPerson(t, db, tr.hh[1].ID, "邻居", false)
		free := mustPerson(t, db, tr.hh[2].ID, "他区居民", false)
		staff := as(frontline.RoleCommunityStaff, tr.comm1)
		c, err := sqldb.NewCaseService(db).ReportCase(staff, &frontline.CaseReport{PersonID: positive.ID, Source: frontline.SourceCDC,
			ExternalRef: "CDC-9", Reporter: "天水市疾控中心", ConfirmedAt: db.Now()})
		if err != nil {
			t.Fatal(err)
		}
		// The household mate goes home under isolation rather than to a
		// facility: the transfer is cancelled; the measure stays.
		trs, _, err := sqldb.NewTransferService(db).FindTransfers(ctx, frontline.TransferFilter{CaseID: &c.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, tf := range trs {
			if tf.PersonID == mate.ID {
				if _, err := sqldb.NewTransferService(db).StepTransfer(staff, tf.ID, frontline.TransferStep{To: frontline.TransferCancelled,
					Note: "集中隔离点已满，居家隔离"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		cs := sqldb.NewCheckpointService(db)
		gate := openCheckpoint(t, db, ctx, tr.comp1, "枣园小区北门", db.Now())
		good := frontline.Checks{Temperature: 36.4, HealthCode: frontline.CodeGreen}
		volunteer := as(frontline.RoleVolunteer, tr.comm1)
		pass := func(person int64, dir frontline.Direction, emergency bool) *frontline.Passage {
			t.Helper()
			p := &frontline.Passage{CheckpointID: gate.ID, Kind: frontline.PassResident, PersonID: person, Direction: dir, Checks: good,
				Emergency: emergency}
			if emergency {
				p.Reason = "透析"
			}
			if err := cs.RecordPassage(volunteer, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		codes := func(rs []frontline.Reason) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.Code+":"+string(r.Restriction))
			}
			return out
		}
		p := pass(positive.ID, frontline.DirOut, false)
		if p.Allowed || len(p.Reasons) != 1 || p.Reasons[0].Code != frontline.ReasonRestricted || p.Reasons[0].Restriction != frontline.RestrictCase ||
			p.Restriction == nil || p.Restriction.Source != "case" || p.Restriction.SourceID != c.ID {
			t.Fatalf("the case going out: %v %+v", codes(p.Reasons), p.Restriction)
		}
		p = pass(mate.ID, frontline.DirOut, false)
		if p.Allowed || p.Restriction == nil || p.Restriction.Kind != frontline.RestrictCentral || p.Restriction.Source != "measure" {
			t.Fatalf("the centrally isolated mate going out: %v %+v", codes(p.Reasons), p.Restriction)
		}
		p = pass(mate.ID, frontline.DirOut, true)
		if !p.Allowed || len(p.Notes) != 1 || p.Notes[0].Code != frontline.ReasonRestrictionNote {
			t.Fatalf("the mate's emergency: allowed %v, %v notes %v", p.Allowed, codes(p.Reasons), codes(p.Notes))
		}
		p = pass(mate.ID, frontline.DirIn, false)
		if !p.Allowed || len(p.Notes) != 1 {
			t.Fatalf("the mate coming home: allowed %v, %v notes %v", p.Allowed, codes(p.Reasons), codes(p.Notes))
		}
		p = pass(neighbour.ID, frontline.DirOut, false)
		if !p.Allowed || len(p.Notes) != 1 || p.Notes[0].Restriction != frontline.RestrictMonitoring {
			t.Fatalf("the monitored neighbour: allowed %v, %v notes %v", p.Allowed, codes(p.Reasons), codes(p.Notes))
		}
		p = pass(free.ID, frontline.DirIn, false)
		if !p.Allowed || len(p.Notes) != 0 || p.Restriction != nil {
			t.Fatalf("a resident of elsewhere: allowed %v, %v notes %v", p.Allowed, codes(p.Reasons), codes(p.Notes))
		}
		// The log keeps what decided.
		refused := true
		log, _, err := cs.FindPassages(volunteer, frontline.PassageFilter{CheckpointID: &gate.ID, Refused: refused})
		if err != nil || len(log) != 2 || log[1].Restriction == nil || log[1].Restriction.Kind != frontline.RestrictCase {
			t.Fatalf("the refused passages as stored: %d, %v", len(log), err)
		}
	})
}

// TestCase_Transfer runs the case's transfer step by step on a fake
// clock: each step timed and signed, a step out of order refused, a late
// step alerted once and resolved by the step, and the arrival marks the
// case transferred (and lifts its restriction at the gate to "case" only
// as long as the case is not closed).
func TestCase_Transfer(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		positive := mustPerson(t, db, tr.hh[0].ID, "阳性者", false)
		staff := as(frontline.RoleCommunityStaff, tr.comm1)
		cases, transfers, alerts := sqldb.NewCaseService(db), sqldb.NewTransferService(db), sqldb.NewAlertService(db)
		c, err := cases.ReportCase(staff, &frontline.CaseReport{PersonID: positive.ID, Source: frontline.SourceHospital,
			ExternalRef: "H-7", Reporter: "市第一人民医院发热门诊", ConfirmedAt: db.Now()})
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := transfers.FindTransfers(staff, frontline.TransferFilter{CaseID: &c.ID})
		if err != nil || len(list) != 1 {
			t.Fatalf("the case's transfer: %d, %v", len(list), err)
		}
		tf := list[0]
		if tf.Facility != frontline.DefaultTransferSettings.CaseFacility || tf.DueAt.Sub(tf.RequestedAt) != time.Hour {
			t.Fatalf("requested %+v", tf)
		}
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system:alerts"})
		if n, err := transfers.AlertOverdueTransfers(sys); err != nil || n != 0 {
			t.Fatalf("a transfer alerted in time: %d, %v", n, err)
		}
		if _, err := transfers.StepTransfer(staff, tf.ID, frontline.TransferStep{To: frontline.TransferPickedUp}); frontline.ErrorField(err) != "to" {
			t.Fatalf("picked up before a vehicle: %v", err)
		}
		if _, err := transfers.StepTransfer(staff, tf.ID, frontline.TransferStep{To: frontline.TransferAssigned, Crew: "王师傅"}); frontline.ErrorField(err) != "vehicle" {
			t.Fatalf("assigned without a vehicle: %v", err)
		}
		advance(61 * time.Minute)
		if n, err := transfers.AlertOverdueTransfers(sys); err != nil || n != 1 {
			t.Fatalf("a late transfer: %d alerts, %v", n, err)
		}
		if n, err := transfers.AlertOverdueTransfers(sys); err != nil || n != 0 {
			t.Fatalf("alerted twice: %d, %v", n, err)
		}
		kind := frontline.AlertTransferOverdue
		late := func() int {
			t.Helper()
			l, _, err := alerts.FindAlerts(as(frontline.RoleCommunitySecretary, tr.comm1), frontline.AlertFilter{Kind: &kind, Open: true})
			if err != nil {
				t.Fatal(err)
			}
			return len(l)
		}
		if late() != 1 {
			t.Fatal("the secretary does not see the late transfer")
		}
		got, err := transfers.StepTransfer(staff, tf.ID, frontline.TransferStep{To: frontline.TransferAssigned, Vehicle: "甘E·12345", Crew: "王师傅、李医生"})
		if err != nil || got.Status != frontline.TransferAssigned || got.AssignedBy != "as_community_staff" || !got.AssignedAt.Equal(db.Now()) ||
			got.DueAt.Sub(got.AssignedAt) != 2*time.Hour {
			t.Fatalf("assigned: %+v, %v", got, err)
		}
		if late() != 0 {
			t.Fatal("the late step is still alerted after it was done")
		}
		if _, err := transfers.StepTransfer(staff, tf.ID, frontline.TransferStep{To: frontline.TransferAssigned, Vehicle: "x", Crew: "y"}); err == nil {
			t.Fatal("assigned twice")
		}
		advance(40 * time.Minute)
		if _, err := transfers.StepTransfer(staff, tf.ID, frontline.TransferStep{To: frontline.TransferPickedUp}); err != nil {
			t.Fatal(err)
		}
		advance(50 * time.Minute)
		got, err = transfers.StepTransfer(staff, tf.ID, frontline.TransferStep{To: frontline.TransferArrived, Note: "已交接"})
		if err != nil || got.Status != frontline.TransferArrived || !got.DueAt.IsZero() || got.ArrivedAt.Sub(got.PickedUpAt) != 50*time.Minute {
			t.Fatalf("arrived: %+v, %v", got, err)
		}
		if c, err = cases.FindCaseByID(staff, c.ID); err != nil || c.Status != frontline.CaseTransferred {
			t.Fatalf("the case after arrival: %+v, %v", c, err)
		}
		d, err := cases.CaseDetail(staff, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, e := range d.Timeline {
			steps = append(steps, e.Action)
		}
		for _, want := range []string{"transfer.requested", "transfer.assigned", "transfer.picked_up", "transfer.arrived"} {
			found := false
			for _, s := range steps {
				found = found || s == want
			}
			if !found {
				t.Errorf("the timeline lacks %s: %v", want, steps)
			}
		}
		if _, err := transfers.StepTransfer(as(frontline.RoleGridWorker, tr.comm1), tf.ID, frontline.TransferStep{To: frontline.TransferCancelled, Note: "x"}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a grid worker stepped a transfer: %v", err)
		}
	})
}

// TestCase_StationRefusesRestricted binds at a station whose writer asks
// the restrictions: a household mate of a case (centralised isolation,
// awaiting transfer) is refused, to be sampled at home, and a monitored
// neighbour is bound with the note.
func TestCase_StationRefusesRestricted(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoundFixture(t, db, 2, nil)
		rs := sqldb.NewRestrictionService(db, nil)
		f.samp.Close()
		f.samp = sqldb.NewSamplingService(db, sqldb.SamplingOptions{Restrictions: func(ctx context.Context, ids []int64) (map[int64]*frontline.Restrictions, error) {
			return rs.Restrictions(frontline.AsSystem(ctx), ids)
		}})
		t.Cleanup(func() { f.samp.Close() })
		hh := f.tr.hh
		staff := as(frontline.RoleCommunityStaff, f.tr.comm1)
		if _, err := sqldb.NewCaseService(db).ReportCase(staff, &frontline.CaseReport{PersonID: f.persons[hh[0].ID][0].ID,
			Source: frontline.SourceCDC, ExternalRef: "CDC-1", Reporter: "疾控中心", ConfirmedAt: db.Now()}); err != nil {
			t.Fatal(err)
		}
		a := f.bind(t, "T-1", false, f.persons[hh[0].ID][1], f.persons[hh[1].ID][0])
		if len(a.Items) != 2 || a.Items[0].OK || a.Items[0].Error == nil || a.Items[0].Error.Reason != frontline.RefusedRestricted ||
			a.Items[0].Restriction == "" {
			t.Fatalf("the isolated mate at the station: %+v", a.Items[0])
		}
		if !a.Items[1].OK || a.Items[1].Restriction != frontline.RestrictMonitoring {
			t.Fatalf("the monitored neighbour at the station: %+v", a.Items[1])
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}
