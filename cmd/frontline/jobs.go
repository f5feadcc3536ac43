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
