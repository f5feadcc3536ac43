package web_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withCases serves the cases, transfers, restrictions and the inbox.
func withCases(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		s.Cases, s.Transfers, s.Alerts = sqldb.NewCaseService(db), sqldb.NewTransferService(db), sqldb.NewAlertService(db)
		s.Restrictions = sqldb.NewRestrictionService(db, nil)
	}
}

type caseBody struct {
	Case frontline.Case `json:"case"`
}

// TestCase_API reports a case through the API as the disease-control
// centre's import would, on both engines: one case by JSON (and the same
// again), a file with a bad row refused whole with the row and column,
// the case's detail, its report as LibreOffice opens it (counts as
// numbers, the name masked), sealing its building, and the secretary's
// unread count on every page until she acknowledges.
func TestCase_API(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withZones(db), withCases(db))
		staff := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		zhang, li := f.persons[0], f.persons[1] // 张三 and 李梅 of hh[0], in 1号楼 1单元
		at := testNow.Add(-3 * time.Hour).Format(time.RFC3339)
		body := map[string]any{"id_number": zhang.IDNumber, "name": zhang.Name, "source": "cdc", "external_ref": "TS-0001",
			"reporter": "天水市疾控中心", "confirmed_at": at}
		var cb caseBody
		db.Now = func() time.Time { return testNow }
		postJSON(t, staff, "/api/v1/cases", body, http.StatusOK, &cb)
		if cb.Case.PersonID != zhang.ID || cb.Case.Ref() != "TS-0001" || cb.Case.Status != frontline.CaseOpen {
			t.Fatalf("the case %+v", cb.Case)
		}
		var again caseBody
		postJSON(t, staff, "/api/v1/cases", body, http.StatusOK, &again)
		if again.Case.ID != cb.Case.ID {
			t.Fatalf("the same report opened case %d, then %d", cb.Case.ID, again.Case.ID)
		}
		// A file: row 3 names nobody of the area; nothing is stored.
		csv := "身份证号,姓名,来源,病例编号,报告单位,确诊时间\n" +
			li.IDNumber + ",李梅,疾控中心,TS-0002,天水市疾控中心,2026-06-01 10:00\n" +
			"620502199901010000,某人,疾控中心,TS-0003,天水市疾控中心,2026-06-01 10:00\n"
		resp, text := staff.do(t, http.MethodPost, "/api/v1/cases/import?name=cases.csv", strings.NewReader(csv), http.Header{"Content-Type": {"text/csv"}, "X-Csrf-Token": {staff.csrf}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, `"row": 3`) || !strings.Contains(text, "id_number") {
			t.Fatalf("import with a bad row: %d %s", resp.StatusCode, text)
		}
		var list struct {
			Total int `json:"total"`
		}
		staff.getJSON(t, "/api/v1/cases", http.StatusOK, &list)
		if list.Total != 1 {
			t.Fatalf("a refused file stored cases: %d", list.Total)
		}
		// The detail and the report.
		var d frontline.CaseDetail
		staff.getJSON(t, "/api/v1/cases/"+strconv.FormatInt(cb.Case.ID, 10), http.StatusOK, &d)
		if len(d.Contacts) == 0 || len(d.Proposals) != 2 || d.Proposals[0].PlaceID != f.unit1.ID {
			t.Fatalf("detail: %d contacts, proposals %+v", len(d.Contacts), d.Proposals)
		}
		resp, xlsx := staff.get(t, "/cases/"+strconv.FormatInt(cb.Case.ID, 10)+"/report.xlsx")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("report: %d", resp.StatusCode)
		}
		sheets := office.Sheets(t, []byte(xlsx))
		cover := sheets["病例概况"]
		if len(cover) < 12 || !strings.HasPrefix(cover[0][0], "阳性病例处置情况报告") || cover[3][1] != "张*" {
			t.Fatalf("cover sheet %q", cover)
		}
		found := false
		for _, row := range cover {
			if len(row) > 1 && row[0] == "同住人员" && row[1] == "2" {
				found = true
			}
		}
		if !found {
			t.Fatalf("the household contacts are not counted on the cover: %q", cover)
		}
		if contacts := sheets["密接人员"]; len(contacts) != 2+len(d.Contacts) || contacts[2][2] == li.Name {
			t.Fatalf("contacts sheet %q", contacts)
		}
		// The unread count on every page; then acknowledged.
		_, page := staff.get(t, "/search")
		if !strings.Contains(page, `data-testid="unread">1<`) {
			t.Fatalf("no unread count on a page: %s", page[:min(len(page), 2000)])
		}
		var alerts struct {
			Alerts []frontline.Alert `json:"alerts"`
		}
		staff.getJSON(t, "/api/v1/alerts", http.StatusOK, &alerts)
		if len(alerts.Alerts) != 1 || alerts.Alerts[0].Kind != frontline.AlertCase {
			t.Fatalf("alerts %+v", alerts)
		}
		resp, _ = staff.postForm(t, "/alerts/"+strconv.FormatInt(alerts.Alerts[0].ID, 10)+"/ack", nil)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("acknowledge: %d", resp.StatusCode)
		}
		if _, page = staff.get(t, "/search"); strings.Contains(page, `data-testid="unread"`) {
			t.Fatal("the count stays after the acknowledgement")
		}
		// Sealing the unit from the case; a grid worker may not.
		grid := ts.as(t, frontline.RoleGridWorker, f.comm1)
		if resp, _ := grid.sendJSON(t, http.MethodPost, "/api/v1/cases/"+strconv.FormatInt(cb.Case.ID, 10)+"/seal",
			map[string]any{"place_id": f.unit1.ID}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a grid worker sealed: %d", resp.StatusCode)
		}
		if resp, text := staff.sendJSON(t, http.MethodPost, "/api/v1/cases/"+strconv.FormatInt(cb.Case.ID, 10)+"/seal",
			map[string]any{"place_id": f.unit1.ID}); resp.StatusCode != http.StatusCreated {
			t.Fatalf("seal: %d %s", resp.StatusCode, text)
		}
		// The case page and the person page render for the secretary.
		for _, path := range []string{"/cases", "/cases/" + strconv.FormatInt(cb.Case.ID, 10), "/transfers", "/alerts", "/alerts?all=1",
			"/cases/new", "/persons/" + strconv.FormatInt(li.ID, 10)} {
			if resp, _ := staff.get(t, path); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", path, resp.StatusCode)
			}
		}
		_, person := staff.get(t, "/persons/"+strconv.FormatInt(li.ID, 10))
		if !strings.Contains(person, `data-testid="person-restrictions"`) || !strings.Contains(person, "集中隔离") {
			t.Fatal("the person page does not show the contact's measure")
		}
	})
}

// postJSON posts v as JSON, checks the status and decodes the answer.
func postJSON(t *testing.T, c *client, path string, v any, status int, out any) {
	t.Helper()
	resp, text := c.sendJSON(t, http.MethodPost, path, v)
	if resp.StatusCode != status {
		t.Fatalf("POST %s: %d, want %d: %s", path, resp.StatusCode, status, text)
	}
	if err := json.Unmarshal([]byte(text), out); err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
}
