package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRoundPage_Notices saves a round's call-up plan and reads the round's
// page: the notices sent are listed there, folded, each with its building,
// its state and what it says, and how many are in each state — not only
// in the API and the log.
func TestRoundPage_Notices(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	rs := openRoundAPI(t, ts, f)
	resp, body := ts.client.sendJSON(t, http.MethodPut, fmt.Sprintf("/api/v1/rounds/%d/plan", rs.round.ID), map[string]any{
		"slots": []map[string]any{{"site_id": rs.site.ID, "building_id": f.bld1.ID, "building": "枣园小区1号楼", "part": 1, "parts": 1,
			"persons": 4, "starts_at": "2026-06-01T22:00:00Z", "ends_at": "2026-06-01T22:20:00Z"}}})
	mustStatus(t, resp, body, http.StatusOK, nil)
	_, page := ts.get(t, fmt.Sprintf("/rounds/%d", rs.round.ID))
	for _, want := range []string{`data-testid="notices"`, "通知下楼（1 条）", "待发送 1", `data-status="pending"`, "请枣园小区1号楼居民（第1/1批）"} {
		if !strings.Contains(page, want) {
			t.Errorf("the round's page lacks %q", want)
		}
	}
}
