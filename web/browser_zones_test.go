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

// label clicks the label of a radio or checkbox: the gate page hides the
// inputs behind large labels, which are what a thumb presses.
func label(id string) chromedp.CSS { return chromedp.CSS(`label[for="` + id + `"]`) }

// TestBrowser_Checkpoint walks the gate of 枣园小区 (7号卡点 of the demo
// city) on a phone in Chromium, as a member of the community's staff: a
// delivery driver is let in, a resident of a sealed building of the
// compound is turned back with the reason on the page, and both stand in
// the page's log and in the service. Then a new post is set up through
// its forms, and the zone board and building map are saved at desktop
// size.
func TestBrowser_Checkpoint(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	// A city large enough that 枣园小区 has several buildings for the map.
	sc := buildSceneOf(t, db, 30_000)
	ctx := context.Background()
	cs := sqldb.NewCheckpointService(db)
	scene, _ := demoZones(t, db, testNow)
	drawZaoyuanZones(t, db, sc)
	gate := scene.Checkpoints[6] // 7号卡点, the gate of 枣园小区
	staff := sc.ts.user(t, "ganbu.luoyu", frontline.RoleCommunityStaff, sc.luoyu)

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, sc.ts.URL, staff.Login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/checkpoints/%d", sc.ts.URL, gate.ID)), chromedp.WaitVisible(css("passage-form")))
	if h := p.Text("h1"); h != gate.Name {
		t.Fatalf("gate page heading %q", h)
	}
	p.Screenshot("checkpoint-gate")

	// A delivery driver comes in: a visitor with a phone, a reason and good checks.
	p.Do(
		chromedp.Click(label("kind-visitor")),
		chromedp.Click(chromedp.CSS(`details.visitor summary`)),
		chromedp.SendKeys(css("visitor-name"), "送菜师傅"),
		chromedp.SendKeys(css("visitor-phone"), "13700000003"),
		chromedp.SendKeys(css("passage-reason"), "超市送菜"),
		chromedp.SendKeys(css("temperature"), "36.4"),
		chromedp.SetValue(css("test-hours"), "24"),
		chromedp.Click(css("passage-submit")),
	)
	p.Until(`document.querySelector('[data-testid="decision"]')?.dataset.allowed === "true"`)
	if v := p.Text(`[data-testid="decision"] .verdict`); v != "准予通行" {
		t.Fatalf("the driver's verdict %q", v)
	}

	// A resident of the sealed building tries to go out.
	p.Do(
		chromedp.Click(label("dir-out")),
		chromedp.Click(label("kind-resident")),
		chromedp.SendKeys(css("id-number"), sc.sealedResident.IDNumber),
		chromedp.SendKeys(css("temperature"), "36.6"),
		chromedp.SetValue(css("test-hours"), "24"),
		chromedp.Click(css("passage-submit")),
	)
	p.Until(`document.querySelector('[data-testid="decision"]')?.dataset.allowed === "false"`)
	if reasons := p.Text(`[data-testid="decision-reasons"]`); !strings.Contains(reasons, "封控区人员不得外出") {
		t.Fatalf("the refusal says %q", reasons)
	}
	if refused := p.Text(`[data-testid="refused"]`); !strings.Contains(refused, sc.sealedResident.Name) || !strings.Contains(refused, "封控区人员不得外出") {
		t.Fatalf("the refused list: %q", refused)
	}
	if recent := p.Text(`[data-testid="recent"]`); !strings.Contains(recent, "送菜师傅") || !strings.Contains(recent, sc.sealedResident.Name) {
		t.Fatalf("the latest passages: %q", recent)
	}
	p.Screenshot("checkpoint-gate-after")

	passages, _, err := cs.FindPassages(ctx, frontline.PassageFilter{CheckpointID: &gate.ID})
	if err != nil || len(passages) != 2 {
		t.Fatalf("passages at the gate: %d, %v", len(passages), err)
	}
	refusal, driver := passages[0], passages[1]
	if refusal.Allowed || refusal.PersonID != sc.sealedResident.ID || refusal.From != frontline.LevelSealed ||
		len(refusal.Reasons) != 1 || refusal.Reasons[0].Code != frontline.ReasonLeave || refusal.RecordedBy != staff.Login {
		t.Fatalf("the refusal as stored: %+v", refusal)
	}
	if !driver.Allowed || driver.Kind != frontline.PassVisitor || driver.Name != "送菜师傅" || driver.Direction != frontline.DirIn {
		t.Fatalf("the driver's passage as stored: %+v", driver)
	}

	setUpInBrowser(t, p, sc, cs)
	desktopZones(t, b, sc)
}

// drawZaoyuanZones seals the building of sc.sealedResident and, so the map
// shows every colour, controls the next building of 枣园小区 and puts a
// household of the one after into a precaution zone.
func drawZaoyuanZones(t *testing.T, db *sqldb.DB, sc *scene) {
	t.Helper()
	ctx := context.Background()
	zs, places := sqldb.NewZoneService(db), sqldb.NewPlaceService(db)
	building, household := frontline.KindBuilding, frontline.KindHousehold
	buildings, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &sc.zaoyuan.ID, Kind: &building})
	if err != nil || len(buildings) < 3 {
		t.Fatalf("枣园小区 has %d buildings (%v); the map wants three", len(buildings), err)
	}
	hh, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &buildings[2].ID, Kind: &household, Limit: 1})
	if err != nil || len(hh) == 0 {
		t.Fatalf("a household of %s: %v", buildings[2].Name, err)
	}
	for _, z := range []*frontline.Zone{
		{PlaceID: sc.sealedBuilding.ID, Level: frontline.LevelSealed, Reason: "楼栋出现阳性", DecidedBy: "大城街道疫情防控指挥部"},
		{PlaceID: buildings[1].ID, Level: frontline.LevelControlled, Reason: "密接楼栋", DecidedBy: "大城街道疫情防控指挥部"},
		{PlaceID: hh[0].ID, Level: frontline.LevelPrecaution, Reason: "次密接", DecidedBy: "大城街道疫情防控指挥部"},
	} {
		if _, err := zs.SetZone(ctx, z); err != nil {
			t.Fatal(err)
		}
	}
}

// setUpInBrowser issues coal to a post being set up through the ledger
// form on the phone and sees the balance change.
func setUpInBrowser(t *testing.T, p *browser.Page, sc *scene, cs *sqldb.CheckpointService) {
	t.Helper()
	c := &frontline.Checkpoint{PlaceID: sc.luoyu.ID, Name: "8号卡点", Type: frontline.CheckpointFootpath, Location: "罗玉河北岸便道", Hours: "06:00-22:00"}
	if err := cs.CreateCheckpoint(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	var coal *frontline.ChecklistItem
	for _, it := range c.Checklist {
		if it.Key == "coal" {
			coal = it
		}
	}
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/checkpoints/%d", sc.ts.URL, c.ID)), chromedp.WaitVisible(css("ledger-form")))
	p.Screenshot("checkpoint-setup")
	p.Do(
		chromedp.SetValue(css("ledger-item"), fmt.Sprint(coal.ID)),
		chromedp.Click(label("ledger-kind-issued")),
		chromedp.SendKeys(css("quantity"), "50"),
		chromedp.SendKeys(css("source"), "煤场"),
		chromedp.Click(css("ledger-submit")),
	)
	p.Until(`document.querySelector('[data-testid="setup-saved"]') !== null`)
	if stock := browser.Get(p, chromedp.Evaluate[string](`document.querySelector('[data-testid="balances"] tr[data-item="coal"]').dataset.stock`)); stock != "50" {
		t.Fatalf("coal on hand after the form: %q", stock)
	}
	if gaps := p.Text(`[data-testid="gaps"]`); strings.Contains(gaps, "煤炭") || !strings.Contains(gaps, "帐篷") {
		t.Fatalf("gaps after issuing coal: %q", gaps)
	}
	p.Screenshot("checkpoint-setup-ledger")
}

// desktopZones saves the zone board of 罗玉新村社区 and the building map of
// 枣园小区 at desktop size, in a tab of the same browser and session.
func desktopZones(t *testing.T, b *browser.Browser, sc *scene) {
	t.Helper()
	d := b.NewPage(t, browser.Desktop)
	d.Do(chromedp.Navigate(fmt.Sprintf("%s/zones?place=%d", sc.ts.URL, sc.luoyu.ID)), chromedp.WaitVisible(css("board")))
	if board := d.Text(`[data-testid="board"]`); !strings.Contains(board, sc.zaoyuan.Name) {
		t.Fatalf("the board lacks %s: %q", sc.zaoyuan.Name, board)
	}
	d.Screenshot("zones-board")
	d.Do(chromedp.Navigate(fmt.Sprintf("%s/zones/map?place=%d", sc.ts.URL, sc.zaoyuan.ID)), chromedp.WaitVisible(css("zonemap")))
	sealed := browser.Get(d, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('g[data-place="%d"]')?.dataset.level === "sealed"`, sc.sealedBuilding.ID)))
	if !sealed {
		t.Fatal("the map does not draw the sealed building as sealed")
	}
	d.Screenshot("zones-map")
}
