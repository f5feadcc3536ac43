package bench_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// Sizes default to the figures and can be lowered for a quick run:
//
//	FRONTLINE_BENCH_ROWS=100000 FRONTLINE_BENCH_RESIDENTS=300000 go test -run '^$' -bench . ./bench
func envInt(tb testing.TB, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			tb.Fatalf("%s=%q: %v", name, v, err)
		}
		return n
	}
	return def
}

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

var engines = []sqldb.Engine{sqldb.SQLite, sqldb.Postgres}

// district creates 天水市/秦州区 and returns the district's id.
func district(tb testing.TB, db *sqldb.DB) int64 {
	ps := sqldb.NewPlaceService(db)
	city := &frontline.Place{Kind: frontline.KindCity, Name: "天水市"}
	if err := ps.CreatePlace(context.Background(), city); err != nil {
		tb.Fatal(err)
	}
	d := &frontline.Place{ParentID: city.ID, Kind: frontline.KindDistrict, Name: "秦州区"}
	if err := ps.CreatePlace(context.Background(), d); err != nil {
		tb.Fatal(err)
	}
	return d.ID
}

// BenchmarkSubtreeCounts reads a community's counts and its children's
// counts, what the tree page and /api/v1/places/{id} do, in a demo city of
// FRONTLINE_BENCH_RESIDENTS residents (default 3,000,000; built once and
// kept in bench.Dir).
func BenchmarkSubtreeCounts(b *testing.B) {
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
			places := sqldb.NewPlaceService(db)
			comm, err := places.FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区")
			if err != nil {
				b.Fatal(err)
			}
			for _, level := range []struct {
				name string
				id   int64
			}{{"community", comm.ID}, {"subdistrict", comm.ParentID}, {"city", city.ID}} {
				b.Run(level.name, func(b *testing.B) {
					for b.Loop() {
						if _, err := places.FindPlaceByID(ctx, level.id); err != nil {
							b.Fatal(err)
						}
						if _, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &level.id}); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("community-parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &comm.ID}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
