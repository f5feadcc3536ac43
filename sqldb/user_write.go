package sqldb

import (
	"context"

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

// SetPassword replaces a user's password, lifts a lock on the account and
// ends the user's other sessions: whoever knew the old password is signed
// out. A user changing their own password keeps the session they used.
func (s *UserService) SetPassword(ctx context.Context, id int64, password string) error {
	self := isSelf(ctx, id)
	if !self {
		if err := authorize(ctx, frontline.PermManageUsers); err != nil {
			return err
		}
	}
	if err := frontline.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := s.hash(password)
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
	if !self {
		if err := checkManage(ctx, u.Role); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, failed_logins = 0, failures_since = NULL,
		locked_until = NULL, updated_at = ? WHERE id = ?`, hash, tx.now, u.ID); err != nil {
		return err
	}
	keep := ""
	if p := frontline.PrincipalFrom(ctx); self {
		keep = p.SessionID
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, u.ID, keep); err != nil {
		return err
	}
	if err := tx.audit(ctx, "password", "user", u.ID, u.Scope.Path, nil, nil); err != nil {
		return err
	}
	return tx.Commit()
}
