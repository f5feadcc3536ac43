package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/frontline-org/frontline"
)

const zoneRuleColumns = `id, level, version, movement, door_delivery, home_sampling, pool_size, pool_per_household,
	step_down_days, step_down_rounds, step_down_to, leave_admission, enter_admission, test_within_hours,
	note, created_at, created_by`

func scanZoneRule(sc interface{ Scan(...any) error }) (*frontline.ZoneRule, error) {
	var r frontline.ZoneRule
	err := sc.Scan(&r.ID, &r.Level, &r.Version, &r.Movement, &r.DoorDelivery, &r.HomeSampling, &r.PoolSize,
		&r.PoolPerHousehold, &r.StepDown.Days, &r.StepDown.Rounds, &r.StepDown.To, &r.Entry.Leave, &r.Entry.Enter,
		&r.Entry.TestWithinHours, &r.Note, &r.CreatedAt, &r.CreatedBy)
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, err
}

func (tx *Tx) queryZoneRules(ctx context.Context, query string, args ...any) ([]*frontline.ZoneRule, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.ZoneRule{}
	for rows.Next() {
		r, err := scanZoneRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// currentRules returns the newest version of each level's rule.
func (tx *Tx) currentRules(ctx context.Context) (frontline.ZoneRuleSet, error) {
	rules, err := tx.queryZoneRules(ctx, `SELECT `+zoneRuleColumns+` FROM zone_rules r
		WHERE version = (SELECT MAX(version) FROM zone_rules WHERE level = r.level)`)
	if err != nil {
		return nil, err
	}
	return frontline.NewZoneRuleSet(rules), nil
}

// currentRule returns the newest version of one level's rule, nil for
// LevelNone.
func (tx *Tx) currentRule(ctx context.Context, level frontline.ZoneLevel) (*frontline.ZoneRule, error) {
	if level == frontline.LevelNone {
		return nil, nil
	}
	r, err := scanZoneRule(tx.QueryRowContext(ctx, `SELECT `+zoneRuleColumns+` FROM zone_rules
		WHERE level = ? ORDER BY version DESC LIMIT 1`, string(level)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "the %s level has no rule", level)
	}
	return r, err
}

// ZoneRules returns the current rule of each level, strictest first.
func (s *ZoneService) ZoneRules(ctx context.Context) ([]*frontline.ZoneRule, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rs, err := tx.currentRules(ctx)
	if err != nil {
		return nil, err
	}
	out := []*frontline.ZoneRule{}
	for _, l := range frontline.ZoneLevels {
		if r := rs[l]; r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// ZoneRuleVersions returns every version of a level's rule, newest first.
func (s *ZoneService) ZoneRuleVersions(ctx context.Context, level frontline.ZoneLevel) ([]*frontline.ZoneRule, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if !level.Valid() {
		return nil, frontline.FieldError("level", "unknown zone level %q", level)
	}
	return tx.queryZoneRules(ctx, `SELECT `+zoneRuleColumns+` FROM zone_rules WHERE level = ? ORDER BY version DESC`, string(level))
}

// FindZoneRuleByID returns one version of a rule.
func (s *ZoneService) FindZoneRuleByID(ctx context.Context, id int64) (*frontline.ZoneRule, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := scanZoneRule(tx.QueryRowContext(ctx, `SELECT `+zoneRuleColumns+` FROM zone_rules WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "zone rule %d not found", id)
	}
	return r, err
}

// UpdateZoneRule stores r as the next version of its level's rule. The
// rules apply to the whole tree, so only a principal scoped at a root of
// the tree (a city command) may change them; a community secretary seals
// and lifts zones under the rules but does not rewrite them.
func (s *ZoneService) UpdateZoneRule(ctx context.Context, r *frontline.ZoneRule) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageZones)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if p := frontline.PrincipalFrom(ctx); p != nil && !p.AtRoot() {
		return frontline.Errorf(frontline.EFORBIDDEN, "zone rules apply to the whole city; only the city command may change them")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	var last int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM zone_rules WHERE level = ?`, string(r.Level)).Scan(&last); err != nil {
		return err
	}
	r.Version, r.CreatedAt, r.CreatedBy = last+1, tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.QueryRowContext(ctx, `INSERT INTO zone_rules (level, version, movement, door_delivery, home_sampling,
		pool_size, pool_per_household, step_down_days, step_down_rounds, step_down_to, leave_admission, enter_admission,
		test_within_hours, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		string(r.Level), r.Version, string(r.Movement), r.DoorDelivery, r.HomeSampling, r.PoolSize, r.PoolPerHousehold,
		r.StepDown.Days, r.StepDown.Rounds, string(r.StepDown.To), string(r.Entry.Leave), string(r.Entry.Enter),
		r.Entry.TestWithinHours, r.Note, tx.now, r.CreatedBy).Scan(&r.ID); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "zone_rule", r.ID, "", nil, ruleFields(r)); err != nil {
		return err
	}
	return tx.Commit()
}

func ruleFields(r *frontline.ZoneRule) map[string]any {
	stepDown := strconv.Itoa(r.StepDown.Days) + " days, " + strconv.Itoa(r.StepDown.Rounds) + " rounds, to " + string(r.StepDown.To)
	return map[string]any{
		"level": r.Level, "version": r.Version, "movement": r.Movement, "door_delivery": r.DoorDelivery,
		"home_sampling": r.HomeSampling, "pool_size": r.PoolSize, "pool_per_household": r.PoolPerHousehold,
		"step_down": stepDown, "leave": r.Entry.Leave, "enter": r.Entry.Enter,
		"test_within_hours": r.Entry.TestWithinHours, "note": r.Note,
	}
}
