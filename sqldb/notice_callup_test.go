package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// personWith adds a resident with a phone (maybe none) to a household.
func personWith(t *testing.T, db *sqldb.DB, household int64, name, phone string) *frontline.Person {
	t.Helper()
	p := &frontline.Person{HouseholdID: household, Name: name, IDNumber: testID(), Phone: phone}
	if err := sqldb.NewPersonService(db).CreatePerson(context.Background(), p); err != nil {
		t.Fatalf("create person %s: %v", name, err)
	}
	return p
}

// smsNotices lists the SMS notices of the outbox by status.
func smsNotices(t *testing.T, db *sqldb.DB, status frontline.NoticeStatus) []*frontline.Notice {
	t.Helper()
	list, _, err := sqldb.NewOutboxService(db).FindNotices(frontline.AsSystem(context.Background()),
		frontline.NoticeFilter{Status: &status, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(list, func(n *frontline.Notice) bool { return n.Channel != frontline.SMSChannel })
}

func recipients(ns []*frontline.Notice) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Recipient)
	}
	slices.Sort(out)
	return out
}

// TestNotice_CallUpPerHousehold saves a plan whose call-ups go out by SMS
// as well as to the building: each household the slot calls down gets the
// call-up on each mobile number on file, once per number, in the part of
// the building called; a landline, a number that opted out and a person
// left to the home sampling team get none. A number that opts out later
// has its call-up withdrawn, and the fake gateway receives only the rest;
// staff see the numbers masked. On both engines.
func TestNotice_CallUpPerHousehold(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sc := newSMSScene(t, db)
		tr := buildTree(t, db)
		bld := mustPlace(t, db, tr.comp1.ID, frontline.KindBuilding, "3号楼")
		u1 := mustPlace(t, db, bld.ID, frontline.KindUnit, "1单元")
		u2 := mustPlace(t, db, bld.ID, frontline.KindUnit, "2单元")
		h101, h201 := mustPlace(t, db, u1.ID, frontline.KindHousehold, "101"), mustPlace(t, db, u1.ID, frontline.KindHousehold, "201")
		h2101, h2201 := mustPlace(t, db, u2.ID, frontline.KindHousehold, "101"), mustPlace(t, db, u2.ID, frontline.KindHousehold, "201")
		personWith(t, db, h101.ID, "父亲", "13911110001")
		personWith(t, db, h101.ID, "母亲", "139 1111 0001") // the same number, written otherwise
		personWith(t, db, h101.ID, "孩子", "")
		personWith(t, db, h201.ID, "住户乙", "13911110002")
		personWith(t, db, h2101.ID, "住户丙", "13911110003")  // opted out before
		personWith(t, db, h2201.ID, "住户丁", "0938-8211234") // a landline
		// Living alone, sampled at home: the household is not called down.
		home := personWith(t, db, mustPlace(t, db, u2.ID, frontline.KindHousehold, "102").ID, "卧床老人", "13911110004")
		optOuts := sqldb.NewNoticeOptOutService(db)
		if _, err := optOuts.OptOut(ctx, "13911110003", "本人要求"); err != nil {
			t.Fatal(err)
		}
		if _, err := optOuts.OptOut(ctx, "13900009999", ""); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("opting out a number nobody has: %v", err)
		}

		rounds := sqldb.NewRoundService(db)
		round := mustOpenRound(t, rounds, tr.comp1.ID, nil)
		if _, err := rounds.Excuse(ctx, round.ID, frontline.Excusal{PersonID: home.ID, Reason: frontline.ExcuseHomeSampling}); err != nil {
			t.Fatal(err)
		}
		sites := sqldb.NewSiteService(db, "log", "sms")
		site := &frontline.Site{RoundID: round.ID, PlaceID: tr.comp1.ID, Name: "枣园小区采样点",
			OpensAt: round.StartsAt, ClosesAt: round.StartsAt.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
			t.Fatal(err)
		}
		settings := frontline.PlanSettings{SecondsPerPerson: 75, QueueMinutes: 5, Channels: []string{"log", "sms"}}
		plan, err := sites.PlanSlots(ctx, round.ID, settings)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sites.SaveSlots(ctx, round.ID, plan.Slots, settings); err != nil {
			t.Fatal(err)
		}
		pending := smsNotices(t, db, frontline.NoticePending)
		if got, want := recipients(pending), []string{"13911110001", "13911110002"}; !slices.Equal(got, want) {
			t.Fatalf("SMS call-ups to %v, want %v", got, want)
		}
		for _, n := range pending {
			if n.Topic != frontline.TopicCallUp || n.PlaceID != bld.ID || n.RoundID != round.ID || n.Params["units"] != "1单元" ||
				n.Params["site"] != "枣园小区采样点" || n.Body == "" {
				t.Errorf("call-up %+v", n)
			}
		}

		// 住户乙 opts out before the call-up goes: it is withdrawn.
		if n, err := optOuts.OptOut(ctx, "13911110002", "电话告知"); err != nil || n != 1 {
			t.Fatalf("opt out: %v, %d withdrawn", err, n)
		}
		if n, err := optOuts.OptOut(ctx, "13911110002", "again"); err != nil || n != 0 {
			t.Fatalf("opting out twice: %v, %d withdrawn", err, n)
		}
		sc.now = round.StartsAt.Add(12 * time.Hour)
		for sc.worker.RunOnce(ctx) > 0 {
		}
		msgs := sc.gateway.Messages()
		if len(msgs) != 1 || msgs[0].Phone != "13911110001" || msgs[0].Template != "SMS_CALLUP_01" {
			t.Fatalf("the gateway took %+v", msgs)
		}
		if got := recipients(smsNotices(t, db, frontline.NoticeCancelled)); !slices.Equal(got, []string{"13911110002"}) {
			t.Errorf("withdrawn: %v", got)
		}
		// Staff see the numbers masked.
		staff, _, err := sqldb.NewOutboxService(db).FindNotices(as(frontline.RoleCommunitySecretary, tr.comm1), frontline.NoticeFilter{RoundID: &round.ID})
		if err != nil || !slices.ContainsFunc(staff, func(n *frontline.Notice) bool { return n.Channel == frontline.SMSChannel }) {
			t.Fatalf("staff's notices: %v, %v", staff, err)
		}
		for _, n := range staff {
			if n.Channel == frontline.SMSChannel && (strings.Contains(n.Recipient, "1111000") || !strings.Contains(n.Recipient, "*")) {
				t.Errorf("staff see the SMS recipient %q", n.Recipient)
			}
		}
		if out, err := optOuts.OptedOut(ctx, "139-1111-0002"); err != nil || !out {
			t.Errorf("opted out: %v %v", out, err)
		}
		if err := optOuts.OptIn(ctx, "13911110002"); err != nil {
			t.Fatal(err)
		}
		if out, err := optOuts.OptedOut(ctx, "13911110002"); err != nil || out {
			t.Errorf("after opting in: %v %v", out, err)
		}
	})
}

// TestCase_CallUpFromOtherSide: a case in 3号楼/1单元/101 opened after
// the round, then a plan saved with SMS call-ups: the case and the
// household mate isolated with him are left to the home sampling team
// (excused, each with a home task), 101 gets no call-up on its number,
// and the neighbour of 2单元/201, whom the policy lets come down, is
// called down as before. The call-up asks RestrictionService's answer,
// not a rule of its own.
func TestCase_CallUpFromOtherSide(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		newSMSScene(t, db)
		tr := buildTree(t, db)
		bld := mustPlace(t, db, tr.comp1.ID, frontline.KindBuilding, "3号楼")
		u1, u2 := mustPlace(t, db, bld.ID, frontline.KindUnit, "1单元"), mustPlace(t, db, bld.ID, frontline.KindUnit, "2单元")
		h101, h201 := mustPlace(t, db, u1.ID, frontline.KindHousehold, "101"), mustPlace(t, db, u2.ID, frontline.KindHousehold, "201")
		father := personWith(t, db, h101.ID, "父亲", "13911110001")
		mother := personWith(t, db, h101.ID, "母亲", "")
		neighbour := personWith(t, db, h201.ID, "住户乙", "13911110002")
		rounds := sqldb.NewRoundService(db)
		round := mustOpenRound(t, rounds, tr.comp1.ID, nil)
		if _, err := sqldb.NewCaseService(db).ReportCase(as(frontline.RoleCommunityStaff, tr.comm1), &frontline.CaseReport{PersonID: father.ID,
			Source: frontline.SourceCDC, ExternalRef: "CDC-31", Reporter: "天水市疾控中心", ConfirmedAt: db.Now()}); err != nil {
			t.Fatal(err)
		}
		rs, err := sqldb.NewRestrictionService(db, nil).Restrictions(frontline.AsSystem(ctx), []int64{father.ID, mother.ID, neighbour.ID})
		if err != nil {
			t.Fatal(err)
		}
		policy := frontline.DefaultRestrictionPolicy()
		for p, want := range map[*frontline.Person]frontline.Effect{father: frontline.EffectRefuse, mother: frontline.EffectRefuse,
			neighbour: frontline.EffectAllow} {
			if got := rs[p.ID].Decide(frontline.ActCallDown, policy).Effect; got != want {
				t.Fatalf("%s: being called down is %s, want %s (%+v)", p.Name, got, want, rs[p.ID].Items)
			}
		}
		sites := sqldb.NewSiteService(db, "log", "sms")
		site := &frontline.Site{RoundID: round.ID, PlaceID: tr.comp1.ID, Name: "枣园小区采样点",
			OpensAt: round.StartsAt, ClosesAt: round.StartsAt.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
			t.Fatal(err)
		}
		settings := frontline.PlanSettings{SecondsPerPerson: 75, QueueMinutes: 5, Channels: []string{"log", "sms"}}
		plan, err := sites.PlanSlots(ctx, round.ID, settings)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sites.SaveSlots(ctx, round.ID, plan.Slots, settings); err != nil {
			t.Fatal(err)
		}
		if got, want := recipients(smsNotices(t, db, frontline.NoticePending)), []string{"13911110002"}; !slices.Equal(got, want) {
			t.Fatalf("SMS call-ups to %v, want only the neighbour's %v", got, want)
		}
		for _, p := range []*frontline.Person{father, mother} {
			if n := count(t, db, `SELECT COUNT(*) FROM round_members WHERE round_id = ? AND person_id = ? AND excuse = ?`,
				round.ID, p.ID, string(frontline.ExcuseHomeSampling)); n != 1 {
				t.Errorf("%s is not left to the home sampling team", p.Name)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM retest_tasks WHERE round_id = ? AND person_id = ? AND kind = ?`,
				round.ID, p.ID, string(frontline.KindHome)); n != 1 {
				t.Errorf("%s has %d home tasks, want 1", p.Name, n)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM round_members WHERE round_id = ? AND person_id = ? AND excuse = ''`, round.ID, neighbour.ID); n != 1 {
			t.Errorf("the monitored neighbour was taken off the call-up")
		}
		assertRoundChecks(t, db, round.ID)
	})
}

// TestCase_CallUpAfterPlan: the call-ups are out when a hospital reports
// a case in 3号楼/1单元/101: in the report's transaction the case and his
// isolated wife are left to the home sampling team, 101's SMS call-up is
// withdrawn, and 2单元/201's stays; the round's checks still hold.
func TestCase_CallUpAfterPlan(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		newSMSScene(t, db)
		tr := buildTree(t, db)
		bld := mustPlace(t, db, tr.comp1.ID, frontline.KindBuilding, "3号楼")
		u1, u2 := mustPlace(t, db, bld.ID, frontline.KindUnit, "1单元"), mustPlace(t, db, bld.ID, frontline.KindUnit, "2单元")
		h101, h201 := mustPlace(t, db, u1.ID, frontline.KindHousehold, "101"), mustPlace(t, db, u2.ID, frontline.KindHousehold, "201")
		father := personWith(t, db, h101.ID, "父亲", "13911110001")
		mother := personWith(t, db, h101.ID, "母亲", "")
		neighbour := personWith(t, db, h201.ID, "住户乙", "13911110002")
		round := mustOpenRound(t, sqldb.NewRoundService(db), tr.comp1.ID, nil)
		sites := sqldb.NewSiteService(db, "log", "sms")
		site := &frontline.Site{RoundID: round.ID, PlaceID: tr.comp1.ID, Name: "枣园小区采样点",
			OpensAt: round.StartsAt, ClosesAt: round.StartsAt.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
			t.Fatal(err)
		}
		settings := frontline.PlanSettings{SecondsPerPerson: 75, QueueMinutes: 5, Channels: []string{"log", "sms"}}
		plan, err := sites.PlanSlots(ctx, round.ID, settings)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sites.SaveSlots(ctx, round.ID, plan.Slots, settings); err != nil {
			t.Fatal(err)
		}
		if got, want := recipients(smsNotices(t, db, frontline.NoticePending)), []string{"13911110001", "13911110002"}; !slices.Equal(got, want) {
			t.Fatalf("SMS call-ups before the case: %v, want %v", got, want)
		}
		if _, err := sqldb.NewCaseService(db).ReportCase(as(frontline.RoleCommunityStaff, tr.comm1), &frontline.CaseReport{PersonID: father.ID,
			Source: frontline.SourceHospital, ExternalRef: "H-31", Reporter: "市第一人民医院", ConfirmedAt: db.Now()}); err != nil {
			t.Fatal(err)
		}
		if got, want := recipients(smsNotices(t, db, frontline.NoticePending)), []string{"13911110002"}; !slices.Equal(got, want) {
			t.Errorf("SMS call-ups after the case: %v, want only the neighbour's %v", got, want)
		}
		if got := recipients(smsNotices(t, db, frontline.NoticeCancelled)); !slices.Equal(got, []string{"13911110001"}) {
			t.Errorf("withdrawn: %v", got)
		}
		for _, p := range []*frontline.Person{father, mother} {
			if n := count(t, db, `SELECT COUNT(*) FROM round_members WHERE round_id = ? AND person_id = ? AND excuse = ?`,
				round.ID, p.ID, string(frontline.ExcuseHomeSampling)); n != 1 {
				t.Errorf("%s is not left to the home sampling team", p.Name)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM retest_tasks WHERE round_id = ? AND person_id = ? AND kind = ?`,
				round.ID, p.ID, string(frontline.KindHome)); n != 1 {
				t.Errorf("%s has %d home tasks, want 1", p.Name, n)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM round_members WHERE round_id = ? AND person_id = ? AND excuse = ''`, round.ID, neighbour.ID); n != 1 {
			t.Errorf("the neighbour was taken off the call-up")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'round' AND action = 'home_sampling' AND entity_id = ?`, round.ID); n != 1 {
			t.Errorf("%d audit rows of the move, want 1", n)
		}
		assertRoundChecks(t, db, round.ID)
	})
}
