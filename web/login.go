package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// loginPage is the sign-in form. Error is the message id of a refused
// sign-in, shown next to the form; Until is the end of a lock it names.
type loginPage struct {
	layout
	Next  string
	Login string
	Error string
	Until string
}

func (s *Server) pageLogin(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	return s.renderLogin(w, r, http.StatusOK, lang, loginPage{Next: localPath(r.URL.Query().Get("next"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, lang string, page loginPage) error {
	title, err := s.text(lang, "login.title")
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	page.layout.Path = "/login?next=" + page.Next
	return s.render(w, status, pageLoginName, page)
}

// postLogin signs a person in and sends them back to the page they asked
// for. A refusal is slowed down by LoginDelay and says the same for an
// unknown login as for a wrong password.
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) error {
	lang := langOf(r)
	f, err := readForm(r, []string{"login", "next"})
	if err != nil {
		return err
	}
	next := localPath(f.Values["next"])
	// The password is taken as typed: spaces may be part of it.
	password := r.PostForm.Get("password")
	u, secret, err := s.Users.Login(r.Context(), f.Values["login"], password, s.clientAddr(r), r.UserAgent())
	switch frontline.ErrorCode(err) {
	case "":
	case frontline.EUNAUTHORIZED:
		sleep(r.Context(), s.LoginDelay())
		page := loginPage{Next: next, Login: f.Values["login"], Error: loginRefusal(err)}
		var lock *frontline.LockError
		if errors.As(err, &lock) {
			page.Until = s.formatTime(lang, frontline.LockEndMinute(lock.Until))
		}
		return s.renderLogin(w, r, http.StatusUnauthorized, lang, page)
	case frontline.EUNAVAILABLE:
		// Too many sign-ins at once, or the database is out: the form
		// comes back as typed, to be sent again in a moment.
		retryLater(w)
		page := loginPage{Next: next, Login: f.Values["login"], Error: "login.busy"}
		return s.renderLogin(w, r, http.StatusServiceUnavailable, lang, page)
	default:
		return err
	}
	s.setSessionCookie(w, secret)
	if l, ok := parseLang(u.Language); ok {
		setLangCookie(w, l)
	}
	return redirect(w, r, next)
}

// loginRefusal names the message of a refused sign-in. The store answers
// EUNAUTHORIZED to all of them and tells a lock and a disabled account
// apart by the reason it wraps; its English words are for logs and may
// change.
func loginRefusal(err error) string {
	switch {
	case errors.As(err, new(*frontline.LockError)):
		return "login.locked_until"
	case errors.Is(err, frontline.ErrLocked):
		return "login.locked"
	case errors.Is(err, frontline.ErrDisabled):
		return "login.disabled"
	}
	return "login.failed"
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// postLogout ends the session of this browser.
func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Users.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearSessionCookie(w)
	return redirect(w, r, "/login")
}

// postLogoutAll ends every session of the signed-in person: the answer to
// a phone left behind or a password seen over a shoulder.
func (s *Server) postLogoutAll(w http.ResponseWriter, r *http.Request) error {
	p := callerFrom(r.Context()).principal
	if p.UserID == 0 {
		return frontline.Errorf(frontline.EFORBIDDEN, "a device token has no sessions")
	}
	if err := s.Users.LogoutAll(r.Context(), p.UserID); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	return redirect(w, r, "/login")
}

// postLang switches the language: a cookie for this browser and, for a
// signed-in person, their account, so every device they sign in on
// follows.
func (s *Server) postLang(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"lang", "next"})
	if err != nil {
		return err
	}
	lang, ok := parseLang(f.Values["lang"])
	if !ok {
		return frontline.FieldError("lang", "the language must be zh-CN or en")
	}
	if c := callerFrom(r.Context()); c != nil && c.principal.UserID != 0 {
		if _, err := s.Users.UpdateUser(r.Context(), c.principal.UserID, frontline.UserUpdate{Language: &lang}); err != nil {
			return err
		}
	}
	setLangCookie(w, lang)
	return redirect(w, r, localPath(f.Values["next"]))
}

// meResponse is the body of GET /api/v1/me: who the API takes the caller
// for, so a device can check its token.
type meResponse struct {
	Login       string                 `json:"login"`
	Role        frontline.Role         `json:"role"`
	ScopeID     int64                  `json:"scope_id"`
	Token       bool                   `json:"token"`
	Permissions []frontline.Permission `json:"permissions"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	c := callerFrom(r.Context())
	p := c.principal
	return writeJSON(w, http.StatusOK, meResponse{Login: p.Login, Role: p.Role, ScopeID: p.ScopeID,
		Token: c.viaToken, Permissions: p.Role.Permissions()})
}
