package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestCampaign_ManagePages drives the secretary's forms on the dashboard:
// the close refused with the count and where, a household reassigned, the
// daily report submitted and downloaded as submitted, the close once every
// door is final; and the refusals of callers who may not.
func TestCampaign_ManagePages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newScreeningScene(t, db)
		dash := fmt.Sprintf("/screening/%d", sc.c.ID)
		sec := sc.secretary
		resp, body := sec.get(t, dash)
		for _, want := range []string{`data-testid="assign-form"`, `data-testid="close-form"`, `data-testid="submit-report"`,
			fmt.Sprintf(`value="u:%d"`, sc.gridUser.ID), fmt.Sprintf(`value="n:%d"`, sc.f.comp1.ID)} {
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %s", want)
			}
		}

		t.Run("Refusals", func(t *testing.T) {
			for _, c := range []struct {
				who  *client
				path string
				want int
			}{
				{sc.grid, dash + "/close", http.StatusForbidden},
				{sc.grid, dash + "/assign", http.StatusForbidden},
				{sc.grid, dash + "/reports", http.StatusForbidden},
				{sc.ts.as(t, frontline.RoleCommunitySecretary, sc.f.comm2), dash + "/close", http.StatusNotFound},
				{sc.ts.as(t, frontline.RoleCommunityStaff, sc.f.comm2), dash + "/reports", http.StatusNotFound},
			} {
				if resp, _ := c.who.postForm(t, c.path, url.Values{"target": {fmt.Sprintf("n:%d", sc.f.comm1.ID)}, "to": {fmt.Sprintf("u:%d", sc.gridUser.ID)}}); resp.StatusCode != c.want {
					t.Errorf("%s POST %s: %d, want %d", c.who.login, c.path, resp.StatusCode, c.want)
				}
			}
		})

		// hh[1] has not been visited: the close is refused, saying how many and where.
		resp, body = sec.postForm(t, dash+"/close", nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "还不能结束：1 户没有最终结果（枣园小区 1）") {
			t.Fatalf("close: %d %s", resp.StatusCode, body)
		}

		// Reassign hh[1] to another grid worker of the compound.
		other := sc.ts.user(t, "grid.zaoyuan2", frontline.RoleGridWorker, sc.f.comp1)
		outside := sc.ts.user(t, "grid.zhongyi", frontline.RoleGridWorker, sc.f.comp2)
		assign := func(to int64) (*http.Response, string) {
			return sec.postForm(t, dash+"/assign", url.Values{"target": {fmt.Sprintf("h:%d", sc.f.hh[1].ID)},
				"to": {fmt.Sprintf("u:%d", to)}, "place": {fmt.Sprint(sc.f.comm1.ID)}})
		}
		if resp, body := assign(outside.ID); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "这个人不能上门这些住户") {
			t.Errorf("assigned outside the worker's scope: %d", resp.StatusCode)
		}
		resp, _ = assign(other.ID)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "assigned=1") {
			t.Fatalf("assign: %d %s", resp.StatusCode, loc)
		}
		ms, _, err := sqldb.NewCampaignService(db).FindMembers(context.Background(), sc.c.ID, frontline.CampaignMemberFilter{HouseholdID: &sc.f.hh[1].ID})
		if err != nil || len(ms) != 1 || ms[0].Assignee.UserID != other.ID {
			t.Fatalf("after reassigning %+v, %v", ms, err)
		}
		if _, body := sec.get(t, resp.Header.Get("Location")); !strings.Contains(body, "已改派 1 户") {
			t.Error("the dashboard does not say what was reassigned")
		}

		// Submit the daily report; it is listed and downloads as submitted.
		resp, _ = sec.postForm(t, dash+"/reports", url.Values{"place": {fmt.Sprint(sc.f.comm1.ID)}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "submitted=") {
			t.Fatalf("submit: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = sec.get(t, resp.Header.Get("Location"))
		snaps, err := sqldb.NewReportService(db).FindReports(context.Background(), sc.c.ID)
		if err != nil || len(snaps) != 1 {
			t.Fatalf("reports %v, %v", snaps, err)
		}
		download := fmt.Sprintf("/api/v1/reports/%d?format=xlsx", snaps[0].ID)
		if !strings.Contains(body, `href="`+download+`"`) || !strings.Contains(body, "已提交上报") {
			t.Errorf("the dashboard does not list the submitted report")
		}
		if resp, _ := sec.get(t, download); resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxml") {
			t.Errorf("download: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}

		// The last door final, the campaign closes.
		otherClient := sc.ts.signIn(t, other.Login, goodPassword)
		resp, body = otherClient.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/visits", sc.c.ID), map[string]any{
			"client_id": "7f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "household_id": sc.f.hh[1].ID, "outcome": "vacant"})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("vacant: %d %s", resp.StatusCode, body)
		}
		resp, _ = sec.postForm(t, dash+"/close", nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "closed=1") {
			t.Fatalf("close: %d", resp.StatusCode)
		}
		if _, body := sec.get(t, dash); strings.Contains(body, `data-testid="assign-form"`) || !strings.Contains(body, "已结束") {
			t.Error("a closed campaign still offers its forms")
		}
		if resp, body := sec.postForm(t, dash+"/close", nil); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "摸排已经结束了") {
			t.Errorf("closed twice: %d", resp.StatusCode)
		}
		for entity, action := range map[string]string{"screening_campaign": "close", "screening_report": "submit"} {
			if n := len(sc.changes(t, entity, action)); n != 1 {
				t.Errorf("%d audit entries %s %s", n, entity, action)
			}
		}
		if n := len(sc.changes(t, "screening_campaign", "assign")); n != 1 {
			t.Errorf("%d audit entries for the reassignment", n)
		}
	})
}

// TestCampaign_OpenPage opens a campaign over a chosen node of the
// caller's scope, and refuses a node outside it.
func TestCampaign_OpenPage(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	db.Now = func() time.Time { return testNow }
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withScreening(db))
	sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
	_, body := sec.get(t, "/screening")
	if !strings.Contains(body, fmt.Sprintf(`<option value="%d"`, f.comp1.ID)) || strings.Contains(body, fmt.Sprintf(`<option value="%d"`, f.comp2.ID)) {
		t.Fatalf("scope choices: %s", body)
	}
	form := url.Values{"name": {"枣园小区摸排"}, "arrived_since": {"2026-05-20"}, "min_level": {"high"}, "deadline": {"2026-06-03"}, "cutoff": {"15:00"}}
	form.Set("scope", fmt.Sprint(f.comp2.ID))
	if resp, body := sec.postForm(t, "/screening", form); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "请选择您辖区内的一栋楼或更大的范围") {
		t.Errorf("opened outside the scope: %d", resp.StatusCode)
	}
	form.Set("scope", fmt.Sprint(f.comp1.ID))
	resp, _ := sec.postForm(t, "/screening", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("open: %d", resp.StatusCode)
	}
	cs, _, err := sqldb.NewCampaignService(db).FindCampaigns(context.Background(), frontline.CampaignFilter{})
	if err != nil || len(cs) != 1 || cs[0].ScopeID != f.comp1.ID || cs[0].Households != 2 || cs[0].Question.MinLevel != frontline.RiskHigh || cs[0].Cutoff != "15:00" {
		t.Fatalf("opened %+v, %v", cs, err)
	}
}
