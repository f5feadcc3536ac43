package frontline

import (
	"context"
	"time"
)

// IsMobile reports whether a phone number, as NormalizePhone writes it,
// is a mainland mobile number: the only kind an SMS reaches.
func IsMobile(phone string) bool {
	if len(phone) != 11 || phone[0] != '1' || phone[1] < '3' {
		return false
	}
	for _, r := range phone {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Resident notice topics: what a workflow tells residents. Each is a
// notice topic in the outbox, and an SMS provider's template id is keyed
// by it.
const (
	TopicCallUp       = "callup"        // come down for sampling (per household of the building)
	TopicResult       = "result"        // your test result is negative
	TopicIsolationEnd = "isolation_end" // your home isolation or health monitoring has ended
	TopicDelivery     = "delivery"      // your delivery is at the gate
)

// SMSChannel is the channel whose notices go to one mobile number each.
const SMSChannel = "sms"

// NoticeOptOut is a phone number that asked to receive no more notices
// (a resident's "退订", recorded by staff or by the gateway's bridge).
type NoticeOptOut struct {
	Phone     string    `json:"phone"` // masked when listed
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// NoticeOptOutService records opt-outs. The notices to residents skip an
// opted-out number when they are written, and recording an opt-out
// withdraws the notices to it not yet sent.
type NoticeOptOutService interface {
	// OptOut records that phone wants no more notices (PermEditRegistry;
	// a resident of the caller's scope must have the number, else
	// ENOTFOUND; EINVALID for a number that is not a mobile number).
	// Recording it again changes nothing. It returns how many pending
	// notices were withdrawn.
	OptOut(ctx context.Context, phone, reason string) (int, error)
	// OptIn removes an opt-out (same rules); ENOTFOUND when there is none.
	OptIn(ctx context.Context, phone string) error
	// OptedOut reports whether phone opted out (PermReadRegistry, same
	// scope rule).
	OptedOut(ctx context.Context, phone string) (bool, error)
}

// MobilePhone normalizes phone and reports whether it is a mobile number.
func MobilePhone(phone string) (string, bool) {
	p, err := NormalizePhone(phone)
	if err != nil || !IsMobile(p) {
		return "", false
	}
	return p, true
}
