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

// BenchmarkRoundReads times, with nothing else running, each read an
// office client of `frontline bench day` makes every 10 s — the round's
// coverage, the first 50 of the gap list and the flow — of a community
// and of a subdistrict, as that community's (or subdistrict's) staff, on
// the kept demo city of FRONTLINE_BENCH_RESIDENTS (default 1,000,000). It
// reads the round an earlier `bench sampling` or `bench day` left open in
// the city (run one first so that the round has bindings), or opens one
// without bindings. It reports each read's wall time and the process's
// CPU (SQLite's work is in this process; PostgreSQL's is in the server).
// "gaps" counts the total every time; "gaps-total-kept" is what `frontline
// serve` does (sqldb.GapTotalLife), the page alone once the total is kept.
//
//	FRONTLINE_BENCH_DIR=/tmp/fb go test -run '^$' -bench RoundReads -benchtime 200x ./bench
func BenchmarkRoundReads(b *testing.B) {
	ctx := context.Background()
	residents := envInt(b, "FRONTLINE_BENCH_RESIDENTS", 1_000_000)
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
			r := benchRound(b, db, city)
			comm, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区")
			if err != nil {
				b.Fatal(err)
			}
			sub, err := sqldb.NewPlaceService(db).FindPlaceByID(ctx, comm.ParentID)
			if err != nil {
				b.Fatal(err)
			}
			cov := sqldb.NewCoverageService(db)
			// What `frontline serve` runs: the gap list's total kept a while.
			served := sqldb.NewCoverageService(db)
			served.KeepGapTotals(sqldb.GapTotalLife)
			for _, at := range []*frontline.Place{comm, sub} {
				staff := frontline.RoleCommunityStaff
				if at.Kind == frontline.KindSubdistrict {
					staff = frontline.RoleSubdistrictAdmin
				}
				pctx := frontline.WithPrincipal(ctx, &frontline.Principal{UserID: 1, Login: "office", Role: staff,
					ScopeID: at.ID, ScopePath: at.Path})
				for _, read := range []struct {
					name string
					fn   func() error
				}{
					{"coverage", func() error { _, _, err := cov.Coverage(pctx, r.ID, at.ID); return err }},
					{"throughput", func() error { _, err := cov.Throughput(pctx, r.ID); return err }},
					{"gaps", func() error { _, _, err := cov.NotSampled(pctx, r.ID, at.ID, 0, 50); return err }},
					{"gaps-total-kept", func() error { _, _, err := served.NotSampled(pctx, r.ID, at.ID, 0, 50); return err }},
					{"flow", func() error { _, err := cov.Flow(pctx, r.ID, at.ID); return err }},
				} {
					b.Run(fmt.Sprintf("%s/%s", at.Kind, read.name), func(b *testing.B) {
						cpu := processCPU()
						start := time.Now()
						for i := 0; i < b.N; i++ {
							if err := read.fn(); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(ms(time.Since(start))/float64(b.N), "ms/read")
						b.ReportMetric(ms(processCPU()-cpu)/float64(b.N), "cpu-ms/read")
					})
				}
			}
		})
	}
}

// benchRound returns the round a `bench sampling` or `bench day` run left
// open in the city, or opens one.
func benchRound(b *testing.B, db *sqldb.DB, city *frontline.Place) *frontline.Round {
	ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "bench"})
	rounds := sqldb.NewRoundService(db)
	found, _, err := rounds.FindRounds(ctx, frontline.RoundFilter{Under: &city.ID})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range found {
		if r.Name == "bench sampling" && r.Status == frontline.RoundOpen {
			return r
		}
	}
	now := time.Now().UTC()
	r := &frontline.Round{ScopeID: city.ID, Name: "bench sampling", Day: now.Format(frontline.DateLayout),
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(11 * time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		b.Fatal(err)
	}
	if r, err = rounds.OpenRound(ctx, r.ID); err != nil {
		b.Fatal(err)
	}
	return r
}
