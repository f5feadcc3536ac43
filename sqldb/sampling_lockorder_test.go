package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestSamplingService_LockOrder sends conflicting bindings through two
// writers, as two servers on one PostgreSQL do: whole households and
// single persons of the same households at once, into tubes opened by
// both at the same moment. Each writer takes its tubes and its members in
// one order (tube codes, then person ids), so PostgreSQL never has to
// break a deadlock and no batch runs twice; the counters still equal a
// recount.
func TestSamplingService_LockOrder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sum, err := demo.Build(ctx, demo.Config{Residents: 400}, sqldb.NewPlaceService(db), sqldb.NewImportService(db))
		if err != nil {
			t.Fatal(err)
		}
		r := mustOpenRound(t, sqldb.NewRoundService(db), sum.City.ID, frontline.PoolPolicy{"": {Mode: frontline.PoolHousehold}})
		var persons, households []int64
		seen := map[int64]bool{}
		// A few households, so that the same members meet in many
		// batches: by household in one, by person in another.
		err = sqldb.NewPersonService(db).WalkPersons(ctx, frontline.PersonFilter{}, func(p *frontline.Person) error {
			if !seen[p.HouseholdID] && len(households) < 12 {
				seen[p.HouseholdID] = true
				households = append(households, p.HouseholdID)
			}
			if seen[p.HouseholdID] {
				persons = append(persons, p.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Two services (two servers) of two writer goroutines each (on
		// PostgreSQL; SQLite runs one whatever the option says).
		writers := make([]*sqldb.SamplingService, 2)
		for i := range writers {
			writers[i] = sqldb.NewSamplingService(db, sqldb.SamplingOptions{Window: time.Millisecond, Writers: 2})
			defer writers[i].Close()
		}
		deadline := time.Now().Add(1500 * time.Millisecond)
		var wg sync.WaitGroup
		for g := range 32 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 3))
				for i := 0; time.Now().Before(deadline); i++ {
					req := &frontline.BindRequest{RequestID: fmt.Sprintf("lo%d-%d", g, i), RoundID: r.ID,
						TubeCode: fmt.Sprintf("L-%d", rng.IntN(i+20))}
					if g%2 == 0 {
						req.HouseholdID = households[rng.IntN(len(households))]
					} else {
						req.PersonIDs = []int64{persons[rng.IntN(len(persons))], persons[rng.IntN(len(persons))]}
						if req.PersonIDs[0] == req.PersonIDs[1] {
							req.PersonIDs = req.PersonIDs[:1]
						}
					}
					if _, err := writers[(g+i)%len(writers)].Bind(ctx, req); err != nil {
						t.Errorf("bind: %v", err)
						return
					}
				}
			})
		}
		wg.Wait()
		for i, w := range writers {
			if n := w.Stats().Retries.Load(); n != 0 {
				t.Errorf("writer %d ran %d batches again after a deadlock", i, n)
			}
		}
		var n int64
		for _, w := range writers {
			n += w.Stats().Requests.Load()
		}
		if n < 100 {
			t.Errorf("only %d requests: the test did not exercise much", n)
		}
		assertRoundChecks(t, db, r.ID)
	})
}
