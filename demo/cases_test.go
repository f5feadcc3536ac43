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

// TestCases builds the demo's case on the demo round: a positive re-test
// of 枣园小区 opens it with contacts, its vehicle is on the way, and the
// alert waits in the inbox of 罗玉新村社区.
func TestCases(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	sum, err := demo.Build(ctx, demo.Config{Residents: demo.DefaultResidents}, places, sqldb.NewImportService(db))
	if err != nil {
		t.Fatal(err)
	}
	sampling := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	defer sampling.Close()
	lab := sqldb.NewLabService(db)
	ts, err := demo.Testing(ctx, demo.TestingServices{Places: places, Persons: sqldb.NewPersonService(db),
		Rounds: sqldb.NewRoundService(db), Sites: sqldb.NewSiteService(db, "log"), Sampling: sampling, Lab: lab}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cases := sqldb.NewCaseService(db)
	scene, err := demo.Cases(ctx, demo.CaseServices{Lab: lab, Cases: cases, Transfers: sqldb.NewTransferService(db)}, ts, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if scene.Transfer == nil || scene.Transfer.Status != frontline.TransferAssigned {
		t.Fatalf("the case's transfer: %+v", scene.Transfer)
	}
	d, err := cases.CaseDetail(ctx, scene.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Contacts) == 0 || len(d.Proposals) == 0 {
		t.Fatalf("the demo case has %d contacts and %d proposals", len(d.Contacts), len(d.Proposals))
	}
	comm, err := places.FindPlaceByID(ctx, sum.Luoyuxincun.ID)
	if err != nil {
		t.Fatal(err)
	}
	secretary := frontline.WithPrincipal(ctx, &frontline.Principal{UserID: 1, Login: "xiahong", Role: frontline.RoleCommunitySecretary,
		ScopeID: comm.ID, ScopePath: comm.Path})
	if n, err := sqldb.NewAlertService(db).Unread(secretary); err != nil || n != 1 {
		t.Fatalf("xiahong's unread alerts: %d, %v", n, err)
	}
}
