package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// Importing resident lists on the web: the office uploads a file, sees
// what it holds (sheet, header row, first rows, every bad row), then
// imports all of it or its good rows. The check is answered at once; the
// import runs in the background while the page shows how it goes. The
// file is kept in the database between the two (several app servers may
// answer) and dropped when the import ends.

// pageImportName is the import page.
const pageImportName = "import"

// maxUploadBytes bounds an uploaded resident list: 1,000,000 rows of CSV
// take about 100 MiB.
const maxUploadBytes = 256 << 20

// previewRows is how many rows the check shows as understood.
const previewRows = 10

// registerImport registers the import page and its API when the server
// has the services.
func (s *Server) registerImport() {
	if s.Uploads == nil || s.Imports == nil {
		return
	}
	if err := s.parsePageSet(nil, []string{pageImportName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	imp := Needs(frontline.PermImportExport)
	s.route("GET /registry/import", imp, s.pageImport)
	s.route("POST /registry/import", imp, s.postImport)
	s.route("GET /registry/import/{id}", imp, s.pageUpload)
	s.route("POST /registry/import/{id}/run", imp, s.postRunUpload)
	s.route("GET /registry/import/{id}/skipped.csv", imp, s.skippedCSV)
	s.route("POST /api/v1/imports", imp, s.apiCreateUpload)
	s.route("GET /api/v1/imports/{id}", imp, s.apiUpload)
	s.route("POST /api/v1/imports/{id}/run", imp, s.apiRunUpload)
	s.route("GET /api/v1/imports/{id}/skipped.csv", imp, s.skippedCSV)
}

// isUpload reports whether a request carries a resident list, whose body
// may be larger than a form's.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/registry/import" || r.URL.Path == "/api/v1/imports")
}

// importPage is the upload form, a checked upload, a running one or its
// result.
type importPage struct {
	layout
	Under  *frontline.Place
	Upload *frontline.ResidentUpload
	Errors []rowErrorView
	// MoreErrors counts the problems found past those listed.
	MoreErrors int
	Progress   *frontline.ImportProgress
	Changes    []frontline.ImportChange
	Running    bool
	Message    string // a problem with the upload itself
	HasFile    bool
	CanRun     bool // checked, with good rows
	AllClean   bool // checked, without a bad row: "import all" is offered
}

// rowErrorView is one problem as the page shows it.
type rowErrorView struct {
	Row            int
	Column, Reason string
}

// maxShownChanges bounds the changes a page lists.
const maxShownChanges = 200

func (s *Server) pageImport(w http.ResponseWriter, r *http.Request) error {
	under, err := s.importUnder(r, r.URL.Query().Get("under"))
	if err != nil {
		return err
	}
	return s.renderImport(w, r, http.StatusOK, importPage{Under: under})
}

// importUnder is the place a list goes under: the one named, or the
// caller's scope.
func (s *Server) importUnder(r *http.Request, v string) (*frontline.Place, error) {
	id := callerFrom(r.Context()).principal.ScopeID
	if v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, frontline.FieldError("under", "under must be a place id")
		}
		id = n
	}
	p, err := s.Places.FindPlaceByID(r.Context(), id)
	return p, notFoundIn(err, "under")
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, page importPage) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "import.title")
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	if u := page.Upload; u != nil {
		page.Running = u.Status == frontline.UploadRunning
		if page.Running {
			page.Progress = u.Progress
		}
		if u.Status == frontline.UploadFailed && u.Error == frontline.UploadInterrupted {
			u.Error, _ = s.text(lang, "import.interrupted")
		}
		if u.Preview != nil && u.Preview.Check != nil {
			c := u.Preview.Check
			for _, e := range c.Errors {
				page.Errors = append(page.Errors, rowErrorView{Row: e.Row, Column: e.Column, Reason: s.reason(lang, e.Message)})
			}
			page.MoreErrors = c.MoreErrors
			page.CanRun = u.Status == frontline.UploadChecked && c.Imported > 0
			page.AllClean = page.CanRun && len(c.Errors) == 0 && c.MoreErrors == 0
			page.Changes = c.Changes[:min(len(c.Changes), maxShownChanges)]
		}
		if u.Result != nil {
			page.Changes = u.Result.Changes[:min(len(u.Result.Changes), maxShownChanges)]
		}
	}
	return s.render(w, status, pageImportName, page)
}

// readUpload reads the file of a multipart form (fields under, sheet and
// file) into memory, without the temporary files net/http would write for
// a big one: the list must not stay on the server's disk.
func readUpload(r *http.Request) (name, under, sheet string, data []byte, err error) {
	c := callerFrom(r.Context())
	mr := c.upload
	under, sheet = strings.TrimSpace(c.uploadFields["under"]), strings.TrimSpace(c.uploadFields["sheet"])
	if mr == nil {
		if mr, err = r.MultipartReader(); err != nil {
			return "", "", "", nil, frontline.Errorf(frontline.EINVALID, "send the list as a file from the form")
		}
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return "", "", "", nil, tooLarge(err)
		}
		switch part.FormName() {
		case "under", "sheet":
			b, err := io.ReadAll(io.LimitReader(part, 1<<10))
			if err != nil {
				return "", "", "", nil, tooLarge(err)
			}
			if part.FormName() == "under" {
				under = strings.TrimSpace(string(b))
			} else {
				sheet = strings.TrimSpace(string(b))
			}
		case "file":
			name = part.FileName()
			if data, err = io.ReadAll(part); err != nil {
				return "", "", "", nil, tooLarge(err)
			}
		}
	}
	return name, under, sheet, data, nil
}

func (s *Server) postImport(w http.ResponseWriter, r *http.Request) error {
	name, underID, sheet, data, err := readUpload(r)
	if err != nil {
		return err
	}
	under, err := s.importUnder(r, underID)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return s.renderImport(w, r, http.StatusBadRequest, importPage{Under: under, Message: "import.nofile"})
	}
	u, err := s.checkUpload(r.Context(), name, sheet, under, data)
	if frontline.ErrorCode(err) == frontline.EINVALID && u == nil {
		lang := pickLang(w, r)
		msg, _ := s.text(lang, "import.unreadable")
		return s.renderImport(w, r, http.StatusBadRequest, importPage{Under: under, Message: msg + " " + frontline.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/registry/import/%d", u.ID))
}

// checkUpload reads a list, checks it against the registry without
// writing (a dry run that keeps going past bad rows, so every problem is
// found) and keeps the file for the import. A file that cannot be read at
// all is an EINVALID error and nothing is kept.
func (s *Server) checkUpload(ctx context.Context, name, sheet string, under *frontline.Place, data []byte) (*frontline.ResidentUpload, error) {
	f, err := residentfile.Open(name, data, residentfile.ReadOptions{Sheet: sheet, Under: under.Kind, Now: s.Now()})
	if err != nil {
		return nil, err
	}
	check, err := s.Imports.ImportResidents(ctx, f, frontline.ImportOptions{Under: under.ID, DryRun: true, SkipBad: true})
	if check == nil {
		return nil, err
	}
	preview := &frontline.ImportPreview{Sheet: f.Sheet, HeaderRow: f.HeaderRow, Header: residentfile.ExportHeader(),
		Unknown: f.Unknown, Check: check}
	for i := range f.Sample[:min(len(f.Sample), previewRows)] {
		row := f.Sample[i]
		row.Person.IDNumber, row.Person.Phone = frontline.MaskIDNumber(row.Person.IDNumber), frontline.MaskPhone(row.Person.Phone)
		preview.FirstRows = append(preview.FirstRows, residentfile.ExportRow(&row))
	}
	u := &frontline.ResidentUpload{Name: name, Sheet: sheet, Under: under.ID, Preview: preview}
	if err := s.Uploads.CreateUpload(ctx, u, data); err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Server) pageUpload(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	u, err := s.Uploads.FindUpload(r.Context(), id)
	if err != nil {
		return err
	}
	under, err := s.Places.FindPlaceByID(r.Context(), u.Under)
	if err != nil {
		return err
	}
	return s.renderImport(w, r, http.StatusOK, importPage{Under: under, Upload: u})
}

func (s *Server) postRunUpload(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"mode"})
	if err != nil {
		return err
	}
	if err := s.runUpload(r.Context(), id, f.Values["mode"]); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/registry/import/%d", id))
}

// runUpload starts the import of a checked upload in the background:
// mode "all" imports nothing unless every row is good, "good" the good
// rows. The import writes in batches, other users' writes going between
// them, and ends with all of its rows or none (sqldb.ImportService); the
// request that starts it answers at once, and the page shows how far it
// has got.
func (s *Server) runUpload(ctx context.Context, id int64, mode string) error {
	if mode != "all" && mode != "good" {
		return frontline.FieldError("mode", "the mode is all or good")
	}
	u, err := s.Uploads.FindUpload(ctx, id)
	if err != nil {
		return err
	}
	under, err := s.Places.FindPlaceByID(ctx, u.Under)
	if err != nil {
		return err
	}
	data, err := s.Uploads.StartUpload(ctx, id)
	if err != nil {
		return err
	}
	// The import outlives the request, as the caller who started it.
	job := context.WithoutCancel(ctx)
	go s.importUpload(job, u, under, data, mode == "good")
	return nil
}

// importUpload imports an upload and records how it ended.
func (s *Server) importUpload(ctx context.Context, u *frontline.ResidentUpload, under *frontline.Place, data []byte, skipBad bool) {
	res, skipped, err := s.importData(ctx, u, under, data, skipBad)
	failure := ""
	if err != nil {
		failure = frontline.ErrorMessage(err)
		if frontline.ErrorCode(err) == frontline.EINTERNAL {
			s.Logger.ErrorContext(ctx, "import of an upload failed", "upload", u.ID, "err", err)
		}
	}
	if err := s.Uploads.FinishUpload(ctx, u.ID, res, failure, skipped); err != nil {
		s.Logger.ErrorContext(ctx, "recording the end of an import failed", "upload", u.ID, "err", err)
	}
}

func (s *Server) importData(ctx context.Context, u *frontline.ResidentUpload, under *frontline.Place, data []byte, skipBad bool) (*frontline.ImportResult, []byte, error) {
	f, err := residentfile.Open(u.Name, data, residentfile.ReadOptions{Sheet: u.Sheet, Under: under.Kind, Now: s.Now()})
	if err != nil {
		return nil, nil, err
	}
	opts := frontline.ImportOptions{Under: under.ID, SkipBad: skipBad, Upload: u.ID}
	if u.Preview != nil && u.Preview.Check != nil {
		opts.Total = u.Preview.Check.Rows
	}
	res, err := s.Imports.ImportResidents(ctx, f, opts)
	if err != nil {
		return res, nil, err
	}
	if res.Skipped == 0 {
		return res, nil, nil
	}
	var buf bytes.Buffer
	if err := residentfile.WriteSkipped(&buf, data, u.Sheet, f, res.Errors, res.SkippedRows); err != nil {
		return res, nil, err
	}
	return res, buf.Bytes(), nil
}

// skippedCSV downloads the rows an import skipped, with their reasons.
func (s *Server) skippedCSV(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	data, err := s.Uploads.SkippedFile(r.Context(), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("skipped-%d.csv", id)}))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(data) // a failed write means the client left
	return nil
}

// uploadResponse is an upload as the API answers it.
type uploadResponse struct {
	Upload *frontline.ResidentUpload `json:"upload"`
}

// apiCreateUpload checks a resident list sent as the body (?under=,
// ?name= the file's name, ?sheet=) and keeps it for the import.
func (s *Server) apiCreateUpload(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	under, err := s.importUnder(r, q.Get("under"))
	if err != nil {
		return err
	}
	name := q.Get("name")
	if name == "" {
		name = "upload.csv"
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return tooLarge(err)
	}
	u, err := s.checkUpload(r.Context(), name, q.Get("sheet"), under, data)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, uploadResponse{Upload: u})
}

// apiUpload returns an upload: its check, and how its import goes.
func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	u, err := s.Uploads.FindUpload(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, uploadResponse{Upload: u})
}

// runInput is the body of POST /api/v1/imports/{id}/run.
type runInput struct {
	Mode string `json:"mode"` // all or good
}

// apiRunUpload starts the import of a checked upload; GET the upload to
// follow it.
func (s *Server) apiRunUpload(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in runInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.runUpload(r.Context(), id, in.Mode); err != nil {
		return err
	}
	u, err := s.Uploads.FindUpload(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusAccepted, uploadResponse{Upload: u})
}
