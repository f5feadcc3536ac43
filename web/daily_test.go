package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

func withDaily(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		s.Daily = sqldb.NewDailyReportService(db)
	}
}

// TestDailyReport_Page shows a subdistrict's report with a row per
// community, exports it, submits it once and sets a cut-off.
func TestDailyReport_Page(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return testNow }
		f := buildFixture(t, db)
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "test"})
		if _, err := sqldb.NewZoneService(db).SetZone(ctx, &frontline.Zone{PlaceID: f.comp2.ID, Level: frontline.LevelSealed,
			Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		ts := newDBServer(t, db, withDaily(db))
		sec := ts.as(t, frontline.RoleSubdistrictAdmin, f.sub)
		resp, body := sec.get(t, "/daily")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("daily page %d: %s", resp.StatusCode, body)
		}
		for _, want := range []string{"大城街道 日报 2026-06-02", "罗玉新村社区", "自治巷社区", `data-testid="daily-zones"`, "封控区",
			`data-total="1"`, `/daily/export.xlsx?day=2026-06-02&amp;place=`} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		resp, body = sec.get(t, fmt.Sprintf("/daily/export.xlsx?place=%d", f.sub.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("export %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := x.GetRows("风险区域")
		if len(rows) != 5 || rows[3][0] != "自治巷社区" || rows[3][1] != "1" || rows[4][0] != "合计" {
			t.Errorf("风险区域 %q", rows)
		}
		x.Close()

		place := fmt.Sprint(f.sub.ID)
		resp, _ = sec.postForm(t, "/daily/submit", url.Values{"place": {place}, "day": {"2026-06-02"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit %d", resp.StatusCode)
		}
		_, body = sec.get(t, resp.Header.Get("Location"))
		if !strings.Contains(body, `data-testid="saved"`) || strings.Contains(body, `data-testid="daily-submit"`) {
			t.Errorf("after submitting, the page still offers to submit")
		}
		var out struct {
			Report frontline.DailyReport `json:"report"`
		}
		sec.getJSON(t, "/api/v1/daily-reports?place="+place, http.StatusOK, &out)
		if out.Report.Status != frontline.DailySubmitted || out.Report.Section(frontline.DailyZones).Total.Values[0] != 1 {
			t.Errorf("API report %+v", out.Report)
		}
		resp, body = sec.sendJSON(t, http.MethodPost, "/api/v1/daily-reports/submit", map[string]any{"place_id": f.sub.ID})
		if resp.StatusCode != http.StatusConflict {
			t.Errorf("submitted twice: %d %s", resp.StatusCode, body)
		}
		resp, body = sec.sendJSON(t, http.MethodPut, "/api/v1/daily-cut-off", map[string]any{"place_id": f.sub.ID, "cut_off": "18:00"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("cut-off %d %s", resp.StatusCode, body)
		}
		var c struct {
			CutOff string `json:"cut_off"`
		}
		sec.getJSON(t, fmt.Sprintf("/api/v1/daily-cut-off?place=%d", f.comm1.ID), http.StatusOK, &c)
		if c.CutOff != "18:00" {
			t.Errorf("the community's cut-off %q", c.CutOff)
		}
		// A community's staff cannot read the other community's report; a
		// grid worker reads none.
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		if resp, _ := staff.get(t, fmt.Sprintf("/daily?place=%d", f.comm2.ID)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the other community's report: %d", resp.StatusCode)
		}
		grid := ts.as(t, frontline.RoleGridWorker, f.comp1)
		if resp, _ := grid.get(t, "/daily"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a grid worker's daily report: %d", resp.StatusCode)
		}
	})
}
