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
// persons sampled, a screening campaign open over 中城街道, a package
// distribution (保供包) over 中城街道 with two thousand doors served, and
// one compound in ten of 大城街道 sealed. Targets: a city's daily report
// under 2 s, a dashboard under 50 ms.
func BenchmarkDailyReport(b *testing.B) {
	residents := envInt(b, "FRONTLINE_BENCH_RESIDENTS", 3_000_000)
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) {
			db, nodes := reportCity(b, e, residents)
			defer db.Close()
			ds := sqldb.NewDailyReportService(db)
			ctx := context.Background()
			for _, n := range nodes {
				b.Run("report-"+string(n.Kind), func(b *testing.B) {
					for b.Loop() {
						if _, err := ds.DailyReport(ctx, n.ID, ""); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("dashboard-"+string(n.Kind), func(b *testing.B) {
					for b.Loop() {
						if _, err := ds.Dashboard(ctx, n.ID); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
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
	// A city kept from before distributions existed gets its own now.
	if _, n, err := sqldb.NewDistributionService(db).FindDistributions(ctx, city.ID, 0, 1); err != nil {
		b.Fatal(err)
	} else if n == 0 {
		start := time.Now()
		if err := reportDistribution(ctx, db, zhongcheng); err != nil {
			b.Fatal(err)
		}
		b.Logf("started the distribution and served its first doors in %s", time.Since(start).Round(time.Millisecond))
	}
	return db, []*frontline.Place{city, dacheng, luoyu, zaoyuan}
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

// reportDistribution starts a package distribution over scope and
// serves its first two thousand doors.
func reportDistribution(ctx context.Context, db *sqldb.DB, scope *frontline.Place) error {
	ds := sqldb.NewDistributionService(db)
	d := &frontline.Distribution{Name: "保供包", Contents: "蔬菜包 10斤、大米 5斤", ScopeID: scope.ID}
	if err := ds.StartDistribution(ctx, d); err != nil {
		return err
	}
	hs, _, err := ds.FindHandouts(ctx, d.ID, frontline.HandoutFilter{OnlyPending: true, Limit: 2000})
	if err != nil {
		return err
	}
	for _, h := range hs {
		if _, err := ds.Mark(ctx, &frontline.HandoutMark{DistributionID: d.ID, HouseholdID: h.HouseholdID, Status: frontline.HandoutDelivered}); err != nil {
			return err
		}
	}
	return nil
}
