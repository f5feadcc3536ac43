package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRoundFollowUpPage walks the home sampling team's list: a positive
// pool and a bedridden resident put two households on it; command staff
// read it, a sampler of the compound records tubes from it (a bad code is
// shown beside the field), a sampler of another compound reaches none of
// it, a lab not at all; a manager undoes the excusal from the gap list.
func TestRoundFollowUpPage(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts, f, r := newFollowUpScene(t, db)
	ctx := context.Background()
	rounds, lab := sqldb.NewRoundService(db), sqldb.NewLabService(db)
	base := fmt.Sprintf("/rounds/%d", r.ID)

	// Command staff read the list, grouped by household, without forms.
	resp, body := ts.get(t, base+"/followup")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("follow-up page: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{`data-household="` + itoa(f.hh[0].ID) + `"`, `data-household="` + itoa(f.hh[1].ID) + `"`,
		"张三", "王芳", "透析", "婴幼儿", "P-1", `data-kind="home"`, `data-kind="retest"`, "6205", "无法下楼"} {
		if !strings.Contains(body, want) {
			t.Errorf("follow-up page lacks %q", want)
		}
	}
	if strings.Contains(body, `action="`+base+"/retests/") || strings.Contains(body, f.persons[0].IDNumber) {
		t.Errorf("the follow-up page offers command staff a form, or shows a full ID number")
	}
	if resp, body := ts.get(t, base); !strings.Contains(body, `data-testid="followup-link"`) {
		t.Errorf("the dashboard does not link the follow-up page: %d", resp.StatusCode)
	}

	tasks, _, err := lab.FindRetests(ctx, frontline.RetestFilter{RoundID: &r.ID, Active: true})
	if err != nil || len(tasks) != 4 {
		t.Fatalf("tasks: %v %d", err, len(tasks))
	}
	var retest, home *frontline.RetestTask
	for _, task := range tasks {
		switch {
		case task.Kind == frontline.KindHome:
			home = task
		case task.PersonID == f.persons[0].ID:
			retest = task
		}
	}
	sampleURL := func(task *frontline.RetestTask) string { return fmt.Sprintf("%s/retests/%d/sample", base, task.ID) }

	sampler := ts.as(t, frontline.RoleSampler, f.comp1)
	resp, body = sampler.get(t, base+"/followup?place="+itoa(f.comp1.ID))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="sample-`+itoa(retest.ID)+`"`) {
		t.Fatalf("the sampler's list: %d", resp.StatusCode)
	}
	resp, body = sampler.postForm(t, sampleURL(retest), url.Values{"tube": {"R 1!"}, "place": {itoa(f.comp1.ID)}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-tube"`) || !strings.Contains(body, `value="R 1!"`) {
		t.Fatalf("a bad tube code: %d", resp.StatusCode)
	}
	resp, body = sampler.postForm(t, sampleURL(retest), url.Values{"tube": {"R-1"}, "place": {itoa(f.comp1.ID)}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "saved="+itoa(retest.ID)) {
		t.Fatalf("sample a re-test: %d %s", resp.StatusCode, body)
	}
	resp, body = sampler.postForm(t, sampleURL(home), url.Values{"tube": {"R-1"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "已被使用") {
		t.Fatalf("a tube already used: %d", resp.StatusCode)
	}
	resp, _ = sampler.postForm(t, sampleURL(home), url.Values{"tube": {"H-1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sample at home: %d", resp.StatusCode)
	}
	if m, err := rounds.FindMember(ctx, r.ID, f.persons[3].ID); err != nil || m.Status != frontline.MemberSampled {
		t.Fatalf("the bedridden resident after home sampling: %v %+v", err, m)
	}

	// Outside the scope: not found; a lab has no business here.
	other := ts.as(t, frontline.RoleSampler, f.comp2)
	var next *frontline.RetestTask
	for _, task := range tasks {
		if task.Status == frontline.RetestOpen && task != retest && task != home {
			next = task
			break
		}
	}
	if resp, _ := other.postForm(t, sampleURL(next), url.Values{"tube": {"X-1"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("sampling another compound's task: %d", resp.StatusCode)
	}
	if resp, body := other.get(t, base+"/followup?place="+itoa(f.comp1.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another compound's list: %d", resp.StatusCode)
	} else if resp, body = other.get(t, base+"/followup"); resp.StatusCode != http.StatusOK || strings.Contains(body, "张三") {
		t.Errorf("another compound's sampler sees their list: %d", resp.StatusCode)
	}
	labUser := ts.as(t, frontline.RoleLab, f.city)
	if resp, _ := labUser.get(t, base+"/followup"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a lab on the follow-up page: %d", resp.StatusCode)
	}
	if resp, _ := ts.client.postForm(t, sampleURL(next), url.Values{"tube": {"X-2"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("command staff recording a tube: %d", resp.StatusCode)
	}

	testExcusals(t, ts, r.ID, f)
	for _, action := range []string{"retest_sampled", "excuse", "unexcuse"} {
		if _, n, err := sqldb.NewAuditService(db).FindChanges(ctx, frontline.ChangeFilter{Action: &action}); err != nil || n == 0 {
			t.Errorf("no audit entry %s: %v", action, err)
		}
	}
	if bad, err := db.CheckRound(ctx, r.ID); err != nil || len(bad) > 0 {
		t.Errorf("round check: %v %v", err, bad)
	}
}

// newFollowUpScene opens a round over the fixture's city in which the
// home sampling team has two households to visit: 张三 (dialysis), 李梅
// and 张小明 (infant) of hh[0] after a positive pool, and 王芳 of hh[1],
// excused for home sampling from the gap list by the admin.
func newFollowUpScene(t *testing.T, db *sqldb.DB) (*testServer, *fixture, *frontline.Round) {
	t.Helper()
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	ctx := context.Background()
	r := openCityRound(t, db, f)
	samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	t.Cleanup(func() { samp.Close() })
	if _, err := samp.Bind(ctx, &frontline.BindRequest{RequestID: "p-1", RoundID: r.ID, TubeCode: "P-1", Seal: true,
		PersonIDs: []int64{f.persons[0].ID, f.persons[1].ID, f.persons[2].ID}}); err != nil {
		t.Fatal(err)
	}
	sqldbtest.ReceiveTubes(t, db, "P-1")
	if _, err := sqldb.NewLabService(db).PostResults(ctx, []frontline.ResultRow{{TubeCode: "P-1", Result: frontline.ResultPositive}}); err != nil {
		t.Fatal(err)
	}
	resp, body := ts.client.postForm(t, fmt.Sprintf("/rounds/%d/excuse", r.ID),
		url.Values{"person_id": {itoa(f.persons[3].ID)}, "reason": {"home_sampling"}, "note": {"卧床"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("excuse for home sampling: %d %s", resp.StatusCode, body)
	}
	return ts, f, r
}

// testExcusals excuses 赵强 from the gap list, finds him among the
// excusals with who and why, and undoes it.
func testExcusals(t *testing.T, ts *testServer, roundID int64, f *fixture) {
	base := fmt.Sprintf("/rounds/%d", roundID)
	p := f.persons[4]
	resp, _ := ts.client.postForm(t, base+"/excuse", url.Values{"person_id": {itoa(p.ID)}, "reason": {"away"}, "confirm": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("excuse: %d", resp.StatusCode)
	}
	resp, body := ts.get(t, base+"/gaps")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="excusals"`) || !strings.Contains(body, `data-testid="unexcuse-`+itoa(p.ID)+`"`) ||
		!strings.Contains(body, "外出") {
		t.Fatalf("excusals on the gap list: %d", resp.StatusCode)
	}
	staff := ts.as(t, frontline.RoleGridWorker, f.city)
	if resp, _ := staff.postForm(t, base+"/unexcuse", url.Values{"person_id": {itoa(p.ID)}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a grid worker undoing an excusal: %d", resp.StatusCode)
	}
	outside := ts.as(t, frontline.RoleCommunitySecretary, f.comm1)
	if resp, _ := outside.postForm(t, base+"/unexcuse", url.Values{"person_id": {itoa(p.ID)}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a secretary of another community undoing an excusal: %d", resp.StatusCode)
	}
	resp, _ = ts.client.postForm(t, base+"/unexcuse", url.Values{"person_id": {itoa(p.ID)}, "place": {itoa(f.city.ID)}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != base+"/gaps?place="+itoa(f.city.ID) {
		t.Fatalf("undo the excusal: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := ts.get(t, base+"/gaps"); strings.Contains(body, `data-testid="unexcuse-`+itoa(p.ID)+`"`) {
		t.Errorf("the excusal is still listed after the undo")
	}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
