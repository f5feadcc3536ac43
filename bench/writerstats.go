package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// WriterStats are the binding writer's figures from the server's
// /metrics: how many batches and requests, and the batch time quantiles
// (bucket bounds: "at most"). A batch's time is what its stations waited
// on the database; the rest of a request's latency is HTTP, scheduling and
// the queue in front of the writer.
type WriterStats struct {
	Batches, Requests int64
	P50, P99          time.Duration
}

func (w *WriterStats) String() string {
	if w == nil || w.Batches == 0 {
		return "writer: no batches"
	}
	return fmt.Sprintf("writer: %d batches, %.1f requests a batch, batch time p50 ≤ %s, p99 ≤ %s",
		w.Batches, float64(w.Requests)/float64(w.Batches), w.P50, w.P99)
}

// scrapeWriter reads the writer's figures from a server's /metrics.
func scrapeWriter(ctx context.Context, base string) (*WriterStats, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return parseWriterMetrics(resp.Body)
}

// parseWriterMetrics reads the frontline_sampling_* lines of Prometheus
// text exposition.
func parseWriterMetrics(r io.Reader) (*WriterStats, error) {
	w := &WriterStats{}
	type bucket struct {
		le  float64
		cum int64
	}
	var buckets []bucket
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		name, value, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		n, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch {
		case name == "frontline_sampling_batch_seconds_count":
			w.Batches = int64(n)
		case name == "frontline_sampling_requests_total":
			w.Requests = int64(n)
		case strings.HasPrefix(name, `frontline_sampling_batch_seconds_bucket{le="`):
			le := strings.TrimSuffix(strings.TrimPrefix(name, `frontline_sampling_batch_seconds_bucket{le="`), `"}`)
			if bound, err := strconv.ParseFloat(le, 64); err == nil { // +Inf is left out
				buckets = append(buckets, bucket{bound, int64(n)})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].le < buckets[j].le })
	quantile := func(q float64) time.Duration {
		for _, b := range buckets {
			if float64(b.cum) >= q*float64(w.Batches) {
				return time.Duration(b.le * float64(time.Second))
			}
		}
		if len(buckets) == 0 {
			return 0
		}
		return time.Duration(buckets[len(buckets)-1].le * float64(time.Second))
	}
	if w.Batches > 0 {
		w.P50, w.P99 = quantile(0.5), quantile(0.99)
	}
	return w, nil
}
