package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// bindingsPattern is the route whose server time the sampling benchmark
// reads from /metrics.
const bindingsPattern = "/api/v1/rounds/{id}/bindings"

// WriterStats are the server's own figures from its /metrics: the binding
// writer's batches and requests, and three times as quantiles (bucket
// bounds: "at most"). Server is the time the HTTP server took to answer a
// binding request, from reading it to writing the answer; Wait is the time
// a request waited in the queue for the writer; Batch is a batch's time
// from begin to commit, what its stations waited on the database. What a
// station measured beyond Server is the client, the network and the
// scheduling of the client's goroutines; Server beyond Wait + Batch is
// the handler (decoding, authorization, answering).
type WriterStats struct {
	Batches, Requests int64
	P50, P99          time.Duration // batch time
	WaitP50, WaitP99  time.Duration
	// ServerP50 and ServerP99 are the server's time for binding requests.
	ServerP50, ServerP99 time.Duration
	ServerRequests       int64
	// GCCycles and GCPause are the server's garbage collections since it
	// started, and their stop-the-world pauses in all.
	GCCycles int64
	GCPause  time.Duration
}

func (w *WriterStats) String() string {
	if w == nil || w.Batches == 0 {
		return "writer: no batches"
	}
	return fmt.Sprintf("server: %d binding requests, p50 ≤ %s, p99 ≤ %s; queue wait for the writer p50 ≤ %s, p99 ≤ %s\n"+
		"writer: %d batches, %.1f requests a batch, batch time p50 ≤ %s, p99 ≤ %s\n"+
		"server GC: %d cycles, %s of pauses in all",
		w.ServerRequests, w.ServerP50, w.ServerP99, w.WaitP50, w.WaitP99,
		w.Batches, float64(w.Requests)/float64(w.Batches), w.P50, w.P99, w.GCCycles, w.GCPause.Round(10*time.Microsecond))
}

// scrapeWriter reads the writer's figures from a server's /metrics.
func scrapeWriter(ctx context.Context, base string) (*WriterStats, error) {
	m, err := scrapeMetrics(ctx, base)
	if err != nil {
		return nil, err
	}
	return writerStats(m), nil
}

// scrapeMetrics reads a server's /metrics.
func scrapeMetrics(ctx context.Context, base string) (metricSet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: %s", resp.Status)
	}
	return parseMetrics(resp.Body)
}

// parseWriterMetrics reads the writer's and the binding route's figures
// from Prometheus text exposition.
func parseWriterMetrics(r io.Reader) (*WriterStats, error) {
	m, err := parseMetrics(r)
	if err != nil {
		return nil, err
	}
	return writerStats(m), nil
}

func writerStats(m metricSet) *WriterStats {
	w := &WriterStats{Requests: int64(m.value("frontline_sampling_requests_total", ""))}
	batch := m.histogram("frontline_sampling_batch_seconds", "")
	wait := m.histogram("frontline_sampling_queue_wait_seconds", "")
	server := m.histogram("frontline_http_request_duration_seconds", `pattern="`+bindingsPattern+`"`)
	w.Batches, w.P50, w.P99 = batch.count, batch.quantile(0.5), batch.quantile(0.99)
	w.WaitP50, w.WaitP99 = wait.quantile(0.5), wait.quantile(0.99)
	w.ServerRequests, w.ServerP50, w.ServerP99 = server.count, server.quantile(0.5), server.quantile(0.99)
	w.GCCycles = int64(m.value("go_gc_duration_seconds_count", ""))
	w.GCPause = time.Duration(m.value("go_gc_duration_seconds_sum", "") * float64(time.Second))
	return w
}

// metricSet is a scrape: sample name with its labels → value.
type metricSet map[string]float64

// parseMetrics reads the samples of Prometheus text exposition.
func parseMetrics(r io.Reader) (metricSet, error) {
	m := metricSet{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		// The value follows the last space; label values may hold spaces.
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return m, sc.Err()
}

// value returns a sample by name and labels ("" for none).
func (m metricSet) value(name, labels string) float64 {
	if labels != "" {
		name += "{" + labels + "}"
	}
	return m[name]
}

// histogram collects the buckets of a histogram whose labels start with
// labels ("" for none).
func (m metricSet) histogram(name, labels string) *histogram {
	h := &histogram{}
	prefix := name + "_bucket{"
	if labels != "" {
		prefix += labels + ","
	}
	for key, v := range m {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok {
			continue
		}
		le, ok := strings.CutPrefix(rest, `le="`)
		if !ok {
			continue
		}
		if bound, err := strconv.ParseFloat(strings.TrimSuffix(le, `"}`), 64); err == nil && !math.IsInf(bound, 0) { // the count holds +Inf
			h.buckets = append(h.buckets, bucket{time.Duration(bound * float64(time.Second)), int64(v)})
		}
	}
	sort.Slice(h.buckets, func(i, j int) bool { return h.buckets[i].le < h.buckets[j].le })
	if labels != "" {
		labels = "{" + labels + "}"
	}
	h.count = int64(m[name+"_count"+labels])
	return h
}

type bucket struct {
	le  time.Duration
	cum int64
}

// histogram is one histogram of a scrape.
type histogram struct {
	buckets []bucket
	count   int64
}

// quantile returns the bound of the first bucket holding at least q of
// the count (the last bound when it is above them all), 0 when empty.
func (h *histogram) quantile(q float64) time.Duration {
	if h.count == 0 || len(h.buckets) == 0 {
		return 0
	}
	for _, b := range h.buckets {
		if float64(b.cum) >= q*float64(h.count) {
			return b.le
		}
	}
	return h.buckets[len(h.buckets)-1].le
}
