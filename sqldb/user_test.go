package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestUserService_CreateUser(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		s := userService(db)
		u := &frontline.User{Login: "Ｍa.Li", Name: " 马 丽 ", Phone: "138 0013 8000", Role: frontline.RoleCommunitySecretary, ScopeID: tr.comm1.ID}
		if err := s.CreateUser(ctx, u, goodPassword); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindUserByID(ctx, u.ID)
		if err != nil || got.Login != "ma.li" || got.Name != "马丽" || got.Phone != "13800138000" || got.Language != "zh-CN" ||
			got.Scope == nil || got.Scope.ID != tr.comm1.ID || got.CreatedAt.IsZero() {
			t.Fatalf("found %+v, %v", got, err)
		}
		t.Run("ErrLoginTaken", func(t *testing.T) {
			err := s.CreateUser(ctx, &frontline.User{Login: "MA.LI", Name: "x", Role: frontline.RoleVolunteer, ScopeID: tr.comm1.ID}, goodPassword)
			if frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "login" {
				t.Fatalf("err = %v, want ECONFLICT on login", err)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			for field, c := range map[string]struct {
				u        frontline.User
				password string
			}{
				"password": {frontline.User{Login: "abc", Name: "x", Role: frontline.RoleVolunteer, ScopeID: tr.comm1.ID}, "short"},
				"login":    {frontline.User{Login: "a b", Name: "x", Role: frontline.RoleVolunteer, ScopeID: tr.comm1.ID}, goodPassword},
				"role":     {frontline.User{Login: "abc", Name: "x", Role: "king", ScopeID: tr.comm1.ID}, goodPassword},
				"scope_id": {frontline.User{Login: "abc", Name: "x", Role: frontline.RoleVolunteer, ScopeID: 99999}, goodPassword},
			} {
				err := s.CreateUser(ctx, &c.u, c.password)
				if frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorField(err) != field {
					t.Errorf("%s: err = %v, want EINVALID on the field", field, err)
				}
			}
		})
		t.Run("Find", func(t *testing.T) {
			mustUser(t, s, "zhao.comm2", frontline.RoleCommunityStaff, tr.comm2)
			users, total, err := s.FindUsers(ctx, frontline.UserFilter{Under: &tr.comm1.ID})
			if err != nil || total != 1 || users[0].ID != u.ID {
				t.Fatalf("users under comm1: %d, %v", total, err)
			}
			if _, total, _ := s.FindUsers(ctx, frontline.UserFilter{Login: ptr("Zhao.Comm2")}); total != 1 {
				t.Fatalf("by login: %d", total)
			}
			if _, total, _ := s.FindUsers(ctx, frontline.UserFilter{Role: ptr(frontline.RoleCommunityStaff)}); total != 1 {
				t.Fatalf("by role: %d", total)
			}
			if _, err := s.FindUserByID(ctx, 99999); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Fatalf("unknown user: %v", err)
			}
		})
	})
}

// TestUserService_Grants checks what a principal may do with users: only
// under their scope, only roles at or below their own.
func TestUserService_Grants(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		s := userService(db)
		secretary := mustUser(t, s, "secretary", frontline.RoleCommunitySecretary, tr.comm1)
		outside := mustUser(t, s, "outsider", frontline.RoleCommunityStaff, tr.comm2)
		// A district admin working in the community, made by the system.
		above := mustUser(t, s, "district.boss", frontline.RoleDistrictAdmin, tr.comp1)
		staff := mustUser(t, s, "staff1", frontline.RoleCommunityStaff, tr.comp1)
		ctx := as(frontline.RoleCommunitySecretary, tr.comm1)
		newUser := func(role frontline.Role, scope *frontline.Place) error {
			return s.CreateUser(ctx, &frontline.User{Login: "new." + testID(), Name: "新", Role: role, ScopeID: scope.ID}, goodPassword)
		}

		err := newUser(frontline.RoleDistrictAdmin, tr.comm1)
		if frontline.ErrorCode(err) != frontline.EFORBIDDEN || frontline.ErrorField(err) != "role" ||
			frontline.ErrorMessage(err) != "your role (community_secretary) may not grant the role district_admin" {
			t.Fatalf("secretary grants district admin: %v", err)
		}
		err = newUser(frontline.RoleCommunityStaff, tr.comm2)
		if frontline.ErrorCode(err) != frontline.EFORBIDDEN || frontline.ErrorField(err) != "scope_id" {
			t.Fatalf("secretary grants a scope outside: %v", err)
		}
		wantCode(t, "a scope that does not exist", newUser(frontline.RoleCommunityStaff, &frontline.Place{ID: 99999}), frontline.EFORBIDDEN)
		wantCode(t, "staff in a compound of the community", newUser(frontline.RoleGridWorker, tr.comp1), "")
		wantCode(t, "another secretary", newUser(frontline.RoleCommunitySecretary, tr.comm1), "")

		users, total, err := s.FindUsers(ctx, frontline.UserFilter{})
		if err != nil || total != 5 {
			t.Fatalf("secretary lists %d users, %v; want the 5 in the community", total, err)
		}
		for _, u := range users {
			if u.ID == outside.ID {
				t.Fatal("a user outside the scope is listed")
			}
		}
		_, err = s.FindUserByID(ctx, outside.ID)
		wantCode(t, "find a user outside", err, frontline.ENOTFOUND)
		_, err = s.UpdateUser(ctx, outside.ID, frontline.UserUpdate{Name: ptr("x")})
		wantCode(t, "update a user outside", err, frontline.ENOTFOUND)
		wantCode(t, "password of a user outside", s.SetPassword(ctx, outside.ID, "another password"), frontline.ENOTFOUND)
		wantCode(t, "logout a user outside", s.LogoutAll(ctx, outside.ID), frontline.ENOTFOUND)
		_, _, err = s.FindUsers(ctx, frontline.UserFilter{Under: &tr.comm2.ID})
		wantCode(t, "list under a node outside", err, frontline.ENOTFOUND)

		_, err = s.UpdateUser(ctx, above.ID, frontline.UserUpdate{Disabled: ptr(true)})
		wantCode(t, "disable a district admin", err, frontline.EFORBIDDEN)
		wantCode(t, "password of a district admin", s.SetPassword(ctx, above.ID, "another password"), frontline.EFORBIDDEN)
		_, err = s.UpdateUser(ctx, staff.ID, frontline.UserUpdate{Role: ptr(frontline.RoleSubdistrictAdmin)})
		wantCode(t, "promote staff above oneself", err, frontline.EFORBIDDEN)
		_, err = s.UpdateUser(ctx, staff.ID, frontline.UserUpdate{ScopeID: &tr.comm2.ID})
		wantCode(t, "move staff outside", err, frontline.EFORBIDDEN)
		_, err = s.UpdateUser(ctx, staff.ID, frontline.UserUpdate{Role: ptr(frontline.RoleGridWorker), ScopeID: &tr.bld1.ID})
		wantCode(t, "change staff's role and scope within", err, "")

		// A user without PermManageUsers manages no one but may keep their
		// own profile and password.
		me := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: staff.ID, Login: staff.Login,
			Role: frontline.RoleGridWorker, ScopeID: tr.bld1.ID, ScopePath: tr.bld1.Path})
		wantCode(t, "grid worker creates a user", s.CreateUser(me, &frontline.User{Login: "x.y.z", Name: "x", Role: frontline.RoleVolunteer, ScopeID: tr.bld1.ID}, goodPassword), frontline.EFORBIDDEN)
		_, err = s.FindUserByID(me, secretary.ID)
		wantCode(t, "grid worker reads another user", err, frontline.EFORBIDDEN)
		if self, err := s.FindUserByID(me, staff.ID); err != nil || self.ID != staff.ID {
			t.Fatalf("read oneself: %v", err)
		}
		if u, err := s.UpdateUser(me, staff.ID, frontline.UserUpdate{Language: ptr("en"), Phone: ptr("13900139000")}); err != nil || u.Language != "en" {
			t.Fatalf("change one's own language: %v", err)
		}
		_, err = s.UpdateUser(me, staff.ID, frontline.UserUpdate{Role: ptr(frontline.RoleCityAdmin)})
		wantCode(t, "grant oneself a role", err, frontline.EFORBIDDEN)
		wantCode(t, "reset one's own password without the current one", s.SetPassword(me, staff.ID, "my own new password"), frontline.EFORBIDDEN)
		_, err = s.UpdateUser(as(frontline.RoleCommunitySecretary, tr.comm1), secretary.ID, frontline.UserUpdate{Disabled: ptr(true)})
		wantCode(t, "a secretary disables another secretary", err, "")
		self := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: staff.ID, Role: frontline.RoleCommunitySecretary,
			ScopeID: tr.comm1.ID, ScopePath: tr.comm1.Path})
		_, err = s.UpdateUser(self, staff.ID, frontline.UserUpdate{Disabled: ptr(true)})
		wantCode(t, "disable oneself", err, frontline.EFORBIDDEN)
	})
}

func TestUserService_Tokens(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		advance := clock(db)
		tr := buildTree(t, db)
		s := userService(db)
		tok := &frontline.Token{Name: "枣园 采样台 1", Role: frontline.RoleSampler, ScopeID: tr.comp1.ID}
		secret, err := s.CreateToken(frontline.WithActor(ctx, frontline.Actor{Name: "cli:root"}), tok)
		if err != nil || !strings.HasPrefix(secret, sqldb.TokenPrefix) || tok.ID == 0 || tok.CreatedBy != "cli:root" {
			t.Fatalf("create: %q %+v %v", secret, tok, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM api_tokens WHERE hash = ? OR name = ?`, secret, secret); n != 0 {
			t.Fatal("the token secret is stored as it is")
		}
		p, err := s.AuthenticateToken(ctx, secret)
		want := frontline.Principal{TokenID: tok.ID, Login: "token:枣园 采样台 1", Role: frontline.RoleSampler,
			ScopeID: tr.comp1.ID, ScopePath: tr.comp1.Path}
		if err != nil || *p != want {
			t.Fatalf("principal %+v, %v; want %+v", p, err, want)
		}
		list, err := s.FindTokens(ctx, tr.comm1.ID)
		if err != nil || len(list) != 1 || !list[0].LastUsed.Equal(db.Now()) {
			t.Fatalf("tokens under comm1: %+v, %v; want one, just used", list, err)
		}
		for _, bad := range []string{"", "fl_", "fl_nope", secret[3:], "Bearer " + secret} {
			_, err := s.AuthenticateToken(ctx, bad)
			wantCode(t, "token "+bad, err, frontline.EUNAUTHORIZED)
		}

		sec := as(frontline.RoleCommunitySecretary, tr.comm1)
		_, err = s.CreateToken(sec, &frontline.Token{Name: "x", Role: frontline.RoleSampler, ScopeID: tr.comp2.ID})
		wantCode(t, "a token for a scope outside", err, frontline.EFORBIDDEN)
		_, err = s.CreateToken(sec, &frontline.Token{Name: "x", Role: frontline.RoleDistrictAdmin, ScopeID: tr.comp1.ID})
		wantCode(t, "a token with a role above", err, frontline.EFORBIDDEN)
		_, err = s.CreateToken(sec, &frontline.Token{Name: "", Role: frontline.RoleLab, ScopeID: tr.comp1.ID})
		wantCode(t, "a token without a name", err, frontline.EINVALID)
		other, err := s.CreateToken(ctx, &frontline.Token{Name: "忠义巷 采样台", Role: frontline.RoleSampler, ScopeID: tr.comp2.ID})
		if err != nil {
			t.Fatal(err)
		}
		otherP, _ := s.AuthenticateToken(ctx, other)
		_, err = s.FindTokens(sec, tr.comm2.ID)
		wantCode(t, "tokens under a node outside", err, frontline.ENOTFOUND)
		if list, err := s.FindTokens(sec, 0); err != nil || len(list) != 1 || list[0].ID != tok.ID {
			t.Fatalf("secretary's tokens: %v, %v", list, err)
		}
		wantCode(t, "revoke a token outside", s.RevokeToken(sec, otherP.TokenID), frontline.ENOTFOUND)
		_, err = s.FindTokens(as(frontline.RoleSampler, tr.comm1), 0)
		wantCode(t, "a sampler lists tokens", err, frontline.EFORBIDDEN)

		advance(time.Hour)
		if err := s.RevokeToken(sec, tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeToken(sec, tok.ID); err != nil {
			t.Fatalf("second revoke: %v", err)
		}
		_, err = s.AuthenticateToken(ctx, secret)
		wantCode(t, "a revoked token", err, frontline.EUNAUTHORIZED)
		if list, _ := s.FindTokens(ctx, tr.comp1.ID); len(list) != 1 || !list[0].RevokedAt.Equal(db.Now()) {
			t.Fatalf("revoked token listed as %+v", list[0])
		}
	})
}

// TestUserService_ChangePassword changes a user's own password from one of
// their two sessions: the current password is held to the sign-in's
// lockout, the new one to the password rules, and the other session ends.
func TestUserService_ChangePassword(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		advance := clock(db)
		tr := buildTree(t, db)
		s := userService(db)
		u := mustUser(t, s, "qian", frontline.RoleGridWorker, tr.comm1)
		other, mine := mustLogin(t, s, "qian", "10.0.0.1"), mustLogin(t, s, "qian", "10.0.0.2")
		p, err := s.Authenticate(ctx, mine)
		if err != nil {
			t.Fatal(err)
		}
		self := frontline.WithPrincipal(ctx, p)
		alive := func(secret string) bool {
			_, err := s.Authenticate(ctx, secret)
			return err == nil
		}
		hash := func() string {
			tx, err := db.BeginReadTx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var h string
			if err := tx.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, u.ID).Scan(&h); err != nil {
				t.Fatal(err)
			}
			return h
		}
		failures := func() int {
			return count(t, db, `SELECT COALESCE(SUM(attempts), 0) FROM login_limits WHERE kind = 'client' AND login = 'qian'`)
		}
		before := hash()

		t.Run("ErrNotAUser", func(t *testing.T) {
			wantCode(t, "no principal", s.ChangePassword(ctx, goodPassword, "a new long password"), frontline.EUNAUTHORIZED)
			device := frontline.WithPrincipal(ctx, &frontline.Principal{TokenID: 7, Login: "token:x", Role: frontline.RoleSampler,
				ScopeID: tr.comm1.ID, ScopePath: tr.comm1.Path})
			wantCode(t, "device token", s.ChangePassword(device, goodPassword, "a new long password"), frontline.EFORBIDDEN)
		})
		t.Run("ErrWeakPassword", func(t *testing.T) {
			for _, pw := range []string{"", "short", strings.Repeat("长", 201)} {
				err := s.ChangePassword(self, goodPassword, pw)
				if frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorField(err) != "password" {
					t.Errorf("new password of %d characters: err = %v, want EINVALID on password", len([]rune(pw)), err)
				}
			}
			if hash() != before || failures() != 0 {
				t.Fatal("a refused new password changed the account")
			}
		})
		t.Run("ErrWrongCurrent", func(t *testing.T) {
			err := s.ChangePassword(self, "not the password", "a new long password")
			if frontline.ErrorCode(err) != frontline.EINVALID || frontline.ErrorField(err) != "current_password" ||
				!errors.Is(err, frontline.ErrWrongPassword) {
				t.Fatalf("err = %v, want EINVALID on current_password wrapping ErrWrongPassword", err)
			}
			if hash() != before || !alive(other) {
				t.Fatal("a wrong current password changed the password or ended a session")
			}
			if n := failures(); n != 1 {
				t.Fatalf("%d failures counted against the account, want 1", n)
			}
			// Only the account counts: the user's colleagues behind the
			// same address may still sign in.
			if n := count(t, db, `SELECT COUNT(*) FROM login_limits WHERE kind = 'address' AND attempts > 0`); n != 0 {
				t.Fatalf("%d addresses counted", n)
			}
		})
		t.Run("Lockout", func(t *testing.T) {
			err := s.ChangePassword(self, strings.Repeat("x", 5000), "a new long password")
			if !errors.Is(err, frontline.ErrWrongPassword) {
				t.Fatalf("second failure: %v", err)
			}
			err = s.ChangePassword(self, "still not it", "a new long password")
			if frontline.ErrorCode(err) != frontline.EFORBIDDEN || frontline.ErrorField(err) != "current_password" ||
				!errors.Is(err, frontline.ErrLocked) ||
				frontline.ErrorMessage(err) != "too many wrong passwords: the account is locked until 2022-03-29 06:15 UTC" {
				t.Fatalf("third failure: %v, want the lock", err)
			}
			if err := s.ChangePassword(self, goodPassword, "a new long password"); !errors.Is(err, frontline.ErrLocked) {
				t.Fatalf("right password while locked: %v", err)
			}
			// The lock is the sign-in's own, for the client of the session.
			if _, _, err := s.Login(ctx, "qian", goodPassword, "10.0.0.2", ""); frontline.ErrorCode(err) != frontline.EUNAUTHORIZED ||
				!errors.Is(err, frontline.ErrLocked) {
				t.Fatalf("sign-in while locked: %v", err)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'lock' AND entity_id = ?`, u.ID); n != 1 {
				t.Fatalf("%d lock entries in the audit log", n)
			}
			if hash() != before || !alive(mine) {
				t.Fatal("the lock changed the password or ended the session")
			}
			advance(testPolicy.LockFor)
		})
		t.Run("Changed", func(t *testing.T) {
			if err := s.ChangePassword(self, goodPassword, "a new long password"); err != nil {
				t.Fatal(err)
			}
			if h := hash(); h == before || !strings.HasPrefix(h, "$argon2id$") {
				t.Fatalf("stored hash %q", h)
			}
			if alive(other) || !alive(mine) {
				t.Fatalf("other session alive %v, this one alive %v", alive(other), alive(mine))
			}
			if n := failures(); n != 0 {
				t.Fatalf("%d failures left after the change", n)
			}
			if _, _, err := s.Login(ctx, "qian", goodPassword, "10.0.0.4", ""); !errors.Is(err, frontline.ErrWrongPassword) {
				t.Fatalf("old password: %v", err)
			}
			if _, _, err := s.Login(ctx, "qian", "a new long password", "10.0.0.4", ""); err != nil {
				t.Fatalf("new password: %v", err)
			}
			action, entity := "password", "user"
			changes, _, err := sqldb.NewAuditService(db).FindChanges(ctx, frontline.ChangeFilter{Action: &action, Entity: &entity, EntityID: &u.ID})
			if err != nil || len(changes) != 1 {
				t.Fatalf("%d password entries, %v", len(changes), err)
			}
			c := changes[0]
			if c.Actor != "qian" || c.UserID != u.ID || c.Addr != "10.0.0.2" || c.PlacePath != tr.comm1.Path ||
				len(c.Before) != 0 || len(c.After) != 1 || c.After["sessions"] != float64(1) {
				t.Fatalf("audit entry %+v, want qian ending 1 other session and nothing else", c)
			}
		})
		t.Run("ErrDisabled", func(t *testing.T) {
			// A principal resolved before the account was disabled.
			if _, err := s.UpdateUser(ctx, u.ID, frontline.UserUpdate{Disabled: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			err := s.ChangePassword(self, "a new long password", "yet another password")
			if frontline.ErrorCode(err) != frontline.EUNAUTHORIZED || !errors.Is(err, frontline.ErrDisabled) {
				t.Fatalf("disabled account: %v", err)
			}
		})
	})
}
