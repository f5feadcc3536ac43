package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// roundCoverageJSON is a node's coverage with its not-yet-sampled count, which
// the domain type computes.
type roundCoverageJSON struct {
	*frontline.RoundCoverage
	NotYet  int     `json:"not_yet"`
	Percent float64 `json:"percent"`
}

func newRoundCoverageJSON(c *frontline.RoundCoverage) roundCoverageJSON {
	return roundCoverageJSON{RoundCoverage: c, NotYet: c.NotYet(), Percent: c.Percent()}
}

// roundCoverageResponse is the body of GET /api/v1/rounds/{id}/coverage and of
// each live event.
type roundCoverageResponse struct {
	Node     roundCoverageJSON   `json:"node"`
	Children []roundCoverageJSON `json:"children"`
	// The throughput of the sites and stations inside the caller's scope.
	Sites    []*frontline.SiteThroughput    `json:"sites"`
	Stations []*frontline.StationThroughput `json:"stations"`
	At       time.Time                      `json:"at"`
}

func (s *Server) roundCoverage(r *http.Request, roundID, placeID int64) (*roundCoverageResponse, error) {
	node, children, err := s.Coverage.Coverage(r.Context(), roundID, placeID)
	if err != nil {
		return nil, err
	}
	out := &roundCoverageResponse{Node: newRoundCoverageJSON(node), Children: make([]roundCoverageJSON, len(children)), At: s.Now().UTC()}
	for i, c := range children {
		out.Children[i] = newRoundCoverageJSON(c)
	}
	if out.Stations, err = s.Coverage.Throughput(r.Context(), roundID); err != nil {
		return nil, err
	}
	out.Sites = frontline.Sites(out.Stations)
	return out, nil
}

// roundPlace reads the path's round id and the ?place= node (0 for the
// round's scope).
func roundPlace(r *http.Request) (int64, int64, error) {
	q := newParams(r)
	id := q.pathID("id")
	place := q.id("place")
	if err := q.check(); err != nil {
		return 0, 0, err
	}
	if place == nil {
		return id, 0, nil
	}
	return id, *place, nil
}

// apiCoverageOfRound returns the counters of a node and its children.
func (s *Server) apiCoverageOfRound(w http.ResponseWriter, r *http.Request) error {
	id, place, err := roundPlace(r)
	if err != nil {
		return err
	}
	out, err := s.roundCoverage(r, id, place)
	if err != nil {
		return notFoundIn(err, "place")
	}
	return writeJSON(w, http.StatusOK, out)
}

// apiNotSampled lists the households under a node with persons to sample.
func (s *Server) apiNotSampled(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	id, place, err := roundPlace(r)
	if err != nil {
		return err
	}
	homes, total, err := s.Coverage.NotSampled(r.Context(), id, place, pg.Offset, pg.Limit)
	if err != nil {
		return notFoundIn(err, "place")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"households": homes, "total": total, "limit": pg.Limit, "offset": pg.Offset})
}

// apiFlow returns the persons sampled per ten minutes under a node.
func (s *Server) apiFlow(w http.ResponseWriter, r *http.Request) error {
	id, place, err := roundPlace(r)
	if err != nil {
		return err
	}
	flow, err := s.Coverage.Flow(r.Context(), id, place)
	if err != nil {
		return notFoundIn(err, "place")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"flow": flow})
}

// apiThroughput returns each site's and each station's figures.
func (s *Server) apiThroughput(w http.ResponseWriter, r *http.Request) error {
	id, _, err := roundPlace(r)
	if err != nil {
		return err
	}
	tp, err := s.Coverage.Throughput(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"sites": frontline.Sites(tp), "stations": tp})
}

// apiAdvice advises the pool size for the next round at a node (?place=,
// default the round's scope or the caller's node) from the recent rounds'
// positivity there, within the lab's maximum (?max=, default 20).
func (s *Server) apiAdvice(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	maxN := q.number("max", 20, 1, frontline.MaxPoolSize)
	place := q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	var placeID int64
	if place != nil {
		placeID = *place
	}
	pos, err := s.Coverage.Positivity(r.Context(), round.ID, placeID)
	if err != nil {
		return notFoundIn(err, "place")
	}
	current := round.Policy.Rule("").Capacity(1)
	return writeJSON(w, http.StatusOK, map[string]any{"advice": frontline.AdviseFromPositivity(*pos, current, maxN), "positivity": pos})
}

// poolSizeRow is E(n, p) for one pool size.
type poolSizeRow struct {
	N     int     `json:"n"`
	Tests float64 `json:"tests_per_person"`
}

// apiPoolAdvice is Dorfman's model as a calculator: for a prevalence
// (?p=, a fraction: 0.01 for 1%) the expected tests per person of every
// pool size up to ?max= (default 20), and the best.
func (s *Server) apiPoolAdvice(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	maxN := q.number("max", 20, 1, frontline.MaxPoolSize)
	if err := q.check(); err != nil {
		return err
	}
	raw := r.URL.Query().Get("p")
	p, err := strconv.ParseFloat(raw, 64)
	if err != nil || !(p >= 0 && p <= 1) {
		return frontline.FieldError("p", "%q is not a prevalence: a fraction from 0 to 1, 0.01 for 1%%", raw)
	}
	rows := make([]poolSizeRow, maxN)
	for n := 1; n <= maxN; n++ {
		rows[n-1] = poolSizeRow{N: n, Tests: frontline.TestsPerPerson(n, p)}
	}
	best, tests := frontline.BestPoolSize(p, maxN)
	return writeJSON(w, http.StatusOK, map[string]any{"prevalence": p, "best": best, "best_tests": tests, "sizes": rows})
}

// eventEvery is how often the live stream sends a node's coverage.
const eventEvery = 2 * time.Second

// apiEvents streams a node's coverage as server-sent events, one
// "coverage" event at once and then every eventEvery, until the client
// goes away. The counters make each event one indexed read.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) error {
	id, place, err := roundPlace(r)
	if err != nil {
		return err
	}
	first, err := s.roundCoverage(r, id, place)
	if err != nil {
		return notFoundIn(err, "place")
	}
	return streamEvents(w, r, "coverage", eventEvery, first, func() (*roundCoverageResponse, error) { return s.roundCoverage(r, id, place) })
}

// streamEvents answers with server-sent events named event: first at
// once, then what next returns every interval, until the client goes away
// or next fails (the status is sent by then: the stream just ends).
func streamEvents[T any](w http.ResponseWriter, r *http.Request, event string, every time.Duration, first T, next func() (T, error)) error {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // tell a proxy not to hold the stream back
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for ev := first; ; {
		b, err := json.Marshal(ev)
		if err != nil {
			return nil // the status is sent; nothing more to say
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return nil
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-tick.C:
		}
		if ev, err = next(); err != nil {
			return nil
		}
	}
}
