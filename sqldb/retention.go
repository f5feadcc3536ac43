package sqldb

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// RetentionService keeps the retention rules and purges personal data
// (retention_kinds.go says what each kind empties).
type RetentionService struct {
	db *DB
	// BatchSize is how many records one purge transaction empties; each
	// batch writes its anonymised counts in the same transaction, so a
	// purge killed at any moment leaves every record either as it was or
	// purged and counted.
	BatchSize int
	// Reclaim rewrites an SQLite file after a purge (VACUUM), so no freed
	// page keeps purged bytes; on by default.
	Reclaim bool
}

// NewRetentionService returns the retention service of db.
func NewRetentionService(db *DB) *RetentionService {
	return &RetentionService{db: db, BatchSize: 500, Reclaim: true}
}

var _ frontline.RetentionService = (*RetentionService)(nil)

// Rules returns the newest saved rules, or the defaults (version 0). A
// kind the saved version does not name keeps its default.
func (s *RetentionService) Rules(ctx context.Context) (*frontline.RetentionRules, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.retentionRules(ctx)
}

func (tx *Tx) retentionRules(ctx context.Context) (*frontline.RetentionRules, error) {
	r := &frontline.RetentionRules{Days: map[frontline.RetentionKind]int{}}
	for k, d := range frontline.DefaultRetention {
		r.Days[k] = d
	}
	rows, err := tx.QueryContext(ctx, `SELECT version, kind, keep_days, note, created_at, created_by FROM retention_rules
		WHERE version = (SELECT MAX(version) FROM retention_rules)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var days int
		if err := rows.Scan(&r.Version, &kind, &days, &r.Note, &r.CreatedAt, &r.CreatedBy); err != nil {
			return nil, err
		}
		r.Days[frontline.RetentionKind(kind)] = days
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, rows.Err()
}

// SaveRules stores r as the next version; kinds it leaves out keep the
// days in force. Needs users.manage (the office's administrators).
func (s *RetentionService) SaveRules(ctx context.Context, r *frontline.RetentionRules) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageUsers)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	old, err := tx.retentionRules(ctx)
	if err != nil {
		return err
	}
	days := map[frontline.RetentionKind]int{}
	for k, d := range old.Days {
		days[k] = d
	}
	for k, d := range r.Days {
		days[k] = d
	}
	r.Days = days
	if err := r.Validate(); err != nil {
		return err
	}
	r.Version, r.CreatedAt, r.CreatedBy = old.Version+1, tx.now, frontline.ActorFrom(ctx).String()
	before, after := map[string]any{"version": old.Version}, map[string]any{"version": r.Version}
	for _, k := range frontline.RetentionKinds {
		if _, err := tx.ExecContext(ctx, `INSERT INTO retention_rules (version, kind, keep_days, note, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?)`, r.Version, string(k), r.Days[k], r.Note, r.CreatedAt, r.CreatedBy); err != nil {
			return err
		}
		before[string(k)], after[string(k)] = old.Days[k], r.Days[k]
	}
	if err := tx.audit(ctx, "update", "retention_rules", int64(r.Version), "", before, after); err != nil {
		return err
	}
	return tx.Commit()
}

// underRange returns the path range of the node under (everything for 0),
// with the node, checking the principal's scope.
func (tx *Tx) underRange(ctx context.Context, under int64) (lo, hi string, node *frontline.Place, err error) {
	if under == 0 {
		if p := frontline.PrincipalFrom(ctx); p != nil {
			return "", "", nil, frontline.Errorf(frontline.EFORBIDDEN, "choose a place within your scope")
		}
		return "/", "0", nil, nil
	}
	node, err = tx.findPlaceByID(ctx, under)
	if err != nil {
		return "", "", nil, err
	}
	if !visible(ctx, node.Path) {
		return "", "", nil, frontline.Errorf(frontline.EFORBIDDEN, "%s is outside your scope", node.Name)
	}
	lo, hi = subtreeRange(node.Path)
	return lo, hi, node, nil
}

// Due returns, per kind, the records due now and the days on which the
// others fall due. Needs audit.read.
func (s *RetentionService) Due(ctx context.Context, under int64) ([]frontline.RetentionDue, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadAudit)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	lo, hi, _, err := tx.underRange(ctx, under)
	if err != nil {
		return nil, err
	}
	rules, err := tx.retentionRules(ctx)
	if err != nil {
		return nil, err
	}
	purged, err := tx.purgedCounts(ctx, lo, hi)
	if err != nil {
		return nil, err
	}
	now := tx.now
	var out []frontline.RetentionDue
	for _, k := range purgeKinds {
		ends, err := k.endCounts(ctx, tx, lo, hi, now, rules)
		if err != nil {
			return nil, err
		}
		d := frontline.RetentionDue{Kind: k.kind, Days: rules.Days[k.kind], Purged: purged[k.kind]}
		cutoff := rules.Cutoff(k.kind, now)
		days := map[string]int{}
		for ended, n := range ends {
			if ended.Before(cutoff) {
				d.Now += n
				continue
			}
			days[ended.AddDate(0, 0, d.Days).In(s.db.Location).Format(time.DateOnly)] += n
		}
		for _, day := range slices.Sorted(mapKeys(days)) {
			d.Upcoming = append(d.Upcoming, frontline.DueDay{Day: day, Records: days[day]})
		}
		out = append(out, d)
	}
	return out, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// purgedCounts sums the anonymised statistics under a path range by kind.
func (tx *Tx) purgedCounts(ctx context.Context, lo, hi string) (map[frontline.RetentionKind]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.kind, SUM(s.records) FROM purge_stats s JOIN places p ON p.id = s.place_id
		WHERE p.path >= ? AND p.path < ? GROUP BY s.kind`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[frontline.RetentionKind]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[frontline.RetentionKind(k)] = n
	}
	return out, rows.Err()
}

// statPlaces maps the paths of communities to their ids: the anonymised
// counts are kept per community, coarse enough that a count names nobody.
func (tx *Tx) statPlaces(ctx context.Context) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, path FROM places WHERE kind = ?`, string(frontline.KindCommunity))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			return nil, err
		}
		out[path] = id
	}
	return out, rows.Err()
}

// statPlace returns the community a record's path lies under; above the
// communities (a record of a district's own), the path's own node's parent.
func statPlace(communities map[string]int64, path string) int64 {
	ids := frontline.PathIDs(path)
	prefix := "/"
	var found int64
	for _, id := range ids {
		prefix += strconv.FormatInt(id, 10) + "/"
		if c, ok := communities[prefix]; ok {
			found = c
		}
	}
	if found != 0 || len(ids) == 0 {
		return found
	}
	if len(ids) > 1 {
		return ids[len(ids)-2]
	}
	return ids[0]
}

// sortRecords orders records by group and id, so batches group well.
func sortRecords(recs []dueRecord) {
	slices.SortFunc(recs, func(a, b dueRecord) int {
		return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.id, b.id))
	})
}
