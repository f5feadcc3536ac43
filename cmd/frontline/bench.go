package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/sqldb"
)

func runBench(ctx context.Context, m *Main, args []string) error {
	tuneGC(benchGCPercent)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprintln(m.Stderr, "Usage: frontline bench sampling|day [flags]\n\nsampling measures the sampling hot path; day runs a whole sampling morning under mixed load.\n"+
			"See frontline bench sampling --help and frontline bench day --help.")
		return flag.ErrHelp
	}
	if len(args) > 0 && args[0] == "day" {
		return runBenchDay(ctx, m, args[1:])
	}
	if len(args) == 0 || args[0] != "sampling" {
		return usagef("usage: frontline bench sampling --residents N --stations C --duration D [--db URL]\n" +
			"       frontline bench day [--residents N] [--db URL]")
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
	common := addBenchFlags(fs)
	per := fs.Int("per-request", 10, "persons per request: 10 sends a whole tube at once, 1 one request per scan")
	retry := fs.Int("retry-every", 50, "send every n-th request twice with the same request id")
	rate := fs.Int("rate", 0, "pace the stations to this many bindings a second in all; 0 sends as fast as answered")
	inProcess := fs.Bool("in-process", false, "serve from this process instead of a child process")
	cpuProfile := fs.String("cpuprofile", "", "write the benchmark process's own CPU profile (the stations, set-up and checks included) to this file")
	writers := fs.Int("sampling-writers", 0, "the server's binding writers on PostgreSQL (0: serve's default)")
	debugAddr := fs.String("server-debug-addr", "", "serve the server's profiler on this loopback address (serve --debug-addr), to profile it under load")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg := bench.SamplingConfig{Residents: *residents, Stations: *stations, Duration: *duration, PerRequest: *per,
		RetryEvery: *retry, Rate: *rate, Writers: *writers, Out: m.Stdout}
	var err error
	if cfg.DBURL, cfg.Synchronous, cfg.Logger, cfg.Server, err = common.settings(m, *residents); err != nil {
		return err
	}
	cfg.ServeArgs = strings.Fields(*common.serverArgs)
	if *debugAddr != "" {
		cfg.ServeArgs = append(cfg.ServeArgs, "--debug-addr", *debugAddr)
	}
	if *inProcess {
		cfg.Server = ""
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
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

func runBenchDay(ctx context.Context, m *Main, args []string) error {
	fs := flag.NewFlagSet("bench day", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: frontline bench day [--residents N] [--db URL] [flags]\n\n"+
			"A whole sampling morning in one run: builds (or reuses) a demo city, opens a round with --sites sites and\n"+
			"--stations stations paced to --rate bindings/s, and at the same time runs --offices office readers (coverage,\n"+
			"gap list, dashboard every --read-every), --gates checkpoint gates logging passages, --grid grid workers posting\n"+
			"visits, and the lab bagging, receiving and posting results, with the home sampling team taking re-tests. It\n"+
			"prints per kind of request the rate, p50, p99 and the slowest, and fails when a read takes over 1s, a binding\n"+
			"is lost or doubled, or a request fails. The last line is the result.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	var cfg bench.DayConfig
	fs.IntVar(&cfg.Residents, "residents", 1_000_000, "residents of the demo city")
	fs.IntVar(&cfg.Sites, "sites", 300, "sampling sites")
	fs.IntVar(&cfg.Stations, "stations", 2000, "sampling stations")
	fs.IntVar(&cfg.Rate, "rate", 20_000, "bindings a second the stations are paced to, in all")
	fs.DurationVar(&cfg.Duration, "duration", time.Minute, "how long the morning runs")
	fs.IntVar(&cfg.Offices, "offices", 500, "office clients reading coverage, the gap list and the dashboard")
	fs.DurationVar(&cfg.ReadEvery, "read-every", 10*time.Second, "how often each office client reads")
	fs.IntVar(&cfg.Gates, "gates", 200, "checkpoint gates logging passages")
	fs.DurationVar(&cfg.GateEvery, "gate-every", 2*time.Second, "how often each gate logs a passage")
	fs.IntVar(&cfg.GridWorkers, "grid", 100, "grid workers posting visits")
	fs.DurationVar(&cfg.VisitEvery, "visit-every", 5*time.Second, "how often each grid worker posts a visit")
	fs.DurationVar(&cfg.LabEvery, "lab-every", 2*time.Second, "how often the lab takes the sealed tubes")
	fs.IntVar(&cfg.PositiveEvery, "positive-every", 200, "post every n-th tube's result positive")
	fs.DurationVar(&cfg.SlowRead, "slow-read", bench.DefaultSlowRead, "the day fails when a read takes longer than this (the target is 1s)")
	fs.IntVar(&cfg.Writers, "sampling-writers", 0, "the server's binding writers on PostgreSQL (0: serve's default)")
	common := addBenchFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.Out = m.Stdout
	var err error
	if cfg.DBURL, cfg.Synchronous, cfg.Logger, cfg.Server, err = common.settings(m, cfg.Residents); err != nil {
		return err
	}
	cfg.ServeArgs = strings.Fields(*common.serverArgs)
	res, err := bench.RunDay(ctx, cfg)
	if err != nil {
		return err
	}
	if why := res.Failed(); why != "" {
		return fmt.Errorf("the day failed: %s", why)
	}
	return nil
}

// benchFlags are the flags every benchmark of a city takes.
type benchFlags struct {
	dbURL, sync, serverArgs *string
	verbose                 *bool
}

func addBenchFlags(fs *flag.FlagSet) *benchFlags {
	return &benchFlags{
		dbURL:   fs.String("db", "", "database: empty for the kept SQLite city, a postgres:// URL for a schema of its own there"),
		sync:    fs.String("sqlite-synchronous", "FULL", "the server's SQLite durability: FULL survives a power cut, NORMAL a process crash"),
		verbose: fs.Bool("v", false, "log what the benchmark does"),
		serverArgs: fs.String("server-args", "", "more flags for the `frontline serve` child process, space-separated\n"+
			"(e.g. \"--purge-every 0\" to measure a morning without the purge job)"),
	}
}

// settings returns the city's database ("" for the kept SQLite city), the
// SQLite durability, the logger and this binary, which the benchmark runs
// as the server.
func (f *benchFlags) settings(m *Main, residents int) (dbURL, sync string, logger *slog.Logger, exe string, err error) {
	logger = slog.New(slog.DiscardHandler)
	if *f.verbose {
		logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	if *f.dbURL != "" {
		if dbURL, err = benchCityURL(*f.dbURL, residents); err != nil {
			return
		}
	}
	exe, err = os.Executable()
	return dbURL, strings.ToUpper(*f.sync), logger, exe, err
}
