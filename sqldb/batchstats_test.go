package sqldb

import (
	"testing"
	"time"
)

func TestBatchStats_Quantile(t *testing.T) {
	var b BatchStats
	if b.Time.Quantile(0.99) != 0 || b.Wait.Quantile(0.5) != 0 {
		t.Fatal("no batches should read 0")
	}
	began := time.Now()
	job := func(waited time.Duration) *bindJob { return &bindJob{enqueued: began.Add(-waited)} }
	jobs := make([]*bindJob, 10)
	for i := range jobs {
		jobs[i] = job(time.Duration(i+1) * time.Millisecond) // 1 ms … 10 ms
	}
	for range 98 {
		b.record(jobs, began, 800*time.Microsecond)
	}
	b.record(jobs, began, 30*time.Millisecond)
	b.record(jobs, began, 7*time.Second) // beyond the last bound
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, time.Millisecond}, {0.98, time.Millisecond}, {0.99, 30 * time.Millisecond}, {1, 5 * time.Second}} {
		if got := b.Time.Quantile(tt.q); got != tt.want {
			t.Errorf("batch q%.2f = %v, want %v", tt.q, got, tt.want)
		}
	}
	// Waits: a tenth each of 1 … 10 ms; the median is 5 ms, p99 10 ms.
	if got := b.Wait.Quantile(0.5); got != 5*time.Millisecond {
		t.Errorf("wait p50 = %v", got)
	}
	if got := b.Wait.Quantile(0.99); got != 10*time.Millisecond {
		t.Errorf("wait p99 = %v", got)
	}
	if b.Time.Count.Load() != 100 || b.Requests.Load() != 1000 || b.Wait.Count.Load() != 1000 ||
		b.Time.Within[len(LatencyBuckets)].Load() != 1 {
		t.Fatalf("counts %d %d %d %d", b.Time.Count.Load(), b.Requests.Load(), b.Wait.Count.Load(), b.Time.Within[len(LatencyBuckets)].Load())
	}
}
