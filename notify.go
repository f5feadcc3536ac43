package frontline

import (
	"context"
	"time"
)

// NoticeStatus is where a notice in the outbox is.
type NoticeStatus string

// Notice statuses. A notice that keeps failing ends on the dead-letter
// list, where staff see it and may send it again.
const (
	NoticePending   NoticeStatus = "pending"
	NoticeDelivered NoticeStatus = "delivered"
	NoticeDead      NoticeStatus = "dead"
	// NoticeCancelled is a call-up withdrawn before it went out: its slot
	// was moved or removed when the plan was saved again.
	NoticeCancelled NoticeStatus = "cancelled"
)

// Notice is a message to deliver through a channel, written to the outbox
// in the same transaction as the change it announces, so a change is
// never announced without being made nor made without being announced.
type Notice struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`   // "log", "webhook", "sms"
	Topic     string `json:"topic"`     // "callup", ...
	Recipient string `json:"recipient"` // what the channel addresses: a building, a phone
	PlaceID   int64  `json:"place_id,omitempty"`
	RoundID   int64  `json:"round_id,omitempty"`
	Subject   string `json:"subject"`
	Body      string `json:"body"`
	// Params are the notice's named values (a time, a place), for SMS
	// providers that send approved templates with parameters.
	Params map[string]string `json:"params,omitempty"`

	Status        NoticeStatus `json:"status"`
	Attempts      int          `json:"attempts"`
	NextAttemptAt time.Time    `json:"next_attempt_at"`
	LastError     string       `json:"last_error,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	DeliveredAt   time.Time    `json:"delivered_at,omitzero"`
	// Place names what the notice is about, as FindNotices reads it: a
	// household or building by its address below its community
	// ("枣园小区/3号楼/1单元/301"), a wider place by its name.
	Place string `json:"place,omitempty"`

	// Lease is when the claim of the worker that holds the notice runs
	// out, as ClaimNotices wrote it. It identifies the claim: the outcome
	// of a delivery is recorded only while the same claim still holds, so
	// a worker whose lease ran out (and another claimed the notice) cannot
	// overwrite what the other recorded.
	Lease time.Time `json:"-"`
}

// Channel delivers notices of one kind. A webhook and a log channel exist;
// an SMS gateway is another implementation of the same interface.
type Channel interface {
	// Name is the channel's name in notices ("webhook").
	Name() string
	// Deliver sends one notice. An error means it may be tried again.
	Deliver(ctx context.Context, n *Notice) error
}

// RetryPolicy says when a failed notice is tried again: after Base, then
// doubling up to Max, and dead after Attempts tries.
type RetryPolicy struct {
	Base     time.Duration
	Max      time.Duration
	Attempts int
}

// DefaultRetryPolicy tries 8 times over about two hours.
var DefaultRetryPolicy = RetryPolicy{Base: 30 * time.Second, Max: time.Hour, Attempts: 8}

// Next returns when to try again after the attempts-th failed attempt
// (1-based), or dead when no attempt is left.
func (p RetryPolicy) Next(attempts int, now time.Time) (next time.Time, dead bool) {
	if attempts >= p.Attempts {
		return time.Time{}, true
	}
	d := p.Base
	for i := 1; i < attempts && d < p.Max; i++ {
		d *= 2
	}
	return now.Add(min(d, p.Max)), false
}

// NoticeFilter selects notices. Zero fields do not filter.
type NoticeFilter struct {
	Status  *NoticeStatus
	RoundID *int64
	Topic   *string
	// From and To bound when notices were written: From <= created < To.
	From, To time.Time
	Offset   int
	Limit    int
}

// OutboxService stores notices for the delivery worker. Several servers
// may run workers on one database: a claimed notice is leased to one.
type OutboxService interface {
	// ClaimNotices leases up to n due notices for lease, so no other
	// worker takes them meanwhile; each comes with its Lease set.
	ClaimNotices(ctx context.Context, n int, lease time.Duration) ([]*Notice, error)
	// NoticeDelivered marks a claimed notice delivered. It is ECONFLICT
	// when the claim no longer holds: the lease ran out and another worker
	// claimed the notice, or it is no longer pending.
	NoticeDelivered(ctx context.Context, n *Notice) error
	// NoticeFailed records a failed attempt of a claimed notice and when
	// to try again, or moves it to the dead-letter list when dead; ECONFLICT
	// as NoticeDelivered.
	NoticeFailed(ctx context.Context, n *Notice, reason string, next time.Time, dead bool) error
	// FindNotices lists notices, newest first (PermManageRounds); a
	// principal sees the numbers of SMS notices masked.
	FindNotices(ctx context.Context, f NoticeFilter) ([]*Notice, int, error)
	// CountNotices counts the notices of f in each status (f.Status is
	// not applied), with FindNotices' permission and scope.
	CountNotices(ctx context.Context, f NoticeFilter) (map[NoticeStatus]int, error)
	// RequeueNotice sends a dead notice again (PermManageRounds). A notice
	// about no place is requeued by those whose scope holds its round's
	// scope, or by the root's staff when it has no round either.
	RequeueNotice(ctx context.Context, id int64) error
}
