package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withNotices serves the opt-outs of notices to residents.
func withNotices(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) { s.NoticeOptOuts = sqldb.NewNoticeOptOutService(db) }
}

type optOutBody struct {
	Phone     string `json:"phone"`
	OptedOut  bool   `json:"opted_out"`
	Withdrawn int    `json:"withdrawn"`
}

// TestNotice_OptOutAPI records a resident's opt-out through the API as a
// grid worker of their community would, on both engines: the answer masks
// the number, the check says so, a number of another community is not
// found, a landline is refused by field, the change is audited, and
// removing it lets notices go again.
func TestNotice_OptOutAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withNotices(db))
		grid := ts.as(t, frontline.RoleGridWorker, f.comm1)
		zhang := f.persons[0] // 13900000001, of 罗玉新村社区
		var got optOutBody
		resp, body := grid.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs", map[string]string{"phone": zhang.Phone, "reason": "本人电话要求"})
		decodeAPI(t, "opt out", resp, body, http.StatusOK, &got)
		if !got.OptedOut || got.Phone != "139****0001" || strings.Contains(body, zhang.Phone) {
			t.Errorf("opt out answered %s", body)
		}
		resp, body = grid.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs/check", map[string]string{"phone": "139-0000-0001"})
		decodeAPI(t, "check", resp, body, http.StatusOK, &got)
		if !got.OptedOut {
			t.Errorf("check answered %s", body)
		}
		// 赵强 lives in 自治巷社区, outside the grid worker's community.
		resp, body = grid.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs", map[string]string{"phone": f.persons[6].Phone})
		var e apiError
		decodeAPI(t, "outside the scope", resp, body, http.StatusNotFound, &e)
		resp, body = grid.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs", map[string]string{"phone": "0938-8211234"})
		decodeAPI(t, "a landline", resp, body, http.StatusBadRequest, &e)
		if e.Error.Field != "phone" {
			t.Errorf("a landline: %s", body)
		}
		var audit struct {
			Changes []struct {
				Action string         `json:"action"`
				After  map[string]any `json:"after"`
			} `json:"changes"`
		}
		admin := ts.as(t, frontline.RoleCityAdmin, f.city)
		admin.getJSON(t, "/api/v1/audit?action=notice_opt_out", http.StatusOK, &audit)
		found := false
		for _, c := range audit.Changes {
			found = found || (c.Action == "notice_opt_out" && c.After["phone"] == "139****0001")
		}
		if !found {
			t.Errorf("the opt-out is not in the audit log: %+v", audit)
		}
		resp, body = grid.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs/remove", map[string]string{"phone": zhang.Phone})
		decodeAPI(t, "opt in", resp, body, http.StatusOK, &got)
		resp, body = grid.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs/check", map[string]string{"phone": zhang.Phone})
		decodeAPI(t, "check again", resp, body, http.StatusOK, &got)
		if got.OptedOut {
			t.Errorf("after removing the opt-out: %s", body)
		}
	})
}

// TestNotice_PersonPage lets a grid worker opt a resident out of SMS
// notices from the person page, without seeing the number, and back in;
// a person without a mobile number shows no such line. On both engines.
func TestNotice_PersonPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withNotices(db))
		grid := ts.as(t, frontline.RoleGridWorker, f.comm1)
		wang := f.persons[3] // 王芳, 13900000004
		page := fmt.Sprintf("/persons/%d", wang.ID)
		_, body := grid.get(t, page)
		if !strings.Contains(body, `data-opted-out="false"`) || !strings.Contains(body, "退订") {
			t.Fatalf("the person page lacks the notices line:\n%s\n%s", ts.logs.String(), body)
		}
		resp, body := grid.postForm(t, page+"/notices", url.Values{"opt": {"out"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("opt out: %d %s", resp.StatusCode, body)
		}
		if _, body = grid.get(t, page); !strings.Contains(body, `data-opted-out="true"`) || strings.Contains(body, wang.Phone) {
			t.Fatalf("after opting out:\n%s", body)
		}
		var got optOutBody
		r2, b2 := grid.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs/check", map[string]string{"phone": wang.Phone})
		decodeAPI(t, "check", r2, b2, http.StatusOK, &got)
		if !got.OptedOut {
			t.Fatalf("the API does not see the opt-out: %s", b2)
		}
		for range 2 { // a form sent twice changes nothing more
			if resp, body = grid.postForm(t, page+"/notices", url.Values{"opt": {"in"}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("opt in: %d %s", resp.StatusCode, body)
			}
		}
		if _, body = grid.get(t, page); !strings.Contains(body, `data-opted-out="false"`) {
			t.Fatal("after opting in the page still says opted out")
		}
		child := f.persons[2] // 张小明, no phone
		if _, body = grid.get(t, fmt.Sprintf("/persons/%d", child.ID)); strings.Contains(body, "person-notices") {
			t.Error("a person without a mobile number shows the notices line")
		}
	})
}

// TestNotice_SMSReply takes residents' replies as the gateway's bridge
// passes them on, on both engines: "ＴＤ" opts the number out (twice acts
// once), "谢谢" changes nothing and says the number is out, "订阅" takes
// notices again, a number outside the bridge's scope is not found.
func TestNotice_SMSReply(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withNotices(db))
		bridge := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		zhang := f.persons[0] // 13900000001, of 罗玉新村社区
		type replyBody struct {
			Phone    string `json:"phone"`
			Kind     string `json:"kind"`
			OptedOut bool   `json:"opted_out"`
		}
		reply := func(phone, text string, want int) replyBody {
			t.Helper()
			var got replyBody
			resp, body := bridge.sendJSON(t, http.MethodPost, "/api/v1/notice-replies", map[string]string{"phone": phone, "text": text})
			if want != http.StatusOK {
				var e apiError
				decodeAPI(t, text, resp, body, want, &e)
				return got
			}
			decodeAPI(t, text, resp, body, want, &got)
			if strings.Contains(body, phone) {
				t.Errorf("the answer shows the number: %s", body)
			}
			return got
		}
		for range 2 {
			if got := reply(zhang.Phone, "ＴＤ", http.StatusOK); got.Kind != "opt_out" || !got.OptedOut || got.Phone != "139****0001" {
				t.Errorf("TD: %+v", got)
			}
		}
		if got := reply(zhang.Phone, "谢谢", http.StatusOK); got.Kind != "other" || !got.OptedOut {
			t.Errorf("谢谢: %+v", got)
		}
		if got := reply(zhang.Phone, "订阅", http.StatusOK); got.Kind != "opt_in" || got.OptedOut {
			t.Errorf("订阅: %+v", got)
		}
		var got optOutBody
		resp, body := bridge.sendJSON(t, http.MethodPost, "/api/v1/notice-opt-outs/check", map[string]string{"phone": zhang.Phone})
		decodeAPI(t, "check", resp, body, http.StatusOK, &got)
		if got.OptedOut {
			t.Errorf("after 订阅 the number is still out: %s", body)
		}
		reply(f.persons[6].Phone, "TD", http.StatusNotFound) // 赵强, of 自治巷社区
	})
}
