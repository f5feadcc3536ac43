package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/sqldb"
)

func runBench(ctx context.Context, m *Main, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(m.Stderr, "Usage: frontline bench sampling [flags]\n\nMeasures the sampling hot path; see frontline bench sampling --help.")
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "sampling" {
		return usagef("usage: frontline bench sampling --residents N --stations C --duration D [--db URL]")
	}
	fs := flag.NewFlagSet("bench sampling", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: frontline bench sampling --residents N --stations C --duration D [--db URL]\n\n"+
			"Builds (or reuses, in $FRONTLINE_BENCH_DIR) a demo city, opens a round, starts `frontline serve` as a child\n"+
			"process on loopback and drives it with C stations binding residents through the JSON API; then checks that\n"+
			"nothing was lost or doubled and that the counters equal a recount, and measures the storage's batched insert\n"+
			"rate and a no-op HTTP handler. The last line is the result.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	residents := fs.Int("residents", 100_000, "residents of the demo city")
	stations := fs.Int("stations", 256, "concurrent stations")
	duration := fs.Duration("duration", 30*time.Second, "how long the stations bind")
	dbURL := fs.String("db", "", "database: empty for the kept SQLite city, a postgres:// URL for a schema of its own there")
	sync := fs.String("sqlite-synchronous", "FULL", "the server's SQLite durability: FULL survives a power cut, NORMAL a process crash")
	per := fs.Int("per-request", 10, "persons per request: 10 sends a whole tube at once, 1 one request per scan")
	retry := fs.Int("retry-every", 50, "send every n-th request twice with the same request id")
	rate := fs.Int("rate", 0, "pace the stations to this many bindings a second in all; 0 sends as fast as answered")
	inProcess := fs.Bool("in-process", false, "serve from this process instead of a child process")
	verbose := fs.Bool("v", false, "log what the benchmark does")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg := bench.SamplingConfig{Residents: *residents, Stations: *stations, Duration: *duration, PerRequest: *per,
		RetryEvery: *retry, Rate: *rate, Synchronous: strings.ToUpper(*sync), Out: m.Stdout, Logger: slog.New(slog.DiscardHandler)}
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if *dbURL != "" {
		u, err := benchCityURL(*dbURL, *residents)
		if err != nil {
			return err
		}
		cfg.DBURL = u
	}
	if !*inProcess {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		cfg.Server = exe
	}
	res, err := bench.RunSampling(ctx, cfg)
	if err != nil {
		return err
	}
	if res.Lost > 0 || res.Duplicated > 0 || len(res.Problems) > 0 {
		return fmt.Errorf("lost %d, duplicated %d, %d counter problems", res.Lost, res.Duplicated, len(res.Problems))
	}
	return nil
}

// benchCityURL returns where the city of a benchmark lives: a PostgreSQL
// URL gets a schema per city size; an SQLite path is used as it is.
func benchCityURL(u string, residents int) (string, error) {
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return bench.CityURL(sqldb.Postgres, u, residents)
	}
	return u, nil
}
