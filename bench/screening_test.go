package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// BenchmarkScreening opens a screening campaign over the whole demo city
// of FRONTLINE_BENCH_RESIDENTS residents (default 3,000,000: about 1.2
// million households frozen), then measures what the dashboards read
// while it runs — the coverage of the city, a subdistrict and a community
// with their children, and a community's gap list — and what a visit
// costs. The campaign is purged afterwards so the kept city stays as it
// was.
//
//	FRONTLINE_BENCH_DIR=/tmp/flbench go test -run '^$' -bench Screening -benchtime 1x ./bench
func BenchmarkScreening(b *testing.B) {
	ctx := context.Background()
	residents := envInt(b, "FRONTLINE_BENCH_RESIDENTS", 3_000_000)
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
			cs := sqldb.NewCampaignService(db)
			var c *frontline.Campaign
			b.Run("open", func(b *testing.B) {
				var took time.Duration
				for i := 0; i < b.N; i++ {
					if c != nil {
						b.StopTimer()
						purge(b, cs, c)
						b.StartTimer()
					}
					c = &frontline.Campaign{Name: fmt.Sprintf("bench %d", i), ScopeID: city.ID, Deadline: time.Now().Add(72 * time.Hour),
						Question: frontline.Question{ArrivedSince: "2026-01-01", MinLevel: frontline.RiskMedium}}
					start := time.Now()
					if err := cs.OpenCampaign(ctx, c); err != nil {
						b.Fatal(err)
					}
					took += time.Since(start)
				}
				b.ReportMetric(took.Seconds()/float64(b.N), "s/open")
				b.ReportMetric(float64(c.Households), "households")
			})
			if c == nil {
				b.Skip("open did not run")
			}
			defer purge(b, cs, c)
			benchDuring(b, db, cs, c, city)
		})
	}
}

// benchDuring measures the reads of a running campaign and a visit.
func benchDuring(b *testing.B, db *sqldb.DB, cs *sqldb.CampaignService, c *frontline.Campaign, city *frontline.Place) {
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	comm, err := places.FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区")
	if err != nil {
		b.Fatal(err)
	}
	for _, level := range []struct {
		name string
		id   int64
	}{{"city", city.ID}, {"subdistrict", comm.ParentID}, {"community", comm.ID}} {
		b.Run("coverage/"+level.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := cs.Coverage(ctx, c.ID, level.id); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("gaps/community", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := cs.Gaps(ctx, c.ID, comm.ID, frontline.CampaignMemberFilter{Limit: 100}); err != nil {
				b.Fatal(err)
			}
		}
	})
	gaps, _, err := cs.Gaps(ctx, c.ID, comm.ID, frontline.CampaignMemberFilter{Limit: 5000})
	if err != nil {
		b.Fatal(err)
	}
	vs := sqldb.NewVisitService(db)
	b.Run("visit", func(b *testing.B) {
		i := 0
		for b.Loop() {
			g := gaps[i%len(gaps)]
			v := &frontline.Visit{CampaignID: c.ID, HouseholdID: g.HouseholdID, Outcome: frontline.OutcomeNotHome,
				ClientID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i)}
			if err := vs.RecordVisit(ctx, v); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	bad, err := db.CheckScreeningCounts(ctx, c.ID)
	if err != nil || len(bad) > 0 {
		b.Fatalf("counters after the benchmark: %v %v", err, bad[:min(3, len(bad))])
	}
}

func purge(b *testing.B, cs *sqldb.CampaignService, c *frontline.Campaign) {
	start := time.Now()
	if err := cs.PurgeCampaign(context.Background(), c.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("purged campaign %d (%d households) in %s", c.ID, c.Households, time.Since(start).Round(time.Millisecond))
}
