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
frontline_sampling_requests_total 850
`
	w, err := parseWriterMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if w.Batches != 100 || w.Requests != 850 || w.P50 != 2*time.Millisecond || w.P99 != 5*time.Millisecond {
		t.Fatalf("%+v", w)
	}
	if !strings.Contains(w.String(), "8.5 requests a batch") {
		t.Fatal(w.String())
	}
}
