package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// BenchmarkNotice_ResultPost measures what telling residents their
// negative results adds to the lab's post: each iteration posts one
// negative pool of ten (each member with a mobile number of their own),
// with the SMS channel off (no notices) and on (ten notices written in
// the post's transaction). SQLite; at most 45 iterations, so run it with
// -benchtime=40x.
func BenchmarkNotice_ResultPost(b *testing.B) {
	for _, sms := range []bool{false, true} {
		b.Run(fmt.Sprintf("sms=%v", sms), func(b *testing.B) {
			ctx := context.Background()
			db := sqldbtest.Open(b, sqldb.SQLite)
			if sms {
				db.Channels = []string{"log", "sms"}
			}
			f := &roundFixture{tr: buildTree(b, db), persons: map[int64][]*frontline.Person{}, db: db,
				rounds: sqldb.NewRoundService(db), samp: sqldb.NewSamplingService(db, sqldb.SamplingOptions{})}
			b.Cleanup(func() { f.samp.Close() })
			const tubes, pool = 45, 10
			for i := range tubes * pool {
				p := &frontline.Person{HouseholdID: f.tr.hh[i%len(f.tr.hh)].ID, Name: fmt.Sprintf("居民%d", i), IDNumber: testID(),
					Phone: fmt.Sprintf("139%08d", i)}
				if err := sqldb.NewPersonService(db).CreatePerson(ctx, p); err != nil {
					b.Fatal(err)
				}
				f.all = append(f.all, p)
			}
			f.round = mustOpenRound(b, f.rounds, f.tr.city.ID, nil)
			codes := make([]string, tubes)
			for i := range codes {
				codes[i] = fmt.Sprintf("B-%d", i)
				f.bind(b, codes[i], true, f.all[i*pool:(i+1)*pool]...)
			}
			sqldbtest.ReceiveTubes(b, db, codes...)
			if b.N > tubes {
				b.Fatalf("%d iterations asked, %d tubes ready: run with -benchtime=40x", b.N, tubes)
			}
			lab := sqldb.NewLabService(db)
			b.ResetTimer()
			for i := range b.N {
				if _, err := lab.PostResults(ctx, []frontline.ResultRow{{Row: 2, TubeCode: codes[i], Result: frontline.ResultNegative}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
