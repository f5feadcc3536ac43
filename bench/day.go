package bench

import (
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontline-org/frontline"
)

// DayConfig is a whole sampling morning in one run (`frontline bench
// day`): a round over the demo city with Sites sites and Stations stations
// paced to Rate bindings a second, and at the same time Offices office
// clients reading coverage, gap lists and the dashboard every ReadEvery,
// Gates checkpoint gates logging passages, GridWorkers grid workers
// posting visits, and the lab bagging, receiving and posting results of
// the tubes the stations seal, with the home sampling team taking the
// re-tests of positive pools.
type DayConfig struct {
	DBURL       string
	Residents   int
	Sites       int
	Stations    int
	Rate        int
	Duration    time.Duration
	Offices     int
	ReadEvery   time.Duration
	Gates       int
	GateEvery   time.Duration
	GridWorkers int
	VisitEvery  time.Duration
	LabEvery    time.Duration
	// PositiveEvery posts every n-th tube's result positive.
	PositiveEvery int
	// SlowRead is the longest a read may take before the day fails;
	// 0 is DefaultSlowRead, the target.
	SlowRead time.Duration
	// Writers is the server's binding writers on PostgreSQL; 0 is serve's
	// default.
	Writers int
	// ServeArgs are more flags for the `frontline serve` child process.
	ServeArgs   []string
	Synchronous string
	// Server is the frontline binary run as `serve`: the day needs every
	// service of the real server, so there is no in-process mode.
	Server string
	Logger *slog.Logger
	Out    io.Writer
}

// DefaultSlowRead is the target: no read of the morning over a second.
const DefaultSlowRead = time.Second

func (c *DayConfig) withDefaults() error {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Residents, 1_000_000)
	def(&c.Sites, 300)
	def(&c.Stations, 2000)
	def(&c.Rate, 20_000)
	def(&c.Offices, 500)
	def(&c.Gates, 200)
	def(&c.GridWorkers, 100)
	def(&c.PositiveEvery, 200)
	defDur(&c.Duration, time.Minute)
	defDur(&c.ReadEvery, 10*time.Second)
	defDur(&c.GateEvery, 2*time.Second)
	defDur(&c.VisitEvery, 5*time.Second)
	defDur(&c.LabEvery, 2*time.Second)
	defDur(&c.SlowRead, DefaultSlowRead)
	if c.Server == "" {
		return frontline.Errorf(frontline.EINVALID, "the day runs the real server: give the frontline binary")
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	return nil
}

// sampling is the part of the day the sampling benchmark already knows.
func (c *DayConfig) sampling() SamplingConfig {
	return SamplingConfig{DBURL: c.DBURL, Residents: c.Residents, Stations: c.Stations, Sites: c.Sites,
		Duration: c.Duration, Rate: c.Rate, Writers: c.Writers, ServeArgs: c.ServeArgs, Synchronous: c.Synchronous, Server: c.Server, Logger: c.Logger, Out: c.Out}
}

// Kind is what one kind of request saw.
type Kind struct {
	Name string
	// Read kinds fail the day when one takes over the day's SlowRead.
	Read      bool
	Requests  int
	Errors    int
	FirstErr  string
	P50, P99  time.Duration
	Slowest   time.Duration
	PerSecond float64

	mu  sync.Mutex
	lat []time.Duration
}

func (k *Kind) add(d time.Duration, err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lat = append(k.lat, d)
	if err != nil {
		if k.Errors == 0 {
			k.FirstErr = err.Error()
		}
		k.Errors++
	}
}

func (k *Kind) finish(elapsed time.Duration) {
	slices.Sort(k.lat)
	k.Requests = len(k.lat)
	if n := len(k.lat); n > 0 {
		k.P50, k.P99, k.Slowest = k.lat[n/2], k.lat[min(n-1, n*99/100)], k.lat[n-1]
	}
	if elapsed > 0 {
		k.PerSecond = float64(k.Requests) / elapsed.Seconds()
	}
}

// slow counts the requests that took over limit.
func (k *Kind) slow(limit time.Duration) int {
	i, _ := slices.BinarySearch(k.lat, limit+1)
	return len(k.lat) - i
}

// DayResult is what a day measured.
type DayResult struct {
	Kinds          []*Kind
	Bindings       int
	BindingsPerSec float64
	Lost           int
	Duplicated     int
	SlowReads      int
	SlowRead       time.Duration // the limit SlowReads counts over
	Errors         int
	Problems       []string
	Elapsed        time.Duration
	ServerRSSMB    int
	// ServerCPU and ClientCPU are the CPU time the server and this
	// process (every client of the day) used while the clients ran.
	ServerCPU, ClientCPU time.Duration
	Writer               *WriterStats
}

// Failed says why the day failed, or "".
func (r *DayResult) Failed() string {
	var why []string
	if r.Lost > 0 || r.Duplicated > 0 {
		why = append(why, fmt.Sprintf("%d bindings lost, %d doubled", r.Lost, r.Duplicated))
	}
	if r.SlowReads > 0 {
		why = append(why, fmt.Sprintf("%d reads over %s", r.SlowReads, r.SlowRead))
	}
	if r.Errors > 0 {
		why = append(why, fmt.Sprintf("%d requests failed", r.Errors))
	}
	if len(r.Problems) > 0 {
		why = append(why, fmt.Sprintf("%d counters differ from a recount", len(r.Problems)))
	}
	return strings.Join(why, "; ")
}

// Line is the day's last line.
func (r *DayResult) Line() string {
	var readP99, readMax time.Duration
	for _, k := range r.Kinds {
		if k.Read {
			readP99, readMax = max(readP99, k.P99), max(readMax, k.Slowest)
		}
	}
	get := func(name string) *Kind {
		for _, k := range r.Kinds {
			if k.Name == name {
				return k
			}
		}
		return &Kind{}
	}
	ok := "ok"
	if r.Failed() != "" {
		ok = "failed"
	}
	bind := get("bind")
	return fmt.Sprintf("day=%s bindings/s=%.0f bind_p50_ms=%.1f bind_p99_ms=%.1f read_p99_ms=%.1f read_max_ms=%.1f"+
		" passages/s=%.1f visits/s=%.1f result_posts/s=%.1f lost=%d duplicated=%d slow_reads=%d errors=%d server_rss_mb=%d"+
		" server_cpu_us/binding=%.1f client_cpu_us/binding=%.1f",
		ok, r.BindingsPerSec, ms(bind.P50), ms(bind.P99), ms(readP99), ms(readMax),
		get("passage").PerSecond, get("visit").PerSecond, get("results").PerSecond,
		r.Lost, r.Duplicated, r.SlowReads, r.Errors, r.ServerRSSMB,
		perBinding(r.ServerCPU, r.Bindings), perBinding(r.ClientCPU, r.Bindings))
}

func (r *DayResult) report(w io.Writer) {
	fmt.Fprintf(w, "%-14s %9s %9s %9s %9s %9s %7s\n", "kind", "requests", "per s", "p50 ms", "p99 ms", "slowest", "errors")
	for _, k := range r.Kinds {
		fmt.Fprintf(w, "%-14s %9d %9.1f %9.1f %9.1f %9.1f %7d\n", k.Name, k.Requests, k.PerSecond, ms(k.P50), ms(k.P99), ms(k.Slowest), k.Errors)
	}
	for _, k := range r.Kinds {
		if k.Errors > 0 {
			fmt.Fprintf(w, "first error of %s: %s\n", k.Name, k.FirstErr)
		}
	}
	if r.Writer != nil {
		fmt.Fprintln(w, r.Writer)
	}
	if r.Bindings > 0 {
		fmt.Fprintf(w, "CPU a binding: server %.1f µs, benchmark's own (every client) %.1f µs\n",
			perBinding(r.ServerCPU, r.Bindings), perBinding(r.ClientCPU, r.Bindings))
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "PROBLEM:", p)
	}
	if why := r.Failed(); why != "" {
		fmt.Fprintln(w, "FAILED:", why)
	} else {
		fmt.Fprintf(w, "nothing lost or doubled; counters equal a recount; no read over %s\n", r.SlowRead)
	}
	fmt.Fprintln(w, r.Line())
}
