package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.AlertService = (*AlertService)(nil)

// AlertService keeps the one inbox of alerts. Workflows in this package
// raise theirs with tx.raiseAlert in the transaction of the change that
// calls for it, so an alert is never raised for a change that was rolled
// back, nor a change made without its alert.
type AlertService struct{ db *DB }

// NewAlertService returns an AlertService on db. Alerts go out on those of
// their kind's channels that the delivery worker serves (DB.Channels).
func NewAlertService(db *DB) *AlertService { return &AlertService{db: db} }

const alertColumns = `a.id, a.kind, a.place_id, a.subject, a.subject_id, a.dedup_key, a.detail, a.action, a.since, a.raised_at,
	a.repeats, a.level, a.tier_place_id, a.due_at, a.escalated_at, a.acked_at, a.acked_by, a.ack_note, a.resolved_at,
	a.resolved_by, a.path, a.tier_path`

func scanAlert(sc interface{ Scan(...any) error }) (*frontline.Alert, string, string, error) {
	var a frontline.Alert
	var path, tier string
	err := sc.Scan(&a.ID, &a.Kind, &a.PlaceID, &a.Subject, &a.SubjectID, &a.Key, &a.Detail, &a.Action, &a.Since, &a.RaisedAt,
		&a.Repeats, &a.Level, &a.TierPlaceID, nullTimeDest{&a.DueAt}, nullTimeDest{&a.EscalatedAt}, nullTimeDest{&a.AckedAt},
		&a.AckedBy, &a.AckNote, nullTimeDest{&a.ResolvedAt}, &a.ResolvedBy, &path, &tier)
	a.Since, a.RaisedAt = a.Since.UTC(), a.RaisedAt.UTC()
	return &a, path, tier, err
}

// alertKinds reads the kinds, by name.
func (tx *Tx) alertKinds(ctx context.Context) (map[string]*frontline.AlertKind, error) {
	rows, err := tx.QueryContext(ctx, `SELECT kind, label, tier, roles, ack_seconds, channels FROM alert_kinds ORDER BY kind`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*frontline.AlertKind{}
	for rows.Next() {
		var k frontline.AlertKind
		var roles, channels string
		var secs int64
		if err := rows.Scan(&k.Kind, &k.Label, &k.Tier, &roles, &secs, &channels); err != nil {
			return nil, err
		}
		for _, r := range splitList(roles) {
			k.Roles = append(k.Roles, frontline.Role(r))
		}
		k.Channels, k.AckWithin = splitList(channels), time.Duration(secs)*time.Second
		out[k.Kind] = &k
	}
	return out, rows.Err()
}

// splitList reads a comma-separated list as stored, without blanks; ""
// is an empty list, never nil (it is encoded as []).
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// raiseAlert records a in the caller's transaction and writes its notices
// into the outbox, or counts a repeat of the open alert of the same kind
// and key (which sends nothing new). It fills a's id and times.
func (tx *Tx) raiseAlert(ctx context.Context, a *frontline.Alert) error {
	if err := a.Validate(); err != nil {
		return err
	}
	kinds, err := tx.alertKinds(ctx)
	if err != nil {
		return err
	}
	k := kinds[a.Kind]
	if k == nil {
		return frontline.FieldError("kind", "unknown alert kind %q", a.Kind)
	}
	place, err := tx.placeByID(ctx, a.PlaceID)
	if err != nil {
		return err
	}
	names, err := tx.placeNamesOf(ctx, []string{place.Path})
	if err != nil {
		return err
	}
	kindsOnPath := map[int64]frontline.PlaceKind{}
	for id, p := range names {
		kindsOnPath[id] = p.Kind
	}
	tier := frontline.AlertTier(place.Path, kindsOnPath, k.Tier)
	tierIDs := frontline.PathIDs(tier)
	a.TierPlaceID = tierIDs[len(tierIDs)-1]
	if a.Since.IsZero() {
		a.Since = tx.now
	}
	a.RaisedAt, a.Level = tx.now, 0
	var due any
	if k.AckWithin > 0 {
		a.DueAt = tx.now.Add(k.AckWithin)
		due = a.DueAt
	}
	// A repeat of an open alert counts on it: the partial unique index
	// holds one open alert per kind and key, and the upsert makes two
	// raisers at once (two servers) agree on it without an error.
	err = tx.QueryRowContext(ctx, `INSERT INTO alerts (kind, place_id, path, subject, subject_id, dedup_key, detail, action,
		since, raised_at, last_raised_at, repeats, level, tier_place_id, tier_path, due_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)
		ON CONFLICT (kind, dedup_key) WHERE resolved_at IS NULL
		DO UPDATE SET repeats = alerts.repeats + 1, last_raised_at = excluded.last_raised_at
		RETURNING id, repeats`,
		a.Kind, a.PlaceID, place.Path, a.Subject, a.SubjectID, a.Key, a.Detail, a.Action, a.Since.UTC(), tx.now, tx.now,
		a.TierPlaceID, tier, due).Scan(&a.ID, &a.Repeats)
	if err != nil {
		return tx.db.translate(err)
	}
	if a.Repeats > 0 {
		return nil
	}
	return tx.alertNotices(ctx, a, k, place.Path, tier, names)
}

// alertNotices writes one notice per channel of the kind that the worker
// delivers on, addressed to the tier's users of the kind's roles.
func (tx *Tx) alertNotices(ctx context.Context, a *frontline.Alert, k *frontline.AlertKind, path, tier string,
	names map[int64]*frontline.Place) error {
	channels := tx.db.noticeChannels()
	where := placeNames(path, names)
	tierName := placeNames(tier, names)
	roles := make([]string, len(k.Roles))
	for i, r := range k.Roles {
		roles[i] = string(r)
	}
	subject := fmt.Sprintf("【%s】%s", k.Label, where)
	if a.Level > 0 {
		subject = fmt.Sprintf("【%s·升级%d】%s", k.Label, a.Level, where)
	}
	body := fmt.Sprintf("%s：%s（%s 起）。请登录处理：%s", subject, a.Detail, a.Since.In(tx.db.Location).Format("01-02 15:04"), a.Action)
	var notices []*frontline.Notice
	for _, c := range k.Channels {
		if !slices.Contains(channels, c) {
			continue
		}
		notices = append(notices, &frontline.Notice{Channel: c, Topic: "alert", Recipient: tierName + " " + strings.Join(roles, ","),
			PlaceID: a.PlaceID, Subject: subject, Body: body})
	}
	if len(notices) == 0 {
		return nil
	}
	return tx.enqueueNotices(ctx, notices)
}

// placeNames joins the names of the nodes of path, from the root.
func placeNames(path string, names map[int64]*frontline.Place) string {
	var parts []string
	for _, id := range frontline.PathIDs(path) {
		if p := names[id]; p != nil {
			parts = append(parts, p.Name)
		}
	}
	return strings.Join(parts, "/")
}

// resolveAlerts closes the open alerts of kind and key: the workflow that
// raised them has seen the thing handled (a follow-up recorded, a notice
// sent again). A kind of "" resolves every kind with the key.
func (tx *Tx) resolveAlerts(ctx context.Context, kind, key string) error {
	cond, args := `dedup_key = ? AND resolved_at IS NULL`, []any{key}
	if kind != "" {
		cond, args = `kind = ? AND `+cond, []any{kind, key}
	}
	_, err := tx.ExecContext(ctx, `UPDATE alerts SET resolved_at = ?, resolved_by = ? WHERE `+cond,
		append([]any{tx.now, frontline.ActorFrom(ctx).String()}, args...)...)
	return err
}

// Raise records an alert raised from outside a workflow's transaction.
func (s *AlertService) Raise(ctx context.Context, a *frontline.Alert) (*frontline.Alert, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if p, err := tx.placeByID(ctx, a.PlaceID); err == nil && !visible(ctx, p.Path) {
		return nil, placeNotFound(a.PlaceID)
	}
	if err := tx.raiseAlert(ctx, a); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return a, nil
}

// alertScope returns the conditions that limit alerts to what ctx's
// principal sees: places in their scope, kinds their role sees, and a
// tier at or above their scope node. The system sees every alert.
func (tx *Tx) alertScope(ctx context.Context, where []string, args []any) ([]string, []any, error) {
	p := frontline.PrincipalFrom(ctx)
	if p == nil {
		return where, args, nil
	}
	kinds, err := tx.alertKinds(ctx)
	if err != nil {
		return nil, nil, err
	}
	var seen []string
	for _, k := range kinds {
		if k.Sees(p.Role) {
			seen = append(seen, k.Kind)
		}
	}
	tiers := frontline.AncestorPaths(p.ScopePath)
	if len(seen) == 0 || len(tiers) == 0 {
		return append(where, "1 = 0"), args, nil
	}
	slices.Sort(seen)
	where, args = andScope(ctx, "a.path", where, args)
	where = append(where, "a.kind IN "+inList(len(seen)), "a.tier_path IN "+inList(len(tiers)))
	for _, k := range seen {
		args = append(args, k)
	}
	for _, t := range tiers {
		args = append(args, t)
	}
	return where, args, nil
}

// FindAlerts lists the alerts the caller sees, unacknowledged first, then
// newest first.
func (s *AlertService) FindAlerts(ctx context.Context, f frontline.AlertFilter) ([]*frontline.Alert, int, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "a.id = ?"), append(args, *f.ID)
	}
	if f.Kind != nil {
		where, args = append(where, "a.kind = ?"), append(args, *f.Kind)
	}
	if where, args, err = tx.andUnder(ctx, f.Under, "a.path", where, args); err != nil {
		return nil, 0, err
	}
	if f.Open || f.Unacked {
		where = append(where, "a.resolved_at IS NULL")
	}
	if f.Unacked {
		where = append(where, "a.acked_at IS NULL")
	}
	if f.Subject != "" {
		where, args = append(where, "a.subject = ? AND a.subject_id = ?"), append(args, f.Subject, f.SubjID)
	}
	if where, args, err = tx.alertScope(ctx, where, args); err != nil {
		return nil, 0, err
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts a WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE `+cond+`
		ORDER BY CASE WHEN a.acked_at IS NULL AND a.resolved_at IS NULL THEN 0 ELSE 1 END, a.raised_at DESC, a.id DESC`+
		limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out, paths := []*frontline.Alert{}, []string{}
	tiers := []string{}
	for rows.Next() {
		a, path, tier, err := scanAlert(rows)
		if err != nil {
			return nil, 0, err
		}
		out, paths, tiers = append(out, a), append(paths, path), append(tiers, tier)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	addrs, err := tx.addressesOf(ctx, paths)
	if err != nil {
		return nil, 0, err
	}
	names, err := tx.placeNamesOf(ctx, tiers)
	if err != nil {
		return nil, 0, err
	}
	for i, a := range out {
		a.Where = addrs[i]
		if a.Where == "" { // a community or above: its own name
			ids := frontline.PathIDs(paths[i])
			if p := names[ids[len(ids)-1]]; p != nil {
				a.Where = p.Name
			} else if n, err := tx.placeByID(ctx, ids[len(ids)-1]); err == nil {
				a.Where = n.Name
			}
		}
		if p := names[a.TierPlaceID]; p != nil {
			a.Tier = p.Name
		}
	}
	return out, total, nil
}

// Unread counts the open, unacknowledged alerts the caller sees. It reads
// the partial index of open alerts by path, so it stays cheap on every
// page.
func (s *AlertService) Unread(ctx context.Context) (int, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	where, args, err := tx.alertScope(ctx, []string{"a.resolved_at IS NULL", "a.acked_at IS NULL"}, nil)
	if err != nil {
		return 0, err
	}
	var n int
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts a WHERE `+strings.Join(where, " AND "), args...).Scan(&n)
	return n, err
}

// Acknowledge records that the calling user has taken the alert on. A
// second acknowledgement (the same form sent twice, a colleague a moment
// later) changes nothing and returns the alert as acknowledged first.
func (s *AlertService) Acknowledge(ctx context.Context, id int64, note string) (*frontline.Alert, error) {
	p := frontline.PrincipalFrom(ctx)
	if p == nil || p.UserID == 0 {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "an alert is acknowledged by a named user, not a device")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		return nil, frontline.FieldError("note", "the note is longer than 500 characters")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	a, path, err := tx.visibleAlert(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Acked() {
		return a, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE alerts SET acked_at = ?, acked_by = ?, ack_note = ? WHERE id = ? AND acked_at IS NULL`,
		tx.now, p.Login, note, id)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 0 {
		return a, nil
	}
	a.AckedAt, a.AckedBy, a.AckNote = tx.now, p.Login, note
	if err := tx.audit(ctx, "acknowledge", "alert", id, path, nil, map[string]any{"kind": a.Kind, "note": note}); err != nil {
		return nil, err
	}
	return a, tx.Commit()
}

// visibleAlert returns an alert the caller sees, with its place's path.
func (tx *Tx) visibleAlert(ctx context.Context, id int64) (*frontline.Alert, string, error) {
	where, args, err := tx.alertScope(ctx, []string{"a.id = ?"}, []any{id})
	if err != nil {
		return nil, "", err
	}
	a, path, _, err := scanAlert(tx.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts a WHERE `+strings.Join(where, " AND "), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", frontline.Errorf(frontline.ENOTFOUND, "alert %d not found", id)
	}
	return a, path, err
}

// Escalate moves each alert whose time to be acknowledged has run out one
// level up, to the parent of its tier, and sends it out there. Each move
// is conditional on the alert being as it was read, so of several servers
// running the job at once only one moves it. An alert at the root stays
// there and is not due again.
func (s *AlertService) Escalate(ctx context.Context) (int, error) {
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+alertColumns+` FROM alerts a
		WHERE a.due_at <= ? AND a.acked_at IS NULL AND a.resolved_at IS NULL ORDER BY a.due_at, a.id LIMIT 500`, tx.now)
	if err != nil {
		return 0, err
	}
	type due struct {
		a          *frontline.Alert
		path, tier string
	}
	var list []due
	for rows.Next() {
		a, path, tier, err := scanAlert(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, due{a, path, tier})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	kinds, err := tx.alertKinds(ctx)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, d := range list {
		ok, err := tx.escalateOne(ctx, d.a, d.path, d.tier, kinds[d.a.Kind])
		if err != nil {
			return 0, err
		}
		if ok {
			moved++
		}
	}
	return moved, tx.Commit()
}

// escalateOne moves one alert up a level; false when another server did
// first or the alert is at the root.
func (tx *Tx) escalateOne(ctx context.Context, a *frontline.Alert, path, tier string, k *frontline.AlertKind) (bool, error) {
	up := frontline.ParentPath(tier)
	var next any
	if up != "" && k != nil && k.AckWithin > 0 {
		next = tx.now.Add(k.AckWithin)
	}
	if up == "" { // at the root: nobody above; stop escalating
		_, err := tx.ExecContext(ctx, `UPDATE alerts SET due_at = NULL WHERE id = ? AND due_at = ?`, a.ID, a.DueAt)
		return false, err
	}
	ids := frontline.PathIDs(up)
	res, err := tx.ExecContext(ctx, `UPDATE alerts SET level = level + 1, tier_place_id = ?, tier_path = ?, escalated_at = ?, due_at = ?
		WHERE id = ? AND due_at = ? AND acked_at IS NULL AND resolved_at IS NULL`,
		ids[len(ids)-1], up, tx.now, next, a.ID, a.DueAt)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	a.Level++
	if k == nil {
		return true, nil
	}
	names, err := tx.placeNamesOf(ctx, []string{path})
	if err != nil {
		return false, err
	}
	if err := tx.audit(ctx, "escalate", "alert", a.ID, path, map[string]any{"level": a.Level - 1}, map[string]any{"level": a.Level, "tier": up}); err != nil {
		return false, err
	}
	return true, tx.alertNotices(ctx, a, k, path, up, names)
}

// AlertKinds lists the kinds, by name.
func (s *AlertService) AlertKinds(ctx context.Context) ([]*frontline.AlertKind, error) {
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	kinds, err := tx.alertKinds(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*frontline.AlertKind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b *frontline.AlertKind) int { return strings.Compare(a.Kind, b.Kind) })
	return out, nil
}

// UpdateAlertKind changes how a kind behaves. Kinds apply to the whole
// tree, so only those who manage users at a root may change them.
func (s *AlertService) UpdateAlertKind(ctx context.Context, k *frontline.AlertKind) error {
	if p := frontline.PrincipalFrom(ctx); p != nil && (!p.Can(frontline.PermManageUsers) || !p.AtRoot()) {
		return frontline.Errorf(frontline.EFORBIDDEN, "alert kinds apply everywhere: only a user who manages users at the top of the tree may change them")
	}
	if err := k.Validate(); err != nil {
		return err
	}
	for _, c := range k.Channels {
		if have := s.db.noticeChannels(); !slices.Contains(have, c) {
			return frontline.FieldError("channels", "this server delivers no channel %q (it has %s)", c, strings.Join(have, ", "))
		}
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	roles := make([]string, len(k.Roles))
	for i, r := range k.Roles {
		roles[i] = string(r)
	}
	res, err := tx.ExecContext(ctx, `UPDATE alert_kinds SET label = ?, tier = ?, roles = ?, ack_seconds = ?, channels = ?,
		updated_at = ?, updated_by = ? WHERE kind = ?`, k.Label, string(k.Tier), strings.Join(roles, ","),
		int64(k.AckWithin/time.Second), strings.Join(k.Channels, ","), tx.now, frontline.ActorFrom(ctx).String(), k.Kind)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return frontline.Errorf(frontline.ENOTFOUND, "no alert kind %q", k.Kind)
	}
	if err := tx.audit(ctx, "update", "alert_kind", 0, "", nil, map[string]any{"kind": k.Kind, "tier": k.Tier,
		"roles": roles, "ack_within": k.AckWithin.String(), "channels": k.Channels}); err != nil {
		return err
	}
	return tx.Commit()
}
