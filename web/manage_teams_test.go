package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestCampaign_TeamPages drives the team form of the dashboard: refusals
// beside the fields, a team created with a member, listed, and given a
// compound's households through the reassignment form; and the callers
// who may not.
func TestCampaign_TeamPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newScreeningScene(t, db)
		ctx := context.Background()
		dash := fmt.Sprintf("/screening/%d", sc.c.ID)
		sec := sc.secretary
		outside := sc.ts.user(t, "grid.zhongyi", frontline.RoleGridWorker, sc.f.comp2)
		resp, body := sec.get(t, dash)
		for _, want := range []string{`data-testid="team-form"`,
			fmt.Sprintf(`name="members" value="%d"`, sc.gridUser.ID)} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}
		if strings.Contains(body, fmt.Sprintf(`name="members" value="%d"`, outside.ID)) {
			t.Error("the team form offers a worker outside the campaign")
		}

		t.Run("Refusals", func(t *testing.T) {
			form := url.Values{"name": {"外人组"}, "members": {fmt.Sprint(sc.gridUser.ID)}}
			for _, c := range []struct {
				who  *client
				form url.Values
				want int
			}{
				{sc.grid, form, http.StatusForbidden},
				{sc.ts.as(t, frontline.RoleCommunitySecretary, sc.f.comm2), form, http.StatusNotFound},
				{sec, url.Values{"name": {"外人组"}, "csrf": {"stale"}}, http.StatusForbidden},
			} {
				if resp, _ := c.who.postForm(t, dash+"/teams", cloneForm(c.form)); resp.StatusCode != c.want {
					t.Errorf("%s POST teams: %d, want %d", c.who.login, resp.StatusCode, c.want)
				}
			}
			if n := len(sc.changes(t, "screening_team", "create")); n != 0 {
				t.Errorf("a refused caller made %d teams", n)
			}
		})

		for _, c := range []struct {
			name, field, text string
			form              url.Values
		}{
			{"NoName", "name", "请填写小组名称", url.Values{"name": {" "}}},
			{"MemberOutside", "members", "所选人员中有人不能上门", url.Values{"name": {"林草局下沉干部"}, "members": {fmt.Sprint(outside.ID)}}},
			{"MemberNotANumber", "members", "所选人员中有人不能上门", url.Values{"name": {"林草局下沉干部"}, "members": {"x"}}},
		} {
			resp, body := sec.postForm(t, dash+"/teams", c.form)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(fieldError(body, c.field), c.text) {
				t.Errorf("%s: %d, beside %s %q", c.name, resp.StatusCode, c.field, fieldError(body, c.field))
			}
			if c.name == "MemberOutside" && !strings.Contains(body, `value="林草局下沉干部"`) {
				t.Errorf("%s: the form lost what was typed", c.name)
			}
		}

		resp, _ = sec.postForm(t, dash+"/teams", url.Values{"name": {"林草局下沉干部"}, "members": {fmt.Sprint(sc.gridUser.ID)},
			"place": {fmt.Sprint(sc.f.comm1.ID)}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "team=") {
			t.Fatalf("create team: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		teams, err := sqldb.NewCampaignService(db).FindTeams(ctx, sc.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var team *frontline.Team
		for _, tm := range teams {
			if tm.Name == "林草局下沉干部" {
				team = tm
			}
		}
		if team == nil || len(team.Members) != 1 || team.Members[0] != sc.gridUser.ID || team.MemberNames[0] != sc.gridUser.Name {
			t.Fatalf("teams %+v", teams)
		}
		_, body = sec.get(t, resp.Header.Get("Location"))
		for _, want := range []string{"小组已新建", fmt.Sprintf(`data-team="%d">林草局下沉干部 · %s`, team.ID, sc.gridUser.Name),
			fmt.Sprintf(`value="t:%d"`, team.ID)} {
			if !strings.Contains(body, want) {
				t.Errorf("after creating, the dashboard lacks %s", want)
			}
		}

		// The compound's households go to the team from the page.
		resp, _ = sec.postForm(t, dash+"/assign", url.Values{"target": {fmt.Sprintf("n:%d", sc.f.comp1.ID)},
			"to": {fmt.Sprintf("t:%d", team.ID)}, "place": {fmt.Sprint(sc.f.comm1.ID)}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "assigned=2") {
			t.Fatalf("assign to the team: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		ms, _, err := sqldb.NewCampaignService(db).FindMembers(ctx, sc.c.ID, frontline.CampaignMemberFilter{Under: &sc.f.comp1.ID})
		if err != nil || len(ms) != 2 {
			t.Fatalf("members %v, %v", ms, err)
		}
		for _, m := range ms {
			if m.Assignee.TeamID != team.ID || m.Assignee.UserID != 0 {
				t.Errorf("%s assigned %+v", m.Address, m.Assignee)
			}
		}
		if n := len(sc.changes(t, "screening_team", "create")); n != 1 {
			t.Errorf("%d audit entries for the team", n)
		}
	})
}

// TestCampaign_LateHouseholdPages lists a household registered after the
// opening on the dashboard and adds it to the denominator with its
// button, recorded with who and when; and refuses callers who may not.
func TestCampaign_LateHouseholdPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newScreeningScene(t, db)
		ctx := context.Background()
		dash := fmt.Sprintf("/screening/%d", sc.c.ID)
		sec := sc.secretary
		if _, body := sec.get(t, dash); !strings.Contains(body, `data-testid="no-late"`) {
			t.Fatal("the dashboard lists late households before any")
		}
		late := mustPlace(t, db, sc.f.unit1, frontline.KindHousehold, "201")
		_, body := sec.get(t, dash)
		if !strings.Contains(body, fmt.Sprintf(`data-household="%d"`, late.ID)) || !strings.Contains(body, "枣园小区/1号楼/1单元/201") {
			t.Fatalf("the dashboard does not list the late household: %s", body)
		}
		add := url.Values{"household": {fmt.Sprint(late.ID)}, "place": {fmt.Sprint(sc.f.comm1.ID)}}

		t.Run("Refusals", func(t *testing.T) {
			for _, c := range []struct {
				who  *client
				form url.Values
				want int
			}{
				{sc.grid, add, http.StatusForbidden},
				{sc.ts.as(t, frontline.RoleCommunitySecretary, sc.f.comm2), add, http.StatusNotFound},
				{sec, url.Values{"household": {fmt.Sprint(late.ID)}, "csrf": {"stale"}}, http.StatusForbidden},
				// A household of another community is not the campaign's.
				{sec, url.Values{"household": {fmt.Sprint(sc.f.hh[2].ID)}}, http.StatusBadRequest},
			} {
				if resp, _ := c.who.postForm(t, dash+"/households", cloneForm(c.form)); resp.StatusCode != c.want {
					t.Errorf("%s POST households %v: %d, want %d", c.who.login, c.form, resp.StatusCode, c.want)
				}
			}
			if n := len(sc.changes(t, "screening_campaign", "add_household")); n != 0 {
				t.Errorf("refused callers added %d households", n)
			}
		})

		resp, _ := sec.postForm(t, dash+"/households", cloneForm(add))
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "added=1") {
			t.Fatalf("add: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		ms, _, err := sqldb.NewCampaignService(db).FindMembers(ctx, sc.c.ID, frontline.CampaignMemberFilter{HouseholdID: &late.ID})
		if err != nil || len(ms) != 1 || !ms[0].AddedLate || ms[0].AddedBy != sec.login || !ms[0].Since.Equal(testNow) || ms[0].Assignee.UserID != sc.gridUser.ID {
			t.Fatalf("late member %+v, %v", ms, err)
		}
		_, body = sec.get(t, resp.Header.Get("Location"))
		if !strings.Contains(body, "已纳入 1 户") || !strings.Contains(body, `data-testid="no-late"`) {
			t.Errorf("after adding, the dashboard still lists the household or does not say so: %s", sc.ts.logs)
		}
		if n := len(sc.changes(t, "screening_campaign", "add_household")); n != 1 {
			t.Errorf("%d audit entries for the added household", n)
		}
		// Added twice (a stale page): refused, saying why.
		if resp, body := sec.postForm(t, dash+"/households", cloneForm(add)); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "这户已在本次摸排中") {
			t.Errorf("added twice: %d", resp.StatusCode)
		}
	})
}

// cloneForm copies a form, since postForm adds the caller's CSRF token to
// the one it is given.
func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
