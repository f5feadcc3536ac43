package sqldb_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestLabService_ZoneEvidence follows results into the zones workflow: a
// sealed compound whose members all test negative gets the round as a
// negative whole-area round, once; a positive pool is no positive, but the
// single re-test that confirms a person is, at their household.
func TestLabService_ZoneEvidence(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "lab"})
		f := newRoundFixture(t, db, 3, nil)
		lab := sqldb.NewLabService(db)
		zones := sqldb.NewZoneService(db)
		hh := f.tr.hh
		sealed := mustZone(t, zones, ctx, f.tr.comp2, frontline.LevelSealed).Zone
		home := mustZone(t, zones, ctx, hh[0], frontline.LevelControlled).Zone
		check := func(z *frontline.Zone) *frontline.StepDownCheck {
			t.Helper()
			for _, c := range stepDownChecks(t, zones, ctx, f.tr.city) {
				if c.Zone.ID == z.ID {
					return c
				}
			}
			t.Fatalf("no check of zone %d", z.ID)
			return nil
		}
		post := func(rows ...frontline.ResultRow) {
			t.Helper()
			for _, r := range rows {
				sqldbtest.ReceiveTubes(t, db, r.TubeCode)
			}
			sum, err := lab.PostResults(ctx, rows)
			if err != nil || len(sum.Errors) > 0 {
				t.Fatalf("post %+v: %v %+v", rows, err, sum)
			}
		}
		round := strconv.FormatInt(f.round.ID, 10)

		// The compound's six persons in two pools, the household's three in one.
		f.bind(t, "C-1", true, append(f.persons[hh[2].ID], f.persons[hh[3].ID][0])...)
		f.bind(t, "C-2", true, f.persons[hh[3].ID][1:]...)
		f.bind(t, "H-1", true, f.persons[hh[0].ID]...)

		post(frontline.ResultRow{TubeCode: "C-1", Result: frontline.ResultNegative})
		if c := check(sealed); len(c.Rounds) != 0 {
			t.Fatalf("a compound with a pool still at the lab has a negative round: %+v", c.Rounds[0])
		}
		post(frontline.ResultRow{TubeCode: "C-2", Result: frontline.ResultNegative})
		c := check(sealed)
		if len(c.Rounds) != 1 || c.Rounds[0].PlaceID != f.tr.comp2.ID || c.Rounds[0].Link != (frontline.EvidenceLink{Kind: frontline.LinkRound, Ref: round}) {
			t.Fatalf("the compound's negative round: %+v", c.Rounds)
		}
		if got := check(home); len(got.Rounds) != 0 || got.LastPositive != nil {
			t.Fatalf("the household zone got evidence from another compound: %+v", got)
		}
		// Posting the same result again, and closing the round, add nothing.
		if sum, err := lab.PostResults(ctx, []frontline.ResultRow{{TubeCode: "C-2", Result: frontline.ResultNegative}}); err != nil || sum.Unchanged != 1 {
			t.Fatalf("post again: %v %+v", err, sum)
		}
		if _, err := f.rounds.CloseRound(ctx, f.round.ID); err != nil {
			t.Fatal(err)
		}
		if c := check(sealed); len(c.Rounds) != 1 {
			t.Fatalf("the round recorded twice: %+v", c.Rounds)
		}

		// A positive pool is no positive; its single re-tests decide.
		post(frontline.ResultRow{TubeCode: "H-1", Result: frontline.ResultPositive})
		if c := check(home); c.LastPositive != nil || len(c.Rounds) != 0 {
			t.Fatalf("a positive pool counted as evidence: %+v", c)
		}
		open := frontline.RetestOpen
		tasks, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Status: &open})
		if err != nil || len(tasks) != 3 {
			t.Fatalf("re-test tasks: %v %d", err, len(tasks))
		}
		for i, task := range tasks {
			if _, err := lab.SampleRetest(ctx, task.ID, "R-"+strconv.Itoa(i+1)); err != nil {
				t.Fatal(err)
			}
		}
		post(frontline.ResultRow{TubeCode: "R-1", Result: frontline.ResultNegative}, frontline.ResultRow{TubeCode: "R-2", Result: frontline.ResultNegative})
		if c := check(home); c.LastPositive != nil || len(c.Rounds) != 0 {
			t.Fatalf("two of three re-tests back: %+v", c)
		}
		post(frontline.ResultRow{TubeCode: "R-3", Result: frontline.ResultPositive})
		c = check(home)
		if c.LastPositive == nil || c.LastPositive.PlaceID != hh[0].ID || c.LastPositive.Link != (frontline.EvidenceLink{Kind: frontline.LinkTube, Ref: "R-3"}) || len(c.Rounds) != 0 {
			t.Fatalf("the confirmed positive: %+v", c)
		}
		if c := check(sealed); c.LastPositive != nil {
			t.Fatalf("a positive in another compound reached the sealed one: %+v", c.LastPositive)
		}

		cov := coverageOf(t, db, f.round.ID, f.tr.city.ID)
		if cov.Negative != 8 || cov.Positive != 1 || cov.Awaiting != 0 {
			t.Fatalf("city coverage %+v", cov)
		}
		if home := coverageOf(t, db, f.round.ID, hh[0].ID); home.Negative != 2 || home.Positive != 1 || home.AllNegative() {
			t.Fatalf("household coverage %+v", home)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

// TestMigrate_RoundNegative replays migration 0010 on a round whose
// results predate it: the counter is dropped and the migration forgotten,
// then Migrate adds it back and counts it from the members.
func TestMigrate_RoundNegative(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 3, nil)
		f.bind(t, "M-1", true, f.persons[f.tr.hh[0].ID]...)
		f.bind(t, "M-2", true, f.persons[f.tr.hh[2].ID]...)
		sqldbtest.ReceiveTubes(t, db, "M-1", "M-2")
		if _, err := sqldb.NewLabService(db).PostResults(ctx, []frontline.ResultRow{
			{TubeCode: "M-1", Result: frontline.ResultNegative}, {TubeCode: "M-2", Result: frontline.ResultPositive}}); err != nil {
			t.Fatal(err)
		}
		tx, err := db.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`ALTER TABLE round_counts DROP COLUMN negative`,
			`DELETE FROM schema_migrations WHERE name = '0010_round_negative.sql'`} {
			if _, err := tx.Tx.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		// The negative household counts up to the city; the positive one nowhere.
		for p, want := range map[*frontline.Place]int{f.tr.city: 3, f.tr.comp1: 3, f.tr.bld1: 3, f.tr.comp2: 0} {
			if c := coverageOf(t, db, f.round.ID, p.ID); c.Negative != want {
				t.Errorf("%s: negative %d, want %d", p.Name, c.Negative, want)
			}
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}
