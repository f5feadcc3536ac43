package sqldb

import (
	"context"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// helpAlertKey is the de-duplication key of a request's alert of kind.
func helpAlertKey(id int64, kind string) string {
	return kind + ":" + strconv.FormatInt(id, 10)
}

// helpLate is one pass of AlertLateHelp: the requests late on one
// deadline, the column that marks them alerted, and the kind raised.
type helpLate struct {
	kind, status, due, mark string
}

// helpLates are the two deadlines: acknowledged in time, resolved in time.
var helpLates = []helpLate{
	{frontline.AlertHelpUnacked, `h.status = 'open'`, "ack_due", "ack_alerted_at"},
	{frontline.AlertHelpLate, `h.status <> 'resolved'`, "resolve_due", "late_alerted_at"},
}

// AlertLateHelp raises an alert for each request past a deadline, once
// per request and deadline: the conditional update of the mark decides
// which transaction raises it, so serve's job may run on several servers
// at once. The alert escalates one level up by its kind's time, and
// acknowledging or resolving the request resolves it.
func (s *HelpService) AlertLateHelp(ctx context.Context) (int, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	raised := 0
	for _, l := range helpLates {
		late, err := tx.queryHelp(ctx, []string{l.status, `h.` + l.due + ` < ?`, `h.` + l.mark + ` IS NULL`}, []any{tx.now},
			` ORDER BY h.`+l.due+`, h.id`)
		if err != nil {
			return 0, err
		}
		for _, h := range late {
			res, err := tx.ExecContext(ctx, `UPDATE help_requests SET `+l.mark+` = ? WHERE id = ? AND `+l.mark+` IS NULL`, tx.now, h.ID)
			if err != nil {
				return 0, err
			}
			if n, err := res.RowsAffected(); err != nil {
				return 0, err
			} else if n == 0 {
				continue // another server raised it
			}
			since := h.AckDue
			if l.kind == frontline.AlertHelpLate {
				since = h.ResolveDue
			}
			detail := frontline.HelpCategoryLabels[h.Category]
			if h.Person != "" {
				detail = maskName(h.Person) + " · " + detail
			}
			if err := tx.raiseAlert(ctx, &frontline.Alert{Kind: l.kind, PlaceID: h.HouseholdID, Subject: "help", SubjectID: h.ID,
				Key: helpAlertKey(h.ID, l.kind), Detail: detail, Action: "/help/" + strconv.FormatInt(h.ID, 10), Since: since}); err != nil {
				return 0, err
			}
			raised++
		}
	}
	return raised, tx.Commit()
}

// dailyHelp counts, per row of the report, the requests opened in the
// day, those whose time to acknowledge ran out in the day before anyone
// took them on, those resolved in the day, and those open at the report's
// moment. One pass over the node's requests (help_requests_path), grouped
// by household path.
func (tx *Tx) dailyHelp(ctx context.Context, f *dailyFrame) (grid, error) {
	lo, hi := f.subtree()
	rows, err := tx.QueryContext(ctx, `SELECT path,
		SUM(CASE WHEN created_at > ? AND created_at <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN ack_due > ? AND ack_due <= ? AND ack_due <= ? AND (acked_at IS NULL OR acked_at > ack_due) THEN 1 ELSE 0 END),
		SUM(CASE WHEN resolved_at > ? AND resolved_at <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN created_at <= ? AND (resolved_at IS NULL OR resolved_at > ?) THEN 1 ELSE 0 END)
		FROM help_requests WHERE path >= ? AND path < ? AND (status <> 'resolved' OR resolved_at > ? OR created_at > ?)
		GROUP BY path`,
		f.from, f.to, f.from, f.to, f.at, f.from, f.to, f.at, f.at, lo, hi, f.from, f.from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	g := f.grid(4)
	for rows.Next() {
		var path string
		var v [4]int
		if err := rows.Scan(&path, &v[0], &v[1], &v[2], &v[3]); err != nil {
			return nil, err
		}
		for i, n := range v {
			f.add(g, path, i, n)
		}
	}
	return g, rows.Err()
}

// helpAges counts the open requests under path by age at now, medical and
// other, in frontline.HelpAgeBuckets.
func (tx *Tx) helpAges(ctx context.Context, path string) ([]frontline.HelpAge, error) {
	lo, hi := subtreeRange(path)
	rows, err := tx.QueryContext(ctx, `SELECT created_at, medical FROM help_requests
		WHERE status <> 'resolved' AND path >= ? AND path < ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]frontline.HelpAge, len(frontline.HelpAgeBuckets))
	for i, b := range frontline.HelpAgeBuckets {
		out[i].Label = b.Label
	}
	for rows.Next() {
		var at time.Time
		var medical bool
		if err := rows.Scan(&at, &medical); err != nil {
			return nil, err
		}
		i := frontline.HelpAgeBucket(tx.now.Sub(at))
		if medical {
			out[i].Medical++
		} else {
			out[i].Other++
		}
	}
	return out, rows.Err()
}
