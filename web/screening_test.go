package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withScreening gives a server the screening services of db.
func withScreening(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		ra := sqldb.NewRiskAreaService(db)
		s.Campaigns, s.Visits, s.Reports = sqldb.NewCampaignService(db), sqldb.NewVisitService(db), sqldb.NewReportService(db)
		fs := sqldb.NewFollowUpService(db)
		s.RiskAreas, s.Rules, s.FollowUps, s.SelfReports = ra, ra, fs, fs
	}
}

type campaignBody struct {
	Campaign frontline.Campaign `json:"campaign"`
}

// TestScreening_API drives a campaign through the API: the list of risk
// areas, opening, a grid worker's visits (one resent), coverage, the close
// refusal and the report.
func TestScreening_API(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return testNow }
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f, withScreening(db))
		admin := ts.client

		csv := "地区名称,地区代码,风险等级,开始日期\n西安市雁塔区,610113,高,2026-05-20\n"
		resp, body := admin.do(t, http.MethodPost, "/api/v1/risk-areas/import?name=list.csv", strings.NewReader(csv),
			http.Header{"Content-Type": {"text/csv"}, "X-CSRF-Token": {admin.csrf}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"imported": 1`) {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		resp, body = admin.do(t, http.MethodPost, "/api/v1/risk-areas/import", strings.NewReader("地区名称,风险等级,开始日期\n某地,红,2026-05-20\n"),
			http.Header{"Content-Type": {"text/csv"}, "X-CSRF-Token": {admin.csrf}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"column": "B (风险等级)"`) || !strings.Contains(body, `"row": 2`) {
			t.Fatalf("bad import: %d %s", resp.StatusCode, body)
		}

		resp, body = admin.sendJSON(t, http.MethodPost, "/api/v1/campaigns", map[string]any{
			"name": "返乡人员摸排", "scope_id": f.sub.ID, "arrived_since": "2026-05-20", "min_level": "medium",
			"deadline": testNow.Add(48 * time.Hour)})
		var opened campaignBody
		decodeAPI(t, "open", resp, body, http.StatusCreated, &opened)
		c := opened.Campaign
		if c.Households != 4 {
			t.Fatalf("opened %+v", c)
		}

		grid := ts.as(t, frontline.RoleGridWorker, f.comp1)
		visit := map[string]any{"client_id": "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "household_id": f.hh[0].ID, "outcome": "screened",
			"persons": []map[string]any{
				{"person_id": f.persons[0].ID, "present": true, "travel": map[string]any{"area_code": "610113", "arrived_on": "2026-05-30"}},
				{"new": map[string]any{"name": "周八", "id_number": idNumber("19900101", 71)}, "present": true},
			}}
		path := fmt.Sprintf("/api/v1/campaigns/%d/visits", c.ID)
		resp, body = grid.sendJSON(t, http.MethodPost, path, visit)
		if resp.StatusCode != http.StatusCreated || strings.Contains(body, idNumber("19900101", 71)) {
			t.Fatalf("visit: %d %s", resp.StatusCode, body)
		}
		resp, body = grid.sendJSON(t, http.MethodPost, path, visit)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"duplicate": true`) {
			t.Fatalf("resend: %d %s", resp.StatusCode, body)
		}
		var cov struct {
			Node struct {
				Households, Screened, Pending, Isolation int
				NewPersons                               int `json:"new_persons"`
			} `json:"node"`
		}
		grid.getJSON(t, fmt.Sprintf("/api/v1/campaigns/%d/coverage", c.ID), http.StatusOK, &cov)
		if cov.Node.Households != 2 || cov.Node.Screened != 1 || cov.Node.Pending != 1 || cov.Node.Isolation != 1 || cov.Node.NewPersons != 1 {
			t.Errorf("grid worker's coverage %+v", cov.Node)
		}

		resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/campaigns/%d/close", c.ID), map[string]any{})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "3 households have no final status") {
			t.Errorf("close: %d %s", resp.StatusCode, body)
		}
		resp, body = admin.get(t, fmt.Sprintf("/api/v1/campaigns/%d/report?format=xlsx", c.ID))
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxml") {
			t.Fatalf("report: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		wb, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := wb.GetRows("返乡人员")
		if len(rows) != 3 || rows[2][0] != "张三" || strings.Contains(rows[2][1], f.persons[0].IDNumber[6:14]) {
			t.Errorf("returnees sheet %v", rows)
		}
		if resp, _ := grid.get(t, fmt.Sprintf("/api/v1/campaigns/%d/report", c.ID)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("grid worker's report: %d", resp.StatusCode)
		}
		if resp, _ := grid.sendJSON(t, http.MethodPost, "/api/v1/campaigns", map[string]any{"name": "x"}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("grid worker opened a campaign: %d", resp.StatusCode)
		}
	})
}

// TestScreening_Pages checks the dashboard and the phone page render with
// the elements the browser test relies on.
func TestScreening_Pages(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	db.Now = func() time.Time { return testNow }
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withScreening(db))
	resp, body := ts.client.postForm(t, "/screening", map[string][]string{"name": {"返乡人员摸排"}, "arrived_since": {"2026-05-20"},
		"min_level": {"medium"}, "deadline": {"2026-06-03"}, "cutoff": {"16:00"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("open form: %d %s", resp.StatusCode, body)
	}
	dash := resp.Header.Get("Location")
	resp, body = ts.client.get(t, dash)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "罗玉新村社区") || !strings.Contains(body, `data-testid="gap-list"`) {
		t.Fatalf("dashboard: %d %s", resp.StatusCode, body)
	}
	grid := ts.as(t, frontline.RoleGridWorker, f.comp1)
	resp, body = grid.get(t, dash+"/doors")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("doors: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{`id="pending-count"`, fmt.Sprintf(`id="door-%d"`, f.hh[0].ID), `data-testid="outcome-not_home"`,
		"/static/doors.js", `data-csrf="` + grid.csrf + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("doors page lacks %s", want)
		}
	}
	if strings.Contains(body, fmt.Sprintf(`id="door-%d"`, f.hh[2].ID)) {
		t.Error("doors page shows a household outside the worker's compound")
	}
	if resp, _ := grid.get(t, dash); resp.StatusCode != http.StatusForbidden {
		t.Errorf("grid worker's dashboard: %d", resp.StatusCode)
	}
	if resp, body := grid.get(t, "/static/doors.js"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "localStorage") {
		t.Errorf("doors.js: %d", resp.StatusCode)
	}
}

// Stubs that let a server register the screening routes without a store,
// for tests that only list routes. Every method panics on the nil
// embedded interface.
type (
	stubCampaigns   struct{ frontline.CampaignService }
	stubVisits      struct{ frontline.VisitService }
	stubReports     struct{ frontline.ReportService }
	stubRiskAreas   struct{ frontline.RiskAreaService }
	stubRules       struct{ frontline.MeasureRuleService }
	stubFollowUps   struct{ frontline.FollowUpService }
	stubSelfReports struct{ frontline.SelfReportService }
)

// withStubScreening gives a server stub screening services, so its routes
// are registered.
func withStubScreening(s *web.Server) {
	s.Campaigns, s.Visits, s.Reports, s.RiskAreas = stubCampaigns{}, stubVisits{}, stubReports{}, stubRiskAreas{}
	s.Rules, s.FollowUps, s.SelfReports = stubRules{}, stubFollowUps{}, stubSelfReports{}
}

// TestScreening_DoorsShowRestriction: after a case in 101 (李梅), the
// grid worker's door list marks 101 with it, from RestrictionService's
// answer, so the screener asks through the door; the campaign's doors
// without anyone restricted carry no mark.
func TestScreening_DoorsShowRestriction(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withScreening(db), func(s *web.Server) { s.Restrictions = sqldb.NewRestrictionService(db, nil) })
		sec := frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: 1, Login: "sec", Role: frontline.RoleCommunitySecretary,
			ScopeID: f.comm1.ID, ScopePath: f.comm1.Path})
		c := &frontline.Campaign{Name: "返乡人员摸排", ScopeID: f.comm1.ID, Deadline: time.Now().Add(72 * time.Hour),
			Question: frontline.Question{ArrivedSince: time.Now().AddDate(0, 0, -14).Format(frontline.DateLayout)}}
		if err := sqldb.NewCampaignService(db).OpenCampaign(sec, c); err != nil {
			t.Fatal(err)
		}
		grid := ts.as(t, frontline.RoleGridWorker, f.comp1)
		doors := fmt.Sprintf("/screening/%d/doors", c.ID)
		if _, body := grid.get(t, doors); strings.Contains(body, `data-testid="door-restriction"`) {
			t.Fatalf("a door is marked before any restriction: %s", body)
		}
		if _, err := sqldb.NewCaseService(db).ReportCase(sec, &frontline.CaseReport{PersonID: f.persons[1].ID, Source: frontline.SourceHospital,
			ExternalRef: "H-2", Reporter: "市第一人民医院", ConfirmedAt: db.Now()}); err != nil {
			t.Fatal(err)
		}
		resp, body := grid.get(t, doors)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("doors: %d %s", resp.StatusCode, body)
		}
		_, door, ok := strings.Cut(body, fmt.Sprintf(`id="door-%d"`, f.hh[0].ID))
		door, _, _ = strings.Cut(door, "</li>")
		if !ok {
			t.Fatalf("no door of 101: %s", body)
		}
		if !strings.Contains(door, `data-testid="door-restriction"`) || !strings.Contains(door, "本户有人：阳性病例") {
			t.Errorf("101's door does not show its case: %s", door)
		}
	})
}
