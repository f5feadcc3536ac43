package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// tokenRow is a device token as the tokens page lists it; its secret is
// never stored, so it cannot be shown again.
type tokenRow struct {
	ID        int64
	Name      string
	Role      frontline.Role
	Scope     string
	CreatedAt time.Time
	CreatedBy string
	LastUsed  time.Time
	RevokedAt time.Time
}

// tokensPage lists the device tokens under the caller's scope, with the
// form that makes a new one.
type tokensPage struct {
	layout
	Tokens []tokenRow
	Form   form
	Roles  []option
	Scopes []option
}

// tokenPage shows a new token's secret, the only time it is shown.
type tokenPage struct {
	layout
	Token  tokenRow
	Secret string
}

func (s *Server) pageTokens(w http.ResponseWriter, r *http.Request) error {
	return s.renderTokens(w, r, http.StatusOK, newForm())
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, status int, f form) error {
	lang := pickLang(w, r)
	ctx := r.Context()
	tokens, err := s.Users.FindTokens(ctx, 0)
	if err != nil {
		return err
	}
	scopeID, _ := formID(f.Values["scope_id"])
	roles, scopes, err := s.choices(ctx, lang, f.Values["role"], scopeID)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "tokens.title")
	if err != nil {
		return err
	}
	page := tokensPage{layout: s.layout(r, lang, title), Form: f, Roles: roles, Scopes: scopes}
	names := make(map[string]string, len(scopes))
	for _, o := range scopes {
		names[o.Value] = o.Label
	}
	for _, t := range tokens {
		page.Tokens = append(page.Tokens, newTokenRow(t, names))
	}
	return s.render(w, status, pageTokensName, page)
}

// newTokenRow names the token's scope from the scope choices; a scope too
// deep to be offered is shown by its id.
func newTokenRow(t *frontline.Token, names map[string]string) tokenRow {
	id := strconv.FormatInt(t.ScopeID, 10)
	scope := names[id]
	if scope == "" {
		scope = "#" + id
	}
	return tokenRow{ID: t.ID, Name: t.Name, Role: t.Role, Scope: scope, CreatedAt: t.CreatedAt,
		CreatedBy: t.CreatedBy, LastUsed: t.LastUsed, RevokedAt: t.RevokedAt}
}

// postToken makes a device token and shows its secret once.
func (s *Server) postToken(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"name", "role", "scope_id"})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	t := &frontline.Token{Name: f.Values["name"], Role: frontline.Role(f.Values["role"])}
	t.ScopeID, _ = formID(f.Values["scope_id"])
	secret, err := s.Users.CreateToken(r.Context(), t)
	if err != nil {
		if err := s.formError(f, err, []string{"name", "role", "scope_id"}); err != nil {
			return err
		}
		return s.renderTokens(w, r, http.StatusUnprocessableEntity, f)
	}
	title, err := s.text(lang, "token.created")
	if err != nil {
		return err
	}
	_, scopes, err := s.choices(r.Context(), lang, "", 0)
	if err != nil {
		return err
	}
	names := make(map[string]string, len(scopes))
	for _, o := range scopes {
		names[o.Value] = o.Label
	}
	return s.render(w, http.StatusOK, pageTokenName, tokenPage{layout: s.layout(r, lang, title),
		Token: newTokenRow(t, names), Secret: secret})
}

// postRevokeToken ends a device token for good.
func (s *Server) postRevokeToken(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Users.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, "/tokens")
}
