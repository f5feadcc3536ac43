package web

import (
	"net/http"

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
