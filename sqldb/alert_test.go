package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// alertNotices counts the outbox's alert notices.
func alertNotices(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	list, _, err := sqldb.NewOutboxService(db).FindNotices(context.Background(), frontline.NoticeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, no := range list {
		if no.Topic == "alert" {
			n++
		}
	}
	return n
}

// TestAlert_AckAndEscalate raises a case alert on a fake clock: it goes
// out through the outbox at once, a repeat counts on it, nobody
// acknowledges it for 15 minutes so it escalates one level up (to the
// district, which now sees it and is notified), running the job again (a
// second server) moves it no further, a device cannot acknowledge it, the
// secretary does, and then it escalates no more.
func TestAlert_AckAndEscalate(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		alerts := sqldb.NewAlertService(db)
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system"})
		raise := func() *frontline.Alert {
			t.Helper()
			a, err := alerts.Raise(sys, &frontline.Alert{Kind: frontline.AlertCase, PlaceID: tr.hh[0].ID, Subject: "case", SubjectID: 7,
				Key: "case:7", Detail: "张*", Action: "/cases/7"})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		a := raise()
		if a.Repeats != 0 || a.DueAt.Sub(db.Now()) != 15*time.Minute || a.Level != 0 {
			t.Fatalf("raised: %+v", a)
		}
		if n := alertNotices(t, db); n != 1 {
			t.Fatalf("notices after raising: %d", n)
		}
		if again := raise(); again.ID != a.ID || again.Repeats != 1 || alertNotices(t, db) != 1 {
			t.Fatalf("a repeat: %+v, %d notices", again, alertNotices(t, db))
		}
		secretary, district := as(frontline.RoleCommunitySecretary, tr.comm1), as(frontline.RoleDistrictAdmin, tr.district)
		unread := func(ctx context.Context) int {
			t.Helper()
			n, err := alerts.Unread(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if unread(secretary) != 1 || unread(district) != 0 {
			t.Fatalf("before escalation: secretary %d, district %d", unread(secretary), unread(district))
		}
		advance(14 * time.Minute)
		if n, err := alerts.Escalate(sys); err != nil || n != 0 {
			t.Fatalf("escalated before its time: %d, %v", n, err)
		}
		advance(2 * time.Minute)
		if n, err := alerts.Escalate(sys); err != nil || n != 1 {
			t.Fatalf("escalate: %d, %v", n, err)
		}
		if n, err := alerts.Escalate(sys); err != nil || n != 0 {
			t.Fatalf("escalated twice: %d, %v", n, err)
		}
		if unread(district) != 1 || unread(secretary) != 1 || unread(as(frontline.RoleCityAdmin, tr.city)) != 0 {
			t.Fatalf("after escalation: district %d, secretary %d", unread(district), unread(secretary))
		}
		if n := alertNotices(t, db); n != 2 {
			t.Fatalf("notices after escalating: %d", n)
		}
		device := frontline.WithPrincipal(context.Background(), &frontline.Principal{TokenID: 3, Login: "station", Role: frontline.RoleCommunityStaff,
			ScopeID: tr.comm1.ID, ScopePath: tr.comm1.Path})
		if _, err := alerts.Acknowledge(device, a.ID, ""); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a device acknowledged: %v", err)
		}
		if _, err := alerts.Acknowledge(as(frontline.RoleCommunitySecretary, tr.comm2), a.ID, ""); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community acknowledged: %v", err)
		}
		acked, err := alerts.Acknowledge(secretary, a.ID, "已联系转运")
		if err != nil || !acked.Acked() || acked.AckedBy != "as_community_secretary" || acked.AckNote != "已联系转运" {
			t.Fatalf("acknowledged: %+v, %v", acked, err)
		}
		if again, err := alerts.Acknowledge(district, a.ID, "me too"); err != nil || again.AckedBy != "as_community_secretary" {
			t.Fatalf("acknowledged again: %+v, %v", again, err)
		}
		advance(time.Hour)
		if n, err := alerts.Escalate(sys); err != nil || n != 0 {
			t.Fatalf("an acknowledged alert escalated: %d, %v", n, err)
		}
		if unread(secretary) != 0 || unread(district) != 0 {
			t.Fatal("an acknowledged alert is still unread")
		}
		if _, err := alerts.Raise(sys, &frontline.Alert{Kind: "no_such_kind", PlaceID: tr.hh[0].ID, Key: "x", Action: "/"}); frontline.ErrorField(err) != "kind" {
			t.Fatalf("an unknown kind: %v", err)
		}
	})
}

// TestAlert_Workflows raises the existing kinds from their workflows: an
// abnormal health report at once, an overdue follow-up from the job (once,
// however often it runs), resolved when the item is handled; and a notice
// that dies, resolved when it is sent again.
func TestAlert_Workflows(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		p := mustPerson(t, db, tr.hh[0].ID, "王五", false)
		mate := mustPerson(t, db, tr.hh[0].ID, "王妻", false)
		staff := as(frontline.RoleCommunityStaff, tr.comm1)
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system"})
		if _, err := sqldb.NewCaseService(db).ReportCase(staff, &frontline.CaseReport{PersonID: p.ID, Source: frontline.SourceHospital,
			ExternalRef: "H-1", Reporter: "市第一人民医院", ConfirmedAt: db.Now()}); err != nil {
			t.Fatal(err)
		}
		fu, alerts := sqldb.NewFollowUpService(db), sqldb.NewAlertService(db)
		items, _, err := fu.FindFollowUps(sys, frontline.FollowUpItemFilter{PersonID: &mate.ID})
		if err != nil || len(items) < 2 {
			t.Fatalf("the contact's follow-ups: %d, %v", len(items), err)
		}
		var report *frontline.FollowUpItem
		for _, it := range items {
			if it.Kind == frontline.FollowUpReport && report == nil {
				report = it
			}
		}
		kindCount := func(kind string) int {
			t.Helper()
			list, _, err := alerts.FindAlerts(sys, frontline.AlertFilter{Kind: &kind, Open: true})
			if err != nil {
				t.Fatal(err)
			}
			return len(list)
		}
		// Nothing is overdue yet; then days pass and the job finds them.
		if n, err := fu.AlertOverdueFollowUps(sys); err != nil || n != 0 {
			t.Fatalf("overdue at once: %d, %v", n, err)
		}
		advance(30 * time.Hour)
		n, err := fu.AlertOverdueFollowUps(sys)
		if err != nil || n == 0 || kindCount(frontline.AlertFollowUpOverdue) != n {
			t.Fatalf("overdue alerts: %d raised, %d open, %v", n, kindCount(frontline.AlertFollowUpOverdue), err)
		}
		if again, err := fu.AlertOverdueFollowUps(sys); err != nil || again != 0 {
			t.Fatalf("the job raised again: %d, %v", again, err)
		}
		// A fever reported: abnormal, alerted; the overdue alert of that
		// item resolves.
		before := kindCount(frontline.AlertFollowUpOverdue)
		if _, err := fu.RecordFollowUp(staff, report.ID, frontline.HealthReport{Temperature: 38.4}); err != nil {
			t.Fatal(err)
		}
		if kindCount(frontline.AlertHealthAbnormal) != 1 || kindCount(frontline.AlertFollowUpOverdue) != before-1 {
			t.Fatalf("after a fever: %d abnormal, %d overdue (was %d)", kindCount(frontline.AlertHealthAbnormal),
				kindCount(frontline.AlertFollowUpOverdue), before)
		}
		if _, err := fu.HandleFollowUp(staff, report.ID, "医生已上门"); err != nil {
			t.Fatal(err)
		}
		if kindCount(frontline.AlertHealthAbnormal) != 0 {
			t.Fatal("a handled report is still alerted")
		}
		// A notice that dies raises an alert at its place.
		if err := sqldb.EnqueueForTest(sys, db, &frontline.Notice{Channel: "log", Topic: "callup", Recipient: "1号楼", PlaceID: tr.bld1.ID,
			Subject: "第一轮", Body: "请下楼"}); err != nil {
			t.Fatal(err)
		}
		outbox := sqldb.NewOutboxService(db)
		claimed, err := outbox.ClaimNotices(sys, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		var dead *frontline.Notice
		for _, no := range claimed {
			if no.Topic == "callup" {
				dead = no
			} else if err := outbox.NoticeDelivered(sys, no); err != nil {
				t.Fatal(err)
			}
		}
		if err := outbox.NoticeFailed(sys, dead, "gateway down", time.Time{}, true); err != nil {
			t.Fatal(err)
		}
		if kindCount(frontline.AlertNoticeDead) != 1 {
			t.Fatal("a dead notice raised no alert")
		}
		if err := outbox.RequeueNotice(staff, dead.ID); err != nil {
			t.Fatal(err)
		}
		if kindCount(frontline.AlertNoticeDead) != 0 {
			t.Fatal("a notice sent again is still alerted")
		}
	})
}

// TestAlert_Kinds keeps the kinds the migration stores equal to
// DefaultAlertKinds, and lets only a root's user manager change one.
func TestAlert_Kinds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		alerts := sqldb.NewAlertService(db)
		kinds, err := alerts.AlertKinds(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		byKind := map[string]*frontline.AlertKind{}
		for _, k := range kinds {
			byKind[k.Kind] = k
		}
		for _, want := range frontline.DefaultAlertKinds() {
			got := byKind[want.Kind]
			if got == nil || got.Label != want.Label || got.Tier != want.Tier || got.AckWithin != want.AckWithin ||
				len(got.Roles) != len(want.Roles) || len(got.Channels) != len(want.Channels) {
				t.Errorf("kind %s: stored %+v, default %+v", want.Kind, got, want)
			}
		}
		if len(kinds) != len(frontline.DefaultAlertKinds()) {
			t.Errorf("%d kinds stored, %d defaults", len(kinds), len(frontline.DefaultAlertKinds()))
		}
		k := *byKind[frontline.AlertCase]
		k.AckWithin = 10 * time.Minute
		if err := alerts.UpdateAlertKind(as(frontline.RoleCommunitySecretary, tr.comm1), &k); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a secretary changed a kind: %v", err)
		}
		if err := alerts.UpdateAlertKind(as(frontline.RoleCityAdmin, tr.city), &k); err != nil {
			t.Fatal(err)
		}
		k.Channels = []string{"sms"}
		if err := alerts.UpdateAlertKind(as(frontline.RoleCityAdmin, tr.city), &k); frontline.ErrorField(err) != "channels" {
			t.Fatalf("a channel the server does not deliver: %v", err)
		}
	})
}
