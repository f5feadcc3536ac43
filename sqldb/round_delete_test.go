package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRoundService_DeleteRound deletes a draft round with a site, a
// station and a notice not yet sent, on both engines: all of it goes, the
// station's token stops at once, the log keeps the round. An open round
// and a draft whose call-up reached someone stay.
func TestRoundService_DeleteRound(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 1, nil)
		sites, users := sqldb.NewSiteService(db), sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		draft := func(name string) *frontline.Round {
			start := time.Date(2026, 3, 3, 22, 0, 0, 0, time.UTC)
			r := &frontline.Round{ScopeID: f.tr.comm1.ID, Name: name, Day: "2026-03-04", StartsAt: start, EndsAt: start.Add(8 * time.Hour)}
			if err := f.rounds.CreateRound(ctx, r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		notice := func(r *frontline.Round, status frontline.NoticeStatus) {
			tx, err := db.BeginTx(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (channel, topic, recipient, place_id, round_id, subject, body, status,
				next_attempt_at, created_at) VALUES ('log', 'callup', '1号楼', ?, ?, 'x', 'x', ?, ?, ?)`,
				f.tr.bld1.ID, r.ID, string(status), tx.Now(), tx.Now()); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}

		r := draft("建错的轮次")
		site := &frontline.Site{RoundID: r.ID, PlaceID: f.tr.comp1.ID, Name: "枣园小区采样点", OpensAt: r.StartsAt, ClosesAt: r.EndsAt}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		secret, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"})
		if err != nil {
			t.Fatal(err)
		}
		notice(r, frontline.NoticePending)
		if _, err := users.AuthenticateToken(ctx, secret); err != nil {
			t.Fatal(err)
		}
		outsider := as(frontline.RoleCommunitySecretary, f.tr.comm2)
		if err := f.rounds.DeleteRound(outsider, r.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a round of another community: %v", err)
		}
		if err := f.rounds.DeleteRound(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rounds.FindRoundByID(ctx, r.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("the deleted round: %v", err)
		}
		if _, err := users.AuthenticateToken(ctx, secret); frontline.ErrorCode(err) != frontline.EUNAUTHORIZED {
			t.Fatalf("the deleted round's station token: %v", err)
		}
		for _, table := range []string{"sampling_sites", "sampling_stations", "outbox"} {
			if n := count(t, db, `SELECT COUNT(*) FROM `+table+` WHERE round_id = ?`, r.ID); n != 0 {
				t.Errorf("%d rows of %s left", n, table)
			}
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE action = 'delete' AND entity = 'round' AND entity_id = ? AND before LIKE '%建错的轮次%'`, r.ID); n != 1 {
			t.Fatalf("%d audit entries of the deletion", n)
		}

		sent := draft("已通知的轮次")
		notice(sent, frontline.NoticeDelivered)
		if err := f.rounds.DeleteRound(ctx, sent.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a draft whose call-up went out: %v", err)
		}
		if err := f.rounds.DeleteRound(ctx, f.round.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("an open round: %v", err)
		}
	})
}
