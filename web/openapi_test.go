package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// openAPIDoc is the part of the document the tests read.
type openAPIDoc struct {
	OpenAPI    string                                           `json:"openapi"`
	Paths      map[string]map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]any `json:"schemas"`
	} `json:"components"`
}

// newFullServer serves every workflow, so every route is registered.
func newFullServer(t *testing.T, db *sqldb.DB, f *fixture) *testServer {
	t.Helper()
	return newAdminServer(t, db, f, withScreening(db), withTesting(db, t), withZones(db), withCases(db), withWorkforce(db), withNotices(db),
		withDaily(db), withDashboard(db), withSupply(db), withOrders(db), withDistributions(db))
}

func fetchOpenAPI(t *testing.T, ts *testServer) openAPIDoc {
	t.Helper()
	resp, body := ts.get(t, "/api/v1/openapi.json")
	var doc openAPIDoc
	decodeAPI(t, "GET /api/v1/openapi.json", resp, body, http.StatusOK, &doc)
	return doc
}

// openAPIPath is the document's path of a ServeMux pattern's path.
func openAPIPath(path string) string {
	return strings.ReplaceAll(strings.ReplaceAll(path, "...}", "}"), "{$}", "")
}

// TestOpenAPI_EveryRoute checks that every /api route of the running
// server is in the document, with the permission it declares, what it
// answers, and schemas that all resolve; on both engines.
func TestOpenAPI_EveryRoute(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newFullServer(t, db, f)
		doc := fetchOpenAPI(t, ts)
		if doc.OpenAPI != "3.1.0" {
			t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
		}
		n := 0
		for _, rt := range ts.srv.Routes() {
			method, path, _ := strings.Cut(rt.Pattern, " ")
			if !strings.HasPrefix(path, "/api/") {
				continue
			}
			n++
			op, ok := doc.Paths[openAPIPath(path)][strings.ToLower(method)]
			if !ok {
				t.Errorf("%s is not in the document", rt.Pattern)
				continue
			}
			var perm string
			json.Unmarshal(op["x-permission"], &perm)
			want := string(rt.Access.Permission())
			if want == "" {
				want = string(rt.Access)
			}
			if perm != want {
				t.Errorf("%s: x-permission %q, want %q", rt.Pattern, perm, want)
			}
			if _, bad := op["x-undocumented"]; bad {
				t.Errorf("%s: the generated types do not know it: go test ./web -run TestOpenAPI_TypesUpToDate -update", rt.Pattern)
			}
			var responses map[string]any
			json.Unmarshal(op["responses"], &responses)
			success := false
			for status := range responses {
				success = success || strings.HasPrefix(status, "2")
			}
			if !success {
				t.Errorf("%s: no success response documented", rt.Pattern)
			}
		}
		if n < 150 {
			t.Errorf("only %d API routes registered; the full server should have them all", n)
		}
		count := 0
		for _, ops := range doc.Paths {
			count += len(ops)
		}
		if count != n {
			t.Errorf("the document has %d operations, the server %d API routes", count, n)
		}
		checkRefs(t, doc)
	})
}

// checkRefs fails on a $ref that names no schema.
func checkRefs(t *testing.T, doc openAPIDoc) {
	t.Helper()
	raw, _ := json.Marshal(doc)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				name := strings.TrimPrefix(ref, "#/components/schemas/")
				if _, ok := doc.Components.Schemas[name]; !ok {
					t.Errorf("$ref %s names no schema", ref)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	var all any
	json.Unmarshal(raw, &all)
	walk(all)
}

// TestOpenAPI_Responses asks every GET route of the API that needs no
// path parameter, and a few that need one, as a city administrator, and
// checks each JSON answer against the schema the document gives for its
// status: a handler that returns something other than what is documented
// fails here. On both engines.
func TestOpenAPI_Responses(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := buildFixture(t, db)
		ts := newFullServer(t, db, f)
		doc := fetchOpenAPI(t, ts)
		ids := map[string]string{
			"/api/v1/places/{id}":            fmt.Sprint(f.comm1.ID),
			"/api/v1/places/{id}/tree":       fmt.Sprint(f.comm1.ID),
			"/api/v1/places/{id}/zone":       fmt.Sprint(f.hh[0].ID),
			"/api/v1/places/{id}/affected":   fmt.Sprint(f.bld1.ID),
			"/api/v1/places/{id}/zone-board": fmt.Sprint(f.comm1.ID),
			"/api/v1/households/{id}":        fmt.Sprint(f.hh[0].ID),
			"/api/v1/persons/{id}":           fmt.Sprint(f.persons[0].ID),
			"/api/v1/persons/{id}/history":   fmt.Sprint(f.persons[0].ID),
		}
		checked := 0
		for _, path := range sortedPaths(doc) {
			op, ok := doc.Paths[path]["get"]
			if !ok {
				continue
			}
			url := path
			if strings.Contains(path, "{") {
				id, ok := ids[path]
				if !ok {
					continue
				}
				url = strings.Replace(path, "{id}", id, 1)
			}
			resp, body := ts.get(t, url)
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				continue
			}
			schema := responseSchema(op, resp.StatusCode)
			if schema == nil {
				t.Errorf("GET %s answered %d, which the document does not list: %s", url, resp.StatusCode, body)
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Errorf("GET %s: %v", url, err)
				continue
			}
			if err := validate(doc, schema, v, "$"); err != nil {
				t.Errorf("GET %s (%d): the body differs from the document: %v\n%s", url, resp.StatusCode, err, body)
			}
			if resp.StatusCode == http.StatusOK {
				checked++
			}
		}
		if checked < 30 {
			t.Errorf("only %d routes answered 200 and were checked", checked)
		}
	})
}

func sortedPaths(doc openAPIDoc) []string {
	var out []string
	for p := range doc.Paths {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// responseSchema is the JSON schema documented for status, or the error
// schema for an error status.
func responseSchema(op map[string]json.RawMessage, status int) any {
	var responses map[string]struct {
		Content map[string]struct {
			Schema any `json:"schema"`
		} `json:"content"`
	}
	json.Unmarshal(op["responses"], &responses)
	key := fmt.Sprint(status)
	r, ok := responses[key]
	if !ok && status >= 200 && status < 300 {
		r, ok = responses["2XX"]
	}
	if !ok && status >= 400 {
		r, ok = responses["default"]
	}
	if !ok {
		return nil
	}
	return r.Content["application/json"].Schema
}

// validate checks v against the subset of JSON Schema the generator
// writes: $ref, anyOf/oneOf, type (one or a list), properties, required,
// additionalProperties, items.
func validate(doc openAPIDoc, schema any, v any, at string) error {
	s, _ := schema.(map[string]any)
	if ref, ok := s["$ref"].(string); ok {
		return validate(doc, doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")], v, at)
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[key].([]any); ok {
			var errs []string
			for _, a := range alts {
				err := validate(doc, a, v, at)
				if err == nil {
					return nil
				}
				errs = append(errs, err.Error())
			}
			return fmt.Errorf("%s matches none of: %s", at, strings.Join(errs, "; "))
		}
	}
	if typ, ok := s["type"]; ok && !typeMatches(typ, v) {
		return fmt.Errorf("%s is %s, documented %v", at, jsonKind(v), typ)
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("%s lacks the required %s", at, r)
			}
		}
		for k, e := range x {
			ps, ok := props[k]
			if !ok {
				switch add := s["additionalProperties"].(type) {
				case bool:
					if !add {
						return fmt.Errorf("%s has %s, which is not documented", at, k)
					}
					continue
				case map[string]any:
					ps = add
				default:
					continue
				}
			}
			if err := validate(doc, ps, e, at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := validate(doc, s["items"], e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func asList(v any) []any { l, _ := v.([]any); return l }

func typeMatches(typ any, v any) bool {
	for _, t := range append(asList(typ), typ) {
		name, _ := t.(string)
		switch kind := jsonKind(v); {
		case name == kind, name == "number" && kind == "integer":
			return true
		}
	}
	return false
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// TestOpenAPI_Page renders the document for integrators: every route,
// its permission in words, and the link to the JSON.
func TestOpenAPI_Page(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newFullServer(t, db, f)
	resp, body := ts.get(t, "/api-docs")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	n := 0
	for _, rt := range ts.srv.Routes() {
		if _, path, _ := strings.Cut(rt.Pattern, " "); strings.HasPrefix(path, "/api/") {
			n++
			if method, path, _ := strings.Cut(rt.Pattern, " "); !strings.Contains(body, `data-route="`+method+" "+openAPIPath(path)+`"`) {
				t.Errorf("the page lacks %s", rt.Pattern)
			}
		}
	}
	if got := strings.Count(body, `data-testid="apidoc-op"`); got != n {
		t.Errorf("the page lists %d routes, the server has %d", got, n)
	}
	for _, want := range []string{`href="/api/v1/openapi.json"`, "registry.read", "社区书记", "placesResponse"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The token page, where an integrator starts, links to it.
	if _, tokens := ts.get(t, "/tokens"); !strings.Contains(tokens, `href="/api-docs"`) {
		t.Error("the device token page does not link to the API document")
	}
}
