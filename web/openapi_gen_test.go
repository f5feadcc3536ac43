package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// The API document's schemas come from the handlers themselves: this
// file type-checks package web, follows each /api route from its
// registration to the values its handler (and the helpers it calls)
// passes to decodeJSON and writeJSON, and writes their JSON Schemas to
// openapi_types.json. TestOpenAPI_TypesUpToDate fails when a handler
// returns something other than what the committed file documents;
// `go test ./web -run TestOpenAPI_TypesUpToDate -update` rewrites it.

// apiSource is package web as the type checker sees it.
type apiSource struct {
	fset  *token.FileSet
	files []*ast.File
	info  *types.Info
	pkg   *types.Package
	decls map[*types.Func]*ast.FuncDecl
}

// loadAPISource parses and type-checks the non-test files of package web,
// importing its dependencies from the build cache's export data.
func loadAPISource(t testing.TB) *apiSource {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is needed to type-check package web")
	}
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, "\t")
		exports[path] = file
	}
	src := &apiSource{fset: token.NewFileSet(), decls: map[*types.Func]*ast.FuncDecl{}}
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(src.fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		src.files = append(src.files, f)
	}
	imp := importer.ForCompiler(src.fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %q", path)
		}
		return os.Open(file)
	})
	src.info = &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{},
		Uses: map[*ast.Ident]types.Object{},
	}
	conf := types.Config{Importer: imp}
	if src.pkg, err = conf.Check("github.com/frontline-org/frontline/web", src.fset, src.files, src.info); err != nil {
		t.Fatalf("type-check package web: %v", err)
	}
	for _, f := range src.files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok {
				if fn, ok := src.info.Defs[fd.Name].(*types.Func); ok {
					src.decls[fn] = fd
				}
			}
		}
	}
	return src
}

// apiRouteHandlers finds every s.route("METHOD /api/...", access, s.h)
// and returns the handler declaration of each pattern.
func (src *apiSource) apiRouteHandlers(t testing.TB) map[string]*ast.FuncDecl {
	out := map[string]*ast.FuncDecl{}
	for _, f := range src.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 3 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "route" {
				return true
			}
			tv := src.info.Types[call.Args[0]]
			if tv.Value == nil || tv.Value.Kind() != constant.String {
				return true
			}
			pattern := constant.StringVal(tv.Value)
			if _, path, _ := strings.Cut(pattern, " "); !strings.HasPrefix(path, "/api/") {
				return true
			}
			h, ok := call.Args[2].(*ast.SelectorExpr)
			if !ok {
				t.Errorf("%s: route %q: name the handler method (s.apiX) so its types can be documented", src.fset.Position(call.Pos()), pattern)
				return true
			}
			fn, _ := src.info.Uses[h.Sel].(*types.Func)
			if fd := src.decls[fn]; fd != nil {
				out[pattern] = fd
			} else {
				t.Errorf("%s: route %q: handler %s not declared in package web", src.fset.Position(call.Pos()), pattern, h.Sel.Name)
			}
			return true
		})
	}
	return out
}

// apiOperation is what the generator records for one route.
type apiOperation struct {
	Handler string         `json:"handler"`
	Summary string         `json:"summary,omitempty"`
	Query   []apiParam     `json:"query,omitempty"`
	Request map[string]any `json:"request,omitempty"`
	// Responses maps each status to its bodies by media type: the schema
	// of a JSON body, null for another kind of body; no media, no body.
	Responses map[string]map[string]json.RawMessage `json:"responses"`
}

// apiParam is a query parameter a handler reads.
type apiParam struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// apiTypes is the file openapi_types.json.
type apiTypes struct {
	Operations map[string]*apiOperation   `json:"operations"`
	Schemas    map[string]json.RawMessage `json:"schemas"`
}

// apiWalk collects what one handler reads and writes, following calls
// into the functions of package web.
type apiWalk struct {
	src      *apiSource
	schemas  *schemaGen
	seen     map[*ast.FuncDecl]bool
	op       *apiOperation
	requests []types.Type
	writes   map[string][]any
	bare     []string // statuses written by WriteHeader
	media    []string // Content-Type values set
}

// skipFuncs write what every route may write (the error body) or never
// answer an API request; following them would add the error to every
// route's successes.
var skipFuncs = []string{"fail", "renderError", "renderErrorPage", "render", "renderPage", "writeJSON", "writeCompactJSON"}

// binding is what a parameter of a followed helper stands for at the
// call: a value passed on to writeJSON, or a status.
type binding struct {
	schema   any
	statuses []string
}

func (a *apiWalk) walk(fd *ast.FuncDecl, bound map[types.Object]binding) {
	if a.seen[fd] || slices.Contains(skipFuncs, fd.Name.Name) || fd.Body == nil {
		return
	}
	a.seen[fd] = true
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		switch name := calleeName(call); name {
		case "writeJSON":
			schema := a.exprSchema(call.Args[2], bound)
			for _, status := range a.statuses(fd, call.Args[1], bound) {
				a.writes[status] = append(a.writes[status], schema)
			}
		case "writeCompactJSON":
			a.writes["200"] = append(a.writes["200"], a.exprSchema(call.Args[1], bound))
		case "WriteHeader":
			a.bare = append(a.bare, a.statuses(fd, call.Args[0], bound)...)
		case "Set":
			if k, v := a.src.info.Types[call.Args[0]], a.src.info.Types[call.Args[1]]; len(call.Args) == 2 && k.Value != nil && v.Value != nil &&
				constant.StringVal(k.Value) == "Content-Type" && !strings.HasPrefix(constant.StringVal(v.Value), "application/json") {
				a.media = append(a.media, constant.StringVal(v.Value))
			}
		case "decodeJSON", "readJSONOptional":
			if tv, ok := a.src.info.Types[call.Args[1]]; ok {
				if p, ok := tv.Type.(*types.Pointer); ok {
					a.requests = append(a.requests, p.Elem())
				}
			}
		case "id", "text", "boolean", "number", "kind", "day", "Get":
			a.queryParam(call, name)
		case "page":
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && strings.HasSuffix(a.src.info.Types[sel.X].Type.String(), "web.params") {
				a.addParam("limit", "integer")
				a.addParam("offset", "integer")
			}
		}
		if fn := a.callee(call); fn != nil {
			if callee := a.src.decls[fn]; callee != nil {
				a.walk(callee, a.bind(fd, callee, call, bound))
			}
		}
		return true
	})
}

// bind maps the parameters of callee to what the call passes them.
func (a *apiWalk) bind(fd, callee *ast.FuncDecl, call *ast.CallExpr, bound map[types.Object]binding) map[types.Object]binding {
	out := map[types.Object]binding{}
	i := 0
	for _, field := range callee.Type.Params.List {
		for _, name := range field.Names {
			if i < len(call.Args) {
				if obj := a.src.info.Defs[name]; obj != nil {
					out[obj] = binding{schema: a.exprSchema(call.Args[i], bound), statuses: a.statuses(fd, call.Args[i], bound)}
				}
			}
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	return out
}

// statuses are the constant values a status argument can have: the
// constant itself, what the caller passed, or every constant assigned to
// the variable in fd.
func (a *apiWalk) statuses(fd *ast.FuncDecl, e ast.Expr, bound map[types.Object]binding) []string {
	if tv := a.src.info.Types[e]; tv.Value != nil {
		return []string{tv.Value.ExactString()}
	}
	id, ok := e.(*ast.Ident)
	if !ok {
		return []string{"2XX"}
	}
	obj := a.src.info.Uses[id]
	if b, ok := bound[obj]; ok {
		return b.statuses
	}
	var out []string
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, l := range as.Lhs {
			lid, ok := l.(*ast.Ident)
			if !ok || (a.src.info.Defs[lid] != obj && a.src.info.Uses[lid] != obj) {
				continue
			}
			if tv := a.src.info.Types[as.Rhs[i]]; tv.Value != nil && !slices.Contains(out, tv.Value.ExactString()) {
				out = append(out, tv.Value.ExactString())
			}
		}
		return true
	})
	if len(out) == 0 {
		return []string{"2XX"}
	}
	sort.Strings(out)
	return out
}

// queryParam records q.id("x") and friends, and r.URL.Query().Get("x").
func (a *apiWalk) queryParam(call *ast.CallExpr, name string) {
	if len(call.Args) == 0 {
		return
	}
	tv := a.src.info.Types[call.Args[0]]
	if tv.Value == nil || tv.Value.Kind() != constant.String {
		return
	}
	sel := call.Fun.(*ast.SelectorExpr)
	recv := a.src.info.Types[sel.X].Type
	switch {
	case name == "Get" && recv != nil && recv.String() == "net/url.Values":
		a.addParam(constant.StringVal(tv.Value), "string")
	case name != "Get" && recv != nil && strings.HasSuffix(recv.String(), "web.params"):
		typ := map[string]string{"id": "integer", "number": "integer", "boolean": "boolean"}[name]
		if typ == "" {
			typ = "string"
		}
		a.addParam(constant.StringVal(tv.Value), typ)
	}
}

func (a *apiWalk) addParam(name, typ string) {
	for _, p := range a.op.Query {
		if p.Name == name {
			return
		}
	}
	a.op.Query = append(a.op.Query, apiParam{Name: name, Type: typ})
}

func calleeName(call *ast.CallExpr) string {
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

func (a *apiWalk) callee(call *ast.CallExpr) *types.Func {
	var id *ast.Ident
	switch f := call.Fun.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	default:
		return nil
	}
	fn, _ := a.src.info.Uses[id].(*types.Func)
	return fn
}

// exprSchema is the schema of a value passed to writeJSON: a map literal
// with constant keys is an object of those keys, anything else the
// schema of its static type.
func (a *apiWalk) exprSchema(e ast.Expr, bound map[types.Object]binding) any {
	if id, ok := e.(*ast.Ident); ok {
		if b, ok := bound[a.src.info.Uses[id]]; ok && b.schema != nil {
			return b.schema
		}
	}
	if lit, ok := e.(*ast.CompositeLit); ok {
		if m, ok := a.src.info.Types[lit].Type.Underlying().(*types.Map); ok && isString(m.Key()) {
			props, req := map[string]any{}, []string{}
			for _, el := range lit.Elts {
				kv := el.(*ast.KeyValueExpr)
				k := a.src.info.Types[kv.Key]
				if k.Value == nil {
					return a.schemas.of(m)
				}
				name := constant.StringVal(k.Value)
				props[name] = a.exprSchema(kv.Value, bound)
				req = append(req, name)
			}
			sort.Strings(req)
			return map[string]any{"type": "object", "properties": props, "required": req, "additionalProperties": false}
		}
	}
	return a.schemas.of(a.src.info.Types[e].Type)
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

// summary is the first sentence of a handler's doc comment, without the
// handler's name.
func summary(fd *ast.FuncDecl) string {
	doc := strings.Join(strings.Fields(fd.Doc.Text()), " ")
	doc = strings.TrimPrefix(doc, fd.Name.Name+" ")
	if i := strings.Index(doc, ". "); i >= 0 {
		doc = doc[:i+1]
	}
	if doc == "" {
		return ""
	}
	r := []rune(doc)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// generateAPITypes builds openapi_types.json from the source.
func generateAPITypes(t testing.TB) []byte {
	src := loadAPISource(t)
	handlers := src.apiRouteHandlers(t)
	gen := newSchemaGen()
	doc := apiTypes{Operations: map[string]*apiOperation{}, Schemas: map[string]json.RawMessage{}}
	for pattern, fd := range handlers {
		op := &apiOperation{Handler: fd.Name.Name, Summary: summary(fd), Responses: map[string]map[string]json.RawMessage{}}
		a := &apiWalk{src: src, schemas: gen, seen: map[*ast.FuncDecl]bool{}, op: op, writes: map[string][]any{}}
		a.walk(fd, nil)
		if len(a.requests) > 0 {
			var alts []any
			for _, r := range a.requests {
				alts = appendUnique(alts, gen.of(r))
			}
			op.Request = oneOf(alts)
		}
		for status, alts := range a.writes {
			var uniq []any
			for _, s := range alts {
				uniq = appendUnique(uniq, s)
			}
			op.Responses[status] = map[string]json.RawMessage{"application/json": mustJSON(t, oneOf(uniq))}
		}
		for _, m := range a.media {
			if op.Responses["200"] == nil {
				op.Responses["200"] = map[string]json.RawMessage{}
			}
			op.Responses["200"][m] = json.RawMessage("null")
		}
		for _, status := range a.bare {
			if op.Responses[status] == nil {
				op.Responses[status] = map[string]json.RawMessage{}
			}
		}
		sort.Slice(op.Query, func(i, j int) bool { return op.Query[i].Name < op.Query[j].Name })
		doc.Operations[pattern] = op
	}
	// Every route may answer an error body.
	gen.of(src.pkg.Scope().Lookup("errorJSON").Type())
	for name, s := range gen.defs {
		doc.Schemas[name] = mustJSON(t, s)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func oneOf(alts []any) map[string]any {
	if len(alts) == 1 {
		return alts[0].(map[string]any)
	}
	return map[string]any{"oneOf": alts}
}

func appendUnique(list []any, s any) []any {
	for _, x := range list {
		if reflect.DeepEqual(x, s) {
			return list
		}
	}
	return append(list, s)
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// schemaGen turns Go types into JSON Schemas (draft 2020-12, as OpenAPI
// 3.1 uses), following encoding/json's rules: field names and options
// from json tags, embedded structs' fields promoted, time.Time a string,
// pointers nullable unless omitempty leaves them out.
type schemaGen struct {
	defs  map[string]map[string]any
	names map[string]string // component name -> the type it names
}

func newSchemaGen() *schemaGen {
	return &schemaGen{defs: map[string]map[string]any{}, names: map[string]string{}}
}

func (g *schemaGen) of(t types.Type) map[string]any {
	switch t.String() {
	case "time.Time":
		return map[string]any{"type": "string", "format": "date-time"}
	case "time.Duration":
		return map[string]any{"type": "integer", "description": "nanoseconds"}
	case "encoding/json.RawMessage", "any", "interface{}":
		return map[string]any{}
	}
	if n, ok := t.(*types.Named); ok {
		if _, isStruct := n.Underlying().(*types.Struct); isStruct {
			return g.ref(n)
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return basicSchema(u)
	case *types.Pointer:
		// A pointer to a struct is how a found record is passed around;
		// a pointer to a value is an optional value, null when absent.
		if _, ok := u.Elem().Underlying().(*types.Struct); ok {
			return g.of(u.Elem())
		}
		return nullable(g.of(u.Elem()))
	case *types.Slice:
		if b, ok := u.Elem().Underlying().(*types.Basic); ok && b.Kind() == types.Byte {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": g.of(u.Elem())}
	case *types.Array:
		return map[string]any{"type": "array", "items": g.of(u.Elem()), "minItems": u.Len(), "maxItems": u.Len()}
	case *types.Map:
		return map[string]any{"type": "object", "additionalProperties": g.of(u.Elem())}
	case *types.Struct:
		return g.structSchema(u)
	case *types.Interface:
		return map[string]any{}
	}
	return map[string]any{}
}

// ref names a struct type among the components, defining it once.
func (g *schemaGen) ref(n *types.Named) map[string]any {
	full := n.String()
	name := n.Obj().Name()
	if n.Obj().Pkg() != nil && n.Obj().Pkg().Name() != "web" {
		name = n.Obj().Pkg().Name() + "." + name
	}
	if targs := n.TypeArgs(); targs != nil {
		for i := range targs.Len() {
			name += "_" + strings.NewReplacer("*", "", "[]", "list_", ".", "_").Replace(types.TypeString(targs.At(i), func(p *types.Package) string { return p.Name() }))
		}
	}
	if other, ok := g.names[name]; ok && other != full {
		name = strings.ReplaceAll(full, "/", "_")
	}
	if _, ok := g.names[name]; !ok {
		g.names[name] = full
		g.defs[name] = nil // placeholder: recursive types refer to it
		g.defs[name] = g.structSchema(n.Underlying().(*types.Struct))
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func basicSchema(b *types.Basic) map[string]any {
	switch {
	case b.Info()&types.IsBoolean != 0:
		return map[string]any{"type": "boolean"}
	case b.Info()&types.IsInteger != 0:
		return map[string]any{"type": "integer"}
	case b.Info()&types.IsFloat != 0:
		return map[string]any{"type": "number"}
	case b.Info()&types.IsString != 0:
		return map[string]any{"type": "string"}
	}
	return map[string]any{}
}

// nullable lets a schema also be null.
func nullable(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok && len(s) == 1 {
		return map[string]any{"type": []any{typ, "null"}}
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

// structSchema follows encoding/json: exported fields, json tags, fields
// of embedded structs promoted (a field of the outer struct wins).
func (g *schemaGen) structSchema(st *types.Struct) map[string]any {
	props := map[string]any{}
	var required []string
	g.addFields(st, props, &required, map[string]bool{})
	sort.Strings(required)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func (g *schemaGen) addFields(st *types.Struct, props map[string]any, required *[]string, taken map[string]bool) {
	var embedded []*types.Struct
	for i := range st.NumFields() {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i)).Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type()
		if f.Embedded() && name == "" {
			if p, ok := ft.(*types.Pointer); ok {
				ft = p.Elem()
			}
			if es, ok := ft.Underlying().(*types.Struct); ok {
				embedded = append(embedded, es)
				continue
			}
		}
		if !f.Exported() {
			continue
		}
		if name == "" {
			name = f.Name()
		}
		if taken[name] {
			continue
		}
		taken[name] = true
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		var s map[string]any
		switch {
		case strings.Contains(opts, "string"):
			s = map[string]any{"type": "string"}
		case omit:
			if p, ok := ft.Underlying().(*types.Pointer); ok {
				s = g.of(p.Elem()) // nil is left out, never null
			} else {
				s = g.of(ft)
			}
		default:
			s = g.of(ft)
			*required = append(*required, name)
		}
		props[name] = s
	}
	for _, es := range embedded {
		g.addFields(es, props, required, taken)
	}
}

func TestOpenAPI_TypesUpToDate(t *testing.T) {
	got := generateAPITypes(t)
	const file = "openapi_types.json"
	// The flag is defined by the external test package (fixture_test.go).
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		var g, w apiTypes
		json.Unmarshal(got, &g)
		json.Unmarshal(want, &w)
		for p, op := range g.Operations {
			if wop, ok := w.Operations[p]; !ok {
				t.Errorf("%s (%s) is not in %s", p, op.Handler, file)
			} else if !reflect.DeepEqual(op, wop) {
				t.Errorf("%s (%s): what the handler reads or returns differs from %s", p, op.Handler, file)
			}
		}
		for p := range w.Operations {
			if _, ok := g.Operations[p]; !ok {
				t.Errorf("%s is in %s but no longer a route", p, file)
			}
		}
		for name, s := range g.Schemas {
			if !bytes.Equal(s, w.Schemas[name]) {
				t.Errorf("schema %s differs from %s", name, file)
			}
		}
		t.Errorf("%s is out of date: go test ./web -run TestOpenAPI_TypesUpToDate -update", file)
	}
}
