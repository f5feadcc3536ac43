package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestLabService_Bags(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 6, nil)
		lab := sqldb.NewLabService(db)
		bt1 := f.bind(t, "BT-1", true, f.all[0], f.all[1])
		f.bind(t, "BT-2", true, f.all[2])
		f.bind(t, "BT-3", true, f.all[3])
		f.bind(t, "BT-4", false, f.all[4]) // left open
		t.Run("ErrCount", func(t *testing.T) {
			_, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "BAG-1", Count: 2, TubeCodes: []string{"BT-1", "BT-2", "BT-3"}})
			if frontline.ErrorField(err) != "count" {
				t.Fatalf("a count that does not match: %v", err)
			}
		})
		t.Run("ErrOpenTube", func(t *testing.T) {
			_, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "BAG-1", Count: 2, TubeCodes: []string{"BT-1", "BT-4"}})
			if frontline.ErrorCode(err) != frontline.EINVALID {
				t.Fatalf("packing an open tube: %v", err)
			}
		})
		bag, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "BAG-1", Count: 3, TubeCodes: []string{"BT-1", "BT-2", "BT-3"}})
		if err != nil || bag.Expected != 3 || !slices.Equal(bag.TubeCodes, []string{"BT-1", "BT-2", "BT-3"}) {
			t.Fatalf("pack: %v %+v", err, bag)
		}
		// The station lost the answer and sends the bag again: the same bag.
		again, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "bag-1", Count: 3, TubeCodes: []string{"BT-3", "BT-2", "BT-1"}})
		if err != nil || again.ID != bag.ID {
			t.Fatalf("the same bag sent again: %v %+v", err, again)
		}
		if _, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "BAG-1", Count: 1, TubeCodes: []string{"BT-4"}}); frontline.ErrorField(err) != "code" {
			t.Fatalf("a bag code used again for other tubes: %v", err)
		}
		if _, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "BAG-2", Count: 1, TubeCodes: []string{"BT-1"}}); err == nil {
			t.Fatal("a tube packed into two bags")
		}
		// The lab finds BT-1 and BT-3, and an unknown tube, in the bag.
		got, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "bag-1", TubeCodes: []string{"BT-3", "BT-1", "XX-9"}})
		if err != nil || got.Received != 3 || !slices.Equal(got.Missing, []string{"BT-2"}) || !slices.Equal(got.Extra, []string{"XX-9"}) || !got.Discrepant() {
			t.Fatalf("receive: %v %+v", err, got)
		}
		three := 3
		if _, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "BAG-1", Count: &three}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("receiving twice: %v", err)
		}
		tube, _, _ := f.samp.FindTube(ctx, "BT-2")
		if tube.State != frontline.TubeBagged {
			t.Fatalf("a missing tube should stay bagged: %+v", tube)
		}
		bags, err := lab.FindBags(ctx, f.round.ID)
		if err != nil || len(bags) != 1 || !bags[0].Discrepant() {
			t.Fatalf("bags: %v %+v", err, bags)
		}
		undo := &frontline.UndoRequest{RoundID: f.round.ID, TubeCode: "BT-1", BindingID: bt1.Items[1].BindingID}
		if _, err := f.samp.Undo(ctx, undo); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("undo in a bagged tube: %v", err)
		}
	})
}

// TestLabService_ReceiveBag checks what a receipt must say: a count or
// the tubes, tube codes named when bad, and the round the lab works in.
func TestLabService_ReceiveBag(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 6, nil)
		lab := sqldb.NewLabService(db)
		f.bind(t, "RB-1", true, f.all[0])
		f.bind(t, "RB-2", true, f.all[1])
		if _, err := lab.BagTubes(ctx, &frontline.BagRequest{RoundID: f.round.ID, Code: "RBAG", Count: 2, TubeCodes: []string{"RB-1", "RB-2"}}); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrNoCount", func(t *testing.T) {
			_, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "RBAG"})
			if frontline.ErrorField(err) != "count" {
				t.Fatalf("a receipt with neither a count nor tubes: %v", err)
			}
		})
		t.Run("ErrBadTube", func(t *testing.T) {
			_, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "RBAG", TubeCodes: []string{"RB-1", "RB_2"}})
			if frontline.ErrorField(err) != "tubes" || !strings.Contains(frontline.ErrorMessage(err), `"RB_2"`) {
				t.Fatalf("a bad tube code should be named under tubes: %v", err)
			}
		})
		t.Run("ErrCountDiffers", func(t *testing.T) {
			three := 3
			_, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "RBAG", Count: &three, TubeCodes: []string{"RB-1", "RB-2"}})
			if frontline.ErrorField(err) != "count" {
				t.Fatalf("a count that differs from the tubes scanned: %v", err)
			}
		})
		t.Run("ErrOtherRound", func(t *testing.T) {
			two := 2
			_, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "RBAG", Count: &two, RoundID: f.round.ID + 1000})
			if frontline.ErrorField(err) != "code" {
				t.Fatalf("a bag of another round: %v", err)
			}
		})
		t.Run("ErrUnknownBag", func(t *testing.T) {
			two := 2
			_, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "NOBAG", Count: &two})
			if frontline.ErrorCode(err) != frontline.ENOTFOUND || frontline.ErrorField(err) != "code" {
				t.Fatalf("an unknown bag: %v", err)
			}
		})
		// None of the refusals received anything.
		if b, err := lab.FindBag(ctx, "RBAG"); err != nil || b.State != frontline.BagSealed {
			t.Fatalf("after refused receipts: %v %+v", err, b)
		}
		// One tube counted of two: which is missing must be scanned.
		one := 1
		if _, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "RBAG", Count: &one, RoundID: f.round.ID}); frontline.ErrorField(err) != "count" {
			t.Fatalf("a count that says neither all nor none: %v", err)
		}
		// An empty bag is a count of zero: both tubes missing, none received.
		zero := 0
		got, err := lab.ReceiveBag(ctx, frontline.BagReceipt{Code: "RBAG", Count: &zero, RoundID: f.round.ID})
		if err != nil || got.Received != 0 || !got.Discrepant() || len(got.Missing) != 2 {
			t.Fatalf("an empty bag: %v %+v", err, got)
		}
		for _, code := range got.Missing {
			if tube, _, _ := f.samp.FindTube(ctx, code); tube.State != frontline.TubeBagged {
				t.Fatalf("a tube of an empty bag is %s", tube.State)
			}
		}
	})
}

func TestLabService_Results(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 6, nil)
		lab := sqldb.NewLabService(db)
		f.bind(t, "P-1", false, f.all[:10]...) // fills and seals
		f.bind(t, "P-2", true, f.all[10:14]...)
		f.bind(t, "P-3", true, f.all[14:16]...)
		f.bind(t, "P-4", false, f.all[16]) // open
		sqldbtest.ReceiveTubes(t, db, "P-1", "P-2", "P-3")
		sum, err := lab.PostResults(ctx, []frontline.ResultRow{
			{Row: 2, TubeCode: "p-1", Result: frontline.ResultPositive},
			{Row: 3, TubeCode: "P-2", Result: frontline.ResultNegative},
			{Row: 4, TubeCode: "P-3", Result: frontline.ResultInvalid},
			{Row: 5, TubeCode: "P-4", Result: frontline.ResultNegative},
			{Row: 6, TubeCode: "NOPE", Result: frontline.ResultNegative},
		})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Posted != 3 || sum.Persons != 16 || sum.Awaiting != 12 || len(sum.Errors) != 2 {
			t.Fatalf("summary %+v", sum)
		}
		if e := sum.Errors; e[0].Row != 5 || e[0].Reason != frontline.ReasonTubeOpen || e[1].Row != 6 || e[1].Reason != frontline.ReasonUnknownTube {
			t.Fatalf("row errors %+v", e)
		}
		m, err := f.rounds.FindMember(ctx, f.round.ID, f.all[11].ID)
		if err != nil || m.Result != frontline.ResultNegative || m.FollowUp != "" {
			t.Fatalf("negative pool member: %v %+v", err, m)
		}
		m, _ = f.rounds.FindMember(ctx, f.round.ID, f.all[0].ID)
		if m.Result != frontline.ResultPositive || m.FollowUp != frontline.FollowAwaiting {
			t.Fatalf("positive pool member: %+v", m)
		}
		cov := coverageOf(t, db, f.round.ID, f.tr.city.ID)
		if cov.Awaiting != 12 || cov.Positive != 0 {
			t.Fatalf("city coverage after results %+v", cov)
		}
		open := frontline.RetestOpen
		tasks, total, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Status: &open})
		if err != nil || total != 12 || tasks[0].Address == "" || tasks[0].SourceTube == "" {
			t.Fatalf("retest tasks: %v %d %+v", err, total, tasks)
		}
		// Repeating a result changes nothing; contradicting it is refused.
		again, err := lab.PostResults(ctx, []frontline.ResultRow{{TubeCode: "P-2", Result: frontline.ResultNegative},
			{TubeCode: "P-1", Result: frontline.ResultNegative}})
		if err != nil || again.Unchanged != 1 || len(again.Errors) != 1 {
			t.Fatalf("posting again: %v %+v", err, again)
		}
		if e := again.Errors[0]; e.Reason != frontline.ReasonHasResult || e.Value != string(frontline.ResultPositive) || e.TubeCode != "P-1" {
			t.Fatalf("a contradicting result: %+v", e)
		}
		bad, err := lab.PostResults(ctx, []frontline.ResultRow{{TubeCode: "P 9", Result: frontline.ResultNegative}})
		if err != nil || len(bad.Errors) != 1 || bad.Errors[0].Reason != frontline.ReasonTubeCode || bad.Errors[0].Value != "P 9" {
			t.Fatalf("a malformed tube code sent as JSON: %v %+v", err, bad)
		}
		// Home re-tests: one negative, one positive, one invalid.
		var codes []string
		for i, task := range tasks[:3] {
			code := []string{"R-1", "R-2", "R-3"}[i]
			got, err := lab.SampleRetest(ctx, task.ID, code)
			if err != nil || got.Status != frontline.RetestSampled || got.TubeCode != code {
				t.Fatalf("sample re-test: %v %+v", err, got)
			}
			codes = append(codes, code)
		}
		if _, err := lab.SampleRetest(ctx, tasks[0].ID, "R-9"); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("sampling a task twice: %v", err)
		}
		sqldbtest.ReceiveTubes(t, db, codes...)
		_, err = lab.PostResults(ctx, []frontline.ResultRow{{TubeCode: codes[0], Result: frontline.ResultNegative},
			{TubeCode: codes[1], Result: frontline.ResultPositive}, {TubeCode: codes[2], Result: frontline.ResultInvalid}})
		if err != nil {
			t.Fatal(err)
		}
		m, _ = f.rounds.FindMember(ctx, f.round.ID, tasks[0].PersonID)
		if m.FollowUp != frontline.FollowReleased {
			t.Fatalf("negative re-test should release: %+v", m)
		}
		m, _ = f.rounds.FindMember(ctx, f.round.ID, tasks[1].PersonID)
		if m.FollowUp != frontline.FollowPositive {
			t.Fatalf("positive re-test: %+v", m)
		}
		cov = coverageOf(t, db, f.round.ID, f.tr.city.ID)
		if cov.Awaiting != 10 || cov.Positive != 1 {
			t.Fatalf("city coverage after re-tests %+v", cov)
		}
		_, total, _ = lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &f.round.ID, Status: &open})
		if total != 10 { // 9 never visited and one invalid re-test to visit again
			t.Fatalf("open tasks after re-tests: %d", total)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

func coverageOf(tb testing.TB, db *sqldb.DB, roundID, placeID int64) *frontline.RoundCoverage {
	tb.Helper()
	c, _, err := sqldb.NewCoverageService(db).Coverage(context.Background(), roundID, placeID)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
