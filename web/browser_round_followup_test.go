package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_HomeSampling walks the home sampling team's page on a phone
// as a sampler of 枣园小区: the page fits the screen, a tube code typed
// wrong is refused beside its field, and the right one records the
// bedridden 王芳 as sampled.
func TestBrowser_HomeSampling(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts, f, r := newFollowUpScene(t, db)
	ts.user(t, "caiyang", frontline.RoleSampler, f.comp1)
	ctx := context.Background()
	tasks, _, err := sqldb.NewLabService(db).FindRetests(ctx, frontline.RetestFilter{RoundID: &r.ID, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	var home *frontline.RetestTask
	for _, task := range tasks {
		if task.Kind == frontline.KindHome {
			home = task
		}
	}

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, "caiyang")
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/rounds/%d/followup", ts.URL, r.ID)), chromedp.WaitVisible(css("followup")))
	p.Until(`document.documentElement.scrollWidth <= window.innerWidth`)
	p.Screenshot("home-sampling")

	field := chromedp.CSS(fmt.Sprintf(`#task-%d input[name="tube"]`, home.ID))
	submit := chromedp.CSS(fmt.Sprintf(`#task-%d button[type="submit"]`, home.ID))
	p.Do(chromedp.SendKeys(field, "H 1"), chromedp.Click(submit), chromedp.WaitVisible(css("error-tube")))
	p.Screenshot("home-sampling-error")
	p.Do(chromedp.Clear(field), chromedp.SendKeys(field, "H-1"), chromedp.Click(submit), chromedp.WaitVisible(css("saved")))
	p.Until(fmt.Sprintf(`document.querySelector("#task-%d form") === null`, home.ID))
	p.Screenshot("home-sampling-saved")

	m, err := sqldb.NewRoundService(db).FindMember(ctx, r.ID, f.persons[3].ID)
	if err != nil || m.Status != frontline.MemberSampled || m.TubeCode != "H-1" {
		t.Fatalf("王芳 after home sampling: %v %+v", err, m)
	}
}
