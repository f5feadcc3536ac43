package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestCoverageService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 3, nil) // 12 persons, households hh[0..3]
		cs := sqldb.NewCoverageService(db)
		// hh[0] fully sampled, one of hh[1] sampled, one of hh[2] excused.
		f.bind(t, "C-1", false, f.persons[f.tr.hh[0].ID]...)
		f.bind(t, "C-1", false, f.persons[f.tr.hh[1].ID][0])
		ex := f.persons[f.tr.hh[2].ID][0]
		if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: ex.ID, Reason: frontline.ExcuseAway}); err != nil {
			t.Fatal(err)
		}
		city, children, err := cs.Coverage(ctx, f.round.ID, f.tr.city.ID)
		if err != nil || city.Expected != 12 || city.Sampled != 4 || city.Excused != 1 || city.NotYet() != 7 || len(children) != 1 {
			t.Fatalf("city: %v %+v %d children", err, city, len(children))
		}
		bld, homes, err := cs.Coverage(ctx, f.round.ID, f.tr.bld1.ID)
		if err != nil || bld.Sampled != 4 || len(homes) != 2 || homes[0].Sampled+homes[1].Sampled != 4 {
			t.Fatalf("building 1: %v %+v %+v", err, bld, homes)
		}
		gaps, total, err := cs.NotSampled(ctx, f.round.ID, f.tr.city.ID, 0, 10)
		if err != nil || total != 3 || len(gaps) != 3 {
			t.Fatalf("gaps: %v %d %+v", err, total, gaps)
		}
		persons := 0
		for _, g := range gaps {
			persons += len(g.Persons)
			if g.Building == "" || g.Household == "" {
				t.Errorf("gap household without names: %+v", g)
			}
		}
		if persons != 7 {
			t.Fatalf("gap persons %d, want 7", persons)
		}
		flow, err := cs.Flow(ctx, f.round.ID, f.tr.city.ID)
		if err != nil || len(flow) != 1 || flow[0].Sampled != 4 {
			t.Fatalf("flow: %v %+v", err, flow)
		}
		deep, err := cs.Flow(ctx, f.round.ID, f.tr.bld1.ID) // below the levels that keep a flow
		if err != nil || len(deep) != 1 || deep[0].Sampled != 4 {
			t.Fatalf("flow of a building: %v %+v", err, deep)
		}
		if _, _, err := cs.Coverage(ctx, f.round.ID, 999999); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("unknown node: %v", err)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

func TestSiteService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 3, nil)
		sites := sqldb.NewSiteService(db, "log", "webhook")
		opens := f.round.StartsAt
		site := &frontline.Site{RoundID: f.round.ID, PlaceID: f.tr.comp1.ID, Name: "枣园小区采样点", Location: "北门",
			OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		st := &frontline.Station{SiteID: site.ID, Name: "1号台"}
		secret, err := sites.CreateStation(ctx, st)
		if err != nil || secret == "" || st.TokenID == 0 {
			t.Fatalf("station: %v %+v", err, st)
		}
		if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); frontline.ErrorField(err) != "name" {
			t.Fatalf("a second station of the same name: %v", err)
		}
		// The station's token signs in as a sampler of the site's place,
		// and its bindings record the station.
		p, err := sqldb.NewUserService(db, frontline.DefaultLoginPolicy).AuthenticateToken(ctx, secret)
		if err != nil || p.Role != frontline.RoleSampler || p.ScopeID != f.tr.comp1.ID {
			t.Fatalf("station token: %v %+v", err, p)
		}
		devCtx := frontline.WithPrincipal(ctx, p)
		a, err := f.samp.Bind(devCtx, &frontline.BindRequest{RequestID: "dev-1", RoundID: f.round.ID, TubeCode: "S-1",
			PersonIDs: []int64{f.persons[f.tr.hh[0].ID][0].ID}})
		if err != nil || a.Bound() != 1 || a.Tube.StationID != st.ID {
			t.Fatalf("bind from the station: %v %+v", err, a)
		}
		// A person outside the token's scope is not found.
		a, _ = f.samp.Bind(devCtx, &frontline.BindRequest{RequestID: "dev-2", RoundID: f.round.ID, TubeCode: "S-1",
			PersonIDs: []int64{f.persons[f.tr.hh[2].ID][0].ID}})
		if a == nil || a.Bound() != 0 || a.Items[0].Error.Code != frontline.ENOTFOUND {
			t.Fatalf("bind outside the station's scope: %+v", a)
		}
		tp, err := sqldb.NewCoverageService(db).Throughput(ctx, f.round.ID)
		if err != nil || len(tp) != 1 || tp[0].Sampled != 1 || tp[0].LastHour != 1 {
			t.Fatalf("throughput: %v %+v", err, tp)
		}
		plan, err := sites.PlanSlots(ctx, f.round.ID, frontline.PlanSettings{})
		if err != nil || plan.Persons != 11 || len(plan.Slots) != 2 {
			t.Fatalf("plan: %v %+v", err, plan)
		}
		n, err := sites.SaveSlots(ctx, f.round.ID, plan.Slots, frontline.PlanSettings{Channels: []string{"log", "webhook"}})
		if err != nil || n != 4 {
			t.Fatalf("save: %v %d notices", err, n)
		}
		slots, err := sites.FindSlots(ctx, f.round.ID)
		if err != nil || len(slots) != 2 {
			t.Fatalf("slots: %v %+v", err, slots)
		}
		testOutbox(t, db, f.round.ID)
	})
}

func testOutbox(t *testing.T, db *sqldb.DB, roundID int64) {
	ctx := context.Background()
	ob := sqldb.NewOutboxService(db)
	claimed, err := ob.ClaimNotices(ctx, 10, time.Minute)
	if err != nil || len(claimed) != 4 || claimed[0].Body == "" || claimed[0].Topic != "callup" {
		t.Fatalf("claim: %v %+v", err, claimed)
	}
	if again, err := ob.ClaimNotices(ctx, 10, time.Minute); err != nil || len(again) != 0 {
		t.Fatalf("claimed notices are leased: %v %d", err, len(again))
	}
	if err := ob.NoticeDelivered(ctx, claimed[0]); err != nil {
		t.Fatal(err)
	}
	if err := ob.NoticeFailed(ctx, claimed[1], "timeout", time.Time{}, true); err != nil {
		t.Fatal(err)
	}
	dead := frontline.NoticeDead
	list, total, err := ob.FindNotices(ctx, frontline.NoticeFilter{Status: &dead, RoundID: &roundID})
	if err != nil || total != 1 || list[0].LastError != "timeout" || list[0].Attempts != 1 {
		t.Fatalf("dead letters: %v %d %+v", err, total, list)
	}
	if err := ob.RequeueNotice(ctx, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := ob.RequeueNotice(ctx, claimed[0].ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
		t.Fatalf("requeueing a delivered notice: %v", err)
	}
	// Due now: the requeued call-up, and the alert the dead letter raised
	// (the inbox's dead-notice alert goes out on the log channel).
	again, _ := ob.ClaimNotices(ctx, 10, time.Minute)
	var callups, alerts int
	for _, n := range again {
		switch {
		case n.Topic == "callup" && n.ID == list[0].ID:
			callups++
		case n.Topic == "alert":
			alerts++
		}
	}
	if len(again) != 2 || callups != 1 || alerts != 1 {
		t.Fatalf("due again: %d notices, %d the requeued call-up, %d the dead letter's alert", len(again), callups, alerts)
	}
}

// TestCoverageService_Positivity: the pool advice weighs this round and
// the rounds before it that covered the node, pending re-tests included.
func TestCoverageService_Positivity(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 3, nil)
		cov := sqldb.NewCoverageService(db)
		f.bind(t, "P-1", true, f.persons[f.tr.hh[0].ID]...)
		f.bind(t, "P-2", true, f.persons[f.tr.hh[1].ID]...)
		f.bind(t, "P-3", true, f.persons[f.tr.hh[2].ID]...)
		sqldbtest.ReceiveTubes(t, db, "P-1", "P-2", "P-3")
		if _, err := sqldb.NewLabService(db).PostResults(ctx, []frontline.ResultRow{{TubeCode: "P-1", Result: frontline.ResultNegative},
			{TubeCode: "P-2", Result: frontline.ResultNegative}, {TubeCode: "P-3", Result: frontline.ResultPositive}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rounds.CloseRound(ctx, f.round.ID); err != nil {
			t.Fatal(err)
		}
		next := &frontline.Round{ScopeID: f.tr.city.ID, Name: "第二轮", Day: "2026-03-04", StartsAt: f.round.StartsAt.Add(48 * time.Hour),
			EndsAt: f.round.EndsAt.Add(48 * time.Hour)}
		if err := f.rounds.CreateRound(ctx, next); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rounds.OpenRound(ctx, next.ID); err != nil {
			t.Fatal(err)
		}
		pos, err := cov.Positivity(ctx, next.ID, 0)
		if err != nil || len(pos.Rounds) != 2 || pos.Rounds[0] != next.ID || pos.Negative != 6 || pos.Awaiting != 3 || pos.PoolSize != 10 {
			t.Fatalf("city: %v %+v", err, pos)
		}
		// The compound with the positive pool; the first round alone.
		pos, err = cov.Positivity(ctx, f.round.ID, f.tr.comp2.ID)
		if err != nil || len(pos.Rounds) != 1 || pos.Negative != 0 || pos.Awaiting != 3 {
			t.Fatalf("compound in the first round: %v %+v", err, pos)
		}
	})
}
