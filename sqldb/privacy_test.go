package sqldb_test

import (
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestSamplingService_HouseholdOutOfScope scans the code of a household
// of another compound at a compound's station: the refusal names none of
// its members, as for a household that does not exist.
func TestSamplingService_HouseholdOutOfScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoundFixture(t, db, 2, nil)
		station := as(frontline.RoleSampler, f.tr.comp1)
		foreign := f.tr.hh[2] // under 忠义巷小区
		a, err := f.samp.Bind(station, &frontline.BindRequest{RequestID: "scope-hh", RoundID: f.round.ID, TubeCode: "S-1", HouseholdID: foreign.ID})
		if err != nil {
			t.Fatal(err)
		}
		if a.Error == nil || a.Error.Reason != frontline.RefusedNoHousehold || len(a.Items) != 0 {
			t.Fatalf("a household out of scope answered %+v, %+v", a.Error, a.Items)
		}
		for _, p := range f.persons[foreign.ID] {
			for _, it := range a.Items {
				if it.PersonID == p.ID {
					t.Fatalf("the refusal names person %d of another compound", p.ID)
				}
			}
		}
		// The compound's own household is bound as before.
		own := f.tr.hh[0]
		a, err = f.samp.Bind(station, &frontline.BindRequest{RequestID: "scope-own", RoundID: f.round.ID, TubeCode: "S-2", HouseholdID: own.ID})
		if err != nil || a.Bound() != len(f.persons[own.ID]) {
			t.Fatalf("own household: %v %+v", err, a)
		}
	})
}

// TestSamplingService_LabSeesNoNames reads a tube as the lab, whose role
// reads tubes and results but not the registry: the bindings say how many
// are in the tube, not who.
func TestSamplingService_LabSeesNoNames(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoundFixture(t, db, 1, nil)
		f.bind(t, "N-1", false, f.all[0], f.all[1])
		_, bs, err := f.samp.FindTube(as(frontline.RoleLab, f.tr.city), "N-1")
		if err != nil || len(bs) != 2 {
			t.Fatalf("lab: %v %d bindings", err, len(bs))
		}
		for _, b := range bs {
			if b.PersonName != "" || b.PersonID != 0 || b.HouseholdID != 0 {
				t.Fatalf("the lab reads %+v", b)
			}
		}
		_, bs, err = f.samp.FindTube(as(frontline.RoleSampler, f.tr.city), "N-1")
		if err != nil || len(bs) != 2 || bs[0].PersonName == "" {
			t.Fatalf("sampler: %v %+v", err, bs)
		}
	})
}
