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

// endMeasures runs until ctx ends: every interval it ends, in every open
// campaign, the measures that may end, as the system (a job acts for no
// user). Errors are logged and retried at the next turn.
func endMeasures(ctx context.Context, campaigns frontline.CampaignService, followUps frontline.FollowUpService, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		endMeasuresOnce(ctx, campaigns, followUps, logger)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func endMeasuresOnce(ctx context.Context, campaigns frontline.CampaignService, followUps frontline.FollowUpService, logger *slog.Logger) {
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
