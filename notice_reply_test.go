package frontline_test

import (
	"testing"

	"github.com/frontline-org/frontline"
)

// TestNotice_ParseSMSReply reads replies as residents type them: the
// carrier's word in any case or width, with punctuation, and in Chinese;
// a sentence that merely contains the word is no wish.
func TestNotice_ParseSMSReply(t *testing.T) {
	for text, want := range map[string]frontline.SMSReplyKind{
		"TD": frontline.SMSReplyOptOut, " td ": frontline.SMSReplyOptOut, "ＴＤ": frontline.SMSReplyOptOut,
		"T。": frontline.SMSReplyOptOut, "退订": frontline.SMSReplyOptOut, "退订！": frontline.SMSReplyOptOut,
		"r": frontline.SMSReplyOptOut, "不要再发": frontline.SMSReplyOptOut,
		"订阅": frontline.SMSReplyOptIn, "恢复接收": frontline.SMSReplyOptIn,
		"谢谢": frontline.SMSReplyOther, "我家TD什么时候到": frontline.SMSReplyOther, "": frontline.SMSReplyOther,
		"TDD": frontline.SMSReplyOther,
	} {
		if got := frontline.ParseSMSReply(text); got != want {
			t.Errorf("ParseSMSReply(%q) = %s, want %s", text, got, want)
		}
	}
}
