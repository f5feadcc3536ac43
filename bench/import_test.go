package bench_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/bench"
	"github.com/frontline-org/frontline/residentfile"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// BenchmarkImportResidents reads and imports a resident list of
// FRONTLINE_BENCH_ROWS rows (default 20,000; the figures are for
// 300,000 and 1,000,000) as `frontline import residents` and the web import
// do, on each engine, from CSV and XLSX, into an empty registry ("empty")
// and again into the registry the same file filled ("again": every row
// matched, unchanged).
//
// Besides ns/op and -benchmem's allocations (of the timed import only) it
// reports rows/s (wall), cpu_s (the process's user + system CPU during the
// import, which a loaded machine does not inflate as it does wall time),
// rows/cpu_s, peak_heap_MiB (the most heap held at once, sampled every
// 10 ms), peak_rss_MiB (the process's resident peak during the
// import, reset before it) and, on PostgreSQL, pg_cpu_s: the CPU of the
// server processes of the benchmark's connections, when they are on this
// machine and FRONTLINE_TEST_POSTGRES_URL names an application_name.
//
// The import runs under the pprof label phase=import, so a -cpuprofile of
// an "again" run can be read without its set-up import:
//
//	go tool pprof -tagfocus phase=import bench.test cpu.out
func BenchmarkImportResidents(b *testing.B) {
	ctx := context.Background()
	rows := envInt(b, "FRONTLINE_BENCH_ROWS", 20_000)
	csvPath, err := bench.ResidentCSV(ctx, rows, logger())
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range engines {
		for _, format := range []string{"csv", "xlsx"} {
			for _, into := range []string{"empty", "again"} {
				b.Run(string(e)+"/"+format+"/"+into, func(b *testing.B) {
					path := csvPath
					if format == "xlsx" {
						if path, err = bench.ResidentXLSX(csvPath); err != nil {
							b.Fatal(err)
						}
					}
					benchmarkImport(b, e, path, rows, into == "again")
				})
			}
		}
	}
}

// benchmarkImport reads and imports the list at path b.N times, each into
// a fresh database (filled by an untimed import of the same file first
// when again is set).
func benchmarkImport(b *testing.B, e sqldb.Engine, path string, rows int, again bool) {
	ctx := context.Background()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	var m importMeter
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := sqldbtest.Open(b, e)
		district := district(b, db)
		if again {
			importFile(b, db, path, data, district, rows, false)
		}
		pg := m.startPostgres(b, e, db)
		m.start()
		b.StartTimer()
		pprof.Do(ctx, pprof.Labels("phase", "import"), func(context.Context) {
			importFile(b, db, path, data, district, rows, again)
		})
		b.StopTimer()
		m.stop(pg)
	}
	m.report(b, rows)
}

// importFile imports the file and checks every row was taken: added into
// an empty registry, unchanged into one the file filled.
func importFile(tb testing.TB, db *sqldb.DB, path string, data []byte, under int64, rows int, again bool) {
	f, err := residentfile.Open(path, data, residentfile.ReadOptions{Under: frontline.KindDistrict})
	if err != nil {
		tb.Fatalf("read: %v", err)
	}
	res, err := sqldb.NewImportService(db).ImportResidents(context.Background(), f, frontline.ImportOptions{Under: under})
	switch {
	case err != nil:
		tb.Fatalf("import: %v %v", err, res.Errors[:min(3, len(res.Errors))])
	case res.Imported != rows:
		tb.Fatalf("import: %d of %d rows %v", res.Imported, rows, res.Errors[:min(3, len(res.Errors))])
	case !again && res.Added != rows, again && res.Unchanged != rows:
		tb.Fatalf("import: %d added, %d unchanged of %d rows", res.Added, res.Unchanged, rows)
	}
}

// importMeter adds up what the timed imports took besides wall time.
type importMeter struct {
	wall, cpu, pgCPU time.Duration
	peakHeap         uint64
	peakRSS          int64 // KiB
	t0, cpu0         time.Duration
	began            time.Time
	done             chan struct{}
	wg               sync.WaitGroup
	heap             uint64 // of the running import
	pgSeen           bool
}

// start resets the process's resident peak, starts sampling the heap and
// notes the CPU used so far.
func (m *importMeter) start() {
	runtime.GC()
	// Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0): the peak is then
	// this import's, not the set-up's.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	m.heap = 0
	m.done = make(chan struct{})
	m.wg.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		// Every 10 ms: at every millisecond the sampler's own wake-ups
		// cost about 36 µs each on a loaded machine, which a slow run's
		// cpu_s counted (over 4 s in a 112 s run); the heap grows about
		// half a megabyte in 10 ms of a big import.
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			m.heap = max(m.heap, s[0].Value.Uint64())
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	})
	m.cpu0 = processCPU()
	m.began = time.Now()
}

func (m *importMeter) stop(pg func() time.Duration) {
	m.wall += time.Since(m.began)
	m.cpu += processCPU() - m.cpu0
	close(m.done)
	m.wg.Wait()
	m.peakHeap = max(m.peakHeap, m.heap)
	m.peakRSS = max(m.peakRSS, vmHWM())
	if pg != nil {
		m.pgCPU += pg()
		m.pgSeen = true
	}
}

func (m *importMeter) report(b *testing.B, rows int) {
	n := float64(rows * b.N)
	b.ReportMetric(n/m.wall.Seconds(), "rows/s")
	b.ReportMetric(m.cpu.Seconds()/float64(b.N), "cpu_s")
	b.ReportMetric(n/m.cpu.Seconds(), "rows/cpu_s")
	b.ReportMetric(float64(m.peakHeap)/(1<<20), "peak_heap_MiB")
	if m.peakRSS > 0 {
		b.ReportMetric(float64(m.peakRSS)/1024, "peak_rss_MiB")
	}
	if m.pgSeen {
		b.ReportMetric(m.pgCPU.Seconds()/float64(b.N), "pg_cpu_s")
	}
}

// processCPU returns the user and system CPU the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM returns the process's resident peak in KiB, 0 when unknown.
func vmHWM() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// startPostgres returns a function that tells the CPU the PostgreSQL
// server processes of the benchmark's connections used since now, or nil
// when that cannot be known: the server is elsewhere, or the URL names no
// application_name to find its connections by (the pool keeps them open,
// so they are all alive at the end).
func (m *importMeter) startPostgres(tb testing.TB, e sqldb.Engine, db *sqldb.DB) func() time.Duration {
	if e != sqldb.Postgres {
		return nil
	}
	base := sqldbtest.PostgresURL(tb)
	u, err := url.Parse(base)
	if err != nil || u.Query().Get("application_name") == "" {
		return nil
	}
	app := u.Query().Get("application_name")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	before := backendsCPU(tb, admin, app)
	return func() time.Duration {
		defer admin.Close()
		var d time.Duration
		for pid, cpu := range backendsCPU(tb, admin, app) {
			d += cpu - before[pid]
		}
		return d
	}
}

// backendsCPU returns the CPU of each server process whose connection has
// application_name app, other than admin's own, read from /proc.
func backendsCPU(tb testing.TB, admin *sql.DB, app string) map[int]time.Duration {
	rows, err := admin.Query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`, app)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[int]time.Duration{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			tb.Fatal(err)
		}
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime
		// are the 12th and 13th, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(ut+st) * 10 * time.Millisecond
	}
	return out
}
