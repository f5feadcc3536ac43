package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
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
	url := fmt.Sprintf("%s/api/v1/rounds/%d/bindings", base, setup.round.ID)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	var wg sync.WaitGroup
	for _, st := range setup.stations {
		wg.Go(func() {
			s := &station{cfg: cfg, client: client, url: url, st: st, round: setup.round.ID, answered: map[int64]int64{}, sealed: sealed}
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
type station struct {
	cfg       *SamplingConfig
	client    *http.Client
	url       string
	st        *benchStation
	round     int64
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
		req := frontline.BindRequest{RequestID: fmt.Sprintf("bench-%d-%d-%d", s.round, s.st.id, seq),
			TubeCode: fmt.Sprintf("B%d-%d-%d", s.round, s.st.id, i/10), PersonIDs: s.st.persons[i:min(i+per, len(s.st.persons))]}
		a, err := s.send(ctx, &req)
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
			again, err := s.send(ctx, &req)
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

// sameBindings reports whether a retry answered with the bindings of the
// first answer and bound nothing new.
func sameBindings(first, again *frontline.BindAnswer) bool {
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
func (s *station) send(ctx context.Context, req *frontline.BindRequest) (*frontline.BindAnswer, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var last error
	for try := 0; try < 3; try++ {
		start := time.Now()
		if !s.scheduled.IsZero() && s.scheduled.Before(start) {
			start, s.scheduled = s.scheduled, time.Time{}
		}
		a, retry, err := s.post(ctx, body)
		s.latencies = append(s.latencies, time.Since(start))
		s.requests++
		if err == nil {
			return a, nil
		}
		if last = err; !retry {
			break
		}
	}
	return nil, fmt.Errorf("station %d, request %s: %w", s.st.id, req.RequestID, last)
}

func (s *station) post(ctx context.Context, body []byte) (*frontline.BindAnswer, bool, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, false, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", "Bearer "+s.st.token)
	resp, err := s.client.Do(hr)
	if err != nil {
		return nil, true, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, true, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode >= 500, fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
	}
	var a frontline.BindAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, false, err
	}
	return &a, false, nil
}
