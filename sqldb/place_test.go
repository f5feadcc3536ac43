package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// mustPlace creates a place and fails the test on error.
func mustPlace(tb testing.TB, db *sqldb.DB, parent int64, kind frontline.PlaceKind, name string) *frontline.Place {
	tb.Helper()
	p := &frontline.Place{ParentID: parent, Kind: kind, Name: name}
	if err := sqldb.NewPlaceService(db).CreatePlace(context.Background(), p); err != nil {
		tb.Fatalf("create %s %s: %v", kind, name, err)
	}
	return p
}

// tree is a small tree: city > district > subdistrict > two communities,
// each with a compound, a building and two households.
type tree struct {
	city, district, sub, comm1, comm2, comp1, comp2, bld1, bld2 *frontline.Place
	hh                                                          []*frontline.Place // hh[0], hh[1] in bld1; hh[2], hh[3] in bld2
}

func buildTree(tb testing.TB, db *sqldb.DB) *tree {
	t := &tree{}
	t.city = mustPlace(tb, db, 0, frontline.KindCity, "天水市")
	t.district = mustPlace(tb, db, t.city.ID, frontline.KindDistrict, "秦州区")
	t.sub = mustPlace(tb, db, t.district.ID, frontline.KindSubdistrict, "大城街道")
	t.comm1 = mustPlace(tb, db, t.sub.ID, frontline.KindCommunity, "罗玉新村社区")
	t.comm2 = mustPlace(tb, db, t.sub.ID, frontline.KindCommunity, "自治巷社区")
	t.comp1 = mustPlace(tb, db, t.comm1.ID, frontline.KindCompound, "枣园小区")
	t.comp2 = mustPlace(tb, db, t.comm2.ID, frontline.KindCompound, "忠义巷小区")
	t.bld1 = mustPlace(tb, db, t.comp1.ID, frontline.KindBuilding, "1号楼")
	t.bld2 = mustPlace(tb, db, t.comp2.ID, frontline.KindBuilding, "2号楼")
	for _, b := range []*frontline.Place{t.bld1, t.bld1, t.bld2, t.bld2} {
		t.hh = append(t.hh, mustPlace(tb, db, b.ID, frontline.KindHousehold, []string{"101", "102"}[len(t.hh)%2]))
	}
	return t
}

func place(tb testing.TB, db *sqldb.DB, id int64) *frontline.Place {
	tb.Helper()
	p, err := sqldb.NewPlaceService(db).FindPlaceByID(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestPlaceService_CreatePlace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewPlaceService(db)
		tr := buildTree(t, db)
		if want := frontline.ChildPath(tr.comm1.Path, tr.comp1.ID); tr.comp1.Path != want {
			t.Fatalf("path = %q, want %q", tr.comp1.Path, want)
		}
		if got := place(t, db, tr.city.ID).Households; got != 4 {
			t.Fatalf("city households = %d, want 4", got)
		}
		t.Run("ErrKind", func(t *testing.T) {
			err := s.CreatePlace(ctx, &frontline.Place{ParentID: tr.bld1.ID, Kind: frontline.KindCommunity, Name: "x"})
			if frontline.ErrorCode(err) != frontline.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
		t.Run("ErrDuplicateSibling", func(t *testing.T) {
			err := s.CreatePlace(ctx, &frontline.Place{ParentID: tr.sub.ID, Kind: frontline.KindCommunity, Name: "罗玉新村社区"})
			if frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("err = %v, want ECONFLICT", err)
			}
		})
		t.Run("ErrParentNotFound", func(t *testing.T) {
			err := s.CreatePlace(ctx, &frontline.Place{ParentID: 99999, Kind: frontline.KindCommunity, Name: "x"})
			if frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Fatalf("err = %v, want ENOTFOUND", err)
			}
		})
		t.Run("FindByPath", func(t *testing.T) {
			p, err := s.FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区")
			if err != nil || p.ID != tr.comm1.ID {
				t.Fatalf("got %v, %v; want %d", p, err, tr.comm1.ID)
			}
			if _, err := s.FindPlaceByPath(ctx, "天水市/秦州区/没有街道"); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Fatalf("err = %v, want ENOTFOUND", err)
			}
		})
		t.Run("Subtree", func(t *testing.T) {
			under := tr.comm1.ID
			places, total, err := s.FindPlaces(ctx, frontline.PlaceFilter{Under: &under})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, p := range places {
				ids = append(ids, p.ID)
			}
			want := []int64{tr.comp1.ID, tr.bld1.ID, tr.hh[0].ID, tr.hh[1].ID}
			if total != 4 || !slices.Equal(ids, want) {
				t.Fatalf("subtree = %v (total %d), want %v", ids, total, want)
			}
		})
	})
}

func TestPlaceService_MovePlace(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewPlaceService(db)
		ps := sqldb.NewPersonService(db)
		tr := buildTree(t, db)
		for i, hh := range tr.hh {
			mustPerson(t, db, hh.ID, "居民"+string(rune('甲'+i)), i%2 == 0)
		}
		// Move 枣园小区 (with its building and households) to 自治巷社区.
		moved, err := s.MovePlace(ctx, tr.comp1.ID, tr.comm2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := frontline.ChildPath(tr.comm2.Path, tr.comp1.ID); moved.Path != want {
			t.Fatalf("moved path = %q, want %q", moved.Path, want)
		}
		for _, id := range []int64{tr.bld1.ID, tr.hh[0].ID, tr.hh[1].ID} {
			p := place(t, db, id)
			if want := moved.Path; len(p.Path) <= len(want) || p.Path[:len(want)] != want {
				t.Fatalf("descendant %d path %q not under %q", id, p.Path, want)
			}
		}
		if c := place(t, db, tr.comm1.ID); c.Residents != 0 || c.Households != 0 || c.Vulnerable != 0 {
			t.Fatalf("old community counts = %d/%d/%d, want zeros", c.Households, c.Residents, c.Vulnerable)
		}
		if c := place(t, db, tr.comm2.ID); c.Residents != 4 || c.Households != 4 || c.Vulnerable != 2 {
			t.Fatalf("new community counts = %d/%d/%d, want 4/4/2", c.Households, c.Residents, c.Vulnerable)
		}
		if c := place(t, db, tr.city.ID); c.Residents != 4 {
			t.Fatalf("city residents = %d, want 4", c.Residents)
		}
		// Persons are found under the new ancestor.
		under := tr.comm2.ID
		_, total, err := ps.FindPersons(ctx, frontline.PersonFilter{Under: &under})
		if err != nil || total != 4 {
			t.Fatalf("persons under new community = %d, %v; want 4", total, err)
		}
		t.Run("ErrIntoOwnSubtree", func(t *testing.T) {
			_, err := s.MovePlace(ctx, tr.comm2.ID, tr.bld1.ID)
			if frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("err = %v, want ECONFLICT", err)
			}
		})
		t.Run("Rename", func(t *testing.T) {
			name := "枣园新村小区"
			p, err := s.UpdatePlace(ctx, tr.comp1.ID, frontline.PlaceUpdate{Name: &name})
			if err != nil || p.Name != name || p.Path != moved.Path {
				t.Fatalf("rename: %v %v", p, err)
			}
		})
		assertCountsMatchRecount(t, db)
	})
}
