package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/report"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// TestRetention_Pages shows the rules and what is due to a subdistrict's
// administrator, and a purge's certificate as a page, JSON and an XLSX
// that LibreOffice opens, none of them with a personal value; a community
// elsewhere sees neither.
func TestRetention_Pages(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		db.Now = func() time.Time { return testNow }
		f := buildFixture(t, db)
		rs := sqldb.NewRetentionService(db)
		ctx := frontline.WithActor(context.Background(), frontline.Actor{Name: "cli:office"})
		run, err := rs.Purge(ctx, frontline.PurgeRequest{UnderID: f.comm1.ID, Reason: frontline.PurgeStandDown})
		if err != nil {
			t.Fatal(err)
		}
		ts := newDBServer(t, db, func(s *web.Server) { s.Retention = rs })
		admin := ts.as(t, frontline.RoleSubdistrictAdmin, f.sub)
		resp, body := admin.get(t, "/retention")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("retention page %d: %s", resp.StatusCode, body)
		}
		for _, want := range []string{"大城街道 个人信息保存期限", "保存期限规则 第 0 版", `data-kind="residents"`, "居民登记信息",
			fmt.Sprintf(`href="/retention/runs/%d"`, run.ID)} {
			if !strings.Contains(body, want) {
				t.Errorf("retention page lacks %q", want)
			}
		}
		resp, body = admin.get(t, fmt.Sprintf("/retention/runs/%d", run.ID))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "应急响应结束") || !strings.Contains(body, `data-testid="purge-run-records">4<`) {
			t.Fatalf("certificate page %d: %s", resp.StatusCode, body)
		}
		var out struct {
			ID      int64 `json:"id"`
			Records int   `json:"records"`
			Kinds   []struct {
				Kind    string `json:"kind"`
				Records int    `json:"records"`
			} `json:"kinds"`
		}
		raw := admin.getJSON(t, fmt.Sprintf("/api/v1/purge-runs/%d", run.ID), http.StatusOK, &out)
		if out.ID != run.ID || out.Records != 4 {
			t.Errorf("certificate JSON %s", raw)
		}
		resp, body = admin.get(t, fmt.Sprintf("/retention/runs/%d/certificate.xlsx", run.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("certificate XLSX %d", resp.StatusCode)
		}
		sheets := office.Sheets(t, []byte(body))
		cert := fmt.Sprint(sheets[report.SheetCertificate])
		if !strings.Contains(cert, "居民登记信息") || !strings.Contains(cert, "罗玉新村社区") || !strings.Contains(fmt.Sprint(sheets[report.SheetPurgeStats]), "罗玉新村社区") {
			t.Errorf("certificate XLSX %q", sheets)
		}
		for _, p := range f.persons[:4] {
			for _, got := range []string{body, raw, cert} {
				if strings.Contains(got, p.Name) || strings.Contains(got, p.IDNumber) {
					t.Errorf("the certificate names %s", p.Name)
				}
			}
		}
		other := ts.as(t, frontline.RoleCommunitySecretary, f.comm2)
		if resp, _ := other.get(t, fmt.Sprintf("/retention/runs/%d", run.ID)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another community read the certificate: %d", resp.StatusCode)
		}
		if resp, _ := ts.as(t, frontline.RoleGridWorker, f.comp1).get(t, "/retention"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a grid worker read the retention page: %d", resp.StatusCode)
		}
		var due struct {
			Kinds []struct {
				Kind string `json:"kind"`
				Days int    `json:"days"`
			} `json:"kinds"`
		}
		admin.getJSON(t, "/api/v1/retention", http.StatusOK, &due)
		if len(due.Kinds) != len(frontline.RetentionKinds) || due.Kinds[0].Days != 30 {
			t.Errorf("retention JSON %+v", due)
		}
	})
}
