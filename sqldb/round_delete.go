package sqldb

import (
	"context"

	"github.com/frontline-org/frontline"
)

// DeleteRound deletes a draft round: one made by mistake, or a second one
// made by a form sent twice before forms were sent once. What its setup
// made goes with it: sites, stations (their device tokens revoked, so a
// phone set up for the round stops at once), slots, the plan and the
// call-up notices not yet tried. A round whose call-up reached anyone, or
// that was opened, stays (Round.CanDelete). The deletion is in the audit
// log with the round as it was.
func (s *RoundService) DeleteRound(ctx context.Context, id int64) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	r, err := tx.manageRound(ctx, id)
	if err != nil {
		return err
	}
	var sent int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE round_id = ? AND (status = ? OR attempts > 0)`,
		r.ID, string(frontline.NoticeDelivered)).Scan(&sent); err != nil {
		return tx.db.translate(err)
	}
	if err := r.CanDelete(sent); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ?
		WHERE revoked_at IS NULL AND id IN (SELECT token_id FROM sampling_stations WHERE round_id = ?)`, tx.now, r.ID)
	if err != nil {
		return err
	}
	revoked, err := res.RowsAffected()
	if err != nil {
		return err
	}
	// Children before parents, for the foreign keys.
	for _, table := range []string{"outbox", "sampling_slots", "sampling_stations", "sampling_sites", "round_plans",
		"round_counts", "sampling_flow"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE round_id = ?`, r.ID); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM test_rounds WHERE id = ?`, r.ID); err != nil {
		return err
	}
	after := map[string]any{"tokens_revoked": revoked}
	if err := tx.audit(ctx, "delete", "round", r.ID, r.Scope.Path, roundFields(r), after); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.db.tokens.clear()
	return nil
}
