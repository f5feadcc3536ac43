package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/frontline-org/frontline"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Page templates. Each is parsed with layout.html and parts.html into a
// set of its own, so every page defines its own "content".
const (
	pageIndexName = "index"
	pagePlaceName = "place"
	pageErrorName = "error"
)

// parseTemplates parses every page of files (templates/*.html) once, at
// Open; an error stops the server from starting.
func (s *Server) parseTemplates(files fs.FS) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":   s.text,
		"num": formatNumber,
	}
	base, err := template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, name := range []string{pageIndexName, pagePlaceName, pageErrorName} {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if pages[name], err = t.ParseFS(files, "templates/"+name+".html"); err != nil {
			return nil, err
		}
	}
	return pages, nil
}

// layout is what every page's frame needs.
type layout struct {
	Lang    string
	Title   string
	Version string
}

func (s *Server) layout(lang, title string) layout {
	return layout{Lang: lang, Title: title, Version: s.Version}
}

// render executes a page into a buffer and writes it only when the whole
// page rendered, so a template error is a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) error {
	t := s.pages[name]
	if t == nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Err: fmt.Errorf("no page %q", name)}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Err: fmt.Errorf("render %s: %w", name, err)}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	// The pages load nothing from elsewhere and run no inline script; say
	// so, and a name that smuggles markup past the escaping still cannot
	// run or frame anything.
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) // a failed write means the client left
	return nil
}

// indexPage is the start page: the roots of the tree with their counts.
type indexPage struct {
	layout
	Places placeRows
}

// placeRows is a table of places; Total exceeds len(Rows) when the table
// shows only the first ones.
type placeRows struct {
	Lang  string
	Rows  []placeJSON
	Total int
}

// maxRows bounds the rows of a table on a page: a phone cannot show more
// usefully, and the API pages through the rest.
const maxRows = 500

func (s *Server) pageIndex(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	roots, total, err := s.Places.FindPlaces(r.Context(), frontline.PlaceFilter{Roots: true, Limit: maxRows})
	if err != nil {
		return err
	}
	title, err := s.text(lang, "index.title")
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageIndexName, indexPage{
		layout: s.layout(lang, title),
		Places: placeRows{Lang: lang, Rows: placesJSON(roots), Total: total},
	})
}

// placePage is a node: where it is, its counts, what is below it and, for
// a household, its members (masked).
type placePage struct {
	layout
	Place     placeJSON
	Ancestors []placeJSON
	Children  placeRows
	Household bool
	Members   []personJSON
}

func (s *Server) pagePlace(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	v, err := s.placeView(r.Context(), id, maxRows)
	if err != nil {
		return err
	}
	page := placePage{
		layout:    s.layout(lang, v.place.Name),
		Place:     newPlaceJSON(v.place),
		Ancestors: placesJSON(v.ancestors),
		Children:  placeRows{Lang: lang, Rows: placesJSON(v.children), Total: v.childrenTotal},
		Household: v.place.Kind == frontline.KindHousehold,
	}
	if page.Household {
		members, _, err := s.Persons.FindPersons(r.Context(), frontline.PersonFilter{HouseholdID: &id, Limit: maxRows})
		if err != nil {
			return err
		}
		page.Members = s.personsJSON(members)
	}
	return s.render(w, http.StatusOK, pagePlaceName, page)
}

// errorPage explains an error to a person.
type errorPage struct {
	layout
	Status  int
	Code    string
	Message string
}

// renderErrorPage writes the error page in the request's language: a
// heading by error code and the error's user-safe message.
func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, err error) error {
	lang := langOf(r)
	code := frontline.ErrorCode(err)
	title, terr := s.text(lang, "error."+code)
	if terr != nil {
		return terr
	}
	msg := frontline.ErrorMessage(err)
	if code == frontline.EINTERNAL {
		msg = "" // the heading says it all; "internal error" in English adds nothing
	}
	return s.render(w, status, pageErrorName, errorPage{layout: s.layout(lang, title), Status: status, Code: code, Message: msg})
}

// handleStatic serves the embedded stylesheet and scripts. Only regular
// files are served, so the directory is never listed.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	name := "static/" + r.PathValue("file")
	if info, err := fs.Stat(staticFiles, name); err != nil || info.IsDir() {
		return frontline.Errorf(frontline.ENOTFOUND, "no static file %q", r.PathValue("file"))
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeFileFS(w, r, staticFiles, name)
	return nil
}
