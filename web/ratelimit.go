package web

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// rateLimiter counts requests per client address in fixed windows. It
// guards the public pages, which no session or lockout protects. Mobile
// carriers put many phones behind one address, so the limit is generous:
// it stops a script, not a building of residents.
type rateLimiter struct {
	limit  int
	window time.Duration
	now    func() time.Time

	mu   sync.Mutex
	seen map[string]*rateWindow
}

// rateWindow is one address's count since start.
type rateWindow struct {
	start time.Time
	n     int
}

// maxTracked bounds the addresses remembered; past it, windows that have
// ended are forgotten, so a flood from many addresses cannot grow the map
// without end.
const maxTracked = 10_000

func newRateLimiter(limit int, window time.Duration, now func() time.Time) *rateLimiter {
	return &rateLimiter{limit: limit, window: window, now: now, seen: map[string]*rateWindow{}}
}

// allow counts a request from addr and reports whether it is within the
// limit.
func (l *rateLimiter) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.seen) >= maxTracked {
		for a, w := range l.seen {
			if now.Sub(w.start) >= l.window {
				delete(l.seen, a)
			}
		}
	}
	w := l.seen[addr]
	if w == nil || now.Sub(w.start) >= l.window {
		if w == nil && len(l.seen) >= maxTracked {
			return false // every tracked address is busy: refuse newcomers until a window ends
		}
		w = &rateWindow{start: now}
		l.seen[addr] = w
	}
	w.n++
	return w.n <= l.limit
}

// limited answers 429 to a client past the limiter's limit and otherwise
// passes the request on.
func (s *Server) limited(l *rateLimiter, h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !l.allow(s.clientAddr(r)) {
			w.Header().Set("Retry-After", strconv.Itoa(int(l.window.Seconds())))
			return s.renderSelfReportProblem(w, r, http.StatusTooManyRequests, "self.error.busy")
		}
		return h(w, r)
	}
}
