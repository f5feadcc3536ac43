package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/notify"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// refusingSMS is the SMS gateway of these tests: it takes every message
// but those to refuse, which it refuses as a gateway refuses a number it
// cannot reach (the notice goes to the dead-letter list at once).
type refusingSMS struct{ refuse string }

func (refusingSMS) Name() string { return frontline.SMSChannel }

func (c refusingSMS) Deliver(_ context.Context, n *frontline.Notice) error {
	if n.Recipient == c.refuse {
		return &notify.PermanentError{Err: errors.New("gateway: 号码状态异常")}
	}
	return nil
}

// noticesScene posts a negative pool of the fixture's residents of both
// communities with the SMS channel on and delivers the result notices
// through refusingSMS, which refuses 王芳's number: 罗玉新村社区 has 张三's
// notice delivered and 王芳's dead, 自治巷社区 Anna Li's delivered.
func noticesScene(t *testing.T, db *sqldb.DB, f *fixture) (dead int64) {
	t.Helper()
	ctx := context.Background()
	db.Channels = []string{"log", frontline.SMSChannel}
	rounds := sqldb.NewRoundService(db)
	now := time.Now()
	r := &frontline.Round{ScopeID: f.city.ID, Name: "第一轮", Day: now.In(frontline.ChinaTime).Format(frontline.DateLayout),
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(11 * time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := rounds.OpenRound(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	defer samp.Close()
	// 张三 and 王芳 of 罗玉新村社区; Anna Li of 自治巷社区.
	req := &frontline.BindRequest{RequestID: "notices-1", RoundID: r.ID, TubeCode: "N-1", Seal: true,
		PersonIDs: []int64{f.persons[0].ID, f.persons[3].ID, f.persons[6].ID}}
	if a, err := samp.Bind(ctx, req); err != nil || a.Bound() != 3 {
		t.Fatalf("bind: %+v, %v", a, err)
	}
	sqldbtest.ReceiveTubes(t, db, "N-1")
	if _, err := sqldb.NewLabService(db).PostResults(ctx, []frontline.ResultRow{{Row: 2, TubeCode: "N-1", Result: frontline.ResultNegative}}); err != nil {
		t.Fatal(err)
	}
	outbox := sqldb.NewOutboxService(db)
	w := notify.NewWorker(outbox, nil, notify.LogChannel{}, refusingSMS{refuse: f.persons[3].Phone})
	for w.RunOnce(ctx) > 0 {
	}
	st := frontline.NoticeDead
	list, _, err := outbox.FindNotices(frontline.AsSystem(ctx), frontline.NoticeFilter{Status: &st, Limit: 10})
	if err != nil || len(list) != 1 || list[0].Recipient != f.persons[3].Phone {
		t.Fatalf("dead notices %+v, %v", list, err)
	}
	return list[0].ID
}

// TestNotice_Page lists the notices of the staff's own places, on both
// engines: a community's staff see their residents' notices with the
// numbers masked, the household each is about, the attempts and the last
// error, the counts per status, and send the dead one again from the page
// (audited once, however often the form is sent); the staff of the other
// community see none of them and cannot send them again; a grid worker
// has neither the page nor its link.
func TestNotice_Page(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newDBServer(t, db, withTesting(db, t))
		dead := noticesScene(t, db, f)
		staff := ts.as(t, frontline.RoleCommunityStaff, f.comm1)
		_, home := staff.get(t, "/")
		if !strings.Contains(home, `href="/notices"`) {
			t.Error("the staff's navigation does not link the notices")
		}
		resp, body := staff.get(t, "/notices")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("notices page: %d %s", resp.StatusCode, body)
		}
		// The dead notice's alert to the community's staff went out on
		// the log beside the results: every workflow's notices are here.
		for _, want := range []string{"139****0001", "139****0004", "枣园小区/1号楼/1单元/101", "核酸结果", "gateway: 号码状态异常",
			"工作提醒", "未能送达 1", `data-testid="requeue"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the notices page lacks %q", want)
			}
		}
		for _, leak := range []string{f.persons[0].Phone, f.persons[3].Phone, "139****0007", "忠义巷小区"} {
			if strings.Contains(body, leak) {
				t.Errorf("the notices page of 罗玉新村社区 shows %q", leak)
			}
		}
		if n := strings.Count(body, `data-topic="result"`); n != 2 {
			t.Errorf("罗玉新村社区 sees %d result notices, want 2", n)
		}
		// The filters: status, topic, day.
		if _, body = staff.get(t, "/notices?status=dead&topic=result"); strings.Count(body, `data-testid="notice"`) != 1 {
			t.Errorf("dead results: %s", body)
		}
		if _, body = staff.get(t, "/notices?topic=delivery"); !strings.Contains(body, `data-testid="notices-none"`) {
			t.Error("deliveries listed where there are none")
		}
		day := time.Now().In(ts.srv.Location)
		if _, body = staff.get(t, "/notices?day="+day.Format(frontline.DateLayout)); strings.Count(body, `data-topic="result"`) != 2 {
			t.Error("today's notices are not listed under today")
		}
		if _, body = staff.get(t, "/notices?day="+day.AddDate(0, 0, -1).Format(frontline.DateLayout)); strings.Contains(body, `data-testid="notice"`) {
			t.Error("today's notices are listed under yesterday")
		}
		if resp, _ = staff.get(t, "/notices?topic=nonsense"); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("an unknown topic: %d", resp.StatusCode)
		}
		// The other community sees none and cannot send them again.
		other := ts.as(t, frontline.RoleCommunityStaff, f.comm2)
		_, body = other.get(t, "/notices")
		if strings.Contains(body, "枣园小区") || strings.Contains(body, "139****0001") || !strings.Contains(body, "139****0007") {
			t.Errorf("自治巷社区's notices page:\n%s", body)
		}
		path := fmt.Sprintf("/notices/%d/requeue", dead)
		if resp, _ = other.postForm(t, path, url.Values{"back": {"/notices"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another community sent the notice again: %d", resp.StatusCode)
		}
		// Sent again from the page, twice: one requeue, audited once.
		for range 2 {
			resp, body = staff.postForm(t, path, url.Values{"back": {"/notices?status=dead"}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther ||
				!strings.HasPrefix(loc, fmt.Sprintf("/notices?requeued=%d&status=dead", dead)) {
				t.Fatalf("requeue: %d %s %s", resp.StatusCode, loc, body)
			}
		}
		entity, action := "notice", "requeue"
		changes, _, err := sqldb.NewAuditService(db).FindChanges(frontline.AsSystem(context.Background()),
			frontline.ChangeFilter{Entity: &entity, EntityID: &dead, Action: &action, Limit: 10})
		if err != nil || len(changes) != 1 {
			t.Fatalf("the requeue is audited %d times, %v", len(changes), err)
		}
		_, body = staff.get(t, fmt.Sprintf("/notices?requeued=%d", dead))
		if !strings.Contains(body, `data-testid="notice-requeued"`) || strings.Contains(body, `data-testid="requeue"`) || !strings.Contains(body, "待发送 1") {
			t.Errorf("after the requeue:\n%s", body)
		}
		if resp, _ = staff.postForm(t, path, url.Values{"back": {"https://evil.example/notices"}}); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a requeue returning elsewhere: %d", resp.StatusCode)
		}
		// A grid worker may not send notices again: no page, no link.
		grid := ts.as(t, frontline.RoleGridWorker, f.comm1)
		if _, home = grid.get(t, "/"); strings.Contains(home, `href="/notices"`) {
			t.Error("a grid worker's navigation links the notices")
		}
		if resp, _ = grid.get(t, "/notices"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a grid worker opened the notices: %d", resp.StatusCode)
		}
	})
}

// TestNotice_PageInBrowser shows the notices page on a phone in Chromium:
// the rows are cards, nothing scrolls sideways, and the dead notice's
// button sends it again.
func TestNotice_PageInBrowser(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withTesting(db, t))
	dead := noticesScene(t, db, f)
	ts.user(t, "xiahong", frontline.RoleCommunitySecretary, f.comm1)
	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, "xiahong")
	p.Do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css("nav-notices")), chromedp.Click(css("nav-notices")),
		chromedp.WaitVisible(css("notices")))
	fitsPhone(t, p, "the notices page")
	p.Screenshot("notices-phone")
	p.Do(chromedp.Click(fmt.Sprintf(`#notice-%d [data-testid="requeue"]`, dead)), chromedp.WaitVisible(css("notice-requeued")))
	fitsPhone(t, p, "the notices page after sending one again")
	if n := browser.Get(p, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="requeue"]').length`)); n != 0 {
		t.Errorf("%d send-again buttons after sending the dead notice again", n)
	}
}
