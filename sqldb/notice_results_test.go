package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestNotice_ResultNegative posts a pool's negative result: each of its
// members hears it on their own mobile number, a child without one on the
// household's, a number that opted out and a landline not at all; a
// positive pool sends nothing. The fake gateway receives them with the
// result template. On both engines.
func TestNotice_ResultNegative(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sc := newSMSScene(t, db)
		f := &roundFixture{tr: buildTree(t, db), persons: map[int64][]*frontline.Person{}, db: db,
			rounds: sqldb.NewRoundService(db), samp: sqldb.NewSamplingService(db, sqldb.SamplingOptions{})}
		t.Cleanup(func() { f.samp.Close() })
		father := personWith(t, db, f.tr.hh[0].ID, "张大山", "13922220001")
		child := personWith(t, db, f.tr.hh[0].ID, "张小明", "")
		optedOut := personWith(t, db, f.tr.hh[1].ID, "李梅", "13922220002")
		landline := personWith(t, db, f.tr.hh[2].ID, "赵强", "0938-8211234")
		other := personWith(t, db, f.tr.hh[3].ID, "王芳", "13922220003")
		if _, err := sqldb.NewNoticeOptOutService(db).OptOut(ctx, optedOut.Phone, ""); err != nil {
			t.Fatal(err)
		}
		f.round = mustOpenRound(t, f.rounds, f.tr.city.ID, nil)
		f.bind(t, "N-1", true, father, child, optedOut, landline)
		f.bind(t, "N-2", true, other)
		sqldbtest.ReceiveTubes(t, db, "N-1", "N-2")
		if _, err := sqldb.NewLabService(db).PostResults(ctx, []frontline.ResultRow{
			{Row: 2, TubeCode: "N-1", Result: frontline.ResultNegative},
			{Row: 3, TubeCode: "N-2", Result: frontline.ResultPositive},
		}); err != nil {
			t.Fatal(err)
		}
		pending := smsNotices(t, db, frontline.NoticePending)
		if got := recipients(pending); !slices.Equal(got, []string{"13922220001", "13922220001"}) {
			t.Fatalf("result notices to %v, want the father's number twice (his and his child's)", got)
		}
		var bodies []string
		for _, n := range pending {
			if n.Topic != frontline.TopicResult || n.RoundID != f.round.ID || n.Params["result"] != "阴性" {
				t.Errorf("notice %+v", n)
			}
			bodies = append(bodies, n.Body)
		}
		slices.Sort(bodies)
		if want := []string{"第一轮：张*山的核酸检测结果为阴性。", "第一轮：张*明的核酸检测结果为阴性。"}; !slices.Equal(bodies, want) {
			t.Errorf("bodies %q, want %q", bodies, want)
		}
		for sc.worker.RunOnce(ctx) > 0 {
		}
		msgs := sc.gateway.Messages()
		if len(msgs) != 2 || msgs[0].Template != "SMS_RESULT_01" || msgs[0].Params["name"] == "" {
			t.Fatalf("gateway took %+v", msgs)
		}
		for _, m := range msgs {
			if strings.Contains(m.Text, "张大山") || strings.Contains(m.Text, "张小明") {
				t.Errorf("a full name went out by SMS: %q", m.Text)
			}
		}
	})
}

// TestNotice_IsolationEnd ends a returnee's home isolation when its days
// and tests are done: the resident is told, once, on their own number.
// On both engines.
func TestNotice_IsolationEnd(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newScreening(t, db)
		sc := newSMSScene(t, db)
		sc.now = testNow
		grid := as(frontline.RoleGridWorker, s.tr.comp1)
		travel := &frontline.Travel{AreaCode: "610113", ArrivedOn: "2026-01-05"}
		s.visit(t, grid, s.tr.hh[0], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.resID.ID, Present: true, Travel: travel})
		fs := sqldb.NewFollowUpService(db)
		items, _, err := fs.FindFollowUps(grid, frontline.FollowUpItemFilter{CampaignID: &s.c.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Kind == frontline.FollowUpTest {
				if _, err := fs.RecordFollowUp(grid, it.ID, frontline.HealthReport{Result: "negative"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		sc.now = testNow.Add(9 * 24 * time.Hour)
		if n, err := fs.EndMeasures(ctx, s.c.ID, s.tr.sub.ID); err != nil || n != 1 {
			t.Fatalf("ended %d measures: %v", n, err)
		}
		if n, err := fs.EndMeasures(ctx, s.c.ID, s.tr.sub.ID); err != nil || n != 0 {
			t.Fatalf("ended %d measures again: %v", n, err)
		}
		pending := smsNotices(t, db, frontline.NoticePending)
		if len(pending) != 1 || pending[0].Recipient != "13800138000" || pending[0].Topic != frontline.TopicIsolationEnd ||
			!strings.Contains(pending[0].Body, "王*的居家隔离已于") || pending[0].Params["measure"] != "居家隔离" {
			t.Fatalf("end notices %+v", pending)
		}
		for sc.worker.RunOnce(ctx) > 0 {
		}
		if msgs := sc.gateway.Messages(); len(msgs) != 1 || msgs[0].Template != "SMS_ISOLATION_END_01" {
			t.Fatalf("gateway took %+v", msgs)
		}
	})
}
