package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

var selfLinkRE = regexp.MustCompile(`value="(http://[^"]+/self-report\?t=([^"]+))"`)

// TestSelfReport_Pages makes a resident's link on the follow-up page and
// uses it without an account: the page names the person by one character
// only, takes this evening's reading once, and a replaced or unknown link
// answers the same "does not work".
func TestSelfReport_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		sc := newScreeningScene(t, db)
		linkPath := fmt.Sprintf("/measures/%d/link", sc.measure.ID)
		t.Run("Refusals", func(t *testing.T) {
			if resp, _ := sc.ts.as(t, frontline.RoleVolunteer, sc.f.comp1).postForm(t, linkPath, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("volunteer made a link: %d", resp.StatusCode)
			}
			if resp, _ := sc.ts.as(t, frontline.RoleGridWorker, sc.f.comp2).postForm(t, linkPath, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another compound's worker made a link: %d", resp.StatusCode)
			}
		})
		resp, body := sc.grid.postForm(t, linkPath, nil)
		m := selfLinkRE.FindStringSubmatch(body)
		if resp.StatusCode != http.StatusOK || m == nil || !strings.Contains(body, "张*") {
			t.Fatalf("make a link: %d %s", resp.StatusCode, body)
		}
		secret, _ := url.QueryUnescape(m[2])
		page := "/self-report?t=" + url.QueryEscape(secret)
		if n := len(sc.changes(t, "screening_report_link", "create")); n != 1 {
			t.Errorf("%d audit entries for the link", n)
		}

		resident := sc.ts.anonymous()
		resp, body = resident.get(t, page)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Referrer-Policy") != "same-origin" {
			t.Fatalf("resident's page: %d %v", resp.StatusCode, resp.Header)
		}
		for _, want := range []string{`data-testid="self-initial">张*`, "第 3 天，共 7 天", `data-testid="self-form"`, "18:00"} {
			if !strings.Contains(body, want) {
				t.Errorf("resident's page lacks %s", want)
			}
		}
		for _, never := range []string{"张三", "枣园小区", "1号楼", `data-testid="nav"`} {
			if strings.Contains(body, never) {
				t.Errorf("resident's page shows %q", never)
			}
		}
		sc.leaks(t, "resident's page", body)

		send := func(temp string, symptoms ...string) (*http.Response, string) {
			t.Helper()
			return resident.postForm(t, "/self-report", url.Values{"t": {secret}, "temperature": {temp}, "symptoms": symptoms})
		}
		if resp, body := send("fever"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `data-testid="error-temperature"`) {
			t.Errorf("a word for a temperature: %d", resp.StatusCode)
		}
		if resp, body := send("37.8", "sore_throat"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "社区会尽快联系您") {
			t.Fatalf("reading: %d %s", resp.StatusCode, body)
		}
		if resp, body := send("36.5"); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "现在没有需要填报的项目") {
			t.Errorf("a second reading for the same report: %d", resp.StatusCode)
		}
		// The reading is on the grid worker's list, marked, from the link.
		_, body = sc.grid.get(t, fmt.Sprintf("/screening/%d/follow-ups", sc.c.ID))
		if !strings.Contains(body, `data-testid="mark-abnormal"`) || !strings.Contains(body, "resident:link-") || !strings.Contains(body, "咽痛") {
			t.Errorf("the resident's reading is not on the worker's list")
		}
		rec := sc.changes(t, "screening_followup", "record")
		if len(rec) != 1 || !strings.HasPrefix(rec[0].Actor, "resident:link-") {
			t.Errorf("audit %+v", rec)
		}
		if strings.Contains(sc.ts.logs.String(), secret) {
			t.Error("the request log holds the secret")
		}

		// A new link ends this one; an unknown one looks the same.
		sc.grid.postForm(t, linkPath, nil)
		for _, p := range []string{page, "/self-report?t=" + strings.Repeat("A", 43), "/self-report"} {
			if resp, body := resident.get(t, p); resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `data-testid="self-problem"`) {
				t.Errorf("GET %s: %d", p, resp.StatusCode)
			}
		}
		// A script hammering the page is slowed down per address.
		limited := false
		for i := 0; i < 80 && !limited; i++ {
			resp, _ := resident.get(t, "/self-report?t=guess")
			limited = resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != ""
		}
		if !limited {
			t.Error("80 requests a minute from one address were all answered")
		}
	})
}
