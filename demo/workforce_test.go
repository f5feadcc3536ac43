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

// TestWorkerResponsibleDemo builds the demo workforce of 罗玉新村社区 and
// asks the responsible worker of every household of the community: each
// has one, those of a compound its grid worker, and those of the grid
// worker who is off today the cover. The logins are linked to their
// workers, and the forestry bureau's cadres are on the seven checkpoints.
func TestWorkerResponsibleDemo(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		if _, err := demo.Build(ctx, demo.Config{Residents: 1500}, places, sqldb.NewImportService(db)); err != nil {
			t.Fatal(err)
		}
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		users.Argon2 = sqldb.Argon2Params{Memory: 64, Time: 1, Threads: 1}
		if _, err := demo.CreateLogins(ctx, places, users); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		resp := sqldb.NewResponsibilityService(db)
		crew, err := demo.Workforce(ctx, demo.WorkforceServices{Places: places, Users: users, Workers: sqldb.NewWorkerService(db),
			Responsibility: resp}, now)
		if err != nil {
			t.Fatal(err)
		}
		if crew.Secretary.UserID == 0 || crew.Cadres[0].UserID == 0 || len(crew.Cadres) != 28 || crew.Cadres[0].Unit != demo.ForestryBureau {
			t.Fatalf("the workforce: secretary %+v, cadres %d", crew.Secretary, len(crew.Cadres))
		}
		luoyu, err := places.FindPlaceByPath(ctx, demo.PathLuoyuxincun)
		if err != nil {
			t.Fatal(err)
		}
		household := frontline.KindHousehold
		hs, total, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &luoyu.ID, Kind: &household, Limit: 100_000})
		if err != nil || total == 0 || len(hs) != total {
			t.Fatalf("households of 罗玉新村社区: %d of %d, %v", len(hs), total, err)
		}
		ids := make([]int64, len(hs))
		for i, h := range hs {
			ids[i] = h.ID
		}
		got, err := resp.ResponsibleWorkers(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		grid := map[int64]bool{}
		for _, w := range crew.Grid {
			grid[w.ID] = true
		}
		covered := 0
		for _, h := range hs {
			r := got[h.ID]
			if r == nil || r.Worker == nil || r.Acting() == nil {
				t.Fatalf("household %d (%s) has no responsible worker acting today: %+v", h.ID, h.Path, r)
			}
			if !grid[r.Worker.ID] {
				t.Errorf("household %s: responsible %s, not a grid worker", h.Path, r.Worker.Name)
			}
			if r.Off {
				covered++
				if r.Worker.ID != crew.GridOff.ID || r.Acting().Kind != frontline.WorkerCommunity {
					t.Errorf("household %s: %+v", h.Path, r)
				}
			}
		}
		if covered == 0 {
			t.Error("no household shows a cover for the grid worker who is off")
		}
		if _, missing, err := resp.Unassigned(ctx, luoyu.ID, 1); err != nil || missing != 0 {
			t.Fatalf("%d households without a responsible worker, %v", missing, err)
		}
	})
}
