package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// The roster's two alerts: a shift starting soon with places open, and a
// worker who has not checked in a grace period after the start. Serve's
// job loop runs both every minute on every server; roster_alerts holds one
// row per alert raised, and only the transaction that inserts it raises
// the alert, so several servers never raise one twice.
//
// Each is an alert in the one inbox (its kind's users of the post's node
// see it, and it escalates when nobody takes it on) and, besides, a notice
// through the outbox to the person who can act at once: the post's or the
// shift's leader, who may have no account. raiseUnfilledShift and
// raiseNoShow are the one place each is raised; filling the shift and a
// late check-in resolve them.

// noShowLookback bounds how far back the no-show check looks: a server
// that was down for a day does not raise a day of stale alerts.
const noShowLookback = 12 * time.Hour

// claimAlert records that the alert of kind about ref is raised, and
// reports whether this call is the one that raised it.
func (tx *Tx) claimAlert(ctx context.Context, kind string, ref int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO roster_alerts (kind, ref_id, raised_at) VALUES (?, ?, ?)
		ON CONFLICT (kind, ref_id) DO NOTHING`, kind, ref, tx.now)
	if err != nil {
		return false, tx.db.translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AlertUnfilled raises an alert for each shift starting within the rules'
// UnfilledWithin with places open, once per shift.
func (s *DutyService) AlertUnfilled(ctx context.Context) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rules, err := tx.currentRosterRules(ctx)
	if err != nil {
		return 0, err
	}
	where, args := andScope(ctx, "p.path", []string{`s.starts_at >= ? AND s.starts_at < ?`, `s.assigned < s.headcount`,
		`NOT o.retired`, `NOT EXISTS (SELECT 1 FROM roster_alerts r WHERE r.kind = ? AND r.ref_id = s.id)`},
		[]any{tx.timeArg(), tx.timeValue(tx.now.Add(rules.UnfilledWithin)), frontline.AlertUnfilledShift})
	shs, err := tx.loadShifts(ctx, strings.Join(where, " AND "), args...)
	if err != nil {
		return 0, err
	}
	raised := 0
	for _, sh := range shs {
		if ok, err := tx.claimAlert(ctx, frontline.AlertUnfilledShift, sh.ID); err != nil {
			return 0, err
		} else if !ok {
			continue
		}
		if err := tx.raiseUnfilledShift(ctx, s.AlertChannel, s.Location, sh); err != nil {
			return 0, err
		}
		raised++
	}
	return raised, tx.Commit()
}

// MarkNoShows marks the workers not checked in NoShowGrace after their
// shift's start as no-shows, and alerts the leader of each, once per
// assignment.
func (s *DutyService) MarkNoShows(ctx context.Context) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageWorkforce)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rules, err := tx.currentRosterRules(ctx)
	if err != nil {
		return 0, err
	}
	due := tx.now.Add(-rules.NoShowGrace)
	where, args := andScope(ctx, "p.path", []string{`s.id IN (SELECT a.shift_id FROM duty_assignments a WHERE a.status = ?
		AND a.starts_at <= ? AND a.starts_at > ? AND a.ends_at > ?)`},
		[]any{string(frontline.AssignAssigned), tx.timeValue(due), tx.timeValue(due.Add(-noShowLookback)), tx.timeArg()})
	shs, err := tx.loadShifts(ctx, strings.Join(where, " AND "), args...)
	if err != nil {
		return 0, err
	}
	marked := 0
	for _, sh := range shs {
		for _, a := range sh.Assignments {
			if a.Status != frontline.AssignAssigned {
				continue
			}
			if ok, err := tx.claimAlert(ctx, frontline.AlertNoShow, a.ID); err != nil {
				return 0, err
			} else if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE duty_assignments SET status = ? WHERE id = ? AND status = ?`,
				string(frontline.AssignNoShow), a.ID, string(frontline.AssignAssigned)); err != nil {
				return 0, err
			}
			a.Status = frontline.AssignNoShow
			if err := tx.audit(ctx, "no_show", "assignment", a.ID, sh.Post.Place.Path, map[string]any{"status": frontline.AssignAssigned},
				map[string]any{"status": a.Status, "worker": a.Name, "shift_id": sh.ID}); err != nil {
				return 0, err
			}
			if err := tx.raiseNoShow(ctx, s.AlertChannel, s.Location, sh, a); err != nil {
				return 0, err
			}
			marked++
		}
	}
	return marked, tx.Commit()
}

// raiseUnfilledShift raises the alert of a shift starting soon with
// places open, addressed to the post's leader (or, without one, to its
// node's staff).
func (tx *Tx) raiseUnfilledShift(ctx context.Context, channel string, loc *time.Location, sh *frontline.Shift) error {
	post := sh.Post
	n := &frontline.Notice{Channel: channel, Topic: frontline.AlertUnfilledShift, Recipient: postRecipient(post, nil),
		PlaceID: post.PlaceID,
		Subject: fmt.Sprintf("班次缺人：%s %s", post.Name, sh.Start.In(loc).Format("01-02 15:04")),
		Body: fmt.Sprintf("%s（%s）%s–%s 的班次还缺 %d 人（需 %d 人，已排 %d 人），请尽快补排。", post.Name, post.Place.Name,
			sh.Start.In(loc).Format("01-02 15:04"), sh.End.In(loc).Format("15:04"), sh.Open(), sh.Headcount, len(sh.Assignments))}
	if err := tx.enqueueNotices(ctx, []*frontline.Notice{n}); err != nil {
		return err
	}
	// Data only in the detail: the inbox says what it is in the reader's language.
	return tx.raiseAlert(ctx, &frontline.Alert{Kind: frontline.AlertUnfilledShift, PlaceID: post.PlaceID,
		Subject: "shift", SubjectID: sh.ID, Key: unfilledKey(sh.ID),
		Detail: fmt.Sprintf("%s · %s · %d/%d", post.Name, sh.Start.In(loc).Format("01-02 15:04"), len(sh.Assignments), sh.Headcount),
		Action: "/posts/" + strconv.FormatInt(post.ID, 10), Since: tx.now})
}

// unfilledKey and noShowKey are the alert keys of a shift with places open
// and of an assignment whose worker did not come.
func unfilledKey(shiftID int64) string { return "shift:" + strconv.FormatInt(shiftID, 10) }
func noShowKey(assignmentID int64) string {
	return "assignment:" + strconv.FormatInt(assignmentID, 10)
}

// raiseNoShow raises the alert of a worker who has not checked in,
// addressed to the shift's leader, else the post's, else its node's staff.
func (tx *Tx) raiseNoShow(ctx context.Context, channel string, loc *time.Location, sh *frontline.Shift, a *frontline.Assignment) error {
	post := sh.Post
	n := &frontline.Notice{Channel: channel, Topic: frontline.AlertNoShow, Recipient: postRecipient(post, sh, a),
		PlaceID: post.PlaceID,
		Subject: fmt.Sprintf("未到岗：%s %s", a.Name, post.Name),
		Body: fmt.Sprintf("%s 未在 %s 的班次（%s 开始）签到，请联系本人或安排替班。", a.Name, post.Name,
			sh.Start.In(loc).Format("01-02 15:04"))}
	if err := tx.enqueueNotices(ctx, []*frontline.Notice{n}); err != nil {
		return err
	}
	return tx.raiseAlert(ctx, &frontline.Alert{Kind: frontline.AlertNoShow, PlaceID: post.PlaceID,
		Subject: "assignment", SubjectID: a.ID, Key: noShowKey(a.ID),
		Detail: fmt.Sprintf("%s · %s · %s", a.Name, post.Name, sh.Start.In(loc).Format("01-02 15:04")),
		Action: "/posts/" + strconv.FormatInt(post.ID, 10), Since: sh.Start})
}

// postRecipient is whom a roster alert goes to: the shift's leader (not
// the worker the alert is about), else the post's leader, each by phone
// when they have one; else the post's node.
func postRecipient(post *frontline.Post, sh *frontline.Shift, about ...*frontline.Assignment) string {
	if sh != nil {
		if l := sh.Leader(); l != nil && (len(about) == 0 || l.ID != about[0].ID) {
			return recipientOf(l.Name, l.Phone)
		}
	}
	if post.LeaderID != 0 {
		return recipientOf(post.LeaderName, post.LeaderPhone)
	}
	return "place:" + post.Place.Name
}

func recipientOf(name, phone string) string {
	if phone != "" {
		return phone
	}
	return name
}
