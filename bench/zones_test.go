package bench_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
)

// BenchmarkZones measures what every workflow asks of zones in a demo city
// of FRONTLINE_BENCH_RESIDENTS residents (default 3,000,000), with one
// compound in ten in a precaution zone, one in fifty sealed, and up to ten
// positives and a negative round of its community for every zone: a node's effective level, the levels of every
// household of a community in one batch (testing's pool policy), the zone
// board of the district, the step-down checks of the city, and recording
// a passage at a checkpoint. The city is kept in bench.Dir under a name of
// its own, since the benchmark adds zones to it.
func BenchmarkZones(b *testing.B) {
	ctx := context.Background()
	residents := envInt(b, "FRONTLINE_BENCH_RESIDENTS", 3_000_000)
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) {
			db := zonesCity(b, e, residents)
			defer db.Close()
			zs, cs := sqldb.NewZoneService(db), sqldb.NewCheckpointService(db)
			places := sqldb.NewPlaceService(db)
			luoyu, err := places.FindPlaceByPath(ctx, demo.PathLuoyuxincun)
			if err != nil {
				b.Fatal(err)
			}
			kind := frontline.KindHousehold
			households, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &luoyu.ID, Kind: &kind})
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]int64, len(households))
			for i, h := range households {
				ids[i] = h.ID
			}
			b.Run("effective-level", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := zs.EffectiveLevel(ctx, ids[i%len(ids)]); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("effective-levels-%d-households", len(ids)), func(b *testing.B) {
				for b.Loop() {
					if _, err := zs.EffectiveLevels(ctx, ids); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(ids)*b.N)/b.Elapsed().Seconds(), "households/s")
			})
			district, _ := places.FindPlaceByPath(ctx, demo.CityName+"/"+demo.DistrictName)
			b.Run("board-district", func(b *testing.B) {
				for b.Loop() {
					if _, err := zs.ZoneBoard(ctx, district.ID); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("step-down-checks-city", func(b *testing.B) {
				for b.Loop() {
					if _, err := zs.StepDownChecks(ctx, district.ParentID); err != nil {
						b.Fatal(err)
					}
				}
			})
			benchPassages(b, db, cs, places)
		})
	}
}

// benchPassages records residents of 罗玉新村社区 going out at 1号卡点.
func benchPassages(b *testing.B, db *sqldb.DB, cs *sqldb.CheckpointService, places *sqldb.PlaceService) {
	ctx := context.Background()
	open := frontline.CheckpointOpen
	luoyu, _ := places.FindPlaceByPath(ctx, demo.PathLuoyuxincun)
	found, _, err := cs.FindCheckpoints(ctx, frontline.CheckpointFilter{PlaceID: &luoyu.ID, Status: &open, Limit: 1})
	if err != nil || len(found) == 0 {
		b.Fatalf("no open checkpoint: %v", err)
	}
	persons := sqldb.NewPersonService(db)
	people, _, err := persons.FindPersons(ctx, frontline.PersonFilter{Under: &luoyu.ID, Limit: 500})
	if err != nil || len(people) == 0 {
		b.Fatal(err)
	}
	checks := frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen, NegativeTestAt: time.Now().Add(-time.Hour)}
	b.Run("record-passage", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			p := &frontline.Passage{CheckpointID: found[0].ID, Kind: frontline.PassResident, PersonID: people[i%len(people)].ID,
				Direction: frontline.DirOut, Checks: checks}
			if err := cs.RecordPassage(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// zonesCity opens (building it the first time) the demo city the zone
// benchmark uses, and draws its zones and checkpoints once.
func zonesCity(b *testing.B, e sqldb.Engine, residents int) *sqldb.DB {
	ctx := context.Background()
	db, _ := ownCity(b, e, "zones_city", residents)
	zs := sqldb.NewZoneService(db)
	if _, n, err := zs.FindZones(ctx, frontline.ZoneFilter{Limit: 1}); err != nil {
		b.Fatal(err)
	} else if n == 0 {
		start := time.Now()
		if err := drawZones(ctx, db); err != nil {
			b.Fatal(err)
		}
		b.Logf("drew the zones and checkpoints in %s", time.Since(start).Round(time.Millisecond))
	}
	// Evidence came later than the zones: a city kept from an earlier run
	// gets it on its next run.
	if n, err := drawEvidence(ctx, db); err != nil {
		b.Fatal(err)
	} else if n > 0 {
		b.Logf("recorded %d pieces of zone evidence", n)
	}
	return db
}

// drawEvidence gives the step-down checks what an outbreak gives them to
// weigh, once: for every active zone a positive in each of up to ten of
// its households and a negative round over its community. It returns how
// many it recorded, 0 when an earlier run did.
func drawEvidence(ctx context.Context, db *sqldb.DB) (int, error) {
	zs, places := sqldb.NewZoneService(db), sqldb.NewPlaceService(db)
	zones, _, err := zs.FindZones(ctx, frontline.ZoneFilter{Active: true, Limit: 10_000})
	if err != nil || len(zones) == 0 {
		return 0, err
	}
	if checks, err := zs.StepDownChecks(ctx, frontline.PathIDs(zones[0].Place.Path)[0]); err != nil {
		return 0, err
	} else if slices.ContainsFunc(checks, func(c *frontline.StepDownCheck) bool { return c.LastPositive != nil }) {
		return 0, nil
	}
	kind, n := frontline.KindHousehold, 0
	for _, z := range zones {
		hh, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &z.PlaceID, Kind: &kind, Limit: 10})
		if err != nil {
			return n, err
		}
		for i, h := range hh {
			e := &frontline.ZoneEvidence{PlaceID: h.ID, Kind: frontline.EvidencePositive, At: time.Now().Add(-time.Duration(i+1) * time.Hour)}
			if err := zs.RecordEvidence(ctx, e); err != nil {
				return n, err
			}
			n++
		}
		community := frontline.PathIDs(z.Place.Path)[3]
		if err := zs.RecordEvidence(ctx, &frontline.ZoneEvidence{PlaceID: community, Kind: frontline.EvidenceNegativeRound}); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// drawZones puts one compound in ten into a precaution zone and one in
// fifty into a sealed one, and plays the report's scene.
func drawZones(ctx context.Context, db *sqldb.DB) error {
	places, zs := sqldb.NewPlaceService(db), sqldb.NewZoneService(db)
	kind := frontline.KindCompound
	compounds, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Kind: &kind})
	if err != nil {
		return err
	}
	for i, c := range compounds {
		if c.Name == "忠义巷小区" || i%10 != 3 {
			continue
		}
		level := frontline.LevelPrecaution
		if i%50 == 3 {
			level = frontline.LevelSealed
		}
		if _, err := zs.SetZone(ctx, &frontline.Zone{PlaceID: c.ID, Level: level, Reason: "bench"}); err != nil {
			return err
		}
	}
	now := time.Now()
	crew, err := demo.Workforce(ctx, demo.WorkforceServices{Places: places, Workers: sqldb.NewWorkerService(db),
		Responsibility: sqldb.NewResponsibilityService(db)}, now)
	if err != nil {
		return err
	}
	_, err = demo.Zones(ctx, demo.ZoneServices{Places: places, Persons: sqldb.NewPersonService(db), Zones: zs,
		Checkpoints: sqldb.NewCheckpointService(db), Roster: sqldb.NewRosterService(db), Workforce: crew}, now)
	return err
}
