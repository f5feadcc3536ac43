package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// openCityRound plans and opens a round over the fixture's city.
func openCityRound(t *testing.T, db *sqldb.DB, f *fixture) *frontline.Round {
	t.Helper()
	ctx := context.Background()
	start := testNow.Add(time.Hour)
	r := &frontline.Round{ScopeID: f.city.ID, Name: "第一轮", Day: "2026-06-01", StartsAt: start, EndsAt: start.Add(8 * time.Hour)}
	rounds := sqldb.NewRoundService(db)
	if err := rounds.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	r, err := rounds.OpenRound(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// wantRedirect checks a post went back to the setup page.
func wantRedirect(t *testing.T, what string, resp *http.Response, body string, round int64) {
	t.Helper()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), fmt.Sprintf("/rounds/%d/setup", round)) {
		t.Fatalf("%s: %d %s, want a redirect to the setup page: %s", what, resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

// local writes t as the datetime-local inputs take it, in China's time.
func local(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04") }

var secretRE = regexp.MustCompile(`data-testid="station-secret">([^<]+)<`)

// TestSetupPage sets a round up through its page's forms, as a city admin.
func TestSetupPage(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	admin := ts.client
	round := openCityRound(t, db, f)
	setup := fmt.Sprintf("/rounds/%d/setup", round.ID)
	sites := sqldb.NewSiteService(db)

	for _, lang := range []string{"zh-CN", "en"} {
		resp, body := admin.get(t, setup+"?lang="+lang)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="new-site"`) || !strings.Contains(body, `data-testid="policy-form"`) {
			t.Fatalf("setup page (%s): %d %s", lang, resp.StatusCode, body)
		}
		// The place starts at the first compound, where sites stand, not at the city.
		if !strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, f.comp1.ID)) {
			t.Fatalf("the new site's place does not start at %s: %s", f.comp1.Name, body)
		}
	}
	admin.get(t, setup+"?lang=zh-CN")
	opens, closes := round.StartsAt, round.StartsAt.Add(4*time.Hour)
	site := url.Values{"place": {fmt.Sprint(f.comp1.ID)}, "name": {"枣园小区采样点"}, "location": {"北门"},
		"opens": {local(opens)}, "closes": {local(closes)}}

	t.Run("AddSite", func(t *testing.T) {
		bad := url.Values{"place": {fmt.Sprint(f.comp1.ID)}, "name": {""}, "opens": {local(closes)}, "closes": {local(opens)}}
		resp, body := admin.postForm(t, setup+"/sites", bad)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-name"`) {
			t.Fatalf("a site without a name: %d %s", resp.StatusCode, body)
		}
		bad.Set("name", "x")
		resp, body = admin.postForm(t, setup+"/sites", bad)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-closes"`) {
			t.Fatalf("a site closing before it opens: %d %s", resp.StatusCode, body)
		}
		resp, body = admin.postForm(t, setup+"/sites", site)
		wantRedirect(t, "add a site", resp, body, round.ID)
		// The notice shows once.
		_, body = admin.get(t, setup)
		if !strings.Contains(body, `data-testid="notice"`) || !strings.Contains(body, "已新增采样点") || !strings.Contains(body, "枣园小区采样点") {
			t.Fatalf("after adding a site: %s", body)
		}
		if _, body = admin.get(t, setup); strings.Contains(body, `data-testid="notice"`) {
			t.Fatal("the notice shows again on a reload")
		}
	})
	list, err := sites.FindSites(context.Background(), round.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("sites: %v %+v", err, list)
	}
	siteID := list[0].ID

	var secret string
	var stationID int64
	t.Run("Stations", func(t *testing.T) {
		path := fmt.Sprintf("%s/sites/%d/stations", setup, siteID)
		resp, body := admin.postForm(t, path, url.Values{"station_name": {"1号台"}})
		m := secretRE.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, "<svg") || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("add a station: %d %v %s", resp.StatusCode, resp.Header, body)
		}
		secret = m[1]
		device := ts.device(secret)
		if resp, body := device.get(t, "/api/v1/me"); resp.StatusCode != http.StatusOK {
			t.Fatalf("the new station's token: %d %s", resp.StatusCode, body)
		}
		resp, body = admin.postForm(t, path, url.Values{"station_name": {"1号台"}})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="error-station_name"`) {
			t.Fatalf("a second 1号台: %d %s", resp.StatusCode, body)
		}
		st, err := sites.FindStations(context.Background(), round.ID)
		if err != nil || len(st) != 1 {
			t.Fatalf("stations: %v %+v", err, st)
		}
		stationID = st[0].ID
		resp, body = admin.postForm(t, fmt.Sprintf("%s/stations/%d", setup, stationID), url.Values{"station_name": {"A台"}})
		wantRedirect(t, "rename", resp, body, round.ID)
		if _, body = admin.get(t, setup); !strings.Contains(body, `value="A台"`) || !strings.Contains(body, "采样台已改名") {
			t.Fatalf("after renaming: %s", body)
		}
	})

	t.Run("Plan", func(t *testing.T) {
		resp, body := admin.get(t, setup+"?per_station=abc&queue_minutes=20")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="error-per_station"`) {
			t.Fatalf("settings that are not numbers: %d %s", resp.StatusCode, body)
		}
		_, body = admin.get(t, setup+"?per_station=650&min_per_station=600&max_per_station=800&queue_minutes=15&seconds_per_person=10")
		if !strings.Contains(body, `data-testid="plan-slots"`) || !strings.Contains(body, `name="per_station" value="650"`) ||
			!strings.Contains(body, "每台只采") {
			t.Fatalf("the proposed plan (5 persons at one station is under the band): %s", body)
		}
		resp, body = admin.postForm(t, setup+"/plan", url.Values{"per_station": {"650"}, "min_per_station": {"600"},
			"max_per_station": {"800"}, "queue_minutes": {"1000"}, "seconds_per_person": {"10"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-queue_minutes"`) {
			t.Fatalf("a queue of 1000 minutes: %d %s", resp.StatusCode, body)
		}
		resp, body = admin.postForm(t, setup+"/plan", url.Values{"per_station": {"650"}, "min_per_station": {"600"},
			"max_per_station": {"800"}, "queue_minutes": {"15"}, "seconds_per_person": {"10"}, "lead_minutes": {"30"}})
		wantRedirect(t, "save the plan", resp, body, round.ID)
		saved, err := sites.FindSavedPlan(context.Background(), round.ID)
		if err != nil || saved.Settings.PerStation != 650 || saved.Settings.QueueMinutes != 15 || saved.Settings.LeadMinutes != 30 || saved.Notices == 0 {
			t.Fatalf("saved plan: %v %+v", err, saved)
		}
		_, body = admin.get(t, setup)
		if want := fmt.Sprintf("%d 条召集通知已排队", saved.Notices); !strings.Contains(body, want) || !strings.Contains(body, `name="queue_minutes" value="15"`) {
			t.Fatalf("after saving, want %q and the saved settings: %s", want, body)
		}
	})

	t.Run("Policy", func(t *testing.T) {
		form := url.Values{"mode:sealed": {"pool"}, "size:sealed": {"99"}, "mode:controlled": {"pool"}, "size:controlled": {"10"},
			"mode:precaution": {"pool"}, "size:precaution": {"20"}, "mode:": {"household"}}
		resp, body := admin.postForm(t, setup+"/policy", form)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-policy-sealed"`) || !strings.Contains(body, "封控区：混采每管 2 到 50 人") {
			t.Fatalf("a pool of 99 in the sealed zone: %d %s", resp.StatusCode, body)
		}
		form.Set("mode:sealed", "single")
		resp, body = admin.postForm(t, setup+"/policy", form)
		wantRedirect(t, "save the policy", resp, body, round.ID)
		r, _ := sqldb.NewRoundService(db).FindRoundByID(context.Background(), round.ID)
		if r.Policy[""].Mode != frontline.PoolHousehold || r.Policy["precaution"].Size != 20 {
			t.Fatalf("policy: %+v", r.Policy)
		}
	})

	t.Run("EditAndRemove", func(t *testing.T) {
		edit := url.Values{"name": {"枣园小区南门采样点"}, "location": {"南门"}, "opens": {local(opens)}, "closes": {"soon"}}
		resp, body := admin.postForm(t, fmt.Sprintf("%s/sites/%d", setup, siteID), edit)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-closes"`) || !strings.Contains(body, `value="枣园小区南门采样点"`) {
			t.Fatalf("an edit with a bad closing time: %d %s", resp.StatusCode, body)
		}
		edit.Set("closes", local(closes.Add(time.Hour)))
		resp, body = admin.postForm(t, fmt.Sprintf("%s/sites/%d", setup, siteID), edit)
		wantRedirect(t, "edit the site", resp, body, round.ID)
		// The saved plan calls residents to the site: it stays.
		resp, body = admin.postForm(t, fmt.Sprintf("%s/sites/%d/remove", setup, siteID), url.Values{})
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="error-remove"`) || !strings.Contains(body, "个时段召集居民到这里") {
			t.Fatalf("removing a site of the saved plan: %d %s", resp.StatusCode, body)
		}
		resp, body = admin.postForm(t, fmt.Sprintf("%s/stations/%d/retire", setup, stationID), url.Values{})
		wantRedirect(t, "retire", resp, body, round.ID)
		if resp, _ := ts.device(secret).get(t, "/api/v1/me"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("a retired station's token: %d", resp.StatusCode)
		}
		spare := url.Values{"place": {fmt.Sprint(f.comp2.ID)}, "name": {"忠义巷小区采样点"}, "opens": {local(opens)}, "closes": {local(closes)}}
		resp, body = admin.postForm(t, setup+"/sites", spare)
		wantRedirect(t, "add a second site", resp, body, round.ID)
		all, _ := sites.FindSites(context.Background(), round.ID)
		resp, body = admin.postForm(t, fmt.Sprintf("%s/sites/%d/remove", setup, all[len(all)-1].ID), url.Values{})
		wantRedirect(t, "remove the empty site", resp, body, round.ID)
		// A site of another round is not found under this one.
		if resp, _ := admin.postForm(t, fmt.Sprintf("/rounds/%d/setup/sites/%d/remove", round.ID+1, siteID), url.Values{}); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("a site under another round's path: %d", resp.StatusCode)
		}
	})

	t.Run("CSRF", func(t *testing.T) {
		resp, _ := admin.postRaw(t, setup+"/sites", url.Values{"place": {fmt.Sprint(f.comp1.ID)}, "name": {"无令牌"},
			"opens": {local(opens)}, "closes": {local(closes)}}, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("a post without the CSRF token: %d", resp.StatusCode)
		}
	})
}

// TestSetupPage_InnerScope: a community's secretary inside the city's
// round sees its dashboard but neither the setup page nor its link, and
// cannot post its forms.
func TestSetupPage_InnerScope(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	round := openCityRound(t, db, f)
	setup := fmt.Sprintf("/rounds/%d/setup", round.ID)
	sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)

	if resp, body := sec.get(t, setup); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the community on the city's setup page: %d %s", resp.StatusCode, body)
	}
	resp, body := sec.postForm(t, setup+"/sites", url.Values{"place": {fmt.Sprint(f.comp1.ID)}, "name": {"x"},
		"opens": {local(round.StartsAt)}, "closes": {local(round.EndsAt)}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the community adding a site to the city's round: %d %s", resp.StatusCode, body)
	}
	if resp, _ := sec.postForm(t, setup+"/policy", url.Values{"mode:": {"single"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the community changing the city's policy: %d", resp.StatusCode)
	}
	for _, path := range []string{"/rounds", fmt.Sprintf("/rounds/%d", round.ID)} {
		if _, body := sec.get(t, path); strings.Contains(body, `data-testid="setup-link"`) {
			t.Errorf("%s links the community to the city's setup", path)
		}
		if _, body := ts.client.get(t, path); !strings.Contains(body, `data-testid="setup-link"`) {
			t.Errorf("%s does not link the city's admin to the setup", path)
		}
	}
	// A community's own round is theirs to set up.
	own := &frontline.Round{ScopeID: f.comm1.ID, Name: "社区轮", Day: "2026-06-02", StartsAt: round.StartsAt.Add(24 * time.Hour),
		EndsAt: round.EndsAt.Add(24 * time.Hour)}
	if err := sqldb.NewRoundService(db).CreateRound(context.Background(), own); err != nil {
		t.Fatal(err)
	}
	resp, body = sec.get(t, fmt.Sprintf("/rounds/%d/setup", own.ID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="plan-draft"`) {
		t.Fatalf("the community's own draft round: %d %s", resp.StatusCode, body)
	}
	// The place picker offers the round's scope and below, nothing of the
	// other community.
	if strings.Contains(body, f.comp2.Name) || !strings.Contains(body, f.comp1.Name) {
		t.Fatalf("places offered: %s", body)
	}
}

// TestSetupMessages checks the setup page has a message for every field
// its forms may report an error about.
func TestSetupMessages(t *testing.T) {
	msgs := web.MessagesForTest()
	for _, id := range web.SetupMessageIDsForTest() {
		if _, ok := msgs[id]; !ok {
			t.Errorf("no message %q", id)
		}
	}
}

// TestSetupAPI changes a site and a station through the API.
func TestSetupAPI(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	admin := ts.client
	round := openCityRound(t, db, f)
	var site struct{ Site frontline.Site }
	resp, body := admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/sites", round.ID), map[string]any{"place_id": f.comp1.ID,
		"name": "枣园小区采样点", "opens_at": round.StartsAt, "closes_at": round.EndsAt})
	mustStatus(t, resp, body, http.StatusCreated, &site)
	var st struct {
		Station frontline.Station
		Token   string
	}
	resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/sites/%d/stations", site.Site.ID), map[string]any{"name": "1号台"})
	mustStatus(t, resp, body, http.StatusCreated, &st)

	resp, body = admin.sendJSON(t, http.MethodPatch, fmt.Sprintf("/api/v1/sites/%d", site.Site.ID), map[string]any{"location": "南门"})
	mustStatus(t, resp, body, http.StatusOK, &site)
	if site.Site.Location != "南门" || site.Site.Name != "枣园小区采样点" {
		t.Fatalf("patched site: %+v", site.Site)
	}
	resp, body = admin.sendJSON(t, http.MethodPatch, fmt.Sprintf("/api/v1/stations/%d", st.Station.ID), map[string]any{"name": "A台"})
	mustStatus(t, resp, body, http.StatusOK, &st)
	resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/stations/%d/retire", st.Station.ID), map[string]any{})
	mustStatus(t, resp, body, http.StatusOK, &st)
	if st.Station.Name != "A台" || st.Station.RetiredAt.IsZero() {
		t.Fatalf("retired station: %+v", st.Station)
	}
	admin.getJSON(t, fmt.Sprintf("/api/v1/rounds/%d/plan/saved", round.ID), http.StatusNotFound, nil)
	resp, body = admin.sendJSON(t, http.MethodDelete, fmt.Sprintf("/api/v1/sites/%d", site.Site.ID), nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("remove a site nobody was sampled at: %d %s", resp.StatusCode, body)
	}
}
