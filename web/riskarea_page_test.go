package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// upload posts a file as the import form does.
func (c *client) upload(tb testing.TB, path, name, content string, fields url.Values) (*http.Response, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	mw.WriteField("csrf", c.csrf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		tb.Fatal(err)
	}
	fw.Write([]byte(content))
	mw.Close()
	return c.do(tb, http.MethodPost, path, &buf, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestRiskAreas_Pages lists the areas of a day, imports a list (refused
// with every problem by row and column, checked, then imported), records
// a new notice about an area through its form and shows its history.
func TestRiskAreas_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newScreeningScene(t, db)
		sec := sc.secretary
		resp, body := sec.get(t, "/risk-areas")
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "西安市雁塔区") || !strings.Contains(body, `data-testid="import-form"`) {
			t.Fatalf("list: %d %s", resp.StatusCode, body)
		}
		if _, body := sec.get(t, "/risk-areas?on=2026-05-01"); !strings.Contains(body, `data-testid="no-riskareas"`) {
			t.Error("an area listed before its first day")
		}

		bad := "地区名称,地区代码,风险等级,开始日期\n某地,,红,2026-05-20\n某县,12x,高,2026-05-20\n"
		resp, body = sec.upload(t, "/risk-areas/import", "list.csv", bad, nil)
		if resp.StatusCode != http.StatusBadRequest || strings.Count(body, `data-testid="import-error"`) != 2 || !strings.Contains(body, "C (风险等级)") {
			t.Fatalf("bad list: %d %s", resp.StatusCode, body)
		}
		good := "地区名称,地区代码,风险等级,开始日期,来源\n成都市武侯区,510107,中,2026-05-25,成都市通告\n"
		resp, body = sec.upload(t, "/risk-areas/import", "list.csv", good, url.Values{"dry_run": {"1"}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-testid="import-checked"`) || strings.Contains(body, "成都市武侯区</a>") {
			t.Fatalf("dry run: %d %s", resp.StatusCode, body)
		}
		resp, body = sec.upload(t, "/risk-areas/import", "list.csv", good, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "已导入 1 条记录") || !strings.Contains(body, "成都市武侯区</a>") {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		if resp, body := sec.upload(t, "/risk-areas/import", "list.csv", "", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="import-problem"`) {
			t.Errorf("an empty file: %d", resp.StatusCode)
		}

		// A new notice lowers 雁塔区 from today: a new record, the old one kept.
		_, body = sec.get(t, "/risk-areas/new?key=610113")
		if !strings.Contains(body, `value="西安市雁塔区"`) || !strings.Contains(body, `value="610113"`) {
			t.Error("the form is not filled from the area's last record")
		}
		form := url.Values{"name": {"西安市雁塔区"}, "code": {"610113"}, "level": {"medium"}, "valid_from": {"2026-06-01"}, "source": {"西安市第二号通告"}}
		bad2 := url.Values{}
		for k, v := range form {
			bad2[k] = v
		}
		bad2.Set("valid_to", "2026-05-01")
		if resp, body := sec.postForm(t, "/risk-areas", bad2); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-valid_to"`) {
			t.Errorf("last day before the first: %d", resp.StatusCode)
		}
		resp, _ = sec.postForm(t, "/risk-areas", form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/risk-areas/history?key=610113" {
			t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = sec.get(t, "/risk-areas/history?key=610113")
		if strings.Count(body, "<tr data-area=") != 2 || !strings.Contains(body, `class="counts-today"`) || strings.Index(body, "中风险") > strings.Index(body, "高风险") {
			t.Errorf("history: %s", body)
		}
		if n := len(sc.changes(t, "risk_area", "create")); n != 3 {
			t.Errorf("%d audit entries for risk areas, want 3 (fixture, import, form)", n)
		}

		// A grid worker reads the list but changes nothing.
		resp, body = sc.grid.get(t, "/risk-areas")
		if resp.StatusCode != http.StatusOK || strings.Contains(body, `data-testid="import-form"`) {
			t.Errorf("grid worker's list: %d", resp.StatusCode)
		}
		for _, p := range []string{"/risk-areas", "/risk-areas/import"} {
			if resp, _ := sc.grid.postForm(t, p, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("grid worker POST %s: %d", p, resp.StatusCode)
			}
		}
		if resp, _ := sc.grid.get(t, "/risk-areas/new"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("grid worker's form: %d", resp.StatusCode)
		}
	})
}

// TestRules_Pages shows the rules that decide, refuses JSON that does not
// parse and rules Validate refuses (saying which), and saves edited rules
// as the next version.
func TestRules_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newScreeningScene(t, db)
		sec := sc.secretary
		resp, body := sec.get(t, "/measure-rules")
		// The visit saved the defaults as version 1.
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "第 1 版") || !strings.Contains(body, "居家隔离") || !strings.Contains(body, `&#34;within_days&#34;: 7`) {
			t.Fatalf("rules: %d %s", resp.StatusCode, body)
		}
		if resp, body := sec.postForm(t, "/measure-rules", url.Values{"rules": {`[{"min_level": "high",`}}); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(body, "JSON 格式不正确") || !strings.Contains(body, `min_level&#34;: &#34;high&#34;,</textarea>`) {
			t.Errorf("broken JSON: %d %s", resp.StatusCode, body)
		}
		invalid := `[{"min_level": "high", "within_days": 0, "measure": {"type": "home_isolation", "days": 7}}]`
		if resp, body := sec.postForm(t, "/measure-rules", url.Values{"rules": {invalid}}); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(body, "规则有误") || !strings.Contains(body, "rule 1: the window must be 1 to 60 days") {
			t.Errorf("invalid rules: %d %s", resp.StatusCode, body)
		}
		rules := `[{"min_level": "high", "within_days": 14, "measure": {"type": "home_isolation", "days": 14, "test_days": [1, 7, 14], "reports_per_day": 2}}]`
		resp, _ = sec.postForm(t, "/measure-rules", url.Values{"rules": {rules}, "note": {"2026年6月新规"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/measure-rules?saved=2" {
			t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = sec.get(t, "/measure-rules?saved=2")
		if !strings.Contains(body, "已保存为第 2 版") || strings.Count(body, `data-testid="rules-version"`) != 2 || !strings.Contains(body, "2026年6月新规") {
			t.Errorf("after saving: %s", body)
		}
		if n := len(sc.changes(t, "measure_rules", "create")); n != 2 {
			t.Errorf("%d audit entries for rule versions", n)
		}
		if resp, _ := sc.grid.get(t, "/measure-rules"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("grid worker's rules page: %d", resp.StatusCode)
		}
		staff := sc.ts.as(t, frontline.RoleCommunityStaff, sc.f.comm1)
		if resp, _ := staff.postForm(t, "/measure-rules", url.Values{"rules": {rules}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("community staff (screening.manage) saving rules: %d", resp.StatusCode)
		}
		if resp, _ := sc.grid.postForm(t, "/measure-rules", url.Values{"rules": {rules}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("grid worker saved rules: %d", resp.StatusCode)
		}
	})
}
