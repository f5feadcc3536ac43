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

// screeningScene is a campaign over 罗玉新村社区 (hh[0] and hh[1]) whose
// doors belong to the grid worker of 枣园小区. The worker has screened
// hh[0]: 张三 came back from 西安市雁塔区 (high risk) on 30 May and is in
// home isolation, so at testNow (16:00 in China) a catch-up test is due
// and the evening health report later today.
type screeningScene struct {
	ts        *testServer
	f         *fixture
	c         *frontline.Campaign
	grid      *client
	gridUser  *frontline.User
	secretary *client
	measure   *frontline.Measure
	test      *frontline.FollowUpItem // the catch-up test, due now
	report    *frontline.FollowUpItem // this evening's health report
}

func newScreeningScene(t *testing.T, db *sqldb.DB) *screeningScene {
	t.Helper()
	db.Now = func() time.Time { return testNow }
	ctx := context.Background()
	sc := &screeningScene{f: buildFixture(t, db)}
	sc.ts = newDBServer(t, db, withScreening(db))
	sc.gridUser = sc.ts.user(t, "grid.zaoyuan", frontline.RoleGridWorker, sc.f.comp1)
	if err := sqldb.NewRiskAreaService(db).CreateRiskArea(ctx, &frontline.RiskArea{Code: "610113", Name: "西安市雁塔区",
		Level: frontline.RiskHigh, ValidFrom: "2026-05-20", Source: "test notice"}); err != nil {
		t.Fatal(err)
	}
	sc.c = &frontline.Campaign{Name: "返乡人员摸排", ScopeID: sc.f.comm1.ID, Deadline: testNow.Add(72 * time.Hour),
		Question: frontline.Question{ArrivedSince: "2026-05-20", MinLevel: frontline.RiskMedium}}
	if err := sqldb.NewCampaignService(db).OpenCampaign(ctx, sc.c); err != nil {
		t.Fatal(err)
	}
	sc.grid = sc.ts.signIn(t, sc.gridUser.Login, goodPassword)
	sc.secretary = sc.ts.as(t, frontline.RoleCommunitySecretary, sc.f.comm1)
	resp, body := sc.grid.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/visits", sc.c.ID), map[string]any{
		"client_id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "household_id": sc.f.hh[0].ID, "outcome": "screened",
		"persons": []map[string]any{{"person_id": sc.f.persons[0].ID, "present": true,
			"travel": map[string]any{"area_code": "610113", "arrived_on": "2026-05-30", "means": "train"}}}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("visit: %d %s", resp.StatusCode, body)
	}
	fs := sqldb.NewFollowUpService(db)
	ms, err := fs.FindMeasures(ctx, sc.c.ID, sc.f.hh[0].ID)
	if err != nil || len(ms) != 1 || ms[0].Type != frontline.MeasureIsolation {
		t.Fatalf("measures %+v, %v", ms, err)
	}
	sc.measure = ms[0]
	items, _, err := fs.FindFollowUps(ctx, frontline.FollowUpItemFilter{CampaignID: &sc.c.ID, Limit: 2})
	if err != nil || len(items) != 2 || items[0].Kind != frontline.FollowUpTest || items[1].Kind != frontline.FollowUpReport {
		t.Fatalf("first items %+v, %v", items, err)
	}
	sc.test, sc.report = items[0], items[1]
	return sc
}

// changes returns the audit entries of an entity and action.
func (sc *screeningScene) changes(t *testing.T, entity, action string) []*frontline.Change {
	t.Helper()
	got, _, err := sqldb.NewAuditService(sc.ts.db).FindChanges(context.Background(), frontline.ChangeFilter{Entity: &entity, Action: &action})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// leaks fails when body holds a full ID number or phone of the fixture.
func (sc *screeningScene) leaks(t *testing.T, what, body string) {
	t.Helper()
	for _, s := range secrets(sc.f) {
		if strings.Contains(body, s) {
			t.Errorf("%s contains %q", what, s)
		}
	}
}

func TestFollowUps_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newScreeningScene(t, db)
		page := fmt.Sprintf("/screening/%d/follow-ups", sc.c.ID)
		resp, body := sc.grid.get(t, page)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("follow-ups: %d %s", resp.StatusCode, body)
		}
		for _, want := range []string{fmt.Sprintf(`id="fu-%d"`, sc.test.ID), fmt.Sprintf(`id="fu-%d"`, sc.report.ID), "张三",
			"枣园小区/1号楼/1单元/101", `data-state="due"`, `data-state="later"`, `data-testid="result-negative"`,
			fmt.Sprintf(`action="/measures/%d/link"`, sc.measure.ID)} {
			if !strings.Contains(body, want) {
				t.Errorf("follow-ups page lacks %s", want)
			}
		}
		if n := strings.Count(body, `data-testid="followup"`); n != 2 {
			t.Errorf("%d items on today's list, want the test and this evening's report", n)
		}
		if strings.Index(body, fmt.Sprintf(`id="fu-%d"`, sc.test.ID)) > strings.Index(body, fmt.Sprintf(`id="fu-%d"`, sc.report.ID)) {
			t.Error("the items are not in due order")
		}
		sc.leaks(t, "follow-ups page", body)

		record := func(c *client, item *frontline.FollowUpItem, form url.Values) *http.Response {
			t.Helper()
			form.Set("back", page)
			resp, _ := c.postForm(t, fmt.Sprintf("/follow-ups/%d/record", item.ID), form)
			return resp
		}
		t.Run("Refusals", func(t *testing.T) {
			vol := sc.ts.as(t, frontline.RoleVolunteer, sc.f.comp1)
			if resp, _ := vol.get(t, page); resp.StatusCode != http.StatusForbidden {
				t.Errorf("volunteer's follow-ups: %d", resp.StatusCode)
			}
			if resp := record(vol, sc.report, url.Values{"temperature": {"36.5"}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("volunteer recorded: %d", resp.StatusCode)
			}
			other := sc.ts.as(t, frontline.RoleGridWorker, sc.f.comp2)
			if resp := record(other, sc.report, url.Values{"temperature": {"36.5"}}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a worker of another compound recorded: %d", resp.StatusCode)
			}
			if resp, _ := sc.grid.get(t, fmt.Sprintf("/screening/%d/escalated", sc.c.ID)); resp.StatusCode != http.StatusForbidden {
				t.Errorf("grid worker's escalated list: %d", resp.StatusCode)
			}
		})

		// A temperature out of range comes back to the item with the reason.
		resp = record(sc.grid, sc.report, url.Values{"temperature": {"45"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "reason=temperature") || !strings.HasSuffix(loc, fmt.Sprintf("#fu-%d", sc.report.ID)) {
			t.Fatalf("bad temperature: %d %s", resp.StatusCode, loc)
		}
		if _, body := sc.grid.get(t, strings.Split(loc, "#")[0]); !strings.Contains(body, "体温应在 34 至 43") {
			t.Error("the refusal is not shown next to the item")
		}
		// A fever with a cough: recorded, marked abnormal, the assignee's now.
		resp = record(sc.grid, sc.report, url.Values{"temperature": {"38,4"}, "symptoms": {"cough"}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, fmt.Sprintf("saved=%d", sc.report.ID)) {
			t.Fatalf("fever: %d %s", resp.StatusCode, loc)
		}
		_, body = sc.grid.get(t, page)
		for _, want := range []string{`data-testid="mark-abnormal"`, "38.4 ℃", "咳嗽", `data-testid="handle-form"`} {
			if !strings.Contains(body, want) {
				t.Errorf("after the fever the page lacks %s", want)
			}
		}
		if resp := record(sc.grid, sc.report, url.Values{"temperature": {"36.5"}}); !strings.Contains(resp.Header.Get("Location"), "reason=done") {
			t.Errorf("recorded twice: %s", resp.Header.Get("Location"))
		}

		// Seven hours on, both the untested catch-up and the unhandled fever
		// are the secretary's.
		db.Now = func() time.Time { return testNow.Add(7 * time.Hour) }
		// Sessions last an hour in tests: sign in again.
		sc.grid, sc.secretary = sc.ts.signIn(t, sc.grid.login, goodPassword), sc.ts.signIn(t, sc.secretary.login, goodPassword)
		esc := fmt.Sprintf("/screening/%d/escalated", sc.c.ID)
		resp, body = sc.secretary.get(t, esc)
		if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="followup"`) != 2 || !strings.Contains(body, `data-testid="mark-overdue"`) {
			t.Fatalf("escalated: %d %s", resp.StatusCode, body)
		}
		handle := func(note string) string {
			resp, _ := sc.secretary.postForm(t, fmt.Sprintf("/follow-ups/%d/handle", sc.report.ID), url.Values{"note": {note}, "back": {esc}})
			return resp.Header.Get("Location")
		}
		if loc := handle(" "); !strings.Contains(loc, "reason=note") {
			t.Errorf("handled without a note: %s", loc)
		}
		if loc := handle("已联系社区医生上门"); !strings.Contains(loc, "saved=") || !strings.HasPrefix(loc, esc) {
			t.Errorf("handle: %s", loc)
		}
		if _, body := sc.secretary.get(t, esc); strings.Count(body, `data-testid="followup"`) != 1 {
			t.Error("the handled item is still escalated")
		}
		if loc := handle("again"); !strings.Contains(loc, "reason=quiet") {
			t.Errorf("handled twice: %s", loc)
		}
		// The test done: off the list.
		if resp := record(sc.grid, sc.test, url.Values{"result": {"negative"}}); !strings.Contains(resp.Header.Get("Location"), "saved=") {
			t.Errorf("test: %s", resp.Header.Get("Location"))
		}
		if _, body := sc.secretary.get(t, esc); !strings.Contains(body, `data-testid="no-followups"`) {
			t.Error("escalated items remain after the test and the handling")
		}

		rec, handled := sc.changes(t, "screening_followup", "record"), sc.changes(t, "screening_followup", "handle")
		if len(rec) != 2 || rec[0].Actor != sc.grid.login || len(handled) != 1 || handled[0].Actor != sc.secretary.login {
			t.Errorf("audit: %d records, %d handled", len(rec), len(handled))
		}
	})
}

// seedScreening opens a campaign over the fixture's subdistrict and
// records, as the system, 张三 of hh[0] back from a high-risk area: a
// measure and follow-up items for the pages to show.
func seedScreening(t *testing.T, db *sqldb.DB, f *fixture) {
	t.Helper()
	ctx := context.Background()
	if err := sqldb.NewRiskAreaService(db).CreateRiskArea(ctx, &frontline.RiskArea{Code: "610113", Name: "西安市雁塔区",
		Level: frontline.RiskHigh, ValidFrom: time.Now().AddDate(0, 0, -30).Format(frontline.DateLayout)}); err != nil {
		t.Fatal(err)
	}
	c := &frontline.Campaign{Name: "返乡人员摸排", ScopeID: f.sub.ID, Deadline: time.Now().Add(72 * time.Hour),
		Question: frontline.Question{ArrivedSince: time.Now().AddDate(0, 0, -14).Format(frontline.DateLayout)}}
	if err := sqldb.NewCampaignService(db).OpenCampaign(ctx, c); err != nil {
		t.Fatal(err)
	}
	v := &frontline.Visit{CampaignID: c.ID, HouseholdID: f.hh[0].ID, ClientID: "8f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
		Outcome: frontline.OutcomeScreened, Persons: []frontline.VisitPerson{{PersonID: f.persons[0].ID, Present: true,
			Travel: &frontline.Travel{AreaCode: "610113", ArrivedOn: time.Now().AddDate(0, 0, -1).Format(frontline.DateLayout)}}}}
	if err := sqldb.NewVisitService(db).RecordVisit(ctx, v); err != nil {
		t.Fatal(err)
	}
}
