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
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// withZones gives a server the zone and checkpoint services of db.
func withZones(db *sqldb.DB) func(*web.Server) {
	return func(s *web.Server) { s.Zones, s.Checkpoints = sqldb.NewZoneService(db), sqldb.NewCheckpointService(db) }
}

// scene is the demo city of the acceptance test with the places and
// people it needs.
type scene struct {
	ts                      *testServer
	luoyu, zaoyuan, zhongyi *frontline.Place
	sealedBuilding, other   *frontline.Place // a building of 枣园小区, another compound of 罗玉新村社区
	sealedResident          *frontline.Person
	freeResident            *frontline.Person // of the other compound
	zhongyiResident         *frontline.Person
	secretary, zhang, gate  *client // 夏虹, 张彬, a forestry-bureau cadre at the gate
}

func buildScene(t *testing.T, db *sqldb.DB) *scene { return buildSceneOf(t, db, 2000) }

// buildSceneOf builds the scene in a demo city of the given number of
// residents.
func buildSceneOf(t *testing.T, db *sqldb.DB, residents int, adjust ...func(*web.Server)) *scene {
	t.Helper()
	ctx := context.Background()
	db.Now = func() time.Time { return testNow }
	places, persons := sqldb.NewPlaceService(db), sqldb.NewPersonService(db)
	if _, err := demo.Build(ctx, demo.Config{Residents: residents}, places, sqldb.NewImportService(db)); err != nil {
		t.Fatal(err)
	}
	sc := &scene{ts: newDBServer(t, db, append([]func(*web.Server){withZones(db), withWorkforce(db)}, adjust...)...)}
	find := func(path string) *frontline.Place {
		p, err := places.FindPlaceByPath(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return p
	}
	sc.luoyu, sc.zaoyuan, sc.zhongyi = find(demo.PathLuoyuxincun), find(demo.PathZaoyuan), find(demo.PathZhongyixiang)
	building, compound := frontline.KindBuilding, frontline.KindCompound
	buildings, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &sc.zaoyuan.ID, Kind: &building})
	if err != nil || len(buildings) == 0 {
		t.Fatalf("buildings of 枣园小区: %d, %v", len(buildings), err)
	}
	compounds, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &sc.luoyu.ID, Kind: &compound})
	if err != nil || len(compounds) < 2 {
		t.Fatalf("compounds of 罗玉新村社区: %d, %v", len(compounds), err)
	}
	sc.sealedBuilding, sc.other = buildings[0], compounds[0]
	if sc.other.ID == sc.zaoyuan.ID {
		sc.other = compounds[1]
	}
	resident := func(under *frontline.Place) *frontline.Person {
		ps, _, err := persons.FindPersons(ctx, frontline.PersonFilter{Under: &under.ID, Limit: 1})
		if err != nil || len(ps) == 0 {
			t.Fatalf("a resident of %s: %v", under.Name, err)
		}
		return ps[0]
	}
	sc.sealedResident, sc.freeResident, sc.zhongyiResident = resident(sc.sealedBuilding), resident(sc.other), resident(sc.zhongyi)
	sc.secretary = sc.ts.as(t, frontline.RoleCommunitySecretary, sc.luoyu)
	sc.zhang = sc.ts.as(t, frontline.RoleCommunitySecretary, find(demo.PathZizhixiang))
	sc.gate = sc.ts.as(t, frontline.RoleVolunteer, sc.luoyu)
	return sc
}

type checkpointBody struct {
	Checkpoint struct {
		frontline.Checkpoint
		Shifts []struct {
			Assignments []struct {
				Name   string `json:"name"`
				Unit   string `json:"unit"`
				Leader bool   `json:"leader"`
				Phone  string `json:"phone"`
			} `json:"assignments"`
		} `json:"shifts"`
	} `json:"checkpoint"`
}

type passageBody struct {
	Passage struct {
		frontline.Passage
		Phone    string   `json:"phone"`
		Messages []string `json:"messages"`
	} `json:"passage"`
}

// setUpCheckpoints creates the seven checkpoints of 罗玉新村社区 through
// the API, issues their materials, staffs them with forestry-bureau
// cadres and opens them; the first is tried before it is ready.
func setUpCheckpoints(t *testing.T, sc *scene) []int64 {
	t.Helper()
	sec := sc.secretary
	var ids []int64
	for i, plan := range demo.Checkpoints() {
		place := sc.luoyu
		if plan.Compound != "" {
			place = sc.zaoyuan
		}
		resp, body := sec.sendJSON(t, http.MethodPost, "/api/v1/checkpoints", map[string]any{
			"place_id": place.ID, "name": plan.Name, "type": plan.Type, "location": plan.Location})
		var created checkpointBody
		decodeAPI(t, "create "+plan.Name, resp, body, http.StatusCreated, &created)
		id := created.Checkpoint.ID
		ids = append(ids, id)
		path := fmt.Sprintf("/api/v1/checkpoints/%d", id)
		for _, key := range []string{"tent", "power", "stove", "coal"} {
			issue(t, sec, path, key, created.Checkpoint.Checklist)
		}
		if i == 0 {
			resp, body := sec.sendJSON(t, http.MethodPost, path+"/status", map[string]any{"status": "open"})
			var e apiError
			decodeAPI(t, "open too early", resp, body, http.StatusConflict, &e)
			if !strings.Contains(e.Error.Message, "桌子 0/1 张") || !strings.Contains(e.Error.Message, "no shift with a leader") ||
				strings.Contains(e.Error.Message, "帐篷") {
				t.Fatalf("gaps named: %s", e.Error.Message)
			}
		}
		for _, key := range []string{"table", "chairs", "cordon", "thermometer", "disinfectant", "forms"} {
			issue(t, sec, path, key, created.Checkpoint.Checklist)
		}
		staffThroughAPI(t, sec, created.Checkpoint.PostID, place.ID, i)
		resp, body = sec.sendJSON(t, http.MethodPost, path+"/status", map[string]any{"status": "open"})
		var opened checkpointBody
		decodeAPI(t, "open "+plan.Name, resp, body, http.StatusOK, &opened)
		if opened.Checkpoint.Status != frontline.CheckpointOpen {
			t.Fatalf("%s is %s", plan.Name, opened.Checkpoint.Status)
		}
	}
	return ids
}

// staffThroughAPI registers the i-th checkpoint's crew (two cadres of
// 区林草局 and a volunteer, tested two hours before), adds a 12-hour shift
// from an hour before now to its post and puts the crew on it, the first
// cadre leading: all through the API.
func staffThroughAPI(t *testing.T, c *client, postID, placeID int64, i int) {
	t.Helper()
	resp, body := c.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/shifts", postID), map[string]any{"shifts": []map[string]any{
		{"start": testNow.Add(-time.Hour), "end": testNow.Add(11 * time.Hour), "headcount": 3}}})
	var added struct {
		Shifts []struct {
			ID int64 `json:"id"`
		} `json:"shifts"`
	}
	decodeAPI(t, "add the shift", resp, body, http.StatusCreated, &added)
	crew := []map[string]any{
		{"name": fmt.Sprintf("林%d甲", i), "kind": "department_staff", "unit": demo.ForestryBureau, "phone": fmt.Sprintf("139%02d003678", i)},
		{"name": fmt.Sprintf("林%d乙", i), "kind": "department_staff", "unit": demo.ForestryBureau},
		{"name": fmt.Sprintf("志%d", i), "kind": "volunteer"},
	}
	for k, w := range crew {
		w["place_id"], w["last_negative"] = placeID, testNow.Add(-2*time.Hour)
		resp, body := c.sendJSON(t, http.MethodPost, "/api/v1/workers", w)
		var made struct {
			Worker struct {
				ID int64 `json:"id"`
			} `json:"worker"`
		}
		decodeAPI(t, "register "+w["name"].(string), resp, body, http.StatusCreated, &made)
		resp, body = c.sendJSON(t, http.MethodPost, "/api/v1/assignments", map[string]any{"shift_id": added.Shifts[0].ID,
			"worker_id": made.Worker.ID, "leader": k == 0})
		decodeAPI(t, "assign "+w["name"].(string), resp, body, http.StatusCreated, nil)
	}
}

// issue issues what the checklist needs of one material.
func issue(t *testing.T, c *client, path, key string, items []*frontline.ChecklistItem) {
	t.Helper()
	for _, it := range items {
		if it.Key == key {
			resp, body := c.sendJSON(t, http.MethodPost, path+"/ledger", map[string]any{
				"item_key": key, "kind": "issued", "quantity": it.Need, "source": demo.ForestryBureau})
			decodeAPI(t, "issue "+key, resp, body, http.StatusCreated, nil)
			return
		}
	}
	t.Fatalf("no %s on the checklist", key)
}

// TestZones_Acceptance is the report's scene through the API: under
// 罗玉新村社区 seven checkpoints are set up with tents, power, stoves and
// coal, staffed by forestry-bureau cadres and opened; the ledger shows what
// was issued; 忠义巷小区 and a building of 枣园小区 are sealed, and a
// resident of the sealed building is refused at the compound gate with the
// reason shown.
func TestZones_Acceptance(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := buildScene(t, db)
		ids := setUpCheckpoints(t, sc)
		var list struct {
			Checkpoints []checkpointBody `json:"checkpoints"`
			Total       int              `json:"total"`
		}
		sc.secretary.getJSON(t, fmt.Sprintf("/api/v1/checkpoints?under=%d&status=open", sc.luoyu.ID), http.StatusOK, &list)
		if list.Total != 7 {
			t.Fatalf("%d open checkpoints under 罗玉新村社区, want 7", list.Total)
		}
		var one checkpointBody
		sc.gate.getJSON(t, fmt.Sprintf("/api/v1/checkpoints/%d", ids[3]), http.StatusOK, &one)
		staff := one.Checkpoint.Shifts[0].Assignments
		if len(staff) != 3 || staff[0].Unit != demo.ForestryBureau || !staff[0].Leader || staff[0].Phone != "139****3678" {
			t.Fatalf("staff %+v", staff)
		}
		var ledger frontline.Ledger
		sc.secretary.getJSON(t, fmt.Sprintf("/api/v1/checkpoints/%d/ledger", ids[0]), http.StatusOK, &ledger)
		if len(ledger.Entries) != 10 || ledger.Entries[0].ItemKey != "tent" || ledger.Entries[0].Kind != frontline.LedgerIssued ||
			ledger.Entries[3].ItemKey != "coal" || ledger.Entries[3].Quantity != 50 || ledger.Entries[3].Source != demo.ForestryBureau {
			t.Fatalf("ledger %+v", ledger.Entries)
		}
		for _, b := range ledger.Balances {
			if b.Issued != b.Need || b.Short != 0 {
				t.Errorf("balance %+v", b)
			}
		}

		sealZones(t, sc)
		gateRefuses(t, sc, ids)
	})
}

// sealZones seals 忠义巷小区 as 张彬 and a building of 枣园小区 as 夏虹,
// each seeing the households and vulnerable residents at once.
func sealZones(t *testing.T, sc *scene) {
	t.Helper()
	var sealed struct {
		Place      struct{ Households int }        `json:"place"`
		Households []*frontline.AffectedHousehold  `json:"households"`
		Vulnerable []*frontline.AffectedPerson     `json:"vulnerable"`
		Zone       struct{ ID, RuleVersion int64 } `json:"zone"`
		Level      frontline.ZoneLevel             `json:"level"`
	}
	resp, body := sc.zhang.sendJSON(t, http.MethodPost, "/api/v1/zones", map[string]any{
		"place_id": sc.zhongyi.ID, "level": "sealed", "reason": demo.SealReason, "decided_by": "中城街道疫情防控指挥部"})
	decodeAPI(t, "seal 忠义巷小区", resp, body, http.StatusCreated, &sealed)
	if len(sealed.Households) != sealed.Place.Households || len(sealed.Households) == 0 || sealed.Level != frontline.LevelSealed {
		t.Fatalf("sealed list: %d households of %d", len(sealed.Households), sealed.Place.Households)
	}
	for _, v := range sealed.Vulnerable {
		if len(v.Flags) == 0 || (v.Phone != "" && !strings.Contains(v.Phone, "****")) {
			t.Fatalf("vulnerable %+v", v)
		}
	}
	// 夏虹 may not seal what lies outside her community.
	resp, body = sc.secretary.sendJSON(t, http.MethodPost, "/api/v1/zones", map[string]any{
		"place_id": sc.zhongyi.ID, "level": "sealed", "reason": "x"})
	decodeAPI(t, "seal outside the scope", resp, body, http.StatusNotFound, nil)
	resp, body = sc.secretary.sendJSON(t, http.MethodPost, "/api/v1/zones", map[string]any{
		"place_id": sc.sealedBuilding.ID, "level": "sealed", "reason": "楼栋出现阳性", "evidence": map[string]string{"kind": "tube", "ref": "TS20220329-0117"}})
	decodeAPI(t, "seal a building", resp, body, http.StatusCreated, nil)
	var st struct {
		Level frontline.ZoneLevel `json:"level"`
		Rule  frontline.ZoneRule  `json:"rule"`
	}
	sc.gate.getJSON(t, fmt.Sprintf("/api/v1/places/%d/zone", sc.sealedResident.HouseholdID), http.StatusOK, &st)
	if st.Level != frontline.LevelSealed || st.Rule.PoolSize != 1 {
		t.Fatalf("the resident's household: %+v", st)
	}
}

// gateRefuses records passages at the gate of 枣园小区 (7号卡点) and at
// 1号卡点, through the API and the page's form.
func gateRefuses(t *testing.T, sc *scene, ids []int64) {
	t.Helper()
	gate7 := fmt.Sprintf("/api/v1/checkpoints/%d/passages", ids[6])
	good := map[string]any{"temperature": 36.5, "health_code": "green", "negative_test_at": testNow.Add(-10 * time.Hour)}
	resp, body := sc.gate.sendJSON(t, http.MethodPost, gate7, map[string]any{"kind": "resident",
		"id_number": sc.sealedResident.IDNumber, "direction": "out", "checks": good})
	var refused passageBody
	decodeAPI(t, "sealed resident goes out", resp, body, http.StatusCreated, &refused)
	if refused.Passage.Allowed || refused.Passage.From != frontline.LevelSealed || len(refused.Passage.Messages) != 1 ||
		refused.Passage.Messages[0] != "封控区人员不得外出" {
		t.Fatalf("refusal %+v", refused.Passage)
	}
	gate1 := fmt.Sprintf("/api/v1/checkpoints/%d/passages", ids[0])
	resp, body = sc.gate.sendJSON(t, http.MethodPost, gate1, map[string]any{"kind": "resident",
		"person_id": sc.freeResident.ID, "direction": "out", "checks": good})
	var passed passageBody
	decodeAPI(t, "resident of an open building goes out", resp, body, http.StatusCreated, &passed)
	if !passed.Passage.Allowed {
		t.Fatalf("refused %v", passed.Passage.Messages)
	}
	resp, body = sc.gate.sendJSON(t, http.MethodPost, gate1+"?lang=en",
		map[string]any{"kind": "resident", "id_number": sc.zhongyiResident.IDNumber, "direction": "in", "checks": good})
	var fromSealed passageBody
	decodeAPI(t, "忠义巷 resident comes in", resp, body, http.StatusCreated, &fromSealed)
	if fromSealed.Passage.Allowed || fromSealed.Passage.Messages[0] != "Sealed: its people may not leave" ||
		!strings.HasSuffix(fromSealed.Passage.Name, "*") {
		t.Fatalf("from sealed 忠义巷: %+v", fromSealed.Passage)
	}

	var list struct {
		Passages []passageBody `json:"passages"`
		Total    int           `json:"total"`
	}
	sc.gate.getJSON(t, gate7+"?refused=true", http.StatusOK, &list)
	if list.Total != 1 {
		t.Fatalf("refused list of 7号卡点: %d", list.Total)
	}
	var hourly struct {
		Hours []frontline.HourCount `json:"hours"`
	}
	sc.gate.getJSON(t, gate1+"/hourly", http.StatusOK, &hourly)
	if len(hourly.Hours) != 1 || hourly.Hours[0].Out != 1 || hourly.Hours[0].In != 0 || hourly.Hours[0].Refused != 1 {
		t.Fatalf("hourly %+v", hourly.Hours)
	}

	// The same refusal through the page a phone at the gate shows.
	page := fmt.Sprintf("/checkpoints/%d", ids[6])
	resp, body = sc.gate.postForm(t, page+"/passages", url.Values{"direction": {"out"}, "kind": {"resident"},
		"id_number": {sc.sealedResident.IDNumber}, "temperature": {"36.6"}, "health_code": {"green"}, "test_hours": {"24"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "?passage=") {
		t.Fatalf("form: %d %s", resp.StatusCode, body)
	}
	resp, body = sc.gate.get(t, resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="decision" data-allowed="false"`) ||
		!strings.Contains(body, "不予通行") || !strings.Contains(body, "封控区人员不得外出") {
		t.Fatalf("decision page %d: %s", resp.StatusCode, body)
	}
}
