package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// roundFixture is a tree of four households with persons in each, and an
// open round over the whole city.
type roundFixture struct {
	tr      *tree
	round   *frontline.Round
	persons map[int64][]*frontline.Person // household id → persons
	all     []*frontline.Person
	rounds  *sqldb.RoundService
	samp    *sqldb.SamplingService
	db      *sqldb.DB
}

// newRoundFixture makes perHousehold persons in each household and opens a
// round with policy (nil for the default).
func newRoundFixture(tb testing.TB, db *sqldb.DB, perHousehold int, policy frontline.PoolPolicy) *roundFixture {
	tb.Helper()
	f := &roundFixture{tr: buildTree(tb, db), persons: map[int64][]*frontline.Person{}, db: db,
		rounds: sqldb.NewRoundService(db), samp: sqldb.NewSamplingService(db, sqldb.SamplingOptions{})}
	tb.Cleanup(func() { f.samp.Close() })
	for _, hh := range f.tr.hh {
		for i := range perHousehold {
			p := mustPerson(tb, db, hh.ID, fmt.Sprintf("居民%d-%d", hh.ID, i), false)
			f.persons[hh.ID] = append(f.persons[hh.ID], p)
			f.all = append(f.all, p)
		}
	}
	f.round = mustOpenRound(tb, f.rounds, f.tr.city.ID, policy)
	return f
}

func mustOpenRound(tb testing.TB, rs *sqldb.RoundService, scope int64, policy frontline.PoolPolicy) *frontline.Round {
	tb.Helper()
	ctx := context.Background()
	start := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	r := &frontline.Round{ScopeID: scope, Name: "第一轮", Day: "2026-03-02", StartsAt: start, EndsAt: start.Add(12 * time.Hour), Policy: policy}
	if err := rs.CreateRound(ctx, r); err != nil {
		tb.Fatal(err)
	}
	r, err := rs.OpenRound(ctx, r.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

var reqSeq int

// bind sends one request and fails the test on an error (refusals are in
// the answer).
func (f *roundFixture) bind(tb testing.TB, tube string, seal bool, persons ...*frontline.Person) *frontline.BindAnswer {
	tb.Helper()
	reqSeq++
	req := &frontline.BindRequest{RequestID: fmt.Sprintf("test-%d", reqSeq), RoundID: f.round.ID, TubeCode: tube, Seal: seal}
	for _, p := range persons {
		req.PersonIDs = append(req.PersonIDs, p.ID)
	}
	a, err := f.samp.Bind(context.Background(), req)
	if err != nil {
		tb.Fatalf("bind %s: %v", tube, err)
	}
	return a
}

func assertRoundChecks(tb testing.TB, db *sqldb.DB, roundID int64) {
	tb.Helper()
	bad, err := db.CheckRound(context.Background(), roundID)
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range bad {
		tb.Errorf("round check: %s", b)
	}
}

func okCount(a *frontline.BindAnswer) int { return a.Bound() }

func TestSamplingService_Bind(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoundFixture(t, db, 6, nil) // 24 persons, pools of 10
		if f.round.Expected != 24 {
			t.Fatalf("expected = %d, want 24", f.round.Expected)
		}
		var last *frontline.BindAnswer // the tenth person into T-1
		t.Run("Capacity", func(t *testing.T) {
			for i, p := range f.all[:10] {
				a := f.bind(t, "T-1", false, p)
				last = a
				if okCount(a) != 1 {
					t.Fatalf("person %d: %+v", i, a.Items)
				}
				if want := frontline.TubeOpen; i == 9 {
					if a.Tube.State != frontline.TubeSealed {
						t.Fatalf("the 10th person should seal the tube: %+v", a.Tube)
					}
				} else if a.Tube.State != want || a.Tube.Count != i+1 || a.Tube.Capacity != 10 {
					t.Fatalf("after %d: %+v", i+1, a.Tube)
				}
			}
			a := f.bind(t, "T-1", false, f.all[10])
			if okCount(a) != 0 || a.Items[0].Error.Code != frontline.ECONFLICT || a.Items[0].Error.Reason != frontline.RefusedTubeClosed {
				t.Fatalf("11th person into a full tube: %+v", a.Items)
			}
		})
		t.Run("ErrAlreadySampled", func(t *testing.T) {
			a := f.bind(t, "T-2", false, f.all[0], f.all[10])
			if a.Items[0].OK || a.Items[0].Prior == nil || a.Items[0].Prior.TubeCode != "T-1" || !a.Items[1].OK ||
				a.Items[0].Error.Reason != frontline.RefusedAlreadySampled {
				t.Fatalf("second binding of a person: %+v", a.Items)
			}
		})
		t.Run("IdempotentRetry", func(t *testing.T) {
			req := &frontline.BindRequest{RequestID: "station-9-000001", RoundID: f.round.ID, TubeCode: "T-2", PersonIDs: []int64{f.all[11].ID}}
			first, err := f.samp.Bind(context.Background(), req)
			if err != nil || okCount(first) != 1 {
				t.Fatalf("first: %v %+v", err, first)
			}
			again := *req
			again.PersonIDs = []int64{f.all[11].ID}
			second, err := f.samp.Bind(context.Background(), &again)
			if err != nil || !second.Replayed || okCount(second) != 1 || second.Items[0].BindingID != first.Items[0].BindingID {
				t.Fatalf("retry: %v %+v (first %+v)", err, second, first)
			}
			if second.Tube.Count != 2 {
				t.Fatalf("the retry bound again: %+v", second.Tube)
			}
		})
		t.Run("Undo", func(t *testing.T) {
			ctx := context.Background()
			tenth := last.Items[0].BindingID
			// The ninth person's binding is not the newest: refused.
			_, live, _ := f.samp.FindTube(ctx, "T-1")
			if _, err := f.samp.Undo(ctx, &frontline.UndoRequest{RoundID: f.round.ID, TubeCode: "T-1", BindingID: live[8].ID}); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("undoing a binding that is not the newest: %v", err)
			}
			if _, err := f.samp.Undo(ctx, &frontline.UndoRequest{RoundID: f.round.ID, TubeCode: "T-1"}); frontline.ErrorField(err) != "binding_id" {
				t.Fatalf("an undo that names no binding: %v", err)
			}
			req := &frontline.UndoRequest{RoundID: f.round.ID, TubeCode: "T-1", BindingID: tenth, RequestID: "st-x-7"}
			a, err := f.samp.Undo(ctx, req)
			if err != nil || a.Already || a.Binding.PersonID != f.all[9].ID || a.Binding.ID != tenth {
				t.Fatalf("undo: %v %+v", err, a)
			}
			b := a.Binding
			// A double tap: the same binding again is answered, and the ninth
			// person, now the newest, stays in the tube.
			again, err := f.samp.Undo(ctx, req)
			if err != nil || !again.Already || again.Binding.ID != tenth {
				t.Fatalf("undo sent twice: %v %+v", err, again)
			}
			tube, live, err := f.samp.FindTube(context.Background(), "T-1")
			if err != nil || tube.State != frontline.TubeOpen || tube.Count != 9 || len(live) != 9 {
				t.Fatalf("after undo: %v %+v %d", err, tube, len(live))
			}
			m, err := f.rounds.FindMember(context.Background(), f.round.ID, f.all[9].ID)
			if err != nil || m.Status != frontline.MemberPending {
				t.Fatalf("member after undo: %v %+v", err, m)
			}
			changes, _, err := sqldb.NewAuditService(db).FindChanges(context.Background(), frontline.ChangeFilter{Action: ptr("undo")})
			if err != nil || len(changes) != 1 || changes[0].EntityID != b.ID || changes[0].After["request_id"] != "st-x-7" {
				t.Fatalf("undo audit: %v %+v", err, changes)
			}
			if a := f.bind(t, "T-1", false, f.all[9]); okCount(a) != 1 || a.Tube.State != frontline.TubeSealed {
				t.Fatalf("bind again after undo: %+v", a)
			}
		})
		t.Run("SealEarly", func(t *testing.T) {
			a := f.bind(t, "T-3", true, f.all[12], f.all[13])
			if okCount(a) != 2 || a.Tube.State != frontline.TubeSealed || a.Tube.Count != 2 {
				t.Fatalf("whole tube with seal: %+v", a)
			}
			if a := f.bind(t, "T-3", false, f.all[14]); okCount(a) != 0 {
				t.Fatalf("binding into a sealed tube: %+v", a.Items)
			}
			if a := f.bind(t, "T-4", true); a.Error == nil || a.Error.Code != frontline.ECONFLICT {
				t.Fatalf("sealing an empty tube: %+v", a)
			}
		})
		t.Run("ErrUnknownPerson", func(t *testing.T) {
			a := f.bind(t, "T-5", false, &frontline.Person{ID: 99999})
			if a.Items[0].OK || a.Items[0].Error.Code != frontline.ENOTFOUND {
				t.Fatalf("unknown person: %+v", a.Items)
			}
		})
		t.Run("LateMember", func(t *testing.T) {
			p := mustPerson(t, db, f.tr.hh[3].ID, "新搬来", false)
			if a := f.bind(t, "T-5", false, p); okCount(a) != 1 {
				t.Fatalf("person who moved in later: %+v", a.Items)
			}
			r, err := f.rounds.FindRoundByID(context.Background(), f.round.ID)
			if err != nil || r.Expected != 25 {
				t.Fatalf("expected after a late member: %v %d", err, r.Expected)
			}
		})
		t.Run("Excused", func(t *testing.T) {
			p := f.all[20]
			if _, err := f.rounds.Excuse(context.Background(), f.round.ID, frontline.Excusal{PersonID: p.ID, Reason: frontline.ExcuseAway}); err != nil {
				t.Fatal(err)
			}
			if a := f.bind(t, "T-5", false, p); okCount(a) != 1 {
				t.Fatalf("an excused person who came anyway: %+v", a.Items)
			}
		})
		t.Run("ErrRoundClosed", func(t *testing.T) {
			if _, err := f.rounds.CloseRound(context.Background(), f.round.ID); err != nil {
				t.Fatal(err)
			}
			if a := f.bind(t, "T-5", false, f.all[21]); a.Error == nil || a.Error.Code != frontline.ECONFLICT {
				t.Fatalf("binding in a closed round: %+v", a)
			}
		})
		assertRoundChecks(t, db, f.round.ID)
	})
}

func TestSamplingService_Household(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		policy := frontline.PoolPolicy{"": {Mode: frontline.PoolHousehold}}
		f := newRoundFixture(t, db, 3, policy)
		hh := f.tr.hh[2]
		req := &frontline.BindRequest{RequestID: "hh-1", RoundID: f.round.ID, TubeCode: "H-1", HouseholdID: hh.ID}
		a, err := f.samp.Bind(context.Background(), req)
		if err != nil || okCount(a) != 3 || a.Tube.Capacity != 3 || a.Tube.State != frontline.TubeSealed || a.Tube.HouseholdID != hh.ID {
			t.Fatalf("household tube: %v %+v %+v", err, a, a.Tube)
		}
		// One by one, the first person fixes the household; another
		// household's person is refused.
		other := f.persons[f.tr.hh[3].ID]
		if a := f.bind(t, "H-2", false, other[0]); okCount(a) != 1 || a.Tube.Capacity != 3 {
			t.Fatalf("first of a household: %+v", a)
		}
		if a := f.bind(t, "H-2", false, f.persons[f.tr.hh[0].ID][0]); okCount(a) != 0 {
			t.Fatalf("another household into a household tube: %+v", a.Items)
		}
		// A household whose grandmother is left to the home team and whose
		// son is away: the household's code binds the one at the table, and
		// the tube of one seals itself.
		home := f.persons[f.tr.hh[1].ID]
		for p, reason := range map[*frontline.Person]frontline.ExcuseReason{home[0]: frontline.ExcuseHomeSampling, home[1]: frontline.ExcuseAway} {
			if _, err := f.rounds.Excuse(context.Background(), f.round.ID, frontline.Excusal{PersonID: p.ID, Reason: reason}); err != nil {
				t.Fatal(err)
			}
		}
		a, err = f.samp.Bind(context.Background(), &frontline.BindRequest{RequestID: "hh-2", RoundID: f.round.ID, TubeCode: "H-3", HouseholdID: f.tr.hh[1].ID})
		if err != nil || okCount(a) != 1 || len(a.Items) != 1 || a.Items[0].PersonID != home[2].ID || a.Tube.Capacity != 1 || a.Tube.State != frontline.TubeSealed {
			t.Fatalf("household with members away: %v %+v %+v", err, a.Items, a.Tube)
		}
		// One by one: the tube of the household of hh[0], one of whose three
		// is sampled already in a pool, takes two.
		first := f.persons[f.tr.hh[0].ID]
		if a := f.bind(t, "P-9", false, first[2]); okCount(a) != 1 {
			t.Fatalf("into a pool: %+v", a.Items)
		}
		if a := f.bind(t, "H-4", false, first[0]); okCount(a) != 1 || a.Tube.Capacity != 2 {
			t.Fatalf("household tube of those still to sample: %+v", a.Tube)
		}
		if a := f.bind(t, "H-4", false, first[1]); okCount(a) != 1 || a.Tube.State != frontline.TubeSealed {
			t.Fatalf("the last of the household seals the tube: %+v", a.Tube)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

func TestSamplingService_Zones(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoundFixture(t, db, 3, nil)
		sealed := f.tr.hh[0].ID
		samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{Levels: func(_ context.Context, homes map[int64]string) (map[int64]string, error) {
			out := map[int64]string{}
			for id := range homes {
				if id == sealed {
					out[id] = "sealed"
				}
			}
			return out, nil
		}})
		defer samp.Close()
		bind := func(tube string, p *frontline.Person) *frontline.BindAnswer {
			reqSeq++
			a, err := samp.Bind(context.Background(), &frontline.BindRequest{RequestID: fmt.Sprintf("z-%d", reqSeq),
				RoundID: f.round.ID, TubeCode: tube, PersonIDs: []int64{p.ID}})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		// A sealed-zone person gets a single tube; nobody joins it.
		if a := bind("Z-1", f.persons[sealed][0]); okCount(a) != 1 || a.Tube.Capacity != 1 || a.Tube.State != frontline.TubeSealed {
			t.Fatalf("sealed zone: %+v", a.Tube)
		}
		if a := bind("Z-2", f.persons[f.tr.hh[1].ID][0]); okCount(a) != 1 || a.Tube.Capacity != 10 {
			t.Fatalf("no zone: %+v", a.Tube)
		}
		if a := bind("Z-2", f.persons[sealed][1]); okCount(a) != 0 {
			t.Fatalf("a sealed-zone person into a pool: %+v", a.Items)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}

// TestSamplingService_RequestIDPerCaller: request ids are the caller's
// own. Two stations whose scanners both number their requests from 1 each
// bind their person, each gets its own id back, and a retry of either
// replays its own answer, not the other's.
func TestSamplingService_RequestIDPerCaller(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoundFixture(t, db, 2, nil)
		station := func(tokenID int64) context.Context {
			return frontline.WithPrincipal(context.Background(), &frontline.Principal{TokenID: tokenID, Login: fmt.Sprintf("device-%d", tokenID),
				Role: frontline.RoleSampler, ScopeID: f.tr.city.ID, ScopePath: f.tr.city.Path})
		}
		one, two := station(901), station(902)
		bind := func(ctx context.Context, tube string, p *frontline.Person) *frontline.BindAnswer {
			t.Helper()
			a, err := f.samp.Bind(ctx, &frontline.BindRequest{RequestID: "1", RoundID: f.round.ID, TubeCode: tube, PersonIDs: []int64{p.ID}})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		a1 := bind(one, "N-1", f.all[0])
		a2 := bind(two, "N-2", f.all[1])
		if a1.Bound() != 1 || a2.Bound() != 1 || a2.Replayed || a1.RequestID != "1" || a2.RequestID != "1" {
			t.Fatalf("two stations, one client id: %+v %+v", a1, a2)
		}
		if a1.Tube.Code != "N-1" || a2.Tube.Code != "N-2" {
			t.Fatalf("tubes: %+v %+v", a1.Tube, a2.Tube)
		}
		// Each station's retry replays its own answer.
		r2 := bind(two, "N-2", f.all[1])
		if !r2.Replayed || r2.Items[0].BindingID != a2.Items[0].BindingID || r2.Tube.Code != "N-2" {
			t.Fatalf("retry of the second station: %+v (first %+v)", r2, a2)
		}
		// A signed-in user is its own namespace too.
		user := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: 77, Login: "sampler",
			Role: frontline.RoleSampler, ScopeID: f.tr.city.ID, ScopePath: f.tr.city.Path})
		if a := bind(user, "N-3", f.all[2]); a.Bound() != 1 || a.Replayed {
			t.Fatalf("a user with the same client id: %+v", a)
		}
		assertRoundChecks(t, db, f.round.ID)
	})
}
