package notify_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/notify"
)

// memOutbox is an outbox in memory, enough to drive the worker.
type memOutbox struct {
	mu      sync.Mutex
	notices map[int64]*frontline.Notice
}

func (o *memOutbox) ClaimNotices(_ context.Context, n int, lease time.Duration) ([]*frontline.Notice, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*frontline.Notice
	for _, nt := range o.notices {
		if nt.Status == frontline.NoticePending && !nt.NextAttemptAt.After(time.Now()) && len(out) < n {
			nt.NextAttemptAt = time.Now().Add(lease)
			c := *nt
			out = append(out, &c)
		}
	}
	return out, nil
}

func (o *memOutbox) NoticeDelivered(_ context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.notices[id].Status, o.notices[id].Attempts = frontline.NoticeDelivered, o.notices[id].Attempts+1
	return nil
}

func (o *memOutbox) NoticeFailed(_ context.Context, id int64, reason string, next time.Time, dead bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := o.notices[id]
	n.Attempts, n.LastError, n.NextAttemptAt = n.Attempts+1, reason, next
	if dead {
		n.Status = frontline.NoticeDead
	}
	return nil
}

func (o *memOutbox) FindNotices(context.Context, frontline.NoticeFilter) ([]*frontline.Notice, int, error) {
	return nil, 0, errors.New("not used")
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
