package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestScreening opens the demo campaign over a small demo city: the
// grid worker of 枣园小区 has the doors called at, the counters say what
// was found, and the isolated returnee has follow-up items on the
// worker's list.
func TestScreening(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		sum, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db))
		if err != nil {
			t.Fatal(err)
		}
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		users.Argon2 = sqldb.Argon2Params{Memory: 64, Time: 1, Threads: 1}
		if _, err := demo.CreateLogins(ctx, places, users); err != nil {
			t.Fatal(err)
		}
		ra, cs, fs := sqldb.NewRiskAreaService(db), sqldb.NewCampaignService(db), sqldb.NewFollowUpService(db)
		scene, err := demo.Screening(ctx, demo.ScreeningServices{Persons: sqldb.NewPersonService(db), Places: places,
			RiskAreas: ra, Campaigns: cs, Visits: sqldb.NewVisitService(db)}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		c := scene.Campaign
		if c.ScopeID != sum.Luoyuxincun.ID || c.Households == 0 || len(scene.Visits) != 6 {
			t.Fatalf("campaign %+v, %d visits", c, len(scene.Visits))
		}
		cov, _, err := cs.Coverage(ctx, c.ID, sum.Zaoyuan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cov.Screened != 3 || cov.NotHome != 1 || cov.Vacant != 1 || cov.Refused != 1 || cov.Isolation != 1 || cov.Monitoring != 1 ||
			cov.ReturneesHigh != 1 || cov.ReturneesMedium != 1 {
			t.Errorf("枣园小区 %+v", cov)
		}
		grid, _, err := users.FindUsers(ctx, frontline.UserFilter{Login: ptr("grid")})
		if err != nil || len(grid) != 1 {
			t.Fatalf("grid login %v, %v", grid, err)
		}
		items, _, err := fs.FindFollowUps(ctx, frontline.FollowUpItemFilter{CampaignID: &c.ID, Assignee: &grid[0].ID})
		if err != nil || len(items) == 0 {
			t.Errorf("the grid worker has %d follow-up items, %v", len(items), err)
		}
		areas, _, err := ra.FindRiskAreas(ctx, frontline.RiskAreaFilter{})
		if err != nil || len(areas) != 4 {
			t.Errorf("%d risk areas, %v", len(areas), err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
