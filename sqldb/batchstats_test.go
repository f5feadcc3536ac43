package sqldb

import (
	"testing"
	"time"
)

func TestBatchStats_Quantile(t *testing.T) {
	var b BatchStats
	if b.Quantile(0.99) != 0 {
		t.Fatal("no batches should read 0")
	}
	for range 98 {
		b.record(10, 800*time.Microsecond)
	}
	b.record(10, 30*time.Millisecond)
	b.record(10, 3*time.Second) // beyond the last bound
	for _, tt := range []struct {
		q    float64
		want time.Duration
	}{{0.5, time.Millisecond}, {0.98, time.Millisecond}, {0.99, 50 * time.Millisecond}, {1, time.Second}} {
		if got := b.Quantile(tt.q); got != tt.want {
			t.Errorf("q%.2f = %v, want %v", tt.q, got, tt.want)
		}
	}
	if b.Batches.Load() != 100 || b.Requests.Load() != 1000 || b.Within[len(BatchBuckets)].Load() != 1 {
		t.Fatalf("counts %d %d %d", b.Batches.Load(), b.Requests.Load(), b.Within[len(BatchBuckets)].Load())
	}
}
