package sqldb

import (
	"context"

	"github.com/frontline-org/frontline"
)

// dailySupplies reads the supplies section: the counters of the
// distributions under way during the day (households, delivered, still
// to serve), the households they delivered in the day's window, and the
// orders delivered in it. Orders have no delivery time of their own: one
// delivered in the window is one whose last change (to delivered) was in
// it.
func (tx *Tx) dailySupplies(ctx context.Context, f *dailyFrame) (grid, error) {
	scopes, err := tx.scopesOf(ctx, f, `SELECT id, scope_id, scope_path FROM distributions WHERE status = ? OR closed_at > ?`,
		string(frontline.DistributionOpen), f.from)
	if err != nil {
		return nil, err
	}
	g := f.grid(5)
	err = tx.readCounters(ctx, "distribution_counts", "distribution_id", `households, delivered, refused + moved_out + not_applicable`,
		f.counterTargets(scopes), g, func(row, v []int) {
			row[0] += v[0]
			row[1] += v[1]
			row[2] += v[0] - v[1] - v[2]
		})
	if err != nil {
		return nil, err
	}
	lo, hi := f.subtree()
	for id := range scopes {
		// distribution_households_marked: the window's marks of one
		// distribution, then only the delivered under the node.
		if err := tx.groupCount(ctx, f, g, 3, `SELECT path, COUNT(*) FROM distribution_households
			WHERE distribution_id = ? AND marked_at > ? AND marked_at <= ? AND status = ? AND path >= ? AND path < ? GROUP BY path`,
			id, f.from, f.to, string(frontline.HandoutDelivered), lo, hi); err != nil {
			return nil, err
		}
	}
	err = tx.groupCount(ctx, f, g, 4, `SELECT path, COUNT(*) FROM supply_orders WHERE path >= ? AND path < ? AND status = ?
		AND updated_at > ? AND updated_at <= ? GROUP BY path`, lo, hi, string(frontline.OrderDelivered), f.from, f.to)
	return g, err
}
