package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"

	"github.com/frontline-org/frontline"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Page templates. Each is parsed with layout.html and parts.html into a
// set of its own, so every page defines its own "content".
const (
	pageIndexName      = "index"
	pagePlaceName      = "place"
	pagePlaceEditName  = "place_edit"
	pagePersonName     = "person"
	pagePersonFormName = "person_form"
	pageRevealName     = "reveal"
	pageSearchName     = "search"
	pageLoginName      = "login"
	pageAccountName    = "account"
	pageUsersName      = "users"
	pageUserFormName   = "user_form"
	pageTokensName     = "tokens"
	pageTokenName      = "token"
	pageAuditName      = "audit"
	pageErrorName      = "error"
)

// pageNames lists every page template; Open refuses to start when one is
// missing or broken.
func pageNames() []string {
	return []string{
		pageIndexName, pagePlaceName, pagePlaceEditName, pagePersonName, pagePersonFormName, pageRevealName,
		pageSearchName, pageLoginName, pageAccountName, pageUsersName, pageUserFormName,
		pageTokensName, pageTokenName, pageAuditName, pageErrorName, pageConfirmName,
	}
}

// pageFuncs are the template functions of every page: the frame and the
// shared parts use them, and each workflow's pages add their own
// (parsePageSet).
func (s *Server) pageFuncs() template.FuncMap {
	return template.FuncMap{
		"t":     s.text,
		"num":   formatNumber,
		"when":  s.formatTime,
		"clock": s.formatClock,
		"field": fieldOf,
		// formToken is a fresh token for each form rendered (once.go).
		"formToken": newFormToken,
		"vulnCards": vulnCardsOf,
	}
}

// formatPercent writes a share as "12.5%".
func formatPercent(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" }

// parseTemplates parses every page of files (templates/*.html) once, at
// Open; an error stops the server from starting.
func (s *Server) parseTemplates(files fs.FS) (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(s.pageFuncs()).ParseFS(files, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, err
	}
	pages := make(map[string]*template.Template)
	for _, name := range pageNames() {
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

// layout is what every page's frame needs: the language, the title, and
// for a signed-in person the navigation their role may use and the CSRF
// token their forms carry.
type layout struct {
	Lang    string
	Title   string
	Version string
	// Path is the page's own path and query, where the language switch
	// and the sign-in form return to.
	Path string
	CSRF string
	User *navUser
	// Unread counts the open alerts the signed-in user has not seen
	// acknowledged; -1 when the server keeps no inbox.
	Unread int
	// TimeZone and UTCOffset are the deployment's time zone (an IANA name)
	// and its offset now in minutes, for the scripts that write a time:
	// never the phone's own zone.
	TimeZone  string
	UTCOffset int
}

// navUser is the signed-in person in the page header.
type navUser struct {
	Login string
	Role  frontline.Role
	Links []navLink
}

// navLink is one entry of the navigation; Label is a message id.
type navLink struct{ Href, Label, TestID string }

// navLinks returns the links a role may follow: a link the role cannot use
// is not shown.
func navLinks(role frontline.Role) []navLink {
	links := []navLink{{"/", "nav.home", "nav-home"}}
	if role.Can(frontline.PermReadRegistry) {
		links = append(links, navLink{"/search", "nav.search", "nav-search"})
	}
	if role.Can(frontline.PermManageUsers) {
		links = append(links, navLink{"/users", "nav.users", "nav-users"}, navLink{"/tokens", "nav.tokens", "nav-tokens"})
	}
	if role.Can(frontline.PermReadAudit) {
		links = append(links, navLink{"/audit", "nav.audit", "nav-audit"})
	}
	return append(links, navLink{"/account", "nav.account", "nav-account"})
}

// layout returns the frame of a page for r in lang.
func (s *Server) layout(r *http.Request, lang, title string) layout {
	_, offset := s.Now().In(s.Location).Zone()
	l := layout{Lang: lang, Title: title, Version: s.Version, Path: returnPath(r), TimeZone: s.Location.String(), UTCOffset: offset / 60}
	if c := callerFrom(r.Context()); c != nil {
		l.CSRF = c.csrf
		l.User = &navUser{Login: c.principal.Login, Role: c.principal.Role,
			Links: s.distributionLinks(s.medicineLinks(s.helpLinks(s.deliveryLinks(s.orderLinks(s.supplyLinks(s.dailyLinks(s.caseLinks(s.workforceLinks(s.testingLink(s.zoneLinks(s.screeningLink(navLinks(c.principal.Role), c.principal), c.principal), c.principal), c.principal), c.principal), c.principal), c.principal), c.principal), c.principal), c.principal), c.principal), c.principal)}
		l.Unread = s.unread(r)
	}
	return l
}

// returnPath is where the language switch of a page returns to: the page
// itself, or for a page that answers a form (a reveal, a form shown again
// with its errors), the page the form was on, since a POST cannot be
// repeated by a link.
func returnPath(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if u, err := url.Parse(r.Referer()); err == nil && u.Host == r.Host {
		return localPath(u.RequestURI())
	}
	return "/"
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
	h.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) // a failed write means the client left
	return nil
}

// redirect sends the browser to path after a form was handled, so that
// reloading the page does not post the form again.
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// errorPage explains an error to a person: a heading and an explanation
// by error code, both from the catalogue, and the field a bad request was
// about.
type errorPage struct {
	layout
	Status int
	Code   string
	Field  string
}

// renderErrorPage writes the error page in the request's language.
func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, err error) error {
	lang := langOf(r)
	code := frontline.ErrorCode(err)
	title, terr := s.text(lang, "error."+code)
	if terr != nil {
		return terr
	}
	page := errorPage{layout: s.layout(r, lang, title), Status: status, Code: code, Field: frontline.ErrorField(err)}
	return s.render(w, status, pageErrorName, page)
}

// handleStatic serves the embedded stylesheet and scripts. Only regular
// files are served, so the directory is never listed.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	name := "static/" + r.PathValue("file")
	if info, err := fs.Stat(staticFiles, name); err != nil || info.IsDir() {
		return frontline.Errorf(frontline.ENOTFOUND, "no static file %q", r.PathValue("file"))
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	// A script is run only as a script, a stylesheet only as a stylesheet.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeFileFS(w, r, staticFiles, name)
	return nil
}
