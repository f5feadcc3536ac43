package sqldb_test

import (
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// dashboardNow is 09:00 China time on the round's day.
var dashboardNow = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// TestDashboard_Figures samples four of twelve persons of a city-wide
// round, seals a compound and reports a case, then reads the
// subdistrict's and a compound's dashboards: the day's tests, the
// morning's flow, and a tile per child with its zone, coverage and cases;
// the daily report's testing section rolls up the same counters.
func TestDashboard_Figures(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return dashboardNow }
		f := newRoundFixture(t, db, 3, nil)
		f.bind(t, "D-1", false, f.persons[f.tr.hh[0].ID]...)
		f.bind(t, "D-1", false, f.persons[f.tr.hh[1].ID][0])
		ctx := as(frontline.RoleCityAdmin, f.tr.city)
		mustZone(t, sqldb.NewZoneService(db), ctx, f.tr.comp2, frontline.LevelSealed)
		staff := as(frontline.RoleCommunityStaff, f.tr.comm1)
		if _, err := sqldb.NewCaseService(db).ReportCase(staff, &frontline.CaseReport{PersonID: f.persons[f.tr.hh[0].ID][0].ID,
			Source: frontline.SourceHospital, ExternalRef: "H-9", Reporter: "市第一人民医院", ConfirmedAt: dashboardNow.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		ds := sqldb.NewDailyReportService(db)
		d, err := ds.Dashboard(ctx, f.tr.sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Days) != frontline.DashboardDays || d.Days[len(d.Days)-1].Day != "2026-03-02" || d.Days[len(d.Days)-1].Sampled != 4 {
			t.Fatalf("days %+v", d.Days)
		}
		if m := d.Morning; m == nil || m.Expected != 12 || len(m.Buckets) != 1 || m.Buckets[0].Sampled != 4 {
			t.Fatalf("morning %+v", d.Morning)
		}
		if len(d.Map) != 2 {
			t.Fatalf("map %+v", d.Map)
		}
		luoyu, zizhi := d.Map[0], d.Map[1]
		if luoyu.Name != "罗玉新村社区" || luoyu.Expected != 6 || luoyu.Sampled != 4 || luoyu.Cases != 1 || luoyu.Level != frontline.LevelNone {
			t.Errorf("罗玉新村社区 %+v", luoyu)
		}
		if zizhi.Level != frontline.LevelSealed || zizhi.Cases != 0 || zizhi.Sampled != 0 || zizhi.Expected != 6 {
			t.Errorf("自治巷社区 %+v", zizhi)
		}
		sec := d.Today.Section(frontline.DailyTesting)
		if i := slices.Index(sec.Columns, "sampled"); sec.Total.Values[i] != 4 || sec.Total.Values[slices.Index(sec.Columns, "expected")] != 12 {
			t.Errorf("today's testing %+v", sec.Total)
		}
		comp, err := ds.Dashboard(ctx, f.tr.comp1.ID)
		if err != nil || len(comp.Map) != 1 || comp.Map[0].Name != "1号楼" || comp.Map[0].Coverage() < 66 || comp.Map[0].Coverage() > 67 {
			t.Fatalf("compound map %+v, %v", comp.Map, err)
		}
		if _, err := ds.Dashboard(as(frontline.RoleCommunitySecretary, f.tr.comm1), f.tr.comm2.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Errorf("the other community's dashboard: %v", err)
		}
	})
}
