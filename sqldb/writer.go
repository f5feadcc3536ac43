package sqldb

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/frontline-org/frontline"
)

// The binding writer. Every binding request of a process goes through one
// goroutine, which takes whatever requests arrived within a few
// milliseconds of the first and commits them as one transaction, then
// answers each (group commit). One commit, and on SQLite one fsync, then
// serves hundreds of requests, where a transaction per request would be
// bounded by the disk's flush rate and, on SQLite, by its one writer lock.
// The rules that need the database (capacity, one binding per person, tube
// state) run inside that transaction with row locks, so they also hold
// against the writers of other servers on the same PostgreSQL.

// bindJob is one request waiting for the writer.
type bindJob struct {
	ctx      context.Context // carries the caller's principal and actor, never cancels the batch
	req      *frontline.BindRequest
	actor    string
	enqueued time.Time
	answer   *frontline.BindAnswer
	err      error
	done     chan struct{}
}

// items counts the work a job brings to a batch.
func (j *bindJob) items() int {
	if j.req.HouseholdID > 0 {
		return 4 // a household's members, about
	}
	return max(1, len(j.req.PersonIDs))
}

// errWriterClosed answers requests that arrive after Close.
var errWriterClosed = frontline.Errorf(frontline.EINTERNAL, "the sampling service is shutting down; send again")

// batchTimeout bounds one batch transaction. It is long: a batch that
// fails is answered with an error and the stations retry.
const batchTimeout = 30 * time.Second

// run is the writer goroutine.
func (s *SamplingService) run() {
	if err := s.db.prepareRows(context.Background(), hotRows()...); err != nil {
		s.db.logger.Warn("binding writer: cannot prepare its statements; they will be parsed per batch", "err", err)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var batch []*bindJob
	for {
		var first *bindJob
		select {
		case first = <-s.queue:
		case <-s.quit:
			s.drain()
			return
		}
		batch = append(batch[:0], first)
		items := first.items()
		// Wait for more only until the first request has waited Window:
		// under load the queue fills during the previous commit and the
		// batch goes at once.
		if wait := s.opts.Window - time.Since(first.enqueued); wait > 0 && items < s.opts.MaxItems {
			timer.Reset(wait)
		collect:
			for items < s.opts.MaxItems {
				select {
				case j := <-s.queue:
					batch, items = append(batch, j), items+j.items()
				case <-timer.C:
					break collect
				}
			}
			timer.Stop()
		}
	more:
		for items < s.opts.MaxItems {
			select {
			case j := <-s.queue:
				batch, items = append(batch, j), items+j.items()
			default:
				break more
			}
		}
		s.commit(batch)
		if s.db.Engine == SQLite {
			s.db.prepareWanted(context.Background()) // the texts the batch ran unprepared, for the next
		}
	}
}

// drain answers the requests still queued at Close.
func (s *SamplingService) drain() {
	for {
		select {
		case j := <-s.queue:
			j.err = errWriterClosed
			close(j.done)
		default:
			return
		}
	}
}

// commit runs a batch and answers its requests. If the batch fails as a
// whole, each request runs again on its own, so that one request that
// breaks a rule the code did not foresee does not fail the others.
func (s *SamplingService) commit(batch []*bindJob) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	start := time.Now()
	err := s.attempt(ctx, batch)
	if err != nil && len(batch) > 1 {
		s.db.logger.Warn("binding batch failed; running its requests one by one", "requests", len(batch), "err", err)
		for _, j := range batch {
			j.err = s.attempt(ctx, []*bindJob{j})
		}
	} else if err != nil {
		batch[0].err = err
	}
	s.stats.record(batch, start, time.Since(start))
	for _, j := range batch {
		if j.err != nil {
			j.answer = nil
		}
		close(j.done)
	}
}

// attempt runs a batch, again when PostgreSQL aborted it for a deadlock
// or a serialization failure, which are about timing, not about the
// requests.
func (s *SamplingService) attempt(ctx context.Context, jobs []*bindJob) error {
	for try := 1; ; try++ {
		err := s.runBatch(ctx, jobs)
		if err == nil || try == 4 || !retryable(err) {
			return err
		}
		// The writers take their locks in one order, so this should never
		// happen: say so loudly when it does.
		s.stats.Retries.Add(1)
		s.db.logger.Warn("binding batch retried", "try", try, "err", err)
	}
}

// retryable reports whether a transaction failed for its timing alone.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}
