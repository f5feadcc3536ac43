// Package notify delivers the notices services write to the outbox: a
// worker leases due notices, hands each to the channel it names and
// records the outcome, retrying with backoff until a notice is delivered
// or ends on the dead-letter list. Channels are a log (for offices without
// a gateway and for tests) and a webhook (a community's own messaging
// bridge); an SMS gateway is one more implementation of
// frontline.Channel.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

// Worker delivers notices from an outbox.
type Worker struct {
	Outbox   frontline.OutboxService
	Channels map[string]frontline.Channel
	Retry    frontline.RetryPolicy
	// Every is how often the worker looks for due notices; Batch how many
	// it claims at a time; Timeout how long one delivery may take.
	Every   time.Duration
	Batch   int
	Timeout time.Duration
	// Margin is the part of a lease no delivery may use: time to record
	// the last outcome while the lease still holds, and room for the
	// clocks of two servers to differ a little.
	Margin time.Duration
	Now    func() time.Time
	Log    *slog.Logger
}

// NewWorker returns a worker with the default retry policy, polling every
// two seconds, claiming 50 notices at a time of up to 30 s each, over the
// given channels.
func NewWorker(outbox frontline.OutboxService, log *slog.Logger, channels ...frontline.Channel) *Worker {
	w := &Worker{Outbox: outbox, Channels: map[string]frontline.Channel{}, Retry: frontline.DefaultRetryPolicy,
		Every: 2 * time.Second, Batch: 50, Timeout: 30 * time.Second, Margin: time.Minute, Now: time.Now, Log: log}
	for _, c := range channels {
		w.Channels[c.Name()] = c
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	return w
}

// Lease returns how long a batch is claimed for: every delivery of the
// batch taking its whole Timeout, one after another, plus the margin. A
// shorter lease would run out while the worker still works through the
// batch, and another server would claim and send its tail again.
func (w *Worker) Lease() time.Duration {
	return time.Duration(max(w.Batch, 1))*w.Timeout + w.Margin
}

// Names returns the names of the worker's channels, sorted: what a plan's
// notices may go out on.
func (w *Worker) Names() []string {
	return slices.Sorted(maps.Keys(w.Channels))
}

// Run delivers notices until ctx is cancelled.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.Every)
	defer tick.Stop()
	for {
		for w.RunOnce(ctx) == w.Batch && ctx.Err() == nil {
			// a full batch: more are due
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunOnce claims one batch of due notices and delivers them; it returns
// how many it claimed. Deliveries stop where the lease would no longer
// cover one more (a slow channel, a lease set short): the notices left
// are due again when the lease runs out, and no other worker took them
// meanwhile.
func (w *Worker) RunOnce(ctx context.Context) int {
	lease := w.Lease()
	notices, err := w.Outbox.ClaimNotices(ctx, w.Batch, lease)
	if err != nil {
		if ctx.Err() == nil {
			w.Log.Warn("outbox: cannot lease notices", "err", err)
		}
		return 0
	}
	// Measured on this process's monotonic clock from just after the
	// claim. A delivery starts only while the lease covers its whole
	// timeout and half the margin, left to record its outcome.
	end := time.Now().Add(lease)
	for i, n := range notices {
		if time.Until(end) < w.Timeout+w.Margin/2 {
			w.Log.Warn("outbox: lease too short for the batch; the rest waits for it to run out", "left", len(notices)-i)
			break
		}
		w.deliver(ctx, n)
	}
	return len(notices)
}

// deliver sends one notice and records the outcome. A notice for a
// channel this server does not have is a failure like any other: it is
// retried (another server may have the channel) and ends dead; plans name
// only channels that exist when they are saved.
func (w *Worker) deliver(ctx context.Context, n *frontline.Notice) {
	var err error
	if c := w.Channels[n.Channel]; c == nil {
		err = fmt.Errorf("no channel %q on this server", n.Channel)
	} else {
		dctx, cancel := context.WithTimeout(ctx, w.Timeout)
		err = c.Deliver(dctx, n)
		cancel()
	}
	if err == nil {
		if err := w.Outbox.NoticeDelivered(ctx, n); frontline.ErrorCode(err) == frontline.ECONFLICT {
			w.Log.Warn("outbox: delivered after the lease ran out; another worker has the notice", "notice", n.ID)
		} else if err != nil {
			w.Log.Warn("outbox: delivered but not recorded; it will be sent again", "notice", n.ID, "err", err)
		}
		return
	}
	next, dead := w.Retry.Next(n.Attempts+1, w.Now())
	if perm := (*PermanentError)(nil); errors.As(err, &perm) {
		next, dead = time.Time{}, true // trying again cannot mend it
	}
	if dead {
		w.Log.Warn("outbox: notice moved to the dead-letter list", "notice", n.ID, "channel", n.Channel, "err", err)
	}
	if rerr := w.Outbox.NoticeFailed(ctx, n, err.Error(), next, dead); frontline.ErrorCode(rerr) == frontline.ECONFLICT {
		w.Log.Warn("outbox: failed after the lease ran out; another worker has the notice", "notice", n.ID, "err", err)
	} else if rerr != nil {
		w.Log.Warn("outbox: cannot record a failed delivery", "notice", n.ID, "err", rerr)
	}
}

// LogChannel writes notices to a log: what an office without a messaging
// gateway reads, and what tests look at. With Channel set to "sms" it is
// the SMS channel of a server without a gateway (`serve --demo`, or an
// office trying its notices before its gateway contract): each message is
// written, with its number masked, where a gateway would have sent it.
type LogChannel struct {
	Log *slog.Logger
	// Channel is the name it serves, "log" when empty.
	Channel string
	// Busy are mobile numbers the "sms" log answers busy on a notice's
	// first attempt, as a carrier's gateway answers for a handset it
	// cannot reach just then (switched off, out of coverage): the worker
	// tries again after its backoff, and that attempt goes. serve --demo
	// sets the demo's demo.BusyPhone, so the office sees a notice that
	// failed once and was delivered on its retry.
	Busy []string
}

// Name implements frontline.Channel.
func (c LogChannel) Name() string {
	if c.Channel == "" {
		return "log"
	}
	return c.Channel
}

// Deliver implements frontline.Channel. An SMS that could not go out (the
// recipient is not a mobile number) fails as through a gateway; its
// number is masked, since a log is kept longer than personal data may be.
func (c LogChannel) Deliver(ctx context.Context, n *frontline.Notice) error {
	log := c.Log
	if log == nil {
		log = slog.Default()
	}
	to := n.Recipient
	if c.Name() == frontline.SMSChannel {
		phone, ok := frontline.MobilePhone(n.Recipient)
		if !ok {
			return &PermanentError{fmt.Errorf("%q is not a mobile number", frontline.MaskPhone(n.Recipient))}
		}
		to = frontline.MaskPhone(phone)
		if n.Attempts == 0 && slices.Contains(c.Busy, phone) {
			log.WarnContext(ctx, "notice", "id", n.ID, "channel", c.Name(), "topic", n.Topic, "to", to, "err", "busy")
			return fmt.Errorf("%s is busy (用户忙); try again later", to)
		}
	}
	log.InfoContext(ctx, "notice", "id", n.ID, "channel", c.Name(), "topic", n.Topic, "to", to, "subject", n.Subject, "body", n.Body)
	return nil
}

// WebhookChannel posts each notice as JSON to a URL, e.g. a bridge to the
// community's group chats. Any 2xx answer delivers it.
type WebhookChannel struct {
	URL    string
	Client *http.Client
}

// Name implements frontline.Channel.
func (WebhookChannel) Name() string { return "webhook" }

// webhookBody is what the webhook receives.
type webhookBody struct {
	ID        int64  `json:"id"`
	Topic     string `json:"topic"`
	Recipient string `json:"recipient"`
	PlaceID   int64  `json:"place_id,omitempty"`
	RoundID   int64  `json:"round_id,omitempty"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
}

// Deliver implements frontline.Channel. The notice id travels in the body
// and in Idempotency-Key, since a notice whose answer was lost is sent
// again.
func (c WebhookChannel) Deliver(ctx context.Context, n *frontline.Notice) error {
	b, err := json.Marshal(webhookBody{ID: n.ID, Topic: n.Topic, Recipient: n.Recipient, PlaceID: n.PlaceID,
		RoundID: n.RoundID, Subject: n.Subject, Body: n.Body})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, _, err := send(c.Client, req, n.ID)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// send sends a notice's request with the Idempotency-Key every retry of
// the notice repeats (a receiver that took the first try drops the
// others), and returns the answer with the start of its body, read and
// closed.
func send(client *http.Client, req *http.Request, id int64) (*http.Response, []byte, error) {
	req.Header.Set("Idempotency-Key", fmt.Sprintf("frontline-notice-%d", id))
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp, body, err
}
