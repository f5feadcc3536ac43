package frontline

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
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
	TopicMedicine     = "medicine"      // your medicine was delivered
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

// MaskName hides a resident's name in a notice that a shared household
// phone may show: 张小明 → 张*明, 李梅 → 李*.
func MaskName(name string) string {
	r := []rune(name)
	switch {
	case len(r) <= 1:
		return name
	case len(r) == 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// ResultNoticeText tells a resident (or their household) a negative
// result of a round. A positive is never sent by SMS: the case workflow
// calls the person.
func ResultNoticeText(round, name string) string {
	return fmt.Sprintf("%s：%s的核酸检测结果为阴性。", round, MaskName(name))
}

// IsolationEndText tells a resident their measure has ended.
func IsolationEndText(t MeasureType, name, day string) string {
	label := MeasureLabels[t]
	if label == "" {
		label = string(t)
	}
	return fmt.Sprintf("%s的%s已于%s结束，感谢您的配合。", MaskName(name), label, day)
}

// DeliveryStage names where an order is for a delivery notice's template:
// "gate" (drop ""), "door" or "front".
func DeliveryStage(d Drop) string {
	if d == "" {
		return "gate"
	}
	return string(d)
}

// DeliveryNoticeText tells a household where its order from a partner
// is: at the compound's gate (drop ""), at its door, or at the front of
// its building.
func DeliveryNoticeText(partner string, d Drop) string {
	switch d {
	case DropDoor:
		return fmt.Sprintf("您在%s的订单已送到家门口，请及时取回。", partner)
	case DropFront:
		return fmt.Sprintf("您在%s的订单已送到楼栋前，请及时下楼取回。", partner)
	}
	return fmt.Sprintf("您在%s的订单已送到小区门口，将按楼栋送达，请留意。", partner)
}

// MedicineNoticeText tells a household that the medicine it asked a
// pharmacy for was delivered. It names the pharmacy, never the medicine:
// a household's phone is shared, and what a resident takes is theirs to
// tell.
func MedicineNoticeText(pharmacy string) string {
	return fmt.Sprintf("您向%s申请的药品已送达，请及时取用。", pharmacy)
}

// SMSReplyKind is what a resident's reply to a notice asks for.
type SMSReplyKind string

// Kinds of replies. Carriers' notices end in "回TD退订" or "拒收请回复R";
// residents answer with that word, in either case, often with punctuation
// or a word more.
const (
	SMSReplyOptOut SMSReplyKind = "opt_out" // TD, T, N, R, 退订, 拒收, 取消, 不要再发
	SMSReplyOptIn  SMSReplyKind = "opt_in"  // 订阅, 恢复, 接收
	SMSReplyOther  SMSReplyKind = "other"   // anything else (a question, a thank-you): no wish taken
)

// smsReplyWords are the whole replies (after trimming spaces and
// punctuation, upper-cased) that carry a wish. A longer text that merely
// contains one of them ("我不要TD的东西") is not taken as one: an opt-out
// must be what the resident said, not a guess.
var smsReplyWords = map[string]SMSReplyKind{
	"TD": SMSReplyOptOut, "T": SMSReplyOptOut, "N": SMSReplyOptOut, "R": SMSReplyOptOut,
	"0000": SMSReplyOptOut, "STOP": SMSReplyOptOut, "UNSUBSCRIBE": SMSReplyOptOut,
	"退订": SMSReplyOptOut, "拒收": SMSReplyOptOut, "取消": SMSReplyOptOut, "退": SMSReplyOptOut,
	"取消订阅": SMSReplyOptOut, "不要再发": SMSReplyOptOut, "别再发了": SMSReplyOptOut,
	"订阅": SMSReplyOptIn, "恢复": SMSReplyOptIn, "接收": SMSReplyOptIn, "恢复接收": SMSReplyOptIn,
	"START": SMSReplyOptIn,
}

// ParseSMSReply reads a resident's reply to a notice. Full-width letters
// and digits count as their ASCII forms (a phone's Chinese keyboard types
// "ＴＤ"), spaces and punctuation around the word are ignored.
func ParseSMSReply(text string) SMSReplyKind {
	var b strings.Builder
	for _, r := range text {
		if r >= '！' && r <= '～' { // full-width ASCII
			r -= '！' - '!'
		}
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	if k, ok := smsReplyWords[b.String()]; ok {
		return k
	}
	return SMSReplyOther
}
