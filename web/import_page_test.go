package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// uploadList posts a resident list as the import form does: the token
// first, then the place, then the file.
func (c *client) uploadList(tb testing.TB, under int64, name, content string) (*http.Response, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf)
	mw.WriteField("under", strconv.FormatInt(under, 10))
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	return c.do(tb, http.MethodPost, "/registry/import", &buf, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

var uploadPath = regexp.MustCompile(`/registry/import/(\d+)`)

// waitImport polls an upload's page until its import ends.
func waitImport(tb testing.TB, c *client, id string) string {
	tb.Helper()
	for range 200 {
		_, body := c.get(tb, "/registry/import/"+id)
		if !strings.Contains(body, `data-testid="import-running"`) {
			return body
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatal("the import did not end")
	return ""
}

func personID(seq string) string {
	first := "620502199002" + seq
	return first + string(frontline.IDCheckDigit(first))
}

// importCSV is a list of two good rows, with a bad one when bad is set.
func importCSV(phone string, bad bool) string {
	s := "罗玉新村社区居民花名册\n小区,楼栋,单元,户号,姓名,身份证号,手机号\n" +
		"枣园小区,9,1,101,韩一," + personID("01101") + "," + phone + "\n" +
		"枣园小区,9,1,102,韩二," + personID("01202") + ",\n"
	if bad {
		s += "枣园小区,9,1,103,韩三,12345,\n"
	}
	return s
}

// TestImportPage imports a list on the web: a bad file shows every
// problem in Chinese with the header row it took, imports its good rows
// and offers the bad ones for download; the same list corrected updates
// the person it names; the API does the same; a grid worker without
// registry.import is refused.
func TestImportPage(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		c := ts.client

		resp, body := c.uploadList(t, f.comm1.ID, "名单.csv", importCSV("", true))
		m := uploadPath.FindStringSubmatch(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("upload: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
		}
		_, body = c.get(t, "/registry/import/"+m[1])
		for _, want := range []string{"第 2 行为表头", "第 5 行，", "F (身份证号) 列：居民身份证号码应为 18 位，此号码为 5 位", `data-testid="import-good"`, "新增 2 人"} {
			if !strings.Contains(body, want) {
				t.Errorf("check page lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, `data-testid="import-all"`) {
			t.Error("a list with a bad row offers to import everything")
		}
		resp, _ = c.postForm(t, "/registry/import/"+m[1]+"/run", map[string][]string{"mode": {"good"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("run: %d", resp.StatusCode)
		}
		body = waitImport(t, c, m[1])
		if !strings.Contains(body, `data-testid="import-done"`) || !strings.Contains(body, "已导入 2 / 3 行") {
			t.Fatalf("after the import:\n%s", body)
		}
		resp, skipped := c.get(t, "/registry/import/"+m[1]+"/skipped.csv")
		if resp.StatusCode != http.StatusOK || !strings.Contains(skipped, "韩三") || !strings.Contains(skipped, "错误") {
			t.Fatalf("skipped rows: %d %s", resp.StatusCode, skipped)
		}
		// A confirmation sent twice imports once.
		if resp, _ := c.postForm(t, "/registry/import/"+m[1]+"/run", map[string][]string{"mode": {"good"}}); resp.StatusCode != http.StatusConflict {
			t.Errorf("second run: %d, want 409", resp.StatusCode)
		}

		// The corrected list: a phone for 韩一.
		resp, _ = c.uploadList(t, f.comm1.ID, "名单.csv", importCSV("13700137000", false))
		m = uploadPath.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			t.Fatalf("second upload: %d", resp.StatusCode)
		}
		_, body = c.get(t, "/registry/import/"+m[1])
		if !strings.Contains(body, `data-testid="import-all"`) || !strings.Contains(body, "更新 韩一（电话）") {
			t.Fatalf("second check:\n%s", body)
		}
		c.postForm(t, "/registry/import/"+m[1]+"/run", map[string][]string{"mode": {"all"}})
		if body = waitImport(t, c, m[1]); !strings.Contains(body, "更新 1 人") {
			t.Fatalf("after the update:\n%s", body)
		}
		n := personID("01101")
		got, _, _ := sqldb.NewPersonService(db).FindPersons(context.Background(), frontline.PersonFilter{IDNumber: &n})
		if len(got) != 1 || got[0].Phone != "13700137000" {
			t.Fatalf("韩一 after the update: %+v", got)
		}

		// The API: check, run, follow.
		var up struct {
			Upload frontline.ResidentUpload `json:"upload"`
		}
		resp, body = c.do(t, http.MethodPost, fmt.Sprintf("/api/v1/imports?under=%d&name=a.csv", f.comm1.ID),
			strings.NewReader(importCSV("13600136000", false)), http.Header{"X-CSRF-Token": {c.csrf}})
		decodeAPI(t, "POST /api/v1/imports", resp, body, http.StatusCreated, &up)
		if up.Upload.Preview == nil || up.Upload.Preview.HeaderRow != 2 || up.Upload.Preview.Check.Updated != 1 {
			t.Fatalf("API check: %s", body)
		}
		resp, body = c.sendJSON(t, http.MethodPost, fmt.Sprintf("/api/v1/imports/%d/run", up.Upload.ID), map[string]string{"mode": "all"})
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("API run: %d %s", resp.StatusCode, body)
		}
		for range 200 {
			c.getJSON(t, fmt.Sprintf("/api/v1/imports/%d", up.Upload.ID), http.StatusOK, &up)
			if up.Upload.Status != frontline.UploadRunning {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if up.Upload.Status != frontline.UploadDone || up.Upload.Result.Updated != 1 {
			t.Fatalf("API import: %+v", up.Upload)
		}

		grid := ts.as(t, frontline.RoleSampler, f.comp1)
		if resp, _ := grid.get(t, "/registry/import"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("sampler: %d, want 403", resp.StatusCode)
		}
	})
}

// TestImportPage_ProgressAndInterrupted shows a running import's progress
// on its page and the API, then, once its server has stopped and the
// sweep has run, that it was interrupted and nothing was kept.
func TestImportPage_ProgressAndInterrupted(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := buildFixture(t, db)
		ts := newAdminServer(t, db, f)
		c := ts.client
		resp, _ := c.uploadList(t, f.comm1.ID, "名单.csv", importCSV("", false))
		m := uploadPath.FindStringSubmatch(resp.Header.Get("Location"))
		if m == nil {
			t.Fatalf("upload: %d", resp.StatusCode)
		}
		// An import as its server left it: running, 2 of 2 rows checked
		// and 1 written, its heartbeat ten minutes old.
		then := db.Now().Add(-10 * time.Minute)
		tx, err := db.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE resident_uploads SET status = ?, started_at = ? WHERE id = ?`, frontline.UploadRunning, then, m[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO resident_imports (upload_id, under_id, file, status, total, checked, written, started_at, heartbeat_at)
			VALUES (?, ?, '名单.csv', 'running', 2, 2, 1, ?, ?)`, m[1], f.comm1.ID, then, then); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		_, body := c.get(t, "/registry/import/"+m[1])
		if !strings.Contains(body, `data-testid="import-running"`) || !strings.Contains(body, "已检查 2 / 2 行，已写入 1 行") {
			t.Fatalf("running page:\n%s", body)
		}
		var up struct {
			Upload frontline.ResidentUpload `json:"upload"`
		}
		c.getJSON(t, "/api/v1/imports/"+m[1], http.StatusOK, &up)
		if p := up.Upload.Progress; p == nil || p.Total != 2 || p.Checked != 2 || p.Written != 1 {
			t.Fatalf("API progress: %+v", up.Upload.Progress)
		}
		if n, err := sqldb.NewImportService(db).SweepInterrupted(ctx); err != nil || n != 1 {
			t.Fatalf("sweep: %d %v", n, err)
		}
		_, body = c.get(t, "/registry/import/"+m[1])
		if !strings.Contains(body, `data-testid="import-failed"`) || !strings.Contains(body, "导入进行中服务器停止了") {
			t.Fatalf("after the sweep:\n%s", body)
		}
	})
}
