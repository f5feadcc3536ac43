package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// demoRound builds a demo city of residents and opens a round over it.
func demoRound(tb testing.TB, db *sqldb.DB, residents int) (*frontline.Round, []int64) {
	tb.Helper()
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	sum, err := demo.Build(ctx, demo.Config{Residents: residents}, places, sqldb.NewImportService(db))
	if err != nil {
		tb.Fatal(err)
	}
	r := mustOpenRound(tb, sqldb.NewRoundService(db), sum.City.ID, nil)
	var ids []int64
	err = sqldb.NewPersonService(db).WalkPersons(ctx, frontline.PersonFilter{}, func(p *frontline.Person) error {
		ids = append(ids, p.ID)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return r, ids
}

// TestSamplingService_Concurrent binds from many goroutines through two
// writers (as two servers on one database have) into the same tubes, with
// persons sent twice and requests retried, and then checks that every
// binding answered ok is there once, no tube is over capacity, no person is
// bound twice and the counters equal a recount.
func TestSamplingService_Concurrent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		r, persons := demoRound(t, db, 600)
		writers := []*sqldb.SamplingService{
			sqldb.NewSamplingService(db, sqldb.SamplingOptions{}),
			sqldb.NewSamplingService(db, sqldb.SamplingOptions{Window: 5 * 1e6}),
		}
		defer writers[0].Close()
		defer writers[1].Close()
		var mu sync.Mutex
		answered := map[int64]int64{} // binding id → person
		var wg sync.WaitGroup
		for g := range 24 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(g), 7))
				for i := range 40 {
					req := &frontline.BindRequest{RequestID: fmt.Sprintf("g%d-%d", g, i), RoundID: r.ID,
						TubeCode: fmt.Sprintf("C-%d", rng.IntN(30)), Seal: rng.IntN(10) == 0}
					for range 1 + rng.IntN(4) {
						if id := persons[rng.IntN(len(persons))]; !contains(req.PersonIDs, id) {
							req.PersonIDs = append(req.PersonIDs, id)
						}
					}
					sends := 1 + rng.IntN(2) // about half are retried with the same id
					for s := range sends {
						copyReq := *req
						a, err := writers[(g+s)%2].Bind(context.Background(), &copyReq)
						if err != nil {
							t.Errorf("bind: %v", err)
							return
						}
						mu.Lock()
						for _, it := range a.Items {
							if !it.OK {
								continue
							}
							if p, seen := answered[it.BindingID]; seen && p != it.PersonID {
								t.Errorf("binding %d answered for persons %d and %d", it.BindingID, p, it.PersonID)
							}
							answered[it.BindingID] = it.PersonID
						}
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		assertRoundChecks(t, db, r.ID)
		live := liveBindings(t, db, r.ID)
		if len(live) != len(answered) {
			t.Errorf("%d bindings answered ok, %d in the database", len(answered), len(live))
		}
		for id, p := range answered {
			if live[id] != p {
				t.Errorf("binding %d of person %d answered ok but not stored", id, p)
			}
		}
		if len(answered) < 100 {
			t.Errorf("only %d bindings: the test did not exercise much", len(answered))
		}
	})
}

func contains(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// liveBindings returns binding id → person of a round's live bindings.
func liveBindings(tb testing.TB, db *sqldb.DB, roundID int64) map[int64]int64 {
	tb.Helper()
	tx, err := db.BeginReadTx(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(context.Background(), `SELECT id, person_id FROM bindings WHERE round_id = ? AND undone_at IS NULL`, roundID)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, p int64
		if err := rows.Scan(&id, &p); err != nil {
			tb.Fatal(err)
		}
		out[id] = p
	}
	return out
}
