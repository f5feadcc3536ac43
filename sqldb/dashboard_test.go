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

// TestDashboardSuppliedByDeliveryTime: an order's parcel and a
// distribution's package delivered on 30 March count on that day in the
// households-supplied chart and the daily report; the next day the
// household confirms the order and complains through its link, and the
// package is marked delivered again with a note — the 30th keeps its
// counts and the 31st gets none.
func TestDashboardSuppliedByDeliveryTime(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDelivery(t, db)
		hh := f.tr.hh[2] // 忠义巷小区 2号楼 101
		_, secret, err := f.orders.CreateOrderLink(f.ctx, hh.ID)
		if err != nil {
			t.Fatal(err)
		}
		o, err := f.orders.OrderByLink(f.ctx, secret, frontline.OrderRequest{PartnerID: f.shop.ID, Quantities: map[int64]int{f.greens.ID: 1}, Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		shop := asUser(f.shopUser, f.tr.comm2)
		if _, err := f.orders.FillOrder(shop, o.ID, []frontline.LineFill{{LineID: o.Lines[0].ID, Filled: 1}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.orders.HandOver(shop, f.shop.ID, f.tr.comp2.ID, o.DeliveryDay); err != nil {
			t.Fatal(err)
		}
		dist := sqldb.NewDistributionService(db)
		d := &frontline.Distribution{Name: "第一批保供包", Contents: "蔬菜包 10斤", ScopeID: f.tr.comp2.ID}
		if err := dist.StartDistribution(f.ctx, d); err != nil {
			t.Fatal(err)
		}
		f.advance(20 * time.Hour) // 2022-03-30 10:00 in China
		r := f.run(t, o.DeliveryDay)
		if _, err := f.runs.Deliver(f.vol, r.Parcels[0].ID); err != nil {
			t.Fatal(err)
		}
		mark := func(note string) {
			t.Helper()
			if _, err := dist.Mark(f.vol, &frontline.HandoutMark{DistributionID: d.ID, HouseholdID: hh.ID,
				Status: frontline.HandoutDelivered, Reason: note}); err != nil {
				t.Fatal(err)
			}
		}
		mark("")
		city := as(frontline.RoleCityAdmin, f.tr.city)
		ds := sqldb.NewDailyReportService(db)
		// The day's report so far (a past day's is the one kept).
		report := func(day string, want int) {
			t.Helper()
			rep, err := ds.DailyReport(city, f.tr.comp2.ID, day)
			if err != nil {
				t.Fatal(err)
			}
			sec := rep.Section(frontline.DailySupplies)
			orders, handed := sec.Total.Values[slices.Index(sec.Columns, "orders_delivered")], sec.Total.Values[slices.Index(sec.Columns, "delivered_today")]
			if orders != want || handed != want {
				t.Errorf("daily report of %s: orders delivered %d, packages delivered %d, want %d", day, orders, handed, want)
			}
		}
		report("2022-03-30", 1)

		f.advance(24 * time.Hour) // the next day
		if _, err := f.runs.ConfirmByLink(f.ctx, secret, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.runs.ComplainByLink(f.ctx, secret, o.ID, "青菜有点黄"); err != nil {
			t.Fatal(err)
		}
		mark("放在门口")
		for _, n := range []*frontline.Place{f.tr.comp2, f.tr.city} {
			dash, err := ds.Dashboard(city, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			days := dash.Supplied
			want := []frontline.DaySupplied{{Day: "2022-03-30", Distributed: 1, Ordered: 1}, {Day: "2022-03-31"}}
			if got := days[len(days)-2:]; !slices.Equal(got, want) {
				t.Errorf("%s supplied: %+v, want %+v", n.Name, got, want)
			}
		}
		report("2022-03-31", 0)
		hs, _, err := dist.FindHandouts(f.ctx, d.ID, frontline.HandoutFilter{HouseholdID: &hh.ID})
		if err != nil || hs[0].Reason != "放在门口" || localDate(hs[0].MarkedAt) != "2022-03-30" {
			t.Errorf("marked again: %+v, %v", hs, err)
		}
	})
}

// localDate is t's day in China.
func localDate(t time.Time) string {
	return t.In(time.FixedZone("CST", 8*3600)).Format(frontline.DateLayout)
}
