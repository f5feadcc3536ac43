package bench

import (
	"strings"
	"testing"
	"time"
)

func TestParseWriterMetrics(t *testing.T) {
	text := `# HELP frontline_sampling_batch_seconds Time of the binding writer's batch transactions.
# TYPE frontline_sampling_batch_seconds histogram
frontline_sampling_batch_seconds_bucket{le="0.001"} 10
frontline_sampling_batch_seconds_bucket{le="0.002"} 60
frontline_sampling_batch_seconds_bucket{le="0.005"} 99
frontline_sampling_batch_seconds_bucket{le="0.01"} 100
frontline_sampling_batch_seconds_bucket{le="+Inf"} 100
frontline_sampling_batch_seconds_sum 0.2
frontline_sampling_batch_seconds_count 100
frontline_sampling_queue_wait_seconds_bucket{le="0.001"} 400
frontline_sampling_queue_wait_seconds_bucket{le="0.003"} 800
frontline_sampling_queue_wait_seconds_bucket{le="0.02"} 850
frontline_sampling_queue_wait_seconds_bucket{le="+Inf"} 850
frontline_sampling_queue_wait_seconds_sum 1.1
frontline_sampling_queue_wait_seconds_count 850
frontline_sampling_requests_total 850
go_gc_duration_seconds{quantile="0"} 2.1e-05
go_gc_duration_seconds_sum 0.0125
go_gc_duration_seconds_count 42
frontline_http_request_duration_seconds_bucket{pattern="/api/v1/rounds/{id}",le="0.005"} 3
frontline_http_request_duration_seconds_bucket{pattern="/api/v1/rounds/{id}",le="+Inf"} 3
frontline_http_request_duration_seconds_count{pattern="/api/v1/rounds/{id}"} 3
frontline_http_request_duration_seconds_bucket{pattern="/api/v1/rounds/{id}/bindings",le="0.005"} 500
frontline_http_request_duration_seconds_bucket{pattern="/api/v1/rounds/{id}/bindings",le="0.01"} 840
frontline_http_request_duration_seconds_bucket{pattern="/api/v1/rounds/{id}/bindings",le="0.05"} 850
frontline_http_request_duration_seconds_bucket{pattern="/api/v1/rounds/{id}/bindings",le="+Inf"} 850
frontline_http_request_duration_seconds_count{pattern="/api/v1/rounds/{id}/bindings"} 850
`
	w, err := parseWriterMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if w.Batches != 100 || w.Requests != 850 || w.P50 != 2*time.Millisecond || w.P99 != 5*time.Millisecond {
		t.Fatalf("batches: %+v", w)
	}
	if w.WaitP50 != 3*time.Millisecond || w.WaitP99 != 20*time.Millisecond {
		t.Fatalf("queue wait: %+v", w)
	}
	if w.ServerRequests != 850 || w.ServerP50 != 5*time.Millisecond || w.ServerP99 != 50*time.Millisecond {
		t.Fatalf("server: %+v", w)
	}
	if w.GCCycles != 42 || w.GCPause != 12500*time.Microsecond {
		t.Fatalf("gc: %+v", w)
	}
	if !strings.Contains(w.String(), "8.5 requests a batch") || !strings.Contains(w.String(), "p99 ≤ 50ms") {
		t.Fatal(w.String())
	}
}
