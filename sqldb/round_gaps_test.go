package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestCoverageService_GapPages checks that the gap list read by pages (the
// read that stops at the page's last household, and the answer at once of
// a node with nobody left) gives what the full grouping of every member
// gave before, at every node and page, as members are sampled, excused,
// left to the home sampling team and undone.
func TestCoverageService_GapPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := &roundFixture{tr: buildTree(t, db), persons: map[int64][]*frontline.Person{}, db: db,
			rounds: sqldb.NewRoundService(db), samp: sqldb.NewSamplingService(db, sqldb.SamplingOptions{})}
		t.Cleanup(func() { f.samp.Close() })
		homes := slices.Clone(f.tr.hh)
		for i := range 12 { // more households than a page of 5, in both buildings and in a compound
			parent := []int64{f.tr.bld1.ID, f.tr.bld2.ID, f.tr.comp1.ID}[i%3]
			homes = append(homes, mustPlace(t, db, parent, frontline.KindHousehold, fmt.Sprintf("%d", 201+i)))
		}
		for i, hh := range homes {
			for k := range 1 + i%3 {
				p := mustPerson(t, db, hh.ID, fmt.Sprintf("居民%d-%d", hh.ID, k), false)
				f.persons[hh.ID] = append(f.persons[hh.ID], p)
				f.all = append(f.all, p)
			}
		}
		f.round = mustOpenRound(t, f.rounds, f.tr.city.ID, nil)
		cs := sqldb.NewCoverageService(db)
		nodes := []*frontline.Place{f.tr.city, f.tr.sub, f.tr.comm1, f.tr.comm2, f.tr.comp1, f.tr.bld1, f.tr.bld2, homes[0], homes[5]}
		check := func(step string) {
			t.Helper()
			for _, n := range nodes {
				n = place(t, db, n.ID)
				want, wantTotal, err := sqldb.GapListBeforeForTest(ctx, db, f.round.ID, n.Path)
				if err != nil {
					t.Fatal(err)
				}
				for _, pg := range [][2]int{{0, 5}, {5, 5}, {10, 5}, {0, 100}, {3, 4}, {40, 5}} {
					got, total, err := cs.NotSampled(ctx, f.round.ID, n.ID, pg[0], pg[1])
					if err != nil {
						t.Fatalf("%s: %s %v: %v", step, n.Name, pg, err)
					}
					var ids []int64
					for _, h := range got {
						if len(h.Persons) == 0 || h.Household == "" {
							t.Errorf("%s: %s %v: household %d without persons or name", step, n.Name, pg, h.HouseholdID)
						}
						ids = append(ids, h.HouseholdID)
					}
					wantPage := want[min(pg[0], len(want)):min(pg[0]+pg[1], len(want))]
					if total != wantTotal || !slices.Equal(ids, wantPage) {
						t.Errorf("%s: %s page %v: %v of %d, want %v of %d", step, n.Name, pg, ids, total, wantPage, wantTotal)
					}
				}
			}
		}
		check("opened")
		f.bind(t, "G-1", false, f.persons[homes[0].ID]...)
		f.bind(t, "G-2", false, f.persons[homes[4].ID][0])
		if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: f.persons[homes[5].ID][0].ID, Reason: frontline.ExcuseAway}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: f.persons[homes[7].ID][0].ID, Reason: frontline.ExcuseHomeSampling}); err != nil {
			t.Fatal(err)
		}
		check("some sampled and excused")
		// Everyone of building 2 sampled: its counters answer at once.
		var bld2 []*frontline.Person
		for _, hh := range homes {
			if place(t, db, hh.ID).ParentID == f.tr.bld2.ID {
				bld2 = append(bld2, f.persons[hh.ID]...)
			}
		}
		for i := 0; i < len(bld2); i += 5 {
			f.bind(t, fmt.Sprintf("G-B%d", i), false, bld2[i:min(i+5, len(bld2))]...)
		}
		check("building 2 done")
		a := f.bind(t, "G-3", false, f.persons[homes[1].ID][0])
		if _, err := f.samp.Undo(ctx, &frontline.UndoRequest{RoundID: f.round.ID, TubeCode: "G-3", BindingID: a.Items[0].BindingID}); err != nil {
			t.Fatal(err)
		}
		check("a binding undone")
		for i := 0; i < len(f.all); i += 5 {
			f.bind(t, fmt.Sprintf("G-E%d", i), false, f.all[i:min(i+5, len(f.all))]...)
		}
		check("everyone bound or excused")
		assertRoundChecks(t, db, f.round.ID)
	})
}

// TestCoverageService_KeepGapTotals checks the kept totals: the total is
// counted once a life per node and is then what a fresh count said; the
// page is read fresh every time.
func TestCoverageService_KeepGapTotals(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clock := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return clock }
		f := newRoundFixture(t, db, 2, nil) // 8 persons in hh[0..3]
		cs := sqldb.NewCoverageService(db)
		cs.KeepGapTotals(10 * time.Second)
		gaps := func() ([]*frontline.GapHousehold, int) {
			t.Helper()
			g, total, err := cs.NotSampled(ctx, f.round.ID, f.tr.city.ID, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			return g, total
		}
		if g, total := gaps(); total != 4 || len(g) != 4 {
			t.Fatalf("before: %d of %d", len(g), total)
		}
		f.bind(t, "K-1", false, f.persons[f.tr.hh[0].ID]...)
		clock = clock.Add(9 * time.Second)
		if g, total := gaps(); total != 4 || len(g) != 3 {
			t.Fatalf("within the life: the page %d fresh, the total %d kept (want 3 of 4)", len(g), total)
		}
		// Another node has a total of its own.
		if _, total, err := cs.NotSampled(ctx, f.round.ID, f.tr.bld1.ID, 0, 10); err != nil || total != 1 {
			t.Fatalf("building 1: %d, %v", total, err)
		}
		clock = clock.Add(time.Second)
		if g, total := gaps(); total != 3 || len(g) != 3 {
			t.Fatalf("after the life: %d of %d, want 3 of 3", len(g), total)
		}
	})
}
