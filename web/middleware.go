package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/frontline-org/frontline"
)

// chain wraps h in the middleware, the first innermost.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for _, m := range mw {
		h = m(h)
	}
	return h
}

// recorder remembers the status a handler wrote. The middleware share one
// recorder per request (see record), so the log, the metrics and the panic
// handler all see the same response.
type recorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

// record returns w as a recorder, wrapping it only once.
func record(w http.ResponseWriter) *recorder {
	if rec, ok := w.(*recorder); ok {
		return rec
	}
	return &recorder{ResponseWriter: w, status: http.StatusOK}
}

// WriteHeader records the status.
func (rec *recorder) WriteHeader(status int) {
	if !rec.wrote {
		rec.status, rec.wrote = status, true
	}
	rec.ResponseWriter.WriteHeader(status)
}

// Write records the implicit 200 of a handler that writes no header.
func (rec *recorder) Write(b []byte) (int, error) {
	if !rec.wrote {
		rec.wrote = true
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's flusher.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// logRequests logs one line per request. It logs the path without the
// query: queries carry ID numbers and phones that must not reach the log.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := record(w)
		next.ServeHTTP(rec, r)
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", rec.status), slog.Duration("duration", time.Since(start)))
	})
}

// countRequests feeds the request counter and duration histogram. It reads
// the route pattern ServeMux matched, set on the request after the call,
// so the labels stay few however many ids the paths contain.
func (s *Server) countRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := record(w)
		next.ServeHTTP(rec, r)
		s.metrics.observe(r, rec.status, time.Since(start))
	})
}

// recoverPanics turns a panic in a handler into a logged 500 in the
// caller's format, so one bad request does not take down the connection
// without an answer.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := record(w)
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // net/http's way to abort a response on purpose
			}
			s.Logger.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !rec.wrote {
				s.renderError(rec, r, &frontline.Error{Code: frontline.EINTERNAL, Err: fmt.Errorf("panic: %v", v)})
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// limitBodies bounds every request body, so a client cannot make a form
// parser or JSON decoder read without end.
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			limit := int64(maxBodyBytes)
			if isUpload(r) {
				limit = maxUploadBytes
			} else if isPhotoPost(r) {
				limit = maxPhotoBody
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}
