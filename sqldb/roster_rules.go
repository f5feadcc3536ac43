package sqldb

import (
	"context"
	"time"

	"github.com/frontline-org/frontline"
)

// The roster rules are versions in roster_rules; the newest is in force.
// Durations are stored in minutes.

const rosterRuleColumns = `version, max_shift, min_rest, max_hours, window_minutes, test_within, no_show_grace, unfilled_within,
	check_in_early, note, created_at, created_by`

func scanRosterRules(sc interface{ Scan(...any) error }) (*frontline.RosterRules, error) {
	var r frontline.RosterRules
	var m [8]int64
	if err := sc.Scan(&r.Version, &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &m[6], &m[7], &r.Note, &r.CreatedAt, &r.CreatedBy); err != nil {
		return nil, err
	}
	d := func(i int) time.Duration { return time.Duration(m[i]) * time.Minute }
	r.MaxShift, r.MinRest, r.MaxHours, r.Window = d(0), d(1), d(2), d(3)
	r.TestWithin, r.NoShowGrace, r.UnfilledWithin, r.CheckInEarly = d(4), d(5), d(6), d(7)
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// currentRosterRules returns the rules in force.
func (tx *Tx) currentRosterRules(ctx context.Context) (*frontline.RosterRules, error) {
	return scanRosterRules(tx.QueryRowContext(ctx, `SELECT `+rosterRuleColumns+` FROM roster_rules ORDER BY version DESC LIMIT 1`))
}

// RosterRules returns the rules in force.
func (s *RosterService) RosterRules(ctx context.Context) (*frontline.RosterRules, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.currentRosterRules(ctx)
}

// RosterRuleVersions returns every version, newest first.
func (s *RosterService) RosterRuleVersions(ctx context.Context) ([]*frontline.RosterRules, error) {
	tx, err := s.db.readTx(ctx, frontline.PermDuty)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+rosterRuleColumns+` FROM roster_rules ORDER BY version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.RosterRules
	for rows.Next() {
		r, err := scanRosterRules(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRosterRules adds a version of the rules. They apply to the whole
// tree, so only a principal scoped at a root may change them.
func (s *RosterService) SetRosterRules(ctx context.Context, r *frontline.RosterRules) error {
	if p := frontline.PrincipalFrom(ctx); p != nil && !p.AtRoot() {
		if err := authorize(ctx, frontline.PermManageWorkforce); err != nil {
			return err
		}
		return frontline.Errorf(frontline.EFORBIDDEN, "the roster rules apply everywhere; only the city's command may change them")
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := r.Validate(); err != nil {
		return err
	}
	cur, err := tx.currentRosterRules(ctx)
	if err != nil {
		return err
	}
	r.Version, r.CreatedAt, r.CreatedBy = cur.Version+1, tx.now, frontline.ActorFrom(ctx).String()
	m := func(d time.Duration) int64 { return int64(d / time.Minute) }
	if _, err := tx.ExecContext(ctx, `INSERT INTO roster_rules (`+rosterRuleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Version, m(r.MaxShift), m(r.MinRest), m(r.MaxHours), m(r.Window), m(r.TestWithin), m(r.NoShowGrace),
		m(r.UnfilledWithin), m(r.CheckInEarly), r.Note, tx.now, r.CreatedBy); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.audit(ctx, "update", "roster_rules", int64(r.Version), "", rulesFields(cur), rulesFields(r)); err != nil {
		return err
	}
	return tx.Commit()
}

func rulesFields(r *frontline.RosterRules) map[string]any {
	return map[string]any{"version": r.Version, "max_shift": r.MaxShift.String(), "min_rest": r.MinRest.String(),
		"max_hours": r.MaxHours.String(), "window": r.Window.String(), "test_within": r.TestWithin.String(),
		"no_show_grace": r.NoShowGrace.String(), "unfilled_within": r.UnfilledWithin.String(),
		"check_in_early": r.CheckInEarly.String(), "note": r.Note}
}
