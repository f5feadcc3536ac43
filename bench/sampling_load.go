package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/frontline-org/frontline"
)

// load is what the stations saw.
type load struct {
	mu        sync.Mutex
	latencies []time.Duration
	answered  map[int64]int64 // binding id → person, of every binding answered ok
	requests  int
	retries   int
	rebound   int // retries that bound anew instead of answering as before
	elapsed   time.Duration
	err       error
}

func (l *load) result() *SamplingResult {
	r := &SamplingResult{Bindings: len(l.answered), Requests: l.requests, Retries: l.retries, Elapsed: l.elapsed}
	if l.elapsed > 0 {
		r.BindingsPerSec = float64(r.Bindings) / l.elapsed.Seconds()
	}
	slices.Sort(l.latencies)
	if n := len(l.latencies); n > 0 {
		r.P50, r.P99 = l.latencies[n/2], l.latencies[min(n-1, n*99/100)]
	}
	return r
}

// newClient is the stations' HTTP client: keep-alive connections, one or
// two per station, as scanner devices hold them.
func newClient(stations int) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		MaxIdleConns: 2 * stations, MaxIdleConnsPerHost: 2 * stations, IdleConnTimeout: 90 * time.Second, DisableCompression: true}}
}

// driveStations runs every station until the duration is over or it has
// bound all its persons.
func driveStations(ctx context.Context, cfg *SamplingConfig, base string, setup *roundSetup) *load {
	return driveStationsSealing(ctx, cfg, base, setup, nil)
}

// driveStationsSealing is driveStations telling sealed of every tube the
// server sealed.
func driveStationsSealing(ctx context.Context, cfg *SamplingConfig, base string, setup *roundSetup, sealed func(string)) *load {
	l := &load{answered: map[int64]int64{}}
	client := newClient(cfg.Stations)
	tmpl, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/api/v1/rounds/%d/bindings", base, setup.round.ID), nil)
	if err != nil {
		l.err = err
		return l
	}
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for _, st := range setup.stations {
		wg.Go(func() {
			s := newStation(cfg, client, tmpl, st, setup.round.ID, sealed)
			err := s.run(ctx, deadline)
			l.mu.Lock()
			defer l.mu.Unlock()
			l.latencies = append(l.latencies, s.latencies...)
			for id, p := range s.answered {
				l.answered[id] = p
			}
			l.requests, l.retries, l.rebound = l.requests+s.requests, l.retries+s.retries, l.rebound+s.rebound
			if err != nil && l.err == nil {
				l.err = err
			}
		})
	}
	wg.Wait()
	l.elapsed = time.Since(start)
	return l
}

// station is one station's loop: a tube of 10 at a time, PerRequest
// persons per request, every RetryEvery-th request sent twice.
//
// The stations share the machine's cores with the server, so what a
// station does beyond sending and checking is CPU taken from the server:
// a body is written by hand (the shape json.Marshal gives a
// BindRequest), the request is a copy of the station's template (no URL
// parsed, no header built per request), the answer is read into the
// station's one buffer and decoded into only the fields the checks read.
type station struct {
	cfg    *SamplingConfig
	client *http.Client
	st     *benchStation
	round  int64
	// tmpl is the station's request: the URL, the token and the content
	// type, with the run's context; each send copies it.
	tmpl      *http.Request
	buf       bytes.Buffer // the answer being read
	latencies []time.Duration
	answered  map[int64]int64
	requests  int
	retries   int
	rebound   int
	// scheduled is when a paced request was due: its latency counts from
	// then, so a server that falls behind shows it.
	scheduled time.Time
	// sealed, when set, hears of each tube the server sealed (full).
	sealed func(code string)
}

// newStation makes a station's loop; tmpl is the run's request, which it
// copies with the station's token.
func newStation(cfg *SamplingConfig, client *http.Client, tmpl *http.Request, st *benchStation, round int64, sealed func(string)) *station {
	own := new(http.Request)
	*own = *tmpl
	own.Header = http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + st.token}}
	n := len(st.persons)/max(cfg.PerRequest, 1) + 1
	return &station{cfg: cfg, client: client, st: st, round: round, tmpl: own, answered: map[int64]int64{},
		latencies: make([]time.Duration, 0, n+n/max(cfg.RetryEvery, 1)+1), sealed: sealed}
}

func (s *station) run(ctx context.Context, deadline time.Time) error {
	per := s.cfg.PerRequest
	// Paced, a station sends a request every interval from a start spread
	// over one interval, so the stations do not send in step.
	var interval time.Duration
	next := time.Now()
	if s.cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(per*s.cfg.Stations) / float64(s.cfg.Rate))
		next = next.Add(time.Duration(s.st.id%97) * interval / 97)
	}
	for i, seq := 0, 0; i < len(s.st.persons) && time.Now().Before(deadline) && ctx.Err() == nil; i, seq = i+per, seq+1 {
		if interval > 0 {
			time.Sleep(time.Until(next))
			s.scheduled, next = next, next.Add(interval)
		}
		body := s.body(seq, i/10, s.st.persons[i:min(i+per, len(s.st.persons))])
		a, err := s.send(ctx, body, seq)
		if err != nil {
			return err
		}
		for _, it := range a.Items {
			if it.OK {
				s.answered[it.BindingID] = it.PersonID
			}
		}
		if s.sealed != nil && a.Tube != nil && a.Tube.State == frontline.TubeSealed {
			s.sealed(a.Tube.Code)
		}
		if seq%s.cfg.RetryEvery == s.cfg.RetryEvery-1 {
			again, err := s.send(ctx, body, seq)
			if err != nil {
				return err
			}
			s.retries++
			if !sameBindings(a, again) {
				s.rebound++
			}
		}
	}
	return nil
}

// body writes the JSON of request seq, the persons into the station's
// tube: `{"request_id":"bench-R-S-N","round_id":R,"tube":"BR-S-T","persons":[...]}`,
// what json.Marshal gives the frontline.BindRequest (its ids and codes
// need no escaping). A new slice each time: the transport may still
// hold the last body when a failed send returns.
func (s *station) body(seq, tube int, persons []int64) []byte {
	b := make([]byte, 0, 96+len(persons)*12)
	b = append(b, `{"request_id":"`...)
	b = s.requestID(b, seq)
	b = append(b, `","round_id":`...)
	b = strconv.AppendInt(b, s.round, 10)
	b = append(b, `,"tube":"B`...)
	b = strconv.AppendInt(b, s.round, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, s.st.id, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, int64(tube), 10)
	b = append(b, `","persons":[`...)
	for k, p := range persons {
		if k > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, p, 10)
	}
	return append(b, "]}"...)
}

// requestID appends the id of request seq: bench-round-station-seq.
func (s *station) requestID(b []byte, seq int) []byte {
	b = append(b, "bench-"...)
	b = strconv.AppendInt(b, s.round, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, s.st.id, 10)
	b = append(b, '-')
	return strconv.AppendInt(b, int64(seq), 10)
}

// bindAnswer is what the stations read of a frontline.BindAnswer: the
// bindings, whether it was a replay, and the tube's state. The rest
// (refusals, times) is skipped by the decoder.
type bindAnswer struct {
	Replayed bool `json:"replayed"`
	Tube     *struct {
		Code  string              `json:"code"`
		State frontline.TubeState `json:"state"`
	} `json:"tube"`
	Items []struct {
		PersonID  int64 `json:"person_id"`
		OK        bool  `json:"ok"`
		BindingID int64 `json:"binding_id"`
	} `json:"items"`
}

// sameBindings reports whether a retry answered with the bindings of the
// first answer and bound nothing new.
func sameBindings(first, again *bindAnswer) bool {
	want := map[int64]bool{}
	for _, it := range first.Items {
		if it.OK {
			want[it.BindingID] = true
		}
	}
	n := 0
	for _, it := range again.Items {
		if it.OK {
			if !want[it.BindingID] {
				return false
			}
			n++
		}
	}
	return again.Replayed && n == len(want)
}

// send posts one request, again after a failure of the connection or a
// 5xx (as a station does), and times it.
func (s *station) send(ctx context.Context, body []byte, seq int) (*bindAnswer, error) {
	var last error
	for try := 0; try < 3; try++ {
		start := time.Now()
		if !s.scheduled.IsZero() && s.scheduled.Before(start) {
			start, s.scheduled = s.scheduled, time.Time{}
		}
		a, retry, err := s.post(body)
		s.latencies = append(s.latencies, time.Since(start))
		s.requests++
		if err == nil {
			return a, nil
		}
		if last = err; !retry || ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("station %d, request %s: %w", s.st.id, s.requestID(nil, seq), last)
}

func (s *station) post(body []byte) (*bindAnswer, bool, error) {
	hr := new(http.Request)
	*hr = *s.tmpl
	hr.Body, hr.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	hr.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	resp, err := s.client.Do(hr)
	if err != nil {
		return nil, true, err
	}
	s.buf.Reset()
	_, err = s.buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, true, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode >= 500, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(s.buf.Bytes()))
	}
	var a bindAnswer
	if err := json.Unmarshal(s.buf.Bytes(), &a); err != nil {
		return nil, false, err
	}
	return &a, false, nil
}
