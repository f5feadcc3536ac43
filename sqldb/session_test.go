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

// testPolicy is short enough to reason about in a test.
var testPolicy = frontline.LoginPolicy{
	MaxFailures: 3, Window: 10 * time.Minute, LockFor: 15 * time.Minute,
	SessionTTL: time.Hour, SessionMax: 24 * time.Hour,
}

const goodPassword = "correct horse battery"

// clock sets db's clock to a fixed time and returns a function that moves
// it forward.
func clock(db *sqldb.DB) func(time.Duration) {
	now := time.Date(2022, 3, 29, 6, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	return func(d time.Duration) { now = now.Add(d) }
}

// userService returns a UserService with cheap hashes, so the suite stays
// fast; the cost does not change what is tested.
func userService(db *sqldb.DB) *sqldb.UserService {
	s := sqldb.NewUserService(db, testPolicy)
	s.Argon2 = sqldb.Argon2Params{Memory: 64, Time: 1, Threads: 1}
	return s
}

func mustUser(tb testing.TB, s *sqldb.UserService, login string, role frontline.Role, scope *frontline.Place) *frontline.User {
	tb.Helper()
	u := &frontline.User{Login: login, Name: "用户 " + login, Role: role, ScopeID: scope.ID}
	if err := s.CreateUser(context.Background(), u, goodPassword); err != nil {
		tb.Fatalf("create user %s: %v", login, err)
	}
	return u
}

func mustLogin(tb testing.TB, s *sqldb.UserService, login, addr string) string {
	tb.Helper()
	_, secret, err := s.Login(context.Background(), login, goodPassword, addr, "test")
	if err != nil {
		tb.Fatalf("login %s from %s: %v", login, addr, err)
	}
	return secret
}

func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if frontline.ErrorCode(err) != code {
		tb.Fatalf("%s: err = %v, want %q", what, err, code)
	}
}

func TestUserService_Login(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock(db)
		tr := buildTree(t, db)
		s := userService(db)
		u := mustUser(t, s, "zhang.san", frontline.RoleCommunityStaff, tr.comm1)

		got, secret, err := s.Login(ctx, " ＺＨＡＮＧ.San ", goodPassword, "10.0.0.1", "Mozilla/5.0")
		if err != nil || got.ID != u.ID || len(secret) != 43 {
			t.Fatalf("login: %v, %q, %v", got, secret, err)
		}
		p, err := s.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		want := frontline.Principal{UserID: u.ID, Login: "zhang.san", Role: frontline.RoleCommunityStaff,
			ScopeID: tr.comm1.ID, ScopePath: tr.comm1.Path, SessionID: p.SessionID, Addr: "10.0.0.1"}
		if *p != want || p.SessionID == secret || len(p.SessionID) != 64 {
			t.Fatalf("principal %+v, want %+v with the hash of the secret", *p, want)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM sessions WHERE id = ?`, secret); n != 0 {
			t.Fatal("the session secret is stored as it is")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$%'`); n != 1 {
			t.Fatal("the password is not stored as an argon2id hash")
		}

		for _, c := range []struct{ login, password string }{
			// Two failures on the account: under the limit of three.
			{"zhang.san", "wrong password"}, {"nobody", goodPassword}, {"nobody", ""},
			{"zhang.san", strings.Repeat("x", 5000)},
		} {
			_, _, err := s.Login(ctx, c.login, c.password, "", "")
			if frontline.ErrorCode(err) != frontline.EUNAUTHORIZED || frontline.ErrorMessage(err) != "wrong login or password" ||
				!errors.Is(err, frontline.ErrWrongPassword) || errors.Is(err, frontline.ErrLocked) {
				t.Errorf("login %q/%.10q: err = %v, want the same EUNAUTHORIZED for unknown login and wrong password", c.login, c.password, err)
			}
		}
		if _, err := s.Authenticate(ctx, "not-a-session"); frontline.ErrorCode(err) != frontline.EUNAUTHORIZED {
			t.Fatalf("unknown session: %v", err)
		}
		if _, err := s.Authenticate(ctx, ""); frontline.ErrorCode(err) != frontline.EUNAUTHORIZED {
			t.Fatalf("empty session: %v", err)
		}
	})
}

func TestUserService_Lockout(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		advance := clock(db)
		tr := buildTree(t, db)
		s := userService(db)
		mustUser(t, s, "wang", frontline.RoleGridWorker, tr.comm1)
		mustUser(t, s, "li.si", frontline.RoleGridWorker, tr.comm1)
		fail := func(login, addr string) error {
			_, _, err := s.Login(ctx, login, "not the password", addr, "")
			return err
		}

		t.Run("PerAccount", func(t *testing.T) {
			// Three addresses, so only the account's count reaches the limit.
			for i, addr := range []string{"10.1.0.1", "10.1.0.2"} {
				if err := fail("wang", addr); frontline.ErrorMessage(err) != "wrong login or password" {
					t.Fatalf("failure %d: %v", i+1, err)
				}
			}
			err := fail("wang", "10.1.0.3")
			if frontline.ErrorCode(err) != frontline.EUNAUTHORIZED || frontline.ErrorMessage(err) != "too many failed sign-ins: signing in is locked until 2022-03-29 06:15 UTC" ||
				!errors.Is(err, frontline.ErrLocked) {
				t.Fatalf("third failure: %v, want the lock", err)
			}
			_, _, err = s.Login(ctx, "wang", goodPassword, "10.1.0.4", "")
			if !strings.Contains(frontline.ErrorMessage(err), "locked until") || !errors.Is(err, frontline.ErrLocked) {
				t.Fatalf("right password while locked: %v", err)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'lock' AND entity = 'user'`); n != 1 {
				t.Fatalf("%d lock entries in the audit log", n)
			}
			advance(testPolicy.LockFor)
			mustLogin(t, s, "wang", "10.1.0.4")
		})

		t.Run("PerAddress", func(t *testing.T) {
			// One address trying several logins, known or not.
			for _, login := range []string{"wang", "li.si"} {
				if err := fail(login, "10.2.0.1"); frontline.ErrorMessage(err) != "wrong login or password" {
					t.Fatalf("%s: %v", login, err)
				}
			}
			if err := fail("nobody", "10.2.0.1"); !strings.Contains(frontline.ErrorMessage(err), "locked until") {
				t.Fatalf("third failure from one address: %v, want the lock", err)
			}
			if _, _, err := s.Login(ctx, "li.si", goodPassword, "10.2.0.1", ""); !strings.Contains(frontline.ErrorMessage(err), "locked until") ||
				!errors.Is(err, frontline.ErrLocked) {
				t.Fatalf("right password from the locked address: %v", err)
			}
			mustLogin(t, s, "li.si", "10.2.0.2") // the account itself is not locked
			advance(testPolicy.LockFor)
			mustLogin(t, s, "li.si", "10.2.0.1")
		})

		t.Run("Window", func(t *testing.T) {
			advance(time.Hour)
			fail("li.si", "10.3.0.1")
			fail("li.si", "10.3.0.2")
			advance(testPolicy.Window)
			if err := fail("li.si", "10.3.0.3"); frontline.ErrorMessage(err) != "wrong login or password" {
				t.Fatalf("failure after the window: %v", err)
			}
			mustLogin(t, s, "li.si", "10.3.0.4")
		})

		t.Run("SuccessResets", func(t *testing.T) {
			advance(time.Hour)
			fail("li.si", "10.4.0.1")
			fail("li.si", "10.4.0.2")
			mustLogin(t, s, "li.si", "10.4.0.3")
			fail("li.si", "10.4.0.4")
			if err := fail("li.si", "10.4.0.5"); frontline.ErrorMessage(err) != "wrong login or password" {
				t.Fatalf("the count survived a sign-in: %v", err)
			}
		})
	})
}

func TestUserService_Sessions(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		advance := clock(db)
		tr := buildTree(t, db)
		s := userService(db)
		u := mustUser(t, s, "zhao", frontline.RoleCommunityStaff, tr.comm1)
		alive := func(secret string) bool {
			_, err := s.Authenticate(ctx, secret)
			if err != nil && frontline.ErrorCode(err) != frontline.EUNAUTHORIZED {
				t.Fatal(err)
			}
			return err == nil
		}

		t.Run("Idle", func(t *testing.T) {
			secret := mustLogin(t, s, "zhao", "10.0.0.1")
			advance(testPolicy.SessionTTL - time.Minute)
			if !alive(secret) {
				t.Fatal("session ended before its idle time")
			}
			advance(testPolicy.SessionTTL - time.Minute) // used a moment ago: still alive
			if !alive(secret) {
				t.Fatal("a used session ended")
			}
			advance(testPolicy.SessionTTL)
			if alive(secret) {
				t.Fatal("an idle session is still alive")
			}
		})
		t.Run("MaxAge", func(t *testing.T) {
			secret := mustLogin(t, s, "zhao", "10.0.0.1")
			for used := time.Duration(0); used < testPolicy.SessionMax-time.Hour; used += 30 * time.Minute {
				advance(30 * time.Minute)
				if !alive(secret) {
					t.Fatalf("session ended after %s of use", used)
				}
			}
			advance(time.Hour)
			if alive(secret) {
				t.Fatal("a session outlived SessionMax")
			}
		})
		t.Run("Logout", func(t *testing.T) {
			a, b := mustLogin(t, s, "zhao", "10.0.0.1"), mustLogin(t, s, "zhao", "10.0.0.2")
			if err := s.Logout(ctx, a); err != nil || alive(a) || !alive(b) {
				t.Fatalf("logout: %v; a alive %v, b alive %v", err, alive(a), alive(b))
			}
			c := mustLogin(t, s, "zhao", "10.0.0.3")
			if err := s.LogoutAll(ctx, u.ID); err != nil || alive(b) || alive(c) {
				t.Fatalf("logout all: %v", err)
			}
		})
		t.Run("DisableEndsSessions", func(t *testing.T) {
			secret := mustLogin(t, s, "zhao", "10.0.0.1")
			if _, err := s.UpdateUser(ctx, u.ID, frontline.UserUpdate{Disabled: ptr(true)}); err != nil {
				t.Fatal(err)
			}
			if alive(secret) {
				t.Fatal("a disabled user's session is alive")
			}
			_, _, err := s.Login(ctx, "zhao", goodPassword, "10.0.0.1", "")
			if frontline.ErrorCode(err) != frontline.EUNAUTHORIZED || !strings.Contains(frontline.ErrorMessage(err), "disabled") ||
				!errors.Is(err, frontline.ErrDisabled) || errors.Is(err, frontline.ErrLocked) {
				t.Fatalf("disabled login: %v", err)
			}
			if _, err := s.UpdateUser(ctx, u.ID, frontline.UserUpdate{Disabled: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			mustLogin(t, s, "zhao", "10.0.0.1")
		})
		t.Run("RoleChangeEndsSessions", func(t *testing.T) {
			secret := mustLogin(t, s, "zhao", "10.0.0.1")
			if _, err := s.UpdateUser(ctx, u.ID, frontline.UserUpdate{Role: ptr(frontline.RoleVolunteer)}); err != nil {
				t.Fatal(err)
			}
			if alive(secret) {
				t.Fatal("a session survived a change of role")
			}
			secret = mustLogin(t, s, "zhao", "10.0.0.1")
			if _, err := s.UpdateUser(ctx, u.ID, frontline.UserUpdate{Name: ptr("赵六")}); err != nil || !alive(secret) {
				t.Fatalf("a change of name ended the session: %v", err)
			}
		})
		t.Run("SetPassword", func(t *testing.T) {
			other := mustLogin(t, s, "zhao", "10.0.0.1")
			mine := mustLogin(t, s, "zhao", "10.0.0.2")
			p, _ := s.Authenticate(ctx, mine)
			wantCode(t, "reset one's own password", s.SetPassword(frontline.WithPrincipal(ctx, p), u.ID, "a new long password"), frontline.EFORBIDDEN)
			if err := s.ChangePassword(frontline.WithPrincipal(ctx, p), goodPassword, "a new long password"); err != nil {
				t.Fatal(err)
			}
			if alive(other) || !alive(mine) {
				t.Fatalf("after a change of one's own password: other alive %v, mine alive %v", alive(other), alive(mine))
			}
			if _, _, err := s.Login(ctx, "zhao", goodPassword, "10.0.0.9", ""); frontline.ErrorCode(err) != frontline.EUNAUTHORIZED {
				t.Fatalf("old password: %v", err)
			}
			if _, _, err := s.Login(ctx, "zhao", "a new long password", "10.0.0.9", ""); err != nil {
				t.Fatalf("new password: %v", err)
			}
			wantCode(t, "short password", s.SetPassword(ctx, u.ID, "short"), frontline.EINVALID)
		})
	})
}

// count runs a COUNT query.
func count(tb testing.TB, db *sqldb.DB, query string, args ...any) int {
	tb.Helper()
	tx, err := db.BeginReadTx(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}
