package sqldb_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestAudit_EveryChange makes one change of each type as a community
// secretary and finds its entry in the log, filed under the community.
func TestAudit_EveryChange(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		tr := buildTree(t, db)
		users, persons := userService(db), sqldb.NewPersonService(db)
		audit := sqldb.NewAuditService(db)
		ctx := as(frontline.RoleCommunitySecretary, tr.comm1)
		must := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		u := &frontline.User{Login: "grid.one", Name: "网格员一", Phone: "13800138000", Role: frontline.RoleGridWorker, ScopeID: tr.bld1.ID}
		must("create user", users.CreateUser(ctx, u, goodPassword))
		_, err := users.UpdateUser(ctx, u.ID, frontline.UserUpdate{Name: ptr("网格员甲")})
		must("update user", err)
		must("password", users.SetPassword(ctx, u.ID, "another good password"))
		_, err = users.UpdateUser(ctx, u.ID, frontline.UserUpdate{Disabled: ptr(true)})
		must("disable user", err)
		tok := &frontline.Token{Name: "采样台", Role: frontline.RoleSampler, ScopeID: tr.comp1.ID}
		_, err = users.CreateToken(ctx, tok)
		must("create token", err)
		must("revoke token", users.RevokeToken(ctx, tok.ID))
		p := &frontline.Person{HouseholdID: tr.hh[0].ID, Name: "甲", IDNumber: testID(), Phone: "13900139000"}
		must("create person", persons.CreatePerson(ctx, p))
		_, err = persons.UpdatePerson(ctx, p.ID, frontline.PersonUpdate{Name: ptr("甲一")})
		must("update person", err)
		_, err = persons.MovePerson(ctx, p.ID, tr.hh[1].ID)
		must("move person", err)
		_, err = persons.RevealPerson(ctx, p.ID)
		must("reveal person", err)
		_, err = persons.UpdatePerson(ctx, p.ID, frontline.PersonUpdate{Status: ptr(frontline.StatusMovedOut)})
		must("move out", err)
		_, err = sqldb.NewImportService(db).ImportResidents(ctx, residentFile(row(2, "枣园小区", "9", "", "901", "乙", testID())),
			frontline.ImportOptions{Under: tr.comm1.ID})
		must("import", err)
		advance(time.Minute)

		for _, want := range []struct{ entity, action, path string }{
			{"user", "create", tr.bld1.Path}, {"user", "update", tr.bld1.Path}, {"user", "password", tr.bld1.Path},
			{"user", "disable", tr.bld1.Path}, {"token", "create", tr.comp1.Path}, {"token", "revoke", tr.comp1.Path},
			{"person", "create", tr.hh[0].Path}, {"person", "update", tr.hh[0].Path}, {"person", "move", tr.hh[1].Path},
			{"person", "reveal", tr.hh[1].Path}, {"person", "move_out", tr.hh[1].Path}, {"place", "import", tr.comm1.Path},
		} {
			got, n, err := audit.FindChanges(ctx, frontline.ChangeFilter{Entity: &want.entity, Action: &want.action})
			if err != nil || n != 1 {
				t.Errorf("%s %s: %d entries, %v", want.entity, want.action, n, err)
				continue
			}
			c := got[0]
			if c.Actor != "as_community_secretary" || c.Addr != "10.0.0.1" || c.PlacePath != want.path || c.At.IsZero() {
				t.Errorf("%s %s: entry %+v, want actor, address and place %s", want.entity, want.action, c, want.path)
			}
			if b, _ := json.Marshal(c); strings.Contains(string(b), "argon2") || strings.Contains(string(b), "13800138000") ||
				strings.Contains(string(b), p.IDNumber) {
				t.Errorf("%s %s: entry holds a secret or a full number: %s", want.entity, want.action, b)
			}
		}
	})
}

func TestAuditService_FindChanges(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "cli:root"})
		tr := buildTree(t, db) // 13 place entries by the system
		start := db.Now()
		persons, audit := sqldb.NewPersonService(db), sqldb.NewAuditService(db)
		a := &frontline.Person{HouseholdID: tr.hh[0].ID, Name: "甲", IDNumber: testID()}
		b := &frontline.Person{HouseholdID: tr.hh[2].ID, Name: "乙", IDNumber: testID()}
		advance(time.Minute)
		if err := persons.CreatePerson(sys, a); err != nil {
			t.Fatal(err)
		}
		advance(time.Minute)
		if err := persons.CreatePerson(as(frontline.RoleCommunityStaff, tr.comm2), b); err != nil {
			t.Fatal(err)
		}

		all, total, err := audit.FindChanges(sys, frontline.ChangeFilter{Limit: 2})
		if err != nil || total != 15 || len(all) != 2 || all[0].EntityID != b.ID || all[1].EntityID != a.ID {
			t.Fatalf("newest first: %d of %d, %v", len(all), total, err)
		}
		for name, c := range map[string]struct {
			f    frontline.ChangeFilter
			want int
		}{
			"under comm2":  {frontline.ChangeFilter{Under: &tr.comm2.ID}, 6}, // comm2, comp2, bld2, two households, 乙
			"actor":        {frontline.ChangeFilter{Actor: ptr("as_community_staff")}, 1},
			"entity id":    {frontline.ChangeFilter{Entity: ptr("person"), EntityID: &a.ID}, 1},
			"from":         {frontline.ChangeFilter{From: start.Add(time.Second)}, 2},
			"from to":      {frontline.ChangeFilter{From: start.Add(time.Second), To: start.Add(90 * time.Second)}, 1},
			"offset":       {frontline.ChangeFilter{Entity: ptr("place"), Offset: 10, Limit: 10}, 13},
			"action":       {frontline.ChangeFilter{Action: ptr("create"), Entity: ptr("person")}, 2},
			"no such kind": {frontline.ChangeFilter{Entity: ptr("zone")}, 0},
		} {
			if _, n, err := audit.FindChanges(sys, c.f); err != nil || n != c.want {
				t.Errorf("%s: total %d, %v; want %d", name, n, err, c.want)
			}
		}
		if got, _, _ := audit.FindChanges(sys, frontline.ChangeFilter{Entity: ptr("place"), Offset: 10, Limit: 10}); len(got) != 3 {
			t.Errorf("last page holds %d entries, want 3", len(got))
		}

		// A secretary of comm1 sees the entries filed under comm1 only.
		sec := as(frontline.RoleCommunitySecretary, tr.comm1)
		got, n, err := audit.FindChanges(sec, frontline.ChangeFilter{})
		if err != nil || n != 6 {
			t.Fatalf("secretary sees %d entries, %v; want the 6 of comm1", n, err)
		}
		for _, c := range got {
			if !strings.HasPrefix(c.PlacePath, tr.comm1.Path) {
				t.Errorf("entry outside the scope: %+v", c)
			}
		}
		_, _, err = audit.FindChanges(sec, frontline.ChangeFilter{Under: &tr.comm2.ID})
		wantCode(t, "search under a node outside", err, frontline.ENOTFOUND)
		_, _, err = audit.FindChanges(as(frontline.RoleCommunityStaff, tr.comm1), frontline.ChangeFilter{})
		wantCode(t, "staff search the log", err, frontline.EFORBIDDEN)
		wantCode(t, "staff walk the log", audit.WalkChanges(as(frontline.RoleCommunityStaff, tr.comm1), frontline.ChangeFilter{},
			func(*frontline.Change) error { return nil }), frontline.EFORBIDDEN)

		var walked []int64
		err = audit.WalkChanges(sec, frontline.ChangeFilter{}, func(c *frontline.Change) error {
			walked = append(walked, c.ID)
			return nil
		})
		if err != nil || len(walked) != 6 || walked[0] < walked[5] {
			t.Fatalf("walk: %v, %v", walked, err)
		}
	})
}

func TestAuditService_Record(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		tr := buildTree(t, db)
		p := mustPerson(t, db, tr.hh[0].ID, "甲", false)
		audit := sqldb.NewAuditService(db)
		sec := as(frontline.RoleCommunitySecretary, tr.comm1)
		c := &frontline.Change{Action: "export_full", Entity: "person", EntityID: p.ID}
		if err := audit.Record(sec, c); err != nil || c.PlacePath != tr.hh[0].Path || c.Actor != "as_community_secretary" {
			t.Fatalf("record about a person inside: %+v, %v", c, err)
		}
		c = &frontline.Change{Action: "print_labels", Entity: "checkpoint", EntityID: 7}
		if err := audit.Record(sec, c); err != nil || c.PlacePath != tr.comm1.Path {
			t.Fatalf("an entry without a place is filed under the scope: %+v, %v", c, err)
		}
		err := audit.Record(sec, &frontline.Change{Action: "export_full", Entity: "place", EntityID: tr.comm2.ID})
		wantCode(t, "record about a place outside", err, frontline.ENOTFOUND)
		if err := audit.Record(context.Background(), &frontline.Change{Action: "export_full", Entity: "place"}); err != nil {
			t.Fatalf("the system records an export of everything: %v", err)
		}
	})
}
