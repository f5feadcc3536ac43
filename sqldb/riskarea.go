package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var (
	_ frontline.RiskAreaService    = (*RiskAreaService)(nil)
	_ frontline.MeasureRuleService = (*RiskAreaService)(nil)
)

// RiskAreaService stores the risk-area list, append-only, and the
// versions of the measure rules.
type RiskAreaService struct{ db *DB }

// NewRiskAreaService returns a RiskAreaService on db.
func NewRiskAreaService(db *DB) *RiskAreaService { return &RiskAreaService{db: db} }

const riskAreaColumns = `id, area_key, name, code, level, valid_from, valid_to, source, recorded_at, recorded_by`

func scanRiskArea(sc interface{ Scan(...any) error }) (*frontline.RiskArea, error) {
	var a frontline.RiskArea
	err := sc.Scan(&a.ID, &a.Key, &a.Name, &a.Code, &a.Level, &a.ValidFrom, &a.ValidTo, &a.Source, &a.RecordedAt, &a.RecordedBy)
	a.RecordedAt = a.RecordedAt.UTC()
	return &a, err
}

// CreateRiskArea records one notice about an area.
func (s *RiskAreaService) CreateRiskArea(ctx context.Context, a *frontline.RiskArea) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.createRiskArea(ctx, a); err != nil {
		return err
	}
	return tx.Commit()
}

func (tx *Tx) createRiskArea(ctx context.Context, a *frontline.RiskArea) error {
	if err := a.Validate(); err != nil {
		return err
	}
	a.RecordedAt, a.RecordedBy = tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.QueryRowContext(ctx, `INSERT INTO risk_areas (area_key, name, code, level, valid_from, valid_to, source,
		recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.Key, a.Name, a.Code, string(a.Level), a.ValidFrom, a.ValidTo, a.Source, tx.now, a.RecordedBy).Scan(&a.ID); err != nil {
		return tx.db.translate(err)
	}
	return tx.audit(ctx, "create", "risk_area", a.ID, "", nil, map[string]any{
		"key": a.Key, "name": a.Name, "level": a.Level, "valid_from": a.ValidFrom, "valid_to": a.ValidTo, "source": a.Source,
	})
}

// ImportRiskAreas records a parsed list in one transaction; any bad row
// (from the parser or from validation) writes nothing, unless dryRun
// only checks.
func (s *RiskAreaService) ImportRiskAreas(ctx context.Context, rows []frontline.RiskAreaRow, dryRun bool) (*frontline.ImportResult, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	res := &frontline.ImportResult{Rows: len(rows), DryRun: dryRun}
	for i := range rows {
		r := &rows[i]
		res.Errors = append(res.Errors, r.Errors...)
		if len(r.Errors) == 0 {
			if err := r.Area.Validate(); err != nil {
				res.Errors = append(res.Errors, frontline.RowError{Row: r.Row, Column: frontline.ErrorField(err), Message: frontline.ErrorMessage(err)})
			}
		}
	}
	if len(res.Errors) > 0 {
		return res, frontline.Errorf(frontline.EINVALID, "%d problems in the list; nothing was imported", len(res.Errors))
	}
	if dryRun {
		return res, nil
	}
	for i := range rows {
		if err := tx.createRiskArea(ctx, &rows[i].Area); err != nil {
			return nil, err
		}
		res.Imported++
	}
	return res, tx.Commit()
}

// FindRiskAreas returns matching records, newest first.
func (s *RiskAreaService) FindRiskAreas(ctx context.Context, f frontline.RiskAreaFilter) ([]*frontline.RiskArea, int, error) {
	if err := authorizeScreening(ctx, frontline.PermManageScreening, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.Key != nil {
		where, args = append(where, "area_key = ?"), append(args, *f.Key)
	}
	if f.On != "" {
		where, args = append(where, "valid_from <= ? AND (valid_to = '' OR valid_to >= ?)"), append(args, f.On, f.On)
	}
	all, err := tx.riskAreas(ctx, strings.Join(where, " AND "), args)
	if err != nil {
		return nil, 0, err
	}
	if f.Current && f.On != "" {
		all = currentRiskAreas(all, f.On)
	}
	var out []*frontline.RiskArea
	for _, a := range all {
		if f.Level == nil || a.Level == *f.Level {
			out = append(out, a)
		}
	}
	total := len(out)
	lo := min(max(f.Offset, 0), total)
	hi := total
	if f.Limit > 0 {
		hi = min(lo+f.Limit, total)
	}
	return out[lo:hi], total, nil
}

// currentRiskAreas keeps, for each area, the record that counts on day.
func currentRiskAreas(all []*frontline.RiskArea, day string) []*frontline.RiskArea {
	seen := map[string]bool{}
	var out []*frontline.RiskArea
	for _, a := range all { // newest first: the first of each key counts
		if a.Covers(day) && !seen[a.Key] {
			seen[a.Key] = true
			out = append(out, a)
		}
	}
	return out
}

func (tx *Tx) riskAreas(ctx context.Context, cond string, args []any) ([]*frontline.RiskArea, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+riskAreaColumns+` FROM risk_areas WHERE `+cond+` ORDER BY recorded_at DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.RiskArea{}
	for rows.Next() {
		a, err := scanRiskArea(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RiskMapAt returns the list as it stood on day, as known at asOf.
func (s *RiskAreaService) RiskMapAt(ctx context.Context, day string, asOf time.Time) (frontline.RiskMap, error) {
	if err := authorizeScreening(ctx, frontline.PermManageScreening, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return frontline.RiskMap{}, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return frontline.RiskMap{}, err
	}
	defer tx.Rollback()
	if asOf.IsZero() {
		asOf = tx.now
	}
	return tx.riskMapAt(ctx, day, asOf)
}

func (tx *Tx) riskMapAt(ctx context.Context, day string, asOf time.Time) (frontline.RiskMap, error) {
	all, err := tx.riskAreas(ctx, "valid_from <= ? AND (valid_to = '' OR valid_to >= ?)", []any{day, day})
	if err != nil {
		return frontline.RiskMap{}, err
	}
	records := make([]frontline.RiskArea, len(all))
	for i, a := range all {
		records[i] = *a
	}
	return frontline.RiskAreasAt(records, day, asOf), nil
}

// SaveRules stores rs as the next version.
func (s *RiskAreaService) SaveRules(ctx context.Context, rs *frontline.MeasureRules) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := tx.saveMeasureRules(ctx, rs); err != nil {
		return err
	}
	return tx.Commit()
}

func (tx *Tx) saveMeasureRules(ctx context.Context, rs *frontline.MeasureRules) error {
	if err := rs.Validate(); err != nil {
		return err
	}
	body, err := json.Marshal(rs.Rules)
	if err != nil {
		return err
	}
	// A version saved without contact rules keeps the contact rules of the
	// version before (or the defaults), so that a form editing the
	// traveller rules alone never changes or drops them.
	if len(rs.Contacts) == 0 {
		rs.Contacts = frontline.DefaultContactRules()
		if latest, err := tx.latestMeasureRules(ctx); err == nil {
			rs.Contacts = latest.Contacts
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	contacts, err := json.Marshal(rs.Contacts)
	if err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM measure_rules`).Scan(&rs.Version); err != nil {
		return err
	}
	rs.CreatedAt, rs.CreatedBy = tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.QueryRowContext(ctx, `INSERT INTO measure_rules (version, note, rules, contacts, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, rs.Version, rs.Note, string(body), string(contacts), tx.now, rs.CreatedBy).Scan(&rs.ID); err != nil {
		return tx.db.translate(err)
	}
	return tx.audit(ctx, "create", "measure_rules", rs.ID, "", nil, map[string]any{"version": rs.Version, "rules": string(body),
		"contacts": string(contacts)})
}

// CurrentRules returns the newest version; a database without any gets
// the defaults saved as version 1 (by the system) the first time a write
// needs them, and sees them unsaved before.
func (s *RiskAreaService) CurrentRules(ctx context.Context) (*frontline.MeasureRules, error) {
	if err := authorizeScreening(ctx, frontline.PermManageScreening, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rs, err := tx.latestMeasureRules(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		d := frontline.DefaultMeasureRules()
		return &d, nil
	}
	return rs, err
}

// currentMeasureRules returns the newest version, saving the defaults as
// version 1 when there is none, so every measure names a stored version.
func (tx *Tx) currentMeasureRules(ctx context.Context) (*frontline.MeasureRules, error) {
	rs, err := tx.latestMeasureRules(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		d := frontline.DefaultMeasureRules()
		return &d, tx.saveMeasureRules(frontline.WithActor(ctx, frontline.Actor{Name: "system"}), &d)
	}
	return rs, err
}

func (tx *Tx) latestMeasureRules(ctx context.Context) (*frontline.MeasureRules, error) {
	rs, err := scanMeasureRules(tx.QueryRowContext(ctx, `SELECT id, version, note, rules, contacts, created_at, created_by
		FROM measure_rules ORDER BY version DESC LIMIT 1`))
	return rs, err
}

func scanMeasureRules(sc interface{ Scan(...any) error }) (*frontline.MeasureRules, error) {
	var rs frontline.MeasureRules
	var body, contacts string
	if err := sc.Scan(&rs.ID, &rs.Version, &rs.Note, &body, &contacts, &rs.CreatedAt, &rs.CreatedBy); err != nil {
		return nil, err
	}
	rs.CreatedAt = rs.CreatedAt.UTC()
	if err := json.Unmarshal([]byte(body), &rs.Rules); err != nil {
		return nil, err
	}
	// Versions saved before contact rules existed give the defaults.
	if contacts == "" {
		rs.Contacts = frontline.DefaultContactRules()
		return &rs, nil
	}
	return &rs, json.Unmarshal([]byte(contacts), &rs.Contacts)
}

// FindRules returns every version, newest first.
func (s *RiskAreaService) FindRules(ctx context.Context) ([]*frontline.MeasureRules, error) {
	if err := authorizeScreening(ctx, frontline.PermManageScreening, frontline.PermReadReports); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, version, note, rules, contacts, created_at, created_by FROM measure_rules ORDER BY version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.MeasureRules{}
	for rows.Next() {
		rs, err := scanMeasureRules(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, rows.Err()
}
