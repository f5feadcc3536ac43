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

func TestZones(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		sum, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db))
		if err != nil {
			t.Fatal(err)
		}
		zones, checkpoints := sqldb.NewZoneService(db), sqldb.NewCheckpointService(db)
		crew, err := demo.Workforce(ctx, demo.WorkforceServices{Places: places, Workers: sqldb.NewWorkerService(db),
			Responsibility: sqldb.NewResponsibilityService(db)}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		scene, err := demo.Zones(ctx, demo.ZoneServices{Places: places, Persons: sqldb.NewPersonService(db),
			Zones: zones, Checkpoints: checkpoints, Roster: sqldb.NewRosterService(db), Workforce: crew}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if scene.Sealed.Place.ID != sum.Zhongyixiang.ID || len(scene.Sealed.Households) == 0 || scene.Sealed.Zone.Reason != demo.SealReason {
			t.Fatalf("sealed %+v", scene.Sealed)
		}
		if len(scene.Checkpoints) != 7 {
			t.Fatalf("%d checkpoints", len(scene.Checkpoints))
		}
		open := frontline.CheckpointOpen
		found, total, err := checkpoints.FindCheckpoints(ctx, frontline.CheckpointFilter{Under: &sum.Luoyuxincun.ID, Status: &open})
		if err != nil || total != 7 {
			t.Fatalf("%d open checkpoints under 罗玉新村社区, %v", total, err)
		}
		c, _ := checkpoints.FindCheckpointByID(ctx, found[0].ID)
		if l := c.Shifts[0].Leader(); l == nil || l.Unit != demo.ForestryBureau || len(c.Shifts[0].Assignments) != 3 {
			t.Fatalf("the day shift %+v, leader %+v", c.Shifts[0], l)
		}
		if night := c.Shifts[1]; night.Open() != 1 || night.Leader() == nil {
			t.Fatalf("the night shift has %d open, leader %+v", night.Open(), night.Leader())
		}
		passages, _, err := checkpoints.FindPassages(ctx, frontline.PassageFilter{CheckpointID: &scene.Checkpoints[0].ID})
		if err != nil || len(passages) != 2 || passages[0].Allowed || passages[0].From != frontline.LevelSealed || !passages[1].Allowed {
			t.Fatalf("passages %+v, %v", passages, err)
		}
		st, err := zones.EffectiveLevel(ctx, scene.Sealed.Households[0].ID)
		if err != nil || st.Level != frontline.LevelSealed {
			t.Fatalf("a household of 忠义巷小区: %+v, %v", st, err)
		}
	})
}
