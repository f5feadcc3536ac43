package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontline-org/frontline"
)

var _ frontline.FormService = (*FormService)(nil)

// FormService stores the tokens of sent forms (form_tokens). A claim is
// one INSERT that either takes the token or finds it taken, so two
// sendings of one form, on one app server or two, never both go ahead.
type FormService struct{ db *DB }

// NewFormService returns a FormService on db.
func NewFormService(db *DB) *FormService { return &FormService{db: db} }

// ClaimForm claims token, or says how an earlier sending of it stands.
// Tokens older than frontline.FormKeep are forgotten here: claims are
// writes anyway, and no background job is needed.
func (s *FormService) ClaimForm(ctx context.Context, token string) (frontline.FormClaim, error) {
	var c frontline.FormClaim
	if err := frontline.CheckFormToken(token); err != nil {
		return c, err
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM form_tokens WHERE claimed_at < ?`, tx.now.Add(-frontline.FormKeep)); err != nil {
		return c, err
	}
	var claimed string
	err = tx.QueryRowContext(ctx, `INSERT INTO form_tokens (token, actor, claimed_at) VALUES (?, ?, ?)
		ON CONFLICT (token) DO NOTHING RETURNING token`, token, frontline.ActorFrom(ctx).String(), tx.now).Scan(&claimed)
	switch {
	case err == nil:
		c.State, c.ClaimedAt = frontline.FormNew, tx.now
		return c, tx.Commit()
	case !errors.Is(err, sql.ErrNoRows):
		return c, tx.db.translate(err)
	}
	var done sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT claimed_at, done_at, location FROM form_tokens WHERE token = ?`, token).Scan(
		&c.ClaimedAt, &done, &c.Location); err != nil {
		return c, tx.db.translate(err)
	}
	c.State = frontline.FormPending
	if done.Valid {
		c.State = frontline.FormDone
	}
	return c, tx.Commit()
}

// CompleteForm records where the answer of a claimed form led.
func (s *FormService) CompleteForm(ctx context.Context, token, location string) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE form_tokens SET done_at = ?, location = ? WHERE token = ?`, tx.now, location, token); err != nil {
		return err
	}
	return tx.Commit()
}

// ReleaseForm forgets a claim whose form was refused.
func (s *FormService) ReleaseForm(ctx context.Context, token string) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM form_tokens WHERE token = ? AND done_at IS NULL`, token); err != nil {
		return err
	}
	return tx.Commit()
}
