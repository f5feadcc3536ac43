package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// selfReportRate is how many requests a minute one address may make to
// the residents' public page: a household sends two readings a day, and a
// whole building behind a carrier's address stays far below it.
const selfReportRate = 60

// selfLinkPage shows staff the link they just made for a resident, once:
// only its hash is kept.
type selfLinkPage struct {
	layout
	URL  string
	View *frontline.SelfReportView
}

// postSelfReportLink makes the self-report link of a measure (ending any
// earlier one) and shows it with what the resident will see.
func (s *Server) postSelfReportLink(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	_, secret, err := s.SelfReports.CreateSelfReportLink(ctx, id)
	if err != nil {
		return err
	}
	view, err := s.SelfReports.SelfReport(ctx, secret)
	if err != nil {
		return err
	}
	scheme := "http"
	if r.TLS != nil || s.Secure {
		scheme = "https"
	}
	link := (&url.URL{Scheme: scheme, Host: r.Host, Path: "/self-report", RawQuery: url.Values{"t": {secret}}.Encode()}).String()
	lang := pickLang(w, r)
	title, err := s.text(lang, "self.link.title")
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "same-origin")
	return s.render(w, http.StatusOK, pageSelfLinkName, selfLinkPage{layout: s.layout(r, lang, title), URL: link, View: view})
}

// selfReportPage is the resident's page: one character of their name,
// the measure's days, today's reports and, when one is open, the form.
// It never shows an ID number, a phone, an address or the full name.
type selfReportPage struct {
	layout
	Token    string
	View     *frontline.SelfReportView
	Symptoms []string
	// Problem is the message id of why the page cannot take a reading.
	Problem string
	Form    form
}

// selfReportLayout is the frame of the resident's page. Its language
// switch returns to the link itself. The page sends a referrer only to
// this site, so the secret in its address never travels elsewhere; not
// "no-referrer", under which a browser sends "Origin: null" with the
// form, and the cross-origin check refuses old browsers that do not send
// Sec-Fetch-Site.
func (s *Server) selfReportLayout(w http.ResponseWriter, r *http.Request, token string) (layout, error) {
	w.Header().Set("Referrer-Policy", "same-origin")
	lang := pickLang(w, r)
	title, err := s.text(lang, "self.title")
	l := s.layout(r, lang, title)
	l.Path = "/self-report"
	if token != "" {
		l.Path += "?" + url.Values{"t": {token}}.Encode()
	}
	return l, err
}

// pageSelfReport shows the page of the link in ?t=. The secret is in the
// query, never the path, because the request log records paths.
func (s *Server) pageSelfReport(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("t")
	view, err := s.SelfReports.SelfReport(r.Context(), token)
	if frontline.ErrorCode(err) == frontline.ENOTFOUND {
		return s.renderSelfReportProblem(w, r, http.StatusNotFound, "self.error.gone")
	} else if err != nil {
		return err
	}
	return s.renderSelfReport(w, r, token, view, newForm(), http.StatusOK)
}

// postSelfReport records a resident's temperature and symptoms into
// today's open report.
func (s *Server) postSelfReport(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, []string{"t", "temperature"}, "symptoms")
	if err != nil {
		return err
	}
	token := f.Values["t"]
	temp, perr := strconv.ParseFloat(strings.Replace(f.Values["temperature"], ",", ".", 1), 64)
	ctx := frontline.WithActor(r.Context(), frontline.Actor{Name: "resident", Addr: s.clientAddr(r)})
	var view *frontline.SelfReportView
	if perr != nil {
		err = frontline.FieldError("temperature", "not a number")
	} else {
		view, err = s.SelfReports.RecordSelfReport(ctx, token, frontline.HealthReport{Temperature: temp, Symptoms: formSymptoms(f)})
	}
	switch code := frontline.ErrorCode(err); code {
	case "":
		return s.renderSelfReport(w, r, token, view, f, http.StatusOK)
	case frontline.ENOTFOUND:
		return s.renderSelfReportProblem(w, r, http.StatusNotFound, "self.error.gone")
	case frontline.EINVALID, frontline.ECONFLICT:
		if view, err = s.SelfReports.SelfReport(ctx, token); err != nil {
			return err
		}
		if code == frontline.EINVALID {
			f.Errors["temperature"] = "self.error.temperature"
			return s.renderSelfReport(w, r, token, view, f, http.StatusBadRequest)
		}
		f.Errors[""] = "self.error.closed"
		return s.renderSelfReport(w, r, token, view, f, http.StatusConflict)
	}
	return err
}

func (s *Server) renderSelfReport(w http.ResponseWriter, r *http.Request, token string, view *frontline.SelfReportView, f form, status int) error {
	l, err := s.selfReportLayout(w, r, token)
	if err != nil {
		return err
	}
	page := selfReportPage{layout: l, Token: token, View: view, Symptoms: symptomCodes(), Form: f}
	return s.render(w, status, pageSelfReportName, page)
}

// renderSelfReportProblem shows the resident's page without a form, only
// why: a link that does not work, or too many requests.
func (s *Server) renderSelfReportProblem(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	l, err := s.selfReportLayout(w, r, "")
	if err != nil {
		return err
	}
	return s.render(w, status, pageSelfReportName, selfReportPage{layout: l, Problem: msg, Form: newForm()})
}
