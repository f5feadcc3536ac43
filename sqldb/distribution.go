package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/frontline-org/frontline"
)

// DistributionService runs distributions (保供包) on the database.
type DistributionService struct {
	db *DB
}

var _ frontline.DistributionService = (*DistributionService)(nil)

// NewDistributionService returns a DistributionService on db.
func NewDistributionService(db *DB) *DistributionService { return &DistributionService{db: db} }

// distribution is a distribution with its scope node's path.
type distribution struct {
	*frontline.Distribution
	path string
}

const distributionColumns = `id, name, contents, scope_id, scope_path, status, households, started_at, started_by, closed_at, closed_by`

func scanDistribution(sc interface{ Scan(...any) error }) (distribution, error) {
	d := distribution{Distribution: &frontline.Distribution{}}
	var closed sql.NullTime
	err := sc.Scan(&d.ID, &d.Name, &d.Contents, &d.ScopeID, &d.path, &d.Status, &d.Households, &d.StartedAt, &d.StartedBy,
		&closed, &d.ClosedBy)
	d.StartedAt, d.ClosedAt = d.StartedAt.UTC(), closed.Time.UTC()
	return d, err
}

// authorizeAny returns EFORBIDDEN unless the caller has one of perms.
func authorizeDistribution(ctx context.Context, write bool) error {
	if write {
		return authorizeScreening(ctx, frontline.PermManageSupply, frontline.PermPlaceOrders)
	}
	return authorizeScreening(ctx, frontline.PermManageSupply, frontline.PermPlaceOrders, frontline.PermReadReports)
}

// findDistribution returns a distribution that concerns the caller: its
// scope inside the caller's, or the caller working on a part of it.
func (tx *Tx) findDistribution(ctx context.Context, id int64) (distribution, error) {
	d, err := scanDistribution(tx.QueryRowContext(ctx, `SELECT `+distributionColumns+` FROM distributions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !campaignConcerns(ctx, d.path) {
		return distribution{}, frontline.Errorf(frontline.ENOTFOUND, "distribution %d not found", id)
	}
	return d, tx.db.translate(err)
}

// openDistribution returns a distribution that may still change.
func (tx *Tx) openDistribution(ctx context.Context, id int64) (distribution, error) {
	d, err := tx.findDistribution(ctx, id)
	if err == nil && d.Status != frontline.DistributionOpen {
		err = frontline.Errorf(frontline.ECONFLICT, "distribution %s is closed", d.Name)
	}
	return d, err
}

// distributionNode returns a node of the distribution the caller may see:
// placeID, or when 0 the scope or, for a caller below it, their own scope.
func (tx *Tx) distributionNode(ctx context.Context, d distribution, placeID int64) (*frontline.Place, error) {
	if placeID == 0 {
		placeID = d.ScopeID
		if p := frontline.PrincipalFrom(ctx); p != nil && len(p.ScopePath) > len(d.path) {
			placeID = p.ScopeID
		}
	}
	n, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(n.Path, d.path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "%s is not part of distribution %s", n.Name, d.Name)
	}
	return n, nil
}

// StartDistribution creates a distribution and freezes its households in
// one transaction: one INSERT ... SELECT copies every household under the
// scope with its building, and the counters of every node start from the
// tree's maintained household counts (scopeStructure, shared with the
// screening campaigns). Nothing loops over households in Go.
func (s *DistributionService) StartDistribution(ctx context.Context, d *frontline.Distribution) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if s.db.Engine == Postgres {
		// The copied households and the tree's counts must agree.
		if err := tx.snapshotIsolation(ctx); err != nil {
			return err
		}
	}
	if err := d.Validate(); err != nil {
		return err
	}
	scope, err := tx.findPlaceByID(ctx, d.ScopeID)
	if err != nil {
		return notFoundAs(err, "scope_id")
	}
	if scope.Kind == frontline.KindHousehold || scope.Retired() {
		return frontline.FieldError("scope_id", "a distribution goes to the households of a building or a larger place, not a %s", scope.Kind)
	}
	a := frontline.ActorFrom(ctx).String()
	d.Status, d.StartedAt, d.StartedBy, d.Scope = frontline.DistributionOpen, tx.now, a, scope
	if err := tx.QueryRowContext(ctx, `INSERT INTO distributions (name, contents, scope_id, scope_path, status, started_at, started_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.Name, d.Contents, d.ScopeID, scope.Path, string(d.Status), tx.now, a).Scan(&d.ID); err != nil {
		return tx.db.translate(err)
	}
	if d.Households, err = tx.freezeDistribution(ctx, distribution{Distribution: d, path: scope.Path}, scope); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE distributions SET households = ? WHERE id = ?`, d.Households, d.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, "start", "distribution", d.ID, scope.Path, nil, map[string]any{
		"name": d.Name, "contents": d.Contents, "scope_id": d.ScopeID, "households": d.Households}); err != nil {
		return err
	}
	return tx.Commit()
}

// freezeDistribution copies the households under the scope and sets up
// the counters; it returns how many households it froze. A household's
// building is its parent, or its grandparent when the parent is a unit.
func (tx *Tx) freezeDistribution(ctx context.Context, d distribution, scope *frontline.Place) (int, error) {
	nodes, err := tx.scopeStructure(ctx, scope)
	if err != nil {
		return 0, err
	}
	lo, hi := subtreeRange(d.path)
	res, err := tx.ExecContext(ctx, `INSERT INTO distribution_households (distribution_id, household_id, path, building_id, since)
		SELECT ?, h.id, h.path, CASE WHEN u.kind = ? THEN u.parent_id ELSE u.id END, ?
		FROM places h JOIN places u ON u.id = h.parent_id
		WHERE h.path > ? AND h.path < ? AND h.kind = ? AND h.retired_at IS NULL`,
		d.ID, string(frontline.KindUnit), tx.timeArg(), lo, hi, string(frontline.KindHousehold))
	if err != nil {
		return 0, fmt.Errorf("freeze households: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	fs := distributionFrozen(d.ID)
	if len(nodes) > 0 && int64(nodes[0].households) != n {
		if err := tx.recountFrozen(ctx, fs, nodes); err != nil {
			return 0, err
		}
	}
	return int(n), tx.writeFrozenCounts(ctx, fs, nodes)
}

// FindDistributionByID returns one distribution with its scope node.
func (s *DistributionService) FindDistributionByID(ctx context.Context, id int64) (*frontline.Distribution, error) {
	if err := authorizeDistribution(ctx, false); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, err := tx.findDistribution(ctx, id)
	if err != nil {
		return nil, err
	}
	d.Scope, err = tx.placeByID(ctx, d.ScopeID)
	return d.Distribution, err
}

// FindDistributions lists the distributions that concern the caller and
// lie at, above or under a node (0: any), newest first.
func (s *DistributionService) FindDistributions(ctx context.Context, placeID int64, offset, limit int) ([]*frontline.Distribution, int, error) {
	if err := authorizeDistribution(ctx, false); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	node := ""
	if placeID != 0 {
		n, err := tx.findPlaceByID(ctx, placeID)
		if err != nil {
			return nil, 0, err
		}
		node = n.Path
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+distributionColumns+` FROM distributions ORDER BY id DESC`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*frontline.Distribution{}
	for rows.Next() {
		d, err := scanDistribution(rows)
		if err != nil {
			return nil, 0, err
		}
		if campaignConcerns(ctx, d.path) && (strings.HasPrefix(d.path, node) || strings.HasPrefix(node, d.path)) {
			out = append(out, d.Distribution)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	total := len(out)
	lo := min(max(offset, 0), total)
	hi := total
	if limit > 0 {
		hi = min(lo+limit, total)
	}
	return out[lo:hi], total, nil
}

const distributionProgressSelect = `SELECT c.place_id, p.name, p.kind, c.households, c.delivered, c.refused, c.not_home,
	c.moved_out, c.not_applicable FROM distribution_counts c JOIN places p ON p.id = c.place_id WHERE c.distribution_id = ? AND `

func scanProgress(sc interface{ Scan(...any) error }) (*frontline.DistributionProgress, error) {
	var v frontline.DistributionProgress
	err := sc.Scan(&v.PlaceID, &v.Name, &v.Kind, &v.Households, &v.Delivered, &v.Refused, &v.NotHome, &v.MovedOut, &v.NotApplicable)
	return &v, err
}

// progress reads the counters of a node and its children: two index
// lookups, whatever the size of the subtree.
func (tx *Tx) distributionProgress(ctx context.Context, d distribution, placeID int64) (*frontline.DistributionProgress, []*frontline.DistributionProgress, error) {
	top, err := scanProgress(tx.QueryRowContext(ctx, distributionProgressSelect+`c.place_id = ?`, d.ID, placeID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "place %d has no households in distribution %s", placeID, d.Name)
	} else if err != nil {
		return nil, nil, err
	}
	rows, err := tx.QueryContext(ctx, distributionProgressSelect+`c.parent_id = ?`, d.ID, placeID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	kids := []*frontline.DistributionProgress{}
	for rows.Next() {
		k, err := scanProgress(rows)
		if err != nil {
			return nil, nil, err
		}
		kids = append(kids, k)
	}
	slices.SortStableFunc(kids, func(a, b *frontline.DistributionProgress) int { return NaturalCompare(a.Name, b.Name) })
	return top, kids, rows.Err()
}

// Progress returns the counters of a node of the distribution and of each
// of its children.
func (s *DistributionService) Progress(ctx context.Context, id, placeID int64) (*frontline.DistributionProgress, []*frontline.DistributionProgress, error) {
	if err := authorizeDistribution(ctx, false); err != nil {
		return nil, nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	d, err := tx.findDistribution(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	n, err := tx.distributionNode(ctx, d, placeID)
	if err != nil {
		return nil, nil, err
	}
	return tx.distributionProgress(ctx, d, n.ID)
}

// CloseDistribution closes a distribution once every household of it has
// a final status. The refusal, from the counters, says how many have not
// and under which nodes, so it is instant for a city.
func (s *DistributionService) CloseDistribution(ctx context.Context, id int64) (*frontline.Distribution, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, err := tx.findDistribution(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(ctx, d.path) {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "only staff of %s or above may close this distribution", d.Name)
	}
	top, kids, err := tx.distributionProgress(ctx, d, d.ScopeID)
	if err != nil {
		return nil, err
	}
	if err := frontline.CanCloseDistribution(d.Distribution, top.Pending(), pendingWhere(kids)); err != nil {
		return nil, err
	}
	a := frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE distributions SET status = ?, closed_at = ?, closed_by = ? WHERE id = ?`,
		string(frontline.DistributionClosed), tx.now, a, d.ID); err != nil {
		return nil, err
	}
	d.Status, d.ClosedAt, d.ClosedBy = frontline.DistributionClosed, tx.now, a
	if err := tx.audit(ctx, "close", "distribution", d.ID, d.path, nil, map[string]any{"status": d.Status}); err != nil {
		return nil, err
	}
	return d.Distribution, tx.Commit()
}

// pendingWhere names the child nodes with the most households pending,
// at most five ("3号楼 4").
func pendingWhere(kids []*frontline.DistributionProgress) []string {
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].Pending() > kids[j].Pending() })
	var where []string
	for _, k := range kids {
		if k.Pending() > 0 && len(where) < 5 {
			where = append(where, fmt.Sprintf("%s %d", k.Name, k.Pending()))
		}
	}
	return where
}

// AddHousehold adds a household that moved in (or was registered) after
// the start, recording who added it and when; it counts from now on.
func (s *DistributionService) AddHousehold(ctx context.Context, id, householdID int64) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	d, err := tx.openDistribution(ctx, id)
	if err != nil {
		return err
	}
	h, err := tx.liveHousehold(ctx, householdID)
	if err != nil {
		return notFoundAs(err, "household_id")
	}
	if !strings.HasPrefix(h.Path, d.path) || !visible(ctx, h.Path) {
		return frontline.FieldError("household_id", "%s is not under the place this distribution serves", h.Name)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM distribution_households WHERE distribution_id = ? AND household_id = ?`,
		d.ID, h.ID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &frontline.Error{Code: frontline.ECONFLICT, Field: "household_id", Message: fmt.Sprintf("%s is in the distribution already", h.Name)}
	}
	above := countedNodes(d.path, h.Path)
	if err := tx.ensureCounters(ctx, distributionFrozen(d.ID), d.path, above); err != nil {
		return err
	}
	kinds := map[int64]frontline.PlaceKind{}
	if err := tx.placeKinds(ctx, above, kinds); err != nil {
		return err
	}
	building := above[len(above)-1]
	if kinds[building] == frontline.KindUnit && len(above) > 1 {
		building = above[len(above)-2]
	}
	actor := frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `INSERT INTO distribution_households (distribution_id, household_id, path, building_id, since,
		added_late, added_by) VALUES (?, ?, ?, ?, ?, TRUE, ?)`, d.ID, h.ID, h.Path, building, tx.timeArg(), actor); err != nil {
		return tx.db.translate(err)
	}
	if err := tx.addHandoutCounts(ctx, d, h.Path, handoutDelta{households: 1}); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE distributions SET households = households + 1 WHERE id = ?`, d.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, "add_household", "distribution", d.ID, h.Path, nil,
		map[string]any{"household_id": h.ID, "added_by": actor}); err != nil {
		return err
	}
	return tx.Commit()
}

// moveDistributions keeps each distribution's frozen households where
// their places are when a subtree moves. A distribution whose scope lies
// inside the subtree moves with it (paths only: its counters are by
// node). One whose counters would have to move from old ancestors to new
// ones — the subtree moving within its area — refuses the move while it
// is open (move the place once it is closed), and a closed one keeps its
// record as it was, as one the subtree leaves.
func (tx *Tx) moveDistributions(ctx context.Context, m *subtreeMove) error {
	ds, err := tx.countingWork(ctx, string(frontline.DistributionOpen), `SELECT d.id, d.name, d.scope_path, d.status, p.name,
		(SELECT COUNT(*) FROM distribution_households s WHERE s.distribution_id = d.id AND s.path >= ? AND s.path < ?)
		FROM distributions d JOIN places p ON p.id = d.scope_id
		WHERE d.scope_id IN `+inList(len(m.ancestors))+` OR (d.scope_path >= ? AND d.scope_path < ?) ORDER BY d.id`,
		append(append([]any{m.lo, m.hi}, int64Args(m.ancestors)...), m.lo, m.hi)...)
	if err != nil {
		return err
	}
	for _, d := range ds {
		f, err := follow(m, d, "distribution")
		if err != nil {
			return err
		}
		if f == across && d.open {
			return &frontline.Error{Code: frontline.ECONFLICT, Field: "area", Message: fmt.Sprintf(
				"%s is counted in the open distribution %s; move it once the distribution is closed", m.node.Name, d.name)}
		}
		if f == inside {
			if err := tx.rewrite(ctx, m, "distribution_households", "path", "distribution_id = ?", d.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// NewHouseholds lists households under a node of the distribution (and
// the caller's scope) that are not in it. At most 1,000.
func (s *DistributionService) NewHouseholds(ctx context.Context, id, placeID int64) ([]*frontline.Place, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageSupply)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	d, err := tx.findDistribution(ctx, id)
	if err != nil {
		return nil, err
	}
	n, err := tx.distributionNode(ctx, d, placeID)
	if err != nil {
		return nil, err
	}
	return tx.householdsOutside(ctx, distributionFrozen(d.ID), n.Path)
}

// PurgeDistribution removes a distribution and every row it made.
// Distributions are records of what was handed out and are never removed
// through the service; this is for benchmarks that start one on a kept
// city, and refuses any principal.
func (s *DistributionService) PurgeDistribution(ctx context.Context, id int64) error {
	if frontline.PrincipalFrom(ctx) != nil {
		return frontline.Errorf(frontline.EFORBIDDEN, "distributions are kept; only the system may purge one")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM distribution_days WHERE distribution_id = ?`,
		`DELETE FROM distribution_counts WHERE distribution_id = ?`,
		`DELETE FROM distribution_households WHERE distribution_id = ?`,
		`DELETE FROM distributions WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}
