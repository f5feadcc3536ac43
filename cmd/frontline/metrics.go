package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-org/frontline/sqldb"
)

// writerCollector puts the binding writer's counters on /metrics: batches
// and requests, batch times and the requests' wait for their batch as
// histograms, and the requests waiting. A batch's time is what its
// stations waited on the database; the wait is the queue in front of the
// writer.
type writerCollector struct {
	writer   *sqldb.SamplingService
	batches  *prometheus.Desc
	wait     *prometheus.Desc
	requests *prometheus.Desc
	retries  *prometheus.Desc
	waiting  *prometheus.Desc
}

func newWriterCollector(w *sqldb.SamplingService) *writerCollector {
	return &writerCollector{writer: w,
		batches: prometheus.NewDesc("frontline_sampling_batch_seconds",
			"Time of the binding writer's batch transactions, from begin to commit.", nil, nil),
		wait: prometheus.NewDesc("frontline_sampling_queue_wait_seconds",
			"Time a binding request waited in the writer's queue, from its arrival to the start of the batch that took it.", nil, nil),
		requests: prometheus.NewDesc("frontline_sampling_requests_total",
			"Binding requests the writer has answered.", nil, nil),
		retries: prometheus.NewDesc("frontline_sampling_retried_batches_total",
			"Binding batches PostgreSQL aborted for a deadlock or a serialization failure and that ran again; zero while the writers lock in one order.", nil, nil),
		waiting: prometheus.NewDesc("frontline_sampling_waiting_requests",
			"Binding requests waiting for the writer.", nil, nil),
	}
}

func (c *writerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.batches
	ch <- c.wait
	ch <- c.requests
	ch <- c.retries
	ch <- c.waiting
}

func (c *writerCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.writer.Stats()
	ch <- histogram(c.batches, &st.Time)
	ch <- histogram(c.wait, &st.Wait)
	ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(st.Requests.Load()))
	ch <- prometheus.MustNewConstMetric(c.retries, prometheus.CounterValue, float64(st.Retries.Load()))
	ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(c.writer.Waiting()))
}

// histogram exports one of the writer's histograms.
func histogram(d *prometheus.Desc, h *sqldb.Histogram) prometheus.Metric {
	buckets := make(map[float64]uint64, len(sqldb.LatencyBuckets))
	var cum uint64
	for i, le := range sqldb.LatencyBuckets {
		cum += uint64(h.Within[i].Load())
		buckets[le.Seconds()] = cum
	}
	return prometheus.MustNewConstHistogram(d, uint64(h.Count.Load()), float64(h.Nanos.Load())/1e9, buckets)
}
