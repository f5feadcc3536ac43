package bench_test

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/residentfile"
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

// BenchmarkImportResidents parses and imports a resident list of
// FRONTLINE_BENCH_ROWS rows (default 1,000,000) into an empty database, in
// batches, as `frontline import residents` and the web import do.
func BenchmarkImportResidents(b *testing.B) {
	ctx := context.Background()
	rows := envInt(b, "FRONTLINE_BENCH_ROWS", 1_000_000)
	csvPath, err := bench.ResidentCSV(ctx, rows, logger())
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range engines {
		for _, format := range []string{"csv", "xlsx"} {
			b.Run(string(e)+"/"+format, func(b *testing.B) {
				path := csvPath
				if format == "xlsx" {
					if path, err = bench.ResidentXLSX(csvPath); err != nil {
						b.Fatal(err)
					}
				}
				benchmarkImport(b, e, path, rows)
			})
		}
	}
}

// benchmarkImport reads and imports the list at path b.N times, each into
// a fresh database, and reports rows per second and the process's peak
// resident memory (run one sub-benchmark per process to read it as that
// import's).
func benchmarkImport(b *testing.B, e sqldb.Engine, path string, rows int) {
	ctx := context.Background()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var load time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := sqldbtest.Open(b, e)
		district := district(b, db)
		b.StartTimer()
		start := time.Now()
		f, err := residentfile.Open(path, data, residentfile.ReadOptions{Under: frontline.KindDistrict})
		if err != nil {
			b.Fatalf("read: %v", err)
		}
		res, err := sqldb.NewImportService(db).ImportResidents(ctx, f, frontline.ImportOptions{Under: district})
		if err != nil {
			b.Fatalf("import: %v", err)
		} else if res.Imported != rows {
			b.Fatalf("import: %d of %d rows %v", res.Imported, rows, res.Errors[:min(3, len(res.Errors))])
		}
		load += time.Since(start)
	}
	// The file is read as it is written (twice: to check every row, then
	// to write the good ones), so reading and writing are one figure.
	b.ReportMetric(float64(rows*b.N)/load.Seconds(), "rows/s")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak_rss_MiB") // Linux counts in KiB
	}
}

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
