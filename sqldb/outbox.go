package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.OutboxService = (*OutboxService)(nil)

// OutboxService stores notices for the delivery worker. Notices are
// written by other services in their own transactions (enqueueNotices);
// this service hands them to workers and records what happened.
type OutboxService struct{ db *DB }

// NewOutboxService returns an OutboxService on db.
func NewOutboxService(db *DB) *OutboxService { return &OutboxService{db: db} }

// enqueueNotices writes notices in the caller's transaction, due now.
func (tx *Tx) enqueueNotices(ctx context.Context, notices []*frontline.Notice) error {
	insert := multiRow{prefix: `INSERT INTO outbox (channel, topic, recipient, place_id, round_id, subject, body,
		status, attempts, next_attempt_at, created_at, params) `,
		types: []string{"TEXT", "TEXT", "TEXT", "BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT", "INTEGER", "TIMESTAMPTZ", "TIMESTAMPTZ", "TEXT"}}
	now := tx.timeArg()
	return insert.exec(ctx, tx, len(notices), func(i int, args []any) []any {
		n := notices[i]
		n.Status, n.CreatedAt = frontline.NoticePending, tx.now
		if n.NextAttemptAt.Before(tx.now) { // unset, or past: at once
			n.NextAttemptAt = tx.now
		}
		return append(args, n.Channel, n.Topic, n.Recipient, nullID(n.PlaceID), nullID(n.RoundID), n.Subject, n.Body,
			string(n.Status), 0, tx.timeValue(n.NextAttemptAt), now, noticeParams(n.Params))
	})
}

// noticeParams writes a notice's named values as JSON.
func noticeParams(p map[string]string) string {
	if len(p) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(p) // a map of strings always encodes
	return string(b)
}

const noticeColumns = `o.id, o.channel, o.topic, o.recipient, COALESCE(o.place_id, 0), COALESCE(o.round_id, 0), o.subject,
	o.body, o.status, o.attempts, o.next_attempt_at, o.last_error, o.created_at, o.delivered_at, o.params`

func scanNotice(sc interface{ Scan(...any) error }) (*frontline.Notice, error) {
	var n frontline.Notice
	var params string
	if err := sc.Scan(&n.ID, &n.Channel, &n.Topic, &n.Recipient, &n.PlaceID, &n.RoundID, &n.Subject, &n.Body, &n.Status,
		&n.Attempts, &n.NextAttemptAt, &n.LastError, &n.CreatedAt, nullTimeDest{&n.DeliveredAt}, &params); err != nil {
		return nil, err
	}
	if params != "" && params != "{}" {
		if err := json.Unmarshal([]byte(params), &n.Params); err != nil {
			return nil, fmt.Errorf("notice %d: params: %w", n.ID, err)
		}
	}
	n.NextAttemptAt, n.CreatedAt = n.NextAttemptAt.UTC(), n.CreatedAt.UTC()
	return &n, nil
}

// ClaimNotices leases up to n due notices to the calling worker by moving
// their next attempt past the lease: another worker (of this or another
// server) does not see them as due until the lease runs out, which is also
// what happens to a notice whose worker died mid-delivery. On PostgreSQL
// rows another worker is claiming are skipped, not waited for.
func (s *OutboxService) ClaimNotices(ctx context.Context, n int, lease time.Duration) ([]*frontline.Notice, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	skip := ""
	if s.db.Engine == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+noticeColumns+` FROM outbox o WHERE o.status = ? AND o.next_attempt_at <= ?
		ORDER BY o.next_attempt_at, o.id LIMIT ?`+skip, string(frontline.NoticePending), tx.timeArg(), n)
	if err != nil {
		return nil, err
	}
	var out []*frontline.Notice
	for rows.Next() {
		nt, err := scanNotice(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, nt)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// The lease's end is the claim's mark: a later claim, after it ran
	// out, writes a later one. Kept to the microsecond PostgreSQL stores,
	// so the value read back and compared is the one written.
	until := tx.now.Add(lease).Truncate(time.Microsecond)
	ids := make([]int64, len(out))
	for i, nt := range out {
		ids[i] = nt.ID
		nt.NextAttemptAt, nt.Lease = until, until
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE id IN `+inList(len(ids)),
		append([]any{tx.timeValue(until)}, int64Args(ids)...)...); err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// NoticeDelivered marks a claimed notice delivered, if the claim still
// holds: the notice is pending and its next attempt is still the lease the
// claim wrote. Otherwise another worker has it (or had it and recorded its
// outcome), and this outcome is refused rather than written over theirs.
func (s *OutboxService) NoticeDelivered(ctx context.Context, n *frontline.Notice) error {
	return s.updateLeased(ctx, n, nil, `status = ?, attempts = attempts + 1, delivered_at = ?, last_error = ''`,
		string(frontline.NoticeDelivered), s.db.Now().UTC())
}

// NoticeFailed records a failed attempt of a claimed notice: due again at
// next, or dead; refused as NoticeDelivered when the claim no longer holds,
// so a late failure never turns a notice another worker delivered back to
// pending.
func (s *OutboxService) NoticeFailed(ctx context.Context, n *frontline.Notice, reason string, next time.Time, dead bool) error {
	status := frontline.NoticePending
	if dead {
		status, next = frontline.NoticeDead, s.db.Now().UTC()
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	var after func(context.Context, *Tx) error
	if dead {
		after = func(ctx context.Context, tx *Tx) error { return tx.deadNoticeAlert(ctx, n, reason) }
	}
	return s.updateLeased(ctx, n, after, `status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?`,
		string(status), next.UTC(), reason)
}

// deadNoticeAlert raises the alert of a notice that went to the
// dead-letter list, at the place it is about (or its round's scope). The
// notices of alerts themselves raise none: the alert is in the inbox
// already, and a channel that is down would only fail again.
func (tx *Tx) deadNoticeAlert(ctx context.Context, n *frontline.Notice, reason string) error {
	if n.Topic == "alert" {
		return nil
	}
	var place, round int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(o.place_id, r.scope_id, 0), COALESCE(o.round_id, 0) FROM outbox o
		LEFT JOIN test_rounds r ON r.id = o.round_id WHERE o.id = ?`, n.ID).Scan(&place, &round)
	if err != nil || place == 0 {
		return err
	}
	// The round's page lists its dead notices with the button that sends
	// one again; the notices page lists the others'.
	action := "/notices?status=dead"
	if round > 0 {
		action = "/rounds/" + strconv.FormatInt(round, 10)
	}
	// A resident's number is masked here as on every page: the alert's
	// detail reaches the inbox and the alert's own notices.
	to := n.Recipient
	if n.Channel == frontline.SMSChannel {
		to = frontline.MaskPhone(to)
	}
	return tx.raiseAlert(frontline.AsSystem(ctx), &frontline.Alert{Kind: frontline.AlertNoticeDead, PlaceID: place, Subject: "notice",
		SubjectID: n.ID, Key: "notice:" + strconv.FormatInt(n.ID, 10), Detail: truncateRunes(n.Channel+" · "+to+" · "+reason, 200),
		Action: action})
}

// updateLeased sets columns of a notice whose claim still holds.
func (s *OutboxService) updateLeased(ctx context.Context, n *frontline.Notice, after func(context.Context, *Tx) error, set string, args ...any) error {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if n.Lease.IsZero() {
		return frontline.Errorf(frontline.EINVALID, "notice %d was not claimed", n.ID)
	}
	res, err := tx.ExecContext(ctx, `UPDATE outbox SET `+set+` WHERE id = ? AND status = ? AND next_attempt_at = ?`,
		append(args, n.ID, string(frontline.NoticePending), tx.timeValue(n.Lease))...)
	if err != nil {
		return err
	}
	if k, err := res.RowsAffected(); err != nil {
		return err
	} else if k == 0 {
		return frontline.Errorf(frontline.ECONFLICT, "notice %d is no longer leased to this worker", n.ID)
	}
	if after != nil {
		if err := after(ctx, tx); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// noticeWhere builds the conditions of a filter within the caller's
// scope, on the outbox alone (alias o), so counting needs no join. A
// notice is in a principal's scope when the place it is about is, or for
// a notice about no place its round's scope (as RequeueNotice); the
// root's staff also see the notices about neither. The places and rounds
// of the scope are selected first, so the outbox is read through its
// indexes on place_id and round_id, not scanned.
func noticeWhere(ctx context.Context, tx *Tx, f frontline.NoticeFilter, status bool) (string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	if status && f.Status != nil {
		where, args = append(where, "o.status = ?"), append(args, string(*f.Status))
	}
	if f.RoundID != nil {
		where, args = append(where, "o.round_id = ?"), append(args, *f.RoundID)
	}
	if f.Topic != nil {
		where, args = append(where, "o.topic = ?"), append(args, *f.Topic)
	}
	if !f.From.IsZero() {
		where, args = append(where, "o.created_at >= ?"), append(args, tx.timeValue(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "o.created_at < ?"), append(args, tx.timeValue(f.To))
	}
	if cond, a := scopeCond(ctx, "x.path"); cond != "" {
		in := `(o.place_id IN (SELECT x.id FROM places x WHERE ` + cond + `) OR (o.place_id IS NULL AND o.round_id IN
			(SELECT r.id FROM test_rounds r JOIN places x ON x.id = r.scope_id WHERE ` + cond + `))`
		if frontline.PrincipalFrom(ctx).AtRoot() {
			in += ` OR (o.place_id IS NULL AND o.round_id IS NULL)`
		}
		where, args = append(where, in+")"), append(args, append(a, a...)...)
	}
	return strings.Join(where, " AND "), args
}

// FindNotices lists notices, newest first: the dead-letter list is the
// filter Status = dead. A principal sees phone numbers masked.
func (s *OutboxService) FindNotices(ctx context.Context, f frontline.NoticeFilter) ([]*frontline.Notice, int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	cond, args := noticeWhere(ctx, tx, f, true)
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox o WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+noticeColumns+`, COALESCE(p.path, '') FROM outbox o LEFT JOIN places p ON p.id = o.place_id
		WHERE `+cond+` ORDER BY o.id DESC`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]*frontline.Notice, 0)
	var paths []string
	for rows.Next() {
		var path string
		n, err := scanNotice(withDest{rows, []any{&path}})
		if err != nil {
			return nil, 0, err
		}
		paths = append(paths, path)
		// An SMS goes to a resident's number, a shift's alert on the log
		// to its leader's: staff see them masked, as every list of
		// numbers shows them; the system (the demo's steps) reads them
		// whole.
		if frontline.PrincipalFrom(ctx) != nil && (n.Channel == frontline.SMSChannel || isPhone(n.Recipient)) {
			n.Recipient = frontline.MaskPhone(n.Recipient)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	places, err := tx.noticePlaces(ctx, paths)
	if err != nil {
		return nil, 0, err
	}
	for i, n := range out {
		n.Place = places[i]
	}
	return out, total, nil
}

// CountNotices counts the notices of a filter in each status, in one
// read: the notices page's counts.
func (s *OutboxService) CountNotices(ctx context.Context, f frontline.NoticeFilter) (map[frontline.NoticeStatus]int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	cond, args := noticeWhere(ctx, tx, f, false)
	rows, err := tx.QueryContext(ctx, `SELECT o.status, COUNT(*) FROM outbox o WHERE `+cond+` GROUP BY o.status`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[frontline.NoticeStatus]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[frontline.NoticeStatus(st)] = n
	}
	return out, rows.Err()
}

// isPhone reports whether a notice's recipient is a phone number rather
// than a building, a place or a group of roles.
func isPhone(s string) bool {
	p, err := frontline.NormalizePhone(s)
	return err == nil && p != ""
}

// withDest scans a row into the destinations asked for and then into
// more: columns a query adds after a shared column list.
type withDest struct {
	sc   interface{ Scan(...any) error }
	more []any
}

func (w withDest) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.more...)...) }

// noticePlaces names the place of each notice, by its path: a household
// or building by its address below its community, as the community's
// staff name a door; a community or wider place by its own name; "" for
// a notice about no place.
func (tx *Tx) noticePlaces(ctx context.Context, paths []string) ([]string, error) {
	var known []string
	for _, p := range paths {
		if p != "" {
			known = append(known, p)
		}
	}
	names, err := tx.placeNamesOf(ctx, known)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(paths))
	for i, path := range paths {
		ids := frontline.PathIDs(path)
		var parts []string
		for _, id := range ids {
			if p := names[id]; p != nil && p.Kind.Rank() > frontline.KindCommunity.Rank() {
				parts = append(parts, p.Name)
			}
		}
		if len(parts) == 0 && len(ids) > 0 {
			if p := names[ids[len(ids)-1]]; p != nil {
				parts = append(parts, p.Name)
			}
		}
		out[i] = strings.Join(parts, "/")
	}
	return out, nil
}

// noticeVisible reports whether the caller may act on a notice whose place
// (or round scope) has path; a notice with neither is the root's.
func noticeVisible(ctx context.Context, path string) bool {
	if path == "" {
		p := frontline.PrincipalFrom(ctx)
		return p == nil || p.AtRoot()
	}
	return visible(ctx, path)
}

// RequeueNotice sends a dead notice again, now, with its attempts reset.
func (s *OutboxService) RequeueNotice(ctx context.Context, id int64) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageRounds)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// A notice is about a place (a building called down); one about no
	// place belongs to its round's scope, and one with neither to the
	// whole tree.
	var status, path string
	err = tx.QueryRowContext(ctx, `SELECT o.status, COALESCE(p.path, sc.path, '') FROM outbox o
		LEFT JOIN places p ON p.id = o.place_id LEFT JOIN test_rounds r ON r.id = o.round_id
		LEFT JOIN places sc ON sc.id = r.scope_id WHERE o.id = ?`, id).Scan(&status, &path)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !noticeVisible(ctx, path)) {
		return frontline.Errorf(frontline.ENOTFOUND, "notice %d not found", id)
	} else if err != nil {
		return tx.db.translate(err)
	}
	if status != string(frontline.NoticeDead) {
		return frontline.Errorf(frontline.ECONFLICT, "notice %d is %s, not dead", id, status)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, attempts = 0, next_attempt_at = ? WHERE id = ?`,
		string(frontline.NoticePending), tx.now, id); err != nil {
		return err
	}
	if err := tx.audit(ctx, "requeue", "notice", id, path, map[string]any{"status": status}, map[string]any{"status": frontline.NoticePending}); err != nil {
		return err
	}
	if err := tx.resolveAlerts(ctx, frontline.AlertNoticeDead, "notice:"+strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return tx.Commit()
}
