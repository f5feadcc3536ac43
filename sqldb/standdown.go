package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.StandDownService = (*RetentionService)(nil)

// StandDown ends the emergency under a node: it refuses while anything is
// in progress there (open cases, transfers under way, tubes and home
// re-tests awaiting results, campaigns with households not reached, a
// round or campaign over a wider area still open), listing all of it;
// otherwise it closes the open rounds and campaigns, ends the active
// measures, lifts the zones and resolves the alerts under the node, and
// then purges every personal record under it regardless of retention
// (PurgeStandDown). The place tree and the anonymised statistics stay.
// Only the system (the command line) or users.manage over the node.
func (s *RetentionService) StandDown(ctx context.Context, under int64) (*frontline.StandDownResult, error) {
	if err := authorize(ctx, frontline.PermManageUsers); err != nil {
		return nil, err
	}
	if under == 0 {
		return nil, frontline.FieldError("under", "say which place stands down")
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	_, _, node, err := tx.underRange(ctx, under)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	blockers, rounds, campaigns, err := tx.standDownBlockers(ctx, node)
	tx.Rollback()
	if err != nil {
		return nil, err
	}
	if len(blockers) > 0 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "%s cannot stand down while %d thing(s) are in progress: %s",
			node.Name, len(blockers), strings.Join(blockers, "; "))
	}
	res := &frontline.StandDownResult{Node: node, Closed: map[string]int{}}
	for _, id := range rounds {
		if _, err := NewRoundService(s.db).CloseRound(ctx, id); err != nil {
			return nil, fmt.Errorf("close round %d: %w", id, err)
		}
		res.Closed["rounds"]++
	}
	for _, id := range campaigns {
		if _, err := NewCampaignService(s.db).CloseCampaign(ctx, id); err != nil {
			return nil, fmt.Errorf("close campaign %d: %w", id, err)
		}
		res.Closed["campaigns"]++
	}
	if err := s.closeUnder(ctx, node, res.Closed); err != nil {
		return nil, err
	}
	if res.Run, err = s.Purge(ctx, frontline.PurgeRequest{UnderID: under, Reason: frontline.PurgeStandDown}); err != nil {
		return nil, err
	}
	return res, nil
}

// standDownBlockers lists what is in progress under node, and the open
// rounds and campaigns under it that may close.
func (tx *Tx) standDownBlockers(ctx context.Context, node *frontline.Place) (blockers []string, rounds, campaigns []int64, err error) {
	lo, hi := subtreeRange(node.Path)
	counts := []struct {
		what, query string
	}{
		{"open case(s)", `SELECT COUNT(*) FROM cases WHERE status <> 'closed' AND path >= ? AND path < ?`},
		{"transfer(s) under way", `SELECT COUNT(*) FROM transfers WHERE status NOT IN ('arrived', 'cancelled') AND path >= ? AND path < ?`},
		{"tube(s) awaiting results", `SELECT COUNT(*) FROM tubes t JOIN test_rounds r ON r.id = t.round_id JOIN places p ON p.id = r.scope_id
			WHERE t.state IN ('sealed', 'bagged', 'received') AND p.path >= ? AND p.path < ?`},
		{"order(s) under way", `SELECT COUNT(*) FROM supply_orders WHERE status IN ('placed', 'packed', 'at_gate', 'out')
			AND path >= ? AND path < ?`},
		{"help request(s) not resolved", `SELECT COUNT(*) FROM help_requests WHERE status <> 'resolved' AND path >= ? AND path < ?`},
		{"medicine request(s) under way", `SELECT COUNT(*) FROM medicine_requests WHERE status IN ('requested', 'consultation', 'filled', 'out')
			AND path >= ? AND path < ?`},
		{"home re-test(s) awaiting results", `SELECT COUNT(*) FROM retest_tasks rt JOIN places h ON h.id = rt.household_id
			WHERE rt.status = 'sampled' AND h.path >= ? AND h.path < ?`},
	}
	for _, c := range counts {
		var n int
		if err := tx.QueryRowContext(ctx, c.query, lo, hi).Scan(&n); err != nil {
			return nil, nil, nil, err
		}
		if n > 0 {
			blockers = append(blockers, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	// A round or campaign over a wider area still runs here.
	rows, err := tx.QueryContext(ctx, `SELECT 'round', r.name FROM test_rounds r JOIN places p ON p.id = r.scope_id
			WHERE r.status = 'open' AND p.path <> ? AND substr(?, 1, length(p.path)) = p.path
		UNION ALL SELECT 'campaign', c.name FROM screening_campaigns c
			WHERE c.status = 'open' AND c.scope_path <> ? AND substr(?, 1, length(c.scope_path)) = c.scope_path`,
		node.Path, node.Path, node.Path, node.Path)
	if err != nil {
		return nil, nil, nil, err
	}
	for rows.Next() {
		var kind, name string
		if err := rows.Scan(&kind, &name); err != nil {
			rows.Close()
			return nil, nil, nil, err
		}
		blockers = append(blockers, fmt.Sprintf("the %s %s over a wider area is open", kind, name))
	}
	rows.Close()
	if rounds, err = tx.ids(ctx, `SELECT r.id FROM test_rounds r JOIN places p ON p.id = r.scope_id
		WHERE r.status = 'open' AND p.path >= ? AND p.path < ? ORDER BY r.id`, lo, hi); err != nil {
		return nil, nil, nil, err
	}
	open, err := tx.ids(ctx, `SELECT id FROM screening_campaigns WHERE status = 'open' AND scope_path >= ? AND scope_path < ? ORDER BY id`, lo, hi)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, id := range open {
		c, err := tx.openCampaign(ctx, id)
		if err != nil {
			return nil, nil, nil, err
		}
		top, _, err := tx.campaignCoverage(ctx, c, c.ScopeID)
		if err != nil {
			return nil, nil, nil, err
		}
		if n := top.Pending(); n > 0 {
			blockers = append(blockers, fmt.Sprintf("the campaign %s has %d household(s) not reached", c.Name, n))
			continue
		}
		campaigns = append(campaigns, id)
	}
	return blockers, rounds, campaigns, nil
}

func (tx *Tx) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// closeUnder ends the active measures, lifts the zones, cancels the home
// samplings not yet made and resolves the alerts under node, in one transaction, audited with counts.
func (s *RetentionService) closeUnder(ctx context.Context, node *frontline.Place, closed map[string]int) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	lo, hi := subtreeRange(node.Path)
	by := frontline.ActorFrom(ctx).String()
	for _, c := range []struct {
		what, query string
		args        []any
	}{
		{"measures", `UPDATE screening_measures SET status = ?, ended_at = ? WHERE status = ? AND path >= ? AND path < ?`,
			[]any{string(frontline.MeasureEnded), tx.now, string(frontline.MeasureActive), lo, hi}},
		{"zones", `UPDATE zones SET ended_at = ?, ended_by = ?, end_reason = ? WHERE ended_at IS NULL AND path >= ? AND path < ?`,
			[]any{tx.now, by, "stand-down", lo, hi}},
		{"home_tasks", `UPDATE retest_tasks SET status = ?, done_at = ? WHERE status = ?
			AND household_id IN (SELECT id FROM places WHERE path >= ? AND path < ?)`,
			[]any{string(frontline.RetestCancelled), tx.now, string(frontline.RetestOpen), lo, hi}},
		{"alerts", `UPDATE alerts SET resolved_at = ?, resolved_by = ? WHERE resolved_at IS NULL AND path >= ? AND path < ?`,
			[]any{tx.now, by, lo, hi}},
	} {
		r, err := tx.ExecContext(ctx, c.query, c.args...)
		if err != nil {
			return fmt.Errorf("stand down %s: %w", c.what, err)
		}
		n, _ := r.RowsAffected()
		closed[c.what] = int(n)
	}
	after := map[string]any{}
	for k, v := range closed {
		after[k] = v
	}
	if err := tx.audit(ctx, "stand_down", "place", node.ID, node.Path, nil, after); err != nil {
		return err
	}
	return tx.Commit()
}
