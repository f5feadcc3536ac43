package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// auditLimit is the number of entries on one page of the audit log.
const auditLimit = 100

// auditEntities and auditActions are what the audit search offers to
// filter by.
func auditEntities() []string { return []string{"person", "place", "user", "token"} }

func auditActions() []string {
	return []string{"create", "update", "move", "move_out", "reveal", "import", "login", "lock",
		"logout_all", "password", "disable", "enable", "revoke", "retire"}
}

// auditFilter reads the search of the audit log from the query, the same
// for the page, the CSV export and the API.
func (s *Server) auditFilter(q *params) frontline.ChangeFilter {
	return frontline.ChangeFilter{
		Under: q.id("under"), Actor: q.text("actor"), Entity: q.text("entity"), EntityID: q.id("entity_id"),
		Action: q.text("action"), From: q.day("from", s.Location, false), To: q.day("to", s.Location, true),
	}
}

// auditPage searches the audit log within the caller's scope.
type auditPage struct {
	layout
	Query    url.Values
	Entities []string
	Actions  []string
	Changes  changeTable
	Total    int
	From, To int
	Prev     string
	Next     string
	Export   string
	// Retention links the retention rules and purge certificates, when
	// the server has them.
	Retention bool
}

func (s *Server) pageAudit(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	f := s.auditFilter(q)
	offset := q.number("offset", 0, 0, 10_000_000)
	if err := q.check(); err != nil {
		return err
	}
	f.Offset, f.Limit = offset, auditLimit
	changes, total, err := s.Audit.FindChanges(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	title, err := s.text(lang, "audit.title")
	if err != nil {
		return err
	}
	query := r.URL.Query()
	query.Del("offset")
	query.Del("lang")
	page := auditPage{
		layout: s.layout(r, lang, title), Query: query, Entities: auditEntities(), Actions: auditActions(),
		Changes: changeTable{Lang: lang, Rows: s.changeRows(lang, changes)}, Total: total, From: offset + 1, To: offset + len(changes),
		Export: "/audit/export.csv?" + query.Encode(), Retention: s.Retention != nil,
	}
	page.Prev, page.Next = pageLinks("/audit", query, offset, len(changes), auditLimit, total)
	return s.render(w, http.StatusOK, pageAuditName, page)
}

// exportAudit writes the entries of a search as CSV, newest first, with a
// byte-order mark so that Excel on Chinese Windows reads it as UTF-8. It
// streams from one snapshot of the log without paging, so an export of a
// month of a city does not hold it all in memory.
func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	q := newParams(r)
	f := s.auditFilter(q)
	if err := q.check(); err != nil {
		return err
	}
	head := make([]string, 0, 10)
	for _, col := range []string{"id", "at", "actor", "addr", "action", "entity", "entity_id", "place_path", "before", "after"} {
		t, err := s.text(lang, "audit.col."+col)
		if err != nil {
			return err
		}
		head = append(head, t)
	}
	ew := &exportWriter{w: w, name: "audit.csv"}
	cw := csv.NewWriter(ew)
	ew.prefix = "\uFEFF"
	cw.Write(head)
	err := s.Audit.WalkChanges(r.Context(), f, func(c *frontline.Change) error {
		c = maskedChange(c)
		// Names and places were typed by people: none may run in a spreadsheet.
		return cw.Write([]string{
			strconv.FormatInt(c.ID, 10), c.At.In(s.Location).Format("2006-01-02 15:04:05"), residentfile.SafeCell(c.Actor), c.Addr,
			c.Action, c.Entity, strconv.FormatInt(c.EntityID, 10), residentfile.SafeCell(c.PlacePath), residentfile.SafeCell(jsonText(c.Before)), residentfile.SafeCell(jsonText(c.After)),
		})
	})
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil && !ew.started {
		return notFoundIn(err, "under")
	}
	// Once the first bytes are out the status is sent; a failure now can
	// only cut the file short, and the log says why.
	if err != nil {
		s.Logger.ErrorContext(r.Context(), "audit export cut short", "err", err)
	}
	return nil
}

// exportWriter holds back the response headers until the first row is
// written, so that a search refused before any row (an unknown under=)
// still answers with a proper error.
type exportWriter struct {
	w       http.ResponseWriter
	name    string
	prefix  string
	started bool
}

// Write buffers the header row and starts the response with the first
// entry, or when the search found nothing at Flush.
func (e *exportWriter) Write(p []byte) (int, error) {
	if !e.started {
		e.started = true
		h := e.w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+e.name+`"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if _, err := e.w.Write([]byte(e.prefix)); err != nil {
			return 0, err
		}
	}
	return e.w.Write(p)
}

// jsonText writes recorded fields as compact JSON, "" for none.
func jsonText(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ""
	}
	return string(b)
}

// changesResponse is the body of GET /api/v1/audit.
type changesResponse struct {
	Changes []*frontline.Change `json:"changes"`
	listJSON
}

// apiAudit searches the audit log within the caller's scope.
func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := s.auditFilter(q)
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Offset, f.Limit = pg.Offset, pg.Limit
	changes, total, err := s.Audit.FindChanges(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	out := make([]*frontline.Change, len(changes))
	for i, c := range changes {
		out[i] = maskedChange(c)
	}
	return writeJSON(w, http.StatusOK, changesResponse{Changes: out, listJSON: listJSON{Total: total, page: pg}})
}
