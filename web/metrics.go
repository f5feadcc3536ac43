package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own:
// the global default registry would be shared by every Server in a test
// binary and by any library that registers into it.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

// requestBuckets are the bounds of the request-time histogram, in seconds:
// finer than Prometheus's default below 100 ms, so that a server's p99 of
// a binding request (its target is 50 ms) can be read from /metrics and
// set beside what clients measured (`frontline bench sampling` does).
var requestBuckets = []float64{.0005, .001, .002, .003, .005, .0075, .01, .015, .02, .03, .04, .05,
	.075, .1, .15, .25, .5, 1, 2, 5, 10}

func newMetrics(version string) (*metrics, error) {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "frontline_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status.",
		}, []string{"pattern", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "frontline_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern.",
			Buckets: requestBuckets,
		}, []string{"pattern"}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "frontline_build_info",
		Help:        "Always 1; the version label names the running build.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, build,
	} {
		if err := m.registry.Register(c); err != nil {
			return nil, err
		}
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m, nil
}

// observe records one served request.
func (m *metrics) observe(r *http.Request, status int, d time.Duration) {
	pattern := routeLabel(r.Pattern)
	m.requests.WithLabelValues(pattern, methodLabel(r.Method), strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(pattern).Observe(d.Seconds())
}

// routeLabel strips the method from a ServeMux pattern ("GET /x/{id}" →
// "/x/{id}"); the method has a label of its own.
func routeLabel(pattern string) string {
	if pattern == "" {
		return "none"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// methodLabel keeps the method label to the standard methods, so a client
// sending made-up methods cannot create new time series without end.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// handleMetrics serves the registry in the Prometheus text format.
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}

// handleHealthz answers whether the process is alive; it checks nothing
// else, so a slow database never gets a healthy process restarted.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
	return nil
}

// readyTimeout bounds the readiness check, so a hung database answers 503
// before the load balancer's own probe times out.
const readyTimeout = 3 * time.Second

// handleReadyz answers 200 when Ready passes and 503 with its reason
// otherwise, so a load balancer sends traffic only to servers that can
// reach a migrated database.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: " + err.Error() + "\n"))
			return nil
		}
	}
	w.Write([]byte("ok\n"))
	return nil
}
