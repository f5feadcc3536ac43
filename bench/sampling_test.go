package bench_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// BenchmarkSampling runs the sampling benchmark with the server in this
// process: FRONTLINE_BENCH_STATIONS stations (default 256) binding the
// residents of a kept demo city of FRONTLINE_BENCH_RESIDENTS (default
// 300,000) over HTTP for FRONTLINE_BENCH_SECONDS (default 10), a tube per
// request, with durable commits, paced to FRONTLINE_BENCH_RATE bindings a
// second (default 0: as fast as answered). Each run is one iteration:
//
//	go test -run '^$' -bench Sampling -benchtime 1x ./bench
//
// `frontline bench sampling` is the same run with the server as a child
// process, whose memory is then its own.
func BenchmarkSampling(b *testing.B) {
	residents := envInt(b, "FRONTLINE_BENCH_RESIDENTS", 300_000)
	stations := envInt(b, "FRONTLINE_BENCH_STATIONS", 256)
	seconds := envInt(b, "FRONTLINE_BENCH_SECONDS", 10)
	rate := envInt(b, "FRONTLINE_BENCH_RATE", 0)
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
			for i := 0; i < b.N; i++ {
				res, err := bench.RunSampling(context.Background(), bench.SamplingConfig{DBURL: u, Residents: residents,
					Stations: stations, Duration: time.Duration(seconds) * time.Second, Rate: rate, Logger: logger()})
				if err != nil {
					b.Fatal(err)
				}
				if res.Lost > 0 || res.Duplicated > 0 || len(res.Problems) > 0 {
					b.Fatalf("lost %d, duplicated %d, problems %v", res.Lost, res.Duplicated, res.Problems)
				}
				b.ReportMetric(res.BindingsPerSec, "bindings/s")
				b.ReportMetric(ms(res.P50), "p50_ms")
				b.ReportMetric(ms(res.P99), "p99_ms")
				b.ReportMetric(res.RawInsertRows, "raw_rows/s")
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
