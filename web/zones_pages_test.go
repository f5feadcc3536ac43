package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// TestZones_Messages checks that every code of zones and checkpoints a
// page names has a message in both languages.
func TestZones_Messages(t *testing.T) {
	msgs := web.MessagesForTest()
	var ids []string
	for _, l := range append(frontline.ZoneLevels, frontline.LevelNone) {
		if l == frontline.LevelNone {
			ids = append(ids, "level.none")
		} else {
			ids = append(ids, "level."+string(l))
		}
	}
	for _, code := range []string{frontline.ReasonDaysClear, frontline.ReasonNegativeRounds, frontline.ReasonNoRule, frontline.ReasonLeave,
		frontline.ReasonEnter, frontline.ReasonNoTemperature, frontline.ReasonFever, frontline.ReasonHealthCode,
		frontline.ReasonNoTest, frontline.ReasonTestTooOld, frontline.ReasonOutsideHours} {
		ids = append(ids, "reason."+code)
	}
	for k := range frontline.CheckpointTypeLabels {
		ids = append(ids, "checkpoint.type."+string(k))
	}
	for k := range frontline.CheckpointStatusLabels {
		ids = append(ids, "checkpoint.status."+string(k))
	}
	for k := range frontline.WorkerKindLabels {
		ids = append(ids, "worker.kind."+string(k))
	}
	for _, d := range []frontline.Direction{frontline.DirIn, frontline.DirOut} {
		ids = append(ids, "passage.dir."+string(d))
	}
	for _, f := range []string{"id_number", "name", "phone", "reason", "temperature", "direction", "kind", "health_code"} {
		ids = append(ids, "passage.error."+f)
	}
	for _, id := range ids {
		if m, ok := msgs[id]; !ok || m[0] == "" || m[1] == "" {
			t.Errorf("message %q missing", id)
		}
	}
}

// TestZones_Pages walks the zone board, the building map, the checkpoint
// list and the gate page as the people who use them, and the forms that
// draw a zone and step it down.
func TestZones_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := buildScene(t, db)
		ctx := context.Background()
		scene, _ := demoZones(t, db, testNow)
		resp, body := sc.gate.get(t, "/checkpoints")
		if resp.StatusCode != http.StatusOK || strings.Count(body, `data-testid="checkpoint-link"`) != 7 {
			t.Fatalf("checkpoint list %d: %s", resp.StatusCode, body)
		}
		gate := fmt.Sprintf("/checkpoints/%d", scene.Checkpoints[0].ID)
		resp, body = sc.gate.get(t, gate)
		for _, want := range []string{`id="passage-form"`, `data-testid="dir-out"`, `data-testid="id-number"`, `data-testid="passage-submit"`,
			`data-testid="refused"`, "封控区人员不得外出", "王林", "负责人", `data-testid="hourly"`} {
			if !strings.Contains(body, want) {
				t.Errorf("gate page lacks %s", want)
			}
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("gate page %d", resp.StatusCode)
		}
		// A visitor with a fever, and a form staff must correct.
		resp, _ = sc.gate.postForm(t, gate+"/passages", url.Values{"direction": {"in"}, "kind": {"visitor"}, "name": {"送菜师傅"},
			"phone": {"13700000003"}, "reason": {"送菜"}, "temperature": {"37.8"}, "health_code": {"green"}})
		_, body = sc.gate.get(t, resp.Header.Get("Location"))
		if !strings.Contains(body, `data-allowed="false"`) || !strings.Contains(body, "体温 37.8 ℃，达到或超过 37.3 ℃") {
			t.Fatalf("fever decision: %s", body)
		}
		resp, body = sc.gate.postForm(t, gate+"/passages", url.Values{"direction": {"in"}, "kind": {"visitor"}, "name": {"送菜师傅"},
			"temperature": {"36.5"}, "health_code": {"green"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "请填写正确的手机号。") || !strings.Contains(body, `value="送菜师傅"`) {
			t.Fatalf("visitor without a phone: %d %s", resp.StatusCode, body)
		}
		resp, body = sc.gate.postForm(t, gate+"/passages", url.Values{"direction": {"in"}, "kind": {"resident"}, "id_number": {"110101199001011237"}})
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "查无此居民，请按外来人员登记。") {
			t.Fatalf("unknown resident: %d %s", resp.StatusCode, body)
		}
		resp, body = sc.gate.get(t, gate+"?lang=en")
		if !strings.Contains(body, "Record a passage") || !strings.Contains(body, "Sealed: its people may not leave") {
			t.Fatalf("English gate page %d", resp.StatusCode)
		}

		// The volunteer at the gate reads no reports and draws no zones.
		for _, path := range []string{"/zones", fmt.Sprintf("/zones/map?place=%d", sc.zaoyuan.ID)} {
			if resp, _ := sc.gate.get(t, path); resp.StatusCode != http.StatusForbidden {
				t.Errorf("volunteer GET %s: %d", path, resp.StatusCode)
			}
		}
		if resp, _ := sc.gate.postForm(t, "/zones", url.Values{"place_id": {fmt.Sprint(sc.other.ID)}, "level": {"sealed"}, "reason": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("volunteer draws a zone: %d", resp.StatusCode)
		}
		var audited int
		tx, err := db.BeginReadTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'passage'`).Scan(&audited); err != nil || audited != 3 {
			t.Errorf("%d passages audited (%v), want 3: 2 by the demo, 1 by the form", audited, err)
		}
		tx.Rollback()
		// Last, as it moves the clock on a week and signs in again.
		boardAndForms(t, sc)
	})
}

// boardAndForms checks the board and the map as the secretary of
// 罗玉新村社区, draws a zone through the form and steps it down.
func boardAndForms(t *testing.T, sc *scene) {
	t.Helper()
	sec := sc.secretary
	resp, body := sec.get(t, fmt.Sprintf("/zones?place=%d", sc.luoyu.ID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="board"`) || !strings.Contains(body, `id="set-zone"`) {
		t.Fatalf("board %d: %s", resp.StatusCode, body)
	}
	resp, body = sec.postForm(t, "/zones", url.Values{"board": {fmt.Sprint(sc.luoyu.ID)}, "place_id": {fmt.Sprint(sc.sealedBuilding.ID)},
		"level": {"sealed"}, "reason": {"楼栋出现阳性"}, "decided_by": {"大城街道指挥部"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("draw a zone: %d %s", resp.StatusCode, body)
	}
	resp, body = sec.get(t, resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="affected"`) ||
		!strings.Contains(body, fmt.Sprintf(`data-testid="affected-households">%d<`, sc.sealedBuilding.Households)) {
		t.Fatalf("board after sealing %d: %s", resp.StatusCode, body)
	}
	resp, body = sec.postForm(t, "/zones", url.Values{"board": {fmt.Sprint(sc.luoyu.ID)}, "place_id": {fmt.Sprint(sc.sealedBuilding.ID)},
		"level": {"controlled"}, "reason": {"x"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "降级请使用降级评估") {
		t.Fatalf("a looser level: %d", resp.StatusCode)
	}
	resp, body = sec.get(t, fmt.Sprintf("/zones/map?place=%d", sc.zaoyuan.ID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<svg class="zonemap"`) ||
		!strings.Contains(body, fmt.Sprintf(`<g data-place="%d" data-level="sealed"`, sc.sealedBuilding.ID)) ||
		!strings.Contains(body, `class="cell lvl-sealed"`) {
		t.Fatalf("map %d: %s", resp.StatusCode, body)
	}

	// Seven days on, with a negative round over the community, the rules
	// find the building eligible and 夏虹 steps it down.
	var zones struct {
		Zones []struct{ ID int64 } `json:"zones"`
	}
	sec.getJSON(t, fmt.Sprintf("/api/v1/zones?place_id=%d&active=true", sc.sealedBuilding.ID), http.StatusOK, &zones)
	sc.ts.db.Now = func() time.Time { return testNow.Add(8 * 24 * time.Hour) }
	defer func() { sc.ts.db.Now = func() time.Time { return testNow } }()
	sec = sc.ts.as(t, frontline.RoleCommunitySecretary, sc.luoyu) // the first session has expired by now
	resp, body = sec.sendJSON(t, http.MethodPost, "/api/v1/zone-evidence", map[string]any{"place_id": sc.luoyu.ID, "kind": "negative_round",
		"at": testNow.Add(7 * 24 * time.Hour), "link": map[string]string{"kind": "round", "ref": "第7轮"}})
	decodeAPI(t, "record a round", resp, body, http.StatusCreated, nil)
	var checks struct {
		Checks []struct {
			Eligible bool     `json:"eligible"`
			Messages []string `json:"messages"`
		} `json:"checks"`
	}
	sec.getJSON(t, fmt.Sprintf("/api/v1/step-downs?under=%d", sc.luoyu.ID), http.StatusOK, &checks)
	if len(checks.Checks) != 1 || !checks.Checks[0].Eligible || checks.Checks[0].Messages[0] != "无新增阳性 8 天（需 7 天）" {
		t.Fatalf("step-down checks %+v", checks)
	}
	_, body = sec.get(t, fmt.Sprintf("/zones?place=%d", sc.luoyu.ID))
	if !strings.Contains(body, fmt.Sprintf(`data-testid="stepdown-%d"`, zones.Zones[0].ID)) {
		t.Fatalf("no step-down button: %s", body)
	}
	resp, body = sec.postForm(t, fmt.Sprintf("/zones/%d/step-down", zones.Zones[0].ID), url.Values{"board": {fmt.Sprint(sc.luoyu.ID)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("step down: %d %s", resp.StatusCode, body)
	}
	var st struct {
		Level frontline.ZoneLevel `json:"level"`
	}
	sec.getJSON(t, fmt.Sprintf("/api/v1/places/%d/zone", sc.sealedBuilding.ID), http.StatusOK, &st)
	if st.Level != frontline.LevelControlled {
		t.Fatalf("after the step-down: %s", st.Level)
	}
}
