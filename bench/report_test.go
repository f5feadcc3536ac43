package bench_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// reportNow is the clock of the report benchmarks: 10:00 China time on
// the day of the round they open, so "today" is always that day.
var reportNow = time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)

// BenchmarkDailyReport builds the live daily report (日报) and the
// dashboard of the city, a subdistrict, a community and a compound in a
// demo city of FRONTLINE_BENCH_RESIDENTS residents (default 3,000,000)
// with work under way: a test round over 大城街道 with ten thousand
// persons sampled, a screening campaign open over 中城街道, one compound
// in ten of 大城街道 sealed, a workforce on duty in every community, and a
// package distribution (保供包) over the whole city started two days
// before with deliveries on each day since (FRONTLINE_BENCH_DELIVERIES a
// day, default one household in a hundred, spread over every community).
// The round, the campaign, the zones and the workforce are kept in the
// benchmark's own copy of the city; the distribution is started afresh
// and purged afterwards, so every run measures the same thing. Targets:
// a city's daily report under 2 s, a dashboard under 50 ms.
func BenchmarkDailyReport(b *testing.B) {
	residents := envInt(b, "FRONTLINE_BENCH_RESIDENTS", 3_000_000)
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) {
			db, nodes := reportCity(b, e, residents)
			defer db.Close()
			dist := sqldb.NewDistributionService(db)
			d := reportDistribution(b, db, nodes[0], envInt(b, "FRONTLINE_BENCH_DELIVERIES", nodes[0].Households/100))
			defer purgeDistribution(b, dist, d)
			ds := sqldb.NewDailyReportService(db)
			ctx := context.Background()
			checkReportData(b, ds, nodes[0])
			for _, n := range nodes {
				b.Run("report-"+string(n.Kind), func(b *testing.B) {
					var r *frontline.DailyReport
					cpu0, pg := processCPU(), (&importMeter{}).startPostgres(b, e, db)
					for b.Loop() {
						var err error
						if r, err = ds.DailyReport(ctx, n.ID, ""); err != nil {
							b.Fatal(err)
						}
					}
					reportCPU(b, cpu0, pg)
					// What the node's report holds, so a run shows the
					// figures it read are real.
					b.ReportMetric(float64(r.Section(frontline.DailySupplies).Total.Values[3]), "delivered-today")
					b.ReportMetric(float64(r.Section(frontline.DailyWorkforce).Total.Values[1]), "on-duty")
				})
				b.Run("dashboard-"+string(n.Kind), func(b *testing.B) {
					cpu0, pg := processCPU(), (&importMeter{}).startPostgres(b, e, db)
					for b.Loop() {
						if _, err := ds.Dashboard(ctx, n.ID); err != nil {
							b.Fatal(err)
						}
					}
					reportCPU(b, cpu0, pg)
				})
			}
		})
	}
}

// reportCPU reports the CPU per read since cpu0: the process's (on SQLite
// the read's own work, apart from the wait for a core on a loaded
// machine) and, when pg is set, the PostgreSQL server's for the
// benchmark's connections (application_name in the test URL).
func reportCPU(b *testing.B, cpu0 time.Duration, pg func() time.Duration) {
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	if pg != nil {
		b.ReportMetric(float64(pg().Microseconds())/1000/float64(b.N), "pg-cpu-ms/op")
	}
}

// checkReportData fails the benchmark when the city's report or dashboard
// lacks any of the work the benchmark put under way: a report of empty
// sections would measure nothing.
func checkReportData(b *testing.B, ds *sqldb.DailyReportService, city *frontline.Place) {
	ctx := context.Background()
	r, err := ds.DailyReport(ctx, city.ID, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		key frontline.DailySectionKey
		col int
	}{{frontline.DailyScreening, 0}, {frontline.DailyTesting, 1}, {frontline.DailyZones, 0}, {frontline.DailyWorkforce, 1},
		{frontline.DailyWorkforce, 2}, {frontline.DailyWorkforce, 3}, {frontline.DailySupplies, 0}, {frontline.DailySupplies, 3}} {
		if v := r.Section(c.key).Total.Values[c.col]; v == 0 {
			b.Fatalf("the city's report has 0 %s %s", c.key, frontline.DailySectionColumns[c.key][c.col])
		}
	}
	d, err := ds.Dashboard(ctx, city.ID)
	if err != nil {
		b.Fatal(err)
	}
	days := 0
	for _, s := range d.Supplied {
		if s.Distributed > 0 {
			days++
		}
	}
	if days != 3 {
		b.Fatalf("the city's chart of households supplied has deliveries on %d days, not 3: %+v", days, d.Supplied)
	}
	sup, wf := r.Section(frontline.DailySupplies).Total.Values, r.Section(frontline.DailyWorkforce).Total.Values
	b.Logf("the city's report: %d households in the distribution, %d delivered, %d today; %d workers, %d on duty, %d places open, %d no-shows",
		sup[0], sup[1], sup[3], wf[0], wf[1], wf[2], wf[3])
}

// reportCity opens (building once) the city of the report benchmarks, a
// copy of its own since the benchmark adds work to it, and returns it
// with the nodes to report on, from the city down to 枣园小区.
func reportCity(b *testing.B, e sqldb.Engine, residents int) (*sqldb.DB, []*frontline.Place) {
	ctx := context.Background()
	db, city := ownCity(b, e, "report_city", residents)
	db.Now = func() time.Time { return reportNow }
	places := sqldb.NewPlaceService(db)
	find := func(path string) *frontline.Place {
		p, err := places.FindPlaceByPath(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	zaoyuan, luoyu := find(demo.PathZaoyuan), find(demo.PathLuoyuxincun)
	dacheng, zhongcheng := find(filepath.Dir(demo.PathLuoyuxincun)), find(filepath.Dir(demo.PathZizhixiang))
	rounds := sqldb.NewRoundService(db)
	if _, n, err := rounds.FindRounds(ctx, frontline.RoundFilter{Limit: 1}); err != nil {
		b.Fatal(err)
	} else if n == 0 {
		start := time.Now()
		if err := reportWork(ctx, db, dacheng, zhongcheng, zaoyuan); err != nil {
			b.Fatal(err)
		}
		b.Logf("opened the round and the campaign, sampled and visited in %s", time.Since(start).Round(time.Millisecond))
	}
	// A city kept from before the benchmark had a workforce gets its own.
	if _, n, err := sqldb.NewWorkerService(db).FindWorkers(ctx, frontline.WorkerFilter{Limit: 1}); err != nil {
		b.Fatal(err)
	} else if n == 0 {
		start := time.Now()
		workers, err := reportWorkforce(ctx, db, city)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("registered %d workers and put them on duty in %s", workers, time.Since(start).Round(time.Millisecond))
	}
	// Refreshed: the city's counts as the benchmark reads them.
	return db, []*frontline.Place{find(city.Path), dacheng, luoyu, zaoyuan}
}

// ownCity opens (building once) a demo city of the given size kept under
// a name of its own, for a benchmark that adds work to its city.
func ownCity(b *testing.B, e sqldb.Engine, name string, residents int) (*sqldb.DB, *frontline.Place) {
	name = fmt.Sprintf("%s_%d", name, residents)
	var u string
	var err error
	if e == sqldb.Postgres {
		u, err = bench.SchemaURL(sqldbtest.PostgresURL(b), "bench_"+name)
	} else {
		var dir string
		dir, err = bench.Dir()
		u = "sqlite:" + filepath.Join(dir, name+".db")
	}
	if err != nil {
		b.Fatal(err)
	}
	db, city, err := bench.City(context.Background(), u, residents, logger())
	if err != nil {
		b.Fatal(err)
	}
	return db, city
}

// reportWork puts work under way in the city: a round over one
// subdistrict with persons sampled, a campaign over another with
// households visited, and every tenth compound of the first sealed.
func reportWork(ctx context.Context, db *sqldb.DB, roundScope, campaignScope, compound *frontline.Place) error {
	rounds := sqldb.NewRoundService(db)
	r := &frontline.Round{ScopeID: roundScope.ID, Name: "全员核酸", Day: "2026-12-07", StartsAt: reportNow.Add(-4 * time.Hour),
		EndsAt: reportNow.Add(8 * time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		return err
	}
	if _, err := rounds.OpenRound(ctx, r.ID); err != nil {
		return err
	}
	persons := sqldb.NewPersonService(db)
	samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	defer samp.Close()
	ps, _, err := persons.FindPersons(ctx, frontline.PersonFilter{Under: &roundScope.ID, Limit: 10_000})
	if err != nil {
		return err
	}
	for i := 0; i+10 <= len(ps); i += 10 {
		req := &frontline.BindRequest{RequestID: fmt.Sprintf("report-%d", i), RoundID: r.ID, TubeCode: fmt.Sprintf("RPT%07d", i)}
		for _, p := range ps[i : i+10] {
			req.PersonIDs = append(req.PersonIDs, p.ID)
		}
		if _, err := samp.Bind(ctx, req); err != nil {
			return err
		}
	}
	c := &frontline.Campaign{Name: "返乡人员摸排", ScopeID: campaignScope.ID, Deadline: reportNow.Add(72 * time.Hour),
		Question: frontline.Question{ArrivedSince: "2026-12-01", MinLevel: frontline.RiskMedium}}
	if err := sqldb.NewCampaignService(db).OpenCampaign(ctx, c); err != nil {
		return err
	}
	zones := sqldb.NewZoneService(db)
	kind := frontline.KindCompound
	compounds, _, err := sqldb.NewPlaceService(db).FindPlaces(ctx, frontline.PlaceFilter{Under: &roundScope.ID, Kind: &kind})
	if err != nil {
		return err
	}
	for i := 0; i < len(compounds); i += 10 {
		if _, err := zones.SetZone(ctx, &frontline.Zone{PlaceID: compounds[i].ID, Level: frontline.LevelSealed, Reason: "bench"}); err != nil {
			return err
		}
	}
	if _, err := zones.SetZone(ctx, &frontline.Zone{PlaceID: compound.ID, Level: frontline.LevelControlled, Reason: "bench"}); err != nil &&
		frontline.ErrorCode(err) != frontline.EINVALID && frontline.ErrorCode(err) != frontline.ECONFLICT {
		return err
	}
	return nil
}

// reportWorkforce registers a workforce in every community of the city
// and puts it on today's duty as a community would: the roster made the
// evening before, forty workers each (staff, grid workers, volunteers and
// cadres of a department), a checkpoint post with a day shift from 08:00
// for five, four rostered — three checked in on arrival, the fourth
// marked a no-show past the grace — and a night shift from 20:00 for four
// with three rostered. It returns how many workers it registered.
func reportWorkforce(ctx context.Context, db *sqldb.DB, city *frontline.Place) (int, error) {
	defer func() { db.Now = func() time.Time { return reportNow } }()
	kind := frontline.KindCommunity
	comms, _, err := sqldb.NewPlaceService(db).FindPlaces(ctx, frontline.PlaceFilter{Under: &city.ID, Kind: &kind})
	if err != nil {
		return 0, err
	}
	ws, roster, duty := sqldb.NewWorkerService(db), sqldb.NewRosterService(db), sqldb.NewDutyService(db)
	cst := time.FixedZone("CST", 8*60*60)
	day := reportNow.In(cst)
	dayStart := time.Date(day.Year(), day.Month(), day.Day(), 8, 0, 0, 0, cst)
	db.Now = func() time.Time { return dayStart.Add(-14 * time.Hour) }
	const perCommunity = 40
	registered := 0
	var arriving []int64 // the day shifts' assignments whose workers come
	for c, comm := range comms {
		var rows []frontline.WorkerRow
		for i := range perCommunity {
			w := frontline.Worker{Name: fmt.Sprintf("%s工作人员%02d", comm.Name, i+1), Phone: fmt.Sprintf("137%08d", c*perCommunity+i),
				Kind: frontline.WorkerVolunteer, LastNegative: dayStart.Add(-20 * time.Hour)}
			switch {
			case i < 5:
				w.Kind = frontline.WorkerCommunity
			case i < 15:
				w.Kind = frontline.WorkerGrid
			case i < 25:
				w.Kind, w.Unit = frontline.WorkerDepartment, "区林草局"
			}
			rows = append(rows, frontline.WorkerRow{Row: i + 2, Worker: w})
		}
		if _, err := ws.ImportWorkers(ctx, rows, frontline.WorkerImport{PlaceID: comm.ID}); err != nil {
			return registered, fmt.Errorf("workers of %s: %w", comm.Name, err)
		}
		registered += len(rows)
		cadres, _, err := ws.FindWorkers(ctx, frontline.WorkerFilter{Under: &comm.ID, Kind: ptr(frontline.WorkerDepartment), Limit: 10})
		if err != nil {
			return registered, err
		}
		if len(cadres) != 10 {
			return registered, fmt.Errorf("%s has %d cadres, not 10", comm.Name, len(cadres))
		}
		post := &frontline.Post{PlaceID: comm.ID, Kind: frontline.PostCheckpoint, Name: comm.Name + "1号卡点", MeetsResidents: true}
		if err := roster.CreatePost(ctx, post); err != nil {
			return registered, err
		}
		shifts := []*frontline.Shift{
			{PostID: post.ID, Start: dayStart, End: dayStart.Add(12 * time.Hour), Headcount: 5},
			{PostID: post.ID, Start: dayStart.Add(12 * time.Hour), End: dayStart.Add(24 * time.Hour), Headcount: 4},
		}
		if err := roster.AddShifts(ctx, shifts); err != nil {
			return registered, err
		}
		for i, w := range cadres[:7] {
			sh, k := shifts[0], i
			if i >= 4 {
				sh, k = shifts[1], i-4
			}
			a, err := roster.Assign(ctx, frontline.AssignRequest{ShiftID: sh.ID, WorkerID: w.ID, Leader: k == 0})
			if err != nil {
				return registered, fmt.Errorf("%s on %s: %w", w.Name, post.Name, err)
			}
			if sh == shifts[0] && k < 3 {
				arriving = append(arriving, a.ID)
			}
		}
	}
	db.Now = func() time.Time { return dayStart.Add(5 * time.Minute) }
	for _, id := range arriving {
		if _, err := duty.CheckIn(ctx, id); err != nil {
			return registered, fmt.Errorf("assignment %d checks in: %w", id, err)
		}
	}
	db.Now = func() time.Time { return reportNow }
	if _, err := duty.MarkNoShows(ctx); err != nil {
		return registered, err
	}
	return registered, nil
}

func ptr[T any](v T) *T { return &v }

// reportDistribution starts a package distribution (保供包) over the whole
// city two days before the report's moment and records deliveries on each
// day since, perDay a day spread over every community (a community's
// teams work through their doors in walking order): 08:00–20:00 on the
// two days before, 08:00–10:00 today. It first purges any distribution
// the city still holds — one an interrupted run left, or one an earlier
// version of the benchmark kept — so the run starts from the kept city.
func reportDistribution(b *testing.B, db *sqldb.DB, city *frontline.Place, perDay int) *frontline.Distribution {
	ctx := context.Background()
	ds := sqldb.NewDistributionService(db)
	left, _, err := ds.FindDistributions(ctx, city.ID, 0, 100)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range left {
		purgeDistribution(b, ds, d)
	}
	defer func() { db.Now = func() time.Time { return reportNow } }()
	cst := time.FixedZone("CST", 8*60*60)
	day := reportNow.In(cst)
	morning := func(daysBefore int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()-daysBefore, 8, 0, 0, 0, cst)
	}
	db.Now = func() time.Time { return morning(2).Add(-time.Hour) }
	d := &frontline.Distribution{Name: "全市第一批保供包", Contents: "蔬菜包 10斤、大米 5斤、食用油 1桶", ScopeID: city.ID}
	start := time.Now()
	if err := ds.StartDistribution(ctx, d); err != nil {
		b.Fatal(err)
	}
	b.Logf("started distribution %d over the city (%d households) in %s", d.ID, d.Households, time.Since(start).Round(time.Millisecond))
	kind := frontline.KindCommunity
	comms, _, err := sqldb.NewPlaceService(db).FindPlaces(ctx, frontline.PlaceFilter{Under: &city.ID, Kind: &kind})
	if err != nil {
		b.Fatal(err)
	}
	each := max(1, perDay/len(comms))
	doors := make([][]*frontline.Handout, len(comms))
	for i, c := range comms {
		if doors[i], _, err = ds.FindHandouts(ctx, d.ID, frontline.HandoutFilter{Under: &c.ID, OnlyPending: true, Limit: 3 * each}); err != nil {
			b.Fatal(err)
		}
	}
	start = time.Now()
	marked := 0
	for k, span := range []struct {
		daysBefore int
		hours      time.Duration
	}{{2, 12 * time.Hour}, {1, 12 * time.Hour}, {0, 2 * time.Hour}} {
		// The day's deliveries evenly over its hours, community by
		// community in turn, as teams work side by side.
		batch := dayDoors(doors, k*each, (k+1)*each)
		for i, h := range batch {
			at := morning(span.daysBefore).Add(span.hours * time.Duration(i) / time.Duration(len(batch)))
			db.Now = func() time.Time { return at }
			if _, err := ds.Mark(ctx, &frontline.HandoutMark{DistributionID: d.ID, HouseholdID: h.HouseholdID,
				Status: frontline.HandoutDelivered}); err != nil {
				b.Fatal(err)
			}
			marked++
		}
	}
	b.Logf("recorded %d deliveries over three days in %s", marked, time.Since(start).Round(time.Millisecond))
	return d
}

// dayDoors takes the doors [from, to) of each community's list, one
// community after the other in turn.
func dayDoors(doors [][]*frontline.Handout, from, to int) []*frontline.Handout {
	var out []*frontline.Handout
	for i := from; i < to; i++ {
		for _, ds := range doors {
			if i < len(ds) {
				out = append(out, ds[i])
			}
		}
	}
	return out
}
