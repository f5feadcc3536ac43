package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withDistributions gives a server the distribution service of db.
func withDistributions(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) { s.Distributions = sqldb.NewDistributionService(db) }
}

// TestDistributionPages: community staff start a package for 忠义巷小区; a
// volunteer marks doors with one tap on the gap list; a close is refused
// while doors are unserved, saying how many and linking the gap list, and
// goes through once every door has a final status; the needs set on the
// household's page are on the list and in the XLSX, whose counts are
// numbers; a mark outside the volunteer's scope is refused.
func TestDistributionPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withDistributions(db), withZones(db))
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm2)
		if resp, body := staff.postForm(t, fmt.Sprintf("/distributions?place=%d", f.comm2.ID), url.Values{"dist_name": {"第一批"},
			"contents": {""}, "scope_id": {itoa(f.comp2.ID)}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="第一批"`) {
			t.Fatalf("without contents: %d %s", resp.StatusCode, body)
		}
		resp, _ := staff.postForm(t, fmt.Sprintf("/distributions?place=%d", f.comm2.ID), url.Values{"dist_name": {"第一批"},
			"contents": {"蔬菜包 10斤"}, "scope_id": {itoa(f.comp2.ID)}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/distributions/") {
			t.Fatalf("start: %d", resp.StatusCode)
		}
		if resp, _ := staff.postForm(t, fmt.Sprintf("/households/%d/needs", f.hh[2].ID), url.Values{"needs": {"halal"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("needs: %d", resp.StatusCode)
		}
		if _, body := staff.get(t, fmt.Sprintf("/places/%d", f.hh[2].ID)); !strings.Contains(body, `value="halal" checked`) {
			t.Fatalf("the household's page: %s", body)
		}

		vol := ts.as(t, frontline.RoleVolunteer, f.comp2)
		_, body := vol.get(t, loc+"/doors")
		if n := strings.Count(body, `data-testid="dist-door"`); n != 2 || !strings.Contains(body, `data-testid="to-front"`) ||
			!strings.Contains(body, "清真") {
			t.Fatalf("gap list: %d doors: %s", n, body)
		}
		if resp, body := vol.postForm(t, loc+"/mark", url.Values{"household_id": {itoa(f.hh[2].ID)}, "status": {"delivered"},
			"back": {loc + "/doors"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("delivered: %d %s", resp.StatusCode, body)
		}
		if resp, body := vol.postForm(t, loc+"/mark", url.Values{"household_id": {itoa(f.hh[3].ID)}, "status": {"not_applicable"},
			"back": {loc + "/doors"}}); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="mark-error"`) {
			t.Fatalf("not applicable without a reason: %d %s", resp.StatusCode, body)
		}
		if resp, _ := vol.postForm(t, loc+"/mark", url.Values{"household_id": {itoa(f.hh[0].ID)}, "status": {"delivered"}}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a door of another compound: %d", resp.StatusCode)
		}
		if _, body := vol.get(t, loc); strings.Contains(body, `data-testid="dist-close"`) || strings.Contains(body, "list.xlsx") {
			t.Fatalf("a volunteer is shown the office's forms: %s", body)
		}

		resp, body = staff.postForm(t, loc+"/close", nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="close-refused"`) ||
			!strings.Contains(body, "还有 1 户") || !strings.Contains(body, `data-testid="refused-gaps"`) {
			t.Fatalf("close with a door unserved: %d %s", resp.StatusCode, body)
		}
		resp, body = staff.get(t, loc+"/list.xlsx")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("xlsx: %d", resp.StatusCode)
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		typ, _ := x.GetCellType("楼栋进度", "B3")
		rows, _ := x.GetRows("发放名单")
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || len(rows) != 4 ||
			!strings.Contains(strings.Join(rows[2], "|"), "清真") || rows[2][3] != "已送达" {
			t.Fatalf("xlsx: B3 %v, rows %q", typ, rows)
		}

		if resp, _ := vol.postForm(t, loc+"/mark", url.Values{"household_id": {itoa(f.hh[3].ID)}, "status": {"moved_out"},
			"reason": {"已搬走"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("moved out: %d", resp.StatusCode)
		}
		if resp, _ := staff.postForm(t, loc+"/close", nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", resp.StatusCode)
		}
		if _, body := staff.get(t, loc); !strings.Contains(body, "已结束") {
			t.Fatalf("closed: %s", body)
		}
	})
}

// TestDistributionAPI starts, reads, marks and closes a distribution as
// JSON; a close with doors unserved is 409.
func TestDistributionAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withDistributions(db))
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm2)
		resp, body := staff.sendJSON(t, http.MethodPost, "/api/v1/distributions", map[string]any{"name": "第一批", "contents": "米面油",
			"scope_id": f.comp2.ID})
		var started struct {
			Distribution frontline.Distribution `json:"distribution"`
		}
		decodeAPI(t, "start", resp, body, http.StatusCreated, &started)
		if started.Distribution.Households != 2 {
			t.Fatalf("started: %+v", started)
		}
		path := fmt.Sprintf("/api/v1/distributions/%d", started.Distribution.ID)
		var list struct {
			Households []frontline.Handout `json:"households"`
			Total      int                 `json:"total"`
		}
		staff.getJSON(t, path+"/households?pending=true", http.StatusOK, &list)
		if list.Total != 2 || list.Households[0].Building != "2号楼" {
			t.Fatalf("households: %+v", list)
		}
		resp, body = staff.sendJSON(t, http.MethodPost, path+"/close", nil)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "2 households") {
			t.Fatalf("close: %d %s", resp.StatusCode, body)
		}
		for _, h := range list.Households {
			resp, body := staff.sendJSON(t, http.MethodPost, path+"/marks", map[string]any{"household_id": h.HouseholdID, "status": "delivered"})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("mark: %d %s", resp.StatusCode, body)
			}
		}
		var got struct {
			Progress frontline.DistributionProgress `json:"progress"`
		}
		staff.getJSON(t, path, http.StatusOK, &got)
		if got.Progress.Delivered != 2 {
			t.Fatalf("progress: %+v", got)
		}
		if resp, body := staff.sendJSON(t, http.MethodPost, path+"/close", nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("close: %d %s", resp.StatusCode, body)
		}
		if _, err := sqldb.NewDistributionService(db).FindDistributionByID(context.Background(), started.Distribution.ID); err != nil {
			t.Fatal(err)
		}
	})
}
