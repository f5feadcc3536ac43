package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/frontline-org/frontline"
)

// registerNotices is the API of the numbers that want no notices.
func (s *Server) registerNotices() {
	if s.NoticeOptOuts == nil {
		return
	}
	read, edit := Needs(frontline.PermReadRegistry), Needs(frontline.PermEditRegistry)
	s.route("POST /api/v1/notice-opt-outs", edit, s.apiOptOut)
	s.route("POST /api/v1/notice-opt-outs/remove", edit, s.apiOptIn)
	s.route("POST /api/v1/notice-opt-outs/check", read, s.apiOptedOut)
	s.route("POST /api/v1/notice-replies", edit, s.apiNoticeReply)
	s.route("POST /persons/{id}/notices", edit, s.postPersonNotices)
}

// noticeState is a person's number on the person page: whether it takes
// notices to residents.
type noticeState struct{ OptedOut bool }

// noticeState reads whether p's mobile number opted out; nil when p has
// no mobile number or the server keeps no opt-outs.
func (s *Server) noticeState(ctx context.Context, p *frontline.Person) (*noticeState, error) {
	if s.NoticeOptOuts == nil {
		return nil, nil
	}
	if _, ok := frontline.MobilePhone(p.Phone); !ok {
		return nil, nil
	}
	out, err := s.NoticeOptOuts.OptedOut(ctx, p.Phone)
	if err != nil {
		return nil, err
	}
	return &noticeState{OptedOut: out}, nil
}

// postPersonNotices records, from the person page, that the person's
// number wants no more notices (opt=out) or takes them again (opt=in): a
// resident asks their grid worker, who needs never see the number.
func (s *Server) postPersonNotices(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return frontline.Errorf(frontline.EINVALID, "cannot read the form")
	}
	ctx := r.Context()
	p, err := s.Persons.FindPersonByID(ctx, id)
	if err != nil {
		return err
	}
	switch r.PostForm.Get("opt") {
	case "out":
		_, err = s.NoticeOptOuts.OptOut(ctx, p.Phone, r.PostForm.Get("reason"))
	case "in":
		err = s.NoticeOptOuts.OptIn(ctx, p.Phone)
		if frontline.ErrorCode(err) == frontline.ENOTFOUND && frontline.ErrorField(err) == "phone" {
			err = nil // already taking notices: a form sent twice
		}
	default:
		return frontline.FieldError("opt", "say out or in")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/persons/%d", id))
}

// optOutInput is the body of the opt-out routes. The number travels in
// the body, never in a URL that logs keep.
type optOutInput struct {
	Phone  string `json:"phone"`
	Reason string `json:"reason,omitempty"`
}

// optOutResponse answers an opt-out: how many notices not yet sent to
// the number were withdrawn.
type optOutResponse struct {
	Phone     string `json:"phone"` // masked
	OptedOut  bool   `json:"opted_out"`
	Withdrawn int    `json:"withdrawn"`
}

// apiOptOut records that a resident's mobile number wants no more
// notices, withdrawing those not yet sent.
func (s *Server) apiOptOut(w http.ResponseWriter, r *http.Request) error {
	var in optOutInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.NoticeOptOuts.OptOut(r.Context(), in.Phone, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, optOutResponse{Phone: frontline.MaskPhone(in.Phone), OptedOut: true, Withdrawn: n})
}

// apiOptIn removes an opt-out: the number receives notices again.
func (s *Server) apiOptIn(w http.ResponseWriter, r *http.Request) error {
	var in optOutInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.NoticeOptOuts.OptIn(r.Context(), in.Phone); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, optOutResponse{Phone: frontline.MaskPhone(in.Phone)})
}

// apiOptedOut says whether a resident's number opted out.
func (s *Server) apiOptedOut(w http.ResponseWriter, r *http.Request) error {
	var in optOutInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, err := s.NoticeOptOuts.OptedOut(r.Context(), in.Phone)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, optOutResponse{Phone: frontline.MaskPhone(in.Phone), OptedOut: out})
}

// noticeReplyInput is a resident's SMS reply, passed on by the gateway's
// bridge (a device token with registry.edit over the numbers it serves).
type noticeReplyInput struct {
	Phone string `json:"phone"`
	Text  string `json:"text"`
}

// noticeReplyResponse says what a reply did: opt_out or opt_in recorded,
// or other (nothing).
type noticeReplyResponse struct {
	Phone     string                 `json:"phone"` // masked
	Kind      frontline.SMSReplyKind `json:"kind"`
	OptedOut  bool                   `json:"opted_out"`
	Withdrawn int                    `json:"withdrawn"`
}

// apiNoticeReply takes a resident's reply to a notice: "TD" (退订, and the
// other words of frontline.ParseSMSReply) opts the number out, withdrawing
// what was not yet sent; "订阅" takes notices again; any other text changes
// nothing. A reply sent twice acts once.
func (s *Server) apiNoticeReply(w http.ResponseWriter, r *http.Request) error {
	var in noticeReplyInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := frontline.CheckText("text", in.Text); err != nil {
		return err
	}
	if len([]rune(in.Text)) > 500 {
		return frontline.FieldError("text", "a reply has at most 500 characters")
	}
	ctx := r.Context()
	out := noticeReplyResponse{Phone: frontline.MaskPhone(in.Phone), Kind: frontline.ParseSMSReply(in.Text)}
	var err error
	switch out.Kind {
	case frontline.SMSReplyOptOut:
		out.Withdrawn, err = s.NoticeOptOuts.OptOut(ctx, in.Phone, "短信回复 "+strings.TrimSpace(in.Text))
	case frontline.SMSReplyOptIn:
		err = s.NoticeOptOuts.OptIn(ctx, in.Phone)
		if frontline.ErrorCode(err) == frontline.ENOTFOUND && frontline.ErrorField(err) == "phone" {
			err = nil // taking notices already
		}
	}
	if err != nil {
		return err
	}
	if out.Kind == frontline.SMSReplyOther {
		// Still say whether the number takes notices, so the bridge can
		// answer the resident; a number outside the scope is not found.
		out.OptedOut, err = s.NoticeOptOuts.OptedOut(ctx, in.Phone)
	} else {
		out.OptedOut = out.Kind == frontline.SMSReplyOptOut
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}
