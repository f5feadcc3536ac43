package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withTesting gives a test server the testing services on db.
func withTesting(db *sqldb.DB, tb testing.TB) func(*web.Server) {
	return func(s *web.Server) {
		sampling := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
		tb.Cleanup(func() { sampling.Close() })
		s.Rounds, s.Sampling, s.Lab = sqldb.NewRoundService(db), sampling, sqldb.NewLabService(db)
		s.Coverage, s.Sites, s.Outbox = sqldb.NewCoverageService(db), sqldb.NewSiteService(db), sqldb.NewOutboxService(db)
	}
}

// TestTestingAPI walks a round through the API as its users would: an
// admin plans and opens it and adds a station, the station binds through
// its device token, a lab posts results, and the coverage follows.
func TestTestingAPI(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	rs := openRoundAPI(t, ts, f)
	if rs.round.Expected != 6 {
		t.Fatalf("expected %d persons, want 6 (one moved out)", rs.round.Expected)
	}
	id := rs.round.ID
	station := ts.device(rs.token)
	var a frontline.BindAnswer
	resp, body := station.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/bindings", id), map[string]any{
		"request_id": "dev-1", "tube": "T-1", "persons": []int64{f.persons[0].ID, f.persons[1].ID, f.persons[4].ID}, "seal": true})
	mustStatus(t, resp, body, http.StatusOK, &a)
	if a.Bound() != 2 || a.Items[2].Error == nil || a.Items[2].Error.Code != frontline.ENOTFOUND || a.Tube.State != frontline.TubeSealed {
		t.Fatalf("bind through the device (the third person is outside its compound): %s", body)
	}
	var batch struct {
		Answers []struct{ Answer *frontline.BindAnswer }
	}
	resp, body = station.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/bindings/batch", id), map[string]any{
		"requests": []map[string]any{{"request_id": "dev-1", "tube": "T-1", "persons": []int64{f.persons[0].ID}},
			{"request_id": "dev-2", "tube": "T-2", "persons": []int64{f.persons[2].ID}, "seal": true}}})
	mustStatus(t, resp, body, http.StatusOK, &batch)
	if !batch.Answers[0].Answer.Replayed || batch.Answers[1].Answer.Bound() != 1 {
		t.Fatalf("offline queue replayed: %s", body)
	}
	// The station may not read the dashboard's figures.
	if resp, _ := station.get(t, fmt.Sprintf("/api/v1/rounds/%d/coverage", id)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a station reading coverage: %d", resp.StatusCode)
	}
	var cov struct {
		Node     map[string]any
		Children []map[string]any
	}
	ts.getJSON(t, fmt.Sprintf("/api/v1/rounds/%d/coverage", id), http.StatusOK, &cov)
	if cov.Node["sampled"].(float64) != 3 || cov.Node["not_yet"].(float64) != 3 {
		t.Fatalf("coverage %+v", cov.Node)
	}
	var gaps struct{ Total int }
	ts.getJSON(t, fmt.Sprintf("/api/v1/rounds/%d/not-sampled", id), http.StatusOK, &gaps)
	if gaps.Total != 3 {
		t.Fatalf("households with gaps: %d", gaps.Total)
	}
	testInnerScope(t, ts, f, id)
	testLabAPI(t, ts, id)
	testAdvice(t, ts, id)
	testEvents(t, ts, id)
}

// testAdvice reads the round's advice after the lab's results (one
// positive pool of 2 awaiting re-test, one negative pool of 1) and the
// calculator's.
func testAdvice(t *testing.T, ts *testServer, round int64) {
	var got struct {
		Advice     frontline.PoolAdvice
		Positivity frontline.Positivity
	}
	ts.getJSON(t, fmt.Sprintf("/api/v1/rounds/%d/advice?max=10", round), http.StatusOK, &got)
	if got.Positivity.Awaiting != 2 || got.Positivity.Negative != 1 || got.Advice.Tested != 3 || got.Advice.Best > 10 {
		t.Fatalf("advice %+v", got)
	}
	var calc struct {
		Best  int
		Sizes []struct{ N int }
	}
	ts.getJSON(t, "/api/v1/pool-advice?p=0.01", http.StatusOK, &calc)
	if calc.Best != 11 || len(calc.Sizes) != 20 {
		t.Fatalf("calculator at 1%%: %+v", calc)
	}
	var bad struct{ Error struct{ Field string } }
	ts.getJSON(t, "/api/v1/pool-advice?p=2", http.StatusBadRequest, &bad)
	if bad.Error.Field != "p" {
		t.Fatalf("a prevalence of 2: %+v", bad)
	}
}

// apiRound is a round opened through the API with a site of 枣园小区 and
// a station there.
type apiRound struct {
	round   frontline.Round
	site    frontline.Site
	station frontline.Station
	token   string // the station's device token
}

// openRoundAPI plans and opens a city-wide round as ts's admin and adds a
// site and a station, as the admin does before 06:00.
func openRoundAPI(t *testing.T, ts *testServer, f *fixture) *apiRound {
	t.Helper()
	admin := ts.client
	var created struct{ Round frontline.Round }
	resp, body := admin.sendJSON(t, http.MethodPost, "/api/v1/rounds", map[string]any{"scope_id": f.city.ID, "name": "第一轮",
		"day": "2026-06-02", "starts_at": "2026-06-01T22:00:00Z", "ends_at": "2026-06-02T10:00:00Z"})
	mustStatus(t, resp, body, http.StatusCreated, &created)
	resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/open", created.Round.ID), map[string]any{})
	mustStatus(t, resp, body, http.StatusOK, &created)
	var site struct{ Site frontline.Site }
	resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/sites", created.Round.ID), map[string]any{"place_id": f.comp1.ID,
		"name": "枣园小区采样点", "opens_at": "2026-06-01T22:00:00Z", "closes_at": "2026-06-02T04:00:00Z"})
	mustStatus(t, resp, body, http.StatusCreated, &site)
	var st struct {
		Station frontline.Station
		Token   string
	}
	resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/sites/%d/stations", site.Site.ID), map[string]any{"name": "1号台"})
	mustStatus(t, resp, body, http.StatusCreated, &st)
	return &apiRound{round: created.Round, site: site.Site, station: st.Station, token: st.Token}
}

// testInnerScope: a community's secretary in the city's round sees its
// dashboard from their community, and neither the buttons nor the right to
// close it.
func testInnerScope(t *testing.T, ts *testServer, f *fixture, round int64) {
	sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
	resp, body := sec.get(t, fmt.Sprintf("/rounds/%d", round))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, f.comm1.Name) {
		t.Fatalf("the community's view of the city's round: %d %s", resp.StatusCode, body)
	}
	resp, body = sec.get(t, "/rounds")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`data-round="%d"`, round)) || strings.Contains(body, `data-testid="close-round"`) {
		t.Fatalf("the rounds list offers the community to close the city's round: %s", body)
	}
	resp, body = sec.postForm(t, fmt.Sprintf("/rounds/%d/close", round), url.Values{"csrf": {sec.csrf}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("closing the city's round from a community: %d %s", resp.StatusCode, body)
	}
}

func testLabAPI(t *testing.T, ts *testServer, round int64) {
	lab := ts.as(t, frontline.RoleLab, ts.cityOf(t))
	sqldbtest.ReceiveTubes(t, ts.db, "T-1", "T-2")
	resp, body := lab.do(t, http.MethodPost, "/api/v1/results.csv", strings.NewReader("管码,结果\nT-1,阳性\nT-2,阴性\n"),
		http.Header{"Content-Type": {"text/csv"}, "X-CSRF-Token": {lab.csrf}})
	var out struct{ Summary frontline.ResultSummary }
	mustStatus(t, resp, body, http.StatusOK, &out)
	if out.Summary.Posted != 2 || out.Summary.Awaiting != 2 {
		t.Fatalf("results: %s", body)
	}
	var rt struct{ Total int }
	ts.getJSON(t, fmt.Sprintf("/api/v1/rounds/%d/retests", round), http.StatusOK, &rt)
	if rt.Total != 2 {
		t.Fatalf("re-test tasks: %d", rt.Total)
	}
}

// cityOf returns the root place of the server's database.
func (ts *testServer) cityOf(tb testing.TB) *frontline.Place {
	tb.Helper()
	p, err := sqldb.NewPlaceService(ts.db).FindPlaceByPath(context.Background(), "天水市")
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// testEvents reads the first server-sent event of the live coverage.
func testEvents(t *testing.T, ts *testServer, round int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1/rounds/%d/events", ts.URL, round), nil)
	resp, err := ts.client.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("events content type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	var lines []string
	for sc.Scan() && len(lines) < 2 {
		if sc.Text() != "" {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) < 2 || lines[0] != "event: coverage" || !strings.Contains(lines[1], `"sampled": 3`) && !strings.Contains(lines[1], `"sampled":3`) {
		t.Fatalf("first event: %q", lines)
	}
}

func mustStatus(t *testing.T, resp *http.Response, body string, status int, v any) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
	}
}

// TestTestingPages renders every testing page in both languages.
func TestTestingPages(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	r := openCityRound(t, db, f)
	for _, lang := range []string{"zh-CN", "en"} {
		for path, want := range map[string]string{
			"/rounds":                                      "第一轮",
			fmt.Sprintf("/rounds/%d", r.ID):                `data-testid="coverage"`,
			fmt.Sprintf("/rounds/%d/gaps", r.ID):           "张三",
			fmt.Sprintf("/rounds/%d/labels?count=3", r.ID): "<svg",
			fmt.Sprintf("/households/%d/qr", f.hh[0].ID):   "FL:P:",
		} {
			resp, body := ts.get(t, path+sep(path)+"lang="+lang)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("%s (%s): %d, want %q in the page", path, lang, resp.StatusCode, want)
			}
		}
	}
	lab := ts.as(t, frontline.RoleLab, f.city)
	if resp, body := lab.get(t, fmt.Sprintf("/rounds/%d/lab", r.ID)); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="results-form"`) {
		t.Fatalf("lab page: %d", resp.StatusCode)
	}
	sampler := ts.as(t, frontline.RoleSampler, f.comp1)
	if resp, body := sampler.get(t, fmt.Sprintf("/rounds/%d/station", r.ID)); resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="station"`) {
		t.Fatalf("station page: %d", resp.StatusCode)
	}
	if resp, _ := sampler.get(t, fmt.Sprintf("/rounds/%d", r.ID)); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a sampler on the dashboard: %d", resp.StatusCode)
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestDocs_TestingRoutes keeps the route list of docs/testing.md equal to
// the routes the testing services add to the server.
func TestDocs_TestingRoutes(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	without := newDBServer(t, db).srv.Routes()
	with := newDBServer(t, db, withTesting(db, t)).srv.Routes()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "testing.md"))
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]bool{}
	for _, r := range without {
		base[r.Pattern] = true
	}
	n := 0
	for _, r := range with {
		if base[r.Pattern] {
			continue
		}
		n++
		if !strings.Contains(string(doc), "`"+r.Pattern+"`") {
			t.Errorf("docs/testing.md does not list the route %s", r.Pattern)
		}
	}
	if n < 30 {
		t.Errorf("only %d testing routes registered", n)
	}
}
