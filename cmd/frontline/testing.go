package main

import (
	"context"
	"flag"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/notify"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/web"
)

// testingFlags are serve's settings for test rounds.
type testingFlags struct {
	window  *time.Duration
	writers *int
	webhook *string
	// smsProvider is the file of the SMS gateway notices to residents go
	// through; sms is that provider, loaded by loadSMS.
	smsProvider *string
	sms         *notify.SMSProvider
	// logSMS makes the SMS channel a log (serve --demo without a
	// provider): the demo's notices to residents are real, written where
	// a gateway would have sent them.
	logSMS bool
}

// channels returns the channels this server's worker delivers on.
func (tf *testingFlags) channels(log *slog.Logger) []frontline.Channel {
	channels := []frontline.Channel{notify.LogChannel{Log: log}}
	if *tf.webhook != "" {
		channels = append(channels, notify.WebhookChannel{URL: *tf.webhook})
	}
	switch {
	case tf.sms != nil:
		channels = append(channels, notify.SMSChannel{Provider: tf.sms})
	case tf.logSMS:
		// The demo's returnee's number is answered busy once (docs/notices.md).
		channels = append(channels, notify.LogChannel{Log: log, Channel: frontline.SMSChannel, Busy: []string{demo.BusyPhone}})
	}
	return channels
}

// channelNames returns the names of channels, sorted as the worker's.
func channelNames(channels []frontline.Channel) []string {
	out := make([]string, len(channels))
	for i, c := range channels {
		out[i] = c.Name()
	}
	slices.Sort(out)
	return out
}

// addTestingFlags adds the test-round flags to serve's flag set.
func addTestingFlags(fs *flag.FlagSet) *testingFlags {
	return &testingFlags{
		window: fs.Duration("sampling-window", 2*time.Millisecond,
			"how long the binding writer waits for more requests to commit with the first of a batch"),
		writers: fs.Int("sampling-writers", 0, "binding writers on PostgreSQL, each committing its own batches (0: "+
			strconv.Itoa(defaultPostgresWriters)+"); SQLite has one"),
		webhook: fs.String("notify-webhook", "", "URL that call-up notices of the webhook channel are posted to"),
		smsProvider: fs.String("sms-provider", "", "JSON file describing the SMS gateway that notices to residents go through\n"+
			"(docs/notices.md; example docs/examples/sms-provider.json); no SMS channel when empty"),
	}
}

// wireTesting gives the server the testing services: one binding writer
// for the database, pool sizes from the zones' effective levels, and a
// worker that delivers the outbox's notices. The function it returns stops
// the worker and the writer (after its batch in progress), for after the
// server has stopped. The writer is returned for the server's metrics.
func wireTesting(ctx context.Context, m *Main, srv *web.Server, tf *testingFlags) (*sqldb.SamplingService, func()) {
	zones := sqldb.NewZoneService(m.DB)
	restrictions := sqldb.NewRestrictionService(m.DB, nil)
	writers := *tf.writers
	if writers <= 0 {
		writers = defaultPostgresWriters
	}
	sampling := sqldb.NewSamplingService(m.DB, sqldb.SamplingOptions{Window: *tf.window, Writers: writers, Levels: zoneLevels(zones, m.Logger, zoneRefresh),
		Restrictions: restricted(restrictions, m.Logger, zoneRefresh), Policy: restrictions.Policy()})
	outbox := sqldb.NewOutboxService(m.DB)
	worker := notify.NewWorker(outbox, m.Logger, tf.channels(m.Logger)...)
	// Alerts go out on the channels this server's worker delivers on.
	m.DB.Channels = worker.Names()
	srv.Rounds, srv.Sampling, srv.Lab = sqldb.NewRoundService(m.DB), sampling, sqldb.NewLabService(m.DB)
	// Plans may name only the channels this server's worker delivers on.
	coverage := sqldb.NewCoverageService(m.DB)
	// The offices of a community poll the same gap list: count its total
	// once a while (sqldb.GapTotalLife), not per request.
	coverage.KeepGapTotals(sqldb.GapTotalLife)
	srv.Coverage, srv.Sites, srv.Outbox = coverage, sqldb.NewSiteService(m.DB, worker.Names()...), outbox
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		worker.Run(wctx)
	}()
	return sampling, func() {
		cancel()
		<-done
		sampling.Close()
	}
}

// defaultPostgresWriters is how many binding writers serve runs on
// PostgreSQL: a batch spends most of its time waiting for round trips and
// its commit, during which the next can be decided (docs/testing.md).
const defaultPostgresWriters = 2

// zoneRefresh is how often the pool policy re-reads the active zones: a
// zone drawn or lifted changes the pool size of new tubes within it.
const zoneRefresh = 5 * time.Second

// refreshed keeps what load returns and reads it again every interval in
// the background, while callers go on with the copy they have: the
// binding writer's way of asking the other workflows (zones, restrictions)
// without a query inside each batch. Only the first call waits for load;
// a failed refresh keeps the last copy and is logged as what.
func refreshed[T any](load func(context.Context) (T, error), every time.Duration, logger *slog.Logger, what string) func(context.Context) (T, error) {
	var mu sync.Mutex
	var value T
	var read time.Time
	var loaded, refreshing bool
	fetch := func(ctx context.Context) error {
		v, err := load(ctx)
		mu.Lock()
		defer mu.Unlock()
		refreshing = false
		if err != nil {
			return err
		}
		value, read, loaded = v, time.Now(), true
		return nil
	}
	return func(ctx context.Context) (T, error) {
		mu.Lock()
		if !loaded {
			mu.Unlock()
			if err := fetch(ctx); err != nil {
				var zero T
				return zero, err
			}
			mu.Lock()
		} else if !refreshing && time.Since(read) > every {
			refreshing = true
			go func() {
				if err := fetch(context.WithoutCancel(ctx)); err != nil {
					logger.Warn("cannot refresh "+what+"; keeping the last copy", "err", err)
				}
			}()
		}
		v := value
		mu.Unlock()
		return v, nil
	}
}

// zoneLevels returns the pool policy's lookup of households' effective
// zone levels: the active zones, re-read every zoneRefresh, applied to
// each household's path by frontline.EffectiveLevel. Reading the zones per
// batch cost the binding writer as much as a tenth of its time, and even
// one read every few seconds inside a batch delays that batch's stations:
// after the first read, the list is refreshed in the background while the
// writer goes on with the one it has.
func zoneLevels(zones frontline.ZoneService, logger *slog.Logger, every time.Duration) func(context.Context, map[int64]string) (map[int64]string, error) {
	active := refreshed(func(ctx context.Context) ([]*frontline.Zone, error) {
		list, _, err := zones.FindZones(ctx, frontline.ZoneFilter{Active: true})
		if err == nil {
			logger.Debug("active zones for the pool policy", "zones", len(list))
		}
		return list, err
	}, every, logger, "the active zones for the pool policy")
	return func(ctx context.Context, homes map[int64]string) (map[int64]string, error) {
		list, err := active(ctx)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]string, len(homes))
		if len(list) == 0 {
			return out, nil
		}
		for id, path := range homes {
			if l := frontline.EffectiveLevel(path, list); l != frontline.LevelNone {
				out[id] = string(l)
			}
		}
		return out, nil
	}
}

// restricted returns the stations' lookup of persons' restrictions: every
// person restricted now, re-read every refresh in the background as the
// zones are (zoneLevels), so the binding writer asks no query per batch.
// A person isolated a few seconds ago may still be bound once; the gate
// and the call-up, which decide in their own transactions, never miss.
func restricted(s *sqldb.RestrictionService, logger *slog.Logger, every time.Duration) func(context.Context, []int64) (map[int64]*frontline.Restrictions, error) {
	all := refreshed(func(ctx context.Context) (map[int64]*frontline.Restrictions, error) {
		return s.Restricted(frontline.AsSystem(ctx))
	}, every, logger, "the restricted persons for the stations")
	return func(ctx context.Context, persons []int64) (map[int64]*frontline.Restrictions, error) {
		snapshot, err := all(ctx)
		if err != nil {
			return nil, err
		}
		out := make(map[int64]*frontline.Restrictions)
		for _, id := range persons {
			if r := snapshot[id]; r != nil {
				out[id] = r
			}
		}
		return out, nil
	}
}
