package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/frontline-org/frontline"
)

type fakeCampaigns struct {
	frontline.CampaignService
	open []*frontline.Campaign
}

func (f fakeCampaigns) FindCampaigns(ctx context.Context, filter frontline.CampaignFilter) ([]*frontline.Campaign, int, error) {
	if filter.Status == nil || *filter.Status != frontline.CampaignOpen {
		panic("the job must ask for open campaigns only")
	}
	return f.open, len(f.open), nil
}

type fakeFollowUps struct {
	frontline.FollowUpService
	calls *[]int64
}

func (f fakeFollowUps) EndMeasures(ctx context.Context, campaignID, under int64) (int, error) {
	if frontline.PrincipalFrom(ctx) != nil {
		panic("the job must act as the system")
	}
	*f.calls = append(*f.calls, campaignID, under)
	return 1, nil
}

// TestEndMeasuresOnce checks the job asks every open campaign to end its
// measures over its whole scope, as the system.
func TestEndMeasuresOnce(t *testing.T) {
	var calls []int64
	campaigns := fakeCampaigns{open: []*frontline.Campaign{{ID: 1, ScopeID: 10}, {ID: 2, ScopeID: 20}}}
	endMeasuresOnce(context.Background(), campaigns, fakeFollowUps{calls: &calls}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if len(calls) != 4 || calls[0] != 1 || calls[1] != 10 || calls[2] != 2 || calls[3] != 20 {
		t.Fatalf("EndMeasures calls %v", calls)
	}
}
