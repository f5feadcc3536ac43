package sqldb

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

// TestHashGate floods the gate from one address: it admits only a few of
// the flood, refuses the rest at once as EUNAVAILABLE, and still admits a
// sign-in from elsewhere; a slot not freed in time refuses the waiter.
func TestHashGate(t *testing.T) {
	g := newHashGate(1)
	var leaves []func()
	busy := 0
	for i := range 50 {
		leave, err := g.enter(string(rune('a'+i%26))+"-login", "10.0.0.1")
		if err != nil {
			if frontline.ErrorCode(err) != frontline.EUNAVAILABLE {
				t.Fatalf("refusal %v, want EUNAVAILABLE", err)
			}
			busy++
			continue
		}
		leaves = append(leaves, leave)
	}
	if len(leaves) != g.limits.address || busy != 50-g.limits.address {
		t.Fatalf("the flood got %d places and %d refusals, want %d places", len(leaves), busy, g.limits.address)
	}
	// One account, from two addresses: at most its own share.
	a1, err1 := g.enter("zhang", "10.0.0.2")
	a2, err2 := g.enter("zhang", "10.0.0.3")
	_, err3 := g.enter("zhang", "10.0.0.4")
	if err1 != nil || err2 != nil || frontline.ErrorCode(err3) != frontline.EUNAVAILABLE {
		t.Fatalf("one account: %v %v %v, want two admitted and the third refused", err1, err2, err3)
	}
	a1()
	a2()
	// Places are given back.
	for _, leave := range leaves {
		leave()
	}
	if g.queued != 0 || len(g.perKey) != 0 {
		t.Fatalf("after every leave: %d queued, %v", g.queued, g.perKey)
	}
	// The queue as a whole is bounded, whatever the addresses.
	for i := range g.limits.queued + 1 {
		_, err := g.enter("user"+string(rune('a'+i%26))+string(rune('a'+i/26)), "10.1.0."+string(rune('a'+i)))
		if (err != nil) != (i == g.limits.queued) {
			t.Fatalf("sign-in %d of a spread flood: %v", i+1, err)
		}
	}

	g = newHashGate(1)
	g.maxWait = 10 * time.Millisecond
	hold := make(chan struct{})
	go g.run(context.Background(), func() { <-hold })
	for len(g.slots) == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := g.run(context.Background(), func() {}); frontline.ErrorCode(err) != frontline.EUNAVAILABLE {
		t.Fatalf("a slot held past maxWait: %v, want EUNAVAILABLE", err)
	}
	close(hold)
}
