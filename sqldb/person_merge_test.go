package sqldb_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestDuplicateService lists a person registered twice (once without a
// document, once with one, in two households), merges them while both are
// members of an open round and one was sampled, and marks another pair as
// different people.
func TestDuplicateService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "zhang", Addr: "127.0.0.1"})
		tr := buildTree(t, db)
		ps, ds := sqldb.NewPersonService(db), sqldb.NewDuplicateService(db)
		first := "62050220200101123"
		baby := &frontline.Person{HouseholdID: tr.hh[0].ID, Name: "张小宝", IDType: frontline.IDNone, BirthDate: "2020-01-01",
			Flags: []frontline.Flag{frontline.FlagInfant}}
		same := &frontline.Person{HouseholdID: tr.hh[2].ID, Name: "张小宝", IDNumber: first + string(frontline.IDCheckDigit(first)), Phone: "13800138000"}
		twinA := &frontline.Person{HouseholdID: tr.hh[1].ID, Name: "李娜", IDType: frontline.IDNone, BirthDate: "2019-05-05"}
		twinB := &frontline.Person{HouseholdID: tr.hh[3].ID, Name: "李娜", IDType: frontline.IDPassport, IDNumber: "E12345678", BirthDate: "2019-05-05"}
		other := &frontline.Person{HouseholdID: tr.hh[3].ID, Name: "张小宝", IDNumber: testID()} // another birth date
		for _, p := range []*frontline.Person{baby, same, twinA, twinB, other} {
			if err := ps.CreatePerson(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		t.Run("ErrSameWithoutDocument", func(t *testing.T) {
			again := &frontline.Person{HouseholdID: tr.hh[0].ID, Name: "张小宝", IDType: frontline.IDNone, BirthDate: "2020-01-01"}
			if err := ps.CreatePerson(ctx, again); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("the same person without a document twice in a household: %v", err)
			}
		})
		rs := sqldb.NewRoundService(db)
		round := mustOpenRound(t, rs, tr.city.ID, nil)
		samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
		defer samp.Close()
		if a, err := samp.Bind(ctx, &frontline.BindRequest{RequestID: "merge-1", RoundID: round.ID, TubeCode: "M-1", PersonIDs: []int64{baby.ID}}); err != nil || a.Bound() != 1 {
			t.Fatalf("bind: %+v %v", a, err)
		}
		// A round of the first building only: the baby's, not the survivor's.
		small := mustOpenRound(t, rs, tr.bld1.ID, nil)
		if a, err := samp.Bind(ctx, &frontline.BindRequest{RequestID: "merge-2", RoundID: small.ID, TubeCode: "M-2", PersonIDs: []int64{baby.ID}}); err != nil || a.Bound() != 1 {
			t.Fatalf("bind: %+v %v", a, err)
		}

		pairs, total, err := ds.SuspectedDuplicates(ctx, tr.city.ID, 50)
		if err != nil || total != 2 || len(pairs) != 2 {
			t.Fatalf("suspected: %d %v", total, err)
		}
		if pairs[0].A.ID != baby.ID || pairs[0].B.ID != same.ID || pairs[1].A.Name != "李娜" {
			t.Fatalf("pairs %v / %v", pairs[0], pairs[1])
		}

		res, err := ds.MergePersons(ctx, same.ID, baby.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Both were members of the round: its records stay with the merged
		// person as counted; the rest moves.
		if res.Kept["bindings"] != 1 || res.Kept["round_members"] != 1 || res.Moved["round_members"] != 1 || res.Moved["bindings"] != 1 {
			t.Errorf("moved %v, kept %v", res.Moved, res.Kept)
		}
		if sv := res.Survivor; len(sv.Flags) != 1 || sv.Flags[0] != frontline.FlagInfant || sv.IDType != frontline.IDMainland {
			t.Errorf("survivor %+v", sv)
		}
		assertCountsMatchRecount(t, db)
		assertRoundChecks(t, db, round.ID)
		assertRoundChecks(t, db, small.ID)
		if c := place(t, db, tr.city.ID); c.Residents != 4 {
			t.Errorf("city residents %d, want 4 after the merge", c.Residents)
		}
		if _, n, _ := ps.FindPersons(ctx, frontline.PersonFilter{Name: ptr("张小宝"), IncludeMoved: true}); n != 2 {
			t.Errorf("persons named 张小宝 listed: %d, want 2 (the merged one is history)", n)
		}
		hist, err := ps.PersonHistory(ctx, same.ID)
		if err != nil || len(hist) != 4 { // create ×2, merge, merged_into
			t.Errorf("survivor history: %d entries, %v", len(hist), err)
		}
		if _, err := ds.MergePersons(ctx, same.ID, baby.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Errorf("merging again: %v", err)
		}

		t.Run("ErrTwoDocuments", func(t *testing.T) {
			if _, err := ds.MergePersons(ctx, same.ID, other.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("two ID numbers merged: %v", err)
			}
		})
		t.Run("MarkDistinct", func(t *testing.T) {
			if err := ds.MarkDistinct(ctx, twinB.ID, twinA.ID); err != nil {
				t.Fatal(err)
			}
			if _, total, _ := ds.SuspectedDuplicates(ctx, tr.city.ID, 50); total != 0 {
				t.Errorf("still suspected: %d", total)
			}
		})
		t.Run("ErrOutOfScope", func(t *testing.T) {
			pctx := frontline.WithPrincipal(ctx, &frontline.Principal{UserID: 9, Login: "x", Role: frontline.RoleCommunityStaff,
				ScopeID: tr.comm2.ID, ScopePath: tr.comm2.Path})
			if _, err := ds.MergePersons(pctx, same.ID, twinA.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND &&
				frontline.ErrorCode(err) != frontline.EFORBIDDEN {
				t.Fatalf("merge outside the scope: %v", err)
			}
		})
	})
}
