package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline/backup"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBackup_Commands runs `frontline backup` and `frontline restore` as an
// office would, and on PostgreSQL finds the refusal with its advice.
func TestBackup_Commands(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url, _ := cityDB(t, db.Engine)
		dir := t.TempDir()
		pass := filepath.Join(dir, "pass")
		os.WriteFile(pass, []byte("a long passphrase\n"), 0o600)
		out := filepath.Join(dir, "copy.db.age")
		code, stdout, stderr := run(t, "backup", "--db", url, "--output", out, "--passphrase-file", pass)
		if db.Engine == sqldb.Postgres {
			if code != exitFailed || !strings.Contains(stderr, "pg_dump") {
				t.Fatalf("backup on PostgreSQL: exit %d, %q; want a refusal naming pg_dump", code, stderr)
			}
			return
		}
		if code != exitOK || !strings.Contains(stdout, "encrypted") {
			t.Fatalf("backup: exit %d\n%s%s", code, stdout, stderr)
		}
		target := filepath.Join(dir, "restored.db")
		code, stdout, stderr = run(t, "restore", out, "--db", "sqlite:"+target, "--passphrase-file", pass)
		if code != exitOK || !strings.Contains(stdout, "every counter equals a recount") || !strings.Contains(stdout, "places") {
			t.Fatalf("restore: exit %d\n%s%s", code, stdout, stderr)
		}
		code, _, stderr = run(t, "restore", out, "--db", "sqlite:"+target, "--passphrase-file", pass)
		if code != exitFailed || !strings.Contains(stderr, "exists already") {
			t.Errorf("restore onto the restored file: exit %d, %q", code, stderr)
		}
		code, _, _ = run(t, "places", "list", "--db", "sqlite:"+target)
		if code != exitOK {
			t.Errorf("the restored database does not open: exit %d", code)
		}
	})
}

// TestBackup_Serve runs serve with --backup-dir: a copy is taken at once,
// and /metrics shows its age.
func TestBackup_Serve(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan int, 1)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "frontline.db")
	backups := filepath.Join(dir, "backups")
	go func() {
		done <- Run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--log-level", "warn",
			"--backup-dir", backups, "--backup-every", "1h", "--backup-keep", "2"}, strings.NewReader(""), out, io.Discard)
	}()
	addr := ""
	for deadline := time.Now().Add(60 * time.Second); addr == "" && time.Now().Before(deadline); {
		if m := servingOn.FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
		} else {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if addr == "" {
		t.Fatalf("serve printed no address:\n%s", out.String())
	}
	// The copy is written as a hidden .partial file and renamed when
	// complete: wait for the complete one.
	var files []os.DirEntry
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		all, _ := os.ReadDir(backups)
		files = files[:0]
		for _, f := range all {
			if !strings.HasPrefix(f.Name(), ".") {
				files = append(files, f)
			}
		}
		if len(files) > 0 {
			break
		}
	}
	if len(files) != 1 || !strings.HasPrefix(files[0].Name(), "frontline-") {
		t.Fatalf("backup dir holds %v, want one copy", files)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "frontline_backup_last_good_age_seconds") || strings.Contains(string(body), "frontline_backup_last_good_age_seconds -1") {
		t.Errorf("/metrics lacks the age of the last good backup:\n%s", grepLines(string(body), "backup"))
	}
	resp, err = http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz with a fresh backup: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

func grepLines(s, word string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, word) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestBackup_Readiness: /readyz fails, saying why, once the last good
// backup is older than twice the interval.
func TestBackup_Readiness(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	now := time.Now()
	s := &backup.Schedule{DB: db, Dir: t.TempDir(), Every: time.Hour, Keep: 2, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TakeOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	ready := backupReady(func(context.Context) error { return nil }, s)
	if err := ready(context.Background()); err != nil {
		t.Fatalf("fresh backup: %v", err)
	}
	now = now.Add(150 * time.Minute)
	if err := ready(context.Background()); err == nil || !strings.Contains(err.Error(), "last good backup") {
		t.Fatalf("a backup 2h30m old with hourly backups: %v", err)
	}
}
