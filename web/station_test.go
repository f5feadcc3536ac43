package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// stationFixture is an open round over the city with one site in comp1
// and two stations, each with its device.
type stationFixture struct {
	f        *fixture
	ts       *testServer
	round    int64
	stations [2]frontline.Station
	devices  [2]*client
}

func newStationFixture(t *testing.T) *stationFixture {
	t.Helper()
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	sf := &stationFixture{f: f, ts: ts}
	admin := ts.client
	var created struct{ Round frontline.Round }
	resp, body := admin.sendJSON(t, http.MethodPost, "/api/v1/rounds", map[string]any{"scope_id": f.city.ID, "name": "第一轮",
		"day": "2026-06-02", "starts_at": "2026-06-01T22:00:00Z", "ends_at": "2026-06-02T10:00:00Z"})
	mustStatus(t, resp, body, http.StatusCreated, &created)
	sf.round = created.Round.ID
	resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/open", sf.round), map[string]any{})
	mustStatus(t, resp, body, http.StatusOK, &created)
	var site struct{ Site frontline.Site }
	resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/rounds/%d/sites", sf.round), map[string]any{"place_id": f.comp1.ID,
		"name": "枣园小区采样点", "opens_at": "2026-06-01T22:00:00Z", "closes_at": "2026-06-02T04:00:00Z"})
	mustStatus(t, resp, body, http.StatusCreated, &site)
	for i := range sf.stations {
		var st struct {
			Station frontline.Station
			Token   string
		}
		resp, body = admin.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/sites/%d/stations", site.Site.ID), map[string]any{"name": fmt.Sprintf("%d号台", i+1)})
		mustStatus(t, resp, body, http.StatusCreated, &st)
		sf.stations[i], sf.devices[i] = st.Station, ts.device(st.Token)
	}
	return sf
}

func (sf *stationFixture) path(format string, args ...any) string {
	return fmt.Sprintf("/api/v1/rounds/%d", sf.round) + fmt.Sprintf(format, args...)
}

// TestStationAPI_RequestIDPerStation: two stations whose scanners number
// their requests the same way both bind, and each gets its own answer.
func TestStationAPI_RequestIDPerStation(t *testing.T) {
	sf := newStationFixture(t)
	var answers [2]frontline.BindAnswer
	for i, dev := range sf.devices {
		resp, body := dev.sendJSON(t, http.MethodPost, sf.path("/bindings"), map[string]any{
			"request_id": "1", "tube": fmt.Sprintf("S%d-1", i), "persons": []int64{sf.f.persons[i].ID}})
		mustStatus(t, resp, body, http.StatusOK, &answers[i])
	}
	for i, a := range answers {
		if a.Bound() != 1 || a.Replayed || a.RequestID != "1" || a.Tube.StationID != sf.stations[i].ID || a.Items[0].PersonID != sf.f.persons[i].ID {
			t.Fatalf("station %d with client id 1: %+v", i+1, a)
		}
	}
}

// TestStationAPI_BatchInOrder: a queue replayed in one batch runs in the
// order it was queued: a binding, the seal, then a binding that the seal
// refuses, every time.
func TestStationAPI_BatchInOrder(t *testing.T) {
	sf := newStationFixture(t)
	p := sf.f.persons
	var batch struct {
		Answers []struct {
			Answer *frontline.BindAnswer
			Error  *frontline.ItemError
		}
	}
	resp, body := sf.devices[0].sendJSON(t, http.MethodPost, sf.path("/bindings/batch"), map[string]any{"requests": []map[string]any{
		{"request_id": "q-1", "tube": "Q-1", "persons": []int64{p[0].ID}},
		{"request_id": "q-2", "tube": "Q-1", "persons": []int64{p[1].ID}},
		{"request_id": "q-3", "tube": "Q-1", "seal": true},
		{"request_id": "q-4", "tube": "Q-1", "persons": []int64{p[2].ID}},
	}})
	mustStatus(t, resp, body, http.StatusOK, &batch)
	a := batch.Answers
	if len(a) != 4 || a[0].Answer.Bound() != 1 || a[1].Answer.Bound() != 1 || a[2].Answer.Tube.State != frontline.TubeSealed ||
		a[2].Answer.Tube.Count != 2 || a[3].Answer.Bound() != 0 || a[3].Answer.Items[0].Error.Reason != frontline.RefusedTubeClosed {
		t.Fatalf("the batch ran out of order: %s", body)
	}
}

// TestStationAPI_Undo: undo names its binding; a repeat is answered as
// already undone and takes nobody else out.
func TestStationAPI_Undo(t *testing.T) {
	sf := newStationFixture(t)
	dev, p := sf.devices[0], sf.f.persons
	var a frontline.BindAnswer
	resp, body := dev.sendJSON(t, http.MethodPost, sf.path("/bindings"), map[string]any{
		"request_id": "u-1", "tube": "U-1", "persons": []int64{p[0].ID, p[1].ID}})
	mustStatus(t, resp, body, http.StatusOK, &a)
	newest := a.Items[1].BindingID
	var out struct {
		Undone  frontline.Binding
		Already bool `json:"already_undone"`
	}
	undo := map[string]any{"binding_id": newest, "request_id": "u-2"}
	resp, body = dev.sendJSON(t, http.MethodPost, sf.path("/tubes/U-1/undo"), undo)
	mustStatus(t, resp, body, http.StatusOK, &out)
	if out.Already || out.Undone.ID != newest || out.Undone.PersonID != p[1].ID {
		t.Fatalf("undo: %s", body)
	}
	resp, body = dev.sendJSON(t, http.MethodPost, sf.path("/tubes/U-1/undo"), undo)
	mustStatus(t, resp, body, http.StatusOK, &out)
	if !out.Already || out.Undone.ID != newest {
		t.Fatalf("undo sent again: %s", body)
	}
	var tube struct {
		Tube     frontline.Tube
		Bindings []frontline.Binding
	}
	resp, body = dev.get(t, "/api/v1/tubes/U-1")
	mustStatus(t, resp, body, http.StatusOK, &tube)
	if tube.Tube.Count != 1 || len(tube.Bindings) != 1 || tube.Bindings[0].PersonID != p[0].ID {
		t.Fatalf("after an undo sent twice: %s", body)
	}
	// An undo that names no binding is refused: it is what undid two.
	resp, body = dev.sendJSON(t, http.MethodPost, sf.path("/tubes/U-1/undo"), map[string]any{})
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("undo without a binding: %d %s", resp.StatusCode, body)
	}
}

// TestStationPages: the station page carries its texts for the script
// and the bag panel; label sheets default to a range per station, or per
// user when printed for no station.
func TestStationPages(t *testing.T) {
	sf := newStationFixture(t)
	sampler := sf.ts.as(t, frontline.RoleSampler, sf.f.comp1)
	for lang, want := range map[string]string{"zh-CN": "本轮已采样", "en": "already sampled this round"} {
		resp, body := sampler.get(t, fmt.Sprintf("/rounds/%d/station?lang=%s", sf.round, lang))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="station-text"`) || !strings.Contains(body, want) ||
			!strings.Contains(body, `data-testid="bag-pack"`) {
			t.Fatalf("station page (%s): %d, want %q and the bag panel", lang, resp.StatusCode, want)
		}
	}
	labels := func(c *client, query string) string {
		t.Helper()
		resp, body := c.get(t, fmt.Sprintf("/rounds/%d/labels?count=2%s", sf.round, query))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("labels%s: %d", query, resp.StatusCode)
		}
		return body
	}
	one, two := sf.stations[0].ID, sf.stations[1].ID
	for _, c := range []struct {
		client *client
		query  string
		want   string
	}{
		{sampler, fmt.Sprintf("&station=%d", one), fmt.Sprintf("R%d-S%d-000002", sf.round, one)},
		{sampler, fmt.Sprintf("&station=%d", two), fmt.Sprintf("R%d-S%d-000001", sf.round, two)},
		{sampler, "", fmt.Sprintf("R%d-U", sf.round)}, // no station: the user's own range
		{sampler, "&prefix=X-", "X-000001"},
	} {
		if body := labels(c.client, c.query); !strings.Contains(body, c.want) {
			t.Errorf("labels%s: want %s", c.query, c.want)
		}
	}
	other := sf.ts.as(t, frontline.RoleSampler, sf.f.comp1)
	mine, theirs := labels(sampler, ""), labels(other, "")
	if first := fmt.Sprintf("R%d-U", sf.round); strings.Count(mine, first) == 0 || labelCode(mine) == labelCode(theirs) {
		t.Errorf("two samplers' default sheets share codes: %s", labelCode(mine))
	}
	if resp, _ := sampler.get(t, fmt.Sprintf("/rounds/%d/labels?station=999999", sf.round)); resp.StatusCode == http.StatusOK {
		t.Errorf("labels of a station of no round: %d", resp.StatusCode)
	}
}

// labelCode returns the first code printed on a label sheet.
func labelCode(body string) string {
	_, rest, _ := strings.Cut(body, "<figcaption>")
	code, _, _ := strings.Cut(rest, "</figcaption>")
	return code
}
