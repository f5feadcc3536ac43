package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/browser"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestBrowser_Import imports resident lists in Chromium at 390 px and at
// 1366 px: a bad file shows its errors in Chinese and imports nothing, a
// good one imports, and the same list again with a new phone updates the
// person. Every page fits the phone.
func TestBrowser_Import(t *testing.T) {
	b := browser.Start(t)
	for _, size := range []browser.Size{browser.Phone, browser.Desktop} {
		t.Run(strconv.FormatInt(size.Width, 10), func(t *testing.T) {
			db := sqldbtest.Open(t, sqldb.SQLite)
			f := buildFixture(t, db)
			ts := newDBServer(t, db)
			ts.user(t, "office", frontline.RoleCommunitySecretary, f.comm1)
			dir := t.TempDir()
			file := func(name, content string) string {
				p := filepath.Join(dir, name)
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				return p
			}
			p := b.NewPage(t, size)
			signInBrowser(p, ts.URL, "office")
			shot := func(name string) {
				if size == browser.Phone {
					fitsPhone(t, p, name)
				}
				p.Screenshot("import-" + name + "-" + strconv.FormatInt(size.Width, 10))
			}
			upload := func(path string) {
				p.Do(chromedp.Navigate(ts.URL+"/places/"+strconv.FormatInt(f.comm1.ID, 10)), chromedp.WaitVisible(css("place-import")),
					chromedp.Click(css("place-import")), chromedp.WaitVisible(css("import-form")),
					chromedp.SetUploadFiles(css("import-file-input"), []string{path}),
					chromedp.Click(css("import-check")), chromedp.WaitVisible(css("import-source")))
			}

			// A bad file: only the good rows may be imported; this office
			// fixes its file instead.
			upload(file("bad.csv", importCSV("", true)))
			if errs := p.Text(`[data-testid="import-errors"]`); !strings.Contains(errs, "第 5 行") || !strings.Contains(errs, "居民身份证号码应为 18 位") {
				t.Fatalf("errors shown: %q", errs)
			}
			if src := p.Text(`[data-testid="import-source"]`); !strings.Contains(src, "第 2 行为表头") {
				t.Errorf("source: %q", src)
			}
			shot("errors")

			upload(file("good.csv", importCSV("", false)))
			p.Do(chromedp.Click(css("import-all")))
			p.Until(`!!document.querySelector('[data-testid="import-done"]')`)
			if done := p.Text(`[data-testid="import-done"]`); !strings.Contains(done, "新增 2 人") {
				t.Fatalf("done: %q", done)
			}
			shot("done")

			upload(file("again.csv", importCSV("13700137000", false)))
			if ch := p.Text(`[data-testid="import-changes"]`); !strings.Contains(ch, "更新 韩一（电话）") {
				t.Fatalf("changes: %q", ch)
			}
			shot("again")
			p.Do(chromedp.Click(css("import-all")))
			p.Until(`!!document.querySelector('[data-testid="import-done"]')`)
			if done := p.Text(`[data-testid="import-done"]`); !strings.Contains(done, "更新 1 人") {
				t.Fatalf("update: %q", done)
			}
		})
	}
}
