package sqldb

import (
	"context"
	"slices"
	"sync"
)

// writeGate orders SQLite's write transactions, which share its one write
// connection. database/sql hands a freed connection to a random waiter,
// so under load a binding batch waited for its turn among every passage,
// visit and token flush queued at the time: in a `frontline bench day` of
// a million, 200 of them stood before the binding writer. Through the
// gate the binding writer goes next, after at most othersPerTurn of the
// others, and the others go in the order they came.
type writeGate struct {
	mu     sync.Mutex
	held   bool
	writer []chan struct{} // the binding writer waiting
	others []chan struct{}
	since  int // others let through since the binding writer's last turn
}

// othersPerTurn is how many other write transactions may go between two
// turns of a waiting binding writer: never all of them (the writer would
// wait for every passage of a busy gate), never none (a writer busy batch
// after batch would starve them). At 20 batches a second, eight let 160
// passages, visits and lab posts a second through; in a day of a million
// on a starved machine, four let only 5 passages a second through.
const othersPerTurn = 8

type bindingWriterKey struct{}

// bindingWriter marks ctx as the binding writer's, which the write gate
// lets go first.
func bindingWriter(ctx context.Context) context.Context {
	return context.WithValue(ctx, bindingWriterKey{}, true)
}

// acquire waits for the gate; the caller holds it until release.
func (g *writeGate) acquire(ctx context.Context) error {
	writer := ctx.Value(bindingWriterKey{}) != nil
	g.mu.Lock()
	if !g.held {
		g.held = true
		g.turn(writer)
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if writer {
		g.writer = append(g.writer, ch)
	} else {
		g.others = append(g.others, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	if i := slices.Index(g.writer, ch); i >= 0 {
		g.writer = slices.Delete(g.writer, i, i+1)
	} else if i := slices.Index(g.others, ch); i >= 0 {
		g.others = slices.Delete(g.others, i, i+1)
	} else {
		// Handed over as the context ended: pass it on.
		g.mu.Unlock()
		g.release()
		return ctx.Err()
	}
	g.mu.Unlock()
	return ctx.Err()
}

// turn counts a transaction going through; g.mu is held.
func (g *writeGate) turn(writer bool) {
	if writer {
		g.since = 0
	} else {
		g.since++
	}
}

// release hands the gate to the next waiter, or opens it.
func (g *writeGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	var next chan struct{}
	switch {
	case len(g.writer) > 0 && (g.since >= othersPerTurn || len(g.others) == 0):
		next, g.writer = g.writer[0], g.writer[1:]
		g.turn(true)
	case len(g.others) > 0:
		next, g.others = g.others[0], g.others[1:]
		g.turn(false)
	default:
		g.held = false
		return
	}
	close(next)
}
