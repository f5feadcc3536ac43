package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRoundService_Policy takes a round's pool policy from the zone rules
// in force, completes a partial one from them, and refuses a policy with a
// misspelt level or a bad rule by naming it.
func TestRoundService_Policy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		rounds := sqldb.NewRoundService(db)
		sealed := frontline.DefaultZoneRules()[0]
		sealed.PoolPerHousehold = true // the city decides sealed households get a tube each
		if err := sqldb.NewZoneService(db).UpdateZoneRule(ctx, sealed); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
		newRound := func(p frontline.PoolPolicy) (*frontline.Round, error) {
			r := &frontline.Round{ScopeID: tr.comm1.ID, Name: "第一轮", Day: "2026-03-02", StartsAt: start, EndsAt: start.Add(12 * time.Hour), Policy: p}
			return r, rounds.CreateRound(ctx, r)
		}
		r, err := newRound(nil)
		if err != nil {
			t.Fatal(err)
		}
		want := frontline.DefaultPoolPolicy()
		want["sealed"] = frontline.PoolRule{Mode: frontline.PoolHousehold}
		if got, _ := rounds.FindRoundByID(ctx, r.ID); got == nil || !cmp.Equal(got.Policy, want) {
			t.Fatalf("a round without a policy should follow the zone rules: %+v", got)
		}
		r, err = newRound(frontline.PoolPolicy{"": {Mode: frontline.PoolMixed, Size: 5}})
		want[""] = frontline.PoolRule{Mode: frontline.PoolMixed, Size: 5}
		if err != nil || !cmp.Equal(r.Policy, want) {
			t.Fatalf("a partial policy should be completed from the zone rules: %v %v", err, r.Policy)
		}
		t.Run("ErrMisspelt", func(t *testing.T) {
			_, err := newRound(frontline.PoolPolicy{"seald": {Mode: frontline.PoolSingle}})
			if frontline.ErrorField(err) != "pool_policy.seald" {
				t.Fatalf("a misspelt level: %v", err)
			}
			if _, total, _ := rounds.FindRounds(ctx, frontline.RoundFilter{}); total != 2 {
				t.Fatalf("a refused round was stored: %d rounds", total)
			}
		})
		t.Run("ErrUpdateSize", func(t *testing.T) {
			_, err := rounds.UpdateRound(ctx, r.ID, frontline.RoundUpdate{Policy: frontline.PoolPolicy{"controlled": {Mode: frontline.PoolMixed, Size: 51}}})
			if frontline.ErrorField(err) != "pool_policy.controlled.size" {
				t.Fatalf("a pool of 51: %v", err)
			}
		})
		got, err := rounds.UpdateRound(ctx, r.ID, frontline.RoundUpdate{Policy: frontline.PoolPolicy{"precaution": {Mode: frontline.PoolMixed, Size: 10}}})
		if err != nil || got.Policy["precaution"].Size != 10 || got.Policy[""].Size != 10 || got.Policy["sealed"].Mode != frontline.PoolHousehold {
			t.Fatalf("an update names one level; the others come from the zone rules: %v %+v", err, got)
		}
	})
}
