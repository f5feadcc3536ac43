package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// insertNotice writes a notice as the services do, for placeID and
// roundID (0 for none), in status.
func insertNotice(tb testing.TB, db *sqldb.DB, placeID, roundID int64, status frontline.NoticeStatus) int64 {
	tb.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	null := func(id int64) any {
		if id == 0 {
			return nil
		}
		return id
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO outbox (channel, topic, recipient, place_id, round_id, subject, body,
		status, attempts, next_attempt_at, created_at) VALUES ('log', 'callup', 'x', ?, ?, 's', 'b', ?, 0, ?, ?) RETURNING id`,
		null(placeID), null(roundID), string(status), tx.Now(), tx.Now()).Scan(&id); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return id
}

// TestOutboxService_Lease has a worker's lease run out while it delivers:
// another worker claims the notice, and the first one's outcome, recorded
// late, changes nothing the second recorded.
func TestOutboxService_Lease(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		ob := sqldb.NewOutboxService(db)
		insertNotice(t, db, 0, 0, frontline.NoticePending)
		first, err := ob.ClaimNotices(ctx, 10, time.Minute)
		if err != nil || len(first) != 1 || !first[0].Lease.Equal(now.Add(time.Minute)) {
			t.Fatalf("first claim: %v %+v", err, first)
		}
		now = now.Add(2 * time.Minute) // the first worker is still delivering
		second, err := ob.ClaimNotices(ctx, 10, time.Minute)
		if err != nil || len(second) != 1 || !second[0].Lease.After(first[0].Lease) {
			t.Fatalf("a lapsed lease is claimed again: %v %+v", err, second)
		}
		t.Run("ErrLapsedDelivered", func(t *testing.T) {
			if err := ob.NoticeDelivered(ctx, first[0]); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("recording under a lapsed lease: %v", err)
			}
		})
		if err := ob.NoticeDelivered(ctx, second[0]); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrFailedAfterDelivered", func(t *testing.T) {
			if err := ob.NoticeFailed(ctx, first[0], "timeout", now.Add(time.Minute), false); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("a late failure: %v", err)
			}
			if err := ob.NoticeFailed(ctx, second[0], "timeout", now.Add(time.Minute), false); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("a failure of a delivered notice: %v", err)
			}
		})
		list, _, err := ob.FindNotices(ctx, frontline.NoticeFilter{})
		if err != nil || len(list) != 1 || list[0].Status != frontline.NoticeDelivered || list[0].Attempts != 1 || list[0].LastError != "" {
			t.Fatalf("the notice should stay delivered once: %v %+v", err, list)
		}
		if again, _ := ob.ClaimNotices(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatalf("a delivered notice claimed again: %+v", again)
		}
	})
}

// TestOutboxService_RequeueScope requeues dead notices about no place: a
// round's belongs to those whose scope holds the round's scope, one with
// no round to the root's staff.
func TestOutboxService_RequeueScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		round := mustOpenRound(t, sqldb.NewRoundService(db), tr.comm1.ID, nil)
		ob := sqldb.NewOutboxService(db)
		as := func(scope *frontline.Place) context.Context {
			return frontline.WithPrincipal(ctx, &frontline.Principal{UserID: 1, Login: "staff", Role: frontline.RoleCommunityStaff,
				ScopeID: scope.ID, ScopePath: scope.Path})
		}
		ofRound := insertNotice(t, db, 0, round.ID, frontline.NoticeDead)
		orphan := insertNotice(t, db, 0, 0, frontline.NoticeDead)
		for _, tc := range []struct {
			name   string
			scope  *frontline.Place
			notice int64
			code   string
		}{
			{"ErrBelowRoundScope", tr.comp1, ofRound, frontline.ENOTFOUND},
			{"ErrOtherCommunity", tr.comm2, ofRound, frontline.ENOTFOUND},
			{"ErrOrphanBelowRoot", tr.sub, orphan, frontline.ENOTFOUND},
			{"RoundScope", tr.comm1, ofRound, ""},
			{"OrphanAtRoot", tr.city, orphan, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if err := ob.RequeueNotice(as(tc.scope), tc.notice); frontline.ErrorCode(err) != tc.code {
					t.Fatalf("got %v, want %q", err, tc.code)
				}
			})
		}
		dead := frontline.NoticeDead
		list, total, err := ob.FindNotices(as(tr.comp1), frontline.NoticeFilter{Status: &dead})
		if err != nil || total != 0 {
			t.Fatalf("a compound's staff list notices of their community's round: %v %+v", err, list)
		}
	})
}
