package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// fitsPhone waits until the page has no sideways scrolling at phone size.
func fitsPhone(t *testing.T, p *browser.Page, what string) {
	t.Helper()
	if w := browser.Get(p, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); w > 0 {
		t.Errorf("%s scrolls sideways by %d px at 390 px", what, w)
	}
}

// TestBrowser_Workforce runs the demo's workforce on phones in Chromium:
// 王林, a cadre the forestry bureau sent down, checks in to his shift at
// 1号卡点 from his own phone; 夏虹, secretary of 罗玉新村社区, has the roster
// propose workers for the night shifts with a place open and takes the
// proposal; the duty table shows the night shifts full. Every page fits
// 390 px.
func TestBrowser_Workforce(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	sc := buildScene(t, db)
	sc.ts.user(t, "volunteer", frontline.RoleVolunteer, sc.luoyu) // the demo links it to 王林
	sc.ts.user(t, "xiahong", frontline.RoleCommunitySecretary, sc.luoyu)
	scene, crew := demoZones(t, db, testNow)
	cadre := crew.Cadres[0]
	if cadre.UserID == 0 || cadre.Unit != "区林草局" {
		t.Fatalf("the cadre of the login volunteer: %+v", cadre)
	}

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, sc.ts.URL, "volunteer")
	p.Do(chromedp.Click(css("nav-myduty")), chromedp.WaitVisible(css("check-in")))
	if me := p.Text(`[data-testid="me"]`); !strings.Contains(me, "王林") {
		t.Fatalf("my shifts are %q's", me)
	}
	if shift := p.Text(`[data-testid="shift"]`); !strings.Contains(shift, "1号卡点") {
		t.Fatalf("王林's first shift: %q", shift)
	}
	fitsPhone(t, p, "my shifts")
	p.Screenshot("workforce-my-duty")
	p.Do(chromedp.Click(css("check-in")), chromedp.WaitVisible(css("saved")))
	if st := p.Text(`[data-testid="person"][data-status="checked_in"] [data-testid="status"]`); st != "在岗" {
		t.Fatalf("after checking in the status reads %q", st)
	}
	p.Screenshot("workforce-checked-in")
	got, err := sqldb.NewRosterService(db).FindShifts(context.Background(), frontline.ShiftFilter{WorkerID: &cadre.ID})
	if err != nil || len(got) == 0 {
		t.Fatal(err)
	}
	for _, a := range got[0].Assignments {
		if a.WorkerID == cadre.ID && (a.Status != frontline.AssignCheckedIn || a.CheckedBy != "volunteer") {
			t.Fatalf("王林's check-in as stored: %+v", a)
		}
	}

	s := b.NewPage(t, browser.Phone)
	signInBrowser(s, sc.ts.URL, "xiahong")
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/roster?place=%d", sc.ts.URL, sc.luoyu.ID)), chromedp.WaitVisible(css("propose")),
		chromedp.Click(css("propose")), chromedp.WaitVisible(css("proposals")))
	n := browser.Get(s, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="proposal"]').length`))
	if n != len(scene.Checkpoints) {
		t.Fatalf("%d proposals; want one for each checkpoint's night shift", n)
	}
	fitsPhone(t, s, "the roster's proposal")
	s.Screenshot("workforce-proposal")
	s.Do(chromedp.Click(css("accept")), chromedp.WaitVisible(css("accepted")))
	if msg := s.Text(`[data-testid="accepted"]`); !strings.Contains(msg, fmt.Sprint(n)) {
		t.Fatalf("accepted: %q", msg)
	}
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/duty?place=%d", sc.ts.URL, sc.luoyu.ID)), chromedp.WaitVisible(css("duty-post")))
	fitsPhone(t, s, "the duty table")
	s.Screenshot("workforce-duty")
	open := browser.Get(s, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="open-places"]').length`))
	if open != 0 {
		t.Fatalf("%d shifts of the day still have places open", open)
	}
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/posts/%d", sc.ts.URL, scene.Checkpoints[0].PostID)), chromedp.WaitVisible(css("on-duty")))
	fitsPhone(t, s, "the post page")
	s.Screenshot("workforce-post")
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/workers?place=%d", sc.ts.URL, sc.luoyu.ID)), chromedp.WaitVisible(css("workers")))
	fitsPhone(t, s, "the workers")
	s.Screenshot("workforce-workers")
}
