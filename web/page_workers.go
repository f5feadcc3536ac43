package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// The workers' registry: the list under a node with the import of a
// department's list, and the form of one worker.

// workforcePlace returns the node a workforce page is about: ?place=, else the
// caller's scope.
func (s *Server) workforcePlace(ctx context.Context, q *params) (*frontline.Place, error) {
	id := q.id("place")
	if err := q.check(); err != nil {
		return nil, err
	}
	if id == nil {
		if p := frontline.PrincipalFrom(ctx); p != nil {
			id = &p.ScopeID
		} else {
			return nil, frontline.FieldError("place", "say which place")
		}
	}
	place, err := s.Places.FindPlaceByID(ctx, *id)
	return place, notFoundIn(err, "place")
}

// workersPage lists the workers registered at or under a node.
type workersPage struct {
	layout
	Place   *frontline.Place
	Rows    []workerRow
	Total   int
	Query   string
	Kind    string
	Kinds   []string
	Today   string
	Import  *frontline.WorkerImportResult
	Problem string // message id of a list that could not be read at all
	Form    form
}

// workerRow is a worker as lists show them: the phone masked.
type workerRow struct {
	*frontline.Worker
	Phone     string
	Available bool // today
	Tested    bool // a negative test within the rules' window
}

// maxWorkerRows bounds one page of workers.
const maxWorkerRows = 500

func (s *Server) pageWorkers(w http.ResponseWriter, r *http.Request) error {
	return s.renderWorkers(w, r, nil, "", newForm(), http.StatusOK)
}

func (s *Server) renderWorkers(w http.ResponseWriter, r *http.Request, res *frontline.WorkerImportResult, problem string, f form, status int) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "workers.title")
	if err != nil {
		return err
	}
	page := workersPage{layout: s.layout(r, lang, title), Place: place, Query: orZero(q.text("q")), Kind: orZero(q.text("kind")),
		Today: s.Now().In(s.Location).Format(frontline.DateLayout), Import: res, Problem: problem, Form: f}
	for _, k := range frontline.WorkerKinds {
		page.Kinds = append(page.Kinds, string(k))
	}
	filter := frontline.WorkerFilter{Under: &place.ID, Query: page.Query, Limit: maxWorkerRows}
	if page.Kind != "" {
		k := frontline.WorkerKind(page.Kind)
		filter.Kind = &k
	}
	ws, total, err := s.Workers.FindWorkers(r.Context(), filter)
	if err != nil {
		return err
	}
	rules, err := s.Roster.RosterRules(r.Context())
	if err != nil {
		return err
	}
	page.Total = total
	for _, wk := range ws {
		page.Rows = append(page.Rows, workerRow{Worker: wk, Phone: frontline.MaskPhone(wk.Phone), Available: wk.AvailableOn(page.Today),
			Tested: wk.TestedWithin(s.Now(), rules.TestWithin)})
	}
	return s.render(w, status, pageWorkersName, page)
}

// postImportWorkers imports a department's list uploaded as a file. A list
// with any bad row imports nothing: the page shows every problem by row
// and column; "check only" writes nothing either way.
func (s *Server) postImportWorkers(w http.ResponseWriter, r *http.Request) error {
	file, header, err := r.FormFile("file")
	f := newForm()
	for _, k := range []string{"kind", "unit"} {
		f.Values[k] = strings.TrimSpace(r.FormValue(k))
	}
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return s.renderWorkers(w, r, nil, "workers.import.nofile", f, http.StatusBadRequest)
		}
		return frontline.Errorf(frontline.EINVALID, "cannot read the upload: %v", err)
	}
	defer file.Close()
	rows, err := residentfile.ReadWorkers(header.Filename, io.LimitReader(file, maxBodyBytes), r.FormValue("sheet"))
	if frontline.ErrorCode(err) == frontline.EINVALID {
		return s.renderWorkers(w, r, nil, "workers.import.unreadable", f, http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	res, err := s.Workers.ImportWorkers(r.Context(), rows, frontline.WorkerImport{PlaceID: place.ID,
		Kind: frontline.WorkerKind(f.Values["kind"]), Unit: f.Values["unit"], DryRun: r.FormValue("dry_run") != ""})
	switch {
	case res != nil && frontline.ErrorCode(err) == frontline.EINVALID:
		return s.renderWorkers(w, r, res, "", f, http.StatusBadRequest)
	case frontline.ErrorField(err) == "kind":
		f.Errors["kind"] = "workers.error.kind"
		return s.renderWorkers(w, r, nil, "", f, http.StatusBadRequest)
	case err != nil:
		return err
	}
	return s.renderWorkers(w, r, res, "", f, http.StatusOK)
}

// workerFormPage is the form of a new or existing worker.
type workerFormPage struct {
	layout
	Worker *frontline.Worker // nil for a new one
	Place  *frontline.Place
	Form   form
	Kinds  []string
	Skills []string // the fixed skills, as checkboxes
	Saved  bool
}

// workerFields are the fields of the worker form.
var workerFields = []string{"name", "phone", "kind", "unit", "langs", "days", "off", "last_negative", "remark", "account"}

// workerFieldNames maps the store's fields to the form's.
var workerFieldNames = map[string]string{"note": "remark", "skills": "langs", "user_id": "account"}

func (s *Server) newWorkerFormPage(r *http.Request, lang, titleID string, f form) (workerFormPage, error) {
	title, err := s.text(lang, titleID)
	if err != nil {
		return workerFormPage{}, err
	}
	page := workerFormPage{layout: s.layout(r, lang, title), Form: f,
		Skills: []string{frontline.SkillSampling, frontline.SkillDriving, frontline.SkillFirstAid}}
	for _, k := range frontline.WorkerKinds {
		page.Kinds = append(page.Kinds, string(k))
	}
	return page, nil
}

func (s *Server) pageNewWorker(w http.ResponseWriter, r *http.Request) error {
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	f := newForm()
	f.Values["kind"] = string(frontline.WorkerVolunteer)
	page, err := s.newWorkerFormPage(r, lang, "worker.new", f)
	if err != nil {
		return err
	}
	page.Place = place
	return s.render(w, http.StatusOK, pageWorkerFormName, page)
}

func (s *Server) pageWorker(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	wk, err := s.Workers.FindWorkerByID(r.Context(), id)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	page, err := s.newWorkerFormPage(r, lang, "worker.edit", s.workerForm(wk))
	if err != nil {
		return err
	}
	page.Worker, page.Place, page.Saved = wk, wk.Place, r.URL.Query().Get("saved") != ""
	return s.render(w, http.StatusOK, pageWorkerFormName, page)
}

// workerForm fills the form with a worker, the phone masked: it is
// changed only when a new one is typed.
func (s *Server) workerForm(wk *frontline.Worker) form {
	f := newForm()
	v := f.Values
	v["name"], v["phone"], v["kind"], v["unit"], v["remark"], v["account"] = wk.Name, frontline.MaskPhone(wk.Phone), string(wk.Kind), wk.Unit, wk.Note, wk.Login
	v["days"], v["off"] = strings.Join(wk.Days, ", "), strings.Join(wk.Off, ", ")
	if !wk.LastNegative.IsZero() {
		v["last_negative"] = wk.LastNegative.In(s.Location).Format(localMinute)
	}
	var langs []string
	for _, sk := range wk.Skills {
		if name, ok := strings.CutPrefix(sk, frontline.SkillLanguage); ok {
			langs = append(langs, name)
		} else {
			f.Checked["skills."+sk] = true
		}
	}
	v["langs"] = strings.Join(langs, ", ")
	f.Checked["retired"] = wk.Retired
	return f
}

// workerUpdateOf reads the worker form into an update. A phone still
// masked as shown is left as it is.
func (s *Server) workerUpdateOf(ctx context.Context, r *http.Request, f form, old *frontline.Worker) (frontline.WorkerUpdate, error) {
	v := f.Values
	upd := frontline.WorkerUpdate{Name: ptrOf(v["name"]), Unit: ptrOf(v["unit"]), Note: ptrOf(v["remark"])}
	if old == nil || v["phone"] != frontline.MaskPhone(old.Phone) {
		upd.Phone = ptrOf(v["phone"])
	}
	kind := frontline.WorkerKind(v["kind"])
	upd.Kind = &kind
	skills := slices.Clone(r.PostForm["skills"])
	for _, l := range splitList(v["langs"]) {
		skills = append(skills, frontline.SkillLanguage+l)
	}
	upd.Skills = &skills
	days, off := splitList(v["days"]), splitList(v["off"])
	upd.Days, upd.Off = &days, &off
	if v["last_negative"] != "" {
		t, err := time.ParseInLocation(localMinute, v["last_negative"], s.Location)
		if err != nil {
			return upd, frontline.FieldError("last_negative", "%q is not a date and time", v["last_negative"])
		}
		upd.LastNegative = &t
	} else if old != nil && !old.LastNegative.IsZero() {
		upd.LastNegative = &time.Time{}
	}
	if old != nil {
		retired := f.Checked["retired"]
		upd.Retired = &retired
	}
	if old == nil || v["account"] != old.Login {
		var id int64
		if v["account"] != "" {
			login := strings.ToLower(v["account"])
			users, _, err := s.Users.FindUsers(ctx, frontline.UserFilter{Login: &login})
			if frontline.ErrorCode(err) == frontline.EFORBIDDEN {
				// Accounts are the business of those who manage users.
				return upd, &frontline.Error{Code: frontline.EFORBIDDEN, Field: "account", Message: frontline.ErrorMessage(err)}
			} else if err != nil {
				return upd, err
			}
			if len(users) != 1 {
				return upd, &frontline.Error{Code: frontline.ENOTFOUND, Field: "account", Message: "no account " + login + " in your area"}
			}
			id = users[0].ID
		}
		upd.UserID = &id
	}
	return upd, nil
}

// splitList splits what a person typed as a list: commas (either width),
// 、 and spaces separate.
func splitList(s string) []string {
	return strings.FieldsFunc(frontline.FoldWidth(s), func(r rune) bool { return r == ',' || r == '、' || r == ' ' || r == ';' })
}

func ptrOf[T any](v T) *T { return &v }

func (s *Server) postNewWorker(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, workerFields, "skills")
	if err != nil {
		return err
	}
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	wk := &frontline.Worker{PlaceID: place.ID}
	upd, err := s.workerUpdateOf(r.Context(), r, f, nil)
	if err == nil {
		upd.Apply(wk)
		if err = s.Workers.CreateWorker(r.Context(), wk); err == nil {
			return redirect(w, r, "/workers/"+strconv.FormatInt(wk.ID, 10)+"?saved=1")
		}
	}
	if err := s.formError(f, renameField(err, workerFieldNames), workerFields); err != nil {
		return err
	}
	lang := pickLang(w, r)
	page, err := s.newWorkerFormPage(r, lang, "worker.new", f)
	if err != nil {
		return err
	}
	page.Place = place
	return s.render(w, http.StatusBadRequest, pageWorkerFormName, page)
}

func (s *Server) postWorker(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, workerFields, "skills", "retired")
	if err != nil {
		return err
	}
	old, err := s.Workers.FindWorkerByID(r.Context(), id)
	if err != nil {
		return err
	}
	upd, err := s.workerUpdateOf(r.Context(), r, f, old)
	if err == nil {
		if _, err = s.Workers.UpdateWorker(r.Context(), id, upd); err == nil {
			return redirect(w, r, "/workers/"+strconv.FormatInt(id, 10)+"?saved=1")
		}
	}
	if err := s.formError(f, renameField(err, workerFieldNames), workerFields); err != nil {
		return err
	}
	lang := pickLang(w, r)
	page, err := s.newWorkerFormPage(r, lang, "worker.edit", f)
	if err != nil {
		return err
	}
	page.Worker, page.Place = old, old.Place
	return s.render(w, http.StatusBadRequest, pageWorkerFormName, page)
}
