package notify_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/notify"
)

// memOutbox is an outbox in memory, enough to drive the worker. Like the
// store, it records an outcome only under the claim that holds.
type memOutbox struct {
	mu      sync.Mutex
	notices map[int64]*frontline.Notice
	leases  []time.Duration // the lease of each claim
	lapsed  int             // outcomes refused for a lapsed claim
}

func (o *memOutbox) ClaimNotices(_ context.Context, n int, lease time.Duration) ([]*frontline.Notice, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.leases = append(o.leases, lease)
	var out []*frontline.Notice
	for id := int64(1); id <= int64(len(o.notices)); id++ {
		nt := o.notices[id]
		if nt.Status == frontline.NoticePending && !nt.NextAttemptAt.After(time.Now()) && len(out) < n {
			nt.NextAttemptAt = time.Now().Add(lease)
			nt.Lease = nt.NextAttemptAt
			c := *nt
			out = append(out, &c)
		}
	}
	return out, nil
}

// held returns the stored notice when n's claim still holds.
func (o *memOutbox) held(n *frontline.Notice) (*frontline.Notice, error) {
	cur := o.notices[n.ID]
	if cur.Status != frontline.NoticePending || !cur.NextAttemptAt.Equal(n.Lease) {
		o.lapsed++
		return nil, frontline.Errorf(frontline.ECONFLICT, "notice %d is no longer leased to this worker", n.ID)
	}
	return cur, nil
}

func (o *memOutbox) NoticeDelivered(_ context.Context, n *frontline.Notice) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	cur, err := o.held(n)
	if err != nil {
		return err
	}
	cur.Status, cur.Attempts = frontline.NoticeDelivered, cur.Attempts+1
	return nil
}

func (o *memOutbox) NoticeFailed(_ context.Context, n *frontline.Notice, reason string, next time.Time, dead bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	cur, err := o.held(n)
	if err != nil {
		return err
	}
	cur.Attempts, cur.LastError, cur.NextAttemptAt = cur.Attempts+1, reason, next
	if dead {
		cur.Status = frontline.NoticeDead
	}
	return nil
}

func (o *memOutbox) FindNotices(context.Context, frontline.NoticeFilter) ([]*frontline.Notice, int, error) {
	return nil, 0, errors.New("not used")
}

func (o *memOutbox) CountNotices(context.Context, frontline.NoticeFilter) (map[frontline.NoticeStatus]int, error) {
	return nil, errors.New("not used")
}

func (o *memOutbox) RequeueNotice(context.Context, int64) error { return errors.New("not used") }

func TestWorker(t *testing.T) {
	var mu sync.Mutex
	var got []string
	fail := true
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, r.Header.Get("Idempotency-Key"))
		if fail {
			fail = false
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer hook.Close()
	ob := &memOutbox{notices: map[int64]*frontline.Notice{
		1: {ID: 1, Channel: "webhook", Status: frontline.NoticePending, Body: "请1号楼居民下楼"},
		2: {ID: 2, Channel: "log", Status: frontline.NoticePending},
		3: {ID: 3, Channel: "sms", Status: frontline.NoticePending},
	}}
	w := notify.NewWorker(ob, nil, notify.LogChannel{Log: nil}, notify.WebhookChannel{URL: hook.URL})
	w.Channels["log"] = notify.LogChannel{Log: discard()}
	w.Retry = frontline.RetryPolicy{Base: time.Millisecond, Max: time.Millisecond, Attempts: 3}
	for range 5 {
		w.RunOnce(context.Background())
		time.Sleep(5 * time.Millisecond)
	}
	if ob.notices[1].Status != frontline.NoticeDelivered || ob.notices[1].Attempts != 2 {
		t.Errorf("webhook notice after a failure and a retry: %+v", ob.notices[1])
	}
	if len(got) != 2 || got[0] != "frontline-notice-1" {
		t.Errorf("webhook calls %q", got)
	}
	if ob.notices[2].Status != frontline.NoticeDelivered {
		t.Errorf("log notice: %+v", ob.notices[2])
	}
	if ob.notices[3].Status != frontline.NoticeDead || ob.notices[3].Attempts != 3 {
		t.Errorf("a notice for a channel the server lacks should end dead: %+v", ob.notices[3])
	}
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// slowChannel takes its time and ignores the context's deadline, as a
// gateway that hangs might.
type slowChannel struct {
	d    time.Duration
	mu   sync.Mutex
	sent []int64
}

func (*slowChannel) Name() string { return "slow" }

func (c *slowChannel) Deliver(_ context.Context, n *frontline.Notice) error {
	time.Sleep(c.d)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, n.ID)
	return nil
}

// TestWorker_Lease claims a batch for long enough that every delivery of
// it may take its whole timeout, and stops delivering where the lease
// would not cover one more, leaving the rest to a later claim.
func TestWorker_Lease(t *testing.T) {
	w := notify.NewWorker(&memOutbox{}, discard())
	if got, min := w.Lease(), time.Duration(w.Batch)*w.Timeout; got <= min {
		t.Fatalf("a lease of %v for %d deliveries of up to %v", got, w.Batch, w.Timeout)
	}
	ob := &memOutbox{notices: map[int64]*frontline.Notice{}}
	for id := int64(1); id <= 3; id++ {
		ob.notices[id] = &frontline.Notice{ID: id, Channel: "slow", Status: frontline.NoticePending}
	}
	slow := &slowChannel{d: 300 * time.Millisecond}
	w = notify.NewWorker(ob, discard(), slow)
	// A lease of 3×100 ms + 100 ms, with deliveries that overrun their
	// timeout: the second would start with 100 ms of the lease left.
	w.Batch, w.Timeout, w.Margin = 3, 100*time.Millisecond, 100*time.Millisecond
	if n := w.RunOnce(context.Background()); n != 3 {
		t.Fatalf("claimed %d", n)
	}
	if ob.leases[0] != w.Lease() {
		t.Fatalf("claimed for %v, want %v", ob.leases[0], w.Lease())
	}
	if len(slow.sent) != 1 || ob.notices[1].Status != frontline.NoticeDelivered {
		t.Fatalf("sent %v; only the first fits the lease: %+v", slow.sent, ob.notices[1])
	}
	for _, id := range []int64{2, 3} {
		if n := ob.notices[id]; n.Status != frontline.NoticePending || n.Attempts != 0 {
			t.Errorf("notice %d left to the lease: %+v", id, n)
		}
	}
}

// TestWorker_LapsedLease records nothing for a notice whose lease ran out
// and was claimed by another worker while this one delivered it.
func TestWorker_LapsedLease(t *testing.T) {
	ob := &memOutbox{notices: map[int64]*frontline.Notice{
		1: {ID: 1, Channel: "slow", Status: frontline.NoticePending},
	}}
	other := &slowChannel{}
	// The other worker claims the notice as soon as this one starts
	// delivering it, and delivers it.
	steal := &stealChannel{ob: ob, other: notify.NewWorker(ob, discard(), other)}
	w := notify.NewWorker(ob, discard(), steal)
	w.RunOnce(context.Background())
	if len(other.sent) != 1 || ob.notices[1].Status != frontline.NoticeDelivered || ob.notices[1].Attempts != 1 || ob.lapsed != 1 {
		t.Fatalf("the late outcome should be refused: %+v lapsed %d", ob.notices[1], ob.lapsed)
	}
}

// stealChannel lets the lease of the notice it delivers run out and
// another worker claim and deliver it, then fails.
type stealChannel struct {
	ob    *memOutbox
	other *notify.Worker
}

func (*stealChannel) Name() string { return "slow" }

func (c *stealChannel) Deliver(ctx context.Context, n *frontline.Notice) error {
	c.ob.mu.Lock()
	c.ob.notices[n.ID].NextAttemptAt = time.Now().Add(-time.Second) // the lease ran out
	c.ob.mu.Unlock()
	c.other.RunOnce(ctx)
	return errors.New("gateway timeout")
}

// TestLogChannel_SMS: a log channel serving "sms" writes each message
// with its number masked, and refuses a landline as a gateway would, at
// once (a PermanentError).
func TestLogChannel_SMS(t *testing.T) {
	var buf strings.Builder
	c := notify.LogChannel{Log: slog.New(slog.NewTextHandler(&buf, nil)), Channel: frontline.SMSChannel}
	if c.Name() != frontline.SMSChannel || (notify.LogChannel{}).Name() != "log" {
		t.Fatalf("names %q %q", c.Name(), notify.LogChannel{}.Name())
	}
	n := &frontline.Notice{ID: 7, Channel: frontline.SMSChannel, Topic: frontline.TopicDelivery, Recipient: "13800001234",
		Body: frontline.DeliveryNoticeText("惠民超市", "")}
	if err := c.Deliver(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	if line := buf.String(); strings.Contains(line, "13800001234") || !strings.Contains(line, frontline.MaskPhone("13800001234")) ||
		!strings.Contains(line, "惠民超市") || !strings.Contains(line, "channel=sms") {
		t.Errorf("logged %q", line)
	}
	n.Recipient = "09388212345"
	var perm *notify.PermanentError
	if err := c.Deliver(context.Background(), n); !errors.As(err, &perm) || strings.Contains(err.Error(), "09388212345") {
		t.Errorf("a landline: %v", err)
	}
}
