package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestZoneService_StepDown walks a sealed compound through a crafted
// timeline: not yet 7 days, 7 days without a negative round, a round that
// covers only one building, a whole-zone round, then the recorded
// decision.
func TestZoneService_StepDown(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		day := 24 * time.Hour
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "zhangbin"})
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		evidence := func(place *frontline.Place, kind string, at time.Time) {
			t.Helper()
			e := &frontline.ZoneEvidence{PlaceID: place.ID, Kind: kind, At: at, Link: frontline.EvidenceLink{Kind: frontline.LinkRound, Ref: "R" + at.Format("0102")}}
			if err := s.RecordEvidence(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		zone := mustZone(t, s, ctx, tr.comp2, frontline.LevelSealed).Zone
		start := zone.Start
		evidence(tr.hh[2], frontline.EvidencePositive, start.Add(-2*time.Hour)) // the case that sealed it

		advance(3 * day)
		checks := stepDownChecks(t, s, ctx, tr.comm2)
		if len(checks) != 1 || checks[0].Eligible || checks[0].LastPositive == nil || checks[0].Target != frontline.LevelControlled {
			t.Fatalf("day 3: %+v", checks)
		}
		_, err := s.StepDownZone(ctx, zone.ID, frontline.StepDown{})
		if frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(frontline.ErrorMessage(err), "3 of 7 days") {
			t.Fatalf("step down on day 3: %v", err)
		}
		wantCode(t, "override without a reason", stepDownErr(s, ctx, zone.ID, frontline.StepDown{Override: true}), frontline.EINVALID)

		advance(4 * day) // day 7, no round yet
		if c := stepDownChecks(t, s, ctx, tr.comm2)[0]; c.Eligible || !c.Reasons[0].Met || c.Reasons[1].Met {
			t.Fatalf("day 7 without a round: %s", frontline.ReasonsText(c.Reasons))
		}
		evidence(tr.bld2, frontline.EvidenceNegativeRound, start.Add(6*day)) // one building: does not cover the zone
		if c := stepDownChecks(t, s, ctx, tr.comm2)[0]; c.Eligible {
			t.Fatalf("a round of one building made the compound eligible")
		}
		evidence(tr.comm2, frontline.EvidenceNegativeRound, start.Add(6*day+time.Hour)) // the whole community
		c := stepDownChecks(t, s, ctx, tr.comm2)[0]
		if !c.Eligible || len(c.Rounds) != 1 || c.Rounds[0].PlaceID != tr.comm2.ID {
			t.Fatalf("day 7 with a community round: %s %+v", frontline.ReasonsText(c.Reasons), c.Rounds)
		}

		next, err := s.StepDownZone(ctx, zone.ID, frontline.StepDown{DecidedBy: "区指挥部"})
		if err != nil {
			t.Fatal(err)
		}
		if next.Level != frontline.LevelControlled || next.PreviousID != zone.ID || next.DecidedBy != "区指挥部" || !next.Active() {
			t.Fatalf("next zone %+v", next)
		}
		ended, _ := s.FindZoneByID(ctx, zone.ID)
		if ended.Active() || ended.EndedBy != "区指挥部" || !strings.Contains(ended.EndReason, "管控区") {
			t.Fatalf("ended zone %+v", ended)
		}
		if got := levelOf(t, s, tr.hh[3]); got != frontline.LevelControlled {
			t.Fatalf("household after the step-down: %q", got)
		}
		wantCode(t, "step down an ended zone", stepDownErr(s, ctx, zone.ID, frontline.StepDown{}), frontline.ECONFLICT)
		wantCode(t, "step down to a stricter level", stepDownErr(s, ctx, next.ID, frontline.StepDown{To: frontline.LevelSealed, Override: true, Reason: "x"}), frontline.ECONFLICT)

		// The controlled zone's 3 days start now; a new positive restarts
		// them, and lifting early needs an override with a reason.
		advance(2 * day)
		evidence(tr.hh[3], frontline.EvidencePositive, db.Now().Add(-time.Hour))
		c = stepDownChecks(t, s, ctx, tr.comm2)[0]
		if c.Eligible || c.Reasons[0].Have != 0 {
			t.Fatalf("after a new positive: %s", frontline.ReasonsText(c.Reasons))
		}
		lifted, err := s.StepDownZone(ctx, next.ID, frontline.StepDown{Lift: true, Override: true, Reason: "市指挥部通告第12号"})
		if err != nil || lifted.Active() || levelOf(t, s, tr.hh[3]) != frontline.LevelNone {
			t.Fatalf("lift with override: %+v, %v", lifted, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'zone' AND action = 'step_down'`); n != 2 {
			t.Fatalf("%d step-down audit entries", n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'zone_evidence'`); n != 4 {
			t.Fatalf("%d evidence audit entries", n)
		}
	})
}

func stepDownChecks(tb testing.TB, s *sqldb.ZoneService, ctx context.Context, under *frontline.Place) []*frontline.StepDownCheck {
	tb.Helper()
	checks, err := s.StepDownChecks(ctx, under.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return checks
}

func stepDownErr(s *sqldb.ZoneService, ctx context.Context, id int64, d frontline.StepDown) error {
	_, err := s.StepDownZone(ctx, id, d)
	return err
}

// TestZoneService_Board checks the counts per node by effective level.
func TestZoneService_Board(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		for i, hh := range tr.hh {
			mustPerson(t, db, hh.ID, "甲", i == 0)
			mustPerson(t, db, hh.ID, "乙", false)
		}
		mustZone(t, s, ctx, tr.comp2, frontline.LevelSealed)
		mustZone(t, s, ctx, tr.bld2, frontline.LevelSealed) // nested: counted once
		mustZone(t, s, ctx, tr.hh[0], frontline.LevelControlled)
		board, err := s.ZoneBoard(ctx, tr.sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(board) != 3 || board[0].Place.ID != tr.sub.ID || board[1].Place.ID != tr.comm2.ID && board[1].Place.ID != tr.comm1.ID {
			t.Fatalf("board rows %d", len(board))
		}
		rows := map[int64]*frontline.ZoneCount{}
		for _, r := range board {
			rows[r.Place.ID] = r
		}
		sub, comm1, comm2 := rows[tr.sub.ID], rows[tr.comm1.ID], rows[tr.comm2.ID]
		if sub.ByLevel[frontline.LevelSealed] != (frontline.LevelCounts{Households: 2, Residents: 4}) || sub.Zones != 3 {
			t.Errorf("subdistrict %+v (%d zones)", sub.ByLevel, sub.Zones)
		}
		if comm1.ByLevel[frontline.LevelControlled] != (frontline.LevelCounts{Households: 1, Residents: 2, Vulnerable: 1}) || comm1.Level != frontline.LevelNone {
			t.Errorf("罗玉新村社区 %+v %q", comm1.ByLevel, comm1.Level)
		}
		if comm2.ByLevel[frontline.LevelSealed].Households != 2 || comm2.ByLevel[frontline.LevelControlled].Households != 0 || comm2.Zones != 2 {
			t.Errorf("自治巷社区 %+v", comm2.ByLevel)
		}
		board, _ = s.ZoneBoard(ctx, tr.comp2.ID)
		if board[0].Level != frontline.LevelSealed || board[0].Zone == nil || board[1].Level != frontline.LevelSealed {
			t.Errorf("compound board %+v", board[0])
		}
	})
}

// TestZoneService_Scope checks the permissions and the scope of every
// zone call for principals of a community.
func TestZoneService_Scope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		outside := mustZone(t, s, context.Background(), tr.comp2, frontline.LevelSealed).Zone
		inside := mustZone(t, s, context.Background(), tr.bld1, frontline.LevelSealed).Zone
		pick := func(in bool, a, b *frontline.Place) int64 {
			if in {
				return a.ID
			}
			return b.ID
		}
		zone := func(in bool) int64 {
			if in {
				return inside.ID
			}
			return outside.ID
		}
		cases := []scopeCase{
			{"SetZone", frontline.PermManageZones, func(ctx context.Context, in bool) error {
				_, err := s.SetZone(ctx, &frontline.Zone{PlaceID: pick(in, tr.hh[0], tr.hh[2]), Level: frontline.LevelSealed, Reason: "x"})
				if frontline.ErrorCode(err) == frontline.ECONFLICT {
					return nil // sealed by an earlier role's call
				}
				return err
			}},
			{"StepDownZone", frontline.PermManageZones, func(ctx context.Context, in bool) error {
				err := stepDownErr(s, ctx, zone(in), frontline.StepDown{})
				if frontline.ErrorCode(err) == frontline.ECONFLICT {
					return nil // found, but not eligible
				}
				return err
			}},
			{"RecordEvidence", frontline.PermManageZones, func(ctx context.Context, in bool) error {
				return s.RecordEvidence(ctx, &frontline.ZoneEvidence{PlaceID: pick(in, tr.hh[1], tr.hh[3]), Kind: frontline.EvidencePositive})
			}},
			{"FindZoneByID", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
				_, err := s.FindZoneByID(ctx, zone(in))
				return err
			}},
			{"FindZones Under", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
				_, _, err := s.FindZones(ctx, frontline.ZoneFilter{Under: ptr(pick(in, tr.comp1, tr.comp2))})
				return err
			}},
			{"ZoneTimeline", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
				_, err := s.ZoneTimeline(ctx, pick(in, tr.hh[0], tr.hh[2]))
				return err
			}},
			{"EffectiveLevel", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
				_, err := s.EffectiveLevel(ctx, pick(in, tr.hh[0], tr.hh[2]))
				return err
			}},
			{"EffectiveLevels", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
				_, err := s.EffectiveLevels(ctx, []int64{pick(in, tr.hh[0], tr.hh[2])})
				return err
			}},
			{"Affected", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
				_, err := s.Affected(ctx, pick(in, tr.comp1, tr.comp2))
				return err
			}},
			{"ZoneBoard", frontline.PermReadReports, func(ctx context.Context, in bool) error {
				_, err := s.ZoneBoard(ctx, pick(in, tr.comp1, tr.comp2))
				return err
			}},
			{"StepDownChecks", frontline.PermReadReports, func(ctx context.Context, in bool) error {
				_, err := s.StepDownChecks(ctx, pick(in, tr.comp1, tr.comp2))
				return err
			}},
		}
		for _, role := range frontline.Roles {
			ctx := as(role, tr.comm1)
			for _, c := range cases {
				for _, in := range []bool{true, false} {
					want := ""
					switch {
					case !role.Can(c.perm):
						want = frontline.EFORBIDDEN
					case !in:
						want = frontline.ENOTFOUND
					}
					if err := c.call(ctx, in); frontline.ErrorCode(err) != want {
						t.Errorf("%s: %s inside=%v: err = %v, want code %q", role, c.name, in, err, want)
					}
				}
			}
		}
		// The zone outside was never touched.
		if z, _ := s.FindZoneByID(context.Background(), outside.ID); !z.Active() {
			t.Fatal("the zone outside the scope was ended")
		}
	})
}
