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

// TestTesting opens the demo round over a small demo city: 枣园小区 has a
// site with two stations and a saved call-up plan, three pools sampled and
// posted, the second positive, so ten persons await a re-test at home, and
// two more pools in a bag on its way to the lab.
func TestTesting(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		sum, err := demo.Build(ctx, demo.Config{Residents: demo.DefaultResidents}, places, sqldb.NewImportService(db))
		if err != nil {
			t.Fatal(err)
		}
		sampling := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
		defer sampling.Close()
		lab, cov := sqldb.NewLabService(db), sqldb.NewCoverageService(db)
		scene, err := demo.Testing(ctx, demo.TestingServices{Places: places, Persons: sqldb.NewPersonService(db),
			Rounds: sqldb.NewRoundService(db), Sites: sqldb.NewSiteService(db, "log"), Sampling: sampling, Lab: lab}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if scene.Round.ScopeID != sum.Luoyuxincun.ID || len(scene.Stations) != 2 || scene.Notices == 0 || len(scene.Tubes) != 3 || len(scene.OnTheWay) != 2 {
			t.Fatalf("scene %+v", scene)
		}
		node, _, err := cov.Coverage(ctx, scene.Round.ID, sum.Zaoyuan.ID)
		if err != nil {
			t.Fatal(err)
		}
		if node.Sampled != 50 || node.Awaiting != 10 || node.Negative != 20 {
			t.Errorf("枣园小区 %+v", node)
		}
		open := frontline.RetestOpen
		_, total, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &scene.Round.ID, Status: &open})
		if err != nil || total < 10 {
			t.Errorf("%d open tasks for the home team, %v", total, err)
		}
		work, err := lab.FindLabWork(ctx)
		if err != nil || len(work) != 1 || work[0].BagsToReceive != 1 {
			t.Errorf("the lab's work: %v %+v", err, work)
		}
		bad, err := db.CheckRound(ctx, scene.Round.ID)
		if err != nil || len(bad) > 0 {
			t.Fatalf("round check: %v %v", err, bad)
		}
	})
}
