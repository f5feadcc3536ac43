package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
)

// The daily report (日报) of a node: a page per day with every workflow's
// figures by child node and their change since yesterday, the XLSX
// offices exchange, submitting, and the node's cut-off.

const pageDailyName = "daily"

// registerDaily registers the daily report's pages and API, when the
// server has the service.
func (s *Server) registerDaily() {
	if s.Daily == nil {
		return
	}
	if err := s.parsePageSet(nil, []string{pageDailyName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	read := Needs(frontline.PermReadReports)
	s.route("GET /daily", read, s.pageDaily)
	s.route("GET /daily/export.xlsx", read, s.exportDaily)
	s.route("POST /daily/submit", read, s.postSubmitDaily)
	s.route("POST /daily/cut-off", read, s.postCutOff)
	s.route("GET /api/v1/daily-reports", read, s.apiDailyReport)
	s.route("GET /api/v1/daily-reports/days", read, s.apiDailyDays)
	s.route("POST /api/v1/daily-reports/submit", read, s.apiSubmitDaily)
	s.route("GET /api/v1/daily-cut-off", read, s.apiCutOff)
	s.route("PUT /api/v1/daily-cut-off", read, s.apiSetCutOff)
	s.registerDashboard()
}

// dailyLinks adds the daily report to the navigation of the roles that
// read reports.
func (s *Server) dailyLinks(links []navLink, p *frontline.Principal) []navLink {
	if s.Daily == nil || len(links) == 0 || !p.Can(frontline.PermReadReports) || !p.Can(frontline.PermReadRegistry) {
		return links
	}
	last := links[len(links)-1]
	links = links[:len(links)-1]
	if s.Dashboards != nil {
		links = append(links, navLink{"/dashboard", "nav.dashboard", "nav-dashboard"})
	}
	return append(links, navLink{"/daily", "nav.daily", "nav-daily"}, last)
}

// dailyRequest reads ?place= (the caller's scope) and ?day= (the current
// day) and returns the report.
func (s *Server) dailyRequest(r *http.Request) (*frontline.DailyReport, error) {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return nil, err
	}
	day := orZero(q.text("day"))
	rep, err := s.Daily.DailyReport(r.Context(), place.ID, day)
	return rep, notFoundIn(err, "place")
}

// dailyPage is a node's report of a day.
type dailyPage struct {
	layout
	Report    *frontline.DailyReport
	Sections  []dailySectionView
	Days      []frontline.DailyReportDay
	Prev      string
	Next      string
	Export    string
	CanSubmit bool
	Saved     string
	// Missing is set when the day asked for has no report: Report is nil.
	Missing string
	Place   *frontline.Place
	Day     string
	// SubmittedAt is when the report was submitted, zero if not.
	SubmittedAt time.Time
}

// dailySectionView is a section as the page shows it: message ids for
// the headings, a link down to each child's own report.
type dailySectionView struct {
	Key     string
	Title   string
	Columns []string
	Rows    []dailyRowView
	Total   dailyRowView
}

type dailyRowView struct {
	Name  string
	Own   bool
	Link  string
	Cells []dailyCell
}

// dailyCell is a figure and its change since yesterday ("" unknown).
type dailyCell struct {
	Value  int
	Change string
	Dir    string // up, down, or "" for none
}

func dailyCells(row *frontline.DailyRow) []dailyCell {
	out := make([]dailyCell, len(row.Values))
	for i, v := range row.Values {
		out[i].Value = v
		if d, ok := row.Change(i); ok {
			switch {
			case d > 0:
				out[i].Change, out[i].Dir = "+"+strconv.Itoa(d), "up"
			case d < 0:
				out[i].Change, out[i].Dir = strconv.Itoa(d), "down"
			default:
				out[i].Change = "±0"
			}
		}
	}
	return out
}

func dailyLink(path string, place int64, day string) string {
	v := url.Values{"place": {fmt.Sprint(place)}}
	if day != "" {
		v.Set("day", day)
	}
	return path + "?" + v.Encode()
}

func newDailySections(rep *frontline.DailyReport, childDay string) []dailySectionView {
	out := make([]dailySectionView, 0, len(rep.Sections))
	for _, sec := range rep.Sections {
		v := dailySectionView{Key: string(sec.Key), Title: "daily.section." + string(sec.Key)}
		for _, c := range sec.Columns {
			v.Columns = append(v.Columns, "daily.col."+string(sec.Key)+"."+c)
		}
		for i := range sec.Rows {
			row := &sec.Rows[i]
			rv := dailyRowView{Name: row.Name, Own: row.Own, Cells: dailyCells(row)}
			if !row.Own {
				rv.Link = dailyLink("/daily", row.PlaceID, childDay)
			}
			v.Rows = append(v.Rows, rv)
		}
		v.Total = dailyRowView{Name: sec.Total.Name, Cells: dailyCells(&sec.Total)}
		out = append(out, v)
	}
	return out
}

func (s *Server) pageDaily(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	day := orZero(q.text("day"))
	rep, err := s.Daily.DailyReport(r.Context(), place.ID, day)
	page := dailyPage{Place: place, Saved: r.URL.Query().Get("saved")}
	switch {
	case err == nil:
		page.Report, page.Day = rep, rep.Day
	case frontline.ErrorCode(err) == frontline.ENOTFOUND && day != "":
		page.Missing, page.Day = day, day
	default:
		return notFoundIn(err, "place")
	}
	title, err := s.text(lang, "daily.title", place.Name, page.Day)
	if err != nil {
		return err
	}
	page.layout = s.layout(r, lang, title)
	if page.Days, err = s.Daily.DailyReportDays(r.Context(), place.ID, 14); err != nil {
		return err
	}
	page.Prev = dailyLink("/daily", place.ID, frontline.AddDays(page.Day, -1))
	page.Next = dailyLink("/daily", place.ID, frontline.AddDays(page.Day, 1))
	if rep != nil {
		childDay := ""
		if day != "" {
			childDay = rep.Day
		}
		page.Sections = newDailySections(rep, childDay)
		page.Export = dailyLink("/daily/export.xlsx", place.ID, rep.Day)
		page.CanSubmit = rep.Status != frontline.DailySubmitted
		if rep.SubmittedAt != nil {
			page.SubmittedAt = *rep.SubmittedAt
		}
	}
	return s.render(w, http.StatusOK, pageDailyName, page)
}

// exportDaily writes the report as the XLSX offices exchange.
func (s *Server) exportDaily(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.dailyRequest(r)
	if err != nil {
		return err
	}
	return s.writeDailyXLSX(w, rep)
}

func (s *Server) writeDailyXLSX(w http.ResponseWriter, rep *frontline.DailyReport) error {
	var buf bytes.Buffer
	if err := report.DailyReport(&buf, rep, s.Location); err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot write the report", Err: err}
	}
	return writeXLSX(w, fmt.Sprintf("日报-%s-%s.xlsx", rep.Place.Name, rep.Day), buf.Bytes())
}

// postSubmitDaily submits the report of place and day.
func (s *Server) postSubmitDaily(w http.ResponseWriter, r *http.Request) error {
	place, err := formPlace(r)
	if err != nil {
		return err
	}
	rep, err := s.Daily.SubmitDailyReport(r.Context(), place, strings.TrimSpace(r.PostFormValue("day")))
	if err != nil {
		return notFoundIn(err, "place")
	}
	return redirect(w, r, dailyLink("/daily", place, rep.Day)+"&saved=submitted")
}

// postCutOff sets the cut-off of place.
func (s *Server) postCutOff(w http.ResponseWriter, r *http.Request) error {
	place, err := formPlace(r)
	if err != nil {
		return err
	}
	if err := s.Daily.SetCutOff(r.Context(), place, strings.TrimSpace(frontline.FoldWidth(r.PostFormValue("cut_off")))); err != nil {
		return notFoundIn(err, "place")
	}
	return redirect(w, r, dailyLink("/daily", place, "")+"&saved=cut_off")
}

// formPlace reads the place a daily report form is about.
func formPlace(r *http.Request) (int64, error) {
	id, ok := formID(r.PostFormValue("place"))
	if !ok {
		return 0, frontline.FieldError("place", "say which place (a number)")
	}
	return id, nil
}

// dailyResponse is a report as JSON.
type dailyResponse struct {
	Report *frontline.DailyReport `json:"report"`
}

// apiDailyReport returns the report of ?place= on ?day= as JSON, or as
// XLSX with ?format=xlsx.
func (s *Server) apiDailyReport(w http.ResponseWriter, r *http.Request) error {
	format := reportFormat(newParams(r))
	rep, err := s.dailyRequest(r)
	if err != nil {
		return err
	}
	if format == "xlsx" {
		return s.writeDailyXLSX(w, rep)
	}
	return writeJSON(w, http.StatusOK, dailyResponse{Report: rep})
}

// apiDailyDays lists the kept and submitted reports of ?place=.
func (s *Server) apiDailyDays(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	limit := q.number("limit", 31, 1, 366)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	days, err := s.Daily.DailyReportDays(r.Context(), place.ID, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Days []frontline.DailyReportDay `json:"days"`
	}{days})
}

// dailySubmitRequest names the report to submit; day "" is the current.
type dailySubmitRequest struct {
	PlaceID int64  `json:"place_id"`
	Day     string `json:"day"`
}

// apiSubmitDaily submits a report and returns it as kept.
func (s *Server) apiSubmitDaily(w http.ResponseWriter, r *http.Request) error {
	var in dailySubmitRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := s.Daily.SubmitDailyReport(r.Context(), in.PlaceID, in.Day)
	if err != nil {
		return notFoundIn(err, "place_id")
	}
	return writeJSON(w, http.StatusCreated, dailyResponse{Report: rep})
}

// cutOffJSON is a node's cut-off.
type cutOffJSON struct {
	PlaceID int64  `json:"place_id"`
	CutOff  string `json:"cut_off"`
}

// apiCutOff returns the cut-off in force at ?place=.
func (s *Server) apiCutOff(w http.ResponseWriter, r *http.Request) error {
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	c, err := s.Daily.CutOff(r.Context(), place.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cutOffJSON{PlaceID: place.ID, CutOff: c})
}

// apiSetCutOff sets a node's cut-off.
func (s *Server) apiSetCutOff(w http.ResponseWriter, r *http.Request) error {
	var in cutOffJSON
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Daily.SetCutOff(r.Context(), in.PlaceID, in.CutOff); err != nil {
		return notFoundIn(err, "place_id")
	}
	return writeJSON(w, http.StatusOK, in)
}
