package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/web"
)

// withWorkforce gives a server the workforce services of db.
func withWorkforce(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		s.Workers, s.Roster, s.Duty, s.Responsibility = sqldb.NewWorkerService(db), sqldb.NewRosterService(db),
			sqldb.NewDutyService(db), sqldb.NewResponsibilityService(db)
	}
}

var workerSeq int

// mustWorker registers a worker under place, tested negative at tested
// (zero for never), with a phone of its own.
func mustWorker(tb testing.TB, db *sqldb.DB, place *frontline.Place, name string, kind frontline.WorkerKind, unit string, tested time.Time) *frontline.Worker {
	tb.Helper()
	workerSeq++
	w := &frontline.Worker{PlaceID: place.ID, Name: name, Kind: kind, Unit: unit, LastNegative: tested,
		Phone: fmt.Sprintf("1390931%04d", workerSeq)}
	if err := sqldb.NewWorkerService(db).CreateWorker(context.Background(), w); err != nil {
		tb.Fatalf("register %s: %v", name, err)
	}
	return w
}

// demoZones builds the demo workforce, then seals 忠义巷小区 and opens the
// seven staffed checkpoints, as serve --demo does.
func demoZones(tb testing.TB, db *sqldb.DB, now time.Time) (*demo.ZoneScene, *demo.WorkforceScene) {
	tb.Helper()
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	crew, err := demo.Workforce(ctx, demo.WorkforceServices{Places: places, Users: sqldb.NewUserService(db, testPolicy),
		Workers: sqldb.NewWorkerService(db), Responsibility: sqldb.NewResponsibilityService(db)}, now)
	if err != nil {
		tb.Fatal(err)
	}
	scene, err := demo.Zones(ctx, demo.ZoneServices{Places: places, Persons: sqldb.NewPersonService(db), Zones: sqldb.NewZoneService(db),
		Checkpoints: sqldb.NewCheckpointService(db), Roster: sqldb.NewRosterService(db), Workforce: crew,
		Duty: sqldb.NewDutyService(db)}, now)
	if err != nil {
		tb.Fatal(err)
	}
	return scene, crew
}
