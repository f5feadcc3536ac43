package demo

import (
	"context"
	"fmt"

	"github.com/frontline-org/frontline"
)

// Distribution starts the demo's government package for 忠义巷小区 (蔬菜包
// and rice for every household), marks two households' needs (one halal,
// one diabetic), and leaves it half done: the first half of the doors in
// walking order delivered, one nobody home, one refused, the rest not yet
// served — so its progress, its gap list and a refused close all show.
func Distribution(ctx context.Context, places frontline.PlaceService, s frontline.DistributionService) (*frontline.Distribution, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	zhong, err := places.FindPlaceByPath(ctx, PathZhongyixiang)
	if err != nil {
		return nil, fmt.Errorf("demo distribution: %w", err)
	}
	d := &frontline.Distribution{Name: "第一批保供包", Contents: "蔬菜包 10斤、大米 5斤、鸡蛋 1盒", ScopeID: zhong.ID}
	if err := s.StartDistribution(ctx, d); err != nil {
		return nil, fmt.Errorf("demo distribution: %w", err)
	}
	hs, _, err := s.FindHandouts(ctx, d.ID, frontline.HandoutFilter{})
	if err != nil {
		return nil, err
	}
	if len(hs) < 4 {
		return d, nil
	}
	needs := map[int64][]frontline.HouseholdNeed{hs[1].HouseholdID: {frontline.NeedHalal},
		hs[len(hs)-1].HouseholdID: {frontline.NeedDiabetic}, hs[len(hs)/2+2].HouseholdID: {frontline.NeedHalal, frontline.NeedDiabetic}}
	for id, n := range needs {
		if err := s.SetHouseholdNeeds(ctx, id, n); err != nil {
			return nil, err
		}
	}
	half := len(hs) / 2
	for i, h := range hs[:half+2] {
		st := frontline.HandoutDelivered
		switch i {
		case half:
			st = frontline.HandoutNotHome
		case half + 1:
			st = frontline.HandoutRefused
		}
		if _, err := s.Mark(ctx, &frontline.HandoutMark{DistributionID: d.ID, HouseholdID: h.HouseholdID, Status: st}); err != nil {
			return nil, fmt.Errorf("demo distribution: %w", err)
		}
	}
	return d, nil
}
