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

// BenchmarkNotice_Page measures the queries of the notices page
// (/notices) as a community's staff opens it: the newest 50 notices of
// their places with the places named and their total, and the count in
// each status (CountNotices). The outbox holds 100,000 SMS notices, half about each of
// the two communities' households, a tenth of them dead. SQLite and
// PostgreSQL (when FRONTLINE_TEST_POSTGRES_URL is set).
func BenchmarkNotice_Page(b *testing.B) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			if engine == sqldb.Postgres && sqldbtest.PostgresURL(b) == "" {
				b.Skip("no PostgreSQL")
			}
			ctx := context.Background()
			db := sqldbtest.Open(b, engine)
			tr := buildTree(b, db)
			const total, batch = 100_000, 2_000
			for start := 0; start < total; start += batch {
				ns := make([]*frontline.Notice, batch)
				for i := range ns {
					k := start + i
					ns[i] = &frontline.Notice{Channel: frontline.SMSChannel, Topic: frontline.TopicDelivery, Recipient: fmt.Sprintf("139%08d", k),
						PlaceID: tr.hh[k%len(tr.hh)].ID, Subject: "枣园超市", Body: frontline.DeliveryNoticeText("枣园超市", frontline.DropDoor)}
				}
				if err := sqldb.EnqueueForTest(ctx, db, ns...); err != nil {
					b.Fatal(err)
				}
			}
			tx, err := db.BeginTx(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'dead' WHERE id % 10 = 0`); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			outbox := sqldb.NewOutboxService(db)
			staff := as(frontline.RoleCommunityStaff, tr.comm1)
			b.ResetTimer()
			for range b.N {
				list, n, err := outbox.FindNotices(staff, frontline.NoticeFilter{Limit: 50})
				if err != nil || len(list) != 50 || n != total/2 || list[0].Place == "" {
					b.Fatalf("%d of %d, %v", len(list), n, err)
				}
				if counts, err := outbox.CountNotices(staff, frontline.NoticeFilter{}); err != nil || counts[frontline.NoticeDead] == 0 ||
					counts[frontline.NoticeDead]+counts[frontline.NoticePending] != total/2 {
					b.Fatalf("counts %v, %v", counts, err)
				}
			}
		})
	}
}
