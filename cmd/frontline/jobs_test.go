package main

import (
	"context"
	"io"
	"log/slog"
	"slices"
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

type fakeRoots struct {
	frontline.PlaceService
	roots []*frontline.Place
}

func (f fakeRoots) FindPlaces(ctx context.Context, filter frontline.PlaceFilter) ([]*frontline.Place, int, error) {
	if !filter.Roots {
		panic("the job must ask for the roots")
	}
	return f.roots, len(f.roots), nil
}

// TestEndMeasuresOnce checks the job asks every open campaign to end its
// measures over its whole scope, and each root to end the measures of
// cases' contacts (campaign 0), as the system.
func TestEndMeasuresOnce(t *testing.T) {
	var calls []int64
	campaigns := fakeCampaigns{open: []*frontline.Campaign{{ID: 1, ScopeID: 10}, {ID: 2, ScopeID: 20}}}
	endMeasuresOnce(context.Background(), campaigns, fakeRoots{roots: []*frontline.Place{{ID: 7}}}, fakeFollowUps{calls: &calls},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if want := []int64{1, 10, 2, 20, 0, 7}; !slices.Equal(calls, want) {
		t.Fatalf("EndMeasures calls %v, want %v", calls, want)
	}
}

type fakeDuty struct {
	frontline.DutyService
	calls *[]string
}

func (f fakeDuty) AlertUnfilled(ctx context.Context) (int, error) {
	if frontline.PrincipalFrom(ctx) != nil || frontline.ActorFrom(ctx).Name != "system:roster" {
		panic("the roster job must act as the system")
	}
	*f.calls = append(*f.calls, "unfilled")
	return 1, nil
}

func (f fakeDuty) MarkNoShows(ctx context.Context) (int, error) {
	*f.calls = append(*f.calls, "noshows")
	return 0, nil
}

// TestWatchRosterOnce checks the roster job raises both alerts as the
// system.
func TestWatchRosterOnce(t *testing.T) {
	var calls []string
	watchRosterOnce(context.Background(), fakeDuty{calls: &calls}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if len(calls) != 2 || calls[0] != "unfilled" || calls[1] != "noshows" {
		t.Fatalf("calls %v", calls)
	}
}
