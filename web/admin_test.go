package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// options returns the values offered by the select named name.
func options(body, name string) []string {
	i := strings.Index(body, `name="`+name+`"`)
	if i < 0 {
		return nil
	}
	sel := body[i:]
	sel = sel[:strings.Index(sel, "</select>")]
	var out []string
	for _, m := range regexp.MustCompile(`<option value="([^"]*)"`).FindAllStringSubmatch(sel, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestUsersPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		ts.user(t, "elsewhere", frontline.RoleGridWorker, f.comm2)
		_, body := sec.get(t, "/users")
		assertContains(t, body, sec.login, "社区书记", "137****0000")
		if strings.Contains(body, "elsewhere") {
			t.Fatal("the users page lists a user of another community")
		}
		_, body = sec.get(t, "/users/new")
		roles, scopes := options(body, "role"), options(body, "scope_id")
		if strings.Join(roles, ",") != "community_secretary,community_staff,grid_worker,volunteer,sampler,lab,shop,pharmacy" {
			t.Fatalf("roles offered %v", roles)
		}
		if strings.Join(scopes, ",") != strings.Join([]string{id(f.comm1), id(f.comp1), id(f.bld1)}, ",") {
			t.Fatalf("scopes offered %v, want the community, its compound and building", scopes)
		}
		good := url.Values{"login": {"grid.01"}, "name": {"网格员 一"}, "phone": {"13900001111"}, "role": {"grid_worker"},
			"scope_id": {id(f.comp1)}, "language": {"zh-CN"}, "password": {"a long enough password"}}
		for _, tt := range []struct{ name, field, value, errField, want string }{
			{"BadLogin", "login", "张", "login", "账号为3到40个字符"},
			{"TakenLogin", "login", sec.login, "login", "这个账号已被使用"},
			{"RoleAbove", "role", "city_admin", "role", "您不能授予这个角色"},
			{"ScopeOutside", "scope_id", id(f.comm2), "scope_id", "辖区必须是您自己的辖区或其下级"},
			{"ShortPassword", "password", "short", "password", "密码需要10到200个字符"},
			{"BadPhone", "phone", "999", "phone", "电话号码不正确"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				form := url.Values{}
				for k, v := range good {
					form[k] = v
				}
				form.Set(tt.field, tt.value)
				resp, body := sec.postForm(t, "/users", form)
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(fieldError(body, tt.errField), tt.want) {
					t.Fatalf("%d, %s: %q", resp.StatusCode, tt.errField, fieldError(body, tt.errField))
				}
			})
		}
		resp, _ := sec.postForm(t, "/users", good)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=created") {
			t.Fatalf("create: %d to %q", resp.StatusCode, loc)
		}
		userPath := strings.TrimSuffix(loc, "?done=created")
		_, body = sec.get(t, loc)
		assertContains(t, body, "用户已添加", "grid.01", "139****1111")
		grid := ts.signIn(t, "grid.01", "a long enough password")

		// Edit: the scope changes and the user's sessions end.
		resp, _ = sec.postForm(t, userPath, url.Values{"name": {"网格员 一"}, "role": {"grid_worker"}, "scope_id": {id(f.bld1)}, "language": {"en"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit: %d", resp.StatusCode)
		}
		if resp, _ := grid.get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a user whose scope changed stays signed in: %d", resp.StatusCode)
		}
		// Reset the password.
		resp, body = sec.postForm(t, userPath+"/password", url.Values{"password": {"short"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "password") == "" {
			t.Fatalf("short password: %d", resp.StatusCode)
		}
		if resp, _ := sec.postForm(t, userPath+"/password", url.Values{"password": {"another good password"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d", resp.StatusCode)
		}
		grid = ts.signIn(t, "grid.01", "another good password")
		// Disable: signed out, and no sign-in.
		resp, _ = sec.postForm(t, userPath, url.Values{"name": {"网格员 一"}, "role": {"grid_worker"}, "scope_id": {id(f.bld1)},
			"language": {"en"}, "disabled": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		if resp, _ := grid.get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatal("a disabled user stays signed in")
		}
		_, body = ts.anonymous().postForm(t, "/login", url.Values{"login": {"grid.01"}, "password": {"another good password"}})
		if !strings.Contains(loginError(body), "已停用") {
			t.Fatalf("disabled sign-in: %q", loginError(body))
		}
		// A user above the secretary's role cannot be changed by them.
		boss := ts.user(t, "boss", frontline.RoleCityAdmin, f.comm1)
		resp, _ = sec.postForm(t, fmt.Sprintf("/users/%d/password", boss.ID), url.Values{"password": {"taking over now"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("reset the password of a city admin: %d", resp.StatusCode)
		}
	})
}

// TestAuditEntries makes every kind of change through the web and finds
// each in the audit log.
func TestAuditEntries(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		p := f.persons[1]
		sec.postForm(t, fmt.Sprintf("/households/%d/persons", f.hh[0].ID), url.Values{"name": {"孙九"}, "id_number": {idNumber("20000101", 99)}})
		form := editForm(p)
		form.Set("name", "李梅梅")
		sec.postForm(t, fmt.Sprintf("/persons/%d/edit", p.ID), form)
		sec.postForm(t, fmt.Sprintf("/persons/%d/move", p.ID), url.Values{"household_id": {id(f.hh[1])}})
		sec.postForm(t, fmt.Sprintf("/persons/%d/moveout", p.ID), nil)
		sec.postForm(t, fmt.Sprintf("/persons/%d/reveal", p.ID), nil)
		u := ts.user(t, "staff.02", frontline.RoleCommunityStaff, f.comp1)
		sec.postForm(t, "/users", url.Values{"login": {"staff.03"}, "name": {"干部 三"}, "role": {"community_staff"},
			"scope_id": {id(f.comm1)}, "password": {"a long enough password"}})
		sec.postForm(t, fmt.Sprintf("/users/%d", u.ID), url.Values{"name": {"干部 二"}, "role": {"community_staff"}, "scope_id": {id(f.comp1)}, "language": {"zh-CN"}})
		sec.postForm(t, fmt.Sprintf("/users/%d/password", u.ID), url.Values{"password": {"another good password"}})
		sec.postForm(t, fmt.Sprintf("/users/%d/logout", u.ID), nil)
		sec.postForm(t, fmt.Sprintf("/users/%d", u.ID), url.Values{"name": {"干部 二"}, "role": {"community_staff"}, "scope_id": {id(f.comp1)},
			"language": {"zh-CN"}, "disabled": {"1"}})
		sec.postForm(t, "/tokens", url.Values{"name": {"采样台"}, "role": {"sampler"}, "scope_id": {id(f.comp1)}})
		tokens, err := ts.users.FindTokens(context.Background(), 0)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("tokens %v %v", tokens, err)
		}
		sec.postForm(t, fmt.Sprintf("/tokens/%d/revoke", tokens[0].ID), nil)
		sec.postForm(t, "/lang", url.Values{"lang": {"en"}, "next": {"/"}})

		for _, tt := range []struct{ entity, action string }{
			{"person", "create"}, {"person", "update"}, {"person", "move"}, {"person", "move_out"}, {"person", "reveal"},
			{"user", "login"}, {"user", "create"}, {"user", "update"}, {"user", "password"}, {"user", "logout_all"},
			{"user", "disable"}, {"token", "create"}, {"token", "revoke"},
		} {
			var log struct {
				Changes []frontline.Change `json:"changes"`
				Total   int                `json:"total"`
			}
			sec.getJSON(t, fmt.Sprintf("/api/v1/audit?entity=%s&action=%s&actor=%s", tt.entity, tt.action, sec.login), http.StatusOK, &log)
			if log.Total < 1 {
				t.Errorf("no %s %s by %s in the audit log", tt.action, tt.entity, sec.login)
			}
		}
		// The language is a change of the user's own account.
		var own struct{ Total int }
		sec.getJSON(t, fmt.Sprintf("/api/v1/audit?entity=user&action=update&actor=%s&lang=zh-CN", sec.login), http.StatusOK, &own)
		if own.Total < 2 {
			t.Errorf("the language switch was not recorded (%d updates)", own.Total)
		}
		_, body := sec.get(t, "/audit?lang=zh-CN")
		assertContains(t, body, "查看完整号码", "迁出", "设置密码", "吊销", "全部退出", "停用", `data-testid="audit-export"`)
	})
}

func TestAuditPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		other := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
		other.postForm(t, fmt.Sprintf("/persons/%d/reveal", f.persons[4].ID), nil)
		sec.postForm(t, fmt.Sprintf("/persons/%d/reveal", f.persons[0].ID), nil)

		// Only the entries of the secretary's own community.
		_, body := sec.get(t, "/audit?action=reveal")
		if n := strings.Count(body, `data-testid="change-action"`); n != 1 || strings.Contains(body, other.login) {
			t.Fatalf("%d reveal rows, other secretary shown: %v", n, strings.Contains(body, other.login))
		}
		_, body = sec.get(t, fmt.Sprintf("/audit?entity=person&entity_id=%d", f.persons[4].ID))
		assertContains(t, body, `data-testid="audit-none"`)
		// Dates: from/to are whole days in China time.
		_, body = sec.get(t, "/audit?action=reveal&from=2000-01-01&to=2000-01-02")
		assertContains(t, body, `data-testid="audit-none"`)
		resp, _ := sec.get(t, "/audit?from=yesterday")
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad date: %d", resp.StatusCode)
		}

		resp, body = sec.get(t, "/audit/export.csv?action=reveal")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "audit.csv") {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		if !strings.HasPrefix(body, "\uFEFF") {
			t.Fatal("the CSV has no byte-order mark")
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0][1] != "时间" || rows[1][2] != sec.login || rows[1][4] != "reveal" || rows[1][6] != id2(f.persons[0].ID) {
			t.Fatalf("rows %q", rows)
		}
		_, body = sec.do(t, http.MethodGet, "/audit/export.csv?lang=en", nil, nil)
		if !strings.HasPrefix(strings.TrimPrefix(body, "\uFEFF"), "Number,Time,By") {
			t.Fatalf("English header: %.80q", body)
		}
		// An export under a node outside the scope is not found.
		if resp, _ := sec.get(t, fmt.Sprintf("/audit/export.csv?under=%d", f.comm2.ID)); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("export outside the scope: %d", resp.StatusCode)
		}
	})
}

func id2(n int64) string { return fmt.Sprint(n) }
