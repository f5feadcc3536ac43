package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// brokenPlaces fails every call: methods it does not override panic on
// the nil embedded interface, the others return a plain (internal) error.
type brokenPlaces struct{ frontline.PlaceService }

func (brokenPlaces) FindPlaceByID(ctx context.Context, id int64) (*frontline.Place, error) {
	return nil, errors.New("connection reset by database at 10.0.0.5")
}

func TestHealth(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		t.Run("Healthz", func(t *testing.T) {
			ts := newDBServer(t, db)
			if resp, body := ts.get(t, "/healthz"); resp.StatusCode != http.StatusOK || body != "ok\n" {
				t.Fatalf("healthz %d %q", resp.StatusCode, body)
			}
		})
		t.Run("Ready", func(t *testing.T) {
			ts := newDBServer(t, db, func(s *web.Server) { s.Ready = db.Ping })
			if resp, body := ts.get(t, "/readyz"); resp.StatusCode != http.StatusOK || body != "ok\n" {
				t.Fatalf("readyz %d %q", resp.StatusCode, body)
			}
		})
		t.Run("NotReady", func(t *testing.T) {
			ts := newDBServer(t, db, func(s *web.Server) {
				s.Ready = func(context.Context) error {
					return errors.New("schema version 1, binary needs 2: run frontline migrate")
				}
			})
			resp, body := ts.get(t, "/readyz")
			if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "run frontline migrate") {
				t.Fatalf("readyz %d %q, want 503 with the reason", resp.StatusCode, body)
			}
			// Alive all the same: a load balancer must not restart it.
			if resp, _ := ts.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
				t.Fatalf("healthz %d while not ready", resp.StatusCode)
			}
		})
		t.Run("ClosedDatabase", func(t *testing.T) {
			closed := sqldbtest.Open(t, db.Engine)
			closed.Close()
			ts := newDBServer(t, db, func(s *web.Server) { s.Ready = closed.Ping })
			if resp, _ := ts.get(t, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("readyz %d on a closed database, want 503", resp.StatusCode)
			}
		})
	})
}

func TestMetrics(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		for range 3 {
			ts.get(t, fmt.Sprintf("/api/v1/places/%d", f.comm1.ID))
		}
		ts.get(t, "/api/v1/places/99999")
		ts.get(t, "/nowhere")
		resp, body := ts.get(t, "/metrics")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("metrics %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		assertContains(t, body,
			`frontline_http_requests_total{method="GET",pattern="/api/v1/places/{id}",status="200"} 3`,
			`frontline_http_requests_total{method="GET",pattern="/api/v1/places/{id}",status="404"} 1`,
			`frontline_http_requests_total{method="GET",pattern="/",status="404"} 1`,
			`frontline_http_request_duration_seconds_count{pattern="/api/v1/places/{id}"} 4`,
			`frontline_build_info{version="test"} 1`,
			"go_goroutines", "process_")
		// Ids never become labels.
		if strings.Contains(body, fmt.Sprintf("/api/v1/places/%d", f.comm1.ID)) {
			t.Fatal("metrics carry a concrete path")
		}
	})
}

func TestErrors_InternalLoggedOthersNot(t *testing.T) {
	ts := newTestServer(t, brokenPlaces{}, stubPersons{})
	ts.client = ts.device("test-token")
	var got apiError
	ts.getJSON(t, "/api/v1/places/7", http.StatusInternalServerError, &got)
	if got.Error.Code != frontline.EINTERNAL || got.Error.Message != "internal error" {
		t.Fatalf("error %+v", got.Error)
	}
	if strings.Contains(fmt.Sprint(got), "10.0.0.5") {
		t.Fatal("the cause of an internal error reached the client")
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "10.0.0.5") {
		t.Fatalf("internal error not logged at ERROR with its cause:\n%s", logs)
	}
	before := strings.Count(logs, "level=ERROR")
	ts.getJSON(t, "/api/v1/places?kind=planet", http.StatusBadRequest, nil)
	ts.get(t, "/missing")
	if after := strings.Count(ts.logs.String(), "level=ERROR"); after != before {
		t.Fatalf("a 400 or 404 was logged at ERROR:\n%s", ts.logs.String())
	}
	if !strings.Contains(ts.logs.String(), `msg=request method=GET path=/missing status=404`) {
		t.Fatalf("request not logged:\n%s", ts.logs.String())
	}
}

// stubPersons panics like brokenPlaces; the tests that use it never ask it.
type stubPersons struct{ frontline.PersonService }

func TestPanicRecovered(t *testing.T) {
	ts := newTestServer(t, brokenPlaces{}, stubPersons{})
	ts.client = ts.device("test-token")
	// FindPlaces is not overridden: calling it panics on a nil interface.
	var got apiError
	ts.getJSON(t, "/api/v1/places", http.StatusInternalServerError, &got)
	if got.Error.Code != frontline.EINTERNAL {
		t.Fatalf("error %+v", got.Error)
	}
	_, body := ts.getPage(t, "/?lang=en", http.StatusInternalServerError, stubSession)
	assertContains(t, body, "Internal error")
	logs := ts.logs.String()
	if !strings.Contains(logs, "level=ERROR msg=panic") || !strings.Contains(logs, "stack=") {
		t.Fatalf("panic not logged with its stack:\n%s", logs)
	}
	if !strings.Contains(logs, "path=/api/v1/places status=500") {
		t.Fatalf("request log does not record the 500:\n%s", logs)
	}
	// The server still answers.
	if resp, _ := ts.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz %d after a panic", resp.StatusCode)
	}
}

func TestRoutes_AccessDeclared(t *testing.T) {
	ts := newTestServer(t, brokenPlaces{}, stubPersons{})
	routes := ts.srv.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes", len(routes))
	}
	public := []string{"GET /healthz", "GET /readyz", "GET /metrics", "GET /static/{file...}", "GET /login", "POST /login"}
	for _, r := range routes {
		switch {
		case r.Access == "":
			t.Errorf("route %q has no access", r.Pattern)
		case r.Access == web.AccessPublic && !slices.Contains(public, r.Pattern):
			t.Errorf("route %q is public", r.Pattern)
		case strings.Contains(r.Pattern, "/api/") && r.Access != web.AccessSignedIn && r.Access.Permission() == "":
			t.Errorf("API route %q is %q, want a permission", r.Pattern, r.Access)
		}
	}
	ok := func(http.ResponseWriter, *http.Request) error { return nil }
	for _, tt := range []struct {
		name, pattern string
		access        web.Access
	}{
		{"Undeclared", "GET /api/v1/secret", ""},
		{"Unknown", "GET /api/v1/secret", "admin"},
		{"UnknownPermission", "GET /api/v1/secret", web.Needs("everything")},
		{"BadPattern", "GET /api/v1/{", web.Needs(frontline.PermReadRegistry)},
		{"Conflict", "GET /healthz", web.AccessPublic},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := ts.srv.HandleForTest(tt.pattern, tt.access, ok); err == nil {
				t.Fatalf("route %q with access %q was accepted", tt.pattern, tt.access)
			}
		})
	}
	// The refused route is not served.
	ts.client = ts.device("test-token")
	ts.getJSON(t, "/api/v1/secret", http.StatusNotFound, nil)
}

func TestOpen_NeedsServices(t *testing.T) {
	// Without Users no one could be authenticated: the server refuses to
	// start rather than serve every page to no one or to anyone.
	for name, s := range map[string]*web.Server{
		"None":    {},
		"NoUsers": {Places: brokenPlaces{}, Persons: stubPersons{}, Audit: stubAudit{}},
		"NoAudit": {Places: brokenPlaces{}, Persons: stubPersons{}, Users: stubUsers{}},
	} {
		if err := s.Open(); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func TestServe(t *testing.T) {
	s := &web.Server{Places: brokenPlaces{}, Persons: stubPersons{}, Users: stubUsers{}, Audit: stubAudit{}}
	addrs := make(chan string, 1)
	s.OnListen = func(addr string) { addrs <- addr }
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, "127.0.0.1:0") }()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Serve never reported its address")
	}
	if strings.HasSuffix(addr, ":0") {
		t.Fatalf("reported %q, not the bound port", addr)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Fatalf("healthz %d %q", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after cancel: %v", err)
		}
	case <-time.After(web.ShutdownTimeout + 5*time.Second):
		t.Fatal("Serve did not return after its context was cancelled")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}
