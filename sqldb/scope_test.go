package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// as returns a context carrying a principal of role scoped to node.
func as(role frontline.Role, node *frontline.Place) context.Context {
	return frontline.WithPrincipal(context.Background(), &frontline.Principal{
		UserID: 9000 + int64(role.Rank()), Login: "as_" + string(role), Role: role,
		ScopeID: node.ID, ScopePath: node.Path, Addr: "10.0.0.1",
	})
}

// scopeCase is one service call made inside and outside the principal's
// scope; it needs perm.
type scopeCase struct {
	name string
	perm frontline.Permission
	call func(ctx context.Context, in bool) error
}

func scopeCases(db *sqldb.DB, tr *tree, pIn, pOut *frontline.Person) []scopeCase {
	places, persons := sqldb.NewPlaceService(db), sqldb.NewPersonService(db)
	imports, audit := sqldb.NewImportService(db), sqldb.NewAuditService(db)
	pick := func(in bool, a, b *frontline.Place) int64 {
		if in {
			return a.ID
		}
		return b.ID
	}
	person := func(in bool) int64 {
		if in {
			return pIn.ID
		}
		return pOut.ID
	}
	return []scopeCase{
		{"FindPlaceByID", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, err := places.FindPlaceByID(ctx, pick(in, tr.hh[0], tr.hh[2]))
			return err
		}},
		{"FindPlaceByPath", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			path := "天水市/秦州区/大城街道/罗玉新村社区/枣园小区"
			if !in {
				path = "天水市/秦州区/大城街道/自治巷社区/忠义巷小区"
			}
			_, err := places.FindPlaceByPath(ctx, path)
			return err
		}},
		{"FindPlaceByPath id", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, err := places.FindPlaceByPath(ctx, fmt.Sprint(pick(in, tr.bld1, tr.bld2)))
			return err
		}},
		{"FindPlaces Under", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: ptr(pick(in, tr.comp1, tr.comp2))})
			return err
		}},
		{"FindPlaces ParentID", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: ptr(pick(in, tr.bld1, tr.bld2))})
			return err
		}},
		{"Ancestors", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, err := places.Ancestors(ctx, pick(in, tr.hh[0], tr.hh[2]))
			return err
		}},
		{"CreatePlace", frontline.PermEditRegistry, func(ctx context.Context, in bool) error {
			// testID is a fresh number each call: a name no sibling has.
			return places.CreatePlace(ctx, &frontline.Place{ParentID: pick(in, tr.bld1, tr.bld2), Kind: frontline.KindHousehold, Name: testID()})
		}},
		{"UpdatePlace", frontline.PermEditRegistry, func(ctx context.Context, in bool) error {
			_, err := places.UpdatePlace(ctx, pick(in, tr.hh[0], tr.hh[2]), frontline.PlaceUpdate{Code: ptr("A1")})
			return err
		}},
		{"MovePlace to a parent outside", frontline.PermEditRegistry, func(ctx context.Context, in bool) error {
			_, err := places.MovePlace(ctx, tr.hh[1].ID, pick(in, tr.bld1, tr.bld2))
			return err
		}},
		{"FindPersonByID", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, err := persons.FindPersonByID(ctx, person(in))
			return err
		}},
		{"FindPersons Under", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, _, err := persons.FindPersons(ctx, frontline.PersonFilter{Under: ptr(pick(in, tr.comm1, tr.comm2))})
			return err
		}},
		{"WalkPersons Under", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			return persons.WalkPersons(ctx, frontline.PersonFilter{Under: ptr(pick(in, tr.comp1, tr.comp2))},
				func(*frontline.Person) error { return nil })
		}},
		{"PersonHistory", frontline.PermReadRegistry, func(ctx context.Context, in bool) error {
			_, err := persons.PersonHistory(ctx, person(in))
			return err
		}},
		{"CreatePerson", frontline.PermEditRegistry, func(ctx context.Context, in bool) error {
			return persons.CreatePerson(ctx, &frontline.Person{HouseholdID: pick(in, tr.hh[1], tr.hh[3]), Name: "新人", IDNumber: testID()})
		}},
		{"UpdatePerson", frontline.PermEditRegistry, func(ctx context.Context, in bool) error {
			_, err := persons.UpdatePerson(ctx, person(in), frontline.PersonUpdate{Relation: ptr(frontline.RelHead)})
			return err
		}},
		{"MovePerson to a household outside", frontline.PermEditRegistry, func(ctx context.Context, in bool) error {
			_, err := persons.MovePerson(ctx, pIn.ID, pick(in, tr.hh[0], tr.hh[2]))
			return err
		}},
		{"MovePerson of a person outside", frontline.PermEditRegistry, func(ctx context.Context, in bool) error {
			_, err := persons.MovePerson(ctx, person(in), tr.hh[0].ID)
			return err
		}},
		{"RevealPerson", frontline.PermRevealPerson, func(ctx context.Context, in bool) error {
			_, err := persons.RevealPerson(ctx, person(in))
			return err
		}},
		{"ImportResidents", frontline.PermImportExport, func(ctx context.Context, in bool) error {
			_, err := imports.ImportResidents(ctx, residentFile(row(2, "枣园小区", "9", "", "901", "导入人", testID())), frontline.ImportOptions{Under: pick(in, tr.comm1, tr.comm2)})
			return err
		}},
		{"FindChanges Under", frontline.PermReadAudit, func(ctx context.Context, in bool) error {
			_, _, err := audit.FindChanges(ctx, frontline.ChangeFilter{Under: ptr(pick(in, tr.comm1, tr.comm2))})
			return err
		}},
	}
}

// TestScope checks every service call for a principal of each role scoped
// to one community: refused without the permission whatever the target,
// and with it, served inside the community and not found outside.
func TestScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		pIn := mustPerson(t, db, tr.hh[0].ID, "甲", false)
		pOut := mustPerson(t, db, tr.hh[2].ID, "乙", false)
		for _, role := range frontline.Roles {
			ctx := as(role, tr.comm1)
			for _, c := range scopeCases(db, tr, pIn, pOut) {
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
		assertCountsMatchRecount(t, db)
	})
}

// TestScope_Lists checks that lists hold only what is in scope, and that
// nothing above the scope node is revealed.
func TestScope_Lists(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		pIn := mustPerson(t, db, tr.hh[0].ID, "甲", false)
		pOut := mustPerson(t, db, tr.hh[2].ID, "乙", false)
		ctx := as(frontline.RoleCommunitySecretary, tr.comm1)
		places, persons := sqldb.NewPlaceService(db), sqldb.NewPersonService(db)

		all, total, err := places.FindPlaces(ctx, frontline.PlaceFilter{})
		if err != nil || total != len(all) || total != 5 {
			t.Fatalf("all places: %d (total %d), %v; want the 5 nodes of the community", len(all), total, err)
		}
		for _, p := range all {
			if !strings.HasPrefix(p.Path, tr.comm1.Path) {
				t.Errorf("place %s (%s) outside the scope listed", p.Name, p.Path)
			}
		}
		roots, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Roots: true})
		if err != nil || len(roots) != 1 || roots[0].ID != tr.comm1.ID {
			t.Fatalf("roots = %v, %v; want the scope node alone", roots, err)
		}
		above, err := places.Ancestors(ctx, tr.hh[0].ID)
		if got := placeNames(above); err != nil || got != "罗玉新村社区/枣园小区/1号楼" {
			t.Fatalf("ancestors %q, %v; want the chain from the scope node", got, err)
		}
		if above, _ := places.Ancestors(ctx, tr.comm1.ID); len(above) != 0 {
			t.Fatalf("ancestors of the scope node: %s", placeNames(above))
		}
		for _, path := range []string{"天水市", "天水市/秦州区/大城街道", "天水市/秦州区/大城街道/自治巷社区", "天水市/秦州区/大城街道/无此社区"} {
			if _, err := places.FindPlaceByPath(ctx, path); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Errorf("FindPlaceByPath(%s): err = %v, want ENOTFOUND", path, err)
			}
		}
		if _, err := places.FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区"); err != nil {
			t.Errorf("walk through the ancestors to the scope node: %v", err)
		}

		people, total, err := persons.FindPersons(ctx, frontline.PersonFilter{})
		if err != nil || total != 1 || len(people) != 1 || people[0].ID != pIn.ID {
			t.Fatalf("persons: %d (total %d), %v; want only 甲", len(people), total, err)
		}
		if _, total, _ := persons.FindPersons(ctx, frontline.PersonFilter{IDNumber: ptr(pOut.IDNumber)}); total != 0 {
			t.Fatalf("search by the ID number of a person outside found %d", total)
		}
		if _, total, _ := persons.FindPersons(ctx, frontline.PersonFilter{HouseholdID: &tr.hh[2].ID}); total != 0 {
			t.Fatalf("persons of a household outside: %d", total)
		}

		// The number is unique everywhere, but a holder outside is not named.
		err = persons.CreatePerson(ctx, &frontline.Person{HouseholdID: tr.hh[1].ID, Name: "丙", IDNumber: pOut.IDNumber})
		if frontline.ErrorCode(err) != frontline.ECONFLICT || strings.Contains(frontline.ErrorMessage(err), "乙") ||
			strings.Contains(frontline.ErrorMessage(err), "自治巷") {
			t.Fatalf("duplicate of a person outside: %v", err)
		}
		err = persons.CreatePerson(ctx, &frontline.Person{HouseholdID: tr.hh[1].ID, Name: "丁", IDNumber: pIn.IDNumber})
		if !strings.Contains(frontline.ErrorMessage(err), "甲 at 大城街道/罗玉新村社区") {
			t.Fatalf("duplicate of a person inside: %v", err)
		}

		if err := places.CreatePlace(ctx, &frontline.Place{Kind: frontline.KindCity, Name: "兰州市"}); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a principal adding a root: %v", err)
		}
		noScope := frontline.WithPrincipal(context.Background(), &frontline.Principal{Role: frontline.RoleCityAdmin})
		if got, _, err := places.FindPlaces(noScope, frontline.PlaceFilter{}); err != nil || len(got) != 0 {
			t.Fatalf("a principal without a scope path sees %d places, %v", len(got), err)
		}
	})
}

func placeNames(places []*frontline.Place) string {
	var names []string
	for _, p := range places {
		names = append(names, p.Name)
	}
	return strings.Join(names, "/")
}

// TestScope_System checks that a context without a principal is not
// limited: the command line sees the whole tree.
func TestScope_System(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		roots, _, err := sqldb.NewPlaceService(db).FindPlaces(context.Background(), frontline.PlaceFilter{Roots: true})
		if err != nil || len(roots) != 1 || roots[0].ID != tr.city.ID {
			t.Fatalf("system roots %v, %v", roots, err)
		}
		above, _ := sqldb.NewPlaceService(db).Ancestors(context.Background(), tr.hh[0].ID)
		if !slices.ContainsFunc(above, func(p *frontline.Place) bool { return p.ID == tr.city.ID }) {
			t.Fatalf("system ancestors lack the city: %s", placeNames(above))
		}
	})
}
