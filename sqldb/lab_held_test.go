package sqldb_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestLabService_HeldResults posts results for tubes the lab does not
// have: one sealed at its station and never sent, one packed in a bag that
// arrived without it. Neither reaches its persons; each is held with its
// reason until a named person decides: accepted, the tube counts as
// received and the result goes out; rejected, nothing changes. A result
// held once is held once however often it is posted, and a decision is
// made once.
func TestLabService_HeldResults(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 3, nil)
		lab := sqldb.NewLabService(db)
		f.bind(t, "H-1", true, f.persons[f.tr.hh[0].ID]...)
		f.bind(t, "H-2", true, f.persons[f.tr.hh[1].ID]...)
		f.bind(t, "H-3", true, f.persons[f.tr.hh[2].ID]...)
		if _, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "HB-1", Count: 2, TubeCodes: []string{"H-2", "H-3"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "HB-1", TubeCodes: []string{"H-3"}}); err != nil {
			t.Fatal(err)
		}
		rows := []frontline.ResultRow{{Row: 2, TubeCode: "H-1", Result: frontline.ResultNegative},
			{Row: 3, TubeCode: "H-2", Result: frontline.ResultPositive}, {Row: 4, TubeCode: "H-3", Result: frontline.ResultNegative}}
		sum, err := lab.PostResults(ctx, rows)
		if err != nil || sum.Posted != 1 || len(sum.Held) != 2 || len(sum.Errors) != 0 {
			t.Fatalf("post: %v %+v", err, sum)
		}
		if h := sum.Held[0]; h.TubeCode != "H-1" || h.Reason != frontline.HoldNotReceived || h.BagCode != "" || h.Result != frontline.ResultNegative {
			t.Fatalf("the tube never sent: %+v", h)
		}
		if h := sum.Held[1]; h.TubeCode != "H-2" || h.Reason != frontline.HoldMissingFromBag || h.BagCode != "HB-1" {
			t.Fatalf("the tube missing from its bag: %+v", h)
		}
		member := func(p *frontline.Person) *frontline.Member {
			m, err := f.rounds.FindMember(ctx, f.round.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		if m := member(f.persons[f.tr.hh[0].ID][0]); m.Result != "" {
			t.Fatalf("a held result reached a person: %+v", m)
		}
		// Posted again: the same results are the ones waiting; another is refused.
		again, err := lab.PostResults(ctx, []frontline.ResultRow{rows[0], {TubeCode: "H-2", Result: frontline.ResultNegative}})
		if err != nil || len(again.Held) != 1 || again.Held[0].ID != sum.Held[0].ID || len(again.Errors) != 1 ||
			again.Errors[0].Reason != frontline.ReasonHeld || again.Errors[0].Value != string(frontline.ResultPositive) {
			t.Fatalf("post again: %v %+v", err, again)
		}
		held, err := lab.FindHeldResults(ctx, f.round.ID)
		if err != nil || len(held) != 2 {
			t.Fatalf("held: %v %+v", err, held)
		}
		work, err := lab.FindLabWork(ctx)
		if err != nil || len(work) != 1 || work[0].Held != 2 || work[0].RoundID != f.round.ID || work[0].Round != f.round.Name {
			t.Fatalf("the lab's work: %v %+v", err, work)
		}

		labCtx := frontline.WithActor(ctx, frontline.Actor{Name: "检验员王芳"})
		h, got, err := lab.DecideHeldResult(labCtx, held[0].ID, true)
		if err != nil || h.Decision != frontline.HoldAccepted || h.DecidedBy != "检验员王芳" || got.Posted != 1 || got.Persons != 3 {
			t.Fatalf("accept: %v %+v %+v", err, h, got)
		}
		if m := member(f.persons[f.tr.hh[0].ID][0]); m.Result != frontline.ResultNegative {
			t.Fatalf("an accepted result did not reach the person: %+v", m)
		}
		if tube, _, _ := f.samp.FindTube(ctx, "H-1"); tube.State != frontline.TubeResulted {
			t.Fatalf("the accepted tube is %s", tube.State)
		}
		if h, _, err := lab.DecideHeldResult(labCtx, held[1].ID, false); err != nil || h.Decision != frontline.HoldRejected {
			t.Fatalf("reject: %v %+v", err, h)
		}
		if m := member(f.persons[f.tr.hh[1].ID][0]); m.Result != "" || m.FollowUp != "" {
			t.Fatalf("a rejected result reached the person: %+v", m)
		}
		if tube, _, _ := f.samp.FindTube(ctx, "H-2"); tube.State != frontline.TubeBagged {
			t.Fatalf("the rejected tube is %s", tube.State)
		}
		if _, _, err := lab.DecideHeldResult(labCtx, held[1].ID, true); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("deciding twice: %v", err)
		}
		if held, err := lab.FindHeldResults(ctx, f.round.ID); err != nil || len(held) != 0 {
			t.Fatalf("still held: %v %+v", err, held)
		}
		// Once rejected, the tube's own result may be held again later.
		if again, err := lab.PostResults(ctx, []frontline.ResultRow{{TubeCode: "H-2", Result: frontline.ResultNegative}}); err != nil || len(again.Held) != 1 {
			t.Fatalf("after a rejection: %v %+v", err, again)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}
