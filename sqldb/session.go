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
// which limit holds; web tells a lock apart by the frontline.LockError it
// wraps and says the time in the deployment's time zone.
func lockedError(until time.Time) error {
	return &frontline.Error{Code: frontline.EUNAUTHORIZED, Err: &frontline.LockError{Until: until},
		Message: "too many failed sign-ins: signing in is locked until " + lockEnd(until)}
}

// lockEnd writes the end of a lock for a message, rounded up to the
// minute, so that trying again at the minute shown works.
func lockEnd(until time.Time) string {
	return frontline.LockEndMinute(until).UTC().Format("2006-01-02 15:04") + " UTC"
}

// maxPasswordBytes is the longest password a sign-in checks; anything
// longer cannot be a valid password (ValidatePassword allows 200
// characters) and is refused without hashing.
const maxPasswordBytes = 4 * 200

// Login checks a password and on success opens a session whose secret it
// returns. Before the password is hashed, the gate admits the sign-in
// (errBusy, EUNAVAILABLE, when too many are under way) and the attempt is
// counted against the policy's limits in one transaction (a lock refuses
// it with the lock's end). The hash itself runs outside any transaction:
// it takes tens of milliseconds and SQLite has one writer.
func (s *UserService) Login(ctx context.Context, login, password, addr, userAgent string) (*frontline.User, string, error) {
	login = normalizeLogin(login)
	leave, err := s.gate.enter(login, addr)
	if err != nil {
		return nil, "", err
	}
	defer leave()
	a, err := s.takeAttempt(ctx, signInKeys(login, addr))
	if err != nil {
		return nil, "", err
	}
	u, hash, err := s.loginUser(ctx, login)
	if err != nil {
		return nil, "", err
	}
	ok := false
	// A login that cannot exist, or a password longer than any valid one,
	// is wrong without a hash. Any other unknown login is checked against
	// a decoy, so the time taken does not tell which logins exist.
	if frontline.CheckLogin(login) == nil && len(password) <= maxPasswordBytes {
		if u == nil {
			hash = decoyHash(s.Argon2)
		}
		if ok, err = s.check(ctx, hash, password); err != nil {
			if rerr := s.refundAttempt(ctx, a); rerr != nil {
				s.db.logger.Warn("refund a sign-in attempt", "err", rerr)
			}
			return nil, "", err
		}
	}
	if !ok || u == nil {
		until, err := s.failAttempt(ctx, a, u)
		if err != nil {
			return nil, "", err
		}
		if !until.IsZero() {
			return nil, "", lockedError(until)
		}
		return nil, "", errWrongPassword
	}
	if u.Disabled {
		return nil, "", errDisabled
	}
	secret, err := s.openSession(ctx, u, addr, userAgent, a)
	if err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

// loginUser reads the account of login and its password hash; an unknown
// login is a nil user, not an error.
func (s *UserService) loginUser(ctx context.Context, login string) (*frontline.User, string, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	var hash string
	u, err := scanUserWith(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, `+placeColumnsOf("s")+`, u.password_hash`+userFrom+`u.login = ?`, login), &hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, "", nil
	case err != nil:
		return nil, "", tx.db.translate(err)
	}
	return u, hash, nil
}

// touchEvery is how stale a session's last_seen or a token's last_used
// may get before a request writes it again: a write per request would
// make every page view a write.
const touchEvery = time.Minute

// openSession stores a new session and records the sign-in, forgives the
// attempt's client its failures (forgiveAttempt), and returns the
// session's secret. Expired sessions and stale sign-in counters are swept
// here: sign-ins are rare enough to carry the cost, and no background job
// is needed.
func (s *UserService) openSession(ctx context.Context, u *frontline.User, addr, userAgent string, a *attempt) (string, error) {
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	// The counters first, in the order every sign-in takes them.
	if err := tx.forgiveAttempt(ctx, a); err != nil {
		return "", err
	}
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
	if err := tx.sweepLimits(ctx, tx.now.Add(-max(s.policy.Window, s.policy.AccountWindow))); err != nil {
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
