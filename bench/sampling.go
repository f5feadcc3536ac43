package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
)

// SamplingConfig is a run of the sampling benchmark: a demo city, a round
// over it, and Stations stations binding its residents over HTTP for
// Duration.
type SamplingConfig struct {
	// DBURL is the database holding the demo city of Residents residents
	// (CityURL gives the kept one); it is built when empty.
	DBURL     string
	Residents int
	Stations  int
	// Sites is how many sampling sites the stations are spread over,
	// several to a community when there are more sites than communities;
	// 0 is one per community.
	Sites    int
	Duration time.Duration
	// PerRequest is how many persons a station sends per request: a whole
	// tube of 10 by default (FIELD.md: stations should batch a tube), 1 for
	// one request per scan.
	PerRequest int
	// RetryEvery sends every n-th request a second time with the same id,
	// as a station does that lost an answer; 0 means 50.
	RetryEvery int
	// Rate, when set, paces the stations to this many bindings a second
	// in all (open loop, as real stations scan at their own pace); zero
	// sends each request as soon as the last is answered, which measures
	// the most the server takes, with the latency of a full queue.
	Rate int
	// Writers is the server's binding writers on PostgreSQL (serve's
	// --sampling-writers); 0 is serve's default.
	Writers int
	// ServeArgs are more flags for the `frontline serve` child process.
	ServeArgs []string
	// Synchronous is the server's SQLite synchronous level.
	Synchronous string
	// Server is the frontline binary to run the server as a child process,
	// so its memory is its own; empty runs it inside this process.
	Server string
	Logger *slog.Logger
	// Out receives the progress and the result lines.
	Out io.Writer
}

// SamplingResult is what a run measured. Lost counts bindings answered
// ok that are not in the database; Duplicated counts persons bound twice,
// retries that bound anew and bindings no answer reported.
type SamplingResult struct {
	Bindings       int
	Requests       int
	Retries        int
	Elapsed        time.Duration
	BindingsPerSec float64
	P50, P99       time.Duration
	Lost           int
	Duplicated     int
	Problems       []string // CheckRound: counters that differ from a recount
	RawInsertRows  float64  // rows per second the storage inserts in batches
	NoopHTTP       float64  // requests per second of a no-op handler
	ServerRSSMB    int      // peak resident memory of the server
	// ServerCPU is the CPU time the server used while the stations bound,
	// 0 for a server in this process (the stations' CPU would count).
	ServerCPU time.Duration
	// ClientCPU is the CPU time this process (the stations) used while
	// they bound; with the server in this process it is both.
	ClientCPU time.Duration
	// ServerReads and ServerWrites are the read and write system calls
	// the server made while the stations bound (0 in process).
	ServerReads, ServerWrites int64
	ServerMode                string // "child process" or "in process"
	Writer                    *WriterStats
}

// Line is the result's last line. The server_, queue_ and batch_ figures
// are the server's own (/metrics bucket bounds), 0 when the server runs in
// this process without the writer's metrics.
func (r *SamplingResult) Line() string {
	w := r.Writer
	if w == nil {
		w = &WriterStats{}
	}
	return fmt.Sprintf("bindings/s=%.0f p50_ms=%.1f p99_ms=%.1f lost=%d duplicated=%d raw_insert_rows/s=%.0f noop_http_req/s=%.0f server_rss_mb=%d"+
		" server_p50_ms=%.1f server_p99_ms=%.1f queue_p50_ms=%.1f queue_p99_ms=%.1f batch_p50_ms=%.1f batch_p99_ms=%.1f"+
		" server_cpu_us/binding=%.1f server_gc=%d client_cpu_us/binding=%.1f",
		r.BindingsPerSec, ms(r.P50), ms(r.P99), r.Lost, r.Duplicated, r.RawInsertRows, r.NoopHTTP, r.ServerRSSMB,
		ms(w.ServerP50), ms(w.ServerP99), ms(w.WaitP50), ms(w.WaitP99), ms(w.P50), ms(w.P99),
		r.cpuPerBinding(), w.GCCycles, perBinding(r.ClientCPU, r.Bindings))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuPerBinding is the server's CPU time per binding in microseconds.
func (r *SamplingResult) cpuPerBinding() float64 { return perBinding(r.ServerCPU, r.Bindings) }

func (c *SamplingConfig) withDefaults() error {
	if c.Residents < 1000 || c.Stations < 1 || c.Duration <= 0 {
		return frontline.Errorf(frontline.EINVALID, "the sampling benchmark needs at least 1000 residents, a station and a duration")
	}
	if c.PerRequest <= 0 {
		c.PerRequest = 10
	}
	if c.PerRequest > frontline.MaxBindPersons {
		return frontline.Errorf(frontline.EINVALID, "at most %d persons per request", frontline.MaxBindPersons)
	}
	if c.RetryEvery <= 0 {
		c.RetryEvery = 50
	}
	if c.Synchronous == "" {
		c.Synchronous = "FULL"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.DBURL == "" {
		u, err := CityURL(sqldb.SQLite, "", c.Residents)
		if err != nil {
			return err
		}
		c.DBURL = u
	}
	return nil
}

// RunSampling runs the sampling benchmark: it builds or reuses the city,
// opens a round with a site per community and the stations spread over
// them, starts the server, drives it, then checks the database against
// every answer and measures the storage's and HTTP's own rates.
func RunSampling(ctx context.Context, cfg SamplingConfig) (*SamplingResult, error) {
	if err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	setup, err := prepareRound(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Out, "round %d open: %d residents, %d stations at %d sites (setup %s)\n",
		setup.round.ID, setup.round.Expected, len(setup.stations), setup.sites, setup.took.Round(time.Millisecond))
	if err := printSettings(ctx, &cfg); err != nil {
		return nil, err
	}
	// The purge job reads every person's retention when the server starts
	// (most of a million-resident city: 880 MiB of page cache and CPU in
	// the measured seconds); this benchmark measures the binding path, so
	// its server runs without it. `bench day` keeps it, as a real morning
	// would.
	cfg.ServeArgs = append(cfg.ServeArgs, "--purge-every", "0")
	srv, err := startServer(ctx, &cfg)
	if err != nil {
		return nil, err
	}
	pace := "as fast as answered"
	if cfg.Rate > 0 {
		pace = fmt.Sprintf("paced to %d bindings/s", cfg.Rate)
	}
	fmt.Fprintf(cfg.Out, "server on %s (%s, synchronous=%s); driving %d stations, %d persons a request, %s, for %s\n",
		srv.url, srv.mode, cfg.Synchronous, cfg.Stations, cfg.PerRequest, pace, cfg.Duration)
	cpu0, client0 := srv.cpuTime(), processCPU()
	r0, w0 := srv.syscalls()
	load := driveStations(ctx, &cfg, srv.url, setup)
	client := processCPU() - client0
	res := load.result()
	res.ClientCPU = client
	if srv.cmd != nil {
		res.ServerCPU = srv.cpuTime() - cpu0
		r1, w1 := srv.syscalls()
		res.ServerReads, res.ServerWrites = r1-r0, w1-w0
	}
	res.ServerMode = srv.mode
	res.ServerRSSMB = srv.peakRSS()
	if srv.cmd != nil { // the in-process server has no writer metrics
		if res.Writer, err = scrapeWriter(ctx, srv.url); err != nil {
			fmt.Fprintln(cfg.Out, "cannot read the writer's metrics:", err)
		}
	}
	if err := srv.stop(); err != nil {
		return nil, fmt.Errorf("stop the server: %w", err)
	}
	if load.err != nil {
		return nil, load.err
	}
	if err := verify(ctx, &cfg, setup, load, res); err != nil {
		return nil, err
	}
	if res.RawInsertRows, err = rawInsert(ctx, &cfg); err != nil {
		return nil, err
	}
	res.NoopHTTP = noopHTTP(ctx, cfg.Stations, cfg.PerRequest)
	report(cfg.Out, res)
	return res, nil
}

func report(w io.Writer, r *SamplingResult) {
	fmt.Fprintf(w, "%d bindings in %d requests (%d retried with the same id) in %s; server in %s\n",
		r.Bindings, r.Requests, r.Retries, r.Elapsed.Round(time.Millisecond), r.ServerMode)
	fmt.Fprintf(w, "client: %d requests, p50 %s, p99 %s (from when a paced request was due)\n",
		r.Requests, r.P50.Round(100*time.Microsecond), r.P99.Round(100*time.Microsecond))
	if r.ServerCPU > 0 {
		fmt.Fprintf(w, "server CPU: %s while the stations bound, %.1f µs a binding\n", r.ServerCPU.Round(10*time.Millisecond), r.cpuPerBinding())
	}
	if r.Bindings > 0 && r.ServerReads+r.ServerWrites > 0 {
		fmt.Fprintf(w, "server system calls a binding: %.2f reads, %.2f writes (files and sockets)\n",
			float64(r.ServerReads)/float64(r.Bindings), float64(r.ServerWrites)/float64(r.Bindings))
	}
	if r.ClientCPU > 0 {
		who := "the stations"
		if r.ServerMode == "in process" {
			who = "the stations and the server in this process"
		}
		fmt.Fprintf(w, "benchmark's own CPU (%s): %s, %.1f µs a binding\n", who, r.ClientCPU.Round(10*time.Millisecond), perBinding(r.ClientCPU, r.Bindings))
	}
	if r.Writer != nil {
		fmt.Fprintln(w, r.Writer)
	}
	if len(r.Problems) == 0 {
		fmt.Fprintln(w, "counters equal a recount; no tube over capacity; nobody bound twice")
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "PROBLEM:", p)
	}
	fmt.Fprintln(w, r.Line())
}

// peakRSS reads the peak resident set (VmHWM) of a process in MiB, 0
// where /proc is not there.
func peakRSS(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	var kb int
	for _, line := range strings.Split(string(b), "\n") {
		if n, _ := fmt.Sscanf(line, "VmHWM: %d kB", &kb); n == 1 {
			return kb / 1024
		}
	}
	return 0
}

// printSettings prints each PostgreSQL setting of the benchmark's database
// that differs from the advice, so a run's figures come with them.
func printSettings(ctx context.Context, cfg *SamplingConfig) error {
	db, err := sqldb.Open(ctx, cfg.DBURL, sqldb.Options{Synchronous: "NORMAL", Logger: cfg.Logger})
	if err != nil {
		return err
	}
	defer db.Close()
	advice, err := db.CheckSettings(ctx)
	for _, a := range advice {
		fmt.Fprintln(cfg.Out, "WARNING:", a)
	}
	return err
}
