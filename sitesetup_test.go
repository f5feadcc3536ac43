package frontline_test

import (
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

func TestReviewPlan(t *testing.T) {
	opens := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC)
	site := frontline.PlanSite{ID: 1, Stations: 1, OpensAt: opens, ClosesAt: opens.Add(12 * time.Hour)}
	t.Run("StationLoad", func(t *testing.T) {
		for persons, want := range map[int]int{500: 600, 700: 0, 900: 800} {
			plan := frontline.PlanSlots(1, []frontline.PlanBuilding{{ID: 10, Name: "1号楼", Persons: persons}},
				[]frontline.PlanSite{site}, frontline.PlanSettings{})
			frontline.ReviewPlan(plan, []frontline.PlanSite{site})
			var got int
			for _, w := range plan.Warnings {
				if w.Kind == frontline.WarnStationLoad {
					got = w.Need
				}
			}
			if got != want {
				t.Errorf("%d persons at one station: warned at %d, want %d (%+v)", persons, got, want, plan.Warnings)
			}
		}
	})
	t.Run("Queue", func(t *testing.T) {
		// 100 persons called at once to one station at 12 s a person wait
		// 20 minutes; the next 100, called 10 minutes later, find 50
		// still queueing.
		s := frontline.DefaultPlanSettings()
		s.MinPerStation = 1
		plan := &frontline.SitePlan{Settings: s, Slots: []frontline.Slot{
			{SiteID: 1, Persons: 100, StartsAt: opens},
			{SiteID: 1, Persons: 100, StartsAt: opens.Add(10 * time.Minute)},
		}}
		frontline.ReviewPlan(plan, []frontline.PlanSite{site})
		if len(plan.Warnings) != 1 || plan.Warnings[0].Kind != frontline.WarnQueue || plan.Warnings[0].Slot != 2 || plan.Warnings[0].Minutes != 30 {
			t.Fatalf("warnings %+v", plan.Warnings)
		}
	})
	t.Run("Validate", func(t *testing.T) {
		s := frontline.DefaultPlanSettings()
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		s.MinPerStation, s.MaxPerStation = 900, 700
		if frontline.ErrorField(s.Validate()) != "settings.max_per_station" {
			t.Fatalf("a band upside down: %v", s.Validate())
		}
	})
}
