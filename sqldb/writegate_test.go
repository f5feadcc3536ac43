package sqldb

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestWriteGate checks the order of SQLite's write transactions: the
// binding writer goes after at most othersPerTurn others, the others in
// the order they came, and a waiter whose context ends leaves the queue
// without keeping the gate shut.
func TestWriteGate(t *testing.T) {
	g := &writeGate{}
	ctx := context.Background()
	if err := g.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	order := make(chan string, 16)
	wait := func(name string, c context.Context) chan error {
		done := make(chan error, 1)
		go func() {
			err := g.acquire(c)
			if err == nil {
				order <- name
			}
			done <- err
		}()
		return done
	}
	queued := func(writers, others int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			g.mu.Lock()
			w, o := len(g.writer), len(g.others)
			g.mu.Unlock()
			if w == writers && o == others {
				return
			}
		}
		t.Fatalf("the queue never held %d writers and %d others", writers, others)
	}
	var dones []chan error
	for i, name := range []string{"o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9", "o10"} {
		dones = append(dones, wait(name, ctx))
		queued(0, i+1)
	}
	gone, cancel := context.WithCancel(ctx)
	left := wait("left", gone)
	queued(0, 11)
	cancel()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Fatalf("a waiter whose context ended: %v", err)
	}
	queued(0, 10)
	dones = append(dones, wait("writer", bindingWriter(ctx)))
	queued(1, 10)
	var got []string
	for range 11 {
		g.release()
		got = append(got, <-order)
	}
	// The first holder was another: othersPerTurn others since the
	// writer's last turn came after o7; then the rest in order.
	want := []string{"o1", "o2", "o3", "o4", "o5", "o6", "o7", "writer", "o8", "o9", "o10"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
	g.release()
	if g.held {
		t.Fatal("the gate stays shut with nobody waiting")
	}
	for _, d := range dones {
		if err := <-d; err != nil {
			t.Fatal(err)
		}
	}
}
