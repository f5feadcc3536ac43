package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/residentfile"
)

// riskAreasPage is the risk-area list as it stands on a day (each area's
// record that counts), and for those who may, the import form with the
// problems of a refused list by row and column.
type riskAreasPage struct {
	layout
	Day       string
	Areas     []*frontline.RiskArea
	Total     int
	CanManage bool
	CanRead   bool // may read the measure rules
	// Import is the answer to an import: what was imported, or every
	// problem found (and nothing imported).
	Import  *frontline.ImportResult
	Problem string // message id of a file that could not be read at all
}

// maxAreaRows bounds one list page; a national list has a few hundred
// areas at its worst.
const maxAreaRows = 1000

func (s *Server) pageRiskAreas(w http.ResponseWriter, r *http.Request) error {
	return s.renderRiskAreas(w, r, nil, "", http.StatusOK)
}

func (s *Server) renderRiskAreas(w http.ResponseWriter, r *http.Request, res *frontline.ImportResult, problem string, status int) error {
	day := r.URL.Query().Get("on")
	if !validDay(day) {
		day = s.Now().In(s.Location).Format(frontline.DateLayout)
	}
	areas, total, err := s.RiskAreas.FindRiskAreas(r.Context(), frontline.RiskAreaFilter{On: day, Current: true, Limit: maxAreaRows})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "riskarea.title")
	if err != nil {
		return err
	}
	p := callerFrom(r.Context()).principal
	page := riskAreasPage{layout: s.layout(r, lang, title), Day: day, Areas: areas, Total: total, Import: res, Problem: problem,
		CanManage: p.Can(frontline.PermManageScreening), CanRead: p.Can(frontline.PermReadReports)}
	return s.render(w, status, pageRiskAreasName, page)
}

// validDay reports whether s is a date YYYY-MM-DD.
func validDay(s string) bool {
	_, err := time.Parse(frontline.DateLayout, s)
	return err == nil
}

// postImportRiskAreas imports a list uploaded as a file (CSV in UTF-8 or
// GBK, or XLSX). A list with any bad row imports nothing: the page shows
// every problem by row and column; "check only" writes nothing either way.
func (s *Server) postImportRiskAreas(w http.ResponseWriter, r *http.Request) error {
	file, header, err := r.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			return s.renderRiskAreas(w, r, nil, "riskarea.import.nofile", http.StatusBadRequest)
		}
		return tooLarge(&frontline.Error{Code: codeMalformed, Message: "the upload cannot be read; choose the file again", Err: err})
	}
	defer file.Close()
	rows, err := residentfile.ReadRiskAreas(header.Filename, io.LimitReader(file, maxBodyBytes), r.FormValue("sheet"))
	if frontline.ErrorCode(err) == frontline.EINVALID {
		return s.renderRiskAreas(w, r, nil, "riskarea.import.unreadable", http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	res, err := s.RiskAreas.ImportRiskAreas(r.Context(), rows, r.FormValue("dry_run") != "")
	if res != nil && frontline.ErrorCode(err) == frontline.EINVALID {
		return s.renderRiskAreas(w, r, res, "", http.StatusBadRequest)
	} else if err != nil {
		return err
	}
	return s.renderRiskAreas(w, r, res, "", http.StatusOK)
}

// riskHistoryPage is every record of one area, newest first, with the one
// that counts today marked: how a past classification is explained.
type riskHistoryPage struct {
	layout
	Key       string
	Name      string
	Records   []*frontline.RiskArea
	CountsID  int64 // the record that counts today; 0 when none covers today
	CanManage bool
}

func (s *Server) pageRiskHistory(w http.ResponseWriter, r *http.Request) error {
	key := r.URL.Query().Get("key")
	if key == "" {
		return frontline.FieldError("key", "say which area")
	}
	records, _, err := s.RiskAreas.FindRiskAreas(r.Context(), frontline.RiskAreaFilter{Key: &key, Limit: maxAreaRows})
	if err != nil {
		return err
	}
	if len(records) == 0 {
		return frontline.Errorf(frontline.ENOTFOUND, "no records of area %q", key)
	}
	lang := pickLang(w, r)
	page := riskHistoryPage{layout: s.layout(r, lang, records[0].Name), Key: key, Name: records[0].Name, Records: records,
		CanManage: callerFrom(r.Context()).principal.Can(frontline.PermManageScreening)}
	today := s.Now().In(s.Location).Format(frontline.DateLayout)
	for _, a := range records { // newest first: the first covering today counts
		if a.Covers(today) {
			page.CountsID = a.ID
			break
		}
	}
	return s.render(w, http.StatusOK, pageRiskHistoryName, page)
}

// riskFormPage adds a record: a new area, or a new notice about one (a
// change is always a new record; the earlier ones stay).
type riskFormPage struct {
	layout
	Form   form
	Levels []frontline.RiskLevel
}

// riskAreaFields are the fields of the risk-area form.
var riskAreaFields = []string{"name", "code", "level", "valid_from", "valid_to", "source"}

// pageNewRiskArea shows the form, filled from the area's newest record
// when key= names one.
func (s *Server) pageNewRiskArea(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	f.Values["valid_from"] = s.Now().In(s.Location).Format(frontline.DateLayout)
	if key := r.URL.Query().Get("key"); key != "" {
		records, _, err := s.RiskAreas.FindRiskAreas(r.Context(), frontline.RiskAreaFilter{Key: &key, Limit: 1})
		if err != nil {
			return err
		}
		if len(records) > 0 {
			a := records[0]
			f.Values["name"], f.Values["code"], f.Values["level"] = a.Name, a.Code, string(a.Level)
		}
	}
	return s.renderRiskForm(w, r, f, http.StatusOK)
}

func (s *Server) renderRiskForm(w http.ResponseWriter, r *http.Request, f form, status int) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "riskarea.new")
	if err != nil {
		return err
	}
	page := riskFormPage{layout: s.layout(r, lang, title), Form: f, Levels: []frontline.RiskLevel{frontline.RiskHigh,
		frontline.RiskMedium, frontline.RiskLow, frontline.RiskNone}}
	return s.render(w, status, pageRiskFormName, page)
}

// postRiskArea records the form as a new record and shows the area's
// history; a refused field is shown next to it.
func (s *Server) postRiskArea(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, riskAreaFields)
	if err != nil {
		return err
	}
	v := f.Values
	a := &frontline.RiskArea{Name: v["name"], Code: v["code"], Level: frontline.RiskLevel(v["level"]), ValidFrom: v["valid_from"],
		ValidTo: v["valid_to"], Source: v["source"]}
	if err := s.RiskAreas.CreateRiskArea(r.Context(), a); err != nil {
		if frontline.ErrorCode(err) != frontline.EINVALID {
			return err
		}
		if field := frontline.ErrorField(err); containsString(riskAreaFields, field) {
			f.Errors[field] = "riskarea.invalid." + field
		} else {
			f.Errors[""] = "error." + frontline.EINVALID
		}
		return s.renderRiskForm(w, r, f, http.StatusBadRequest)
	}
	return redirect(w, r, "/risk-areas/history?"+url.Values{"key": {a.Key}}.Encode())
}
