package sqldb_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// distributionFixture is the test tree with a third building (two units,
// three households) in 忠义巷小区 and a distribution over the subdistrict
// started by its secretary.
type distributionFixture struct {
	db   *sqldb.DB
	tr   *tree
	s    *sqldb.DistributionService
	ctx  context.Context
	bld3 *frontline.Place
	hh3  []*frontline.Place
	d    *frontline.Distribution
}

func newDistribution(t *testing.T, db *sqldb.DB) *distributionFixture {
	t.Helper()
	clock(db)
	f := &distributionFixture{db: db, tr: buildTree(t, db), s: sqldb.NewDistributionService(db)}
	f.bld3 = mustPlace(t, db, f.tr.comp2.ID, frontline.KindBuilding, "3号楼")
	for _, u := range []string{"1单元", "2单元"} {
		unit := mustPlace(t, db, f.bld3.ID, frontline.KindUnit, u)
		f.hh3 = append(f.hh3, mustPlace(t, db, unit.ID, frontline.KindHousehold, "101"))
	}
	f.hh3 = append(f.hh3, mustPlace(t, db, f.hh3[1].ParentID, frontline.KindHousehold, "102"))
	f.ctx = as(frontline.RoleSubdistrictAdmin, f.tr.sub)
	f.d = &frontline.Distribution{Name: "第一批保供包", Contents: "蔬菜包 10斤", ScopeID: f.tr.sub.ID}
	if err := f.s.StartDistribution(f.ctx, f.d); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *distributionFixture) mark(t *testing.T, ctx context.Context, hh *frontline.Place, st frontline.HandoutStatus, reason string) {
	t.Helper()
	if _, err := f.s.Mark(ctx, &frontline.HandoutMark{DistributionID: f.d.ID, HouseholdID: hh.ID, Status: st, Reason: reason}); err != nil {
		t.Fatalf("mark %s %s: %v", hh.Name, st, err)
	}
}

// TestDistributionFreeze: starting freezes the households under the scope
// with the tree's counts; one created after the start is not in it until
// it is added by hand (NewHouseholds lists it until then), which is
// recorded and counted.
func TestDistributionFreeze(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		if f.d.Households != 7 || f.d.Status != frontline.DistributionOpen {
			t.Fatalf("started: %+v", f.d)
		}
		late := mustPlace(t, db, f.tr.bld2.ID, frontline.KindHousehold, "103")
		top, _, err := f.s.Progress(f.ctx, f.d.ID, 0)
		if err != nil || top.Households != 7 || top.Pending() != 7 {
			t.Fatalf("progress after a household moved in: %+v, %v", top, err)
		}
		hs, total, err := f.s.FindHandouts(f.ctx, f.d.ID, frontline.HandoutFilter{})
		if err != nil || total != 7 || slices.ContainsFunc(hs, func(h *frontline.Handout) bool { return h.HouseholdID == late.ID }) {
			t.Fatalf("households: %d, %v", total, err)
		}
		if news, err := f.s.NewHouseholds(f.ctx, f.d.ID, 0); err != nil || len(news) != 1 || news[0].ID != late.ID {
			t.Fatalf("new households: %v, %v", news, err)
		}
		if news, err := f.s.NewHouseholds(f.ctx, f.d.ID, f.bld3.ID); err != nil || len(news) != 0 {
			t.Fatalf("new households of a building without any: %v, %v", news, err)
		}
		if _, err := f.s.NewHouseholds(as(frontline.RoleVolunteer, f.tr.comp2), f.d.ID, 0); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a volunteer lists new households: %v", err)
		}
		if err := f.s.AddHousehold(as(frontline.RoleVolunteer, f.tr.comp2), f.d.ID, late.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a volunteer adds a household: %v", err)
		}
		if err := f.s.AddHousehold(f.ctx, f.d.ID, late.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.s.AddHousehold(f.ctx, f.d.ID, late.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("added twice: %v", err)
		}
		if news, err := f.s.NewHouseholds(f.ctx, f.d.ID, 0); err != nil || len(news) != 0 {
			t.Fatalf("new households once added: %v, %v", news, err)
		}
		hs, _, _ = f.s.FindHandouts(f.ctx, f.d.ID, frontline.HandoutFilter{HouseholdID: &late.ID})
		if len(hs) != 1 || !hs[0].AddedLate || hs[0].AddedBy == "" || hs[0].Building != "2号楼" {
			t.Fatalf("the added household: %+v", hs)
		}
		for _, n := range []*frontline.Place{f.tr.sub, f.tr.comp2, f.tr.bld2} {
			p, _, _ := f.s.Progress(f.ctx, f.d.ID, n.ID)
			if want := map[int64]int{f.tr.sub.ID: 8, f.tr.comp2.ID: 6, f.tr.bld2.ID: 3}[n.ID]; p.Households != want {
				t.Fatalf("%s households = %d, want %d", n.Name, p.Households, want)
			}
		}
		d, _ := f.s.FindDistributionByID(f.ctx, f.d.ID)
		if d.Households != 8 {
			t.Fatalf("distribution households = %d", d.Households)
		}
	})
}

// TestDistributionProgress: marks move the counters of every node from
// the scope to the building, per building; a correction moves them back;
// nobody home stays pending and counts attempts; the same final mark
// twice acts once; a reason is needed to take a household off.
func TestDistributionProgress(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		vol := as(frontline.RoleVolunteer, f.tr.comp2)
		f.mark(t, vol, f.hh3[0], frontline.HandoutDelivered, "")
		f.mark(t, vol, f.hh3[0], frontline.HandoutDelivered, "")
		f.mark(t, vol, f.hh3[1], frontline.HandoutNotHome, "")
		f.mark(t, vol, f.hh3[1], frontline.HandoutNotHome, "")
		f.mark(t, vol, f.tr.hh[2], frontline.HandoutRefused, "")
		if _, err := f.s.Mark(vol, &frontline.HandoutMark{DistributionID: f.d.ID, HouseholdID: f.tr.hh[3].ID,
			Status: frontline.HandoutNotApplicable}); frontline.ErrorField(err) != "reason" {
			t.Fatalf("not applicable without a reason: %v", err)
		}
		f.mark(t, vol, f.tr.hh[3], frontline.HandoutMovedOut, "搬走了")
		if _, err := f.s.Mark(vol, &frontline.HandoutMark{DistributionID: f.d.ID, HouseholdID: f.tr.hh[0].ID,
			Status: frontline.HandoutDelivered}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a volunteer of 忠义巷小区 marks a door of 枣园小区: %v", err)
		}
		top, kids, err := f.s.Progress(f.ctx, f.d.ID, f.tr.comp2.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := frontline.DistributionProgress{PlaceID: f.tr.comp2.ID, Name: "忠义巷小区", Kind: frontline.KindCompound,
			Households: 5, Delivered: 1, Refused: 1, NotHome: 1, MovedOut: 1}
		if *top != want || top.Pending() != 2 || len(kids) != 2 || kids[0].Name != "2号楼" || kids[1].Name != "3号楼" {
			t.Fatalf("compound: %+v (pending %d); buildings %+v", top, top.Pending(), kids)
		}
		if kids[1].Households != 3 || kids[1].Delivered != 1 || kids[1].Pending() != 2 || kids[0].Pending() != 0 {
			t.Fatalf("per building: %+v %+v", kids[0], kids[1])
		}
		hs, _, _ := f.s.FindHandouts(f.ctx, f.d.ID, frontline.HandoutFilter{HouseholdID: &f.hh3[1].ID})
		if hs[0].Attempts != 2 || hs[0].Status != frontline.HandoutNotHome || hs[0].Unit != "2单元" || hs[0].Building != "3号楼" {
			t.Fatalf("not home twice: %+v", hs[0])
		}
		hs, _, _ = f.s.FindHandouts(f.ctx, f.d.ID, frontline.HandoutFilter{HouseholdID: &f.hh3[0].ID})
		if hs[0].Attempts != 1 || hs[0].MarkedBy == "" || hs[0].MarkedAt.IsZero() {
			t.Fatalf("delivered twice acts once: %+v", hs[0])
		}
		// A correction: the refusal was a mistake, the parcel went in.
		f.mark(t, vol, f.tr.hh[2], frontline.HandoutDelivered, "")
		top, _, _ = f.s.Progress(f.ctx, f.d.ID, 0)
		if top.Delivered != 2 || top.Refused != 0 || top.Households != 7 {
			t.Fatalf("after a correction: %+v", top)
		}
		if got := count(t, db, `SELECT SUM(delivered) FROM distribution_days WHERE distribution_id = ? AND place_id = ?`,
			f.d.ID, f.tr.sub.ID); got != 2 {
			t.Fatalf("delivered today at the scope = %d", got)
		}
		// A list's total comes from the node's counters (counted for a
		// node without them, a household): the same as its rows.
		for _, c := range []struct {
			ctx    context.Context
			unders []int64
		}{{f.ctx, []int64{f.tr.sub.ID, f.tr.comp2.ID, f.bld3.ID, f.hh3[1].ID}}, {vol, []int64{f.tr.comp2.ID, f.bld3.ID}}} {
			for _, under := range c.unders {
				for _, pending := range []bool{true, false} {
					hs, total, err := f.s.FindHandouts(c.ctx, f.d.ID, frontline.HandoutFilter{Under: &under, OnlyPending: pending})
					if err != nil || total != len(hs) || len(hs) == 0 && under != f.hh3[1].ID {
						t.Fatalf("under %d pending %v: %d rows, total %d, %v", under, pending, len(hs), total, err)
					}
				}
			}
		}
	})
}

// TestDistributionClose: a close is refused while doors are unserved,
// saying how many and where; it is allowed once every door has a final
// status, and nothing is marked after it.
func TestDistributionClose(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		all := append(append([]*frontline.Place{}, f.tr.hh...), f.hh3...)
		for _, hh := range all[:5] {
			f.mark(t, f.ctx, hh, frontline.HandoutDelivered, "")
		}
		f.mark(t, f.ctx, all[5], frontline.HandoutNotHome, "")
		if _, err := f.s.CloseDistribution(as(frontline.RoleCommunitySecretary, f.tr.comm2), f.d.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a community's secretary closes the subdistrict's distribution: %v", err)
		}
		_, err := f.s.CloseDistribution(f.ctx, f.d.ID)
		if frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "pending" ||
			!strings.Contains(err.Error(), "2 households") || !strings.Contains(err.Error(), "自治巷社区 2") {
			t.Fatalf("close with 2 doors unserved: %v", err)
		}
		f.mark(t, f.ctx, all[5], frontline.HandoutDelivered, "")
		f.mark(t, f.ctx, all[6], frontline.HandoutNotApplicable, "空置房")
		d, err := f.s.CloseDistribution(f.ctx, f.d.ID)
		if err != nil || d.Status != frontline.DistributionClosed || d.ClosedBy == "" {
			t.Fatalf("close: %+v, %v", d, err)
		}
		if _, err := f.s.Mark(f.ctx, &frontline.HandoutMark{DistributionID: f.d.ID, HouseholdID: all[0].ID,
			Status: frontline.HandoutRefused}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a mark after closing: %v", err)
		}
	})
}

// TestDistributionNeeds: a household's needs (halal, diabetic) and its
// residents' flags (an infant) are on its line of the list; an unknown
// need is refused.
func TestDistributionNeeds(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		baby := &frontline.Person{HouseholdID: f.hh3[0].ID, Name: "张小宝", IDNumber: testID(), Flags: []frontline.Flag{frontline.FlagInfant}}
		if err := sqldb.NewPersonService(db).CreatePerson(context.Background(), baby); err != nil {
			t.Fatal(err)
		}
		staff := as(frontline.RoleCommunityStaff, f.tr.comm2)
		if err := f.s.SetHouseholdNeeds(staff, f.hh3[0].ID, []frontline.HouseholdNeed{"vegan"}); frontline.ErrorField(err) != "needs" {
			t.Fatalf("an unknown need: %v", err)
		}
		if err := f.s.SetHouseholdNeeds(staff, f.hh3[0].ID, []frontline.HouseholdNeed{frontline.NeedDiabetic, frontline.NeedHalal}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.SetHouseholdNeeds(staff, f.tr.hh[0].ID, []frontline.HouseholdNeed{frontline.NeedHalal}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("needs of a household outside the scope: %v", err)
		}
		hs, _, err := f.s.FindHandouts(staff, f.d.ID, frontline.HandoutFilter{OnlyPending: true, Under: &f.bld3.ID})
		if err != nil || len(hs) != 3 {
			t.Fatalf("gap list: %v, %v", hs, err)
		}
		if want := []string{"need.halal", "need.diabetic", "flag.infant"}; !slices.Equal(hs[0].Needs, want) {
			t.Fatalf("needs = %v, want %v", hs[0].Needs, want)
		}
		got, _ := f.s.HouseholdNeeds(staff, f.hh3[0].ID)
		if len(got) != 2 {
			t.Fatalf("needs read back: %v", got)
		}
		if err := f.s.SetHouseholdNeeds(staff, f.hh3[0].ID, nil); err != nil {
			t.Fatal(err)
		}
		hs, _, _ = f.s.FindHandouts(staff, f.d.ID, frontline.HandoutFilter{HouseholdID: &f.hh3[0].ID})
		if !slices.Equal(hs[0].Needs, []string{"flag.infant"}) {
			t.Fatalf("needs cleared: %v", hs[0].Needs)
		}
	})
}

// TestDistributionScope: a community's staff see their part of a
// subdistrict's distribution and its gap list, not another community's;
// a shop sees none; one outside the scope cannot start one there.
func TestDistributionScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		staff := as(frontline.RoleCommunityStaff, f.tr.comm2)
		top, _, err := f.s.Progress(staff, f.d.ID, 0)
		if err != nil || top.PlaceID != f.tr.comm2.ID || top.Households != 5 {
			t.Fatalf("the staff's part: %+v, %v", top, err)
		}
		if _, _, err := f.s.Progress(staff, f.d.ID, f.tr.comm1.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community's progress: %v", err)
		}
		_, total, err := f.s.FindHandouts(staff, f.d.ID, frontline.HandoutFilter{OnlyPending: true})
		if err != nil || total != 5 {
			t.Fatalf("the staff's gap list: %d, %v", total, err)
		}
		if _, _, err := f.s.FindDistributions(as(frontline.RoleShop, f.tr.comm2), 0, 0, 10); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a shop lists distributions: %v", err)
		}
		list, _, err := f.s.FindDistributions(as(frontline.RoleCommunityStaff, f.tr.comm1), 0, 0, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("a community sees the subdistrict's distribution: %v, %v", list, err)
		}
		own := &frontline.Distribution{Name: "枣园小区专供", Contents: "米面油", ScopeID: f.tr.comp2.ID}
		if err := f.s.StartDistribution(as(frontline.RoleCommunityStaff, f.tr.comm1), own); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a distribution outside the scope: %v", err)
		}
		if err := f.s.StartDistribution(as(frontline.RoleGridWorker, f.tr.comm2), own); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a grid worker starts a distribution: %v", err)
		}
		if err := f.s.StartDistribution(staff, own); err != nil || own.Households != 5 {
			t.Fatalf("the staff's own: %+v, %v", own, err)
		}
		list, _, _ = f.s.FindDistributions(as(frontline.RoleCommunityStaff, f.tr.comm1), 0, 0, 10)
		if len(list) != 1 {
			t.Fatalf("another community sees 忠义巷小区's distribution: %d", len(list))
		}
	})
}

// TestDistributionMove: a building moved within an open distribution's
// area is refused; once it is closed the move goes through.
func TestDistributionMove(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		places := sqldb.NewPlaceService(db)
		if _, err := places.MovePlace(context.Background(), f.bld3.ID, f.tr.comp1.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a move within an open distribution: %v", err)
		}
		hs, _, _ := f.s.FindHandouts(f.ctx, f.d.ID, frontline.HandoutFilter{})
		for _, h := range hs {
			if _, err := f.s.Mark(f.ctx, &frontline.HandoutMark{DistributionID: f.d.ID, HouseholdID: h.HouseholdID,
				Status: frontline.HandoutDelivered}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.s.CloseDistribution(f.ctx, f.d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := places.MovePlace(context.Background(), f.bld3.ID, f.tr.comp1.ID); err != nil {
			t.Fatalf("a move once the distribution is closed: %v", err)
		}
	})
}

// TestDistributionDashboard: the households a distribution served today
// are on the dashboard's "households supplied" chart of every node above
// them, a parent's the sum of its children's, and a correction takes one
// back.
func TestDistributionDashboard(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		for _, hh := range []*frontline.Place{f.tr.hh[0], f.tr.hh[2], f.hh3[0]} {
			f.mark(t, f.ctx, hh, frontline.HandoutDelivered, "")
		}
		f.mark(t, f.ctx, f.hh3[0], frontline.HandoutRefused, "")
		ds := sqldb.NewDailyReportService(db)
		city := as(frontline.RoleCityAdmin, f.tr.city)
		today := func(n *frontline.Place) int {
			d, err := ds.Dashboard(city, n.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Supplied) != frontline.DashboardDays {
				t.Fatalf("%d days", len(d.Supplied))
			}
			return d.Supplied[len(d.Supplied)-1].Distributed
		}
		if a, b, c, d := today(f.tr.city), today(f.tr.sub), today(f.tr.comm1), today(f.tr.comm2); a != 2 || b != 2 || c != 1 || d != 1 {
			t.Fatalf("supplied today: city %d, subdistrict %d, communities %d + %d", a, b, c, d)
		}
		if n := today(f.tr.comp2); n != 1 {
			t.Fatalf("忠义巷小区 supplied today %d", n)
		}
	})
}

// TestDistributionDoorsKeptAndEmpty: the door list says which households
// take the package at the door whatever their building's zone (a resident
// who is a case, the household contacts under home isolation) and which
// have nobody registered living there (all moved out, or none registered).
func TestDistributionDoorsKeptAndEmpty(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newDistribution(t, db)
		mustPerson(t, db, f.tr.hh[2].ID, "李梅", false)
		patient := mustPerson(t, db, f.tr.hh[3].ID, "王强", false)
		mustPerson(t, db, f.tr.hh[3].ID, "王丽", false)
		gone := mustPerson(t, db, f.hh3[0].ID, "赵迁", false)
		if _, err := sqldb.NewCaseService(db).ReportCase(f.ctx, &frontline.CaseReport{PersonID: patient.ID, Source: frontline.SourceHospital,
			ExternalRef: "H-1", Reporter: "市第一人民医院", ConfirmedAt: db.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewPersonService(db).UpdatePerson(f.ctx, gone.ID, frontline.PersonUpdate{Status: ptr(frontline.StatusMovedOut)}); err != nil {
			t.Fatal(err)
		}
		hs, _, err := f.s.FindHandouts(f.ctx, f.d.ID, frontline.HandoutFilter{Under: &f.tr.comp2.ID})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, h := range hs {
			got[h.HouseholdID] = fmt.Sprintf("door %v empty %v", h.ToDoor, h.NoResidents)
		}
		want := map[int64]string{f.tr.hh[2].ID: "door false empty false", f.tr.hh[3].ID: "door true empty false",
			f.hh3[0].ID: "door false empty true", f.hh3[1].ID: "door false empty true", f.hh3[2].ID: "door false empty true"}
		if !maps.Equal(got, want) {
			t.Fatalf("doors: %v, want %v", got, want)
		}
	})
}
