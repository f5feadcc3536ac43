// Package web serves Frontline's HTML pages and its JSON API (/api/v1).
// It depends only on the service interfaces of package frontline; the
// command wires in the store, so web never imports sqldb.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/frontline-org/frontline"
)

// DefaultLoginDelay is how long a failed sign-in waits when the server
// sets no LoginDelay: unnoticeable to a person who mistyped, a real brake
// on a script.
const DefaultLoginDelay = time.Second

// maxBodyBytes bounds every request body: forms and JSON are small, and
// nothing uploads files through the web yet.
const maxBodyBytes = 1 << 20

// ShutdownTimeout bounds how long Serve waits for requests in flight once
// its context is cancelled.
const ShutdownTimeout = 10 * time.Second

// Server serves the pages and the API. Set its fields, call Open, then
// Serve, or mount Handler in a server of your own.
type Server struct {
	// Places, Persons, Users and Audit are the services behind the pages;
	// all are required. Users resolves sessions and device tokens, so
	// without it no one could sign in.
	Places  frontline.PlaceService
	Persons frontline.PersonService
	// Duplicates, when set, serves the list of persons registered twice
	// and their merge (/duplicates).
	Duplicates frontline.DuplicateService
	// Imports and Uploads, when set, serve the resident import page
	// (/registry/import) and its API.
	Imports frontline.ImportService
	Uploads frontline.UploadService
	Users   frontline.UserService
	Audit   frontline.AuditService
	// Zones and Checkpoints serve sealed zones and checkpoints; when Zones
	// is nil their pages and API are not served.
	Zones       frontline.ZoneService
	Checkpoints frontline.CheckpointService
	// The screening services (campaigns, visits, reports, the risk-area
	// list and measure rules, follow-ups). They come together: when
	// Campaigns is nil the screening pages and API are not served.
	Campaigns frontline.CampaignService
	Visits    frontline.VisitService
	Reports   frontline.ReportService
	RiskAreas frontline.RiskAreaService
	Rules     frontline.MeasureRuleService
	FollowUps frontline.FollowUpService
	// SelfReports, when set, serves the residents' own health reports
	// through a link (the public /self-report page) and lets staff make
	// those links.
	SelfReports frontline.SelfReportService
	// The testing services (rounds, sampling, lab, coverage, sites and
	// call-up, the notification outbox). They come together: when Rounds
	// is nil the testing pages and API are not served.
	Rounds   frontline.RoundService
	Sampling frontline.SamplingService
	Lab      frontline.LabService
	Coverage frontline.CoverageService
	Sites    frontline.SiteService
	Outbox   frontline.OutboxService
	// NoticeOptOuts records the numbers that want no notices to
	// residents; nil leaves out its routes.
	NoticeOptOuts frontline.NoticeOptOutService
	// The case services (cases, their transfers, the alert inbox and the
	// restrictions of persons). Alerts alone serves the inbox and the
	// unread count of every page; Cases needs Transfers and Restrictions.
	Cases        frontline.CaseService
	Transfers    frontline.TransferService
	Alerts       frontline.AlertService
	Restrictions frontline.RestrictionService
	// Outage, when set, tells an outage of the database (unreachable, full,
	// read-only) in an error a service passed on untranslated, and returns
	// it as EUNAVAILABLE (503, Retry-After), or nil: the stations keep a
	// request answered so and send it again.
	Outage func(error) error
	// Forms remembers the forms that were sent, so a form sent twice acts
	// once (once.go); nil acts on every sending.
	Forms frontline.FormService
	// The workforce services (the workers' registry, the roster, duty and
	// the responsible workers of households). They come together: when
	// Roster is nil the workforce pages and API are not served.
	Workers        frontline.WorkerService
	Roster         frontline.RosterService
	Duty           frontline.DutyService
	Responsibility frontline.ResponsibilityService
	// Partners, when set, serves supplies: partner shops and pharmacies,
	// their catalogues and the ordering windows.
	Partners frontline.PartnerService
	// Orders, when set, serves households' orders: their links, staff
	// ordering on their behalf, group orders.
	Orders frontline.OrderService
	// Distributions, when set, serves government packages (保供包) to
	// every household of a node, and households' needs.
	Distributions frontline.DistributionService
	// Deliveries, when set with Orders, serves the delivery runs from the
	// gates and what households say about their orders.
	Deliveries frontline.DeliveryService
	// Medicine, when set with Orders, serves medicine requests: the
	// household link's medicine part, staff asking on a household's
	// behalf, and the pharmacy's list where requests are filled.
	Medicine frontline.MedicineService
	// Vulnerable, when set, serves the vulnerable of sealed and
	// controlled zones: their contacts, daily checks and board.
	Vulnerable frontline.VulnerableService
	// Help, when set, serves urgent help requests, the unmet-needs board
	// and hospital trips.
	Help frontline.HelpService
	// Daily, when set, serves the daily report (日报) and the dashboards.
	Daily frontline.DailyReportService
	// Dashboards, when set with Daily, serves each node's dashboard.
	Dashboards frontline.DashboardService
	// Retention, when set, serves the retention rules, what falls due when
	// and the purge certificates.
	Retention frontline.RetentionService
	// Secure marks the session cookie Secure, so browsers send it only
	// over HTTPS. The zero value is false so that tests and a server on
	// plain HTTP work; the command sets it unless it serves plain HTTP on
	// a loopback address (a laptop in the office), which is the only case
	// where a session may travel unencrypted.
	Secure bool
	// LoginDelay is how long a failed sign-in waits before it answers,
	// which slows down guessing from one client on top of the lockout the
	// store enforces. Nil means DefaultLoginDelay; tests return 0.
	LoginDelay func() time.Duration
	// Location is the deployment's time zone: every time a page shows or
	// a form reads is in it, and the pages' scripts are told it; nil means
	// frontline.DefaultTimeZone.
	Location *time.Location
	// TrustedProxies are the addresses of the load balancers in front of
	// the server. A request from one of them is taken to come from the
	// address it names in X-Forwarded-For; without this, every sign-in
	// behind a balancer would come from its address, and the lockout per
	// address would lock everyone out at once. Empty: the connection's
	// own address is the client's, and X-Forwarded-For is ignored (anyone
	// can write it).
	TrustedProxies []netip.Prefix
	// Ready reports whether the server can do its work (the database is
	// reachable and migrated). Nil means always ready. /readyz shows its
	// error text to anyone who can reach the server, so it should say what
	// is wrong without naming secrets.
	Ready func(ctx context.Context) error
	// Logger receives request logs and internal errors; nil discards them.
	Logger *slog.Logger
	// Version is shown in the page footer and exported as a metric label.
	Version string
	// Now returns the current time (ages are computed from it); nil means
	// time.Now.
	Now func() time.Time
	// OnListen, when set, is called by Serve with the address actually
	// bound, so a caller that asked for port 0 learns the port.
	OnListen func(addr string)

	mux      *http.ServeMux
	handler  http.Handler
	routes   []Route
	routeErr []error
	pages    map[string]*template.Template
	catalog  map[string]message
	reasons  []reasonPattern // the import's problems, for showing them in Chinese
	metrics  *metrics
}

// Open checks the dependencies, parses the templates, creates the metrics
// and registers the routes. It fails on a missing service, a template
// error or a route without an access declaration, so a broken server never
// starts.
func (s *Server) Open() error {
	if s.Places == nil || s.Persons == nil || s.Users == nil || s.Audit == nil {
		return errors.New("web: Server needs Places, Persons, Users and Audit")
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.LoginDelay == nil {
		s.LoginDelay = func() time.Duration { return DefaultLoginDelay }
	}
	if s.Location == nil {
		s.Location = frontline.DefaultLocation()
	}
	if dups := catalogDuplicates(); len(dups) > 0 {
		return fmt.Errorf("web: messages: %s", strings.Join(dups, "; "))
	}
	s.catalog = newCatalog()
	s.reasons = newReasonPatterns()
	pages, err := s.parseTemplates(templateFiles)
	if err != nil {
		return fmt.Errorf("web: templates: %w", err)
	}
	s.pages = pages
	if s.metrics, err = newMetrics(s.Version); err != nil {
		return fmt.Errorf("web: metrics: %w", err)
	}
	s.mux = http.NewServeMux()
	s.registerRoutes()
	if err := errors.Join(s.routeErr...); err != nil {
		return fmt.Errorf("web: routes: %w", err)
	}
	// Every state-changing request a browser sends from another site is
	// refused before any route sees it; authorize adds the session's CSRF
	// token on top, for browsers that send neither Sec-Fetch-Site nor
	// Origin.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(s.denyCrossOrigin))
	// The first wrapper is innermost: panics are recovered before the
	// metrics and the log see the response, so both record the 500.
	s.handler = chain(s.mux, cop.Handler, limitBodies, s.recoverPanics, headers, s.countRequests, s.logRequests)
	return nil
}

// Handler returns the server's handler: every route behind request
// logging, metrics and panic recovery. Open must have succeeded.
func (s *Server) Handler() http.Handler {
	if s.handler == nil {
		panic("web: Server.Handler called before a successful Open")
	}
	return s.handler
}

// Registerer returns the server's own metrics registry (after Open), so
// the command can add collectors (database pool statistics) to /metrics.
func (s *Server) Registerer() prometheus.Registerer { return s.metrics.registry }

// Serve listens on addr ("127.0.0.1:8080", or port 0 for any free port)
// and serves until ctx is cancelled, then shuts down gracefully, waiting
// up to ShutdownTimeout for requests in flight.
func (s *Server) Serve(ctx context.Context, addr string) error {
	handler := s.Handler()
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler: handler,
		// Bounds slow clients that never finish their headers. There is no
		// WriteTimeout: live counters will stream for minutes.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	bound := ln.Addr().String()
	s.Logger.Info("listening", "addr", bound, "version", s.Version)
	if s.OnListen != nil {
		s.OnListen(bound)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	s.Logger.Info("shutting down", "addr", bound)
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	<-served // http.ErrServerClosed once Shutdown has begun
	if err != nil {
		srv.Close()
		return fmt.Errorf("web: shutdown: %w", err)
	}
	s.Logger.Info("stopped", "addr", bound)
	return nil
}
