package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/frontline-org/frontline"
)

// measureJobInterval is how often serve ends the measures whose days are
// over and whose tests are done. A measure ends at the earliest the day
// after its last day, so a quarter of an hour is prompt enough.
const measureJobInterval = 15 * time.Minute

// alertJobInterval is how often serve escalates alerts nobody
// acknowledged in time and raises the alerts of late work: a case must be
// acknowledged within 15 minutes, so a minute late is the most it waits.
const alertJobInterval = time.Minute

// every runs fn now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// endMeasures runs until ctx ends: every interval it ends, in every open
// campaign and among the measures of cases' contacts, the measures that
// may end, as the system (a job acts for no user). Errors are logged and
// retried at the next turn.
func endMeasures(ctx context.Context, campaigns frontline.CampaignService, places frontline.PlaceService, followUps frontline.FollowUpService,
	interval time.Duration, logger *slog.Logger) {
	every(ctx, interval, func(ctx context.Context) { endMeasuresOnce(ctx, campaigns, places, followUps, logger) })
}

func endMeasuresOnce(ctx context.Context, campaigns frontline.CampaignService, places frontline.PlaceService, followUps frontline.FollowUpService, logger *slog.Logger) {
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "system:measures"})
	open := frontline.CampaignOpen
	list, _, err := campaigns.FindCampaigns(ctx, frontline.CampaignFilter{Status: &open})
	if err != nil {
		logger.Error("end measures: list campaigns", "err", err)
		return
	}
	for _, c := range list {
		n, err := followUps.EndMeasures(ctx, c.ID, c.ScopeID)
		if err != nil {
			logger.Error("end measures", "campaign", c.ID, "err", err)
			continue
		}
		if n > 0 {
			logger.Info("measures ended", "campaign", c.ID, "ended", n)
		}
	}
	roots, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Roots: true})
	if err != nil {
		logger.Error("end measures: list roots", "err", err)
		return
	}
	for _, root := range roots {
		n, err := followUps.EndMeasures(ctx, 0, root.ID)
		if err != nil {
			logger.Error("end the measures of contacts", "root", root.ID, "err", err)
		} else if n > 0 {
			logger.Info("contacts' measures ended", "root", root.ID, "ended", n)
		}
	}
}

// alertJobs are the services the alert job drives.
type alertJobs struct {
	Alerts    frontline.AlertService
	Transfers frontline.TransferService
	// FollowUps raises the alerts of overdue follow-ups.
	FollowUps interface {
		AlertOverdueFollowUps(ctx context.Context) (int, error)
	}
	// Help raises the alerts of help requests past a deadline.
	Help interface {
		AlertLateHelp(ctx context.Context) (int, error)
	}
	// Medicine raises the alerts of chronic medicine past its target.
	Medicine interface {
		AlertLateMedicine(ctx context.Context) (int, error)
	}
	// Vulnerable raises (past the alert hour) and resolves the alerts of
	// vulnerable residents of sealed and controlled zones not reached today.
	Vulnerable interface {
		AlertUnchecked(ctx context.Context) (int, error)
	}
}

// runAlerts runs until ctx ends: every interval it raises the alerts of
// late transfers, overdue follow-ups, late help requests, late chronic
// medicine and vulnerable residents not reached by the alert hour, then
// escalates the alerts not
// acknowledged in time, as the system. Each step is safe on several
// servers at once (see the services); errors are logged and retried.
func runAlerts(ctx context.Context, j alertJobs, interval time.Duration, logger *slog.Logger) {
	every(ctx, interval, func(ctx context.Context) { runAlertsOnce(ctx, j, logger) })
}

func runAlertsOnce(ctx context.Context, j alertJobs, logger *slog.Logger) {
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "system:alerts"})
	if n, err := j.Transfers.AlertOverdueTransfers(ctx); err != nil {
		logger.Error("alert overdue transfers", "err", err)
	} else if n > 0 {
		logger.Info("overdue transfers alerted", "alerts", n)
	}
	if n, err := j.FollowUps.AlertOverdueFollowUps(ctx); err != nil {
		logger.Error("alert overdue follow-ups", "err", err)
	} else if n > 0 {
		logger.Info("overdue follow-ups alerted", "alerts", n)
	}
	if n, err := j.Help.AlertLateHelp(ctx); err != nil {
		logger.Error("alert late help requests", "err", err)
	} else if n > 0 {
		logger.Info("late help requests alerted", "alerts", n)
	}
	if j.Medicine != nil {
		if n, err := j.Medicine.AlertLateMedicine(ctx); err != nil {
			logger.Error("alert late chronic medicine", "err", err)
		} else if n > 0 {
			logger.Info("late chronic medicine alerted", "alerts", n)
		}
	}
	if n, err := j.Vulnerable.AlertUnchecked(ctx); err != nil {
		logger.Error("alert unreached vulnerable residents", "err", err)
	} else if n > 0 {
		logger.Info("zones with vulnerable residents not reached today alerted", "alerts", n)
	}
	if n, err := j.Alerts.Escalate(ctx); err != nil {
		logger.Error("escalate alerts", "err", err)
	} else if n > 0 {
		logger.Info("alerts escalated", "alerts", n)
	}
}

// rosterJobInterval is how often serve looks for unfilled shifts starting
// soon and for workers who have not checked in: a no-show is noticed
// within a minute of its grace period.
const rosterJobInterval = time.Minute

// watchRoster runs until ctx ends: every interval it raises the roster's
// alerts (unfilled shifts starting soon, no-shows), as the system. Every
// server runs it; the store raises each alert once, whichever server
// finds it first. The clock is the store's (tests move it).
func watchRoster(ctx context.Context, duty frontline.DutyService, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		watchRosterOnce(ctx, duty, logger)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func watchRosterOnce(ctx context.Context, duty frontline.DutyService, logger *slog.Logger) {
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "system:roster"})
	if n, err := duty.AlertUnfilled(ctx); err != nil {
		logger.Error("roster: unfilled shifts", "err", err)
	} else if n > 0 {
		logger.Info("roster: unfilled shifts alerted", "shifts", n)
	}
	if n, err := duty.MarkNoShows(ctx); err != nil {
		logger.Error("roster: no-shows", "err", err)
	} else if n > 0 {
		logger.Info("roster: no-shows alerted", "workers", n)
	}
}

// keepDailyReports runs until ctx ends: every interval it keeps the daily
// report of every node whose cut-off has passed, as the system. Every
// server runs it; a report kept by one is not kept again by another.
func keepDailyReports(ctx context.Context, daily frontline.DailyReportService, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sys := frontline.WithActor(ctx, frontline.Actor{Name: "system:daily"})
		if n, err := daily.KeepDailyReports(sys); err != nil {
			logger.Error("daily reports: keep", "err", err)
		} else if n > 0 {
			logger.Info("daily reports kept at their cut-off", "reports", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// importSweepInterval is how often serve looks for resident imports whose
// server stopped while they ran (their heartbeat stopped two minutes ago).
const importSweepInterval = time.Minute

// sweepImports runs until ctx ends: at start and every interval it ends
// the imports interrupted by a stop, removing what they wrote, so that
// their pages say so instead of "running" for ever.
func sweepImports(ctx context.Context, imports interface {
	SweepInterrupted(ctx context.Context) (int, error)
}, interval time.Duration, logger *slog.Logger) {
	every(ctx, interval, func(ctx context.Context) {
		if n, err := imports.SweepInterrupted(ctx); err != nil {
			logger.Error("sweep interrupted imports", "err", err)
		} else if n > 0 {
			logger.Info("interrupted imports ended", "imports", n)
		}
	})
}
