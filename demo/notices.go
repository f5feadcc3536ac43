package demo

import (
	"context"
	"fmt"

	"github.com/frontline-org/frontline"
)

// NoticeServices are what Notices writes through.
type NoticeServices struct {
	Outbox  frontline.OutboxService
	OptOuts frontline.NoticeOptOutService
}

// NoticesScene says what Notices did.
type NoticesScene struct {
	// OptedOut is the number (masked) that replied TD; Withdrawn how many
	// of its notices not yet sent were withdrawn.
	OptedOut  string
	Withdrawn int
}

// NoticeReply is the demo resident's reply to a call-up.
const NoticeReply = "TD"

// Notices has one household called down by the round's SMS call-ups
// reply TD, as its gateway's bridge would pass the reply on: the number
// opts out, its notices not yet sent are withdrawn, and no later notice
// is written to it. The round's call-ups must be on the "sms" channel
// (TestingServices.Channels) and not sent yet; without them Notices does
// nothing.
func Notices(ctx context.Context, s NoticeServices, roundID int64) (*NoticesScene, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	pending := frontline.NoticePending
	list, _, err := s.Outbox.FindNotices(ctx, frontline.NoticeFilter{Status: &pending, RoundID: &roundID, Limit: 500})
	if err != nil {
		return nil, fmt.Errorf("demo notices: %w", err)
	}
	scene := &NoticesScene{}
	for i := len(list) - 1; i >= 0; i-- { // the oldest: the first household called
		n := list[i]
		if n.Channel != frontline.SMSChannel || n.Topic != frontline.TopicCallUp {
			continue
		}
		if frontline.ParseSMSReply(NoticeReply) != frontline.SMSReplyOptOut {
			return nil, fmt.Errorf("demo notices: %q is not read as an opt-out", NoticeReply)
		}
		scene.Withdrawn, err = s.OptOuts.OptOut(ctx, n.Recipient, "短信回复 "+NoticeReply)
		if err != nil {
			return nil, fmt.Errorf("demo notices: opt out: %w", err)
		}
		scene.OptedOut = frontline.MaskPhone(n.Recipient)
		break
	}
	return scene, nil
}
