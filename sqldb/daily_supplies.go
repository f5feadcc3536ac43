package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// dailySupplies reads the supplies section: the counters of the
// distributions under way during the day (households, delivered, still
// to serve), the households they delivered in the day's window, and the
// orders delivered in it — by the time the parcel was ticked delivered
// (delivered_at), which a later change to the order (the household
// confirming it) does not move.
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
		AND delivered_at > ? AND delivered_at <= ? GROUP BY path`, lo, hi, string(frontline.OrderDelivered), f.from, f.to)
	return g, err
}

// dashboardSupplied fills the households supplied per day: from each
// distribution's day counters (distribution_days) at the node, or at its
// scope when that lies below the node — a row per day, not a row per
// household — and the households whose orders were delivered each day,
// by the parcel's delivery time (delivered_at): an order changed after it
// was delivered stays on the day it arrived.
func (tx *Tx) dashboardSupplied(ctx context.Context, f *dailyFrame, d *frontline.Dashboard, today string, loc *time.Location) error {
	first := frontline.AddDays(today, 1-frontline.DashboardDays)
	byDay := map[string]*frontline.DaySupplied{}
	for i := range frontline.DashboardDays {
		d.Supplied = append(d.Supplied, frontline.DaySupplied{Day: frontline.AddDays(first, i)})
	}
	for i := range d.Supplied {
		byDay[d.Supplied[i].Day] = &d.Supplied[i]
	}
	scopes, err := tx.scopesOf(ctx, f, `SELECT id, scope_id, scope_path FROM distributions`)
	if err != nil {
		return err
	}
	for id, sc := range scopes {
		target := f.n.ID
		if !strings.HasPrefix(f.n.Path, sc[1].(string)) {
			target = sc[0].(int64)
		}
		rows, err := tx.QueryContext(ctx, `SELECT day, delivered FROM distribution_days WHERE distribution_id = ? AND place_id = ?
			AND day >= ? AND day <= ?`, id, target, first, today)
		if err != nil {
			return err
		}
		for rows.Next() {
			var day string
			var n int
			if err := rows.Scan(&day, &n); err != nil {
				rows.Close()
				return err
			}
			if s := byDay[day]; s != nil {
				s.Distributed += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	from, err := time.ParseInLocation(frontline.DateLayout, first, loc)
	if err != nil {
		return err
	}
	lo, hi := f.subtree()
	rows, err := tx.QueryContext(ctx, `SELECT household_id, delivered_at FROM supply_orders WHERE path >= ? AND path < ? AND status = ?
		AND delivered_at >= ?`, lo, hi, string(frontline.OrderDelivered), from.UTC())
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := map[string]map[int64]bool{}
	for rows.Next() {
		var hh int64
		var at time.Time
		if err := rows.Scan(&hh, &at); err != nil {
			return err
		}
		day := localDay(at, loc)
		if s := byDay[day]; s != nil && !seen[day][hh] {
			if seen[day] == nil {
				seen[day] = map[int64]bool{}
			}
			seen[day][hh] = true
			s.Ordered++
		}
	}
	return rows.Err()
}
