package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_Station walks a sampler's table at 06:00 in Chromium on a
// phone: open a tube, scan a personal code, find a person by name and tap
// them, scan someone already sampled and read who, where and in which
// tube, undo the last person, search while offline and be told so, seal,
// and bag the tube with a wrong count first and then the right one.
func TestBrowser_Station(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withTesting(db, t))
	ctx := context.Background()
	r := stationRound(t, db, f)
	sampler := ts.user(t, "sampler.zaoyuan", frontline.RoleSampler, f.comp1)
	zhang, li, wang := f.persons[0], f.persons[1], f.persons[3]

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, sampler.Login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/rounds/%d/station", ts.URL, r.ID)), chromedp.WaitVisible(css("tube-input")))
	logHas := func(parts ...string) {
		t.Helper()
		cond := make([]string, len(parts))
		for i, s := range parts {
			cond[i] = fmt.Sprintf(`document.getElementById("log").textContent.includes(%q)`, s)
		}
		p.Until(strings.Join(cond, " && "))
	}
	enter := func(testid, text string) {
		t.Helper()
		p.Do(chromedp.SendKeys(css(testid), text+kb.Enter))
	}

	enter("tube-input", "b-1")
	enter("person-input", fmt.Sprintf("FL:P:%d", zhang.ID))
	logHas("已采样 · 张三")
	// By name: the list offers 李梅, a tap binds her.
	enter("person-input", "李")
	p.Do(chromedp.WaitVisible(css(fmt.Sprintf("found-%d", li.ID))))
	if got := p.Text(fmt.Sprintf(`[data-testid="found-%d"]`, li.ID)); !strings.Contains(got, "李梅") || strings.Contains(got, li.IDNumber) {
		t.Fatalf("search result %q, want the name and a masked ID number", got)
	}
	p.Do(chromedp.Click(css(fmt.Sprintf("found-%d", li.ID))))
	logHas("已采样 · 李梅")
	p.Screenshot("station-bound")

	// 张三 again: refused with his name, where, and which tube.
	enter("person-input", fmt.Sprintf("FL:P:%d", zhang.ID))
	logHas("未采 · 张三", "本轮已采样", "采样于 枣园小区采样点 · 1号台", "试管 B-1")
	p.Screenshot("station-refused")

	// Undo takes out 李梅, the last person, once.
	p.Do(chromedp.Click(css("undo")))
	logHas("已撤销：李梅")
	tube, live, err := sqldb.NewSamplingService(db, sqldb.SamplingOptions{}).FindTube(ctx, "B-1")
	if err != nil || tube.Count != 1 || len(live) != 1 || live[0].PersonID != zhang.ID {
		t.Fatalf("after undo: %v %+v", err, tube)
	}

	// Offline, a search says it needs the network and keeps what was typed.
	p.Offline(true)
	enter("person-input", "王芳")
	p.Until(`document.getElementById("found-note").textContent.includes("离线")`)
	if got := p.Text(`[data-testid="found-note"]`); !strings.Contains(got, "网络") {
		t.Fatalf("offline search says %q", got)
	}
	if v := browser.Get(p, chromedp.Evaluate[string](`document.getElementById("person").value`)); v != "王芳" {
		t.Fatalf("the typed name was dropped: %q", v)
	}
	p.Screenshot("station-offline-search")
	p.Offline(false)
	p.Do(chromedp.SendKeys(css("person-input"), kb.Enter))
	p.Do(chromedp.WaitVisible(css(fmt.Sprintf("found-%d", wang.ID))), chromedp.Click(css(fmt.Sprintf("found-%d", wang.ID))))
	logHas("已采样 · 王芳")

	// Seal, then bag: a wrong count is refused beside the field.
	p.Do(chromedp.Click(css("seal")))
	p.Do(chromedp.WaitVisible(css("bag-tube-B-1")))
	enter("bag-code", "bag-7")
	p.Do(chromedp.SendKeys(css("bag-count"), "2"), chromedp.Click(css("bag-pack")), chromedp.WaitVisible(css("bag-count-error")))
	if got := p.Text(`[data-testid="bag-count-error"]`); !strings.Contains(got, "清点 2 管") {
		t.Fatalf("count error %q", got)
	}
	p.Screenshot("station-bag-mismatch")
	p.Do(chromedp.SetValue(css("bag-count"), ""), chromedp.SendKeys(css("bag-count"), "1"), chromedp.Click(css("bag-pack")))
	p.Until(`document.getElementById("bag-done").textContent.includes("BAG-7")`)
	p.Screenshot("station-bagged")
	bag, err := sqldb.NewLabService(db).FindBag(ctx, "BAG-7")
	if err != nil || bag.Expected != 1 || len(bag.TubeCodes) != 1 || bag.TubeCodes[0] != "B-1" {
		t.Fatalf("bag: %v %+v", err, bag)
	}
}

// stationRound opens a round over the city that started an hour ago, with
// a site at 枣园小区 and its station 1号台.
func stationRound(t *testing.T, db *sqldb.DB, f *fixture) *frontline.Round {
	t.Helper()
	ctx := context.Background()
	start := time.Now().UTC().Add(-time.Hour)
	rounds := sqldb.NewRoundService(db)
	r := &frontline.Round{ScopeID: f.city.ID, Name: "第一轮", Day: start.Format(frontline.DateLayout), StartsAt: start, EndsAt: start.Add(12 * time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := rounds.OpenRound(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	sites := sqldb.NewSiteService(db)
	site := &frontline.Site{RoundID: r.ID, PlaceID: f.comp1.ID, Name: "枣园小区采样点", OpensAt: start, ClosesAt: start.Add(6 * time.Hour)}
	if err := sites.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBrowser_StationSealedAndUndo scans a tube another station sealed:
// the page says it is sealed before anything else and binds nobody into
// it. Then, in a tube another station is filling, undo takes out nothing
// of theirs; it takes out the person this page bound — also after a
// reload — and nobody else.
func TestBrowser_StationSealedAndUndo(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withTesting(db, t))
	ctx := context.Background()
	r := stationRound(t, db, f)
	sampler := ts.user(t, "sampler.zaoyuan", frontline.RoleSampler, f.comp1)
	zhang, li, wang := f.persons[0], f.persons[1], f.persons[3]
	samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	t.Cleanup(func() { samp.Close() })
	other := func(req string, tube string, seal bool, p *frontline.Person) {
		t.Helper()
		if _, err := samp.Bind(ctx, &frontline.BindRequest{RequestID: req, RoundID: r.ID, TubeCode: tube, Seal: seal, PersonIDs: []int64{p.ID}}); err != nil {
			t.Fatal(err)
		}
	}
	other("other-1", "S-1", true, zhang) // sealed by another station
	other("other-2", "U-1", false, li)   // another station's open tube

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, sampler.Login)
	station := fmt.Sprintf("%s/rounds/%d/station", ts.URL, r.ID)
	p.Do(chromedp.Navigate(station), chromedp.WaitVisible(css("tube-input")))
	enter := func(testid, text string) {
		t.Helper()
		p.Do(chromedp.SendKeys(css(testid), text+kb.Enter))
	}
	logHas := func(s string) {
		t.Helper()
		p.Until(fmt.Sprintf(`document.getElementById("log").textContent.includes(%q)`, s))
	}

	enter("tube-input", "s-1")
	logHas("采样管 S-1 已封管，不能再装入任何人")
	if first := p.Text("#log li"); !strings.Contains(first, "S-1 已封管") {
		t.Fatalf("the first line after the scan is %q", first)
	}
	enter("person-input", fmt.Sprintf("FL:P:%d", wang.ID))
	time.Sleep(300 * time.Millisecond)
	if tube, _, _ := samp.FindTube(ctx, "S-1"); tube.Count != 1 {
		t.Fatalf("a person went into the sealed tube: %+v", tube)
	}
	p.Screenshot("station-sealed-rescan")
	browser.Get(p, chromedp.Evaluate[string](`document.getElementById("person").value = ""`))

	bindings := func() []*frontline.Binding {
		_, bs, err := samp.FindTube(ctx, "U-1")
		if err != nil {
			t.Fatal(err)
		}
		return bs
	}
	enter("tube-input", "u-1")
	p.Until(`document.getElementById("tube-state").textContent.includes("U-1")`)
	p.Do(chromedp.Click(css("undo")))
	logHas("本管没有可撤销的采样")
	if bs := bindings(); len(bs) != 1 || bs[0].PersonID != li.ID {
		t.Fatalf("undo took out another station's binding: %+v", bs)
	}
	enter("person-input", fmt.Sprintf("FL:P:%d", wang.ID))
	logHas("已采样 · 王芳")
	p.Do(chromedp.Reload(), chromedp.WaitVisible(css("tube-input")))
	enter("tube-input", "u-1")
	p.Until(`document.getElementById("tube-state").textContent.includes("U-1")`)
	p.Do(chromedp.Click(css("undo")))
	logHas("已撤销：")
	p.Do(chromedp.Click(css("undo")))
	logHas("本管没有可撤销的采样")
	if bs := bindings(); len(bs) != 1 || bs[0].PersonID != li.ID {
		t.Fatalf("after undoing this page's person: %+v", bs)
	}
}

// TestBrowser_StationScanDuringLookup scans as a barcode scanner does: the
// tube, then at once the person, while the page still asks the server
// about the tube (held back here for half a second). The person goes into
// that tube, a seal tapped at once seals it, and an undo tapped right
// after a scan acts on the scanned tube: none of them is dropped.
func TestBrowser_StationScanDuringLookup(t *testing.T) {
	b := browser.Start(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newDBServer(t, db, withTesting(db, t))
	ctx := context.Background()
	r := stationRound(t, db, f)
	sampler := ts.user(t, "sampler.zaoyuan", frontline.RoleSampler, f.comp1)
	zhang, wang := f.persons[0], f.persons[3]
	samp := sqldb.NewSamplingService(db, sqldb.SamplingOptions{})
	t.Cleanup(func() { samp.Close() })

	p := b.NewPage(t, browser.Phone)
	signInBrowser(p, ts.URL, sampler.Login)
	p.Do(chromedp.Navigate(fmt.Sprintf("%s/rounds/%d/station", ts.URL, r.ID)), chromedp.WaitVisible(css("tube-input")))
	// Every tube look-up (a GET of /api/v1/tubes/…) answers half a
	// second late, as on a slow network at 06:00.
	browser.Get(p, chromedp.Evaluate[bool](`(function () {
		var f = window.fetch;
		window.fetch = function (u, o) {
			if (String(u).indexOf("/api/v1/tubes/") >= 0 && !(o && o.method)) {
				return new Promise(function (r) { setTimeout(r, 500); }).then(function () { return f(u, o); });
			}
			return f(u, o);
		};
		return true;
	})()`))
	logHas := func(s string) {
		t.Helper()
		p.Until(fmt.Sprintf(`document.getElementById("log").textContent.includes(%q)`, s))
	}
	scan := func(testid, text string) {
		t.Helper()
		p.Do(chromedp.SendKeys(css(testid), text+kb.Enter))
	}

	scan("tube-input", "q-1")
	scan("person-input", fmt.Sprintf("FL:P:%d", zhang.ID))
	p.Do(chromedp.Click(css("seal")))
	logHas("已采样 · 张三")
	var tube *frontline.Tube
	var bs []*frontline.Binding
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var err error
		if tube, bs, err = samp.FindTube(ctx, "Q-1"); err != nil {
			t.Fatal(err)
		}
		if tube.State != frontline.TubeOpen || time.Now().After(deadline) {
			break
		}
	}
	if tube.Count != 1 || len(bs) != 1 || bs[0].PersonID != zhang.ID || tube.State != frontline.TubeSealed {
		t.Fatalf("tube Q-1 after a scan and a seal during its look-up: %+v %+v", tube, bs)
	}

	scan("tube-input", "q-2")
	p.Until(`document.getElementById("tube-state").textContent.includes("本管")`)
	scan("person-input", fmt.Sprintf("FL:P:%d", wang.ID))
	logHas("已采样 · 王芳")
	browser.Get(p, chromedp.Evaluate[string](`document.getElementById("tube").value = ""`))
	scan("tube-input", "q-2")
	p.Do(chromedp.Click(css("undo")))
	logHas("已撤销：")
	if _, bs, err := samp.FindTube(ctx, "Q-2"); err != nil || len(bs) != 0 {
		t.Fatalf("undo tapped during the look-up left %+v (%v)", bs, err)
	}
}
