package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestHomeSampling follows a bedridden person excused for home sampling:
// they stay pending (not excused) with a task for the home team, so the
// sealed compound around them gets no negative round until the team
// samples them and their tube comes back negative; then they count as
// sampled, and the counters agree with a recount at every step.
func TestHomeSampling(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "secretary"})
		f := newRoundFixture(t, db, 2, nil)
		lab, zones, cs := sqldb.NewLabService(db), sqldb.NewZoneService(db), sqldb.NewCoverageService(db)
		hh := f.tr.hh
		sealed := mustZone(t, zones, ctx, f.tr.comp2, frontline.LevelSealed).Zone
		bedridden := f.persons[hh[3].ID][1]
		// Everyone else in the compound comes down, in one pool.
		f.bind(t, "C-1", true, append(f.persons[hh[2].ID], f.persons[hh[3].ID][0])...)

		m, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: bedridden.ID, Reason: frontline.ExcuseHomeSampling, Note: "卧床"})
		if err != nil || m.Status != frontline.MemberPending || m.Excuse != frontline.ExcuseHomeSampling || m.ExcusedBy != "secretary" || m.ExcusedAt.IsZero() {
			t.Fatalf("excused for home sampling: %v %+v", err, m)
		}
		comp := coverageOf(t, db, f.round.ID, f.tr.comp2.ID)
		if comp.Excused != 0 || comp.NotYet() != 1 || comp.Sampled != 3 {
			t.Fatalf("a person left to the home team counts as not yet sampled: %+v", comp)
		}
		gaps, _, err := cs.NotSampled(ctx, f.round.ID, f.tr.comp2.ID, 0, 10)
		if err != nil || len(gaps) != 1 || len(gaps[0].Persons) != 1 || !gaps[0].Persons[0].HomeSampling {
			t.Fatalf("the gap list marks the home team's person: %v %+v", err, gaps)
		}
		homes, total, err := lab.FindRetestHomes(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Active: true})
		if err != nil || total != 1 || len(homes[0].Tasks) != 1 {
			t.Fatalf("home tasks: %v %d %+v", err, total, homes)
		}
		task := homes[0].Tasks[0]
		if task.Kind != frontline.KindHome || task.PersonID != bedridden.ID || task.SourceTube != "" || task.Status != frontline.RetestOpen ||
			!strings.Contains(task.IDNumber, "*") || task.Address == "" {
			t.Fatalf("home task %+v", task)
		}
		// Excusing again with the same reason makes no second task.
		if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: bedridden.ID, Reason: frontline.ExcuseHomeSampling}); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Active: true}); n != 1 {
			t.Fatalf("home tasks after excusing twice: %d", n)
		}
		assertRoundChecks(t, db, f.round.ID)

		// The pool is negative: the compound still waits for the bedridden person.
		post(t, db, ctx, frontline.ResultRow{TubeCode: "C-1", Result: frontline.ResultNegative})
		if c := stepDownCheckOf(t, zones, ctx, f.tr.city, sealed); len(c.Rounds) != 0 {
			t.Fatalf("the compound was cleared without its bedridden resident: %+v", c.Rounds)
		}
		if _, err := f.rounds.CloseRound(ctx, f.round.ID); err != nil {
			t.Fatal(err)
		}
		if c := stepDownCheckOf(t, zones, ctx, f.tr.city, sealed); len(c.Rounds) != 0 {
			t.Fatalf("closing the round cleared the compound: %+v", c.Rounds)
		}

		// The team samples them at home, after the close: they count as sampled.
		got, err := lab.SampleRetest(ctx, task.ID, "H-1")
		if err != nil || got.Status != frontline.RetestSampled || got.TubeCode != "H-1" {
			t.Fatalf("sample at home: %v %+v", err, got)
		}
		m, _ = f.rounds.FindMember(ctx, f.round.ID, bedridden.ID)
		if m.Status != frontline.MemberSampled || m.TubeCode != "H-1" {
			t.Fatalf("member after home sampling: %+v", m)
		}
		comp = coverageOf(t, db, f.round.ID, f.tr.comp2.ID)
		if comp.Sampled != 4 || comp.Excused != 0 || comp.NotYet() != 0 {
			t.Fatalf("compound after home sampling: %+v", comp)
		}
		_, home, err := f.samp.FindTube(ctx, "H-1")
		if err != nil || len(home) != 1 {
			t.Fatalf("home tube: %v %+v", err, home)
		}
		if _, err := f.samp.Undo(ctx, &frontline.UndoRequest{RoundID: f.round.ID, TubeCode: "H-1", BindingID: home[0].ID}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("undoing a home tube: %v", err)
		}
		assertRoundChecks(t, db, f.round.ID)

		post(t, db, ctx, frontline.ResultRow{TubeCode: "H-1", Result: frontline.ResultNegative})
		c := stepDownCheckOf(t, zones, ctx, f.tr.city, sealed)
		if len(c.Rounds) != 1 || c.Rounds[0].PlaceID != f.tr.comp2.ID {
			t.Fatalf("the compound's negative round once the home sample is negative: %+v", c.Rounds)
		}
		if _, n, _ := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Active: true}); n != 0 {
			t.Fatalf("tasks left after the home result: %d", n)
		}
		comp = coverageOf(t, db, f.round.ID, f.tr.comp2.ID)
		if comp.Negative != 4 || comp.Awaiting != 0 {
			t.Fatalf("compound after the home result: %+v", comp)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

// TestHomeSampling_Change covers changing one's mind: another reason
// withdraws the home task and excuses the person; undoing withdraws it and
// makes them pending; a home tube that comes back invalid sends the team
// again for a re-test; a person sampled at the site is off the team's list.
func TestHomeSampling_Change(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "secretary"})
		f := newRoundFixture(t, db, 2, nil)
		lab, cs := sqldb.NewLabService(db), sqldb.NewCoverageService(db)
		a, b, c := f.all[0], f.all[1], f.all[2]
		excuse := func(p *frontline.Person, reason frontline.ExcuseReason) {
			t.Helper()
			if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: p.ID, Reason: reason}); err != nil {
				t.Fatal(err)
			}
		}
		active := func() []*frontline.RetestTask {
			t.Helper()
			tasks, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			return tasks
		}
		excuse(a, frontline.ExcuseHomeSampling)
		excuse(a, frontline.ExcuseHospital)
		if city := coverageOf(t, db, f.round.ID, f.tr.city.ID); city.Excused != 1 || len(active()) != 0 {
			t.Fatalf("home sampling changed to hospital: %+v, %d tasks", city, len(active()))
		}
		excuse(a, frontline.ExcuseHomeSampling)
		if city := coverageOf(t, db, f.round.ID, f.tr.city.ID); city.Excused != 0 || len(active()) != 1 {
			t.Fatalf("hospital changed to home sampling: %+v, %d tasks", city, len(active()))
		}
		list, total, err := cs.Excusals(ctx, f.round.ID, f.tr.city.ID, 0, 10)
		if err != nil || total != 1 || list[0].PersonID != a.ID || list[0].Excuse != frontline.ExcuseHomeSampling || list[0].Address == "" {
			t.Fatalf("excusals: %v %d %+v", err, total, list)
		}
		if _, err := f.rounds.Unexcuse(ctx, f.round.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if m, _ := f.rounds.FindMember(ctx, f.round.ID, a.ID); m.Status != frontline.MemberPending || m.Excuse != "" || len(active()) != 0 {
			t.Fatalf("home sampling undone: %+v, %d tasks", m, len(active()))
		}
		if _, err := f.rounds.Unexcuse(ctx, f.round.ID, a.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("undoing twice: %v", err)
		}
		assertRoundChecks(t, db, f.round.ID)

		// Sampled at the site after all: nothing left for the team.
		excuse(b, frontline.ExcuseHomeSampling)
		f.bind(t, "S-1", true, b)
		if n := len(active()); n != 0 {
			t.Fatalf("a person sampled at the site is still on the team's list: %d", n)
		}
		if _, err := f.rounds.Unexcuse(ctx, f.round.ID, b.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("undoing the excusal of a sampled person: %v", err)
		}
		// Their result comes: the task they no longer need is withdrawn.
		post(t, db, ctx, frontline.ResultRow{TubeCode: "S-1", Result: frontline.ResultNegative})
		cancelled := frontline.RetestCancelled
		tasks, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Status: &cancelled})
		if err != nil || !slices.ContainsFunc(tasks, func(t *frontline.RetestTask) bool { return t.PersonID == b.ID }) {
			t.Fatalf("the home task of a person sampled at the site is not withdrawn: %v %+v", err, tasks)
		}
		assertRoundChecks(t, db, f.round.ID)

		// An invalid home tube: the team goes again, now for a re-test.
		excuse(c, frontline.ExcuseHomeSampling)
		task := active()[0]
		if _, err := lab.SampleRetest(ctx, task.ID, "S-1"); frontline.ErrorField(err) != "tube" {
			t.Fatalf("a tube code already used: %v", err)
		}
		if _, err := lab.SampleRetest(ctx, task.ID, "H-2"); err != nil {
			t.Fatal(err)
		}
		post(t, db, ctx, frontline.ResultRow{TubeCode: "H-2", Result: frontline.ResultInvalid})
		tasks = active()
		if len(tasks) != 1 || tasks[0].Kind != frontline.KindRetest || tasks[0].SourceTube != "H-2" || tasks[0].PersonID != c.ID {
			t.Fatalf("after an invalid home tube: %+v", tasks)
		}
		if city := coverageOf(t, db, f.round.ID, f.tr.city.ID); city.Awaiting != 1 || city.Sampled != 2 {
			t.Fatalf("city after an invalid home tube: %+v", city)
		}
		assertRoundChecks(t, db, f.round.ID)

		audit := sqldb.NewAuditService(db)
		for _, action := range []string{"excuse", "unexcuse", "retest_sampled"} {
			if _, n, err := audit.FindChanges(ctx, frontline.ChangeFilter{Action: &action}); err != nil || n == 0 {
				t.Errorf("no audit entry %s: %v", action, err)
			}
		}
	})
}

// TestHomeSampling_Scope: a sampler of one compound sees and samples only
// the tasks of its households; another's task is not found.
func TestHomeSampling_Scope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "secretary"})
		f := newRoundFixture(t, db, 1, nil)
		lab := sqldb.NewLabService(db)
		for _, p := range []*frontline.Person{f.persons[f.tr.hh[0].ID][0], f.persons[f.tr.hh[2].ID][0]} {
			if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: p.ID, Reason: frontline.ExcuseHomeSampling}); err != nil {
				t.Fatal(err)
			}
		}
		sampler := as(frontline.RoleSampler, f.tr.comp1)
		homes, total, err := lab.FindRetestHomes(sampler, frontline.RetestFilter{RoundID: &f.round.ID, Active: true})
		if err != nil || total != 1 || homes[0].HouseholdID != f.tr.hh[0].ID {
			t.Fatalf("a compound's sampler: %v %d %+v", err, total, homes)
		}
		all, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Active: true})
		if err != nil || len(all) != 2 {
			t.Fatalf("all tasks: %v %d", err, len(all))
		}
		other := all[1]
		if other.HouseholdID != f.tr.hh[2].ID {
			t.Fatalf("tasks out of address order: %+v", all)
		}
		if _, err := lab.SampleRetest(sampler, other.ID, "X-1"); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("sampling another compound's task: %v", err)
		}
		if _, _, err := lab.FindRetestHomes(sampler, frontline.RetestFilter{RoundID: &f.round.ID, Under: &f.tr.comp2.ID}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("filtering by a node outside the scope: %v", err)
		}
		if _, _, err := lab.FindRetestHomes(as(frontline.RoleLab, f.tr.city), frontline.RetestFilter{}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a lab reading home tasks: %v", err)
		}
	})
}

// TestCheckRound_ExcusedThenSampled: a person excused who comes to the
// site after all and tests negative counts as negative in the recount
// too, as the kept counters count them.
func TestCheckRound_ExcusedThenSampled(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 1, nil)
		p := f.all[0]
		if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: p.ID, Reason: frontline.ExcuseAway}); err != nil {
			t.Fatal(err)
		}
		f.bind(t, "E-1", true, p)
		post(t, db, ctx, frontline.ResultRow{TubeCode: "E-1", Result: frontline.ResultNegative})
		assertRoundChecks(t, db, f.round.ID)
	})
}

func post(tb testing.TB, db *sqldb.DB, ctx context.Context, rows ...frontline.ResultRow) {
	tb.Helper()
	for _, r := range rows {
		sqldbtest.ReceiveTubes(tb, db, r.TubeCode)
	}
	sum, err := sqldb.NewLabService(db).PostResults(ctx, rows)
	if err != nil || len(sum.Errors) > 0 {
		tb.Fatalf("post %+v: %v %+v", rows, err, sum)
	}
}

func stepDownCheckOf(tb testing.TB, zones *sqldb.ZoneService, ctx context.Context, under *frontline.Place, z *frontline.Zone) *frontline.StepDownCheck {
	tb.Helper()
	for _, c := range stepDownChecks(tb, zones, ctx, under) {
		if c.Zone.ID == z.ID {
			return c
		}
	}
	tb.Fatalf("no check of zone %d", z.ID)
	return nil
}
