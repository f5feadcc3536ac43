package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/frontline-org/frontline"
)

// A household's link: a household has no account, and the secret in its
// link (?t= on a page, t in a form; the query, never the path, which the
// request log records) is its only credential. Its pages — ordering with
// the medicine part (/order), urgent help (/order/help) — are public,
// limited per address, and share the handling here: the layout that keeps
// the secret in the language links, the household as the actor of what it
// does, and the answer to a form it posts.

// linkLayout is the layout of a household's page at path titled titleID;
// its own address (for the language links) carries token when there is
// one.
func (s *Server) linkLayout(w http.ResponseWriter, r *http.Request, titleID, path, token string) (layout, error) {
	w.Header().Set("Referrer-Policy", "same-origin")
	lang := pickLang(w, r)
	title, err := s.text(lang, titleID)
	l := s.layout(r, lang, title)
	l.Path = path
	if token != "" {
		l.Path += "?" + url.Values{"t": {token}}.Encode()
	}
	return l, err
}

// householdContext is the context of what a household does through its
// link: the household, at the client's address, is the actor the audit
// log names; the service finds the household (its scope) from the secret.
func (s *Server) householdContext(r *http.Request) context.Context {
	return frontline.WithActor(r.Context(), frontline.Actor{Name: "household", Addr: s.clientAddr(r)})
}

// linkGone reports whether err says the link itself no longer works
// (ENOTFOUND on no field), rather than something it names.
func linkGone(err error) bool {
	return frontline.ErrorCode(err) == frontline.ENOTFOUND && frontline.ErrorField(err) == ""
}

// postByLink answers a form a household posts through its link: f and err
// are the form as read (an EINVALID err is shown on it, the call is not
// made), act does what the form asks with the token, and render shows
// the household's page again — with what was made (200), as a link that
// no longer works (no token, 404), or with the form, what was typed and
// the refusal that refused puts on it (400). An error refused does not
// place on the form is returned.
func postByLink[T any](s *Server, w http.ResponseWriter, r *http.Request, f form, err error,
	act func(ctx context.Context, token string) (T, error),
	refused func(form, error) error,
	render func(w http.ResponseWriter, r *http.Request, token string, made T, f form, status int) error) error {
	if err != nil && frontline.ErrorCode(err) != frontline.EINVALID {
		return err
	}
	token := r.PostFormValue("t")
	var made, none T
	if err == nil {
		made, err = act(s.householdContext(r), token)
	}
	switch {
	case err == nil:
		return render(w, r, token, made, newForm(), http.StatusOK)
	case linkGone(err):
		return render(w, r, "", none, newForm(), http.StatusNotFound)
	}
	if err := refused(f, err); err != nil {
		return err
	}
	return render(w, r, token, none, f, http.StatusBadRequest)
}
