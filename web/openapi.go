package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// apiTypesFile holds what each /api handler reads and returns, as JSON
// Schemas, generated from the handlers' source by the test
// TestOpenAPI_TypesUpToDate (which fails when it no longer matches).
//
//go:embed openapi_types.json
var apiTypesFile []byte

// openAPIPath is where the document is served.
const openAPIPath = "/api/v1/openapi.json"

// apiTypesDoc is openapi_types.json as the server reads it.
type apiTypesDoc struct {
	Operations map[string]apiTypesOp      `json:"operations"`
	Schemas    map[string]json.RawMessage `json:"schemas"`
}

type apiTypesOp struct {
	Handler   string                                `json:"handler"`
	Summary   string                                `json:"summary"`
	Query     []struct{ Name, Type string }         `json:"query"`
	Request   json.RawMessage                       `json:"request"`
	Responses map[string]map[string]json.RawMessage `json:"responses"`
}

// openAPIOperation is one operation of the document (OpenAPI 3.1).
type openAPIOperation struct {
	OperationID string                     `json:"operationId,omitempty"`
	Summary     string                     `json:"summary,omitempty"`
	Description string                     `json:"description,omitempty"`
	Tags        []string                   `json:"tags"`
	Parameters  []openAPIParameter         `json:"parameters,omitempty"`
	RequestBody *openAPIBody               `json:"requestBody,omitempty"`
	Responses   map[string]openAPIResponse `json:"responses"`
	Security    []map[string][]string      `json:"security"`
	// Permission is the permission the route needs (x-permission), or
	// the access it declares when it needs none (public, signed_in).
	Permission string `json:"x-permission"`
	// Roles are the roles that hold the permission.
	Roles []frontline.Role `json:"x-roles,omitempty"`
	// Undocumented marks a route the generated types do not know yet.
	Undocumented bool `json:"x-undocumented,omitempty"`
}

type openAPIParameter struct {
	Name     string         `json:"name"`
	In       string         `json:"in"`
	Required bool           `json:"required,omitempty"`
	Schema   map[string]any `json:"schema"`
}

type openAPIBody struct {
	Required bool                    `json:"required"`
	Content  map[string]openAPIMedia `json:"content"`
}

type openAPIMedia struct {
	Schema json.RawMessage `json:"schema,omitempty"`
}

type openAPIResponse struct {
	Description string                  `json:"description"`
	Content     map[string]openAPIMedia `json:"content,omitempty"`
}

// openAPIDocument is the whole document.
type openAPIDocument struct {
	OpenAPI    string                                  `json:"openapi"`
	Info       map[string]string                       `json:"info"`
	Paths      map[string]map[string]*openAPIOperation `json:"paths"`
	Components struct {
		Schemas         map[string]json.RawMessage `json:"schemas"`
		SecuritySchemes map[string]map[string]any  `json:"securitySchemes"`
	} `json:"components"`
}

// pathParam finds the wildcards of a ServeMux pattern: {id}, {file...}.
var pathParam = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)(\.\.\.)?\}`)

// buildOpenAPI makes the document of every /api route of the route table,
// with the permission each declares and the types it reads and returns.
func (s *Server) buildOpenAPI() (*openAPIDocument, error) {
	var types apiTypesDoc
	if err := json.Unmarshal(apiTypesFile, &types); err != nil {
		return nil, fmt.Errorf("openapi_types.json: %w", err)
	}
	doc := &openAPIDocument{OpenAPI: "3.1.0", Paths: map[string]map[string]*openAPIOperation{}}
	doc.Info = map[string]string{
		"title":   "Frontline API",
		"version": s.Version,
		"description": "The JSON API of Frontline. Sign in with a session cookie (POST /login) or send a device " +
			"token as Authorization: Bearer. Every route needs the permission in x-permission; what it reaches is " +
			"bounded by the caller's scope. Errors are {\"error\": {code, message, field, item}}.",
	}
	doc.Components.Schemas = types.Schemas
	doc.Components.SecuritySchemes = map[string]map[string]any{
		"session":     {"type": "apiKey", "in": "cookie", "name": sessionCookie},
		"deviceToken": {"type": "http", "scheme": "bearer"},
	}
	for _, rt := range s.routes {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/") {
			continue
		}
		op := newOpenAPIOperation(rt, path, types.Operations[rt.Pattern])
		oaPath := pathParam.ReplaceAllString(path, "{$1}")
		if doc.Paths[oaPath] == nil {
			doc.Paths[oaPath] = map[string]*openAPIOperation{}
		}
		doc.Paths[oaPath][strings.ToLower(method)] = op
	}
	return doc, nil
}

// newOpenAPIOperation describes one route from its declaration and its
// generated types (t.Handler is empty when there are none).
func newOpenAPIOperation(rt Route, path string, t apiTypesOp) *openAPIOperation {
	op := &openAPIOperation{OperationID: t.Handler, Summary: t.Summary, Tags: []string{apiTag(path)},
		Responses: map[string]openAPIResponse{}, Undocumented: t.Handler == ""}
	if p := rt.Access.Permission(); p != "" {
		op.Permission = string(p)
		for _, role := range frontline.Roles {
			if role.Can(p) {
				op.Roles = append(op.Roles, role)
			}
		}
	} else {
		op.Permission = string(rt.Access)
	}
	op.Security = []map[string][]string{{"session": {}}, {"deviceToken": {}}}
	if rt.Access == AccessPublic {
		op.Security = []map[string][]string{}
	}
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		typ := "string"
		if m[1] == "id" || strings.HasSuffix(m[1], "id") {
			typ = "integer"
		}
		op.Parameters = append(op.Parameters, openAPIParameter{Name: m[1], In: "path", Required: true, Schema: map[string]any{"type": typ}})
	}
	for _, q := range t.Query {
		op.Parameters = append(op.Parameters, openAPIParameter{Name: q.Name, In: "query", Schema: map[string]any{"type": q.Type}})
	}
	if len(t.Request) > 0 && string(t.Request) != "null" {
		op.RequestBody = &openAPIBody{Required: true, Content: map[string]openAPIMedia{"application/json": {Schema: t.Request}}}
	}
	for status, bodies := range t.Responses {
		resp := openAPIResponse{Description: statusDescription(status)}
		for media, schema := range bodies {
			if resp.Content == nil {
				resp.Content = map[string]openAPIMedia{}
			}
			m := openAPIMedia{}
			if string(schema) != "null" {
				m.Schema = schema
			}
			resp.Content[media] = m
		}
		op.Responses[status] = resp
	}
	op.Responses["default"] = openAPIResponse{Description: "An error: 400 bad input (field names the input), 401, 403, 404, 409, 503 (retry after Retry-After).",
		Content: map[string]openAPIMedia{"application/json": {Schema: json.RawMessage(`{"$ref":"#/components/schemas/errorJSON"}`)}}}
	return op
}

// apiTag groups a route by the first segment after /api/v1.
func apiTag(path string) string {
	rest := strings.TrimPrefix(path, "/api/v1/")
	tag, _, _ := strings.Cut(rest, "/")
	tag, _, _ = strings.Cut(tag, ".")
	return tag
}

func statusDescription(status string) string {
	if n, err := strconv.Atoi(status); err == nil && http.StatusText(n) != "" {
		return http.StatusText(n)
	}
	return "Success"
}

// handleOpenAPI serves the document.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	doc, err := s.buildOpenAPI()
	if err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot build the API document", Err: err}
	}
	return writeJSON(w, http.StatusOK, doc)
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
