package sqldb_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestReportService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newScreening(t, db)
		rs := sqldb.NewReportService(db)
		grid := as(frontline.RoleGridWorker, s.tr.comp1)
		travel := &frontline.Travel{AreaCode: "610113", ArrivedOn: "2026-01-04", Means: "plane"}
		s.visit(t, grid, s.tr.hh[0], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.resID.ID, Present: true, Travel: travel})
		s.visit(t, grid, s.tr.hh[1], frontline.OutcomeNotHome)

		secretary := as(frontline.RoleCommunitySecretary, s.tr.comm1)
		snap, err := rs.SubmitReport(secretary, s.c.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		r := snap.Report
		if r.Place.ID != s.tr.comm1.ID || r.ReportDate != "2026-01-05" || r.Totals.Households != 4 || r.Totals.Screened != 1 ||
			len(r.Children) != 1 || r.GapsTotal != 3 || len(r.Gaps) != 3 {
			t.Fatalf("report %+v", r)
		}
		if len(r.Returnees) != 1 || r.Returnees[0].IDNumber != frontline.MaskIDNumber(s.resID.IDNumber) ||
			r.Returnees[0].Address != "枣园小区/1号楼/101" || r.Returnees[0].RuleVersion != 1 {
			t.Fatalf("returnees %+v", r.Returnees)
		}
		// Later visits do not change what was submitted.
		s.visit(t, grid, s.tr.hh[1], frontline.OutcomeVacant)
		kept, err := rs.FindReportByID(secretary, snap.ID)
		if err != nil || !bytes.Equal(kept.JSON, snap.JSON) || kept.Report.Totals.Vacant != 0 {
			t.Fatalf("kept report changed: %v", err)
		}
		now, _ := rs.Report(secretary, s.c.ID, 0)
		if now.Totals.Vacant != 1 {
			t.Errorf("current report %+v", now.Totals)
		}
		list, err := rs.FindReports(secretary, s.c.ID)
		if err != nil || len(list) != 1 || list[0].ID != snap.ID {
			t.Fatalf("reports %v, %v", list, err)
		}
		// The other community's secretary sees neither the report nor
		// 罗玉新村社区's figures.
		other := as(frontline.RoleCommunitySecretary, s.tr.comm2)
		if _, err := rs.FindReportByID(other, snap.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("other community read the report: %v", err)
		}
		if _, _, err := s.cs.Coverage(other, s.c.ID, s.tr.comm1.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("other community read coverage: %v", err)
		}
		if _, err := rs.Report(as(frontline.RoleGridWorker, s.tr.comp1), s.c.ID, 0); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a grid worker built a report: %v", err)
		}
	})
}

func TestFollowUpService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := newScreening(t, db)
		grid := as(frontline.RoleGridWorker, s.tr.comp1)
		travel := &frontline.Travel{AreaCode: "610113", ArrivedOn: "2026-01-05"}
		s.visit(t, grid, s.tr.hh[0], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.resID.ID, Present: true, Travel: travel})
		fs := sqldb.NewFollowUpService(db)
		items, total, err := fs.FindFollowUps(grid, frontline.FollowUpItemFilter{CampaignID: &s.c.ID, Assignee: &s.grid.ID})
		// Arrived today: tests on days 1, 2, 3, 5, 7 (day 1's 10:00 is past:
		// a catch-up due now) and reports from this evening, 13 of them.
		if err != nil || total != 5+13 {
			t.Fatalf("%d items, %v", total, err)
		}
		first := items[0]
		if first.Kind != frontline.FollowUpTest || !first.DueAt.Equal(testNow) {
			t.Fatalf("first item %+v", first)
		}
		// Six hours later the catch-up test is overdue past the
		// secretary's limit.
		later := testNow.Add(7 * time.Hour)
		db.Now = func() time.Time { return later }
		esc, _, err := fs.FindFollowUps(grid, frontline.FollowUpItemFilter{CampaignID: &s.c.ID, MinEscalation: frontline.EscalationSecretary})
		if err != nil || len(esc) != 1 || esc[0].ID != first.ID || esc[0].Escalation != frontline.EscalationSecretary {
			t.Fatalf("escalated %+v, %v", esc, err)
		}
		if _, err := fs.RecordFollowUp(grid, first.ID, frontline.HealthReport{Result: "negative"}); err != nil {
			t.Fatal(err)
		}
		if _, err := fs.RecordFollowUp(grid, first.ID, frontline.HealthReport{Result: "negative"}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("recorded twice: %v", err)
		}
		var report *frontline.FollowUpItem
		for _, it := range items {
			if it.Kind == frontline.FollowUpReport {
				report = it
				break
			}
		}
		got, err := fs.RecordFollowUp(grid, report.ID, frontline.HealthReport{Temperature: 38.1})
		if err != nil || !got.Abnormal || got.Escalation != frontline.EscalationAssignee {
			t.Fatalf("fever: %+v, %v", got, err)
		}
		if got, err = fs.HandleFollowUp(grid, report.ID, "已联系社区医生"); err != nil || got.HandledAt.IsZero() {
			t.Fatalf("handle: %v", err)
		}
		if n, err := fs.EndMeasures(context.Background(), s.c.ID, s.tr.sub.ID); err != nil || n != 0 {
			t.Errorf("ended %d measures before their days: %v", n, err)
		}
	})
}
