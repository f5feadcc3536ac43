package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// TestAccount_ChangePassword changes one's own password on the account
// page, signed in on a desk and a phone: each refusal is shown next to its
// field, wrong current passwords lock the account like failed sign-ins,
// and the change signs the phone out but not the desk.
func TestAccount_ChangePassword(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		advance := clock(db)
		f := buildFixture(t, db)
		var delays atomic.Int64
		ts := newDBServer(t, db, func(s *web.Server) {
			s.LoginDelay = func() time.Duration { delays.Add(1); return 0 }
		})
		u := ts.user(t, "sun.qi", frontline.RoleGridWorker, f.comm1)
		phone, desk := ts.signIn(t, "sun.qi", goodPassword), ts.signIn(t, "sun.qi", goodPassword)
		const newPassword = "a brand new password"
		post := func(current, password, repeat string) (*http.Response, string) {
			return desk.postForm(t, "/account/password", url.Values{
				"current_password": {current}, "password": {password}, "password_repeat": {repeat}})
		}
		refused := func(what string, resp *http.Response, body, field, msg string) {
			t.Helper()
			if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, field) != msg {
				t.Fatalf("%s: %d, %q next to %s, want 422 and %q", what, resp.StatusCode, fieldError(body, field), field, msg)
			}
			// Nothing typed into a password field comes back.
			if strings.Contains(body, "not the password") || strings.Contains(body, newPassword) {
				t.Fatalf("%s: the page shows a password", what)
			}
		}

		t.Run("Form", func(t *testing.T) {
			_, body := desk.get(t, "/account")
			assertContains(t, body, `action="/account/password"`, `name="current_password"`, `autocomplete="current-password"`,
				`name="password_repeat"`, `name="csrf" value="`+desk.csrf+`"`, "修改密码")
		})
		t.Run("ErrRepeat", func(t *testing.T) {
			resp, body := post(goodPassword, newPassword, newPassword+"!")
			refused("repeat differs", resp, body, "password_repeat", "两次输入的新密码不一致。")
		})
		t.Run("ErrWeakPassword", func(t *testing.T) {
			resp, body := post(goodPassword, "short", "short")
			refused("short password", resp, body, "password", "密码需要10到200个字符。")
			if fieldError(body, "current_password") != "" {
				t.Fatal("a weak new password was blamed on the current one")
			}
		})
		t.Run("ErrNoCSRF", func(t *testing.T) {
			resp, _ := desk.postRaw(t, "/account/password", url.Values{
				"current_password": {goodPassword}, "password": {newPassword}, "password_repeat": {newPassword}}, nil)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("without the CSRF token: %d, want 403", resp.StatusCode)
			}
		})
		t.Run("ErrWrongCurrent", func(t *testing.T) {
			before := delays.Load()
			for i := 1; i < testPolicy.MaxFailures; i++ {
				resp, body := post("not the password", newPassword, newPassword)
				refused("wrong current password", resp, body, "current_password", "当前密码不正确。")
			}
			resp, body := post("not the password", newPassword, newPassword)
			refused("the failure that locks", resp, body, "current_password",
				"密码错误次数过多，账号已暂时锁定，现在不能登录或修改密码。请稍后再试，或请管理员重设密码。")
			resp, body = post(goodPassword, newPassword, newPassword)
			refused("right password while locked", resp, body, "current_password",
				"密码错误次数过多，账号已暂时锁定，现在不能登录或修改密码。请稍后再试，或请管理员重设密码。")
			// Each refusal waits as a refused sign-in does.
			if n := delays.Load() - before; n != int64(testPolicy.MaxFailures)+1 {
				t.Fatalf("%d delayed answers for %d refusals", n, testPolicy.MaxFailures+1)
			}
			// The lock is the account's: signing in is locked too.
			_, body = ts.anonymous().postForm(t, "/login", url.Values{"login": {"sun.qi"}, "password": {goodPassword}})
			if !strings.Contains(loginError(body), "登录失败次数过多") {
				t.Fatalf("sign-in while locked: %q", loginError(body))
			}
			advance(testPolicy.LockFor)
		})
		t.Run("Changed", func(t *testing.T) {
			resp, _ := post(goodPassword, newPassword, newPassword)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=password" {
				t.Fatalf("change: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			_, body := desk.get(t, "/account?done=password")
			assertContains(t, body, `data-testid="done"`, "密码已修改，您在其他设备上的登录已失效。")
			if resp, _ := phone.get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("the phone is still signed in: %d", resp.StatusCode)
			}
			if resp, _ := desk.get(t, "/api/v1/me"); resp.StatusCode != http.StatusOK {
				t.Fatalf("the desk that changed it was signed out: %d", resp.StatusCode)
			}
			_, body = ts.anonymous().postForm(t, "/login", url.Values{"login": {"sun.qi"}, "password": {goodPassword}})
			if loginError(body) != "账号或密码不正确。" {
				t.Fatalf("old password: %q", loginError(body))
			}
			ts.signIn(t, "sun.qi", newPassword)
			action := "password"
			changes, _, err := sqldb.NewAuditService(db).FindChanges(context.Background(),
				frontline.ChangeFilter{Action: &action, EntityID: &u.ID})
			if err != nil || len(changes) != 1 || changes[0].Actor != "sun.qi" || changes[0].Addr != "127.0.0.1" {
				t.Fatalf("audit entries %+v, %v", changes, err)
			}
		})
	})
}

// TestAPI_ChangePassword changes one's own password through the JSON API.
func TestAPI_ChangePassword(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db)
		ts.user(t, "zhou.ba", frontline.RoleCommunityStaff, f.comm1)
		other, c := ts.signIn(t, "zhou.ba", goodPassword), ts.signIn(t, "zhou.ba", goodPassword)
		const path = "/api/v1/me/password"
		const newPassword = "another long password"
		refused := func(what string, resp *http.Response, body string, status int, code, field string) {
			t.Helper()
			var got apiError
			decodeAPI(t, what, resp, body, status, &got)
			if got.Error.Code != code || got.Error.Field != field {
				t.Fatalf("%s: %+v, want %s on %q", what, got.Error, code, field)
			}
		}

		resp, body := c.sendJSON(t, http.MethodPost, path, map[string]string{"current_password": "not the password", "password": newPassword})
		refused("wrong current password", resp, body, http.StatusBadRequest, frontline.EINVALID, "current_password")
		resp, body = c.sendJSON(t, http.MethodPost, path, map[string]string{"current_password": goodPassword, "password": "short"})
		refused("short password", resp, body, http.StatusBadRequest, frontline.EINVALID, "password")
		resp, body = c.sendJSON(t, http.MethodPost, path, map[string]string{"current": goodPassword, "password": newPassword})
		refused("misspelt field", resp, body, http.StatusBadRequest, frontline.EINVALID, "")
		// A browser session must send its CSRF token.
		resp, body = c.do(t, http.MethodPost, path, strings.NewReader(`{"current_password":"`+goodPassword+`","password":"`+newPassword+`"}`),
			http.Header{"Content-Type": {"application/json"}})
		refused("no CSRF token", resp, body, http.StatusForbidden, frontline.EFORBIDDEN, "")
		// A device has no password of its own.
		dev := ts.device(mustToken(t, ts, "采样台", frontline.RoleSampler, f.comp1))
		resp, body = dev.sendJSON(t, http.MethodPost, path, map[string]string{"current_password": goodPassword, "password": newPassword})
		refused("device token", resp, body, http.StatusForbidden, frontline.EFORBIDDEN, "")

		resp, body = c.sendJSON(t, http.MethodPost, path, map[string]string{"current_password": goodPassword, "password": newPassword})
		if resp.StatusCode != http.StatusNoContent || body != "" {
			t.Fatalf("change: %d %s", resp.StatusCode, body)
		}
		if resp, _ := other.get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the other session is alive: %d", resp.StatusCode)
		}
		c.getJSON(t, "/api/v1/me", http.StatusOK, nil)
		ts.signIn(t, "zhou.ba", newPassword)
	})
}
