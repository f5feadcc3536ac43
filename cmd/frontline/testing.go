package main

import (
	"context"
	"flag"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/notify"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/web"
)

// testingFlags are serve's settings for test rounds.
type testingFlags struct {
	window  *time.Duration
	webhook *string
}

// addTestingFlags adds the test-round flags to serve's flag set.
func addTestingFlags(fs *flag.FlagSet) *testingFlags {
	return &testingFlags{
		window: fs.Duration("sampling-window", 2*time.Millisecond,
			"how long the binding writer waits for more requests to commit with the first of a batch"),
		webhook: fs.String("notify-webhook", "", "URL that call-up notices of the webhook channel are posted to"),
	}
}

// wireTesting gives the server the testing services: one binding writer
// for the database, pool sizes from the zones' effective levels, and a
// worker that delivers the outbox's notices. The function it returns stops
// the worker and the writer (after its batch in progress), for after the
// server has stopped.
func wireTesting(ctx context.Context, m *Main, srv *web.Server, tf *testingFlags) func() {
	zones := sqldb.NewZoneService(m.DB)
	sampling := sqldb.NewSamplingService(m.DB, sqldb.SamplingOptions{Window: *tf.window, Levels: zoneLevels(zones)})
	outbox := sqldb.NewOutboxService(m.DB)
	srv.Rounds, srv.Sampling, srv.Lab = sqldb.NewRoundService(m.DB), sampling, sqldb.NewLabService(m.DB)
	srv.Coverage, srv.Sites, srv.Outbox = sqldb.NewCoverageService(m.DB), sqldb.NewSiteService(m.DB), outbox
	channels := []frontline.Channel{notify.LogChannel{Log: m.Logger}}
	if *tf.webhook != "" {
		channels = append(channels, notify.WebhookChannel{URL: *tf.webhook})
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		notify.NewWorker(outbox, m.Logger, channels...).Run(wctx)
	}()
	return func() {
		cancel()
		<-done
		sampling.Close()
	}
}

// zoneLevels reads households' effective zone levels for the pool policy.
func zoneLevels(zones frontline.ZoneService) func(context.Context, []int64) (map[int64]string, error) {
	return func(ctx context.Context, households []int64) (map[int64]string, error) {
		st, err := zones.EffectiveLevels(ctx, households)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]string, len(st))
		for id, s := range st {
			if s != nil {
				out[id] = string(s.Level)
			}
		}
		return out, nil
	}
}
