package main

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestStartWithOwnData_Response is the first step of each workflow of the
// response, on the web of a `frontline serve` with no demo after the
// README's three commands: the administrator adds the community's
// secretary, who seals a compound, adds its checkpoint, makes a test
// round, opens a screening campaign, adds a post with its shifts and
// starts a distribution. Each form is on its list page from the start,
// and each answers with the new thing's page, with nothing the demo would
// have made.
func TestStartWithOwnData_Response(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url0 := db.URL
		if code, out, errOut := run(t, "places", "import", exampleDivisions, "--db", url0); code != 0 {
			t.Fatalf("places import: %s%s", out, errOut)
		}
		const pw = "a long enough password"
		if code, out, errOut := runStdin(t, pw+"\n", "user", "add", "--login", "admin", "--name", "管理员",
			"--role", "city_admin", "--scope", "天水市", "--password-stdin", "--db", url0); code != 0 {
			t.Fatalf("user add: %s%s", out, errOut)
		}
		if code, out, errOut := run(t, "import", "residents", exampleResidents, "--under", "天水市/秦州区", "--db", url0); code != 0 {
			t.Fatalf("import residents: %s%s", out, errOut)
		}
		places := sqldb.NewPlaceService(db)
		find := func(p string) *frontline.Place {
			t.Helper()
			pl, err := places.FindPlaceByPath(t.Context(), "天水市/秦州区/中城街道/自治巷社区"+p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			return pl
		}
		comm, comp := find(""), find("/忠义巷小区")
		id := func(p *frontline.Place) string { return fmt.Sprint(p.ID) }
		base := serveDB(t, url0)
		admin := webSignIn(t, base, "admin", pw)
		admin.post(t, "/users", url.Values{"login": {"sec"}, "name": {"自治巷书记"}, "phone": {"13900000001"},
			"role": {"community_secretary"}, "scope_id": {id(comm)}, "language": {"zh-CN"}, "password": {pw}}, http.StatusSeeOther)
		sec := webSignIn(t, base, "sec", pw)
		// made posts a form to its list page and returns where it led.
		made := func(list, form, action string, values url.Values) string {
			t.Helper()
			if body := sec.get(t, list, http.StatusOK); !strings.Contains(body, form) {
				t.Fatalf("%s has no %s on an empty database:\n%s", list, form, body)
			}
			resp, _ := sec.post(t, action, values, http.StatusSeeOther)
			loc := resp.Header.Get("Location")
			sec.get(t, loc, http.StatusOK)
			return loc
		}
		tomorrow := time.Now().In(frontline.DefaultLocation()).AddDate(0, 0, 1).Format(frontline.DateLayout)

		// A sealed zone.
		made("/zones?place="+id(comm), `data-testid="zone-place"`, "/zones", url.Values{"board": {id(comm)}, "place_id": {id(comp)},
			"level": {"sealed"}, "reason": {"阳性病例"}, "decided_by": {"中城街道指挥部"}})
		if z, err := sqldb.NewZoneService(db).EffectiveLevels(frontline.AsSystem(t.Context()), []int64{comp.ID}); err != nil ||
			z[comp.ID] == nil || z[comp.ID].Level != frontline.LevelSealed {
			t.Fatalf("忠义巷小区 after sealing: %+v, %v", z, err)
		}
		// Its checkpoint, with the checklist template's items to set up.
		gate := made("/checkpoints", `data-testid="checkpoint-form"`, "/checkpoints", url.Values{"place_id": {id(comp)},
			"name": {"忠义巷小区北门"}, "location": {"自治巷北口"}, "type": {"compound_gate"}, "hours": {""}})
		if !regexp.MustCompile(`^/checkpoints/\d+$`).MatchString(gate) {
			t.Fatalf("the new checkpoint led to %s", gate)
		}
		// A test round of the community.
		round := made("/rounds", `name="test_type"`, "/rounds", url.Values{"name": {"第一轮全员核酸"}, "scope": {id(comm)},
			"day": {tomorrow}, "starts": {"06:00"}, "ends": {"12:00"}, "test_type": {"核酸"}})
		sec.get(t, round+"/setup", http.StatusOK)
		// A screening campaign.
		made("/screening", `data-testid="campaign-since"`, "/screening", url.Values{"name": {"返乡人员摸排"}, "scope": {id(comm)},
			"arrived_since": {time.Now().AddDate(0, 0, -14).Format(frontline.DateLayout)}, "min_level": {"high"},
			"deadline": {tomorrow}, "cutoff": {"18:00"}})
		// A post and its shifts.
		post := made("/posts?place="+id(comm), `name="kind"`, "/posts?place="+id(comm), url.Values{"name": {"配送组"},
			"kind": {"delivery_team"}, "location": {"社区院内"}})
		sec.post(t, post+"/shifts", url.Values{"day_from": {tomorrow}, "ndays": {"2"}, "times": {"08:00-20:00"}, "headcount": {"2"},
			"role": {""}}, http.StatusSeeOther)
		if p, err := sqldb.NewRosterService(db).FindPostByID(frontline.AsSystem(t.Context()), mustID(t, post)); err != nil || p.Name != "配送组" {
			t.Fatalf("the post: %+v, %v", p, err)
		}
		// A distribution to the sealed compound.
		made("/distributions?place="+id(comm), `data-testid="distribution-form"`, "/distributions?place="+id(comm),
			url.Values{"dist_name": {"第一批保供包"}, "contents": {"蔬菜包 10斤"}, "scope_id": {id(comp)}})
		if _, n, err := sqldb.NewDistributionService(db).FindDistributions(frontline.AsSystem(t.Context()), comm.ID, 0, 10); err != nil || n != 1 {
			t.Fatalf("distributions: %d, %v", n, err)
		}
	})
}
