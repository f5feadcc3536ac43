package sqldb_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// dailyFixture is the screening test tree with a visit, a sealed compound
// and a case: figures in three sections and under both communities.
func dailyFixture(t *testing.T, db *sqldb.DB) (*screening, *sqldb.DailyReportService) {
	t.Helper()
	s := newScreening(t, db)
	grid := as(frontline.RoleGridWorker, s.tr.comp1)
	s.visit(t, grid, s.tr.hh[0], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.resID.ID, Present: true})
	s.visit(t, grid, s.tr.hh[1], frontline.OutcomeNotHome)
	ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "zhangbin"})
	mustZone(t, sqldb.NewZoneService(db), ctx, s.tr.comp2, frontline.LevelSealed)
	return s, sqldb.NewDailyReportService(db)
}

func dailyValue(t *testing.T, r *frontline.DailyReport, key frontline.DailySectionKey, placeID int64, col string) int {
	t.Helper()
	sec := r.Section(key)
	if sec == nil {
		t.Fatalf("no section %s", key)
	}
	i := slices.Index(sec.Columns, col)
	if placeID == r.Place.ID {
		return sec.Total.Values[i]
	}
	for _, row := range sec.Rows {
		if row.PlaceID == placeID && !row.Own {
			return row.Values[i]
		}
	}
	t.Fatalf("no row %d in %s", placeID, key)
	return 0
}

// TestDailyReport_RollUp checks that each parent's row is the total of its
// child's own report, and the total the sum of the rows, in every section.
func TestDailyReport_RollUp(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, ds := dailyFixture(t, db)
		staff := as(frontline.RoleCommunityStaff, s.tr.comm1)
		if _, err := sqldb.NewCaseService(db).ReportCase(staff, &frontline.CaseReport{PersonID: s.resID.ID,
			Source: frontline.SourceHospital, ExternalRef: "H-1", Reporter: "市第一人民医院", ConfirmedAt: testNow.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// Checkpoints of the community itself and of its compound: the
		// community's report has a row of its own for the first.
		zctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "zhangbin"})
		cps := sqldb.NewCheckpointService(db)
		mustCheckpoint(t, cps, zctx, s.tr.comm1, "1号卡点")
		mustCheckpoint(t, cps, zctx, s.tr.comp1, "2号卡点")
		// A package to the subdistrict: one door of each community served.
		dists := sqldb.NewDistributionService(db)
		pkg := &frontline.Distribution{Name: "保供包", Contents: "蔬菜包", ScopeID: s.tr.sub.ID}
		if err := dists.StartDistribution(zctx, pkg); err != nil {
			t.Fatal(err)
		}
		for _, hh := range []*frontline.Place{s.tr.hh[0], s.tr.hh[2]} {
			if _, err := dists.Mark(zctx, &frontline.HandoutMark{DistributionID: pkg.ID, HouseholdID: hh.ID,
				Status: frontline.HandoutDelivered}); err != nil {
				t.Fatal(err)
			}
		}
		city := as(frontline.RoleCityAdmin, s.tr.city)
		comm, err := ds.DailyReport(city, s.tr.comm1.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		cp := comm.Section(frontline.DailyCheckpoints)
		if len(cp.Rows) != 2 || !cp.Rows[1].Own || cp.Rows[1].Values[1] != 1 || cp.Rows[0].Values[1] != 1 || cp.Total.Values[1] != 2 {
			t.Errorf("罗玉新村社区 checkpoints %+v", cp)
		}
		sub, err := ds.DailyReport(city, s.tr.sub.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if sub.Day != "2026-01-05" || sub.Status != frontline.DailyLive || len(sub.Sections) != len(frontline.DailySectionOrder) {
			t.Fatalf("report %s %s, %d sections", sub.Day, sub.Status, len(sub.Sections))
		}
		if got := dailyValue(t, sub, frontline.DailyScreening, s.tr.comm1.ID, "screened"); got != 1 {
			t.Errorf("罗玉新村社区 screened %d, want 1", got)
		}
		if got := dailyValue(t, sub, frontline.DailyZones, s.tr.comm2.ID, "sealed"); got != 1 {
			t.Errorf("自治巷社区 sealed zones %d, want 1", got)
		}
		if got := dailyValue(t, sub, frontline.DailyCheckpoints, s.tr.comm1.ID, "setting_up"); got != 2 {
			t.Errorf("罗玉新村社区 checkpoints being set up %d, want 2", got)
		}
		n := place(t, db, s.tr.comm1.ID).Households
		for col, want := range map[string]int{"households": n, "delivered": 1, "pending": n - 1, "delivered_today": 1} {
			if got := dailyValue(t, sub, frontline.DailySupplies, s.tr.comm1.ID, col); got != want {
				t.Errorf("罗玉新村社区 supplies %s %d, want %d", col, got, want)
			}
		}
		if got := dailyValue(t, sub, frontline.DailySupplies, s.tr.sub.ID, "delivered_today"); got != 2 {
			t.Errorf("大城街道 delivered today %d, want 2", got)
		}
		if got := dailyValue(t, sub, frontline.DailyCases, s.tr.comm1.ID, "new_cases"); got != 1 {
			t.Errorf("罗玉新村社区 new cases %d, want 1", got)
		}
		for _, kid := range []*frontline.Place{s.tr.comm1, s.tr.comm2} {
			own, err := ds.DailyReport(city, kid.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, sec := range sub.Sections {
				for _, col := range sec.Columns {
					if a, b := dailyValue(t, sub, sec.Key, kid.ID, col), dailyValue(t, own, sec.Key, kid.ID, col); a != b {
						t.Errorf("%s %s %s: row %d in 大城街道, %d in its own report", kid.Name, sec.Key, col, a, b)
					}
				}
			}
		}
		for _, sec := range sub.Sections {
			for i, col := range sec.Columns {
				sum := 0
				for _, row := range sec.Rows {
					sum += row.Values[i]
				}
				if sum != sec.Total.Values[i] {
					t.Errorf("%s %s: total %d, rows sum to %d", sec.Key, col, sec.Total.Values[i], sum)
				}
			}
		}
		// Above: the district's one row is the subdistrict's total.
		dist, err := ds.DailyReport(city, s.tr.district.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if a, b := dailyValue(t, dist, frontline.DailyScreening, s.tr.sub.ID, "households"), sub.Section(frontline.DailyScreening).Total.Values[0]; a != b || a != 6 {
			t.Errorf("district row households %d, subdistrict total %d, want 6", a, b)
		}
		// Scope: a community's secretary reads their own, not the other's.
		if _, err := ds.DailyReport(as(frontline.RoleCommunitySecretary, s.tr.comm1), s.tr.comm2.ID, ""); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("the other community's report: %v", err)
		}
		if _, err := ds.DailyReport(as(frontline.RoleGridWorker, s.tr.comp1), s.tr.comp1.ID, ""); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("a grid worker read a daily report: %v", err)
		}
	})
}

// TestDailyReport_Yesterday keeps a day's report at its cut-off and checks
// the next day's change beside it; a submitted report stays as it was.
func TestDailyReport_Yesterday(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, ds := dailyFixture(t, db)
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system"})
		if n, err := ds.KeepDailyReports(sys); err != nil || n != 0 {
			t.Fatalf("kept %d before any cut-off passed: %v", n, err)
		}
		// 16:05 China time: the 5th's cut-off has passed.
		db.Now = func() time.Time { return testNow.Add(4*time.Hour + 5*time.Minute) }
		if n, err := ds.KeepDailyReports(sys); err != nil || n != 5 { // city, district, subdistrict, 2 communities
			t.Fatalf("kept %d, want 5: %v", n, err)
		}
		if n, err := ds.KeepDailyReports(sys); err != nil || n != 0 {
			t.Fatalf("kept %d again", n)
		}
		city := as(frontline.RoleCityAdmin, s.tr.city)
		kept, err := ds.DailyReport(city, s.tr.sub.ID, "2026-01-05")
		if err != nil || kept.Status != frontline.DailyKept {
			t.Fatalf("kept report: %+v, %v", kept, err)
		}
		// The next day: one household fewer to reach in 罗玉新村社区.
		grid := as(frontline.RoleGridWorker, s.tr.comp1)
		s.visit(t, grid, s.tr.hh[1], frontline.OutcomeVacant)
		now, err := ds.DailyReport(city, s.tr.sub.ID, "")
		if err != nil || now.Day != "2026-01-06" || now.Status != frontline.DailyLive {
			t.Fatalf("current report: %v", err)
		}
		sec := now.Section(frontline.DailyScreening)
		i := slices.Index(sec.Columns, "pending")
		for _, row := range sec.Rows {
			d, ok := row.Change(i)
			want := map[int64]int{s.tr.comm1.ID: -1, s.tr.comm2.ID: 0}[row.PlaceID]
			if !ok || d != want {
				t.Errorf("%s pending changed by %d (%v), want %d", row.Name, d, ok, want)
			}
		}
		if d, ok := sec.Total.Change(i); !ok || d != -1 {
			t.Errorf("total change %d (%v), want 1", d, ok)
		}
		// Submitting the kept report keeps its figures; later data changes
		// neither it nor its body.
		secretary := as(frontline.RoleSubdistrictAdmin, s.tr.sub)
		sent, err := ds.SubmitDailyReport(secretary, s.tr.sub.ID, "2026-01-05")
		if err != nil || sent.Status != frontline.DailySubmitted || sent.SubmittedBy == "" {
			t.Fatalf("submit: %+v, %v", sent, err)
		}
		if _, err := ds.SubmitDailyReport(secretary, s.tr.sub.ID, "2026-01-05"); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("submitted twice: %v", err)
		}
		s.visit(t, as(frontline.RoleCommunityStaff, s.tr.comm2), s.tr.hh[2], frontline.OutcomeVacant)
		again, err := ds.DailyReport(city, s.tr.sub.ID, "2026-01-05")
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(again.Sections)
		b, _ := json.Marshal(kept.Sections)
		if string(a) != string(b) || again.Status != frontline.DailySubmitted {
			t.Errorf("the submitted report changed:\n%s\n%s", a, b)
		}
		if got := dailyValue(t, again, frontline.DailyScreening, s.tr.sub.ID, "pending"); got != 5 {
			t.Errorf("submitted pending %d, want 5", got)
		}
		days, err := ds.DailyReportDays(city, s.tr.sub.ID, 10)
		if err != nil || len(days) != 1 || days[0].Status != frontline.DailySubmitted {
			t.Errorf("days %+v, %v", days, err)
		}
		if _, err := ds.DailyReport(city, s.tr.sub.ID, "2026-01-03"); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("a day never kept: %v", err)
		}
	})
}

// TestDailyReport_CutOff sets a node's cut-off: it moves the day's window
// for the node and those below it.
func TestDailyReport_CutOff(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s, ds := dailyFixture(t, db)
		city := as(frontline.RoleCityAdmin, s.tr.city)
		if err := ds.SetCutOff(city, s.tr.sub.ID, "11:00"); err != nil {
			t.Fatal(err)
		}
		if err := ds.SetCutOff(city, s.tr.sub.ID, "25:00"); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("25:00: %v", err)
		}
		for _, n := range []*frontline.Place{s.tr.sub, s.tr.comm1} {
			c, err := ds.CutOff(city, n.ID)
			if err != nil || c != "11:00" {
				t.Errorf("%s cut-off %q, %v", n.Name, c, err)
			}
			// 12:00 is past 11:00: the current report is the 6th's.
			r, err := ds.DailyReport(city, n.ID, "")
			if err != nil || r.Day != "2026-01-06" || r.CutOff != "11:00" {
				t.Errorf("%s current report %v", n.Name, err)
			}
		}
		if c, _ := ds.CutOff(city, s.tr.district.ID); c != frontline.DefaultCutOff {
			t.Errorf("the district's cut-off %q", c)
		}
	})
}
