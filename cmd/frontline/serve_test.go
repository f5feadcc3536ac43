package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestSecureCookies(t *testing.T) {
	for _, c := range []struct {
		flag, addr string
		want, err  bool
	}{
		{"auto", "127.0.0.1:8080", false, false},
		{"auto", "localhost:8080", false, false},
		{"auto", "[::1]:8080", false, false},
		{"auto", "0.0.0.0:8080", true, false},
		{"auto", "10.0.0.5:80", true, false},
		{"yes", "127.0.0.1:8080", true, false},
		{"no", "0.0.0.0:8080", false, false},
		{"maybe", "127.0.0.1:8080", false, true},
		{"auto", "nonsense", false, true},
	} {
		got, err := secureCookies(c.flag, c.addr)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("secureCookies(%q, %q) = %v, %v; want %v, error %v", c.flag, c.addr, got, err, c.want, c.err)
		}
	}
}

// TestServeDemo runs the README's first command on a fresh database:
// `serve --demo` builds the demo city, prints the logins and the address,
// answers /readyz, sends its notices to residents on the log SMS channel,
// and stops gracefully when asked to.
func TestServeDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan int, 1)
	db := "sqlite:" + filepath.Join(t.TempDir(), "frontline.db")
	go func() {
		done <- Run(ctx, []string{"serve", "--demo", "--db", db, "--addr", "127.0.0.1:0", "--log-level", "warn"},
			strings.NewReader(""), out, io.Discard)
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
		t.Fatalf("serve --demo printed no address:\n%s", out.String())
	}
	// The first line says the server runs before the slow steps; the
	// demo's logins and the address come after them.
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[0], "Frontline dev is starting") || !strings.HasPrefix(lines[1], "Building the demo city") {
		t.Errorf("serve --demo's first lines are %q, want the start and the demo announced first", lines[:2])
	}
	for _, want := range []string{"xiahong", "frontline-demo"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --demo did not print %q:\n%s", want, out.String())
		}
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	// The binding writer's figures are on /metrics with the server's.
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"frontline_sampling_batch_seconds_bucket", "frontline_sampling_requests_total", "frontline_sampling_waiting_requests",
		"frontline_sampling_queue_wait_seconds_bucket"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The demo's notices to residents go out on the log SMS channel:
	// results and deliveries sent, the call-up of the household that
	// replied TD withdrawn.
	store, err := sqldb.Open(ctx, db, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sms := map[string]int{}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		list, _, err := sqldb.NewOutboxService(store).FindNotices(frontline.AsSystem(ctx), frontline.NoticeFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		clear(sms)
		for _, n := range list {
			if n.Channel == frontline.SMSChannel {
				sms[string(n.Status)+" "+n.Topic]++
			}
		}
		if sms["delivered result"] > 0 && sms["delivered delivery"] > 0 && sms["cancelled callup"] > 0 && sms["pending isolation_end"]+sms["delivered isolation_end"] > 0 {
			break
		}
	}
	// The returnee's isolation-end notice is answered busy once: pending
	// for its retry, or delivered on it.
	if sms["delivered result"] == 0 || sms["delivered delivery"] == 0 || sms["cancelled callup"] == 0 || sms["dead result"]+sms["dead delivery"] > 0 ||
		sms["pending isolation_end"]+sms["delivered isolation_end"] == 0 {
		t.Errorf("the demo's SMS notices: %v", sms)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after a graceful stop", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s of being asked to")
	}
}

var servingOn = regexp.MustCompile(`serving on http://(\S+)`)

// syncBuffer is a buffer the server goroutine writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestParsePrefixes(t *testing.T) {
	got, err := parsePrefixes(" 10.0.0.1, 10.1.2.0/16 ,::1")
	if err != nil || fmt.Sprint(got) != "[10.0.0.1/32 10.1.0.0/16 ::1/128]" {
		t.Fatalf("parsePrefixes = %v, %v", got, err)
	}
	if _, err := parsePrefixes("10.0.0.300"); err == nil {
		t.Fatal("a bad address was accepted")
	}
}

func TestServeDebugAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := serveDebug(ctx, "0.0.0.0:0", slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("the profiler on a public address")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := serveDebug(ctx, addr, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("profiler: %v %v", resp, err)
	}
	resp.Body.Close()
}

// TestReadiness is /readyz's check: ready on a database that takes
// writes, not ready, saying why, on one that answers but refuses them.
func TestReadiness(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	if err := readiness(db, 0)(ctx); err != nil {
		t.Fatalf("a writable database: %v", err)
	}
	ro, err := sqldb.Open(ctx, db.URL, sqldb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	tx, err := ro.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `PRAGMA query_only = 1`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	err = readiness(ro, 0)(ctx)
	if err == nil || !strings.Contains(err.Error(), "refuses writes") || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("a database that refuses writes: %v", err)
	}
}

// TestStartupErrors starts on databases that cannot be used: the message
// names the cause and where, not only that something failed.
func TestStartupErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, db, want string
	}{
		{"NoDirectory", "sqlite:" + filepath.Join(dir, "missing", "f.db"), "the directory " + filepath.Join(dir, "missing") + " does not exist"},
		{"NotAFile", "sqlite:" + dir, "the file cannot be written"},
		{"NobodyListens", "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=5", "the PostgreSQL database at 127.0.0.1:1: nothing listens there"},
		{"NoSuchHost", "postgres://postgres:secret@no-such-host.invalid/test?sslmode=disable&connect_timeout=5", "no-such-host.invalid: no such host"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, "serve", "--db", tt.db, "--addr", "127.0.0.1:0")
			if code != exitFailed || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, "secret") {
				t.Fatalf("exit %d, stderr %q, want %q", code, errOut, tt.want)
			}
			if !strings.HasPrefix(out, "Frontline dev is starting") {
				t.Fatalf("the first line came after the failure: %q", out)
			}
		})
	}
}
