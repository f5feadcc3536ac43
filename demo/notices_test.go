package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/notify"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestNoticesDemo: with the SMS channel on (serve --demo's log channel),
// the demo's steps write real notices to residents — deliveries at the
// door of 忠义巷小区, the call-ups of 枣园小区's households, the negative
// results, the end of a returnee's home isolation — and one household's TD
// withdraws its call-up; the worker then delivers the rest on the log SMS
// channel, the returnee's after the log gateway answered busy once. On
// both engines.
func TestNoticesDemo(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		db.Channels = []string{"log", frontline.SMSChannel}
		places := sqldb.NewPlaceService(db)
		if _, err := demo.Build(ctx, demo.Config{Residents: demo.DefaultResidents}, places, sqldb.NewImportService(db)); err != nil {
			t.Fatal(err)
		}
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		if _, err := demo.CreateLogins(ctx, places, users); err != nil {
			t.Fatal(err)
		}
		// The screening campaign with its past: the returnee's home
		// isolation ends through the measures job.
		wall := db.Now
		screening, err := demo.Screening(ctx, demo.ScreeningServices{Persons: sqldb.NewPersonService(db), Places: places,
			RiskAreas: sqldb.NewRiskAreaService(db), Campaigns: sqldb.NewCampaignService(db), Visits: sqldb.NewVisitService(db),
			FollowUps: sqldb.NewFollowUpService(db), At: func(t time.Time) {
				if t.IsZero() {
					db.Now = wall
				} else {
					db.Now = func() time.Time { return t }
				}
			}}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if m := screening.Ended; m == nil || m.Type != frontline.MeasureIsolation || m.Status != frontline.MeasureEnded {
			t.Fatalf("the returnee's measure %+v", m)
		}
		orders := sqldb.NewOrderService(db)
		if _, err := demo.Supply(ctx, demo.SupplyServices{Places: places, Partners: sqldb.NewPartnerService(db), Orders: orders}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Delivery(ctx, demo.DeliveryServices{Places: places, Users: users, Workers: sqldb.NewWorkerService(db), Orders: orders,
			Deliveries: sqldb.NewDeliveryService(db)}, time.Now()); err != nil {
			t.Fatal(err)
		}
		sampling := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
		defer sampling.Close()
		scene, err := demo.Testing(ctx, demo.TestingServices{Places: places, Persons: sqldb.NewPersonService(db),
			Rounds: sqldb.NewRoundService(db), Sites: sqldb.NewSiteService(db, db.Channels...), Sampling: sampling,
			Lab: sqldb.NewLabService(db), Channels: db.Channels}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		outbox := sqldb.NewOutboxService(db)
		optOuts := sqldb.NewNoticeOptOutService(db)
		done, err := demo.Notices(ctx, demo.NoticeServices{Outbox: outbox, OptOuts: optOuts}, scene.Round.ID)
		if err != nil {
			t.Fatal(err)
		}
		if done.OptedOut == "" || done.Withdrawn == 0 {
			t.Fatalf("notices scene %+v", done)
		}
		// Everything is due by tomorrow; the worker sends on the log, as
		// serve --demo's does: the returnee's number is busy at first, and
		// a minute later the retry goes.
		later := time.Now().Add(36 * time.Hour)
		db.Now = func() time.Time { return later }
		w := notify.NewWorker(outbox, nil, notify.LogChannel{}, notify.LogChannel{Channel: frontline.SMSChannel, Busy: []string{demo.BusyPhone}})
		w.Now = db.Now
		for w.RunOnce(ctx) > 0 {
		}
		later = later.Add(time.Minute)
		for w.RunOnce(ctx) > 0 {
		}
		all, _, err := outbox.FindNotices(frontline.AsSystem(ctx), frontline.NoticeFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		sent := map[string]int{}
		var withdrawn, retried int
		for _, n := range all {
			if n.Channel != frontline.SMSChannel {
				continue
			}
			switch n.Status {
			case frontline.NoticeDelivered:
				sent[n.Topic]++
				// The returnee's number is busy at first: his isolation
				// end (and his call-up: he lives in 枣园小区) went on the
				// second attempt.
				if n.Recipient == demo.BusyPhone {
					if n.Attempts != 2 {
						t.Errorf("the returnee's notice %+v, want it delivered on its second attempt", n)
					}
					if n.Topic == frontline.TopicIsolationEnd {
						retried++
					}
				}
			case frontline.NoticeCancelled:
				if frontline.MaskPhone(n.Recipient) != done.OptedOut {
					t.Errorf("withdrawn a notice to %s, not the opted-out number", frontline.MaskPhone(n.Recipient))
				}
				withdrawn++
			default:
				t.Errorf("SMS notice %d %s is %s: %s", n.ID, n.Topic, n.Status, n.LastError)
			}
		}
		if retried != 1 {
			t.Errorf("%d isolation ends to the busy number delivered, want 1", retried)
		}
		for _, topic := range []string{frontline.TopicCallUp, frontline.TopicResult, frontline.TopicDelivery, frontline.TopicIsolationEnd} {
			if sent[topic] == 0 {
				t.Errorf("no %s SMS sent: %v", topic, sent)
			}
		}
		if withdrawn != done.Withdrawn {
			t.Errorf("%d withdrawn, the opt-out said %d", withdrawn, done.Withdrawn)
		}
	})
}
