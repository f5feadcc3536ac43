package frontline

import "time"

// HoldReason says why a result waits for a person's decision instead of
// reaching the persons in its tube.
type HoldReason string

// Reasons a result is held. A lab can only test a tube it has: a result
// for one it never received, or that was missing from its bag, is most
// likely a mistyped code that happens to name another tube, and posting it
// would tell the wrong residents they are negative or positive.
const (
	HoldNotReceived    HoldReason = "not_received"     // the lab never recorded receiving the tube
	HoldMissingFromBag HoldReason = "missing_from_bag" // its bag arrived at the lab without it
)

// HoldReasons lists every reason, for pages that translate them.
var HoldReasons = []HoldReason{HoldNotReceived, HoldMissingFromBag}

// HoldDecision is what a person decided about a held result.
type HoldDecision string

// Decisions on a held result; "" while it waits.
const (
	// HoldAccepted: the tube is at the lab after all. It is recorded as
	// received by the person deciding, and the result reaches its persons.
	HoldAccepted HoldDecision = "accepted"
	// HoldRejected: the result is not this tube's and is dropped; the
	// tube waits for its own result.
	HoldRejected HoldDecision = "rejected"
)

// ResultHold says why a result for tube t must wait for a decision, or ""
// when it may be recorded. bagReceived tells whether the tube's bag (when
// it is in one) was received at the lab. A home team's single tube is
// never bagged (it goes to the lab on its own, and no count of it is
// kept), so only pooled tubes, which travel in counted bags, are held.
func ResultHold(t *Tube, bagReceived bool) HoldReason {
	switch {
	case t.Retest:
		return ""
	case t.State == TubeSealed:
		return HoldNotReceived
	case t.State == TubeBagged && bagReceived:
		return HoldMissingFromBag
	case t.State == TubeBagged:
		return HoldNotReceived
	}
	return ""
}

// HeldResult is a result posted for a tube the lab had not received,
// waiting for a named person to accept or reject it.
type HeldResult struct {
	ID       int64      `json:"id"`
	RoundID  int64      `json:"round_id"`
	TubeCode string     `json:"tube"`
	Result   TubeResult `json:"result"`
	Reason   HoldReason `json:"reason"`
	// BagCode is the tube's bag, when it was packed in one.
	BagCode   string       `json:"bag,omitempty"`
	PostedAt  time.Time    `json:"posted_at"`
	PostedBy  string       `json:"posted_by"`
	Decision  HoldDecision `json:"decision,omitempty"`
	DecidedAt time.Time    `json:"decided_at,omitzero"`
	DecidedBy string       `json:"decided_by,omitempty"`
}

// LabWork is what waits at the lab in one round: bags sent and not yet
// received, tubes received and not yet resulted, results held for a
// decision. It is the lab's list of things to do.
type LabWork struct {
	RoundID       int64  `json:"round_id"`
	Round         string `json:"round"`
	BagsToReceive int    `json:"bags_to_receive"`
	TubesToResult int    `json:"tubes_to_result"`
	Held          int    `json:"held"`
}
