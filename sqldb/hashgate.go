package sqldb

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/frontline-org/frontline"
)

// hashGate bounds the password hashes one server computes. Each hash holds
// Argon2.Memory (64 MiB by default) and a core for tens of milliseconds,
// so a flood of sign-ins must neither run many at once (memory) nor queue
// without end (memory again, and a real user waiting behind thousands of
// guesses). The gate admits a sign-in only while few of the same account
// and of the same address are already in it, and while the queue is
// short; the others are refused at once, before anything is counted or
// hashed, and told to try again. One address flooding the server thus
// holds a few places in the queue, and a user from elsewhere gets in.
//
// The gate is per process: memory and cores are. The limits that must hold
// across servers (how many guesses) are counted in the database.
type hashGate struct {
	slots chan struct{} // a token per hash computed at once
	// maxWait bounds the wait for a slot once admitted.
	maxWait time.Duration

	mu      sync.Mutex
	queued  int            // admitted sign-ins, waiting or hashing
	perKey  map[string]int // admitted sign-ins per account and per address
	limits  gateLimits
	waiting func(int) // observes the queue's length; tests use it
}

// gateLimits are how many sign-ins the gate admits at once.
type gateLimits struct {
	queued, account, address int
}

// errBusy refuses a sign-in the gate does not admit. It is EUNAVAILABLE:
// the same sign-in, sent again a moment later, is checked.
var errBusy = frontline.Errorf(frontline.EUNAVAILABLE, "too many sign-ins at once; try again in a few seconds")

func newHashGate(slots int) *hashGate {
	return &hashGate{slots: make(chan struct{}, slots), maxWait: 10 * time.Second, perKey: map[string]int{},
		limits: gateLimits{queued: 16 * slots, account: 2, address: 2}}
}

// enter admits a sign-in of login from addr, or refuses it with errBusy.
// The caller calls the returned leave once it is done.
func (g *hashGate) enter(login, addr string) (leave func(), err error) {
	keys := []string{"a:" + login}
	limits := []int{g.limits.account}
	if addr != "" {
		keys, limits = append(keys, "i:"+addr), append(limits, g.limits.address)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.queued >= g.limits.queued {
		return nil, errBusy
	}
	for i, k := range keys {
		if g.perKey[k] >= limits[i] {
			return nil, errBusy
		}
	}
	g.queued++
	for _, k := range keys {
		g.perKey[k]++
	}
	if g.waiting != nil {
		g.waiting(g.queued)
	}
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.queued--
		for _, k := range keys {
			if g.perKey[k]--; g.perKey[k] <= 0 {
				delete(g.perKey, k)
			}
		}
	}, nil
}

// run waits for a slot, at most maxWait, and runs fn in it.
func (g *hashGate) run(ctx context.Context, fn func()) error {
	t := time.NewTimer(g.maxWait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	fn()
	<-g.slots
	// The hash's memory is garbage now; collecting it at once keeps a run
	// of sign-ins from piling up tens of MiB a hash until the collector
	// would have come by itself.
	runtime.GC()
	return nil
}

// wait waits for a slot as long as ctx lasts and runs fn in it: for the
// hashes of an administrator setting a password, which no stranger can
// send in bulk.
func (g *hashGate) wait(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-g.slots }()
	fn()
	return nil
}
