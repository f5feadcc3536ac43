package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frontline-org/frontline"
)

// Sign-in answers, all EUNAUTHORIZED; the messages are safe to show. Web
// tells them apart by the reasons they wrap (frontline.ErrLocked ...),
// never by their words.
var (
	// errWrongPassword is the same for an unknown login, so the answer does
	// not tell which logins exist.
	errWrongPassword = &frontline.Error{Code: frontline.EUNAUTHORIZED, Message: "wrong login or password",
		Err: frontline.ErrWrongPassword}
	errDisabled = &frontline.Error{Code: frontline.EUNAUTHORIZED,
		Message: "this account is disabled; ask whoever manages the accounts of your area", Err: frontline.ErrDisabled}
	errSessionEnded = frontline.Errorf(frontline.EUNAUTHORIZED, "your session has ended; please sign in again")
)

// lockedError says until when signing in is refused. It does not say
// whether the account or the address is locked.
func lockedError(until time.Time) error {
	return &frontline.Error{Code: frontline.EUNAUTHORIZED, Err: frontline.ErrLocked,
		Message: "too many failed sign-ins: signing in is locked until " + lockEnd(until)}
}

// lockEnd writes the end of a lock for a message, rounded up to the
// minute, so that trying again at the minute shown works.
func lockEnd(until time.Time) string {
	return until.UTC().Add(time.Minute-time.Nanosecond).Truncate(time.Minute).Format("2006-01-02 15:04") + " UTC"
}

// maxPasswordBytes is the longest password a sign-in checks; anything
// longer cannot be a valid password (ValidatePassword allows 200
// characters) and is refused without hashing.
const maxPasswordBytes = 4 * 200

// loginState is what a sign-in reads before checking the password.
type loginState struct {
	user       *frontline.User // nil for an unknown login
	hash       string
	addrLocked time.Time
	now        time.Time
}

// Login checks a password, counting failures per account and per address
// within the policy's window, and on success opens a session whose secret
// it returns. The password is checked outside any transaction: a hash takes
// tens of milliseconds and SQLite has one writer.
func (s *UserService) Login(ctx context.Context, login, password, addr, userAgent string) (*frontline.User, string, error) {
	st, err := s.loginState(ctx, normalizeLogin(login), addr)
	if err != nil {
		return nil, "", err
	}
	if st.addrLocked.After(st.now) {
		return nil, "", lockedError(st.addrLocked)
	}
	if st.user != nil && st.user.LockedUntil.After(st.now) {
		return nil, "", lockedError(st.user.LockedUntil)
	}
	hash := st.hash
	if st.user == nil {
		hash = decoyHash(s.Argon2)
	}
	if len(password) > maxPasswordBytes || !s.check(hash, password) || st.user == nil {
		until, err := s.recordFailure(ctx, st.user, addr)
		if err != nil {
			return nil, "", err
		}
		if !until.IsZero() {
			return nil, "", lockedError(until)
		}
		return nil, "", errWrongPassword
	}
	if st.user.Disabled {
		return nil, "", errDisabled
	}
	secret, err := s.openSession(ctx, st.user, addr, userAgent)
	if err != nil {
		return nil, "", err
	}
	return st.user, secret, nil
}

func (s *UserService) loginState(ctx context.Context, login, addr string) (*loginState, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st := &loginState{now: tx.now}
	var locked sql.NullTime
	err = tx.QueryRowContext(ctx, `SELECT locked_until FROM login_failures WHERE addr = ?`, addr).Scan(&locked)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, tx.db.translate(err)
	}
	st.addrLocked = locked.Time
	row := tx.QueryRowContext(ctx, `SELECT `+userColumns+`, `+placeColumnsOf("s")+`, u.password_hash`+userFrom+`u.login = ?`, login)
	var u frontline.User
	var sp frontline.Place
	locked = sql.NullTime{}
	err = row.Scan(&u.ID, &u.Login, &u.Name, &u.Phone, &u.Role, &u.ScopeID, &u.Disabled, &u.Language,
		&u.FailedLogins, &locked, &u.CreatedAt, &u.UpdatedAt,
		&sp.ID, &sp.ParentID, &sp.Kind, &sp.Name, &sp.Code, &sp.Path,
		&sp.Households, &sp.Residents, &sp.Vulnerable, &sp.CreatedAt, &sp.UpdatedAt, &st.hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return st, nil
	case err != nil:
		return nil, tx.db.translate(err)
	}
	u.LockedUntil, u.Scope = locked.Time, &sp
	st.user = &u
	return st, nil
}

// recordFailure counts a failed sign-in against the address and the
// account, and locks either once it reaches the policy's limit within the
// window. It returns the time a lock it set ends, or zero. Each count is
// one statement, so sign-ins racing on several app servers do not lose
// failures.
func (s *UserService) recordFailure(ctx context.Context, u *frontline.User, addr string) (time.Time, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return time.Time{}, err
	}
	defer tx.Rollback()
	windowStart := tx.now.Add(-s.policy.Window)
	until := tx.now.Add(s.policy.LockFor)
	var locked time.Time
	if addr != "" {
		addrLocked, err := tx.countAddressFailure(ctx, addr, windowStart, until, s.policy.MaxFailures)
		if err != nil {
			return time.Time{}, err
		}
		if addrLocked {
			locked = until
		}
	}
	if u != nil {
		if err := tx.countAccountFailure(ctx, u, windowStart, until, s.policy.MaxFailures, addr); err != nil {
			return time.Time{}, err
		}
		if !u.LockedUntil.IsZero() {
			locked = until
		}
	}
	return locked, tx.Commit()
}

// recordAccountFailure counts a wrong password against the account alone,
// as recordFailure does, and returns the time a lock it set ends, or zero.
// It is for a signed-in user getting their current password wrong: they
// can guess no other account's password that way, so the address count,
// which stops one client from trying many logins, is left alone, and a
// colleague behind the same address can still sign in.
func (s *UserService) recordAccountFailure(ctx context.Context, u *frontline.User, addr string) (time.Time, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return time.Time{}, err
	}
	defer tx.Rollback()
	until := tx.now.Add(s.policy.LockFor)
	if err := tx.countAccountFailure(ctx, u, tx.now.Add(-s.policy.Window), until, s.policy.MaxFailures, addr); err != nil {
		return time.Time{}, err
	}
	if u.LockedUntil.IsZero() {
		return time.Time{}, tx.Commit()
	}
	return until, tx.Commit()
}

// countAddressFailure adds a failure to addr's count, and locks the
// address when the count reaches max. It reports whether it set a lock.
func (tx *Tx) countAddressFailure(ctx context.Context, addr string, windowStart, until time.Time, maxFailures int) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO login_failures (addr, window_start, failures) VALUES (?, ?, 1)
		ON CONFLICT (addr) DO UPDATE SET
			failures = CASE WHEN login_failures.window_start <= ? THEN 1 ELSE login_failures.failures + 1 END,
			window_start = CASE WHEN login_failures.window_start <= ? THEN excluded.window_start ELSE login_failures.window_start END
		RETURNING failures`, addr, tx.now, windowStart, windowStart).Scan(&n); err != nil {
		return false, tx.db.translate(err)
	}
	if n < maxFailures {
		return false, nil
	}
	// The count starts again when the lock ends.
	if _, err := tx.ExecContext(ctx, `UPDATE login_failures SET locked_until = ?, failures = 0 WHERE addr = ?`, until, addr); err != nil {
		return false, err
	}
	return true, nil
}

// countAccountFailure adds a failure to u's count, and locks the account
// (recording the lock in the audit log) when the count reaches max.
func (tx *Tx) countAccountFailure(ctx context.Context, u *frontline.User, windowStart, until time.Time, maxFailures int, addr string) error {
	if err := tx.QueryRowContext(ctx, `
		UPDATE users SET
			failed_logins = CASE WHEN failures_since IS NULL OR failures_since <= ? THEN 1 ELSE failed_logins + 1 END,
			failures_since = CASE WHEN failures_since IS NULL OR failures_since <= ? THEN ? ELSE failures_since END
		WHERE id = ? RETURNING failed_logins`, windowStart, windowStart, tx.now, u.ID).Scan(&u.FailedLogins); err != nil {
		return tx.db.translate(err)
	}
	u.LockedUntil = time.Time{}
	if u.FailedLogins < maxFailures {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = ?, failed_logins = 0, failures_since = NULL WHERE id = ?`,
		until, u.ID); err != nil {
		return err
	}
	u.LockedUntil = until
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "system", Addr: addr})
	return tx.audit(ctx, "lock", "user", u.ID, u.Scope.Path, nil,
		map[string]any{"locked_until": until, "failures": u.FailedLogins})
}

// touchEvery is how stale a session's last_seen or a token's last_used
// may get before a request writes it again: a write per request would
// make every page view a write.
const touchEvery = time.Minute

// openSession resets the account's failure count, stores a new session
// and records the sign-in, and returns the session's secret. Expired
// sessions and stale failure counts are swept here: sign-ins are rare
// enough to carry the cost, and no background job is needed.
func (s *UserService) openSession(ctx context.Context, u *frontline.User, addr, userAgent string) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, failures_since = NULL, locked_until = NULL
		WHERE id = ? AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, u.ID); err != nil {
		return "", err
	}
	u.FailedLogins, u.LockedUntil = 0, time.Time{}
	if len(userAgent) > 500 {
		userAgent = userAgent[:500]
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen, addr, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		hashSecret(secret), u.ID, tx.now, tx.now.Add(s.policy.SessionMax), tx.now, addr, userAgent); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, tx.now); err != nil {
		return "", err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE window_start <= ? AND (locked_until IS NULL OR locked_until <= ?)`,
		tx.now.Add(-s.policy.Window), tx.now); err != nil {
		return "", err
	}
	ctx = frontline.WithActor(ctx, frontline.Actor{UserID: u.ID, Name: u.Login, Addr: addr})
	if err := tx.audit(ctx, "login", "user", u.ID, u.Scope.Path, nil, nil); err != nil {
		return "", err
	}
	return secret, tx.Commit()
}

// Authenticate resolves a session secret to its principal. A session ends
// SessionTTL after its last use and SessionMax after sign-in; a disabled
// user's sessions are refused even if one survived. last_seen is written
// at most once every touchEvery.
func (s *UserService) Authenticate(ctx context.Context, secret string) (*frontline.Principal, error) {
	if secret == "" {
		return nil, errSessionEnded
	}
	id := hashSecret(secret)
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p := &frontline.Principal{SessionID: id}
	var expires, lastSeen time.Time
	var disabled bool
	err = tx.QueryRowContext(ctx, `SELECT s.expires_at, s.last_seen, s.addr, u.id, u.login, u.role, u.scope_id, u.disabled, pl.path
		FROM sessions s JOIN users u ON u.id = s.user_id JOIN places pl ON pl.id = u.scope_id
		WHERE s.id = ?`, id).Scan(&expires, &lastSeen, &p.Addr, &p.UserID, &p.Login, &p.Role, &p.ScopeID, &disabled, &p.ScopePath)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSessionEnded
	} else if err != nil {
		return nil, tx.db.translate(err)
	}
	now := tx.now
	if disabled || !now.Before(expires) || now.Sub(lastSeen) >= s.policy.SessionTTL {
		return nil, errSessionEnded
	}
	tx.Rollback()
	if now.Sub(lastSeen) >= touchEvery {
		if err := s.touch(ctx, `UPDATE sessions SET last_seen = ? WHERE id = ?`, now, id); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// touch runs one small write of a last-use time in its own transaction.
func (s *UserService) touch(ctx context.Context, query string, args ...any) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, query, args...); err != nil {
		return err
	}
	return tx.Commit()
}

// Logout ends the session of secret. Ending a session that has already
// ended is not an error: the result is the same.
func (s *UserService) Logout(ctx context.Context, secret string) error {
	return s.touch(ctx, `DELETE FROM sessions WHERE id = ?`, hashSecret(secret))
}

// LogoutAll ends every session of a user: "sign out everywhere" for
// themselves, or an admin's answer to a lost phone.
func (s *UserService) LogoutAll(ctx context.Context, userID int64) error {
	if !isSelf(ctx, userID) {
		if err := authorize(ctx, frontline.PermManageUsers); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := tx.findUserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !isSelf(ctx, userID) {
		if err := checkManage(ctx, u.Role); err != nil {
			return err
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID)
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	if err := tx.audit(ctx, "logout_all", "user", u.ID, u.Scope.Path, nil, map[string]any{"sessions": n}); err != nil {
		return err
	}
	return tx.Commit()
}
