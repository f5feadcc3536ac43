package main

import (
	"context"
	"flag"
	"log/slog"
	"sync"
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
	sampling := sqldb.NewSamplingService(m.DB, sqldb.SamplingOptions{Window: *tf.window, Levels: zoneLevels(zones, m.Logger)})
	outbox := sqldb.NewOutboxService(m.DB)
	channels := []frontline.Channel{notify.LogChannel{Log: m.Logger}}
	if *tf.webhook != "" {
		channels = append(channels, notify.WebhookChannel{URL: *tf.webhook})
	}
	worker := notify.NewWorker(outbox, m.Logger, channels...)
	srv.Rounds, srv.Sampling, srv.Lab = sqldb.NewRoundService(m.DB), sampling, sqldb.NewLabService(m.DB)
	// Plans may name only the channels this server's worker delivers on.
	srv.Coverage, srv.Sites, srv.Outbox = sqldb.NewCoverageService(m.DB), sqldb.NewSiteService(m.DB, worker.Names()...), outbox
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		worker.Run(wctx)
	}()
	return func() {
		cancel()
		<-done
		sampling.Close()
	}
}

// zoneRefresh is how often the pool policy re-reads the active zones: a
// zone drawn or lifted changes the pool size of new tubes within it.
const zoneRefresh = 5 * time.Second

// zoneLevels returns the pool policy's lookup of households' effective
// zone levels: the active zones, read at most every zoneRefresh, applied
// to each household's path by frontline.EffectiveLevel. Reading the zones
// per batch cost the binding writer as much as a tenth of its time.
func zoneLevels(zones frontline.ZoneService, logger *slog.Logger) func(context.Context, map[int64]string) (map[int64]string, error) {
	var mu sync.Mutex
	var active []*frontline.Zone
	var read time.Time
	return func(ctx context.Context, homes map[int64]string) (map[int64]string, error) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(read) > zoneRefresh {
			list, _, err := zones.FindZones(ctx, frontline.ZoneFilter{Active: true})
			if err != nil {
				return nil, err
			}
			active, read = list, time.Now()
			logger.Debug("active zones for the pool policy", "zones", len(active))
		}
		out := make(map[int64]string, len(homes))
		if len(active) == 0 {
			return out, nil
		}
		for id, path := range homes {
			if l := frontline.EffectiveLevel(path, active); l != frontline.LevelNone {
				out[id] = string(l)
			}
		}
		return out, nil
	}
}
