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

func mustZone(tb testing.TB, s *sqldb.ZoneService, ctx context.Context, place *frontline.Place, level frontline.ZoneLevel) *frontline.Affected {
	tb.Helper()
	a, err := s.SetZone(ctx, &frontline.Zone{PlaceID: place.ID, Level: level, Reason: "test " + string(level),
		Evidence: frontline.EvidenceLink{Kind: frontline.LinkTube, Ref: "T0001"}})
	if err != nil {
		tb.Fatalf("set %s on %s: %v", level, place.Name, err)
	}
	return a
}

func levelOf(tb testing.TB, s *sqldb.ZoneService, p *frontline.Place) frontline.ZoneLevel {
	tb.Helper()
	st, err := s.EffectiveLevel(context.Background(), p.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return st.Level
}

// TestZoneService_EffectiveLevel checks inheritance down the tree, the
// single and batch lookups agreeing, and the rule each level carries.
func TestZoneService_EffectiveLevel(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		bld3 := mustPlace(t, db, tr.comp1.ID, frontline.KindBuilding, "3号楼")
		hh5 := mustPlace(t, db, bld3.ID, frontline.KindHousehold, "301")

		mustZone(t, s, ctx, tr.comp2, frontline.LevelSealed)     // 忠义巷小区 sealed
		mustZone(t, s, ctx, tr.comp1, frontline.LevelPrecaution) // 枣园小区 precaution
		mustZone(t, s, ctx, tr.bld1, frontline.LevelControlled)  // its 1号楼 controlled
		want := map[*frontline.Place]frontline.ZoneLevel{
			tr.comm1: frontline.LevelNone, tr.comm2: frontline.LevelNone,
			tr.comp2: frontline.LevelSealed, tr.bld2: frontline.LevelSealed, tr.hh[2]: frontline.LevelSealed, tr.hh[3]: frontline.LevelSealed,
			tr.comp1: frontline.LevelPrecaution, bld3: frontline.LevelPrecaution, hh5: frontline.LevelPrecaution,
			tr.bld1: frontline.LevelControlled, tr.hh[0]: frontline.LevelControlled, tr.hh[1]: frontline.LevelControlled,
		}
		var ids []int64
		for p, l := range want {
			ids = append(ids, p.ID)
			if got := levelOf(t, s, p); got != l {
				t.Errorf("%s: level %q, want %q", p.Name, got, l)
			}
		}
		batch, err := s.EffectiveLevels(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for p, l := range want {
			if st := batch[p.ID]; st == nil || st.Level != l {
				t.Errorf("batch %s: %+v, want %q", p.Name, st, l)
			}
		}
		st := batch[tr.hh[2].ID]
		if st.Zone == nil || st.Zone.PlaceID != tr.comp2.ID || st.Rule == nil || st.Rule.PoolSize != 1 || !st.Rule.DoorDelivery {
			t.Fatalf("sealed household status %+v (rule %+v)", st, st.Rule)
		}
		if st := batch[tr.hh[0].ID]; st.Rule.PoolSize != 10 {
			t.Fatalf("controlled household pool %d", st.Rule.PoolSize)
		}
		if _, err := s.EffectiveLevels(ctx, []int64{tr.hh[0].ID, 987654}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("batch with an unknown id: %v", err)
		}
		// A community secretary of 罗玉新村社区 sees the levels inside only.
		sec := as(frontline.RoleCommunitySecretary, tr.comm1)
		if _, err := s.EffectiveLevels(sec, []int64{tr.hh[0].ID, tr.hh[2].ID}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("batch reaching outside the scope: %v", err)
		}
	})
}

// TestZoneService_SetZone checks what sealing returns, tightening, the
// refusals and the timeline.
func TestZoneService_SetZone(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "zhangbin"})
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		old := mustPerson(t, db, tr.hh[2].ID, "独居老人", true)
		mustPerson(t, db, tr.hh[2].ID, "邻居", false)
		mustPerson(t, db, tr.hh[3].ID, "住户", false)

		first := mustZone(t, s, ctx, tr.bld2, frontline.LevelControlled)
		a := mustZone(t, s, ctx, tr.comp2, frontline.LevelPrecaution)
		a = mustZone(t, s, ctx, tr.comp2, frontline.LevelSealed)
		if a.Zone == nil || a.Zone.Level != frontline.LevelSealed || a.Zone.RuleVersion != 1 || a.Zone.DecidedBy != "zhangbin" ||
			a.Level != frontline.LevelSealed || a.Residents != 3 {
			t.Fatalf("affected %+v zone %+v", a, a.Zone)
		}
		if len(a.Households) != 2 || a.Households[0].Address != "2号楼/101" || a.Households[0].Residents != 2 || a.Households[0].Vulnerable != 1 {
			t.Fatalf("households %+v", a.Households)
		}
		if len(a.Vulnerable) != 1 || a.Vulnerable[0].PersonID != old.ID || a.Vulnerable[0].Flags[0] != frontline.FlagLivingAlone ||
			a.Vulnerable[0].Phone != "138****8000" || a.Vulnerable[0].Address != "2号楼/101" || a.Vulnerable[0].Age == 0 {
			t.Fatalf("vulnerable %+v", a.Vulnerable[0])
		}
		// Tightening ended the precaution zone and links to it.
		zones, total, err := s.FindZones(ctx, frontline.ZoneFilter{PlaceID: &tr.comp2.ID})
		if err != nil || total != 2 || zones[0].Level != frontline.LevelSealed || zones[1].Active() || zones[0].PreviousID != zones[1].ID {
			t.Fatalf("zones of the compound: %d %v", total, err)
		}
		for _, tt := range []struct {
			place *frontline.Place
			level frontline.ZoneLevel
			code  string
		}{
			{tr.comp2, frontline.LevelSealed, frontline.ECONFLICT},
			{tr.comp2, frontline.LevelControlled, frontline.ECONFLICT},
			{tr.comm2, frontline.LevelSealed, frontline.EINVALID},
			{tr.comp1, "red", frontline.EINVALID},
		} {
			_, err := s.SetZone(ctx, &frontline.Zone{PlaceID: tt.place.ID, Level: tt.level, Reason: "x"})
			if frontline.ErrorCode(err) != tt.code {
				t.Errorf("%s %s: %v, want %s", tt.place.Name, tt.level, err, tt.code)
			}
		}
		if _, err := s.SetZone(ctx, &frontline.Zone{PlaceID: tr.comp1.ID, Level: frontline.LevelSealed}); frontline.ErrorField(err) != "reason" {
			t.Errorf("zone without a reason: %v", err)
		}
		events, err := s.ZoneTimeline(ctx, tr.hh[2].ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, ev := range events {
			kinds = append(kinds, string(ev.Kind)+":"+string(ev.Zone.Level)+":"+string(ev.Level))
		}
		if got := strings.Join(kinds, " "); got != "started:controlled:controlled started:precaution:controlled ended:precaution:controlled started:sealed:sealed" {
			t.Fatalf("timeline %s", got)
		}
		if first.Zone.Place.ID != tr.bld2.ID {
			t.Fatalf("first zone on %d", first.Zone.Place.ID)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'zone' AND actor = 'zhangbin'`); n != 4 {
			t.Fatalf("%d audit entries for 3 zones started and 1 ended", n)
		}
	})
}

// TestZoneService_Rules checks that the migration's rules are the
// defaults, that editing makes a new version and keeps the old, and that
// a zone records the version it was decided under.
func TestZoneService_Rules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewZoneService(db)
		tr := buildTree(t, db)
		rules, err := s.ZoneRules(ctx)
		if err != nil || len(rules) != 3 {
			t.Fatalf("rules %v, %v", rules, err)
		}
		for i, def := range frontline.DefaultZoneRules() {
			got := *rules[i]
			got.ID, got.CreatedAt, got.CreatedBy = 0, time.Time{}, ""
			if got != *def {
				t.Errorf("stored rule %+v\ndiffers from the default %+v", got, *def)
			}
		}
		before := mustZone(t, s, ctx, tr.comp1, frontline.LevelSealed).Zone

		edit := *rules[0]
		edit.StepDown.Days, edit.PoolPerHousehold, edit.Note = 5, true, "2022年11月：楼栋划定，5天无新增解封"
		wantCode(t, "secretary edits the rules", s.UpdateZoneRule(as(frontline.RoleCommunitySecretary, tr.comm1), &edit), frontline.EFORBIDDEN)
		wantCode(t, "volunteer edits the rules", s.UpdateZoneRule(as(frontline.RoleVolunteer, tr.city), &edit), frontline.EFORBIDDEN)
		if err := s.UpdateZoneRule(as(frontline.RoleCityAdmin, tr.city), &edit); err != nil {
			t.Fatal(err)
		}
		if edit.Version != 2 || edit.ID == rules[0].ID || edit.CreatedBy != "as_city_admin" {
			t.Fatalf("new version %+v", edit)
		}
		versions, err := s.ZoneRuleVersions(ctx, frontline.LevelSealed)
		if err != nil || len(versions) != 2 || versions[0].StepDown.Days != 5 || versions[1].StepDown.Days != 7 {
			t.Fatalf("versions %v, %v", versions, err)
		}
		after := mustZone(t, s, ctx, tr.comp2, frontline.LevelSealed).Zone
		if after.RuleVersion != 2 || after.RuleID != edit.ID {
			t.Fatalf("new zone under rule %d v%d", after.RuleID, after.RuleVersion)
		}
		again, _ := s.FindZoneByID(ctx, before.ID)
		if again.RuleVersion != 1 || again.RuleID != rules[0].ID {
			t.Fatalf("the earlier zone now says rule v%d", again.RuleVersion)
		}
		if st, _ := s.EffectiveLevel(ctx, tr.hh[0].ID); st.Rule.Version != 2 || st.Rule.Tube(3) != 3 {
			t.Fatalf("status carries rule v%d", st.Rule.Version)
		}
		bad := *rules[1]
		bad.PoolSize = 0
		wantCode(t, "invalid rule", s.UpdateZoneRule(ctx, &bad), frontline.EINVALID)
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'zone_rule' AND action = 'create'`); n != 1 {
			t.Fatalf("%d audit entries for one rule edit", n)
		}
	})
}
