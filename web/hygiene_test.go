package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestHeaders checks what every answer says: Referrer-Policy on pages,
// API answers and files; nosniff on the files too.
func TestHeaders(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	for _, path := range []string{"/login", "/search?q=620502199001011234", "/api/v1/me", "/static/station.js", "/static/site.css", "/no/such/page"} {
		resp, _ := ts.client.get(t, path)
		if got := resp.Header.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s: Referrer-Policy %q", path, got)
		}
		if strings.HasPrefix(path, "/static/") && resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, resp.Header.Get("X-Content-Type-Options"))
		}
	}
}

// TestWrongMethod sends a method a path does not take: 405 with the
// methods it does take, as a page or as JSON; an unknown path stays 404.
func TestWrongMethod(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	resp, body := ts.client.do(t, http.MethodDelete, "/rounds", nil, nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, POST, HEAD" || !strings.Contains(body, "不能这样访问这个地址") {
		t.Fatalf("DELETE /rounds: %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	resp, body = ts.client.do(t, http.MethodPut, "/api/v1/me", nil, nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(body, `"code": "method_not_allowed"`) {
		t.Fatalf("PUT /api/v1/me: %d %s", resp.StatusCode, body)
	}
	if resp, _ := ts.client.get(t, "/no/such/page"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown path: %d", resp.StatusCode)
	}
}

// TestTooLarge uploads a results file over the limit from the lab page:
// 413 saying the file is too large, not 403 "form out of date".
func TestTooLarge(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	r := openCityRound(t, db, f)
	lab := ts.as(t, frontline.RoleLab, f.city)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", lab.csrf)
	fw, _ := mw.CreateFormFile("file", "results.csv")
	io.WriteString(fw, "tube,result\n")
	io.WriteString(fw, strings.Repeat("T-000001,negative\n", 70_000))
	mw.Close()
	resp, body := lab.do(t, http.MethodPost, fmt.Sprintf("/rounds/%d/lab/results", r.ID), &buf,
		http.Header{"Content-Type": {mw.FormDataContentType()}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "文件或表单太大") {
		t.Fatalf("a 1.2 MB upload: %d %s", resp.StatusCode, body)
	}
	resp, body = ts.client.do(t, http.MethodPost, "/api/v1/rounds", strings.NewReader(`{"name": "`+strings.Repeat("长", 400_000)+`"}`),
		http.Header{"Content-Type": {"application/json"}, "X-CSRF-Token": {ts.client.csrf}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"code": "too_large"`) {
		t.Fatalf("a 1.2 MB JSON body: %d %s", resp.StatusCode, body)
	}
}

// TestErrorsNameNoGoTypes sends JSON of the wrong shape: the answer names
// the field and what it must be, never a Go type or struct.
func TestErrorsNameNoGoTypes(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t), withScreening(db))
	for _, tt := range []struct{ body, want string }{
		{`{"name": "第一轮", "scope_id": "city"}`, "expected a whole number, got a JSON string"},
		{`{"name": 7}`, "expected a string, got a JSON number"},
		{`{"name": "x", "starts_at": "6点"}`, "RFC 3339"},
		{`{"name": "x"`, "ends before its JSON does"},
		{`[1, 2]`, "must be an object"},
		{`{"nmae": "x"}`, `unknown field \"nmae\"`},
	} {
		resp, body := ts.client.do(t, http.MethodPost, "/api/v1/rounds", strings.NewReader(tt.body),
			http.Header{"Content-Type": {"application/json"}, "X-CSRF-Token": {ts.client.csrf}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			t.Errorf("%s: %d %s, want 400 saying %q", tt.body, resp.StatusCode, body, tt.want)
		}
		for _, leak := range []string{"Go ", "struct", "int64", "roundInput", "time.Time", "json:"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: the answer names %q: %s", tt.body, leak, body)
			}
		}
	}
	// The measure rules form takes JSON typed by a person.
	resp, body := ts.client.postForm(t, "/measure-rules", url.Values{"rules": {`[{"within_days": "seven"}]`}})
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(body, "Go struct") || strings.Contains(body, "MeasureRule") {
		t.Fatalf("rules form: %d %s", resp.StatusCode, body)
	}
}

// TestControlCharacters sends the field trial's name, with a NUL, a
// right-to-left override and a bell: refused at the name, nothing stored.
func TestControlCharacters(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f)
	resp, body := ts.client.sendJSON(t, http.MethodPost, "/api/v1/persons", map[string]any{
		"household_id": f.hh[0].ID, "name": "a\u0000b\u202ec\u0007d", "id_type": "passport", "id_number": "E12345678"})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field": "name"`) || !strings.Contains(body, "U+0000") {
		t.Fatalf("a name with control characters: %d %s", resp.StatusCode, body)
	}
	resp, body = ts.client.postForm(t, fmt.Sprintf("/households/%d/persons?lang=en", f.hh[0].ID), url.Values{
		"name": {"王\u202e五"}, "id_type": {"passport"}, "id_number": {"E12345679"}})
	if resp.StatusCode == http.StatusSeeOther || !strings.Contains(body, `data-testid="error-name"`) {
		t.Fatalf("the person form with an override: %d %s", resp.StatusCode, body)
	}
}
