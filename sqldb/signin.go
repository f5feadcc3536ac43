package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/frontline-org/frontline"
)

// A sign-in is limited three ways (frontline.LoginPolicy), each counted in
// login_limits so that the limits hold across every app server on one
// database. An attempt is counted, and refused past a limit, in one
// transaction before its password is hashed: attempts sent at once cannot
// all slip past a check that reads the count first and writes it after
// the hash. A success forgives the failures of its own client.

// limitKey names one counter of login_limits.
type limitKey struct {
	kind  frontline.LoginLimitKind
	login string // "" for the address limit
	addr  string // "" for the account limit
}

// signInKeys returns the counters of an attempt to sign in as login from
// addr, in the one order every transaction takes them (account, client,
// address), so two sign-ins never wait on each other in a cycle. A login
// that cannot exist is counted against the address alone: there is no
// account to protect, and a flood of made-up logins must not fill the
// table with counters. An empty addr (a caller that has none) has no
// address counter.
func signInKeys(login, addr string) []limitKey {
	var keys []limitKey
	if frontline.CheckLogin(login) == nil {
		keys = append(keys, limitKey{kind: frontline.LimitAccount, login: login},
			limitKey{kind: frontline.LimitClient, login: login, addr: addr})
	}
	if addr != "" {
		keys = append(keys, limitKey{kind: frontline.LimitAddress, addr: addr})
	}
	return keys
}

// attempt is a sign-in attempt counted before its password is checked.
type attempt struct {
	keys []limitKey
	// counts are the attempts of each key's window, this one included.
	counts []int
}

// clientCount returns the attempts of the attempt's client counter: its
// own and the failures before it.
func (a *attempt) clientCount() int {
	for i, k := range a.keys {
		if k.kind == frontline.LimitClient {
			return a.counts[i]
		}
	}
	return 0
}

// takeAttempt counts an attempt against each key, or refuses it with the
// end of the lock that holds. A refused attempt counts nothing: only the
// attempts that get checked can lock.
func (s *UserService) takeAttempt(ctx context.Context, keys []limitKey) (*attempt, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a := &attempt{keys: keys, counts: make([]int, len(keys))}
	var refused time.Time
	next := make([]frontline.LoginCount, len(keys))
	for i, k := range keys {
		c, err := tx.lockLimit(ctx, k)
		if err != nil {
			return nil, err
		}
		n, until := s.policy.Limit(k.kind).Take(c, tx.now)
		if until.After(refused) {
			refused = until
		}
		next[i], a.counts[i] = n, n.Attempts
	}
	if !refused.IsZero() {
		return nil, lockedError(refused)
	}
	for i, k := range keys {
		if _, err := tx.ExecContext(ctx, `UPDATE login_limits SET window_start = ?, attempts = ?
			WHERE kind = ? AND login = ? AND addr = ?`, next[i].WindowStart, next[i].Attempts, k.kind, k.login, k.addr); err != nil {
			return nil, err
		}
	}
	return a, tx.Commit()
}

// lockLimit reads a counter and holds its row until the transaction ends.
// The write that does nothing is what takes the row on PostgreSQL (SQLite
// has one writer anyway); a counter seen for the first time is created.
func (tx *Tx) lockLimit(ctx context.Context, k limitKey) (frontline.LoginCount, error) {
	var c frontline.LoginCount
	var locked sql.NullTime
	err := tx.QueryRowContext(ctx, `
		INSERT INTO login_limits (kind, login, addr, window_start, attempts) VALUES (?, ?, ?, ?, 0)
		ON CONFLICT (kind, login, addr) DO UPDATE SET attempts = login_limits.attempts
		RETURNING window_start, attempts, locked_until`, k.kind, k.login, k.addr, tx.now).Scan(&c.WindowStart, &c.Attempts, &locked)
	if err != nil {
		return c, tx.db.translate(err)
	}
	c.LockedUntil = locked.Time
	return c, nil
}

// failAttempt records that an attempt's password was wrong: each limit
// whose last allowed attempt it was is locked, once, with an entry in the
// audit log. It returns the end of the latest lock it set, or zero.
func (s *UserService) failAttempt(ctx context.Context, a *attempt, u *frontline.User) (time.Time, error) {
	var locks []int
	for i, k := range a.keys {
		if s.policy.Limit(k.kind).Locks(a.counts[i]) {
			locks = append(locks, i)
		}
	}
	if len(locks) == 0 {
		return time.Time{}, nil
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return time.Time{}, err
	}
	defer tx.Rollback()
	var latest time.Time
	for _, i := range locks {
		k := a.keys[i]
		lock := s.policy.Limit(k.kind).Lock(tx.now)
		// Only the failure that finds the limit open locks it: attempts
		// checked at the same time as this one must not lock it again.
		res, err := tx.ExecContext(ctx, `UPDATE login_limits SET window_start = ?, attempts = 0, locked_until = ?
			WHERE kind = ? AND login = ? AND addr = ? AND (locked_until IS NULL OR locked_until <= ?)`,
			lock.WindowStart, lock.LockedUntil, k.kind, k.login, k.addr, tx.now)
		if err != nil {
			return time.Time{}, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return time.Time{}, err
		} else if n == 0 {
			continue
		}
		if err := tx.auditLock(ctx, k, u, lock.LockedUntil, a.counts[i]); err != nil {
			return time.Time{}, err
		}
		if lock.LockedUntil.After(latest) {
			latest = lock.LockedUntil
		}
	}
	return latest, tx.Commit()
}

// auditLock records a lock. A lock of one account (from every client or
// from one) is filed under the account, and the whole account's also
// shows on the account (users.locked_until) until it ends or a new
// password lifts it. A lock of an address, or of a login no account has,
// is filed under the top of the place tree, where whoever runs the whole
// deployment reads it.
func (tx *Tx) auditLock(ctx context.Context, k limitKey, u *frontline.User, until time.Time, attempts int) error {
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "system", Addr: k.addr})
	after := map[string]any{"limit": string(k.kind), "locked_until": until, "failures": attempts}
	if k.addr != "" {
		after["addr"] = k.addr
	}
	if u != nil && k.kind != frontline.LimitAddress {
		if k.kind == frontline.LimitAccount {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = ? WHERE id = ?`, until, u.ID); err != nil {
				return err
			}
			u.LockedUntil = until
		}
		return tx.audit(ctx, "lock", "user", u.ID, u.Scope.Path, nil, after)
	}
	path, err := tx.topPath(ctx)
	if err != nil {
		return err
	}
	entity := "login_address"
	if k.kind != frontline.LimitAddress {
		entity, after["login"] = "login", k.login
	}
	return tx.audit(ctx, "lock", entity, 0, path, nil, after)
}

// topPath returns the path of the first top node of the place tree, or
// "" when there is none yet.
func (tx *Tx) topPath(ctx context.Context) (string, error) {
	var path string
	err := tx.QueryRowContext(ctx, `SELECT path FROM places WHERE parent_id IS NULL ORDER BY id LIMIT 1`).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return path, tx.db.translate(err)
}

// forgiveAttempt is a success: the client's counter ends, and its
// failures, the typos of the person who now got it right, no longer count
// against the account or the address. Failures from other clients stay.
// It runs in the transaction that opens the session.
func (tx *Tx) forgiveAttempt(ctx context.Context, a *attempt) error {
	n := a.clientCount()
	for _, k := range a.keys {
		var err error
		if k.kind == frontline.LimitClient {
			_, err = tx.ExecContext(ctx, `DELETE FROM login_limits WHERE kind = ? AND login = ? AND addr = ?`, k.kind, k.login, k.addr)
		} else {
			err = tx.uncount(ctx, k, max(n, 1))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// uncount takes n attempts off a counter.
func (tx *Tx) uncount(ctx context.Context, k limitKey, n int) error {
	_, err := tx.ExecContext(ctx, `UPDATE login_limits SET attempts = CASE WHEN attempts > ? THEN attempts - ? ELSE 0 END
		WHERE kind = ? AND login = ? AND addr = ?`, n, n, k.kind, k.login, k.addr)
	return err
}

// refundAttempt takes back an attempt that was counted but never checked
// (the server was too busy to hash it): it was no guess.
func (s *UserService) refundAttempt(ctx context.Context, a *attempt) error {
	// The request's context may be what ended; the refund must land anyway.
	ctx = context.WithoutCancel(ctx)
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, k := range a.keys {
		if err := tx.uncount(ctx, k, 1); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// clearLimits ends the counters and locks of a login: a new password
// makes every guess of the old one moot.
func (tx *Tx) clearLimits(ctx context.Context, login string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_limits WHERE login = ?`, login)
	return err
}

// sweepLimits forgets counters whose window and lock have both ended.
func (tx *Tx) sweepLimits(ctx context.Context, oldest time.Time) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_limits WHERE window_start <= ? AND (locked_until IS NULL OR locked_until <= ?)`,
		oldest, tx.now)
	return err
}
