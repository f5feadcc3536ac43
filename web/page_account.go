package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/frontline-org/frontline"
)

// accountPage shows the signed-in person their account, lets them change
// their password and sign out here or everywhere.
type accountPage struct {
	layout
	Account      userRow
	PasswordForm form
	// Done is the message id of what the last post did, shown once.
	Done string
}

// passwordFields are the fields of the form that changes one's own
// password. The passwords are never sent back into the form.
func passwordFields() []string {
	return []string{"current_password", "password", "password_repeat"}
}

// accountDone names the notices the account page shows after a post.
func accountDone(s string) string {
	if s == "password" {
		return "account.done.password"
	}
	return ""
}

func (s *Server) pageAccount(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, newForm())
}

// renderAccount shows the account page with pw as the password form.
func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, pw form) error {
	lang := pickLang(w, r)
	p := callerFrom(r.Context()).principal
	if p.UserID == 0 {
		return frontline.Errorf(frontline.EFORBIDDEN, "a device token has no account page")
	}
	u, err := s.Users.FindUserByID(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "account.title")
	if err != nil {
		return err
	}
	return s.render(w, status, pageAccountName, accountPage{layout: s.layout(r, lang, title), Account: newUserRow(u),
		PasswordForm: pw, Done: accountDone(r.URL.Query().Get("done"))})
}

// postAccountPassword changes the signed-in person's own password. The
// new one is typed twice, since nobody can read it back; the service
// checks the current one and ends the person's other sessions.
func (s *Server) postAccountPassword(w http.ResponseWriter, r *http.Request) error {
	pw, err := readForm(r, nil)
	if err != nil {
		return err
	}
	// Passwords are taken as typed: spaces may be part of them.
	current, password := r.PostForm.Get("current_password"), r.PostForm.Get("password")
	if password != r.PostForm.Get("password_repeat") {
		pw.Errors["password_repeat"] = "form.invalid.password_repeat"
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, pw)
	}
	err = s.Users.ChangePassword(r.Context(), current, password)
	if err != nil {
		s.slowGuess(r.Context(), err)
		if err := s.formError(pw, err, passwordFields()); err != nil {
			return err
		}
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, pw)
	}
	return redirect(w, r, "/account?done=password")
}

// passwordInput is the body of POST /api/v1/me/password.
type passwordInput struct {
	CurrentPassword string `json:"current_password"`
	Password        string `json:"password"`
}

// apiChangePassword changes the caller's own password and answers 204.
// The session that sent it stays signed in; the caller's other sessions
// end.
func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) error {
	var in passwordInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Users.ChangePassword(r.Context(), in.CurrentPassword, in.Password); err != nil {
		s.slowGuess(r.Context(), err)
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// slowGuess waits as long as a refused sign-in when err refuses a current
// password: a guess made through the account page or the API must cost
// what it costs at the sign-in form.
func (s *Server) slowGuess(ctx context.Context, err error) {
	if errors.Is(err, frontline.ErrWrongPassword) || errors.Is(err, frontline.ErrLocked) {
		sleep(ctx, s.LoginDelay())
	}
}
