package sqldb

import (
	"context"
	"database/sql"
	"runtime"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.UserService = (*UserService)(nil)

// UserService stores users, their sessions and device tokens.
//
// Calls on behalf of a principal need PermManageUsers, see only users and
// tokens whose scope node is inside the principal's (others are
// ENOTFOUND), and may grant only roles the principal's role CanGrant and
// scopes inside its own (EFORBIDDEN). A user may always read themselves,
// change their own name, phone, language and password. Every change is
// written to the audit log in its transaction, filed under the user's or
// token's scope node; password hashes never are.
type UserService struct {
	db     *DB
	policy frontline.LoginPolicy
	// Argon2 is the cost of new password hashes; tests lower it.
	Argon2 Argon2Params
	// gate bounds the hashes computed at once (hashgate.go).
	gate *hashGate
}

// NewUserService returns a UserService on db. Zero fields of policy take
// the values of frontline.DefaultLoginPolicy.
func NewUserService(db *DB, policy frontline.LoginPolicy) *UserService {
	// A hash runs on Argon2.Threads cores: more hashes at once than the
	// cores can take only make each slower.
	return &UserService{db: db, policy: policy.WithDefaults(), Argon2: DefaultArgon2(),
		gate: newHashGate(max(1, runtime.GOMAXPROCS(0)/int(DefaultArgon2().Threads)))}
}

// hash hashes a new password, waiting for a slot of the gate.
func (s *UserService) hash(ctx context.Context, password string) (string, error) {
	var hash string
	var err error
	if werr := s.gate.wait(ctx, func() { hash, err = hashPassword(password, s.Argon2) }); werr != nil {
		return "", werr
	}
	return hash, err
}

// check compares a password with a hash in a slot of the gate. A sign-in
// waits at most the gate's maxWait and is refused with errBusy after.
func (s *UserService) check(ctx context.Context, encoded, password string) (bool, error) {
	ok := false
	err := s.gate.run(ctx, func() { ok = checkPassword(encoded, password) })
	return ok, err
}

const userColumns = `u.id, u.login, u.name, u.phone, u.role, u.scope_id, u.disabled, u.language,
	u.locked_until, u.created_at, u.updated_at`

const userFrom = ` FROM users u JOIN places s ON s.id = u.scope_id WHERE `

func scanUser(sc interface{ Scan(...any) error }) (*frontline.User, error) {
	return scanUserWith(sc)
}

// scanUserWith scans a user, its scope and the extra columns selected
// after them.
func scanUserWith(sc interface{ Scan(...any) error }, extra ...any) (*frontline.User, error) {
	var u frontline.User
	var sp frontline.Place
	var locked sql.NullTime
	if err := sc.Scan(append([]any{&u.ID, &u.Login, &u.Name, &u.Phone, &u.Role, &u.ScopeID, &u.Disabled, &u.Language,
		&locked, &u.CreatedAt, &u.UpdatedAt,
		&sp.ID, &sp.ParentID, &sp.Kind, &sp.Name, &sp.Code, &sp.Path,
		&sp.Households, &sp.Residents, &sp.Vulnerable, &sp.CreatedAt, &sp.UpdatedAt}, extra...)...); err != nil {
		return nil, err
	}
	if locked.Valid {
		u.LockedUntil = locked.Time.UTC()
	}
	u.Scope = &sp
	return &u, nil
}

// userFields are the fields recorded in the audit log: never the password
// hash, and the phone masked.
func userFields(u *frontline.User) map[string]any {
	return map[string]any{
		"login": u.Login, "name": u.Name, "phone": frontline.MaskPhone(u.Phone), "role": u.Role,
		"scope_id": u.ScopeID, "disabled": u.Disabled, "language": u.Language,
	}
}

// isSelf reports whether ctx's principal is the user id.
func isSelf(ctx context.Context, id int64) bool {
	p := frontline.PrincipalFrom(ctx)
	return p != nil && p.UserID != 0 && p.UserID == id
}

// normalizeLogin folds a login as User.Validate does, so a sign-in finds
// the account however its letters were typed.
func normalizeLogin(login string) string {
	return strings.ToLower(strings.TrimSpace(frontline.FoldWidth(login)))
}

// CreateUser adds a user with a password.
func (s *UserService) CreateUser(ctx context.Context, u *frontline.User, password string) error {
	if err := authorize(ctx, frontline.PermManageUsers); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := frontline.ValidatePassword(password); err != nil {
		return err
	}
	// Hash before the transaction: on SQLite it holds the one writer.
	hash, err := s.hash(ctx, password)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	scope, err := tx.checkGrant(ctx, u.Role, u.ScopeID)
	if err != nil {
		return err
	}
	u.Disabled = false
	u.CreatedAt, u.UpdatedAt = tx.now, tx.now
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO users (login, name, phone, role, scope_id, disabled, language, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Login, u.Name, u.Phone, string(u.Role), u.ScopeID, false, u.Language, hash, tx.now, tx.now).Scan(&u.ID); err != nil {
		if err = tx.db.translate(err); frontline.ErrorCode(err) == frontline.ECONFLICT {
			return &frontline.Error{Code: frontline.ECONFLICT, Field: "login", Message: "the login " + u.Login + " is taken", Err: err}
		}
		return err
	}
	u.Scope = scope
	if err := tx.audit(ctx, "create", "user", u.ID, scope.Path, nil, userFields(u)); err != nil {
		return err
	}
	return tx.Commit()
}

// checkGrant returns the scope node for a user or token being given role
// and scope scopeID, refusing a role the principal may not grant or a
// scope outside theirs. A scope that does not exist is refused in the same
// words as one outside, so the answer reveals nothing beyond the scope.
func (tx *Tx) checkGrant(ctx context.Context, role frontline.Role, scopeID int64) (*frontline.Place, error) {
	scope, err := tx.placeByID(ctx, scopeID)
	if err != nil && frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return nil, err
	}
	p := frontline.PrincipalFrom(ctx)
	if p == nil {
		if err != nil {
			return nil, frontline.FieldError("scope_id", "there is no place %d", scopeID)
		}
		return scope, nil
	}
	if !p.Role.CanGrant(role) {
		return nil, &frontline.Error{Code: frontline.EFORBIDDEN, Field: "role",
			Message: "your role (" + string(p.Role) + ") may not grant the role " + string(role)}
	}
	if err != nil || !p.InScope(scope.Path) {
		return nil, &frontline.Error{Code: frontline.EFORBIDDEN, Field: "scope_id",
			Message: "the scope must be your own area or a place inside it"}
	}
	return scope, nil
}

// checkManage refuses a principal changing a user or token whose current
// role is above what they may grant: a secretary does not reset the
// password of a district admin who happens to work in their community.
func checkManage(ctx context.Context, role frontline.Role) error {
	if p := frontline.PrincipalFrom(ctx); p != nil && !p.Role.CanGrant(role) {
		return frontline.Errorf(frontline.EFORBIDDEN, "your role (%s) may not change an account with the role %s", p.Role, role)
	}
	return nil
}

// FindUserByID returns one user with their scope node.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*frontline.User, error) {
	if !isSelf(ctx, id) {
		if err := authorize(ctx, frontline.PermManageUsers); err != nil {
			return nil, err
		}
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findUserByID(ctx, id)
}

func (tx *Tx) findUserByID(ctx context.Context, id int64) (*frontline.User, error) {
	users, _, err := tx.findUsers(ctx, frontline.UserFilter{ID: &id})
	if err != nil {
		return nil, err
	} else if len(users) == 0 {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "user %d not found", id)
	}
	return users[0], nil
}

// FindUsers returns the matching users ordered by scope and login, and the
// total before paging.
func (s *UserService) FindUsers(ctx context.Context, f frontline.UserFilter) ([]*frontline.User, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageUsers)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	return tx.findUsers(ctx, f)
}

func (tx *Tx) findUsers(ctx context.Context, f frontline.UserFilter) ([]*frontline.User, int, error) {
	where, args := []string{"1 = 1"}, []any{}
	if v := f.ID; v != nil {
		where, args = append(where, "u.id = ?"), append(args, *v)
	}
	if v := f.Login; v != nil {
		where, args = append(where, "u.login = ?"), append(args, normalizeLogin(*v))
	}
	if v := f.Role; v != nil {
		where, args = append(where, "u.role = ?"), append(args, string(*v))
	}
	if v := f.Under; v != nil {
		top, err := tx.findPlaceByID(ctx, *v)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "s.path >= ? AND s.path < ?"), append(args, lo, hi)
	}
	where, args = andScope(ctx, "s.path", where, args)
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+userFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+userColumns+`, `+placeColumnsOf("s")+userFrom+cond+
		` ORDER BY s.path, u.login`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	users := make([]*frontline.User, 0)
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	return users, total, rows.Err()
}
