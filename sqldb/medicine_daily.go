package sqldb

import (
	"context"

	"github.com/frontline-org/frontline"
)

// dailyMedicine is the daily report's medicine section: the requests made,
// filled and delivered in the day, and the chronic ones past their target
// and not delivered at the report's moment.
func (tx *Tx) dailyMedicine(ctx context.Context, f *dailyFrame) (grid, error) {
	lo, hi := f.subtree()
	g := f.grid(4)
	for col, at := range []string{"created_at", "filled_at", "delivered_at"} {
		if err := tx.groupCount(ctx, f, g, col, `SELECT path, COUNT(*) FROM medicine_requests WHERE path >= ? AND path < ?
			AND `+at+` > ? AND `+at+` <= ? GROUP BY path`, lo, hi, f.from, f.to); err != nil {
			return nil, err
		}
	}
	err := tx.groupCount(ctx, f, g, 3, `SELECT path, COUNT(*) FROM medicine_requests WHERE path >= ? AND path < ?
		AND due_at < ? AND created_at <= ? AND (delivered_at IS NULL OR delivered_at > ?) AND status NOT IN (?, ?) GROUP BY path`,
		lo, hi, f.at, f.at, f.at, string(frontline.MedicineRefused), string(frontline.MedicineCancelled))
	return g, err
}
