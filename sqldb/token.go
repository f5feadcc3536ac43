package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// TokenPrefix starts every device token secret, so a leaked one is easy
// to recognise in a log or a repository scan.
const TokenPrefix = "fl_"

var errBadToken = frontline.Errorf(frontline.EUNAUTHORIZED, "unknown or revoked token")

const tokenColumns = `t.id, t.name, t.role, t.scope_id, t.created_at, t.created_by, t.revoked_at, t.last_used`

const tokenFrom = ` FROM api_tokens t JOIN places pl ON pl.id = t.scope_id WHERE `

func scanToken(sc interface{ Scan(...any) error }, extra ...any) (*frontline.Token, error) {
	var t frontline.Token
	var revoked, used sql.NullTime
	if err := sc.Scan(append([]any{&t.ID, &t.Name, &t.Role, &t.ScopeID, &t.CreatedAt, &t.CreatedBy, &revoked, &used}, extra...)...); err != nil {
		return nil, err
	}
	if revoked.Valid {
		t.RevokedAt = revoked.Time.UTC()
	}
	if used.Valid {
		t.LastUsed = used.Time.UTC()
	}
	return &t, nil
}

func tokenFields(t *frontline.Token) map[string]any {
	return map[string]any{"name": t.Name, "role": t.Role, "scope_id": t.ScopeID}
}

// CreateToken makes a device token and returns its secret, which is shown
// once: only its SHA-256 is stored.
func (s *UserService) CreateToken(ctx context.Context, t *frontline.Token) (string, error) {
	if err := authorize(ctx, frontline.PermManageUsers); err != nil {
		return "", err
	}
	// Not CleanName: a device's name is a label such as "枣园 采样台 1",
	// whose spaces matter, not a person's name.
	t.Name = strings.Join(strings.Fields(frontline.FoldWidth(t.Name)), " ")
	if err := frontline.CheckLine("name", t.Name); err != nil {
		return "", err
	}
	if t.Name == "" || len([]rune(t.Name)) > 100 {
		return "", frontline.FieldError("name", "a token needs a name of up to 100 characters, e.g. the station it is for")
	}
	if !t.Role.Valid() {
		return "", frontline.FieldError("role", "unknown role %q", t.Role)
	}
	body, err := newSecret()
	if err != nil {
		return "", err
	}
	secret := TokenPrefix + body
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	scope, err := tx.checkGrant(ctx, t.Role, t.ScopeID)
	if err != nil {
		return "", err
	}
	t.CreatedAt, t.CreatedBy = tx.now, frontline.ActorFrom(ctx).String()
	t.RevokedAt, t.LastUsed = time.Time{}, time.Time{}
	if err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (hash, name, role, scope_id, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		hashSecret(secret), t.Name, string(t.Role), t.ScopeID, tx.now, t.CreatedBy).Scan(&t.ID); err != nil {
		return "", tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "token", t.ID, scope.Path, nil, tokenFields(t)); err != nil {
		return "", err
	}
	return secret, tx.Commit()
}

// FindTokens returns the tokens whose scope is at or under the node under,
// revoked ones included, newest first. under 0 means the caller's whole
// scope (everything for the system).
func (s *UserService) FindTokens(ctx context.Context, under int64) ([]*frontline.Token, error) {
	s.db.flushTouches(ctx, true) // the list shows every use up to now
	tx, err := s.db.readTx(ctx, frontline.PermManageUsers)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if under != 0 {
		top, err := tx.findPlaceByID(ctx, under)
		if err != nil {
			return nil, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "pl.path >= ? AND pl.path < ?"), append(args, lo, hi)
	}
	where, args = andScope(ctx, "pl.path", where, args)
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+tokenFrom+strings.Join(where, " AND ")+` ORDER BY t.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tokens := make([]*frontline.Token, 0)
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	return tokens, rows.Err()
}

// RevokeToken ends a device token for good. Revoking a revoked token is not
// an error and records nothing.
func (s *UserService) RevokeToken(ctx context.Context, id int64) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageUsers)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var path string
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+`, pl.path`+tokenFrom+`t.id = ?`, id), &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return frontline.Errorf(frontline.ENOTFOUND, "token %d not found", id)
	} else if err != nil {
		return tx.db.translate(err)
	}
	if err := checkManage(ctx, t.Role); err != nil {
		return err
	}
	if !t.RevokedAt.IsZero() {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, tx.now, t.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, "revoke", "token", t.ID, path, tokenFields(t), map[string]any{"revoked_at": tx.now}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.db.tokens.clear()
	return nil
}

// AuthenticateToken resolves a device token's secret to its principal,
// whose Login is "token:" and the token's name (what its changes record).
// last_used is written at most once every touchEvery.
func (s *UserService) AuthenticateToken(ctx context.Context, secret string) (*frontline.Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) {
		return nil, errBadToken
	}
	hash := hashSecret(secret)
	if p := s.db.tokens.get(hash, s.db.Now()); p != nil {
		return p, nil
	}
	tx, err := s.db.beginQuickTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var path string
	t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+`, pl.path`+tokenFrom+`t.hash = ?`, hash), &path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadToken
	} else if err != nil {
		return nil, tx.db.translate(err)
	}
	if !t.RevokedAt.IsZero() {
		return nil, errBadToken
	}
	now := tx.now
	tx.Rollback()
	if now.Sub(t.LastUsed) >= touchEvery {
		s.db.touches.note(t.ID, now)
	}
	s.db.flushTouches(ctx, false)
	p := &frontline.Principal{TokenID: t.ID, Login: "token:" + t.Name, Role: t.Role, ScopeID: t.ScopeID, ScopePath: path}
	s.db.tokens.put(hash, p, now)
	return p, nil
}

// flushTouches writes the last_used of the device tokens used since the
// last flush, in one transaction, when touchFlush has passed (or force).
// last_used only informs the tokens page: a failed write is logged and
// the uses are dropped rather than failing a request.
func (db *DB) flushTouches(ctx context.Context, force bool) {
	pending := db.touches.take(db.Now(), force)
	if len(pending) == 0 {
		return
	}
	err := func() error {
		tx, err := db.BeginTx(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		for _, id := range sortedKeys(pending) { // in id order, the lock order
			if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used = ? WHERE id = ?`, pending[id], id); err != nil {
				return err
			}
		}
		return tx.Commit()
	}()
	if err != nil {
		db.logger.Warn("cannot write when device tokens were last used", "tokens", len(pending), "err", err)
	}
}
