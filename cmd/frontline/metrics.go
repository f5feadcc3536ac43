package main

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-org/frontline/sqldb"
)

// writerCollector puts the binding writer's counters on /metrics: batches
// and requests, batch times as a histogram, and the requests waiting. A
// batch's time is what its stations waited on the database.
type writerCollector struct {
	writer   *sqldb.SamplingService
	batches  *prometheus.Desc
	requests *prometheus.Desc
	retries  *prometheus.Desc
	waiting  *prometheus.Desc
}

func newWriterCollector(w *sqldb.SamplingService) *writerCollector {
	return &writerCollector{writer: w,
		batches: prometheus.NewDesc("frontline_sampling_batch_seconds",
			"Time of the binding writer's batch transactions, from begin to commit.", nil, nil),
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
	ch <- c.requests
	ch <- c.retries
	ch <- c.waiting
}

func (c *writerCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.writer.Stats()
	buckets := make(map[float64]uint64, len(sqldb.BatchBuckets))
	var cum uint64
	for i, le := range sqldb.BatchBuckets {
		cum += uint64(st.Within[i].Load())
		buckets[le.Seconds()] = cum
	}
	ch <- prometheus.MustNewConstHistogram(c.batches, uint64(st.Batches.Load()), float64(st.Nanos.Load())/1e9, buckets)
	ch <- prometheus.MustNewConstMetric(c.requests, prometheus.CounterValue, float64(st.Requests.Load()))
	ch <- prometheus.MustNewConstMetric(c.retries, prometheus.CounterValue, float64(st.Retries.Load()))
	ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(c.writer.Waiting()))
}
