package bench_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// BenchmarkDistribution starts a distribution (保供包) over the whole demo
// city of FRONTLINE_BENCH_RESIDENTS residents — about 2.5 residents a
// household, so 2,500,000 residents freeze about 1,000,000 households —
// and then measures what its pages read: the progress of a compound with
// a row per building and of the city with its districts, and a page of
// the gap list (the doors list's 200 doors) at a compound, a community
// and the city, first quiet and then while a writer records deliveries
// as fast as it can. The default size is small (20,000 residents) so that
// a plain `-bench .` stays short; the distribution is purged afterwards
// so the kept city stays as it was. Time the start once and the reads
// many times in two runs (a run that leaves "start" out starts one
// untimed):
//
//	FRONTLINE_BENCH_RESIDENTS=2500000 go test -run '^$' -bench 'Distribution/sqlite/start' -benchtime 1x ./bench
//	FRONTLINE_BENCH_RESIDENTS=2500000 go test -run '^$' -bench 'Distribution/sqlite/(quiet|delivering)' -benchtime 200x ./bench
func BenchmarkDistribution(b *testing.B) {
	ctx := context.Background()
	residents := envInt(b, "FRONTLINE_BENCH_RESIDENTS", 20_000)
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) {
			pg := ""
			if e == sqldb.Postgres {
				pg = sqldbtest.PostgresURL(b)
			}
			u, err := bench.CityURL(e, pg, residents)
			if err != nil {
				b.Fatal(err)
			}
			db, city, err := bench.City(ctx, u, residents, logger())
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			ds := sqldb.NewDistributionService(db)
			var d *frontline.Distribution
			b.Run("start", func(b *testing.B) {
				var took, cpu time.Duration
				for i := 0; i < b.N; i++ {
					if d != nil {
						b.StopTimer()
						purgeDistribution(b, ds, d)
						b.StartTimer()
					}
					d = &frontline.Distribution{Name: fmt.Sprintf("bench %d", i), Contents: "蔬菜包 10斤", ScopeID: city.ID}
					start, cpu0 := time.Now(), processCPU()
					if err := ds.StartDistribution(ctx, d); err != nil {
						b.Fatal(err)
					}
					took, cpu = took+time.Since(start), cpu+processCPU()-cpu0
				}
				b.ReportMetric(took.Seconds()/float64(b.N), "s/start")
				// The process's CPU: SQLite's work, not the wait for a
				// core on a loaded machine (PostgreSQL's is in the server).
				b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/start")
				b.ReportMetric(float64(d.Households), "households")
			})
			if d == nil {
				// "start" was left out by -bench: start one untimed, so
				// the reads can run many times without a start each.
				d = &frontline.Distribution{Name: "bench reads", Contents: "蔬菜包 10斤", ScopeID: city.ID}
				if err := ds.StartDistribution(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
			defer purgeDistribution(b, ds, d)
			benchDistributionReads(b, db, ds, d, city)
		})
	}
}

// distributionNodes are the nodes whose pages the benchmark reads.
type distributionNodes struct {
	compound, community, city *frontline.Place
}

// benchDistributionReads measures the progress and gap-list reads of a
// started distribution, quiet and while deliveries are recorded, and
// checks afterwards that the city's counters hold every delivery.
func benchDistributionReads(b *testing.B, db *sqldb.DB, ds *sqldb.DistributionService, d *frontline.Distribution, city *frontline.Place) {
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	compound, err := places.FindPlaceByPath(ctx, demo.PathZaoyuan)
	if err != nil {
		b.Fatal(err)
	}
	community, err := places.FindPlaceByPath(ctx, demo.PathLuoyuxincun)
	if err != nil {
		b.Fatal(err)
	}
	nodes := distributionNodes{compound, community, city}
	before, _, err := ds.Progress(ctx, d.ID, city.ID)
	if err != nil {
		b.Fatal(err)
	}
	// Doors to deliver to: the pending households of the city, in walking
	// order, as a delivery team works through them.
	doors, _, err := ds.FindHandouts(ctx, d.ID, frontline.HandoutFilter{Under: &city.ID, OnlyPending: true, Limit: 20_000})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("quiet", func(b *testing.B) { benchDistributionPages(b, ds, d, nodes) })

	var marked atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var markErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i == len(doors) {
				return // every door fetched is served
			}
			if _, err := ds.Mark(ctx, &frontline.HandoutMark{DistributionID: d.ID, HouseholdID: doors[i].HouseholdID,
				Status: frontline.HandoutDelivered}); err != nil {
				markErr = err
				return
			}
			marked.Add(1)
		}
	}()
	start := time.Now()
	b.Run("delivering", func(b *testing.B) { benchDistributionPages(b, ds, d, nodes) })
	close(stop)
	wg.Wait()
	if markErr != nil {
		b.Fatal(markErr)
	}
	b.Logf("%d deliveries recorded in %s beside the reads", marked.Load(), time.Since(start).Round(time.Millisecond))
	after, _, err := ds.Progress(ctx, d.ID, city.ID)
	if err != nil {
		b.Fatal(err)
	}
	if got := after.Delivered - before.Delivered; got != int(marked.Load()) {
		b.Fatalf("the city counts %d deliveries, the writer recorded %d", got, marked.Load())
	}
}

// benchDistributionPages measures a distribution's reads at each node: the
// progress with a row per child (per building at a compound) and the first
// page of the gap list, 200 doors with where they are and what they need,
// as the doors page asks.
func benchDistributionPages(b *testing.B, ds *sqldb.DistributionService, d *frontline.Distribution, nodes distributionNodes) {
	ctx := context.Background()
	for _, n := range []struct {
		name  string
		place *frontline.Place
	}{{"compound", nodes.compound}, {"community", nodes.community}, {"city", nodes.city}} {
		b.Run("progress/"+n.name, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				_, kids, err := ds.Progress(ctx, d.ID, n.place.ID)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(kids)
			}
			b.ReportMetric(float64(rows), "rows")
		})
		b.Run("gaps/"+n.name, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				hs, _, err := ds.FindHandouts(ctx, d.ID, frontline.HandoutFilter{Under: &n.place.ID, OnlyPending: true, Limit: 200})
				if err != nil {
					b.Fatal(err)
				}
				rows = len(hs)
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

func purgeDistribution(b *testing.B, ds *sqldb.DistributionService, d *frontline.Distribution) {
	start := time.Now()
	if err := ds.PurgeDistribution(context.Background(), d.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("purged distribution %d (%d households) in %s", d.ID, d.Households, time.Since(start).Round(time.Millisecond))
}
