package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// testPolicy is short enough to reason about in a test.
var testPolicy = frontline.LoginPolicy{
	MaxFailures: 3, Window: 10 * time.Minute, LockFor: 15 * time.Minute,
	AccountMaxFailures: 5, AccountWindow: time.Hour, AccountLockFor: 30 * time.Minute,
	AddressMaxFailures: 4,
	SessionTTL:         time.Hour, SessionMax: 24 * time.Hour,
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

// TestUserService_Lockout walks the three limits of a sign-in: one account
// from one client, one account from every client, one client across
// accounts. Every lock says until when and is in the audit log.
func TestUserService_Lockout(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		advance := clock(db)
		tr := buildTree(t, db)
		s := userService(db)
		wang := mustUser(t, s, "wang", frontline.RoleGridWorker, tr.comm1)
		mustUser(t, s, "li.si", frontline.RoleGridWorker, tr.comm1)
		fail := func(login, addr string) error {
			_, _, err := s.Login(ctx, login, "not the password", addr, "")
			return err
		}
		locks := func(entity string) int {
			return count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'lock' AND entity = ?`, entity)
		}
		wantLock := func(t *testing.T, what string, err error, until string) {
			t.Helper()
			var lock *frontline.LockError
			if frontline.ErrorCode(err) != frontline.EUNAUTHORIZED || !errors.Is(err, frontline.ErrLocked) || !errors.As(err, &lock) ||
				frontline.ErrorMessage(err) != "too many failed sign-ins: signing in is locked until "+until {
				t.Fatalf("%s: %v, want the lock until %s", what, err, until)
			}
		}

		t.Run("PerClient", func(t *testing.T) {
			// One person's typos on the office's address.
			for i := 1; i < testPolicy.MaxFailures; i++ {
				if err := fail("wang", "10.1.0.1"); frontline.ErrorMessage(err) != "wrong login or password" {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			wantLock(t, "third failure", fail("wang", "10.1.0.1"), "2022-03-29 06:15 UTC")
			_, _, err := s.Login(ctx, "wang", goodPassword, "10.1.0.1", "")
			wantLock(t, "right password from the locked client", err, "2022-03-29 06:15 UTC")
			// The account is not locked for everyone: wang on another
			// phone, and li.si on the same address, sign in.
			mustLogin(t, s, "wang", "10.1.0.2")
			mustLogin(t, s, "li.si", "10.1.0.1")
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'lock' AND entity = 'user' AND entity_id = ?`, wang.ID); n != 1 {
				t.Fatalf("%d lock entries for wang", n)
			}
			if u, _ := s.FindUserByID(ctx, wang.ID); !u.LockedUntil.IsZero() {
				t.Fatalf("a lock of one client shows on the account: %v", u.LockedUntil)
			}
			advance(testPolicy.LockFor)
			mustLogin(t, s, "wang", "10.1.0.1")
		})

		t.Run("PerAccount", func(t *testing.T) {
			advance(time.Hour)
			// Guesses spread over addresses, each under its client limit.
			for i := 1; i < testPolicy.AccountMaxFailures; i++ {
				if err := fail("wang", fmt.Sprintf("10.2.0.%d", i)); frontline.ErrorMessage(err) != "wrong login or password" {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			wantLock(t, "the account's last failure", fail("wang", "10.2.0.99"), "2022-03-29 07:45 UTC")
			_, _, err := s.Login(ctx, "wang", goodPassword, "10.2.1.1", "")
			wantLock(t, "right password from a new client", err, "2022-03-29 07:45 UTC")
			if u, _ := s.FindUserByID(ctx, wang.ID); !u.LockedUntil.Equal(db.Now().Add(testPolicy.AccountLockFor)) {
				t.Fatalf("the account's lock shows as %v", u.LockedUntil)
			}
			// A new password lifts it.
			if err := s.SetPassword(ctx, wang.ID, goodPassword); err != nil {
				t.Fatal(err)
			}
			mustLogin(t, s, "wang", "10.2.1.1")
		})

		t.Run("PerAddress", func(t *testing.T) {
			advance(time.Hour)
			// One address trying several logins, known or not.
			for i, login := range []string{"wang", "li.si", "nobody"} {
				if err := fail(login, "10.3.0.1"); frontline.ErrorMessage(err) != "wrong login or password" {
					t.Fatalf("failure %d (%s): %v", i+1, login, err)
				}
			}
			before := locks("login_address")
			wantLock(t, "the address's last failure", fail("ghost", "10.3.0.1"), "2022-03-29 08:30 UTC")
			if n := locks("login_address"); n != before+1 {
				t.Fatalf("%d address locks in the audit log, want %d", n, before+1)
			}
			_, _, err := s.Login(ctx, "li.si", goodPassword, "10.3.0.1", "")
			wantLock(t, "right password from the locked address", err, "2022-03-29 08:30 UTC")
			mustLogin(t, s, "li.si", "10.3.0.2")
			advance(testPolicy.LockFor)
			mustLogin(t, s, "li.si", "10.3.0.1")
		})

		t.Run("UnknownLoginLocksAlike", func(t *testing.T) {
			advance(time.Hour)
			// A login no account has locks as a real one does, so the
			// answers do not tell which logins exist.
			for i := 1; i < testPolicy.MaxFailures; i++ {
				fail("nobody.here", "10.4.0.1")
			}
			wantLock(t, "unknown login", fail("nobody.here", "10.4.0.1"), "2022-03-29 09:45 UTC")
			if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'lock' AND entity = 'login' AND after LIKE '%nobody.here%'`); n != 1 {
				t.Fatalf("%d lock entries for the unknown login", n)
			}
		})

		t.Run("Window", func(t *testing.T) {
			advance(time.Hour)
			fail("li.si", "10.5.0.1")
			fail("li.si", "10.5.0.1")
			advance(testPolicy.Window)
			if err := fail("li.si", "10.5.0.1"); frontline.ErrorMessage(err) != "wrong login or password" {
				t.Fatalf("failure after the window: %v", err)
			}
			mustLogin(t, s, "li.si", "10.5.0.1")
		})

		t.Run("SuccessForgivesItsClient", func(t *testing.T) {
			advance(2 * time.Hour)
			fail("li.si", "10.6.0.1")
			fail("li.si", "10.6.0.1")
			mustLogin(t, s, "li.si", "10.6.0.1")
			fail("li.si", "10.6.0.1")
			if err := fail("li.si", "10.6.0.1"); frontline.ErrorMessage(err) != "wrong login or password" {
				t.Fatalf("the client's count survived a sign-in: %v", err)
			}
			// Failures from elsewhere still count against the account: with
			// the two above, three more reach its limit of five.
			fail("li.si", "10.6.1.1")
			fail("li.si", "10.6.1.2")
			if err := fail("li.si", "10.6.1.3"); !errors.Is(err, frontline.ErrLocked) {
				t.Fatalf("the account's fifth failure: %v", err)
			}
		})
	})
}

// TestUserService_LoginConcurrent sends 40 wrong passwords for one account
// at once through 20 services on one database, as 20 app servers would,
// then the right one: the attempts are counted before any is checked, so
// only the limit's few are checked, the lock is set and logged once, and
// the right password sent after them is refused.
func TestUserService_LoginConcurrent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock(db)
		tr := buildTree(t, db)
		servers := make([]*sqldb.UserService, 20)
		for i := range servers {
			servers[i] = userService(db)
		}
		u := mustUser(t, servers[0], "zhou", frontline.RoleGridWorker, tr.comm1)
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = servers[i%len(servers)].Login(ctx, "zhou", fmt.Sprintf("guess %d", i), "10.7.0.1", "")
			}()
		}
		wg.Wait()
		wrong, locked := 0, 0
		for i, err := range errs {
			switch {
			case errors.Is(err, frontline.ErrLocked):
				locked++
			case errors.Is(err, frontline.ErrWrongPassword):
				wrong++
			default:
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		// The limit's first attempts are checked; the last of them locks.
		if wrong != testPolicy.MaxFailures-1 || locked != len(errs)-wrong {
			t.Fatalf("%d wrong and %d locked answers, want %d wrong", wrong, locked, testPolicy.MaxFailures-1)
		}
		_, _, err := servers[3].Login(ctx, "zhou", goodPassword, "10.7.0.1", "")
		if !errors.Is(err, frontline.ErrLocked) {
			t.Fatalf("the right password after the flood: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'lock' AND entity_id = ?`, u.ID); n != 1 {
			t.Fatalf("%d lock entries in the audit log, want 1", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'login'`); n != 0 {
			t.Fatalf("%d sign-ins", n)
		}
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
