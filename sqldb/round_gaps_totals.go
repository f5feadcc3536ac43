package sqldb

import (
	"context"
	"sync"
	"time"
)

// GapTotalLife is how long `frontline serve` keeps a gap list's total: the
// office clients of a community ask for the same list every few seconds,
// and on a city of a million each count reads every member of the node
// (about 50 ms of CPU for a community on SQLite), which 500 offices turned
// into more CPU than the machine had, in front of the binding writer. The
// list itself is read fresh every time; only the number of households
// still to visit may be this old.
const GapTotalLife = 10 * time.Second

// KeepGapTotals makes the service keep each node's gap-list total for
// life (0, the default, counts every time), counting it once for all the
// readers that ask while it is being counted.
func (s *CoverageService) KeepGapTotals(life time.Duration) {
	s.gapTotals = &gapTotals{life: life, m: map[gapKey]*gapTotal{}}
}

// gapKey is a round's node.
type gapKey struct{ round, place int64 }

// gapTotals keeps the totals counted in the last life, by round and node.
type gapTotals struct {
	life time.Duration
	mu   sync.Mutex
	m    map[gapKey]*gapTotal
}

// gapTotal is one total, or the count under way (ready not yet closed).
type gapTotal struct {
	ready chan struct{}
	at    time.Time // when its count began: the total is as of then
	n     int
	err   error
}

// maxGapTotals bounds the kept totals; past it the stale ones go.
const maxGapTotals = 4096

// get returns the total of key: kept when counted less than life ago,
// else counted by count — once, while other callers wait for it.
func (c *gapTotals) get(ctx context.Context, key gapKey, now func() time.Time, count func() (int, error)) (int, error) {
	if c == nil || c.life <= 0 {
		return count()
	}
	at := now()
	c.mu.Lock()
	e := c.m[key]
	if e != nil && !at.Before(e.at.Add(c.life)) {
		e = nil // too old
	}
	if e != nil {
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		if e.err == nil {
			return e.n, nil
		}
		return count() // the other count failed (its request went away): count here
	}
	e = &gapTotal{ready: make(chan struct{}), at: at}
	if len(c.m) >= maxGapTotals {
		for k, old := range c.m {
			if !at.Before(old.at.Add(c.life)) {
				delete(c.m, k)
			}
		}
	}
	c.m[key] = e
	c.mu.Unlock()
	e.n, e.err = count()
	if e.err != nil {
		c.mu.Lock()
		if c.m[key] == e {
			delete(c.m, key)
		}
		c.mu.Unlock()
	}
	close(e.ready)
	return e.n, e.err
}
