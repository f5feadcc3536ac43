package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// userRow is a user as the pages and the API show them: the phone masked.
type userRow struct {
	ID        int64          `json:"id"`
	Login     string         `json:"login"`
	Name      string         `json:"name"`
	Phone     string         `json:"phone"` // masked
	Role      frontline.Role `json:"role"`
	ScopeID   int64          `json:"scope_id"`
	ScopeName string         `json:"scope_name"`
	ScopeKind string         `json:"scope_kind"`
	Disabled  bool           `json:"disabled"`
	Language  string         `json:"language"`
	Locked    time.Time      `json:"locked_until,omitzero"`
	LockedNow bool           `json:"-"`
	CreatedAt time.Time      `json:"created_at"`
}

func newUserRow(u *frontline.User) userRow {
	row := userRow{ID: u.ID, Login: u.Login, Name: u.Name, Phone: frontline.MaskPhone(u.Phone), Role: u.Role,
		ScopeID: u.ScopeID, Disabled: u.Disabled, Language: u.Language, Locked: u.LockedUntil, CreatedAt: u.CreatedAt}
	if u.Scope != nil {
		row.ScopeName, row.ScopeKind = u.Scope.Name, string(u.Scope.Kind)
	}
	return row
}

// userFields are the fields of the user forms.
func userFields() []string {
	return []string{"login", "name", "phone", "role", "scope_id", "language", "disabled"}
}

// usersPage lists the users under the caller's scope.
type usersPage struct {
	layout
	Users    []userRow
	Total    int
	From, To int
	Prev     string
	Next     string
}

func (s *Server) pageUsers(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	offset := q.number("offset", 0, 0, 10_000_000)
	if err := q.check(); err != nil {
		return err
	}
	users, total, err := s.Users.FindUsers(r.Context(), frontline.UserFilter{Offset: offset, Limit: maxRows})
	if err != nil {
		return err
	}
	title, err := s.text(lang, "users.title")
	if err != nil {
		return err
	}
	page := usersPage{layout: s.layout(r, lang, title), Total: total, From: offset + 1, To: offset + len(users)}
	for _, u := range users {
		row := newUserRow(u)
		row.LockedNow = u.LockedUntil.After(s.Now())
		page.Users = append(page.Users, row)
	}
	page.Prev, page.Next = pageLinks("/users", nil, offset, len(users), maxRows, total)
	return s.render(w, http.StatusOK, pageUsersName, page)
}

// userFormPage adds a user, or edits one and resets their password.
type userFormPage struct {
	layout
	Create bool
	Action string
	// Edited is the user edited; the frame's User is who is signed in.
	Edited       userRow
	Form         form
	PasswordForm form
	Roles        []option
	Scopes       []option
	Languages    []option
	// Done is the message id of what the last post did, shown once.
	Done string
	// Self is set when the edited user is the one signed in, whose
	// password is changed on the account page with the current one.
	Self bool
}

// choices fills the selects of a user or token form: the roles the caller
// may grant and the places under their scope.
func (s *Server) choices(ctx context.Context, lang, role string, scopeID int64) ([]option, []option, error) {
	who := callerFrom(ctx).principal
	var roles []option
	for _, r := range frontline.Roles {
		if who.Role.CanGrant(r) {
			roles = append(roles, option{Value: string(r), Label: s.label(lang, "role."+string(r), string(r)), Selected: string(r) == role})
		}
	}
	scopes, err := s.scopeOptions(ctx, lang, scopeID)
	return roles, scopes, err
}

// scopeOptions lists the places under the caller's scope a user or token
// may be given, from the scope node down to buildings (a grid worker's
// grid is a compound or a few buildings; nobody works for one unit), each
// named by its path from the scope node.
func (s *Server) scopeOptions(ctx context.Context, lang string, selected int64) ([]option, error) {
	roots, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Roots: true, Limit: maxRows})
	if err != nil {
		return nil, err
	}
	nodes := slices.Clone(roots)
	for _, root := range roots {
		for _, k := range frontline.PlaceKinds {
			if k.Rank() <= root.Kind.Rank() || k.Rank() > frontline.KindBuilding.Rank() {
				continue
			}
			kind := k
			more, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &root.ID, Kind: &kind, Limit: maxRows})
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, more...)
		}
	}
	slices.SortFunc(nodes, func(a, b *frontline.Place) int { return strings.Compare(a.Path, b.Path) })
	names := make(map[int64]string, len(nodes))
	out := make([]option, 0, len(nodes))
	for _, n := range nodes {
		label := n.Name
		if parent, ok := names[n.ParentID]; ok {
			label = parent + " / " + n.Name
		}
		names[n.ID] = label
		out = append(out, option{Value: strconv.FormatInt(n.ID, 10),
			Label: label + " · " + s.label(lang, "kind."+string(n.Kind), string(n.Kind)), Selected: n.ID == selected})
	}
	return out, nil
}

// languageOptions offers the languages, each named in lang.
func (s *Server) languageOptions(lang, selected string) []option {
	out := make([]option, 0, 2)
	for _, l := range []string{langZH, langEN} {
		out = append(out, option{Value: l, Label: s.label(lang, "language."+l, l), Selected: l == selected})
	}
	return out
}

func (s *Server) pageNewUser(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	f.Values["language"] = langZH
	return s.renderNewUser(w, r, http.StatusOK, f)
}

func (s *Server) renderNewUser(w http.ResponseWriter, r *http.Request, status int, f form) error {
	lang := pickLang(w, r)
	scopeID, _ := formID(f.Values["scope_id"])
	roles, scopes, err := s.choices(r.Context(), lang, f.Values["role"], scopeID)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "user.new")
	if err != nil {
		return err
	}
	return s.render(w, status, pageUserFormName, userFormPage{
		layout: s.layout(r, lang, title), Create: true, Action: "/users", Form: f, PasswordForm: newForm(),
		Roles: roles, Scopes: scopes, Languages: s.languageOptions(lang, f.Values["language"]),
	})
}

func (s *Server) postNewUser(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, userFields())
	if err != nil {
		return err
	}
	v := f.Values
	u := &frontline.User{Login: v["login"], Name: v["name"], Phone: v["phone"], Role: frontline.Role(v["role"]), Language: v["language"]}
	u.ScopeID, _ = formID(v["scope_id"])
	password := r.PostForm.Get("password")
	if err := s.Users.CreateUser(r.Context(), u, password); err != nil {
		if err := s.formError(f, err, append(userFields(), "password")); err != nil {
			return err
		}
		return s.renderNewUser(w, r, http.StatusUnprocessableEntity, f)
	}
	return redirect(w, r, fmt.Sprintf("/users/%d?done=created", u.ID))
}

// userDone names the notices a user page shows after a post.
func userDone(s string) string {
	switch s {
	case "created", "saved", "password", "logout":
		return "user.done." + s
	}
	return ""
}

func (s *Server) pageUser(w http.ResponseWriter, r *http.Request) error {
	return s.renderUser(w, r, http.StatusOK, nil, newForm())
}

// renderUser shows the edit page of the user in the path, filled from the
// store unless f carries what was posted.
func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, status int, f *form, pw form) error {
	lang := pickLang(w, r)
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.Users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if f == nil {
		filled := newForm()
		filled.Values["name"], filled.Values["role"], filled.Values["language"] = u.Name, string(u.Role), u.Language
		filled.Values["scope_id"] = strconv.FormatInt(u.ScopeID, 10)
		filled.Checked["disabled"] = u.Disabled
		f = &filled
	}
	scopeID, _ := formID(f.Values["scope_id"])
	roles, scopes, err := s.choices(ctx, lang, f.Values["role"], scopeID)
	if err != nil {
		return err
	}
	return s.render(w, status, pageUserFormName, userFormPage{
		layout: s.layout(r, lang, u.Name), Action: fmt.Sprintf("/users/%d", id), Edited: newUserRow(u),
		Form: *f, PasswordForm: pw, Roles: roles, Scopes: scopes, Languages: s.languageOptions(lang, f.Values["language"]),
		Done: userDone(r.URL.Query().Get("done")), Self: callerFrom(ctx).principal.UserID == u.ID,
	})
}

func (s *Server) postUser(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, userFields(), "disabled", "clear_phone")
	if err != nil {
		return err
	}
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.Users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.Users.UpdateUser(ctx, id, userUpdateFromForm(f, u)); err != nil {
		if err := s.formError(f, err, userFields()); err != nil {
			return err
		}
		return s.renderUser(w, r, http.StatusUnprocessableEntity, &f, newForm())
	}
	return redirect(w, r, fmt.Sprintf("/users/%d?done=saved", id))
}

// userUpdateFromForm changes only what the form changed: a role or scope
// set to what it was would still need the right to grant it.
func userUpdateFromForm(f form, u *frontline.User) frontline.UserUpdate {
	v := f.Values
	upd := frontline.UserUpdate{}
	if v["name"] != u.Name {
		upd.Name = ptr(v["name"])
	}
	if f.Checked["clear_phone"] {
		upd.Phone = ptr("")
	} else if v["phone"] != "" {
		upd.Phone = ptr(v["phone"])
	}
	if role := frontline.Role(v["role"]); role != u.Role {
		upd.Role = &role
	}
	if id, ok := formID(v["scope_id"]); ok && id != u.ScopeID {
		upd.ScopeID = &id
	} else if !ok {
		upd.ScopeID = ptr(int64(0)) // refused by validation, next to the field
	}
	if d := f.Checked["disabled"]; d != u.Disabled {
		upd.Disabled = &d
	}
	if v["language"] != u.Language {
		upd.Language = ptr(v["language"])
	}
	return upd
}

// postUserPassword sets a new password for a user, which also lifts a lock
// and ends their sessions.
func (s *Server) postUserPassword(w http.ResponseWriter, r *http.Request) error {
	pw, err := readForm(r, nil)
	if err != nil {
		return err
	}
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Users.SetPassword(r.Context(), id, r.PostForm.Get("password")); err != nil {
		if err := s.formError(pw, err, []string{"password"}); err != nil {
			return err
		}
		return s.renderUser(w, r, http.StatusUnprocessableEntity, nil, pw)
	}
	return redirect(w, r, fmt.Sprintf("/users/%d?done=password", id))
}

// postUserLogout ends every session of a user: an admin's answer to a
// lost phone.
func (s *Server) postUserLogout(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Users.LogoutAll(r.Context(), id); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/users/%d?done=logout", id))
}

// usersResponse is the body of GET /api/v1/users.
type usersResponse struct {
	Users []userRow `json:"users"`
	listJSON
}

// apiUsers lists the users under the caller's scope, or under a node.
func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.UserFilter{Under: q.id("under")}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Offset, f.Limit = pg.Offset, pg.Limit
	users, total, err := s.Users.FindUsers(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	out := make([]userRow, len(users))
	for i, u := range users {
		out[i] = newUserRow(u)
	}
	return writeJSON(w, http.StatusOK, usersResponse{Users: out, listJSON: listJSON{Total: total, page: pg}})
}

// apiUser returns one user under the caller's scope.
func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	u, err := s.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		User userRow `json:"user"`
	}{newUserRow(u)})
}
