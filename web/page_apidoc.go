package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

const pageAPIDocName = "apidoc"

// apiDocPage shows integrators the API document: each route with its
// permission, parameters, body and answers, and each schema's fields.
type apiDocPage struct {
	layout
	DocPath string
	Routes  int
	Groups  []apiDocGroup
	Schemas []apiDocSchema
}

type apiDocGroup struct {
	Tag string
	Ops []apiDocOp
}

type apiDocOp struct {
	ID, Method, Path, Summary, Permission string
	Roles                                 []frontline.Role
	Params                                []apiDocField
	Request                               string
	Responses                             []apiDocField // Name is the status, Type the body
}

type apiDocSchema struct {
	Name   string
	Fields []apiDocField
}

// apiDocField is a named thing with a type written out: a field, a
// parameter or a status.
type apiDocField struct {
	Name, Type string
	Required   bool
}

// registerAPIDoc serves the API document and the page that shows it.
func (s *Server) registerAPIDoc() {
	if err := s.parsePageSet(nil, []string{pageAPIDocName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	s.route("GET "+openAPIPath, AccessSignedIn, s.handleOpenAPI)
	s.route("GET /api-docs", AccessSignedIn, s.pageAPIDoc)
}

func (s *Server) pageAPIDoc(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	doc, err := s.buildOpenAPI()
	if err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot build the API document", Err: err}
	}
	title, err := s.text(lang, "apidoc.title")
	if err != nil {
		return err
	}
	p := apiDocPage{layout: s.layout(r, lang, title), DocPath: openAPIPath}
	groups := map[string]*apiDocGroup{}
	for _, path := range sortedKeys(doc.Paths) {
		for _, method := range sortedKeys(doc.Paths[path]) {
			op := doc.Paths[path][method]
			g := groups[op.Tags[0]]
			if g == nil {
				g = &apiDocGroup{Tag: op.Tags[0]}
				groups[op.Tags[0]] = g
			}
			g.Ops = append(g.Ops, newAPIDocOp(strings.ToUpper(method), path, op))
			p.Routes++
		}
	}
	for _, tag := range sortedKeys(groups) {
		p.Groups = append(p.Groups, *groups[tag])
	}
	for _, name := range sortedKeys(doc.Components.Schemas) {
		p.Schemas = append(p.Schemas, newAPIDocSchema(name, doc.Components.Schemas[name]))
	}
	return s.render(w, http.StatusOK, pageAPIDocName, p)
}

func newAPIDocOp(method, path string, op *openAPIOperation) apiDocOp {
	out := apiDocOp{ID: op.OperationID, Method: method, Path: path, Summary: op.Summary, Permission: op.Permission, Roles: op.Roles}
	for _, prm := range op.Parameters {
		out.Params = append(out.Params, apiDocField{Name: prm.Name + " (" + prm.In + ")", Type: schemaText(prm.Schema), Required: prm.Required})
	}
	if op.RequestBody != nil {
		out.Request = rawSchemaText(op.RequestBody.Content["application/json"].Schema)
	}
	for _, status := range sortedKeys(op.Responses) {
		resp := op.Responses[status]
		var bodies []string
		for _, media := range sortedKeys(resp.Content) {
			if media == "application/json" && resp.Content[media].Schema != nil {
				bodies = append(bodies, rawSchemaText(resp.Content[media].Schema))
			} else {
				bodies = append(bodies, media)
			}
		}
		out.Responses = append(out.Responses, apiDocField{Name: status, Type: strings.Join(bodies, " | ")})
	}
	return out
}

func newAPIDocSchema(name string, raw json.RawMessage) apiDocSchema {
	var s map[string]any
	json.Unmarshal(raw, &s) // the generator wrote it
	out := apiDocSchema{Name: name}
	props, _ := s["properties"].(map[string]any)
	req, _ := s["required"].([]any)
	for _, field := range sortedKeys(props) {
		ps, _ := props[field].(map[string]any)
		out.Fields = append(out.Fields, apiDocField{Name: field, Type: schemaText(ps), Required: slices.Contains(req, any(field))})
	}
	return out
}

func rawSchemaText(raw json.RawMessage) string {
	var s map[string]any
	if json.Unmarshal(raw, &s) != nil {
		return "any"
	}
	return schemaText(s)
}

// schemaText writes a schema as a short type expression: a schema's
// name, [items], {fields}, a | b.
func schemaText(s map[string]any) string {
	if ref, ok := s["$ref"].(string); ok {
		return strings.TrimPrefix(ref, "#/components/schemas/")
	}
	for _, key := range []string{"anyOf", "oneOf"} {
		if alts, ok := s[key].([]any); ok {
			parts := make([]string, len(alts))
			for i, a := range alts {
				m, _ := a.(map[string]any)
				parts[i] = schemaText(m)
			}
			return strings.Join(parts, " | ")
		}
	}
	switch t := s["type"].(type) {
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i], _ = x.(string)
		}
		return strings.Join(parts, " | ")
	case string:
		switch t {
		case "array":
			items, _ := s["items"].(map[string]any)
			return "[" + schemaText(items) + "]"
		case "object":
			if props, ok := s["properties"].(map[string]any); ok {
				return "{" + strings.Join(sortedKeys(props), ", ") + "}"
			}
			if add, ok := s["additionalProperties"].(map[string]any); ok {
				return "{string: " + schemaText(add) + "}"
			}
			return "object"
		case "string":
			if f, ok := s["format"].(string); ok {
				return "string (" + f + ")"
			}
		}
		return t
	}
	return "any"
}
