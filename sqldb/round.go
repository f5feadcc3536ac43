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

// Ensure the service implements the interface.
var _ frontline.RoundService = (*RoundService)(nil)

// RoundService stores test rounds and their frozen denominators.
type RoundService struct{ db *DB }

// NewRoundService returns a RoundService on db.
func NewRoundService(db *DB) *RoundService { return &RoundService{db: db} }

var roundColumns = `r.id, r.scope_id, r.name, r.test_type, r.day, r.starts_at, r.ends_at, r.pool_policy, r.status,
	r.expected, r.created_at, r.created_by, r.opened_at, r.opened_by, r.closed_at, r.closed_by, ` + "\n\t" + placeColumnsOfScope

// placeColumnsOfScope reads the round's scope node, joined as sc.
var placeColumnsOfScope = placeColumnsOf("sc")

const roundFrom = ` FROM test_rounds r JOIN places sc ON sc.id = r.scope_id`

func scanRound(sc interface{ Scan(...any) error }) (*frontline.Round, error) {
	var r frontline.Round
	var policy string
	var opened, closed sql.NullTime
	scope := &frontline.Place{}
	if err := sc.Scan(&r.ID, &r.ScopeID, &r.Name, &r.TestType, &r.Day, &r.StartsAt, &r.EndsAt, &policy, &r.Status,
		&r.Expected, &r.CreatedAt, &r.CreatedBy, &opened, &r.OpenedBy, &closed, &r.ClosedBy,
		&scope.ID, &scope.ParentID, &scope.Kind, &scope.Name, &scope.Code, &scope.Path,
		&scope.Households, &scope.Residents, &scope.Vulnerable, &scope.CreatedAt, &scope.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(policy), &r.Policy); err != nil {
		return nil, &frontline.Error{Code: frontline.EINTERNAL, Message: "a round's pool policy is unreadable", Err: err}
	}
	r.StartsAt, r.EndsAt, r.CreatedAt = r.StartsAt.UTC(), r.EndsAt.UTC(), r.CreatedAt.UTC()
	r.OpenedAt, r.ClosedAt = nullTime(opened), nullTime(closed)
	r.Scope = scope
	return &r, nil
}

func nullTime(t sql.NullTime) time.Time {
	if t.Valid {
		return t.Time.UTC()
	}
	return time.Time{}
}

func policyJSON(p frontline.PoolPolicy) string {
	b, _ := json.Marshal(p)
	return string(b)
}

func roundNotFound(id int64) error {
	return frontline.Errorf(frontline.ENOTFOUND, "test round %d not found", id)
}

// findRound returns a round whose scope the caller can see. With lock it
// takes the row for the rest of the transaction on PostgreSQL.
func (tx *Tx) findRound(ctx context.Context, id int64, lock bool) (*frontline.Round, error) {
	q := `SELECT ` + roundColumns + roundFrom + ` WHERE r.id = ?`
	if lock {
		q += tx.db.forUpdateOf("r")
	}
	r, err := scanRound(tx.QueryRowContext(ctx, q, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !roundVisible(ctx, r.Scope.Path)) {
		return nil, roundNotFound(id)
	}
	return r, tx.db.translate(err)
}

// manageRound returns a round the caller may change as a whole, locked:
// its scope must be inside the caller's. Working inside a wider round
// lets a compound's staff see it and act on their own persons and sites;
// opening, closing, re-planning or changing its policy is for those whose
// scope covers all of it.
func (tx *Tx) manageRound(ctx context.Context, id int64) (*frontline.Round, error) {
	r, err := tx.findRound(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if p := frontline.PrincipalFrom(ctx); p != nil && !r.ManagedBy(p) {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "round %s covers %s, beyond your scope; it is managed from there", r.Name, r.Scope.Name)
	}
	return r, nil
}

// roundVisible reports whether a round over the node at scope concerns the
// caller: its scope is inside the caller's (a district admin's rounds), or
// the caller works inside it (a station of one compound in a city-wide
// round). What the caller reaches within it stays bounded by their scope.
func roundVisible(ctx context.Context, scope string) bool {
	p := frontline.PrincipalFrom(ctx)
	return p == nil || p.InScope(scope) || (p.ScopePath != "" && strings.HasPrefix(p.ScopePath, scope))
}

// andRoundScope limits a query of rounds (scope joined as sc) to those
// roundVisible allows.
func andRoundScope(ctx context.Context, where []string, args []any) ([]string, []any) {
	p := frontline.PrincipalFrom(ctx)
	if p == nil {
		return where, args
	}
	cond, a := scopeCond(ctx, "sc.path")
	return append(where, "(("+cond+") OR substr(?, 1, length(sc.path)) = sc.path)"), append(append(args, a...), p.ScopePath)
}

// CreateRound plans a round as a draft under a scope node the caller can
// see.
func (s *RoundService) CreateRound(ctx context.Context, r *frontline.Round) error {
	if err := r.Validate(); err != nil {
		return err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	scope, err := tx.findPlaceByID(ctx, r.ScopeID)
	if err != nil {
		return err
	}
	if scope.Kind == frontline.KindHousehold {
		return frontline.FieldError("scope_id", "a round covers at least a building, not one household")
	}
	if r.Policy, err = tx.completePolicy(ctx, r.Policy); err != nil {
		return err
	}
	r.Status, r.Scope, r.Expected = frontline.RoundDraft, scope, 0
	r.CreatedAt, r.CreatedBy = tx.now, frontline.ActorFrom(ctx).String()
	r.StartsAt, r.EndsAt = r.StartsAt.UTC(), r.EndsAt.UTC()
	if err := tx.QueryRowContext(ctx, `INSERT INTO test_rounds (scope_id, name, test_type, day, starts_at, ends_at,
		pool_policy, status, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.ScopeID, r.Name, r.TestType, r.Day, r.StartsAt, r.EndsAt, policyJSON(r.Policy), string(r.Status),
		r.CreatedAt, r.CreatedBy).Scan(&r.ID); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.audit(ctx, "create", "round", r.ID, scope.Path, nil, roundFields(r)); err != nil {
		return err
	}
	return tx.Commit()
}

// completePolicy gives a round's pool policy a rule for every level it
// lacks (all of them when it is nil) from the zone rules in force, the one
// source of the pool sizes of each level, and checks it (a misspelt level
// is kept by Complete, so Validate names it).
func (tx *Tx) completePolicy(ctx context.Context, p frontline.PoolPolicy) (frontline.PoolPolicy, error) {
	rules, err := tx.currentRules(ctx)
	if err != nil {
		return nil, err
	}
	p = p.Complete(frontline.PoolPolicyFromRules(rules))
	return p, p.Validate()
}

// roundFields are a round's fields for the audit log. The policy is its
// JSON: a map cannot be compared by changedFields (it panicked on every
// policy update).
func roundFields(r *frontline.Round) map[string]any {
	return map[string]any{"name": r.Name, "test_type": r.TestType, "day": r.Day, "starts_at": r.StartsAt,
		"ends_at": r.EndsAt, "pool_policy": policyJSON(r.Policy), "status": r.Status}
}

// FindRoundByID returns one round. Samplers and labs read rounds too, so
// any of the testing permissions will do.
func (s *RoundService) FindRoundByID(ctx context.Context, id int64) (*frontline.Round, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.findRound(ctx, id, false)
}

// roundReader returns the permission the caller reads rounds with: the
// first of the testing permissions they have.
func roundReader(ctx context.Context) frontline.Permission {
	p := frontline.PrincipalFrom(ctx)
	for _, perm := range []frontline.Permission{frontline.PermManageRounds, frontline.PermReadReports,
		frontline.PermSampling, frontline.PermPostResults} {
		if p.Can(perm) {
			return perm
		}
	}
	return frontline.PermManageRounds
}

// FindRounds returns matching rounds, newest first, and the total.
func (s *RoundService) FindRounds(ctx context.Context, f frontline.RoundFilter) ([]*frontline.Round, int, error) {
	tx, err := s.db.readTx(ctx, roundReader(ctx))
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "r.id = ?"), append(args, *f.ID)
	}
	if f.Status != nil {
		where, args = append(where, "r.status = ?"), append(args, string(*f.Status))
	}
	if f.Under != nil {
		top, err := tx.findPlaceByID(ctx, *f.Under)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(top.Path)
		where, args = append(where, "sc.path >= ? AND sc.path < ?"), append(args, lo, hi)
	}
	where, args = andRoundScope(ctx, where, args)
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*)`+roundFrom+` WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+roundColumns+roundFrom+` WHERE `+cond+` ORDER BY r.id DESC`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]*frontline.Round, 0)
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// UpdateRound changes a round's name, test type, hours or pool policy. A
// closed round is history and does not change.
func (s *RoundService) UpdateRound(ctx context.Context, id int64, upd frontline.RoundUpdate) (*frontline.Round, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := tx.manageRound(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == frontline.RoundClosed {
		return nil, frontline.Errorf(frontline.ECONFLICT, "round %s is closed", r.Name)
	}
	before := roundFields(r)
	applyRoundUpdate(r, upd)
	if err := r.Validate(); err != nil {
		return nil, err
	}
	// A stored policy stays as it was accepted; a new one is completed
	// and checked like a new round's.
	if upd.Policy != nil {
		if r.Policy, err = tx.completePolicy(ctx, upd.Policy); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE test_rounds SET name = ?, test_type = ?, starts_at = ?, ends_at = ?,
		pool_policy = ? WHERE id = ?`, r.Name, r.TestType, r.StartsAt.UTC(), r.EndsAt.UTC(), policyJSON(r.Policy), r.ID); err != nil {
		return nil, err
	}
	b, a := changedFields(before, roundFields(r))
	if err := tx.audit(ctx, "update", "round", r.ID, r.Scope.Path, b, a); err != nil {
		return nil, err
	}
	return r, tx.Commit()
}

func applyRoundUpdate(r *frontline.Round, upd frontline.RoundUpdate) {
	if upd.Name != nil {
		r.Name = *upd.Name
	}
	if upd.TestType != nil {
		r.TestType = *upd.TestType
	}
	if upd.StartsAt != nil {
		r.StartsAt = *upd.StartsAt
	}
	if upd.EndsAt != nil {
		r.EndsAt = *upd.EndsAt
	}
	if upd.Policy != nil {
		r.Policy = upd.Policy
	}
}

// CloseRound ends sampling: no binding is taken after it. Results and
// follow-up still arrive for a closed round.
func (s *RoundService) CloseRound(ctx context.Context, id int64) (*frontline.Round, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := tx.manageRound(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status != frontline.RoundOpen {
		return nil, frontline.Errorf(frontline.ECONFLICT, "round %s is %s, not open", r.Name, r.Status)
	}
	r.Status, r.ClosedAt, r.ClosedBy = frontline.RoundClosed, tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE test_rounds SET status = ?, closed_at = ?, closed_by = ? WHERE id = ?`,
		string(r.Status), r.ClosedAt, r.ClosedBy, r.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "close", "round", r.ID, r.Scope.Path, nil, map[string]any{"status": r.Status}); err != nil {
		return nil, err
	}
	// Results usually come after the close, but a round whose last
	// unsampled persons were excused after the others' results arrived is
	// complete only now.
	if err := tx.negativeRounds(ctx, r.ID, r.Scope.Path, func(string) bool { return true }); err != nil {
		return nil, err
	}
	if err := tx.cancelSampledHomeTasks(ctx, r.ID); err != nil {
		return nil, err
	}
	return r, tx.Commit()
}
