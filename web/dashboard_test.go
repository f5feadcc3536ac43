package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

func withDashboard(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) {
		d := sqldb.NewDailyReportService(db)
		s.Daily, s.Dashboards = d, d
	}
}

// dashboardScene is the demo city with a building of 枣园小区 sealed and
// today's round over 枣园小区 under way.
type dashboardScene struct {
	*scene
	db      *sqldb.DB
	round   *frontline.Round
	samp    *sqldb.SamplingService
	persons []*frontline.Person
	seq     int
}

func newDashboardScene(t *testing.T, db *sqldb.DB) *dashboardScene {
	t.Helper()
	sc := &dashboardScene{scene: buildSceneOf(t, db, 2000, withDashboard(db)), db: db}
	ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "test"})
	if _, err := sqldb.NewZoneService(db).SetZone(ctx, &frontline.Zone{PlaceID: sc.sealedBuilding.ID, Level: frontline.LevelSealed,
		Reason: "阳性"}); err != nil {
		t.Fatal(err)
	}
	rounds := sqldb.NewRoundService(db)
	r := &frontline.Round{ScopeID: sc.zaoyuan.ID, Name: "全员核酸", Day: "2026-06-01", StartsAt: testNow.Add(-10 * time.Hour),
		EndsAt: testNow.Add(4 * time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	var err error
	if sc.round, err = rounds.OpenRound(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	sc.samp = sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	t.Cleanup(func() { sc.samp.Close() })
	if sc.persons, _, err = sqldb.NewPersonService(db).FindPersons(ctx, frontline.PersonFilter{Under: &sc.zaoyuan.ID, Limit: 40}); err != nil {
		t.Fatal(err)
	}
	sc.bind(t, 10)
	return sc
}

// bind samples the next n persons in one tube.
func (sc *dashboardScene) bind(t *testing.T, n int) {
	t.Helper()
	sc.seq++
	req := &frontline.BindRequest{RequestID: fmt.Sprintf("dash-%d", sc.seq), RoundID: sc.round.ID, TubeCode: fmt.Sprintf("DASH-%d", sc.seq)}
	for _, p := range sc.persons[:n] {
		req.PersonIDs = append(req.PersonIDs, p.ID)
	}
	sc.persons = sc.persons[n:]
	if _, err := sc.samp.Bind(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}

// TestDashboard_Page serves the dashboard of 枣园小区: tiles, the charts
// drawn as SVG, the map of its buildings with the sealed one; the stream
// sends the same at once.
func TestDashboard_Page(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newDashboardScene(t, db)
		resp, body := sc.secretary.get(t, fmt.Sprintf("/dashboard?place=%d", sc.zaoyuan.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("dashboard %d: %s", resp.StatusCode, body)
		}
		for _, want := range []string{"枣园小区 防控态势", `data-tile="testing.sampled"`, `data-chart="tests"`, `data-chart="positives"`,
			`data-chart="morning"`, `data-chart="map"`, `data-chart="help"`, `data-tile="` + sc.sealedBuilding.Name + `"`, "封控区", `data-value="10"`} {
			if !strings.Contains(body, want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if strings.Contains(body, "<script>") {
			t.Error("the dashboard runs an inline script")
		}
		_, body = sc.secretary.get(t, fmt.Sprintf("/dashboard?place=%d&by=coverage", sc.zaoyuan.ID))
		if !strings.Contains(body, "今日无检测") && !strings.Contains(body, "%") {
			t.Errorf("the coverage map names no coverage")
		}
		var out struct {
			Dashboard frontline.Dashboard `json:"dashboard"`
		}
		sc.secretary.getJSON(t, fmt.Sprintf("/api/v1/dashboard?place=%d", sc.zaoyuan.ID), http.StatusOK, &out)
		if m := out.Dashboard.Morning; m == nil || m.Buckets[len(m.Buckets)-1].Sampled != 10 {
			t.Errorf("API morning %+v", out.Dashboard.Morning)
		}
		// The stream's first event.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/dashboard/events?place=%d", sc.ts.URL, sc.zaoyuan.ID), nil)
		res, err := sc.secretary.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("events content type %q", ct)
		}
		lines := bufio.NewScanner(res.Body)
		lines.Buffer(make([]byte, 1<<20), 1<<20)
		var got []string
		for lines.Scan() && len(got) < 2 {
			if lines.Text() != "" {
				got = append(got, lines.Text())
			}
		}
		if len(got) < 2 || got[0] != "event: dashboard" {
			t.Fatalf("first event %q", got)
		}
		var ev struct {
			Tiles []struct {
				Key, Value string
			}
			Charts []struct{ Key, SVG string }
		}
		if err := json.Unmarshal([]byte(strings.TrimPrefix(got[1], "data: ")), &ev); err != nil || len(ev.Charts) != 6 {
			t.Fatalf("event: %v, %d charts", err, len(ev.Charts))
		}
		for _, tl := range ev.Tiles {
			if tl.Key == "testing.sampled" && tl.Value != "10" {
				t.Errorf("sampled tile %q", tl.Value)
			}
		}
		grid := sc.ts.as(t, frontline.RoleGridWorker, sc.zaoyuan)
		if resp, _ := grid.get(t, "/dashboard"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a grid worker's dashboard: %d", resp.StatusCode)
		}
	})
}

// TestDashboard_Browser opens the dashboard of 枣园小区 in Chromium on a
// phone (390 px, no sideways scroll) and on a wall screen (1920 px, charts
// side by side), saves both screenshots, and watches a tile change when
// more persons are sampled, through the live stream.
func TestDashboard_Browser(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	sc := newDashboardScene(t, db)
	sc.ts.user(t, "xiahong", frontline.RoleCommunitySecretary, sc.luoyu)
	url := fmt.Sprintf("%s/dashboard?place=%d", sc.ts.URL, sc.zaoyuan.ID)

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, sc.ts.URL, "xiahong")
	p.Do(chromedp.Click(css("nav-dashboard")), chromedp.WaitVisible(css("dashboard")))
	p.Do(chromedp.Navigate(url), chromedp.WaitVisible(css("dashboard")))
	if n := browser.Get(p, chromedp.Evaluate[int](`document.querySelectorAll('svg.chart').length`)); n != 6 {
		t.Errorf("%d charts on the phone, want 6", n)
	}
	p.Until(`!document.querySelector('[data-testid="dash-live"]').hidden`)
	fitsPhone(t, p, "the dashboard")
	p.Screenshot("dashboard-390")

	w := b.NewPage(t, browser.Size{Width: 1920, Height: 1080})
	signInBrowser(w, sc.ts.URL, "xiahong")
	w.Do(chromedp.Navigate(url), chromedp.WaitVisible(css("dashboard")))
	sideBySide := browser.Get(w, chromedp.Evaluate[bool](`(function () {
		var boxes = document.querySelectorAll('.chart-box');
		return boxes.length >= 3 && boxes[0].getBoundingClientRect().top === boxes[2].getBoundingClientRect().top;
	})()`))
	if !sideBySide {
		t.Error("on a wall screen the first three charts are not in one row")
	}
	if over := browser.Get(w, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); over > 0 {
		t.Errorf("the wall screen scrolls sideways by %d px", over)
	}
	w.Until(`!document.querySelector('[data-testid="dash-live"]').hidden`)
	w.Screenshot("dashboard-1920")

	// Five more sampled: the live tile follows without a reload.
	sc.bind(t, 5)
	w.Until(`document.querySelector('[data-tile="testing.sampled"] .v').textContent === "15"`)
}
