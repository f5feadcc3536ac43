package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// runStdin runs the command line with stdin and returns its exit status
// and output.
func runStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUser(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url, db := cityDB(t, db.Engine)
		ctx := context.Background()
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		login := func(login, password string) (string, error) {
			_, secret, err := users.Login(ctx, login, password, "", "")
			return secret, err
		}
		community := "天水市/秦州区/大城街道/罗玉新村社区"

		code, out, errOut := runStdin(t, "a good long password\n", "user", "add", "--login", "Ma.Li", "--name", "马丽",
			"--role", "community_secretary", "--scope", community, "--phone", "13800138000", "--password-stdin", "--db", url)
		if code != 0 || !strings.Contains(out, "added user ma.li (马丽, community_secretary) under 罗玉新村社区") || strings.Contains(out, "password") {
			t.Fatalf("add: exit %d\n%s\n%s", code, out, errOut)
		}
		if _, err := login("ma.li", "a good long password"); err != nil {
			t.Fatalf("login with the password from stdin: %v", err)
		}

		code, out, errOut = run(t, "user", "add", "--login", "wang", "--name", "王五", "--role", "grid_worker", "--scope", "天水市/秦州区", "--db", url)
		m := regexp.MustCompile(`password \(shown once\): (\S{16})\n`).FindStringSubmatch(out)
		if code != 0 || m == nil {
			t.Fatalf("add with a generated password: exit %d\n%s\n%s", code, out, errOut)
		}
		secret, err := login("wang", m[1])
		if err != nil {
			t.Fatalf("login with the generated password: %v", err)
		}

		t.Run("List", func(t *testing.T) {
			code, out, _ := run(t, "user", "list", "--db", url)
			if code != 0 || !strings.Contains(out, "ma.li") || !strings.Contains(out, "wang") || !strings.Contains(out, "138****8000") ||
				strings.Contains(out, "13800138000") {
				t.Fatalf("list: exit %d\n%s", code, out)
			}
			code, out, _ = run(t, "user", "list", "--under", community, "--db", url)
			if code != 0 || !strings.Contains(out, "ma.li") || strings.Contains(out, "wang") {
				t.Fatalf("list under the community: exit %d\n%s", code, out)
			}
		})
		t.Run("Passwd", func(t *testing.T) {
			code, out, errOut := runStdin(t, "another long password\r\n", "user", "passwd", "ma.li", "--password-stdin", "--db", url)
			if code != 0 || !strings.Contains(out, "password of ma.li changed") {
				t.Fatalf("passwd: exit %d\n%s\n%s", code, out, errOut)
			}
			if _, err := login("ma.li", "another long password"); err != nil {
				t.Fatalf("login with the new password: %v", err)
			}
			if code, _, errOut := runStdin(t, "short\n", "user", "passwd", "ma.li", "--password-stdin", "--db", url); code != exitFailed ||
				!strings.Contains(errOut, "password: a password needs at least 10 characters") {
				t.Fatalf("short password: exit %d: %s", code, errOut)
			}
		})
		t.Run("DisableEnable", func(t *testing.T) {
			code, out, errOut := run(t, "user", "disable", "wang", "--db", url)
			if code != 0 || !strings.Contains(out, "disabled wang") {
				t.Fatalf("disable: exit %d\n%s\n%s", code, out, errOut)
			}
			if _, err := users.Authenticate(ctx, secret); frontline.ErrorCode(err) != frontline.EUNAUTHORIZED {
				t.Fatalf("session of a disabled user: %v", err)
			}
			if _, err := login("wang", m[1]); frontline.ErrorCode(err) != frontline.EUNAUTHORIZED {
				t.Fatalf("login of a disabled user: %v", err)
			}
			if code, out, _ := run(t, "user", "list", "--db", url); !regexp.MustCompile(`wang .*disabled`).MatchString(out) || code != 0 {
				t.Fatalf("list after disable:\n%s", out)
			}
			if code, _, errOut := run(t, "user", "enable", "wang", "--db", url); code != 0 {
				t.Fatalf("enable: exit %d: %s", code, errOut)
			}
			if _, err := login("wang", m[1]); err != nil {
				t.Fatalf("login after enable: %v", err)
			}
		})
		t.Run("Audit", func(t *testing.T) {
			user := os.Getenv("USER")
			if user == "" {
				user = "unknown"
			}
			entries, n, err := sqldb.NewAuditService(db).FindChanges(ctx, frontline.ChangeFilter{Entity: ptr("user"), Actor: ptr("cli:" + user)})
			var actions []string
			for _, c := range entries {
				actions = append(actions, c.Action)
			}
			if err != nil || strings.Join(actions, " ") != "enable disable password create create" {
				t.Fatalf("audit entries by the command line: %d %v, %v", n, actions, err)
			}
		})
		t.Run("Errors", func(t *testing.T) {
			for _, c := range []struct {
				args []string
				code int
				want string
			}{
				{[]string{"user", "add", "--login", "x.y", "--name", "x", "--role", "king", "--scope", community}, exitUsage, `unknown role "king"`},
				{[]string{"user", "add", "--login", "x.y", "--name", "x", "--role", "volunteer"}, exitUsage, "--scope are required"},
				{[]string{"user", "add", "--login", "x.y", "--name", "x", "--role", "volunteer", "--scope", "天水市/无此区"}, exitFailed, `no place named "无此区" under 天水市`},
				{[]string{"user", "add", "--login", "MA.LI", "--name", "x", "--role", "volunteer", "--scope", community}, exitFailed, "login: the login ma.li is taken"},
				{[]string{"user", "passwd", "nobody"}, exitFailed, `there is no user with the login "nobody"`},
				{[]string{"user", "disable"}, exitUsage, "usage: frontline user disable LOGIN"},
				{[]string{"user", "frobnicate"}, exitUsage, `unknown subcommand "frobnicate"`},
				{[]string{"user"}, exitUsage, "say what to do"},
			} {
				code, _, errOut := run(t, append(c.args, "--db", url)...)
				if code != c.code || !strings.Contains(errOut, c.want) {
					t.Errorf("%v: exit %d, want %d with %q:\n%s", c.args, code, c.code, c.want, errOut)
				}
			}
		})
	})
}

func TestRandomPassword(t *testing.T) {
	a, _ := randomPassword(16)
	b, _ := randomPassword(16)
	if len(a) != 16 || a == b || strings.ContainsAny(a, "0O1lI") || frontline.ValidatePassword(a) != nil {
		t.Fatalf("random passwords %q %q", a, b)
	}
}
