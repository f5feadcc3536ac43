package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.SamplingService = (*SamplingService)(nil)

// SamplingOptions tune the binding writer.
type SamplingOptions struct {
	// Window is how long the writer waits, from the arrival of a batch's
	// first request, for others to commit with it. Longer windows mean
	// fewer, larger commits and more latency. Default 2ms.
	Window time.Duration
	// MaxItems bounds the persons of one transaction. Default 5000.
	MaxItems int
	// Queue is how many requests may wait for the writer before Bind
	// blocks. Default 20000.
	Queue int
	// Writers is how many writer goroutines take batches from the queue,
	// on PostgreSQL: while one batch waits for its commit to reach the
	// disk, the next is read and decided. They lock in one order, as the
	// writers of several servers do. SQLite has one writer whatever it
	// says (its one write connection would only take turns). Default 1.
	Writers int
	// Levels returns the zone level of each household (the keys of a
	// round's pool policy), given each household's id and materialized
	// path; the zones service provides it. It is called inside the batch's
	// transaction, so it must not write. Nil puts every household in no
	// zone.
	Levels func(ctx context.Context, households map[int64]string) (map[int64]string, error)
	// Restrictions returns the restrictions of the persons a batch binds
	// (RestrictionService.Restrictions, or a cache of it); like Levels it
	// is called inside the batch's transaction. A person whose
	// restrictions refuse sampling at a station (home isolation, a case)
	// is refused, to be sampled at home; one they note (health
	// monitoring) is bound with the note. Nil checks nothing.
	Restrictions func(ctx context.Context, persons []int64) (map[int64]*frontline.Restrictions, error)
	// Policy says what each restriction does at a station; nil is the
	// default policy.
	Policy frontline.RestrictionPolicy
}

func (o SamplingOptions) withDefaults() SamplingOptions {
	if o.Window <= 0 {
		o.Window = 2 * time.Millisecond
	}
	if o.MaxItems <= 0 {
		o.MaxItems = 5000
	}
	if o.Queue <= 0 {
		o.Queue = 20000
	}
	if o.Writers <= 0 {
		o.Writers = 1
	}
	return o
}

// SamplingService binds persons to tubes through one writer goroutine per
// service. A process makes one per database (the command does), and
// closes it on shutdown.
type SamplingService struct {
	db    *DB
	opts  SamplingOptions
	queue chan *bindJob
	quit  chan struct{}
	// stopped closes when the writer has answered everything it took.
	stopped   chan struct{}
	startOnce sync.Once
	closeOnce sync.Once
	stations  sync.Map // device token id → *stationRef
	stats     BatchStats
}

// NewSamplingService returns a SamplingService on db; its writer starts
// with the first request.
func NewSamplingService(db *DB, opts SamplingOptions) *SamplingService {
	opts = opts.withDefaults()
	return &SamplingService{db: db, opts: opts, queue: make(chan *bindJob, opts.Queue),
		quit: make(chan struct{}), stopped: make(chan struct{})}
}

func (s *SamplingService) start() {
	s.startOnce.Do(func() {
		n := s.opts.Writers
		if s.db.Engine == SQLite {
			n = 1
		}
		var wg sync.WaitGroup
		for range n {
			wg.Go(s.run)
		}
		go func() {
			wg.Wait()
			close(s.stopped)
		}()
	})
}

// Close stops the writer once the batch in progress is committed; requests
// still queued are answered with an error (their stations retry).
func (s *SamplingService) Close() error {
	s.closeOnce.Do(func() {
		close(s.quit)
		s.startOnce.Do(func() { close(s.stopped) }) // never started
	})
	<-s.stopped
	return nil
}

// BatchStats counts the writer's work, for metrics and the benchmark: how
// many batches and requests, how long the batches took, and how long each
// request waited for its batch to begin. A batch's time is what every
// station in it waited on the database, and the wait is the queue in
// front of the writer; with the server's own request time (/metrics) they
// say where a slow answer spent its time.
type BatchStats struct {
	// Time is the batches' time from begin to commit; its Count is the
	// number of batches.
	Time     Histogram
	Requests atomic.Int64
	// Retries counts the batches PostgreSQL aborted for a deadlock or a
	// serialization failure and that ran again. The writers take their
	// locks in one order, so it stays at zero; /metrics shows it.
	Retries atomic.Int64
	// Wait is each request's time from Bind handing it to the queue to
	// the start of the batch that took it.
	Wait Histogram
}

// LatencyBuckets are the upper bounds of the writer's histograms: fine
// enough below 50 ms to tell a 20 ms tail from a 40 ms one.
var LatencyBuckets = [...]time.Duration{500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond,
	3 * time.Millisecond, 5 * time.Millisecond, 7500 * time.Microsecond, 10 * time.Millisecond,
	15 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond, 40 * time.Millisecond,
	50 * time.Millisecond, 75 * time.Millisecond, 100 * time.Millisecond, 150 * time.Millisecond,
	250 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 5 * time.Second}

// Histogram counts durations in LatencyBuckets, without locks.
type Histogram struct {
	Count atomic.Int64
	Nanos atomic.Int64 // the sum of the durations
	// Within[i] counts the durations of at most LatencyBuckets[i] (and
	// above the bound before); the last counts the rest.
	Within [len(LatencyBuckets) + 1]atomic.Int64
}

// Observe counts one duration.
func (h *Histogram) Observe(d time.Duration) {
	h.Count.Add(1)
	h.Nanos.Add(int64(d))
	i := 0
	for i < len(LatencyBuckets) && d > LatencyBuckets[i] {
		i++
	}
	h.Within[i].Add(1)
}

// Quantile returns the bucket bound under which at least q (0 to 1) of
// the durations fall, or 0 with none; above the last bound, the last.
func (h *Histogram) Quantile(q float64) time.Duration {
	total := h.Count.Load()
	if total == 0 {
		return 0
	}
	var seen int64
	for i := range LatencyBuckets {
		if seen += h.Within[i].Load(); float64(seen) >= q*float64(total) {
			return LatencyBuckets[i]
		}
	}
	return LatencyBuckets[len(LatencyBuckets)-1]
}

// record counts a batch of requests that took d, and the wait of each.
func (b *BatchStats) record(jobs []*bindJob, began time.Time, d time.Duration) {
	b.Time.Observe(d)
	b.Requests.Add(int64(len(jobs)))
	for _, j := range jobs {
		b.Wait.Observe(began.Sub(j.enqueued))
	}
}

// Stats returns the writer's counters.
func (s *SamplingService) Stats() *BatchStats { return &s.stats }

// Waiting returns how many requests wait for the writer.
func (s *SamplingService) Waiting() int { return len(s.queue) }

// Bind validates a request and hands it to the writer, then waits for its
// answer. A request whose caller gives up may still commit: the station
// retries with the same id and gets the answer.
func (s *SamplingService) Bind(ctx context.Context, req *frontline.BindRequest) (*frontline.BindAnswer, error) {
	if err := authorize(ctx, frontline.PermSampling); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	// The writer sees the request id namespaced by the caller, so that two
	// scanners that both number their requests 1, 2, 3 never get each
	// other's stored answers; the caller gets its own id back. A copy, so
	// the caller's request keeps the id it sent.
	clientID := req.RequestID
	nsReq := *req
	req = &nsReq
	req.RequestID = requestKey(frontline.PrincipalFrom(ctx), clientID)
	if err := s.resolveStation(ctx, req); err != nil {
		return nil, err
	}
	s.start()
	job := &bindJob{ctx: context.WithoutCancel(ctx), req: req, actor: frontline.ActorFrom(ctx).String(),
		enqueued: time.Now(), done: make(chan struct{})}
	select {
	case s.queue <- job:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.quit:
		return nil, errWriterClosed
	}
	select {
	case <-job.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.stopped:
		select {
		case <-job.done:
		default:
			return nil, errWriterClosed
		}
	}
	if job.answer != nil {
		job.answer.RequestID = clientID
	}
	return job.answer, job.err
}

// requestKey is the id sampling_requests stores for a caller's request
// id: the device token or the user, then the caller's own id. It costs
// nothing on the writer's path (no column, no lookup), and the stored id
// stays within the column, which is unbounded TEXT on both engines.
func requestKey(p *frontline.Principal, clientID string) string {
	switch {
	case p == nil:
		return "s/" + clientID // the process itself: tests, the demo, imports
	case p.TokenID != 0:
		return "t" + strconv.FormatInt(p.TokenID, 10) + "/" + clientID
	default:
		return "u" + strconv.FormatInt(p.UserID, 10) + "/" + clientID
	}
}

// resolveStation sets and checks the station of a request. A station's
// device token speaks only for its own station, and only in that
// station's round; a signed-in user may name a working station of the
// round. The stations of device tokens are cached: a station never
// changes its round, a retired station's token is revoked (so its requests
// never get here), and a cached answer that refuses is read again before
// it does. A station a user names is read each time, since it may have
// been retired since; users send far fewer requests than scanners.
func (s *SamplingService) resolveStation(ctx context.Context, req *frontline.BindRequest) error {
	if p := frontline.PrincipalFrom(ctx); p != nil && p.TokenID != 0 {
		st, err := s.stationOfToken(ctx, p.TokenID, req.RoundID)
		if err != nil {
			return err
		}
		if st == nil {
			// A device token not made for a station (a home sampling
			// team's) names a station as a user does.
			return s.checkStation(ctx, req)
		}
		if st.round != req.RoundID {
			return frontline.Errorf(frontline.EINVALID, "this device is a station of test round %d, not of round %d", st.round, req.RoundID)
		}
		req.StationID = st.id
		return nil
	}
	return s.checkStation(ctx, req)
}

// checkStation checks the station a request names, if any: a working
// station of the request's round.
func (s *SamplingService) checkStation(ctx context.Context, req *frontline.BindRequest) error {
	if req.StationID == 0 {
		return nil
	}
	var round int64
	err := s.db.readRow(ctx, `SELECT round_id FROM sampling_stations WHERE id = ? AND retired_at IS NULL`, req.StationID).Scan(&round)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && round != req.RoundID) {
		return frontline.FieldError("station_id", "station %d is not a working station of test round %d", req.StationID, req.RoundID)
	}
	return s.db.translate(err)
}

// stationOfToken returns the station of a device token, or nil: from the
// cache when it is of round, else from the database.
func (s *SamplingService) stationOfToken(ctx context.Context, token, round int64) (*stationRef, error) {
	if st, ok := s.stations.Load(token); ok && st.(*stationRef).round == round {
		return st.(*stationRef), nil
	}
	var st stationRef
	err := s.db.readRow(ctx, `SELECT id, round_id FROM sampling_stations WHERE token_id = ?`, token).Scan(&st.id, &st.round)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, s.db.translate(err)
	}
	s.stations.Store(token, &st)
	return &st, nil
}

type stationRef struct{ id, round int64 }
