package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// formTokenField is the hidden field that makes a form's sendings one: the
// pages put {{template "once"}} into every form that makes something, and
// once acts on each token a single time.
const formTokenField = "form_token"

// newFormToken returns a fresh token for one rendering of a form: 16
// random bytes, URL-safe.
func newFormToken() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand's promise since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// onceWait bounds how long a second sending of a form waits for the first
// (a double tap) to be answered, and oncePoll how often it looks.
const (
	onceWait = 5 * time.Second
	oncePoll = 100 * time.Millisecond
)

// once wraps the handler of a page's POST: a form that carries a token is
// acted on once. The first sending claims the token; when its answer is
// a redirect (the form was acted on), the token remembers where it led,
// and a later sending of the same form (going back and sending it again)
// is led there too. A sending that arrives while the first is still
// being acted on (a double tap) waits for it. A refused form (the page
// comes back with an error) gives its token up, so the corrected form
// may be sent. Forms without a token, and servers without Forms, are
// passed on as they are.
func (s *Server) once(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.Forms == nil || !isForm(r) {
			return h(w, r)
		}
		token := r.PostFormValue(formTokenField)
		if token == "" {
			return h(w, r)
		}
		claim, err := s.claimForm(r, token)
		if err != nil {
			return err
		}
		switch claim.State {
		case frontline.FormDone:
			if claim.Location == "" {
				return frontline.Errorf(frontline.ECONFLICT, "this form was already sent")
			}
			return redirect(w, r, claim.Location)
		case frontline.FormPending:
			return frontline.Errorf(frontline.ECONFLICT, "this form was sent before and its answer was lost; check whether it was saved before sending it again")
		}
		rec := record(w)
		err = h(rec, r)
		// The outcome is recorded even if the browser has gone: the form
		// was acted on either way.
		ctx := context.WithoutCancel(r.Context())
		if loc := rec.Header().Get("Location"); err == nil && rec.status >= 300 && rec.status < 400 && loc != "" {
			if cerr := s.Forms.CompleteForm(ctx, token, loc); cerr != nil {
				s.Logger.WarnContext(ctx, "record a sent form", "err", cerr)
			}
			return nil
		}
		if rerr := s.Forms.ReleaseForm(ctx, token); rerr != nil {
			s.Logger.WarnContext(ctx, "release a refused form", "err", rerr)
		}
		return err
	}
}

// claimForm claims a form's token, waiting up to onceWait while another
// sending of it is being acted on.
func (s *Server) claimForm(r *http.Request, token string) (frontline.FormClaim, error) {
	deadline := time.Now().Add(onceWait)
	for {
		claim, err := s.Forms.ClaimForm(r.Context(), token)
		if err != nil || claim.State != frontline.FormPending || time.Now().After(deadline) {
			return claim, err
		}
		sleep(r.Context(), oncePoll)
		if r.Context().Err() != nil {
			return claim, r.Context().Err()
		}
	}
}
