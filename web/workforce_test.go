package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// workerList is a department's list as offices send it: a title row, a
// date row, then the header and the rows.
func workerList(tb testing.TB, rows ...[]any) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	all := append([][]any{{"区林草局下沉干部名单"}, {"填报日期：2026年6月1日"}, {"姓名", "联系电话", "单位", "可到岗日期", "技能"}}, rows...)
	for i, r := range all {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

var locationID = regexp.MustCompile(`/(\d+)`)

// TestWorkerPages runs the workforce through its pages as the secretary
// of 罗玉新村社区: a department's list imported (refused with the bad row
// named, then taken), a worker registered after a refusal that keeps what
// was typed, a post with shifts, an assignment refused for rest and made
// with a reason, the duty table as a page and as XLSX, auto-fill, the
// responsible worker of a compound shown on a household's page, and a
// cadre checking in on their own phone.
func TestWorkerPages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := buildScene(t, db)
		sec := sc.secretary
		place := fmt.Sprint(sc.luoyu.ID)
		list := func(rows ...[]any) (*http.Response, string) {
			return sec.upload(t, "/workers/import?place="+place, "林草局名单.xlsx", string(workerList(t, rows...)),
				url.Values{"kind": {"department_staff"}})
		}
		resp, body := list([]any{"王林", "13900001001", "区林草局", "2026-06-01至2026-06-03"}, []any{"李森", "12345", "区林草局", ""})
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a list with a bad phone: %d", resp.StatusCode)
		}
		mustContain(t, "the refused list", body, `data-testid="import-errors"`, "B (联系电话)", `<td class="n" data-label="行">5</td>`)
		resp, body = list([]any{"王林", "13900001001", "区林草局", "2026-06-01至2026-06-03"}, []any{"李森", "13900001002", "区林草局", "", "急救"})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("the list: %d %s", resp.StatusCode, body)
		}
		mustContain(t, "the imported list", body, `data-testid="import-done"`, "新登记 2 人", "王林", "李森", "139****1001")

		// A cadre without a unit comes back with what was typed.
		f := url.Values{"name": {"张松"}, "phone": {"13900001003"}, "kind": {"sent_down"}, "langs": {"藏语"}}
		resp, body = sec.postForm(t, "/workers?place="+place, f)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("a cadre without a unit: %d", resp.StatusCode)
		}
		mustContain(t, "the refused worker", body, `data-testid="error-unit"`, `value="张松"`, `value="藏语"`)
		f.Set("unit", "区林草局")
		if resp, _ = sec.postForm(t, "/workers?place="+place, f); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("register 张松: %d", resp.StatusCode)
		}
		ws, _, err := sqldb.NewWorkerService(db).FindWorkers(context.Background(), frontline.WorkerFilter{Under: &sc.luoyu.ID})
		if err != nil || len(ws) != 3 {
			t.Fatalf("workers: %d, %v", len(ws), err)
		}
		byName := map[string]*frontline.Worker{}
		for _, w := range ws {
			byName[w.Name] = w
		}

		// A post with two days of a 12-hour shift.
		resp, _ = sec.postForm(t, "/posts?place="+place, url.Values{"name": {"罗玉物资点"}, "kind": {"delivery_team"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("new post: %d", resp.StatusCode)
		}
		post := resp.Header.Get("Location")
		postID := locationID.FindStringSubmatch(post)[1]
		resp, _ = sec.postForm(t, post+"/shifts", url.Values{"day_from": {"2026-06-01"}, "ndays": {"2"}, "times": {"08:00-20:00"}, "headcount": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("add shifts: %d", resp.StatusCode)
		}
		roster := sqldb.NewRosterService(db)
		var pid int64
		fmt.Sscan(postID, &pid)
		night := &frontline.Shift{PostID: pid, Start: time.Date(2026, 6, 1, 14, 0, 0, 0, time.UTC), End: time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC), Headcount: 1}
		if err := roster.AddShifts(context.Background(), []*frontline.Shift{night}); err != nil {
			t.Fatal(err)
		}
		shifts, _ := roster.FindShifts(context.Background(), frontline.ShiftFilter{PostID: &pid})
		day1 := shifts[0]
		assign := func(sh *frontline.Shift, w *frontline.Worker, reason string) (*http.Response, string) {
			return sec.postForm(t, post+"/assign", url.Values{"shift": {fmt.Sprint(sh.ID)}, "worker": {fmt.Sprint(w.ID)}, "override": {reason}})
		}
		if resp, _ := assign(day1, byName["王林"], ""); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("assign 王林: %d", resp.StatusCode)
		}
		resp, body = assign(night, byName["王林"], "")
		if resp.StatusCode != http.StatusConflict {
			t.Fatalf("王林 on the night too: %d", resp.StatusCode)
		}
		mustContain(t, "the refusal", body, `data-testid="violations"`, "王林 与前后班次间休息不足", `data-testid="assign-override"`,
			"如确需安排，请填写理由")
		if resp, _ := assign(night, byName["王林"], "夜间无人，王林同意连班"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("王林 on the night with a reason: %d", resp.StatusCode)
		}
		_, body = sec.get(t, post)
		mustContain(t, "the post page", body, "违规安排理由：夜间无人，王林同意连班", `data-testid="on-duty"`, "王林")

		// The duty table: phones whole for the secretary, masked for a volunteer.
		_, body = sec.get(t, "/duty?place="+place+"&day=2026-06-01")
		mustContain(t, "the secretary's duty table", body, "罗玉物资点", "13900001001", "本次查看已记录")
		_, body = sc.gate.get(t, "/duty?place="+place+"&day=2026-06-01")
		mustContain(t, "the volunteer's duty table", body, "139****1001")
		if strings.Contains(body, "13900001001") {
			t.Error("the volunteer reads a whole phone")
		}
		resp, body = sec.get(t, "/duty/export.xlsx?place="+place+"&day=2026-06-01")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "duty-2026-06-01.xlsx") {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		sheets := office.Sheets(t, []byte(body))
		table := fmt.Sprint(sheets["值班表"])
		for _, want := range []string{"罗玉新村社区 值班表 2026-06-01", "罗玉物资点", "王林", "13900001001", "部门干部"} {
			if !strings.Contains(table, want) {
				t.Errorf("the XLSX duty table lacks %q: %s", want, table)
			}
		}

		// Auto-fill proposes 李森 or 张松 for the second day, and the
		// secretary takes it.
		_, body = sec.get(t, "/roster?place="+place+"&propose=1&from=2026-06-02&to=2026-06-02")
		mustContain(t, "the proposal", body, `data-testid="proposals"`, `data-testid="proposal-box"`)
		values := regexp.MustCompile(`name="p" value="([0-9:]+)"`).FindAllStringSubmatch(body, -1)
		if len(values) != 1 {
			t.Fatalf("%d proposals for one open place", len(values))
		}
		resp, _ = sec.postForm(t, "/roster/accept?place="+place+"&from=2026-06-02&to=2026-06-02", url.Values{"p": {values[0][1]}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "accepted=1") {
			t.Fatalf("accept: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}

		// 枣园小区 is given to 李森; its households name him.
		resp, _ = sec.postForm(t, "/responsibility?place="+place, url.Values{"node": {fmt.Sprint(sc.zaoyuan.ID)},
			"worker": {fmt.Sprint(byName["李森"].ID)}, "cover": {fmt.Sprint(byName["张松"].ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("give 枣园小区: %d", resp.StatusCode)
		}
		_, body = sec.get(t, "/responsibility?place="+place)
		mustContain(t, "the responsibility page", body, "枣园小区", "李森", "张松")
		hh := sc.sealedResident.HouseholdID
		_, body = sec.get(t, fmt.Sprintf("/places/%d", hh))
		mustContain(t, "a household of 枣园小区", body, `data-testid="responsible"`, "李森", "139****1002")

		// 王林 gets an account and checks in on his phone.
		sc.ts.user(t, "wanglin", frontline.RoleVolunteer, sc.luoyu)
		if resp, body := sec.postForm(t, fmt.Sprintf("/workers/%d", byName["王林"].ID), url.Values{"name": {"王林"},
			"phone": {"139****1001"}, "kind": {"department_staff"}, "unit": {"区林草局"}, "days": {"2026-06-01, 2026-06-02, 2026-06-03"},
			"account": {"wanglin"}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("link the account: %d %s", resp.StatusCode, body)
		}
		wang := sc.ts.signIn(t, "wanglin", goodPassword)
		_, body = wang.get(t, "/")
		mustContain(t, "王林's start page", body, `data-testid="my-duty-today"`, "罗玉物资点", `data-testid="my-duty-link"`)
		_, body = wang.get(t, "/my/duty")
		mustContain(t, "王林's shifts", body, "罗玉物资点", `data-testid="check-in"`)
		id := regexp.MustCompile(`/assignments/(\d+)/check-in`).FindStringSubmatch(body)[1]
		resp, _ = wang.postForm(t, "/assignments/"+id+"/check-in", url.Values{"next": {"/my/duty"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/my/duty?saved=checkin" {
			t.Fatalf("check in: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = wang.get(t, "/my/duty?saved=checkin")
		mustContain(t, "after checking in", body, "已签到", "在岗", `data-testid="check-out"`)
		if resp, _ := sc.gate.postForm(t, "/assignments/"+id+"/check-out", url.Values{"next": {"/my/duty"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("another volunteer checks 王林 out: %d", resp.StatusCode)
		}
		if resp, body := sec.get(t, "/hours?place="+place); resp.StatusCode != http.StatusOK || !strings.Contains(body, "区林草局") {
			t.Errorf("hours: %d", resp.StatusCode)
		}
	})
}

// TestRosterAPI drives the roster through the JSON API: a worker, a post
// and its shifts, an assignment refused with every rule broken and made
// with a reason, a device checking a worker in, the proposal and its
// acceptance, the duty table and the responsible workers of households.
func TestRosterAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := buildScene(t, db)
		sec := sc.secretary
		ctx := context.Background()
		post := &frontline.Post{PlaceID: sc.luoyu.ID, Name: "3号卡点", Kind: frontline.PostCheckpoint, MeetsResidents: true}
		resp, body := sec.sendJSON(t, http.MethodPost, "/api/v1/posts", post)
		var made struct {
			Post struct {
				ID int64 `json:"id"`
			} `json:"post"`
		}
		decodeAPI(t, "new post", resp, body, http.StatusCreated, &made)
		resp, body = sec.sendJSON(t, http.MethodPost, "/api/v1/workers", map[string]any{"place_id": sc.luoyu.ID, "name": "王林",
			"phone": "13900002001", "kind": "sent_down", "unit": "区林草局"})
		var w struct {
			Worker struct {
				ID    int64  `json:"id"`
				Phone string `json:"phone"`
			} `json:"worker"`
		}
		decodeAPI(t, "new worker", resp, body, http.StatusCreated, &w)
		if w.Worker.Phone != "139****2001" {
			t.Fatalf("the API shows the phone %q", w.Worker.Phone)
		}
		resp, body = sec.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/shifts", made.Post.ID), map[string]any{"shifts": []map[string]any{
			{"start": testNow.Add(-time.Hour), "end": testNow.Add(13 * time.Hour), "headcount": 2}}})
		var added struct {
			Shifts []struct {
				ID int64 `json:"id"`
			} `json:"shifts"`
		}
		decodeAPI(t, "add a shift", resp, body, http.StatusCreated, &added)
		in := map[string]any{"shift_id": added.Shifts[0].ID, "worker_id": w.Worker.ID}
		resp, body = sec.sendJSON(t, http.MethodPost, "/api/v1/assignments", in)
		var refused struct {
			Error struct {
				Code        string                `json:"code"`
				Overridable bool                  `json:"overridable"`
				Violations  []frontline.Violation `json:"violations"`
			} `json:"error"`
		}
		decodeAPI(t, "a 14-hour shift without a test", resp, body, http.StatusConflict, &refused)
		if len(refused.Error.Violations) != 2 || refused.Error.Overridable {
			t.Fatalf("the refusal: %+v", refused.Error)
		}
		resp, body = sec.sendJSON(t, http.MethodPatch, fmt.Sprintf("/api/v1/workers/%d", w.Worker.ID), map[string]any{"last_negative": testNow.Add(-3 * time.Hour)})
		decodeAPI(t, "record the test", resp, body, http.StatusOK, nil)
		in["override"] = "长班，已报备"
		resp, body = sec.sendJSON(t, http.MethodPost, "/api/v1/assignments", in)
		var assigned struct {
			Assignment struct {
				ID       int64  `json:"id"`
				Override string `json:"override"`
			} `json:"assignment"`
		}
		decodeAPI(t, "with a reason", resp, body, http.StatusCreated, &assigned)
		// The post's device checks him in.
		token, err := sqldb.NewUserService(db, testPolicy).CreateToken(ctx, &frontline.Token{Name: "3号卡点", Role: frontline.RoleVolunteer, ScopeID: sc.luoyu.ID})
		if err != nil {
			t.Fatal(err)
		}
		resp, body = sc.ts.device(token).sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/assignments/%d/check-in", assigned.Assignment.ID), nil)
		decodeAPI(t, "the device checks in", resp, body, http.StatusOK, nil)
		var onDuty struct {
			Shifts []struct {
				Assignments []struct {
					Status string `json:"status"`
				} `json:"assignments"`
			} `json:"shifts"`
		}
		sc.gate.getJSON(t, fmt.Sprintf("/api/v1/on-duty?post=%d", made.Post.ID), http.StatusOK, &onDuty)
		if len(onDuty.Shifts) != 1 || onDuty.Shifts[0].Assignments[0].Status != "checked_in" {
			t.Fatalf("on duty: %+v", onDuty)
		}
		var proposal struct {
			Result frontline.FillResult `json:"result"`
		}
		resp, body = sec.sendJSON(t, http.MethodPost, "/api/v1/roster/proposals", map[string]any{"place_id": sc.luoyu.ID,
			"from": testNow.Add(-2 * time.Hour), "to": testNow.Add(24 * time.Hour)})
		decodeAPI(t, "propose", resp, body, http.StatusOK, &proposal)
		if proposal.Result.Open != 1 || proposal.Result.Unfilled != 1 {
			t.Fatalf("a place nobody else may take: %+v", proposal.Result)
		}
		var table struct {
			Posts []struct {
				Post struct {
					Name string `json:"name"`
				} `json:"post"`
			} `json:"posts"`
		}
		sc.gate.getJSON(t, fmt.Sprintf("/api/v1/duty-table?place=%d&day=2026-06-01", sc.luoyu.ID), http.StatusOK, &table)
		if len(table.Posts) != 1 || table.Posts[0].Post.Name != "3号卡点" {
			t.Fatalf("duty table: %+v", table)
		}
		resp, body = sec.sendJSON(t, http.MethodPut, fmt.Sprintf("/api/v1/places/%d/responsible", sc.luoyu.ID), map[string]any{"worker_id": w.Worker.ID})
		decodeAPI(t, "give the community", resp, body, http.StatusOK, nil)
		var who struct {
			Households []struct {
				Worker struct {
					Name  string `json:"name"`
					Phone string `json:"phone"`
				} `json:"worker"`
			} `json:"households"`
		}
		sc.gate.getJSON(t, fmt.Sprintf("/api/v1/responsible-workers?households=%d", sc.freeResident.HouseholdID), http.StatusOK, &who)
		if len(who.Households) != 1 || who.Households[0].Worker.Name != "王林" || who.Households[0].Worker.Phone != "139****2001" {
			t.Fatalf("responsible workers: %+v", who)
		}
		if resp, _ := sc.gate.sendJSON(t, http.MethodPost, "/api/v1/assignments", in); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a volunteer assigns through the API: %d", resp.StatusCode)
		}
	})
}
