package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestPlaceService_AddPath(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewPlaceService(db)
		path := frontline.SplitPlacePath("天水市/秦州区/大城街道/罗玉新村社区")
		p, n, err := s.AddPath(ctx, path, "", "620502001001")
		if err != nil || n != 4 || p.Kind != frontline.KindCommunity || p.Code != "620502001001" {
			t.Fatalf("first add: %+v, %d created, %v", p, n, err)
		}
		again, n, err := s.AddPath(ctx, path, "", "")
		if err != nil || n != 0 || again.ID != p.ID {
			t.Fatalf("adding it again: %+v, %d created, %v; want the same node and nothing created", again, n, err)
		}
		kinds := []frontline.PlaceKind{}
		for _, a := range mustAncestors(t, s, p.ID) {
			kinds = append(kinds, a.Kind)
		}
		if strings.Join(kindNames(kinds), ",") != "city,district,subdistrict" {
			t.Fatalf("kinds by depth: %v", kinds)
		}
		t.Run("SkipLevel", func(t *testing.T) {
			hh, n, err := s.AddPath(ctx, frontline.SplitPlacePath("天水市/秦州区/大城街道/罗玉新村社区/枣园小区/3号楼/501"), frontline.KindHousehold, "")
			if err != nil || n != 3 || hh.Kind != frontline.KindHousehold || place(t, db, hh.ParentID).Kind != frontline.KindBuilding {
				t.Fatalf("household under a building: %+v, %d, %v", hh, n, err)
			}
			if c := place(t, db, p.ID); c.Households != 1 {
				t.Fatalf("community households = %d, want 1", c.Households)
			}
		})
		t.Run("CodeOfExisting", func(t *testing.T) {
			sub, n, err := s.AddPath(ctx, path[:3], "", "620502001")
			if err != nil || n != 0 || sub.Code != "620502001000" {
				t.Fatalf("code given to an existing node: %+v, %d, %v", sub, n, err)
			}
			if _, _, err := s.AddPath(ctx, path[:3], "", "620502002000"); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("another code: err = %v, want ECONFLICT", err)
			}
		})
		t.Run("ErrCode", func(t *testing.T) {
			if _, _, err := s.AddPath(ctx, path[:2], "", "620502"); err != nil {
				t.Fatal(err)
			}
			for _, tt := range []struct{ path, code, want string }{
				{"天水市/秦州区/中城街道", "620503002000", "does not start with 620502"},
				{"天水市/秦州区/中城街道", "62050200200", "has 11 digits"},
				{"天水市/秦州区/中城街道", "620502002001", "the code of a community, not of a subdistrict"},
				{"兰州市", "620000000000", "the code of a province"},
			} {
				_, _, err := s.AddPath(ctx, frontline.SplitPlacePath(tt.path), "", tt.code)
				if frontline.ErrorField(err) != "code" || !strings.Contains(frontline.ErrorMessage(err), tt.want) {
					t.Errorf("%s --code %s: err = %v, want code: …%s…", tt.path, tt.code, err, tt.want)
				}
			}
			if _, err := s.FindPlaceByPath(ctx, "天水市/秦州区/中城街道"); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Fatalf("a refused path left %v behind", err)
			}
		})
		t.Run("ErrKindOfExisting", func(t *testing.T) {
			if _, _, err := s.AddPath(ctx, path, frontline.KindCompound, ""); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("err = %v, want ECONFLICT", err)
			}
		})
		t.Run("ErrBelowHousehold", func(t *testing.T) {
			_, _, err := s.AddPath(ctx, frontline.SplitPlacePath("天水市/秦州区/大城街道/罗玉新村社区/枣园小区/3号楼/2单元/101/里屋"), "", "")
			if frontline.ErrorCode(err) != frontline.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
		assertCountsMatchRecount(t, db)
	})
}

func mustAncestors(tb testing.TB, s *sqldb.PlaceService, id int64) []*frontline.Place {
	tb.Helper()
	a, err := s.Ancestors(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func kindNames(ks []frontline.PlaceKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

func TestPlaceService_RetirePlace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newScreening(t, db) // an open campaign over the subdistrict
		tr, places, persons := s.tr, sqldb.NewPlaceService(db), sqldb.NewPersonService(db)
		t.Run("ErrResidents", func(t *testing.T) {
			_, err := places.RetirePlace(ctx, tr.hh[0].ID)
			if frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(err.Error(), "1 residents") {
				t.Fatalf("err = %v, want ECONFLICT about its residents", err)
			}
		})
		t.Run("ErrToVisit", func(t *testing.T) {
			_, err := places.RetirePlace(ctx, tr.hh[1].ID)
			if frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(err.Error(), "返乡人员摸排") {
				t.Fatalf("err = %v, want ECONFLICT naming the open campaign", err)
			}
		})
		// Once the door is recorded as vacant, and the one resident of
		// the other has moved out, the building may go.
		s.visit(t, ctx, tr.hh[1], frontline.OutcomeVacant)
		for _, hh := range s.unitHH {
			s.visit(t, ctx, hh, frontline.OutcomeVacant)
		}
		s.visit(t, ctx, tr.hh[0], frontline.OutcomeScreened, frontline.VisitPerson{PersonID: s.resID.ID, Present: true})
		out := frontline.StatusMovedOut
		if _, err := persons.UpdatePerson(ctx, s.resID.ID, frontline.PersonUpdate{Status: &out}); err != nil {
			t.Fatal(err)
		}
		zones := sqldb.NewZoneService(db)
		mustZone(t, zones, ctx, tr.bld1, frontline.LevelPrecaution)
		if _, err := places.RetirePlace(ctx, tr.bld1.ID); frontline.ErrorCode(err) != frontline.ECONFLICT || !strings.Contains(err.Error(), "zone") {
			t.Fatalf("err = %v, want ECONFLICT about the zone", err)
		}
		z, _, err := zones.FindZones(ctx, frontline.ZoneFilter{})
		if err != nil || len(z) != 1 {
			t.Fatalf("zones: %v %v", z, err)
		}
		if _, err := zones.StepDownZone(ctx, z[0].ID, frontline.StepDown{Lift: true, Reason: "楼栋拆除", Override: true}); err != nil {
			t.Fatal(err)
		}
		before := place(t, db, tr.city.ID).Households
		got, err := places.RetirePlace(ctx, tr.bld1.ID)
		if err != nil || !got.Retired() {
			t.Fatalf("retire: %+v, %v", got, err)
		}
		if after := place(t, db, tr.city.ID).Households; after != before-4 {
			t.Fatalf("city households %d after retiring a building of 4, was %d", after, before)
		}
		assertAllCounts(t, db)
		under := tr.comp1.ID
		if kids, n, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &under}); err != nil || n != 0 {
			t.Fatalf("a retired building is still listed: %d %v %v", n, kids, err)
		}
		if all, n, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &under, IncludeRetired: true}); err != nil || n != 6 || !all[0].Retired() {
			t.Fatalf("with IncludeRetired: %d, %v", n, err)
		}
		if _, err := places.FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区/枣园小区/1号楼"); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("found a retired building by its path: %v", err)
		}
		// Its history stays readable: the person who moved out still
		// points at their household.
		if _, err := persons.FindPersonByID(ctx, s.resID.ID); err != nil {
			t.Fatal(err)
		}
		t.Run("ErrNothingNew", func(t *testing.T) {
			err := persons.CreatePerson(ctx, &frontline.Person{HouseholdID: tr.hh[0].ID, Name: "新人", IDNumber: testID()})
			if frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "household_id" {
				t.Fatalf("a person added to a retired household: %v", err)
			}
			if _, err := places.MovePlace(ctx, tr.bld2.ID, tr.bld1.ID); frontline.ErrorCode(err) == "" {
				t.Fatal("moved a place under a retired one")
			}
			if _, err := places.RetirePlace(ctx, tr.bld1.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("retired twice: %v", err)
			}
		})
		t.Run("NameFreeAgain", func(t *testing.T) {
			rebuilt := mustPlace(t, db, tr.comp1.ID, frontline.KindBuilding, "1号楼")
			if p, err := places.FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区/枣园小区/1号楼"); err != nil || p.ID != rebuilt.ID {
				t.Fatalf("the rebuilt building: %v %v", p, err)
			}
		})
		assertAllCounts(t, db)
	})
}

// TestPlaceService_PrincipalRules: a user changes the office's own levels
// under their scope, never an administrative level or their own node.
func TestPlaceService_PrincipalRules(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		s := sqldb.NewPlaceService(db)
		staff := as(frontline.RoleCommunityStaff, tr.comm1)
		for _, tt := range []struct {
			name string
			code string
			call func() error
		}{
			{"CreateCommunity", frontline.EFORBIDDEN, func() error {
				return s.CreatePlace(staff, &frontline.Place{ParentID: tr.comm1.ID, Kind: frontline.KindCompound, Name: "新小区"})
			}},
			{"RenameOwnScope", frontline.EFORBIDDEN, func() error {
				name := "新名"
				_, err := s.UpdatePlace(staff, tr.comm1.ID, frontline.PlaceUpdate{Name: &name})
				return err
			}},
			{"MoveOutOfScope", frontline.ENOTFOUND, func() error {
				_, err := s.MovePlace(staff, tr.bld1.ID, tr.comp2.ID)
				return err
			}},
			{"RetireOutOfScope", frontline.ENOTFOUND, func() error {
				_, err := s.RetirePlace(staff, tr.bld2.ID)
				return err
			}},
			{"GridWorkerRetiresOwnBuilding", frontline.EFORBIDDEN, func() error {
				_, err := s.RetirePlace(as(frontline.RoleGridWorker, tr.bld1), tr.bld1.ID)
				return err
			}},
			{"VolunteerRenames", frontline.EFORBIDDEN, func() error {
				name := "x"
				_, err := s.UpdatePlace(as(frontline.RoleVolunteer, tr.comm1), tr.bld1.ID, frontline.PlaceUpdate{Name: &name})
				return err
			}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.call()
				if tt.name == "CreateCommunity" {
					// A compound under one's community is fine; a
					// community is not.
					if err != nil {
						t.Fatalf("create a compound: %v", err)
					}
					err = s.CreatePlace(staff, &frontline.Place{ParentID: tr.sub.ID, Kind: frontline.KindCommunity, Name: "新社区"})
					if frontline.ErrorCode(err) == frontline.ENOTFOUND {
						err = s.CreatePlace(as(frontline.RoleSubdistrictAdmin, tr.sub),
							&frontline.Place{ParentID: tr.sub.ID, Kind: frontline.KindCommunity, Name: "新社区"})
					}
				}
				if frontline.ErrorCode(err) != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
			})
		}
		name := "枣园新村"
		if p, err := s.UpdatePlace(staff, tr.comp1.ID, frontline.PlaceUpdate{Name: &name}); err != nil || p.Name != name {
			t.Fatalf("rename a compound of one's community: %v %v", p, err)
		}
	})
}
