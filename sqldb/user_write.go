package sqldb

import (
	"context"
	"errors"
	"time"

	"github.com/frontline-org/frontline"
)

// profileOnly reports whether upd changes only what a user may change
// about themselves.
func profileOnly(upd frontline.UserUpdate) bool {
	return upd.Role == nil && upd.ScopeID == nil && upd.Disabled == nil
}

func applyUserUpdate(u *frontline.User, upd frontline.UserUpdate) {
	if upd.Name != nil {
		u.Name = *upd.Name
	}
	if upd.Phone != nil {
		u.Phone = *upd.Phone
	}
	if upd.Role != nil {
		u.Role = *upd.Role
	}
	if upd.ScopeID != nil {
		u.ScopeID = *upd.ScopeID
	}
	if upd.Disabled != nil {
		u.Disabled = *upd.Disabled
	}
	if upd.Language != nil {
		u.Language = *upd.Language
	}
}

// UpdateUser changes a user. Disabling them, or changing their role or
// scope, ends their sessions in the same transaction: what they could do
// when they signed in is no longer what they may do.
func (s *UserService) UpdateUser(ctx context.Context, id int64, upd frontline.UserUpdate) (*frontline.User, error) {
	self := isSelf(ctx, id)
	if !self || !profileOnly(upd) {
		if err := authorize(ctx, frontline.PermManageUsers); err != nil {
			return nil, err
		}
	}
	if self && upd.Disabled != nil && *upd.Disabled {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "you cannot disable your own account")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	u, err := tx.findUserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !self {
		if err := checkManage(ctx, u.Role); err != nil {
			return nil, err
		}
	}
	old := *u
	applyUserUpdate(u, upd)
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if u.Role != old.Role || u.ScopeID != old.ScopeID {
		if u.Scope, err = tx.checkGrant(ctx, u.Role, u.ScopeID); err != nil {
			return nil, err
		}
	}
	before, after := changedFields(userFields(&old), userFields(u))
	if len(after) == 0 && u.Phone == old.Phone {
		return u, nil
	}
	u.UpdatedAt = tx.now
	if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, phone = ?, role = ?, scope_id = ?, disabled = ?,
		language = ?, updated_at = ? WHERE id = ?`,
		u.Name, u.Phone, string(u.Role), u.ScopeID, u.Disabled, u.Language, tx.now, u.ID); err != nil {
		return nil, err
	}
	if u.Role != old.Role || u.ScopeID != old.ScopeID || (u.Disabled && !old.Disabled) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return nil, err
		}
	}
	action := "update"
	if u.Disabled != old.Disabled {
		action = map[bool]string{true: "disable", false: "enable"}[u.Disabled]
	}
	if err := tx.audit(ctx, action, "user", u.ID, u.Scope.Path, before, after); err != nil {
		return nil, err
	}
	return u, tx.Commit()
}

// SetPassword is an admin's reset of another user's password: it lifts a
// lock on the account and ends the user's sessions, so whoever knew the
// old password is signed out. One's own password is changed with
// ChangePassword, which asks for the current one: otherwise whoever took
// over an admin's open session could take the account too.
func (s *UserService) SetPassword(ctx context.Context, id int64, password string) error {
	if isSelf(ctx, id) {
		return frontline.Errorf(frontline.EFORBIDDEN, "change your own password on your account page, with your current password")
	}
	if err := authorize(ctx, frontline.PermManageUsers); err != nil {
		return err
	}
	if err := frontline.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	u, err := tx.findUserByID(ctx, id)
	if err != nil {
		return err
	}
	if err := checkManage(ctx, u.Role); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, locked_until = NULL, updated_at = ? WHERE id = ?`,
		hash, tx.now, u.ID); err != nil {
		return err
	}
	if err := tx.clearLimits(ctx, u.Login); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, "password", "user", u.ID, u.Scope.Path, nil, nil); err != nil {
		return err
	}
	return tx.Commit()
}

// Answers of ChangePassword about the current password. The caller is
// signed in, so they are about a field of the form, not about who is
// calling: EINVALID and EFORBIDDEN next to the field, not EUNAUTHORIZED,
// which would tell a client its session or token is no good.
var errWrongCurrent = &frontline.Error{Code: frontline.EINVALID, Field: "current_password",
	Message: "the current password is wrong", Err: frontline.ErrWrongPassword}

func changeLockedError(until time.Time) error {
	return &frontline.Error{Code: frontline.EFORBIDDEN, Field: "current_password", Err: &frontline.LockError{Until: until},
		Message: "too many wrong passwords: the account is locked until " + lockEnd(until)}
}

// ChangePassword replaces the signed-in user's own password once the
// current one checks out. The current password guards the change against
// whoever finds a browser left signed in, so it is held to the sign-in's
// rules: a wrong one counts against the account, and a locked account
// takes not even the right one. On success the count is reset and the
// user's other sessions end; the session that made the change stays.
func (s *UserService) ChangePassword(ctx context.Context, current, password string) error {
	p := frontline.PrincipalFrom(ctx)
	if p == nil {
		return frontline.Errorf(frontline.EUNAUTHORIZED, "sign in to change your password")
	} else if p.UserID == 0 {
		return frontline.Errorf(frontline.EFORBIDDEN, "a device token has no password to change")
	}
	// The new password is checked first: it costs no hash, and a refusal
	// of it says nothing about the current one.
	if err := frontline.ValidatePassword(password); err != nil {
		return err
	}
	u, oldHash, err := s.passwordOf(ctx, p.UserID)
	if err != nil {
		return err
	}
	leave, err := s.gate.enter(u.Login, p.Addr)
	if err != nil {
		return err
	}
	defer leave()
	// The account's own limits, not the address's: the caller can guess
	// no other account's password this way, and a colleague behind the
	// same address must still be able to sign in.
	a, err := s.takeAttempt(ctx, []limitKey{{kind: frontline.LimitAccount, login: u.Login},
		{kind: frontline.LimitClient, login: u.Login, addr: p.Addr}})
	if err != nil {
		var lock *frontline.LockError
		if errors.As(err, &lock) {
			return changeLockedError(lock.Until)
		}
		return err
	}
	ok := false
	if len(current) <= maxPasswordBytes {
		if ok, err = s.check(ctx, oldHash, current); err != nil {
			if rerr := s.refundAttempt(ctx, a); rerr != nil {
				s.db.logger.Warn("refund a password check", "err", rerr)
			}
			return err
		}
	}
	if !ok {
		until, err := s.failAttempt(ctx, a, u)
		if err != nil {
			return err
		} else if !until.IsZero() {
			return changeLockedError(until)
		}
		return errWrongCurrent
	}
	if u.Disabled {
		return errDisabled
	}
	// Hash before the transaction: on SQLite it holds the one writer.
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	return s.replacePassword(ctx, u, oldHash, hash, p.SessionID)
}

// passwordOf reads a user and their password hash.
func (s *UserService) passwordOf(ctx context.Context, id int64) (*frontline.User, string, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, "", err
	}
	defer tx.Rollback()
	u, err := tx.findUserByID(ctx, id)
	if err != nil {
		return nil, "", err
	}
	var hash string
	if err := tx.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&hash); err != nil {
		return nil, "", tx.db.translate(err)
	}
	return u, hash, nil
}

// replacePassword stores the new hash of a self-service change, ends every
// session of the user but keep, and records the change. It writes only while
// the stored hash is still oldHash: the current password was checked
// outside the transaction, and a password someone set in between (an
// admin's reset, a change from another device) must not be overwritten on
// the strength of the password it replaced.
func (s *UserService) replacePassword(ctx context.Context, u *frontline.User, oldHash, hash, keep string) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, locked_until = NULL, updated_at = ?
		WHERE id = ? AND password_hash = ?`, hash, tx.now, u.ID, oldHash)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return frontline.Errorf(frontline.ECONFLICT, "the password was changed meanwhile; sign in again with the new one")
	}
	if err := tx.clearLimits(ctx, u.Login); err != nil {
		return err
	}
	res, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, u.ID, keep)
	if err != nil {
		return err
	}
	ended, err := res.RowsAffected()
	if err != nil {
		return err
	}
	// The log says how many other sessions ended; nothing of either
	// password is written.
	if err := tx.audit(ctx, "password", "user", u.ID, u.Scope.Path, nil, map[string]any{"sessions": ended}); err != nil {
		return err
	}
	return tx.Commit()
}
