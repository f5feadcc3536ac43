package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.CaseService = (*CaseService)(nil)

// CaseService opens cases reported from outside the lab, and reads and
// closes every case.
type CaseService struct {
	db       *DB
	Settings CaseSettings
}

// NewCaseService returns a CaseService with the default settings.
func NewCaseService(db *DB) *CaseService {
	return &CaseService{db: db, Settings: DefaultCaseSettings()}
}

const caseColumns = `c.id, c.person_id, c.household_id, c.source, COALESCE(c.round_id, 0), c.tube_code, c.pool_code, c.external_ref,
	c.reporter, c.confirmed_at, c.confirmed_by, c.status, c.note, c.rule_version, c.created_at, c.created_by, c.closed_at,
	c.closed_by, c.close_reason, p.name, c.path`

func scanCase(sc interface{ Scan(...any) error }) (*frontline.Case, string, error) {
	var c frontline.Case
	var path string
	err := sc.Scan(&c.ID, &c.PersonID, &c.HouseholdID, &c.Source, &c.RoundID, &c.TubeCode, &c.PoolCode, &c.ExternalRef,
		&c.Reporter, &c.ConfirmedAt, &c.ConfirmedBy, &c.Status, &c.Note, &c.RuleVersion, &c.CreatedAt, &c.CreatedBy,
		nullTimeDest{&c.ClosedAt}, &c.ClosedBy, &c.CloseReason, &c.PersonName, &path)
	c.ConfirmedAt, c.CreatedAt = c.ConfirmedAt.UTC(), c.CreatedAt.UTC()
	return &c, path, err
}

// queryCases returns the cases matching where (on c and p, its person)
// with their addresses; names outside the caller's scope are masked.
func (tx *Tx) queryCases(ctx context.Context, where string, args ...any) ([]*frontline.Case, error) {
	cs, _, err := tx.queryCasesPaths(ctx, where, args...)
	return cs, err
}

func (tx *Tx) queryCasesPaths(ctx context.Context, where string, args ...any) ([]*frontline.Case, []string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases c JOIN persons p ON p.id = c.person_id WHERE `+where, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	out, paths := []*frontline.Case{}, []string{}
	for rows.Next() {
		c, path, err := scanCase(rows)
		if err != nil {
			return nil, nil, err
		}
		if !visible(ctx, path) {
			c.PersonName = maskName(c.PersonName)
		}
		out, paths = append(out, c), append(paths, path)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	addrs, err := tx.addressesOf(ctx, paths)
	if err != nil {
		return nil, nil, err
	}
	for i, c := range out {
		c.Address = addrs[i]
		zs, err := tx.queryZones(ctx, `z.evidence_kind = ? AND z.evidence_ref = ? ORDER BY z.id`, string(frontline.LinkCase), c.Ref())
		if err != nil {
			return nil, nil, err
		}
		for _, z := range zs {
			c.ZoneIDs = append(c.ZoneIDs, z.ID)
		}
	}
	return out, paths, nil
}

// findCase returns a case in the caller's scope, with its household path.
func (tx *Tx) findCase(ctx context.Context, id int64) (*frontline.Case, string, error) {
	cs, paths, err := tx.queryCasesPaths(ctx, `c.id = ?`, id)
	if err != nil {
		return nil, "", err
	}
	if len(cs) == 0 || !visible(ctx, paths[0]) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "case %d not found", id)
	}
	return cs[0], paths[0], nil
}

// FindCaseByID returns one case.
func (s *CaseService) FindCaseByID(ctx context.Context, id int64) (*frontline.Case, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, _, err := tx.findCase(ctx, id)
	return c, err
}

// FindCases returns the cases in the caller's scope, newest first.
func (s *CaseService) FindCases(ctx context.Context, f frontline.CaseFilter) ([]*frontline.Case, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "c.id = ?"), append(args, *f.ID)
	}
	if f.PersonID != nil {
		where, args = append(where, "c.person_id = ?"), append(args, *f.PersonID)
	}
	if where, args, err = tx.andUnder(ctx, f.Under, "c.path", where, args); err != nil {
		return nil, 0, err
	}
	if f.Status != nil {
		where, args = append(where, "c.status = ?"), append(args, string(*f.Status))
	}
	if f.Open {
		where = append(where, "c.status IN ('open', 'transferred')")
	}
	where, args = andScope(ctx, "c.path", where, args)
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases c WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	cs, err := tx.queryCases(ctx, cond+` ORDER BY c.confirmed_at DESC, c.id DESC`+limitClause(f.Offset, f.Limit), args...)
	return cs, total, err
}

// PersonCases returns a person's cases, newest first.
func (s *CaseService) PersonCases(ctx context.Context, personID int64) ([]*frontline.Case, error) {
	cs, _, err := s.FindCases(ctx, frontline.CaseFilter{PersonID: &personID})
	return cs, err
}

// reportedPerson resolves the person a report names, inside the caller's
// scope, checking the name when the report gives one.
func (tx *Tx) reportedPerson(ctx context.Context, r *frontline.CaseReport) (int64, error) {
	q := `SELECT p.id, p.name, h.path FROM persons p JOIN places h ON h.id = p.household_id WHERE `
	var row *sql.Row
	if r.PersonID > 0 {
		row = tx.QueryRowContext(ctx, q+`p.id = ?`, r.PersonID)
	} else {
		row = tx.QueryRowContext(ctx, q+`p.id_number = ? ORDER BY p.id LIMIT 1`, r.IDNumber)
	}
	var id int64
	var name, path string
	err := row.Scan(&id, &name, &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visible(ctx, path)) {
		return 0, &frontline.Error{Code: frontline.ENOTFOUND, Field: "id_number",
			Message: "no resident in your area has this ID number; the case belongs to the community where the person lives"}
	} else if err != nil {
		return 0, err
	}
	if r.Name != "" && r.Name != name {
		return 0, frontline.FieldError("name", "the registry names this ID number %s, not %s", name, r.Name)
	}
	return id, nil
}

// reportCase opens the case of one report in the caller's transaction: the
// same report again (source and reference) answers with its case.
func (tx *Tx) reportCase(ctx context.Context, r *frontline.CaseReport, s CaseSettings) (*frontline.Case, error) {
	if err := r.Validate(tx.now); err != nil {
		return nil, err
	}
	if cs, err := tx.queryCases(ctx, `c.source = ? AND c.external_ref = ?`, string(r.Source), r.ExternalRef); err != nil {
		return nil, err
	} else if len(cs) > 0 {
		return cs[0], nil
	}
	person, err := tx.reportedPerson(ctx, r)
	if err != nil {
		return nil, err
	}
	c, opened, err := tx.openCase(ctx, newCase{person: person, source: r.Source, externalRef: r.ExternalRef, reporter: r.Reporter,
		confirmedAt: r.ConfirmedAt, note: r.Note}, s)
	if err != nil {
		return nil, err
	}
	if !opened {
		return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "id_number",
			Message: fmt.Sprintf("this person already has an open case (%s, confirmed %s)", c.Ref(), c.ConfirmedAt.Format("2006-01-02 15:04"))}
	}
	return c, nil
}

// ReportCase opens a case reported by a hospital or the disease-control
// centre.
func (s *CaseService) ReportCase(ctx context.Context, r *frontline.CaseReport) (*frontline.Case, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageCases)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.reportCase(ctx, r, s.Settings)
	if err != nil {
		return nil, err
	}
	if err := tx.homeCases(ctx, []int64{c.ID}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.FindCaseByID(ctx, c.ID)
}

// ImportCases opens the cases of a file's rows in one transaction: every
// bad row is listed, and when there is one nothing is stored.
func (s *CaseService) ImportCases(ctx context.Context, rows []*frontline.CaseReport, dryRun bool) (*frontline.CaseImport, error) {
	if len(rows) == 0 {
		return nil, frontline.FieldError("file", "the file has no case rows")
	}
	if len(rows) > 5000 {
		return nil, frontline.FieldError("file", "at most 5,000 cases in one file")
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageCases)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	out := &frontline.CaseImport{Cases: []*frontline.Case{}, Errors: []frontline.RowError{}, DryRun: dryRun}
	for i, r := range rows {
		row := r.Row
		if row == 0 {
			row = i + 2 // the header is row 1
		}
		c, err := tx.reportCase(ctx, r, s.Settings)
		if err != nil {
			if frontline.ErrorCode(err) == frontline.EINTERNAL || !isRowError(err) {
				return nil, err
			}
			out.Errors = append(out.Errors, frontline.RowError{Row: row, Column: frontline.ErrorField(err), Message: frontline.ErrorMessage(err)})
			continue
		}
		out.Cases = append(out.Cases, c)
	}
	if len(out.Errors) > 0 || dryRun {
		return out, nil // rolled back: nothing stored
	}
	ids := make([]int64, len(out.Cases))
	for i, c := range out.Cases {
		ids[i] = c.ID
	}
	// Once for the whole file: the members are locked in one order.
	if err := tx.homeCases(ctx, ids); err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// isRowError tells the refusal of a row from a failure of the store.
func isRowError(err error) bool {
	switch frontline.ErrorCode(err) {
	case frontline.EINVALID, frontline.ENOTFOUND, frontline.ECONFLICT:
		return true
	}
	return false
}

// CloseCase closes a case with a reason; its alert is resolved.
func (s *CaseService) CloseCase(ctx context.Context, id int64, reason string) (*frontline.Case, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return nil, frontline.FieldError("reason", "say why the case is closed (at most 500 characters)")
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageCases)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, path, err := tx.findCase(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := frontline.ActorFrom(ctx).String()
	res, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, closed_at = ?, closed_by = ?, close_reason = ? WHERE id = ? AND status <> ?`,
		string(frontline.CaseClosed), tx.now, actor, reason, id, string(frontline.CaseClosed))
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return nil, frontline.Errorf(frontline.ECONFLICT, "case %s is already closed", c.Ref())
	}
	if err := tx.resolveAlerts(ctx, frontline.AlertCase, caseKey(id)); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "close", "case", id, path, map[string]any{"status": c.Status},
		map[string]any{"status": frontline.CaseClosed, "reason": reason}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.FindCaseByID(ctx, id)
}
