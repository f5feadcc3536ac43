package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/web"
)

func runServe(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlags("serve", "[--addr HOST:PORT] [--demo]",
		"Serves the web pages and the JSON API. Applies migrations on start and shuts down gracefully\n"+
			"on SIGINT or SIGTERM, letting requests in flight finish.")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0 picks a free port)")
	withDemo := fs.Bool("demo", false, "build the demo city first if the database is empty")
	secure := fs.String("secure-cookies", "auto", "mark the session cookie Secure (HTTPS only): auto means yes unless --addr is a loopback address;\n"+
		"set yes when a TLS proxy serves Frontline, no only on a trusted network")
	proxies := fs.String("trusted-proxies", "", "comma-separated addresses or CIDR ranges of the load balancers in front of the server,\n"+
		"whose X-Forwarded-For names the client (sign-in lockout counts per client address)")
	debugAddr := fs.String("debug-addr", "", "loopback address to serve Go's profiler on (/debug/pprof/), e.g. 127.0.0.1:6060; off when empty")
	tf := addTestingFlags(fs)
	bf := addBackupFlags(fs)
	purgeEvery := fs.Duration("purge-every", purgeJobInterval, "how often to purge the personal data whose retention has run out; 0 turns it off")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if err := tf.loadSMS(); err != nil {
		return err
	}
	tuneGC(serveGCPercent)

	// The first line comes before anything slow (migrations, the demo
	// city), so whoever started the server sees at once that it runs.
	fmt.Fprintf(m.Stdout, "Frontline %s is starting (database %s)…\n", version, redact(m.dbURL))
	if err := m.open(ctx); err != nil {
		return err
	}
	warnSettings(ctx, m)
	if *debugAddr != "" {
		if err := serveDebug(ctx, *debugAddr, m.Logger); err != nil {
			return err
		}
	}
	places := sqldb.NewPlaceService(m.DB)
	if *withDemo {
		// The demo's steps write notices to residents on the channels
		// the server will deliver on: SMS to the log without a gateway.
		tf.logSMS = tf.sms == nil
		m.DB.Channels = channelNames(tf.channels(m.Logger))
		if err := ensureDemo(ctx, m, places); err != nil {
			return err
		}
	}
	backups, err := startBackups(ctx, m, bf)
	if err != nil {
		return err
	}
	secureCookies, err := secureCookies(*secure, *addr)
	if err != nil {
		return err
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return err
	}
	srv := &web.Server{
		Places:         places,
		Persons:        sqldb.NewPersonService(m.DB),
		Duplicates:     sqldb.NewDuplicateService(m.DB),
		Imports:        sqldb.NewImportService(m.DB),
		Uploads:        sqldb.NewUploadService(m.DB),
		Users:          sqldb.NewUserService(m.DB, frontline.DefaultLoginPolicy),
		Audit:          sqldb.NewAuditService(m.DB),
		Forms:          sqldb.NewFormService(m.DB),
		Outage:         sqldb.OutageError,
		Secure:         secureCookies,
		Location:       m.DB.Location,
		TrustedProxies: trusted,
		Ready:          backupReady(readiness(m.DB, probeEvery), backups),
		Logger:         m.Logger,
		Version:        version,
		OnListen: func(bound string) {
			fmt.Fprintf(m.Stdout, "Frontline %s is serving on http://%s (database %s)\n", version, bound, redact(m.dbURL))
		},
	}
	riskAreas := sqldb.NewRiskAreaService(m.DB)
	srv.Campaigns, srv.Visits, srv.Reports = sqldb.NewCampaignService(m.DB), sqldb.NewVisitService(m.DB), sqldb.NewReportService(m.DB)
	followUps := sqldb.NewFollowUpService(m.DB)
	srv.RiskAreas, srv.Rules, srv.FollowUps, srv.SelfReports = riskAreas, riskAreas, followUps, followUps
	srv.Zones, srv.Checkpoints = sqldb.NewZoneService(m.DB), sqldb.NewCheckpointService(m.DB)
	duty := sqldb.NewDutyService(m.DB)
	if *tf.webhook != "" {
		duty.AlertChannel = "webhook" // the roster's alerts go where the call-ups go
	}
	srv.Workers, srv.Roster, srv.Duty = sqldb.NewWorkerService(m.DB), sqldb.NewRosterService(m.DB), duty
	srv.Responsibility = sqldb.NewResponsibilityService(m.DB)
	srv.Partners, srv.Orders = sqldb.NewPartnerService(m.DB), sqldb.NewOrderService(m.DB)
	srv.Distributions = sqldb.NewDistributionService(m.DB)
	srv.Deliveries = sqldb.NewDeliveryService(m.DB)
	medicine := sqldb.NewMedicineService(m.DB)
	srv.Medicine = medicine
	srv.Vulnerable = sqldb.NewVulnerableService(m.DB)
	writer, stopTesting := wireTesting(ctx, m, srv, tf)
	defer stopTesting()
	transfers := sqldb.NewTransferService(m.DB)
	srv.Cases, srv.Transfers, srv.Alerts = sqldb.NewCaseService(m.DB), transfers, sqldb.NewAlertService(m.DB)
	srv.Restrictions = sqldb.NewRestrictionService(m.DB, nil)
	help := sqldb.NewHelpService(m.DB)
	srv.Help = help
	srv.NoticeOptOuts = sqldb.NewNoticeOptOutService(m.DB)
	daily := sqldb.NewDailyReportService(m.DB)
	srv.Daily, srv.Dashboards = daily, daily
	srv.Retention = sqldb.NewRetentionService(m.DB)
	if err := srv.Open(); err != nil {
		return err
	}
	if err := srv.Registerer().Register(newWriterCollector(writer)); err != nil {
		return err
	}
	if backups != nil {
		if err := srv.Registerer().Register(newBackupCollector(backups)); err != nil {
			return err
		}
	}
	go endMeasures(ctx, srv.Campaigns, places, followUps, measureJobInterval, m.Logger)
	go runAlerts(ctx, alertJobs{Alerts: srv.Alerts, Transfers: transfers, FollowUps: followUps, Help: help, Medicine: medicine,
		Vulnerable: srv.Vulnerable}, alertJobInterval, m.Logger)
	go watchRoster(ctx, duty, rosterJobInterval, m.Logger)
	go keepDailyReports(ctx, srv.Daily, rosterJobInterval, m.Logger)
	go sweepImports(ctx, sqldb.NewImportService(m.DB), importSweepInterval, m.Logger)
	if *purgeEvery > 0 {
		go runPurges(ctx, srv.Retention, *purgeEvery, m.Logger)
	}
	return srv.Serve(ctx, *addr)
}

// secureCookies decides the Secure flag of the session cookie. Browsers
// send a Secure cookie only over HTTPS, so on plain HTTP it must be off;
// that is safe only where the traffic never leaves the machine.
func secureCookies(flag, addr string) (bool, error) {
	switch flag {
	case "yes", "true":
		return true, nil
	case "no", "false":
		return false, nil
	case "auto":
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return false, usagef("--addr %q: %v", addr, err)
		}
		ip := net.ParseIP(host)
		return !(host == "localhost" || (ip != nil && ip.IsLoopback())), nil
	}
	return false, usagef("--secure-cookies must be auto, yes or no")
}

// parsePrefixes reads "10.0.0.1, 10.1.0.0/16" into prefixes; a plain
// address is a prefix of its full length.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, usagef("--trusted-proxies: %q is neither an address nor a CIDR range", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// ensureDemo builds the demo city when the database has no places yet, so
// a restart of `serve --demo` serves the same city instead of failing.
func ensureDemo(ctx context.Context, m *Main, places *sqldb.PlaceService) error {
	_, n, err := places.FindPlaces(ctx, frontline.PlaceFilter{Roots: true, Limit: 1})
	if err != nil {
		return err
	}
	if n > 0 {
		m.Logger.Info("database already has places; not building the demo city")
		return nil
	}
	fmt.Fprintf(m.Stdout, "Building the demo city (about %d residents); this takes a minute on a small machine…\n", demo.DefaultResidents)
	sum, err := buildDemo(cliContext(ctx), m, demo.DefaultResidents, 1)
	if err != nil {
		return err
	}
	m.Logger.Info("demo city built", "households", sum.Households, "residents", sum.Residents)
	logins, err := demo.CreateLogins(cliContext(ctx), places, sqldb.NewUserService(m.DB, frontline.DefaultLoginPolicy))
	if err != nil {
		return err
	}
	crew, err := demo.Workforce(cliContext(ctx), demo.WorkforceServices{Places: places,
		Users: sqldb.NewUserService(m.DB, frontline.DefaultLoginPolicy), Workers: sqldb.NewWorkerService(m.DB),
		Responsibility: sqldb.NewResponsibilityService(m.DB)}, time.Now())
	if err != nil {
		return err
	}
	if _, err := demo.Zones(cliContext(ctx), demo.ZoneServices{Places: places, Persons: sqldb.NewPersonService(m.DB),
		Zones: sqldb.NewZoneService(m.DB), Checkpoints: sqldb.NewCheckpointService(m.DB), Roster: sqldb.NewRosterService(m.DB),
		Workforce: crew, Duty: sqldb.NewDutyService(m.DB)}, time.Now()); err != nil {
		return err
	}
	if _, err := demo.Supply(cliContext(ctx), demo.SupplyServices{Places: places, Partners: sqldb.NewPartnerService(m.DB),
		Orders: sqldb.NewOrderService(m.DB)}, time.Now()); err != nil {
		return err
	}
	if _, err := demo.Delivery(cliContext(ctx), demo.DeliveryServices{Places: places, Users: sqldb.NewUserService(m.DB, frontline.DefaultLoginPolicy),
		Workers: sqldb.NewWorkerService(m.DB), Orders: sqldb.NewOrderService(m.DB), Deliveries: sqldb.NewDeliveryService(m.DB)}, time.Now()); err != nil {
		return err
	}
	if _, err := demo.Distribution(cliContext(ctx), places, sqldb.NewDistributionService(m.DB)); err != nil {
		return err
	}
	if _, err := demo.Medicine(cliContext(ctx), demo.MedicineServices{Places: places, Partners: sqldb.NewPartnerService(m.DB),
		Medicine: sqldb.NewMedicineService(m.DB), At: demoClock(m.DB)}, time.Now()); err != nil {
		return err
	}
	// With its past: a returnee's home isolation ends today (docs/notices.md).
	if _, err := demo.Screening(cliContext(ctx), demo.ScreeningServices{Persons: sqldb.NewPersonService(m.DB), Places: places,
		RiskAreas: sqldb.NewRiskAreaService(m.DB), Campaigns: sqldb.NewCampaignService(m.DB), Visits: sqldb.NewVisitService(m.DB),
		FollowUps: sqldb.NewFollowUpService(m.DB), At: demoClock(m.DB)}, time.Now()); err != nil {
		return err
	}
	sampling := sqldb.NewSamplingService(m.DB, sqldb.SamplingOptions{})
	defer sampling.Close()
	lab := sqldb.NewLabService(m.DB)
	testing, err := demo.Testing(cliContext(ctx), demo.TestingServices{Places: places, Persons: sqldb.NewPersonService(m.DB),
		Rounds: sqldb.NewRoundService(m.DB), Sites: sqldb.NewSiteService(m.DB, m.DB.Channels...), Sampling: sampling,
		Lab: lab, Channels: m.DB.Channels}, time.Now())
	if err != nil {
		return err
	}
	// One household replies TD to its SMS call-up: the office sees it
	// withdrawn beside the call-ups and results sent (docs/notices.md).
	if _, err := demo.Notices(cliContext(ctx), demo.NoticeServices{Outbox: sqldb.NewOutboxService(m.DB),
		OptOuts: sqldb.NewNoticeOptOutService(m.DB)}, testing.Round.ID); err != nil {
		return err
	}
	if _, err := demo.Cases(cliContext(ctx), demo.CaseServices{Lab: lab, Cases: sqldb.NewCaseService(m.DB),
		Transfers: sqldb.NewTransferService(m.DB)}, testing, time.Now()); err != nil {
		return err
	}
	if _, err := demo.Help(cliContext(ctx), demo.HelpServices{Places: places, Persons: sqldb.NewPersonService(m.DB),
		Help: sqldb.NewHelpService(m.DB)}, time.Now()); err != nil {
		return err
	}
	if _, err := demo.Vulnerable(cliContext(ctx), demo.VulnerableServices{Places: places, Persons: sqldb.NewPersonService(m.DB),
		Users: sqldb.NewUserService(m.DB, frontline.DefaultLoginPolicy), Workers: sqldb.NewWorkerService(m.DB),
		Responsibility: sqldb.NewResponsibilityService(m.DB), Partners: sqldb.NewPartnerService(m.DB),
		Vulnerable: sqldb.NewVulnerableService(m.DB), At: demoClock(m.DB), Location: m.DB.Location}, time.Now()); err != nil {
		return err
	}
	if _, err := demo.Registry(cliContext(ctx), demo.RegistryServices{Places: places, Persons: sqldb.NewPersonService(m.DB)}); err != nil {
		return err
	}
	if _, err := demo.Retention(cliContext(ctx), sqldb.NewRetentionService(m.DB)); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Demo logins, all with the password %q:\n", demo.Password)
	for _, l := range logins {
		fmt.Fprintf(m.Stdout, "  %-10s %-20s %s\n", l.Login, l.Role, l.Scope)
	}
	return nil
}

// probeEvery is how often /readyz writes to find out whether the
// database takes writes.
const probeEvery = 5 * time.Second

// readiness is /readyz: the database answers, no migration is pending,
// and it takes writes (a probe, at most once every every).
func readiness(db *sqldb.DB, every time.Duration) func(ctx context.Context) error {
	probe := &sqldb.WriteProbe{DB: db, Every: every}
	return func(ctx context.Context) error {
		if err := db.Ping(ctx); err != nil {
			return fmt.Errorf("database unreachable")
		}
		pending, err := db.Pending(ctx)
		if err != nil {
			return fmt.Errorf("cannot read the migration state")
		}
		if len(pending) > 0 {
			return fmt.Errorf("migrations pending: %s", strings.Join(pending, ", "))
		}
		if err := probe.Check(ctx); err != nil {
			return fmt.Errorf("database refuses writes: %s", frontline.ErrorMessage(err))
		}
		return nil
	}
}

// warnSettings logs each PostgreSQL setting that differs from the advice
// for a sampling day (docs/testing.md); the server starts anyway.
func warnSettings(ctx context.Context, m *Main) {
	advice, err := m.DB.CheckSettings(ctx)
	if err != nil {
		m.Logger.Warn("cannot read the PostgreSQL settings", "err", err)
	}
	for _, a := range advice {
		m.Logger.Warn(a)
	}
}

// demoClock sets the store's clock while the demo makes what happened
// earlier (a request of yesterday); the zero time gives it back.
func demoClock(db *sqldb.DB) func(time.Time) {
	wall := db.Now
	return func(t time.Time) {
		if t.IsZero() {
			db.Now = wall
			return
		}
		db.Now = func() time.Time { return t }
	}
}
