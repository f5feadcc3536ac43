package web_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_FollowUps walks a grid worker's follow-up page on a phone:
// this evening's health report of 张三 is entered with a fever and a
// cough and stays on the list marked abnormal, is handled with a note,
// and the catch-up test is recorded negative with one tap, after which
// nothing is left to do today.
func TestBrowser_FollowUps(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	sc := newScreeningScene(t, db)

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, sc.ts.URL, sc.gridUser.Login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/screening/%d/follow-ups", sc.ts.URL, sc.c.ID)), chromedp.WaitVisible(css("followup-list")))
	p.Screenshot("followups")

	item := func(it *frontline.FollowUpItem, testid string) chromedp.CSS {
		return chromedp.CSS(fmt.Sprintf(`#fu-%d [data-testid="%s"]`, it.ID, testid))
	}
	p.Do(chromedp.SendKeys(item(sc.report, "temperature"), "38.5"), chromedp.Click(item(sc.report, "symptom-cough")),
		chromedp.Click(item(sc.report, "record-submit")), chromedp.WaitVisible(css("followup-saved")),
		chromedp.WaitVisible(item(sc.report, "mark-abnormal")))
	p.Screenshot("followups-fever")

	p.Do(chromedp.SendKeys(item(sc.report, "handle-note"), "已电话联系，社区医生上门"), chromedp.Click(item(sc.report, "handle-submit")),
		chromedp.WaitVisible(css("followup-saved")))
	p.Until(fmt.Sprintf(`document.getElementById("fu-%d") === null`, sc.report.ID))

	p.Do(chromedp.Click(item(sc.test, "result-negative")), chromedp.WaitVisible(css("no-followups")))
	p.Screenshot("followups-done")

	items, _, err := sqldb.NewFollowUpService(db).FindFollowUps(context.Background(), frontline.FollowUpItemFilter{CampaignID: &sc.c.ID, Limit: 2})
	if err != nil || len(items) != 2 {
		t.Fatalf("items %v, %v", items, err)
	}
	test, report := items[0], items[1]
	if test.Result != "negative" || test.DoneBy != sc.gridUser.Login {
		t.Errorf("test %+v", test)
	}
	if report.Temperature != 38.5 || report.Symptoms != "cough" || !report.Abnormal || report.HandledAt.IsZero() || report.Note == "" {
		t.Errorf("report %+v", report)
	}
}

// TestBrowser_SelfReport opens a resident's link on a phone that has
// never signed in and sends this evening's reading through the public
// form.
func TestBrowser_SelfReport(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	sc := newScreeningScene(t, db)
	_, body := sc.grid.postForm(t, fmt.Sprintf("/measures/%d/link", sc.measure.ID), nil)
	m := selfLinkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no link: %s", body)
	}
	p := b.NewPage(t, browser.Phone)
	p.Do(chromedp.Navigate(html.UnescapeString(m[1])), chromedp.WaitVisible(css("self-form")))
	p.Screenshot("self-report")
	p.Do(chromedp.SendKeys(css("self-temperature"), "36.7"), chromedp.Click(css("self-submit")), chromedp.WaitVisible(css("self-saved")))
	p.Screenshot("self-report-saved")
	items, _, err := sqldb.NewFollowUpService(db).FindFollowUps(context.Background(), frontline.FollowUpItemFilter{CampaignID: &sc.c.ID, Limit: 2})
	if err != nil || len(items) != 2 || items[1].Temperature != 36.7 || !strings.HasPrefix(items[1].DoneBy, "resident:link-") {
		t.Fatalf("items %+v, %v", items, err)
	}
}
