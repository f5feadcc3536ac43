package sqldb

import (
	"context"
	"strings"

	"github.com/frontline-org/frontline"
)

// The frozen denominator (DESIGN.md): a screening campaign and a
// distribution both copy the households under their scope when they
// start into a members table, and keep counters per node of the scope in
// a counts table keyed by (owner, place_id) with a parent_id. The helpers
// here serve both; each workflow keeps its own status columns.

// frozenSet names one owner's members and counters.
type frozenSet struct {
	members string // the members table (household_id, path, …)
	counts  string // the counters table (place_id, parent_id, households, …)
	owner   string // the owner's column in both
	id      int64
}

func campaignFrozen(id int64) frozenSet {
	return frozenSet{"screening_households", "screening_counts", "campaign_id", id}
}

func distributionFrozen(id int64) frozenSet {
	return frozenSet{"distribution_households", "distribution_counts", "distribution_id", id}
}

// scopeStructure returns the scope node and every node under it but the
// households, parents before children, with the tree's maintained
// household counts: the counters a frozen set starts from.
func (tx *Tx) scopeStructure(ctx context.Context, scope *frontline.Place) ([]*snode, error) {
	lo, hi := subtreeRange(scope.Path)
	rows, err := tx.QueryContext(ctx, `SELECT id, COALESCE(parent_id, 0), kind, name, path, households FROM places
		WHERE path >= ? AND path < ? AND kind <> ? AND retired_at IS NULL ORDER BY path`, lo, hi, string(frontline.KindHousehold))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var nodes []*snode
	for rows.Next() {
		n := &snode{}
		if err := rows.Scan(&n.id, &n.parent, &n.kind, &n.name, &n.path, &n.households); err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, rows.Err()
}

// recountFrozen sets each node's households from the copied rows, for
// when the tree's counts and the copy disagree.
func (tx *Tx) recountFrozen(ctx context.Context, fs frozenSet, nodes []*snode) error {
	rows, err := tx.QueryContext(ctx, `SELECT h.parent_id, COUNT(*) FROM `+fs.members+` s JOIN places h ON h.id = s.household_id
		WHERE s.`+fs.owner+` = ? GROUP BY h.parent_id`, fs.id)
	if err != nil {
		return err
	}
	direct := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return err
		}
		direct[id] = n
	}
	rows.Close()
	byID := make(map[int64]*snode, len(nodes))
	for _, n := range nodes {
		n.households = 0
		byID[n.id] = n
	}
	for id, k := range direct {
		for n := byID[id]; n != nil; n = byID[n.parent] {
			n.households += k
		}
	}
	return rows.Err()
}

// writeFrozenCounts inserts the starting counters of every node.
func (tx *Tx) writeFrozenCounts(ctx context.Context, fs frozenSet, nodes []*snode) error {
	cols := []string{fs.owner, "place_id", "parent_id", "households"}
	return tx.bulkInsert(ctx, fs.counts, cols, len(nodes), func(i int, args []any) []any {
		return append(args, fs.id, nodes[i].id, nodes[i].parent, nodes[i].households)
	})
}

// ensureCounters makes counter rows for nodes created after the start (a
// new building), so a household added late has somewhere to count; ids
// run from the scope down, and scopePath is the owner's scope.
func (tx *Tx) ensureCounters(ctx context.Context, fs frozenSet, scopePath string, ids []int64) error {
	for i, id := range ids {
		parent := int64(0)
		if i > 0 {
			parent = ids[i-1]
		} else if p := frontline.PathIDs(scopePath); len(p) > 1 {
			parent = p[len(p)-2]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+fs.counts+` (`+fs.owner+`, place_id, parent_id) VALUES (?, ?, ?)
			ON CONFLICT (`+fs.owner+`, place_id) DO NOTHING`, fs.id, id, parent); err != nil {
			return err
		}
	}
	return nil
}

// householdsOutside lists the live households under path (and the
// caller's scope) that are not members of fs: created or moved in since it
// froze, for the office to add. At most 1,000, by path.
func (tx *Tx) householdsOutside(ctx context.Context, fs frozenSet, path string) ([]*frontline.Place, error) {
	lo, hi := subtreeRange(path)
	where, args := andScope(ctx, "h.path", []string{"h.path > ?", "h.path < ?", "h.kind = ?", "h.retired_at IS NULL"},
		[]any{lo, hi, string(frontline.KindHousehold)})
	rows, err := tx.QueryContext(ctx, `SELECT `+placeColumnsOf("h")+` FROM places h WHERE `+strings.Join(where, " AND ")+
		` AND NOT EXISTS (SELECT 1 FROM `+fs.members+` s WHERE s.`+fs.owner+` = ? AND s.household_id = h.id)
		ORDER BY h.path LIMIT 1000`, append(args, fs.id)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Place{}
	for rows.Next() {
		p, err := scanPlace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
