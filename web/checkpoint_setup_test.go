package web_test

import (
	"context"
	"fmt"
	"maps"
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

// TestCheckpointSetup_Messages checks that every message the setup forms
// and the template page name at run time exists in both languages.
func TestCheckpointSetup_Messages(t *testing.T) {
	msgs := web.MessagesForTest()
	var ids []string
	for _, f := range []string{"cannotopen", "status", "item_name", "item_taken", "item_kind", "item_need", "item_unit",
		"ledger_item", "ledger_kind", "quantity", "note"} {
		ids = append(ids, "setup.error."+f)
	}
	for _, f := range []string{"status", "item", "task", "ledger"} {
		ids = append(ids, "setup.saved."+f)
	}
	for _, k := range []string{"material", "task", "issued", "restocked", "used", "returned"} {
		ids = append(ids, "setup.kind."+k)
	}
	for _, st := range []string{"open", "setting_up", "closed"} {
		ids = append(ids, "setup.to."+st)
	}
	for _, f := range []string{"key", "name", "kind", "need", "unit", "items", "forbidden"} {
		ids = append(ids, "template.error."+f)
	}
	for _, id := range ids {
		if m, ok := msgs[id]; !ok || m[0] == "" || m[1] == "" {
			t.Errorf("message %q missing", id)
		}
	}
}

// setupPage is a checkpoint being set up and the people at it.
type setupPage struct {
	sc   *scene
	c    *frontline.Checkpoint
	path string // its page
}

// mustContain fails unless body holds every string of want.
func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

// TestCheckpointSetup_Pages sets a checkpoint up through the forms of its
// page, as the secretary of 罗玉新村社区 on a phone: every form once
// refused with the message beside the field, then done; opening is
// refused with the gaps named until the post is ready; a volunteer sees
// the setup but gets no forms, and a secretary elsewhere cannot reach it.
func TestCheckpointSetup_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := buildScene(t, db)
		c := &frontline.Checkpoint{PlaceID: sc.zaoyuan.ID, Name: "枣园小区北门", Type: frontline.CheckpointGate, Location: "枣园小区北门"}
		if err := sqldb.NewCheckpointService(db).CreateCheckpoint(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		sp := &setupPage{sc: sc, c: c, path: fmt.Sprintf("/checkpoints/%d", c.ID)}
		resp, body := sc.secretary.get(t, sp.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("setup page %d", resp.StatusCode)
		}
		mustContain(t, "a new checkpoint's page", body, `data-testid="setup" open`, `data-testid="status-form"`, `data-testid="item-form"`,
			`data-testid="ledger-form"`, `data-testid="post-link"`, `data-testid="gaps"`, "帐篷 现有 0，需要 1 顶", "没有带班负责人的班次",
			`data-testid="not-open"`)
		sp.refuseOpening(t)
		sp.permissions(t)
		sp.items(t)
		sp.ledger(t)
		sp.staff(t)
		resp, _ = sc.secretary.postForm(t, sp.path+"/status", url.Values{"status": {"open"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("open when ready: %d", resp.StatusCode)
		}
		_, body = sc.secretary.get(t, resp.Header.Get("Location"))
		mustContain(t, "the page once open", body, "状态已更改。", `data-testid="passage-form"`, `data-testid="status-closed"`)
		if strings.Contains(body, `data-testid="gaps"`) {
			t.Error("an open checkpoint still lists gaps")
		}
		got, err := sqldb.NewCheckpointService(db).FindCheckpointByID(context.Background(), c.ID)
		if err != nil || got.Status != frontline.CheckpointOpen || len(got.Shifts) != 1 || got.Shifts[0].Leader().Unit != "区林草局" {
			t.Fatalf("after the forms: %+v, %v", got, err)
		}
	})
}

// refuseOpening tries to open the bare checkpoint: 409, every gap named.
func (sp *setupPage) refuseOpening(t *testing.T) {
	t.Helper()
	resp, body := sp.sc.secretary.postForm(t, sp.path+"/status", url.Values{"status": {"open"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("open a bare checkpoint: %d", resp.StatusCode)
	}
	mustContain(t, "the refusal to open", body, `data-testid="error-form"`, "还不能开放", "帐篷 现有 0，需要 1 顶",
		"煤炭 现有 0，需要 50 kg", "没有带班负责人的班次")
	resp, body = sp.sc.secretary.postForm(t, sp.path+"/status?lang=en", url.Values{"status": {"open"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("open a bare checkpoint, in English: %d", resp.StatusCode)
	}
	mustContain(t, "the refusal in English", body, "It cannot open yet", "帐篷: 0 of 1 顶 on hand", "No shift with a leader")
	sp.sc.secretary.get(t, sp.path+"?lang=zh-CN") // the language sticks to the browser; back to Chinese
}

// permissions checks who may use the forms: a volunteer at the gate reads
// the setup but posts nothing; a secretary of another community does not
// find the checkpoint.
func (sp *setupPage) permissions(t *testing.T) {
	t.Helper()
	_, body := sp.sc.gate.get(t, sp.path)
	mustContain(t, "the volunteer's page", body, `data-testid="setup"`, `data-testid="checklist"`)
	for _, form := range []string{`data-testid="status-form"`, `data-testid="ledger-form"`, `data-testid="item-form"`} {
		if strings.Contains(body, form) {
			t.Errorf("the volunteer sees %s", form)
		}
	}
	tent := sp.item(t, "tent")
	posts := map[string]url.Values{
		"/status": {"status": {"closed"}},
		"/items":  {"item_name": {"发电机"}, "item_kind": {"material"}, "item_need": {"1"}, "item_unit": {"台"}},
		"/ledger": {"ledger_item": {fmt.Sprint(tent.ID)}, "ledger_kind": {"issued"}, "quantity": {"1"}},
	}
	for path, form := range posts {
		// Each client posts its own copy: postForm adds the session's token.
		if resp, _ := sp.sc.gate.postForm(t, sp.path+path, maps.Clone(form)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("volunteer POST %s: %d", path, resp.StatusCode)
		}
		if resp, _ := sp.sc.zhang.postForm(t, sp.path+path, maps.Clone(form)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("secretary of 自治巷社区 POST %s: %d", path, resp.StatusCode)
		}
	}
	if resp, _ := sp.sc.gate.get(t, "/checkpoints/template"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("volunteer GET the template: %d", resp.StatusCode)
	}
	post := fmt.Sprintf("/posts/%d", sp.postID(t))
	resp, body := sp.sc.gate.get(t, post)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, `data-testid="shifts-form"`) {
		t.Errorf("the volunteer's post page %d, with the roster's forms: %v", resp.StatusCode, strings.Contains(body, "shifts-form"))
	}
	shifts := url.Values{"day_from": {"2026-06-01"}, "ndays": {"1"}, "times": {"15:00-03:00"}, "headcount": {"3"}}
	if resp, _ := sp.sc.gate.postForm(t, post+"/shifts", maps.Clone(shifts)); resp.StatusCode != http.StatusForbidden {
		t.Errorf("volunteer POST shifts: %d", resp.StatusCode)
	}
	if resp, _ := sp.sc.zhang.postForm(t, post+"/shifts", maps.Clone(shifts)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("secretary of 自治巷社区 POST shifts: %d", resp.StatusCode)
	}
}

// postID returns the id of the checkpoint's post on the roster.
func (sp *setupPage) postID(t *testing.T) int64 {
	t.Helper()
	c, err := sqldb.NewCheckpointService(sp.sc.ts.db).FindCheckpointByID(context.Background(), sp.c.ID)
	if err != nil || c.PostID == 0 {
		t.Fatalf("the checkpoint's post: %+v, %v", c, err)
	}
	return c.PostID
}

// item returns the checklist line with key, as the service has it now.
func (sp *setupPage) item(t *testing.T, key string) *frontline.ChecklistItem {
	t.Helper()
	c, err := sqldb.NewCheckpointService(sp.sc.ts.db).FindCheckpointByID(context.Background(), sp.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range c.Checklist {
		if it.Key == key {
			return it
		}
	}
	t.Fatalf("no checklist line %s", key)
	return nil
}

// items adds a task and ticks it, after a material without a unit and a
// line twice are refused beside their fields.
func (sp *setupPage) items(t *testing.T) {
	t.Helper()
	sec := sp.sc.secretary
	resp, body := sec.postForm(t, sp.path+"/items", url.Values{"item_name": {"发电机"}, "item_kind": {"material"}, "item_need": {"1"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a material without a unit: %d", resp.StatusCode)
	}
	mustContain(t, "a material without a unit", body, `data-testid="error-item_unit"`, "物资请填写单位", `value="发电机"`)
	resp, body = sec.postForm(t, sp.path+"/items", url.Values{"item_name": {"帐篷"}, "item_kind": {"material"}, "item_need": {"1"}, "item_unit": {"顶"}})
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("a line twice: %d", resp.StatusCode)
	}
	mustContain(t, "a line twice", body, `data-testid="error-item_name"`, "清单里已有这一项")
	resp, _ = sec.postForm(t, sp.path+"/items", url.Values{"item_name": {"岗前培训"}, "item_kind": {"task"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a task: %d", resp.StatusCode)
	}
	_, body = sec.get(t, resp.Header.Get("Location"))
	mustContain(t, "the page with the task", body, "已加入清单。", `data-testid="tick-岗前培训"`, "岗前培训 未完成")
	task := sp.item(t, "岗前培训")
	resp, _ = sec.postForm(t, fmt.Sprintf("%s/items/%d/done", sp.path, task.ID), url.Values{"done": {"1"}})
	if resp.StatusCode != http.StatusSeeOther || !sp.item(t, "岗前培训").Done {
		t.Fatalf("tick the task: %d", resp.StatusCode)
	}
	// A line of another checkpoint is not ticked through this page.
	other := &frontline.Checkpoint{PlaceID: sp.sc.luoyu.ID, Name: "另一卡点", Type: frontline.CheckpointRoad,
		Checklist: []*frontline.ChecklistItem{{Key: "briefing", Name: "岗前培训", Kind: frontline.ItemTask}}}
	if err := sqldb.NewCheckpointService(sp.sc.ts.db).CreateCheckpoint(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	if resp, _ := sec.postForm(t, fmt.Sprintf("%s/items/%d/done", sp.path, other.Checklist[0].ID), url.Values{"done": {"1"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("tick another checkpoint's line: %d", resp.StatusCode)
	}
}

// ledger refuses a quantity that is not a number and a draw beyond what is
// on hand, then issues every material the checklist needs.
func (sp *setupPage) ledger(t *testing.T) {
	t.Helper()
	sec := sp.sc.secretary
	coal := sp.item(t, "coal")
	resp, body := sec.postForm(t, sp.path+"/ledger", url.Values{"ledger_item": {fmt.Sprint(coal.ID)}, "ledger_kind": {"issued"}, "quantity": {"五十"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a quantity in words: %d", resp.StatusCode)
	}
	mustContain(t, "a quantity in words", body, `data-testid="error-quantity"`, "请填写 1 至 1,000,000 的整数", `value="五十"`)
	resp, body = sec.postForm(t, sp.path+"/ledger", url.Values{"ledger_item": {fmt.Sprint(coal.ID)}, "ledger_kind": {"used"}, "quantity": {"10"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("using coal not on hand: %d", resp.StatusCode)
	}
	mustContain(t, "using coal not on hand", body, `data-testid="error-quantity"`, "消耗和退回不能超过现有数量")
	resp, body = sec.postForm(t, sp.path+"/ledger", url.Values{"ledger_item": {fmt.Sprint(coal.ID)}, "ledger_kind": {"stolen"}, "quantity": {"10"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-ledger_kind"`) {
		t.Fatalf("an unknown kind: %d", resp.StatusCode)
	}
	c, _ := sqldb.NewCheckpointService(sp.sc.ts.db).FindCheckpointByID(context.Background(), sp.c.ID)
	for _, it := range c.Checklist {
		if it.Kind != frontline.ItemMaterial {
			continue
		}
		resp, _ := sec.postForm(t, sp.path+"/ledger", url.Values{"ledger_item": {fmt.Sprint(it.ID)}, "ledger_kind": {"issued"},
			"quantity": {fmt.Sprint(it.Need + 10)}, "source": {"区林草局"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("issue %s: %d", it.Key, resp.StatusCode)
		}
	}
	resp, _ = sec.postForm(t, sp.path+"/ledger", url.Values{"ledger_item": {fmt.Sprint(coal.ID)}, "ledger_kind": {"used"}, "quantity": {"15"}, "note": {"第一夜"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("use coal: %d", resp.StatusCode)
	}
	_, body = sec.get(t, resp.Header.Get("Location"))
	mustContain(t, "the ledger", body, "已记账。", `data-item="coal" data-stock="45" data-short="5"`, "45/50 kg",
		`data-testid="ledger-entries"`, "第一夜", "区林草局")
	// Five short is a shortage on the list too; restocking ends it.
	_, list := sec.get(t, "/checkpoints")
	mustContain(t, "the checkpoint list", list, "煤炭 缺 5kg")
	if resp, _ := sec.postForm(t, sp.path+"/ledger", url.Values{"ledger_item": {fmt.Sprint(coal.ID)}, "ledger_kind": {"restocked"},
		"quantity": {"20"}, "source": {"煤场"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("restock: %d", resp.StatusCode)
	}
	l, err := sqldb.NewCheckpointService(sp.sc.ts.db).Ledger(context.Background(), sp.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range l.Balances {
		if b.Key == "coal" && (b.OnHand != 65 || b.Used != 15 || b.Restocked != 20 || b.Short != 0) {
			t.Fatalf("coal balance %+v", b)
		}
	}
}

// staff staffs the checkpoint on its post's page: a shift added through
// the form, a volunteer without a recent test refused with the reason and
// no way to override it, then two forestry-bureau cadres put on it, the
// first leading.
func (sp *setupPage) staff(t *testing.T) {
	t.Helper()
	sec, db := sp.sc.secretary, sp.sc.ts.db
	post := fmt.Sprintf("/posts/%d", sp.postID(t))
	wang := mustWorker(t, db, sp.sc.luoyu, "王林", frontline.WorkerDepartment, "区林草局", testNow.Add(-2*time.Hour))
	li := mustWorker(t, db, sp.sc.luoyu, "李森", frontline.WorkerDepartment, "区林草局", testNow.Add(-2*time.Hour))
	he := mustWorker(t, db, sp.sc.luoyu, "何勇", frontline.WorkerVolunteer, "", time.Time{})
	resp, body := sec.postForm(t, post+"/shifts", url.Values{"day_from": {"2026-06-01"}, "ndays": {"1"}, "times": {"15:00-03:99"}, "headcount": {"3"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a shift ending at 03:99: %d\n%s", resp.StatusCode, sp.sc.ts.logs)
	}
	mustContain(t, "bad times", body, `data-testid="error-times"`, `value="15:00-03:99"`)
	resp, _ = sec.postForm(t, post+"/shifts", url.Values{"day_from": {"2026-06-01"}, "ndays": {"1"}, "times": {"15:00-03:00"}, "headcount": {"3"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add the shift: %d", resp.StatusCode)
	}
	shifts, err := sqldb.NewRosterService(db).FindShifts(context.Background(), frontline.ShiftFilter{PostID: ptr(sp.postID(t))})
	if err != nil || len(shifts) != 1 || shifts[0].End.Sub(shifts[0].Start) != 12*time.Hour {
		t.Fatalf("the shift added: %+v, %v", shifts, err)
	}
	assign := func(w *frontline.Worker, leader bool) (*http.Response, string) {
		f := url.Values{"shift": {fmt.Sprint(shifts[0].ID)}, "worker": {fmt.Sprint(w.ID)}}
		if leader {
			f.Set("leader", "1")
		}
		return sec.postForm(t, post+"/assign", f)
	}
	resp, body = assign(he, false)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("a volunteer without a test: %d", resp.StatusCode)
	}
	mustContain(t, "the refusal", body, `data-testid="violations"`, "何勇 没有有效期内的核酸阴性结果", "不能以理由放行")
	if strings.Contains(body, `data-testid="assign-override"`) {
		t.Error("a missing test may be overridden on the page")
	}
	for _, w := range []*frontline.Worker{wang, li} {
		if resp, _ := assign(w, w == wang); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("assign %s: %d", w.Name, resp.StatusCode)
		}
	}
	_, body = sec.get(t, sp.path)
	mustContain(t, "the checkpoint with its shift", body, "王林 · 区林草局 · <strong>负责人</strong>", "李森 · 区林草局", "还缺 1 人")
}

// TestCheckpointSetup_Hours shows a post outside its opening hours on the
// page, and the refusal of a passage with the hours named.
func TestCheckpointSetup_Hours(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := buildScene(t, db)
		ids := setUpCheckpoints(t, sc)
		// testNow is 16:00 in China: a post open 06:00–12:00 is shut.
		resp, body := sc.secretary.sendJSON(t, http.MethodPatch, fmt.Sprintf("/api/v1/checkpoints/%d", ids[1]), map[string]any{"hours": "06:00-12:00"})
		decodeAPI(t, "set the hours", resp, body, http.StatusOK, nil)
		gate := fmt.Sprintf("/checkpoints/%d", ids[1])
		_, body = sc.gate.get(t, gate)
		mustContain(t, "the gate page out of hours", body, "开放时间 06:00-12:00", `data-testid="outside-hours"`)
		resp, _ = sc.gate.postForm(t, gate+"/passages", url.Values{"direction": {"in"}, "kind": {"visitor"}, "name": {"送菜师傅"},
			"phone": {"13700000003"}, "reason": {"送菜"}, "temperature": {"36.5"}, "health_code": {"green"}, "test_hours": {"24"}})
		_, body = sc.gate.get(t, resp.Header.Get("Location"))
		mustContain(t, "the refusal out of hours", body, `data-allowed="false"`, "不在本卡点开放时间（06:00-12:00），请走 24 小时卡点")
		_, body = sc.gate.get(t, fmt.Sprintf("/checkpoints/%d", ids[0]))
		mustContain(t, "a round-the-clock post", body, "24 小时开放")
		if strings.Contains(body, `data-testid="outside-hours"`) {
			t.Error("a round-the-clock post says it is outside its hours")
		}
	})
}

// TestChecklistTemplate_Page edits the template as the city command: a
// line removed, a quantity changed, a task added; a bad quantity and a key
// twice come back beside their rows; a community secretary reads the
// template but may not change it.
func TestChecklistTemplate_Page(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withZones(db))
		admin := ts.as(t, frontline.RoleCityAdmin, f.city)
		resp, body := admin.get(t, "/checkpoints/template")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("template page %d", resp.StatusCode)
		}
		mustContain(t, "the template page", body, `data-testid="template-form"`, `name="key.0" maxlength="40" value="tent"`,
			`name="need.3" inputmode="numeric" maxlength="7" size="6" value="50"`, `name="rows" value="13"`, `data-testid="template-submit"`)
		// The rows as the page shows them: 10 lines and 3 blank rows.
		form := url.Values{"rows": {"13"}}
		for i, it := range frontline.DefaultChecklist() {
			n := fmt.Sprint(i)
			form.Set("key."+n, it.Key)
			form.Set("name."+n, it.Name)
			form.Set("kind."+n, string(it.Kind))
			form.Set("need."+n, fmt.Sprint(it.Need))
			form.Set("unit."+n, it.Unit)
		}
		form.Set("need.3", "很多")
		resp, body = admin.postForm(t, "/checkpoints/template", maps.Clone(form))
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a quantity in words: %d", resp.StatusCode)
		}
		mustContain(t, "a quantity in words", body, `data-testid="error-need.3"`, "请填写数量（整数）", `value="很多"`)
		form.Set("need.3", "100")
		form.Set("key.11", "coal")
		form.Set("name.11", "煤")
		form.Set("kind.11", "material")
		form.Set("need.11", "1")
		form.Set("unit.11", "kg")
		resp, body = admin.postForm(t, "/checkpoints/template", maps.Clone(form))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-key.11"`) {
			t.Fatalf("a key twice: %d %s", resp.StatusCode, body)
		}
		form.Set("key.2", "") // the stove goes
		form.Set("name.2", "")
		form.Set("key.11", "briefing")
		form.Set("name.11", "岗前培训")
		form.Set("kind.11", "task")
		resp, _ = admin.postForm(t, "/checkpoints/template", maps.Clone(form))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save the template: %d", resp.StatusCode)
		}
		_, body = admin.get(t, resp.Header.Get("Location"))
		mustContain(t, "the saved template", body, `data-testid="template-saved"`, `value="briefing"`)
		items, err := sqldb.NewCheckpointService(db).ChecklistTemplate(context.Background())
		if err != nil || len(items) != 10 || items[2].Key != "coal" || items[2].Need != 100 || items[9].Kind != frontline.ItemTask {
			t.Fatalf("the template after the page: %v %v", itemKeysOf(items), err)
		}

		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		resp, body = sec.get(t, "/checkpoints/template")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="template-readonly"`) || strings.Contains(body, `data-testid="template-submit"`) {
			t.Fatalf("the secretary's template page %d", resp.StatusCode)
		}
		resp, body = sec.postForm(t, "/checkpoints/template", maps.Clone(form))
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "只有市指挥部可以修改") {
			t.Fatalf("the secretary saves the template: %d", resp.StatusCode)
		}
		var api struct {
			Items []frontline.ChecklistItem `json:"items"`
		}
		sec.getJSON(t, "/api/v1/checklist-template", http.StatusOK, &api)
		if len(api.Items) != 10 || api.Items[9].Key != "briefing" {
			t.Fatalf("the template through the API: %+v", api.Items)
		}
	})
}

func itemKeysOf(items []*frontline.ChecklistItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

// TestCheckpointNew_Form adds a checkpoint from the list page, as the
// secretary of 罗玉新村社区: the form offers the community and what lies
// under it; bad hours come back with the message and what was typed; the
// checkpoint is made being set up and its page opens; the same name again
// is refused beside the name; a volunteer sees no form and may not post.
func TestCheckpointNew_Form(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withZones(db))
		sec := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
		resp, list := sec.get(t, "/checkpoints")
		mustContain(t, "the list", list, `data-testid="checkpoint-form"`, fmt.Sprintf(`<option value="%d">`, f.comm1.ID),
			fmt.Sprintf(`<option value="%d">枣园小区`, f.comp1.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("list: %d", resp.StatusCode)
		}
		form := url.Values{"place_id": {fmt.Sprint(f.comp1.ID)}, "name": {"枣园小区北门"}, "location": {"枣园路口"},
			"type": {"compound_gate"}, "hours": {"6点到22点"}}
		resp, body := sec.postForm(t, "/checkpoints", form)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad hours: %d %s", resp.StatusCode, body)
		}
		mustContain(t, "the refused form", body, `data-testid="error-hours"`, "HH:MM-HH:MM", `value="枣园小区北门"`, `value="枣园路口"`,
			`value="6点到22点"`, fmt.Sprintf(`<option value="%d" selected>`, f.comp1.ID))
		form.Set("hours", "06:00-22:00")
		resp, body = sec.postForm(t, "/checkpoints", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add: %d %s", resp.StatusCode, body)
		}
		cs, _, err := sqldb.NewCheckpointService(db).FindCheckpoints(frontline.AsSystem(context.Background()), frontline.CheckpointFilter{Under: &f.comm1.ID})
		if err != nil || len(cs) != 1 || cs[0].Status != frontline.CheckpointSettingUp || cs[0].Hours != "06:00-22:00" ||
			resp.Header.Get("Location") != fmt.Sprintf("/checkpoints/%d", cs[0].ID) {
			t.Fatalf("checkpoints after the form: %+v, %v (to %s)", cs, err, resp.Header.Get("Location"))
		}
		if resp, _ := sec.get(t, resp.Header.Get("Location")); resp.StatusCode != http.StatusOK {
			t.Fatalf("the new checkpoint's page: %d", resp.StatusCode)
		}
		resp, body = sec.postForm(t, "/checkpoints", form)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, `data-testid="error-name"`) {
			t.Fatalf("the same name again: %d %s", resp.StatusCode, body)
		}
		vol := ts.as(t, frontline.RoleVolunteer, f.comp1)
		if _, list := vol.get(t, "/checkpoints"); strings.Contains(list, `data-testid="checkpoint-form"`) {
			t.Errorf("a volunteer is offered the form")
		}
		if resp, _ := vol.postForm(t, "/checkpoints", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a volunteer adds a checkpoint: %d", resp.StatusCode)
		}
	})
}
