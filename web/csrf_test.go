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

// TestCSRF posts changes the way another site or a stale page would, and
// checks each is refused with 403 and changes nothing; then the same
// change from the page itself goes through.
func TestCSRF(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		admin := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		target := f.persons[1]
		path := fmt.Sprintf("/persons/%d/moveout", target.ID)
		status := func() frontline.ResidenceStatus {
			p, err := sqldb.NewPersonService(db).FindPersonByID(context.Background(), target.ID)
			if err != nil {
				t.Fatal(err)
			}
			return p.Status
		}
		for _, tt := range []struct {
			name   string
			form   url.Values
			header http.Header
		}{
			{"CrossSiteOrigin", url.Values{"csrf": {admin.csrf}}, http.Header{"Origin": {"https://evil.example"}}},
			{"CrossSiteFetch", url.Values{"csrf": {admin.csrf}}, http.Header{"Sec-Fetch-Site": {"cross-site"}}},
			{"NoToken", url.Values{}, nil},
			{"WrongToken", url.Values{"csrf": {admin.csrf[:20] + "AAAA" + admin.csrf[24:]}}, nil},
			{"TokenOfAnotherSession", url.Values{"csrf": {ts.as(t, frontline.RoleCommunitySecretary, f.comm1).csrf}}, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := admin.postRaw(t, path, tt.form, tt.header)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("status %d, want 403; body %.300s", resp.StatusCode, body)
				}
				if got := status(); got != frontline.StatusResident {
					t.Fatalf("the refused post changed the status to %s", got)
				}
			})
		}
		t.Run("SameSite", func(t *testing.T) {
			resp, _ := admin.postRaw(t, path, url.Values{"csrf": {admin.csrf}}, http.Header{"Origin": {ts.URL}, "Sec-Fetch-Site": {"same-origin"}})
			if resp.StatusCode != http.StatusSeeOther || status() != frontline.StatusMovedOut {
				t.Fatalf("status %d, person %s", resp.StatusCode, status())
			}
		})
		t.Run("CrossSiteLogin", func(t *testing.T) {
			ts.user(t, "victim", frontline.RoleVolunteer, f.comm1)
			resp, _ := ts.anonymous().postRaw(t, "/login", url.Values{"login": {"victim"}, "password": {goodPassword}},
				http.Header{"Sec-Fetch-Site": {"cross-site"}})
			if resp.StatusCode != http.StatusForbidden || sessionCookie(resp) != nil {
				t.Fatalf("cross-site sign-in: %d", resp.StatusCode)
			}
		})
		t.Run("API", func(t *testing.T) {
			patch := fmt.Sprintf("/api/v1/persons/%d", f.persons[0].ID)
			name := func() string {
				p, err := sqldb.NewPersonService(db).FindPersonByID(context.Background(), f.persons[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				return p.Name
			}
			// A browser session must send the token in a header.
			resp, body := admin.do(t, http.MethodPatch, patch, strings.NewReader(`{"name":"张三丰"}`),
				http.Header{"Content-Type": {"application/json"}})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `"forbidden"`) || name() != "张三" {
				t.Fatalf("cookie without token: %d %s", resp.StatusCode, body)
			}
			// A device token needs none, but another site's browser still
			// cannot use one.
			dev := ts.device(mustToken(t, ts, "lab importer", frontline.RoleCommunityStaff, f.comm1))
			resp, body = dev.do(t, http.MethodPatch, patch, strings.NewReader(`{"name":"张三丰"}`),
				http.Header{"Content-Type": {"application/json"}, "Origin": {"https://evil.example"}})
			if resp.StatusCode != http.StatusForbidden || name() != "张三" {
				t.Fatalf("token from another site: %d %s", resp.StatusCode, body)
			}
			// A form-encoded body is not JSON, whoever sends it.
			resp, _ = dev.do(t, http.MethodPatch, patch, strings.NewReader(`name=x`),
				http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
			if resp.StatusCode != http.StatusBadRequest || name() != "张三" {
				t.Fatalf("form body: %d", resp.StatusCode)
			}
			if resp, body := dev.sendJSON(t, http.MethodPatch, patch, map[string]any{"name": "张三丰"}); resp.StatusCode != http.StatusOK || name() != "张三丰" {
				t.Fatalf("token: %d %s", resp.StatusCode, body)
			}
			if resp, body := admin.sendJSON(t, http.MethodPatch, patch, map[string]any{"name": "张三"}); resp.StatusCode != http.StatusOK || name() != "张三" {
				t.Fatalf("cookie with token: %d %s", resp.StatusCode, body)
			}
		})
	})
}
