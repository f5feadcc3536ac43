package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
)

// The day's duty table (值班表) of a node, as a page that works on a phone
// and as the XLSX offices post; a worker's own shifts with their check-in
// buttons; the hours worked per worker and unit.

// dutyPage is the duty table of a node for a day.
type dutyPage struct {
	layout
	Table     *frontline.DutyTable
	Posts     []dutyPostView
	Day       string
	Prev      string
	Next      string
	Revealed  bool // phones are whole (the reader may see them; audited)
	CanManage bool
	Export    string
}

// dutyPostView is a post of the table with its shifts.
type dutyPostView struct {
	*frontline.DutyPost
	Shifts []shiftView
	Open   int // places still open on the day
}

// dutyTable reads the duty table a request asks for: ?place= (the
// caller's scope) on ?day= (today), phones whole for a reader who may see
// them (audited), masked otherwise.
func (s *Server) dutyTable(r *http.Request) (t *frontline.DutyTable, start time.Time, reveal bool, err error) {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return nil, start, false, err
	}
	if start, err = s.dayStart(orZero(q.text("day"))); err != nil {
		return nil, start, false, err
	}
	reveal = callerFrom(r.Context()).principal.Can(frontline.PermRevealPerson)
	t, err = s.Duty.DutyTable(r.Context(), place.ID, start.Format(frontline.DateLayout), reveal)
	return t, start, reveal, err
}

func (s *Server) pageDuty(w http.ResponseWriter, r *http.Request) error {
	t, start, reveal, err := s.dutyTable(r)
	if err != nil {
		return err
	}
	place, day, p := t.Place, t.Day, callerFrom(r.Context()).principal
	lang := pickLang(w, r)
	title, err := s.text(lang, "duty.title", place.Name, day)
	if err != nil {
		return err
	}
	link := func(d time.Time) string {
		return "/duty?" + url.Values{"place": {fmt.Sprint(place.ID)}, "day": {d.Format(frontline.DateLayout)}}.Encode()
	}
	page := dutyPage{layout: s.layout(r, lang, title), Table: t, Day: day, Prev: link(start.AddDate(0, 0, -1)),
		Next: link(start.AddDate(0, 0, 1)), Revealed: reveal, CanManage: p.Can(frontline.PermManageWorkforce),
		Export: "/duty/export.xlsx?" + url.Values{"place": {fmt.Sprint(place.ID)}, "day": {day}}.Encode()}
	for _, dp := range t.Posts {
		v := dutyPostView{DutyPost: dp}
		for _, sh := range dp.Shifts {
			v.Open += sh.Open()
			sv := shiftView{Shift: sh}
			for _, a := range sh.Assignments {
				sv.Rows = append(sv.Rows, assignmentView{Assignment: a, Phone: a.Phone})
			}
			v.Shifts = append(v.Shifts, sv)
		}
		page.Posts = append(page.Posts, v)
	}
	return s.render(w, http.StatusOK, pageDutyName, page)
}

// exportDuty writes the duty table as XLSX, phones whole for a reader who
// may see them (audited), masked otherwise.
func (s *Server) exportDuty(w http.ResponseWriter, r *http.Request) error {
	t, _, _, err := s.dutyTable(r)
	if err != nil {
		return err
	}
	place, day := t.Place, t.Day
	var buf bytes.Buffer
	if err := report.DutyTable(&buf, t, s.Location, true); err != nil {
		return err
	}
	name := fmt.Sprintf("值班表-%s-%s.xlsx", place.Name, day)
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", "attachment; filename=\"duty-"+day+".xlsx\"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
	return nil
}

// myDutyPage is a worker's own shifts, with the buttons to check in and
// out.
type myDutyPage struct {
	layout
	Worker *frontline.Worker
	Shifts []shiftView
	Saved  string
	Now    time.Time
}

func (s *Server) pageMyDuty(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "myduty.title")
	if err != nil {
		return err
	}
	page := myDutyPage{layout: s.layout(r, lang, title), Saved: r.URL.Query().Get("saved"), Now: s.Now()}
	wk, shifts, err := s.Duty.MyShifts(r.Context())
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return s.render(w, http.StatusOK, pageMyDutyName, page) // no worker linked: the page says so
	} else if err != nil {
		return err
	}
	page.Worker = wk
	rules, err := s.Roster.RosterRules(r.Context())
	if err != nil {
		return err
	}
	page.Shifts = shiftViews(shifts, wk.ID, false, rules, s.Now())
	return s.render(w, http.StatusOK, pageMyDutyName, page)
}

// hoursPage reports the hours of a node's posts in a period.
type hoursPage struct {
	layout
	Report   *frontline.HoursReport
	From, To string
}

func (s *Server) pageHours(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	from, to := q.day("from", s.Location, false), q.day("to", s.Location, true)
	if err := q.check(); err != nil {
		return err
	}
	if from.IsZero() {
		today, _ := s.dayStart("")
		from = today.AddDate(0, 0, -6)
	}
	if to.IsZero() || !to.After(from) {
		to = from.AddDate(0, 0, 7)
	}
	rep, err := s.Duty.Hours(r.Context(), place.ID, from, to)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "hours.title", place.Name)
	if err != nil {
		return err
	}
	page := hoursPage{layout: s.layout(r, lang, title), Report: rep, From: from.In(s.Location).Format(frontline.DateLayout),
		To: to.In(s.Location).AddDate(0, 0, -1).Format(frontline.DateLayout)}
	return s.render(w, http.StatusOK, pageHoursName, page)
}
