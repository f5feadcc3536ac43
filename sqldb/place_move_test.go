package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// assertAllCounts runs what `frontline migrate --check-counts` runs: the
// tree, every campaign and every round recounted from their rows.
func assertAllCounts(tb testing.TB, db *sqldb.DB) {
	tb.Helper()
	bad, err := db.CheckAllCounts(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range bad {
		tb.Errorf("recount: %s", b)
	}
}

// TestPlaceService_MoveUnderWork moves a building with its unit and
// households from one community to the other while a campaign and a round
// count it, with visits made, persons sampled and a zone on it, and checks
// that every counter follows: the tree's, the campaign's, the round's and
// its flow, as the recount of migrate --check-counts finds them.
func TestPlaceService_MoveUnderWork(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newScreening(t, db)
		tr, places := s.tr, sqldb.NewPlaceService(db)
		persons := []*frontline.Person{s.resID}
		for i, hh := range append([]*frontline.Place{tr.hh[1], tr.hh[2], s.unitHH[0]}, s.unitHH...) {
			persons = append(persons, mustPerson(t, db, hh.ID, "居民"+string(rune('甲'+i)), i%2 == 0))
		}
		rf := &roundFixture{tr: tr, rounds: sqldb.NewRoundService(db), samp: sqldb.NewSamplingService(db, sqldb.SamplingOptions{})}
		t.Cleanup(func() { rf.samp.Close() })
		rf.round = mustOpenRound(t, rf.rounds, tr.city.ID, nil)
		inner := mustOpenRound(t, rf.rounds, tr.bld1.ID, nil) // a round of the building alone
		rf.bind(t, "T-MOVE-1", false, persons[0], persons[3]) // one of 1号楼/101, one of its unit
		rf.bind(t, "T-MOVE-2", false, persons[2])             // one of 忠义巷小区 2号楼
		s.visit(t, ctx, tr.hh[0], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.resID.ID, Present: true})
		s.visit(t, ctx, tr.hh[1], frontline.OutcomeRefused)
		zones := sqldb.NewZoneService(db)
		mustZone(t, zones, ctx, tr.bld1, frontline.LevelControlled)
		assertAllCounts(t, db)

		moved, err := places.MovePlace(ctx, tr.bld1.ID, tr.comp2.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertAllCounts(t, db)
		if want := frontline.ChildPath(tr.comp2.Path, tr.bld1.ID); moved.Path != want {
			t.Fatalf("path %q, want %q", moved.Path, want)
		}
		top, _, err := s.cs.Coverage(ctx, s.c.ID, tr.comp2.ID)
		if err != nil || top.Households != 6 || top.Screened != 1 || top.Refused != 1 {
			t.Fatalf("campaign coverage of 忠义巷小区 after the move: %+v, %v; want 6 households, 1 screened, 1 refused", top, err)
		}
		if old, _, err := s.cs.Coverage(ctx, s.c.ID, tr.comp1.ID); err != nil || old.Households != 0 || old.Screened != 0 {
			t.Fatalf("campaign coverage of 枣园小区 after the move: %+v, %v; want nothing", old, err)
		}
		cov := sqldb.NewCoverageService(db)
		rc, _, err := cov.Coverage(ctx, rf.round.ID, tr.comm2.ID)
		if err != nil || rc.Expected != 6 || rc.Sampled != 3 {
			t.Fatalf("round coverage of 自治巷社区: %+v, %v; want 6 expected, 3 sampled", rc, err)
		}
		if rc, _, err := cov.Coverage(ctx, rf.round.ID, tr.comm1.ID); err != nil || rc.Expected != 0 || rc.Sampled != 0 {
			t.Fatalf("round coverage of 罗玉新村社区: %+v, %v; want nothing", rc, err)
		}
		flow, err := cov.Flow(ctx, rf.round.ID, tr.comm2.ID)
		if sum := flowSum(flow); err != nil || sum != 3 {
			t.Fatalf("flow of 自治巷社区 adds up to %d (%v), want 3", sum, err)
		}
		if rc, _, err := cov.Coverage(ctx, inner.ID, tr.bld1.ID); err != nil || rc.Expected != 5 || rc.Sampled != 0 {
			t.Fatalf("the building's own round: %+v, %v; want 5 expected, none sampled", rc, err)
		}
		if got := levelOf(t, zones, s.unitHH[0]); got != frontline.LevelControlled {
			t.Fatalf("a household of the moved building is in zone %q, want controlled", got)
		}
		if got := levelOf(t, zones, tr.hh[2]); got != frontline.LevelNone {
			t.Fatalf("a household of the old neighbour building is in zone %q, want none", got)
		}
		gaps, _, err := s.cs.FindMembers(ctx, s.c.ID, frontline.CampaignMemberFilter{Under: &tr.comp2.ID})
		if err != nil || len(gaps) != 6 {
			t.Fatalf("campaign households under 忠义巷小区: %d, %v; want 6", len(gaps), err)
		}

		t.Run("ErrOutOfOpenRound", func(t *testing.T) {
			// A round of 自治巷社区 alone counts the building now; it cannot
			// leave while the round is open.
			r := mustOpenRound(t, rf.rounds, tr.comm2.ID, nil)
			_, err := places.MovePlace(ctx, tr.bld1.ID, tr.comp1.ID)
			if frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "area" ||
				!strings.Contains(frontline.ErrorMessage(err), "自治巷社区") {
				t.Fatalf("err = %v, want ECONFLICT on the area, naming the round's", err)
			}
			assertAllCounts(t, db)
			if _, err := rf.rounds.CloseRound(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			// Closed, it is a record: the building leaves it as it was.
			if _, err := places.MovePlace(ctx, tr.bld1.ID, tr.comp1.ID); err != nil {
				t.Fatal(err)
			}
			assertAllCounts(t, db)
			if rc, _, err := cov.Coverage(ctx, r.ID, tr.comm2.ID); err != nil || rc.Expected != 6 {
				t.Fatalf("the closed round still counts what it counted: %+v, %v", rc, err)
			}
		})

		t.Run("Household", func(t *testing.T) {
			// 301 moves from the unit to the building itself, within the
			// building's own open round; then, that round closed, to the
			// other building.
			hh := s.unitHH[1]
			for _, to := range []*frontline.Place{tr.bld1, tr.bld2} {
				if to == tr.bld2 {
					if _, err := rf.rounds.CloseRound(ctx, inner.ID); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := places.MovePlace(ctx, hh.ID, to.ID); err != nil {
					t.Fatal(err)
				}
				assertAllCounts(t, db)
				m := s.member(t, hh)
				if m.BuildingID != to.ID || !strings.HasPrefix(m.Path, place(t, db, to.ID).Path) {
					t.Fatalf("member after the move to %s: building %d path %s", to.Name, m.BuildingID, m.Path)
				}
			}
		})
		assertCountsMatchRecount(t, db)
	})
}

func flowSum(fb []frontline.FlowBucket) int {
	n := 0
	for _, b := range fb {
		n += b.Sampled
	}
	return n
}

// TestPathColumns holds PathColumns to the schema: every column that keeps
// a place path is listed, so a new workflow's table cannot be forgotten
// by MovePlace.
func TestPathColumns(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tx, err := db.BeginReadTx(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`
		if db.Engine == sqldb.Postgres {
			q = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
		}
		rows, err := tx.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		listed := map[string]bool{}
		for _, c := range sqldb.PathColumns() {
			listed[c.Table+"."+c.Column] = true
		}
		found := 0
		for rows.Next() {
			var table, column string
			if err := rows.Scan(&table, &column); err != nil {
				t.Fatal(err)
			}
			if column != "path" && !strings.HasSuffix(column, "_path") {
				continue
			}
			found++
			if !listed[table+"."+column] {
				t.Errorf("%s.%s keeps a place path but is not in sqldb.PathColumns: say whether a move rewrites it", table, column)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if found != len(listed) {
			t.Errorf("the schema has %d path columns, PathColumns lists %d", found, len(listed))
		}
	})
}
