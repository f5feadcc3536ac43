package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
)

// casesPage lists the cases of the caller's scope.
type casesPage struct {
	layout
	Cases     []*frontline.Case
	Total     int
	All       bool
	CanReport bool
	Next      string
}

func (s *Server) pageCases(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	all := q.boolean("all")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	list, total, err := s.Cases.FindCases(ctx, frontline.CaseFilter{Open: !all, Offset: pg.Offset, Limit: min(pg.Limit, maxAlerts)})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "case.list.title")
	if err != nil {
		return err
	}
	page := casesPage{layout: s.layout(r, lang, title), Cases: list, Total: total, All: all,
		CanReport: callerFrom(ctx).principal.Can(frontline.PermManageCases)}
	_, page.Next = pageLinks(r.URL.Path, r.URL.Query(), pg.Offset, len(list), min(pg.Limit, maxAlerts), total)
	return s.render(w, http.StatusOK, pageCasesName, page)
}

// casePage is one case: the person, where it came from, the contacts by
// kind with their measures, the transfers, the person's traces, the
// timeline, and the zones to draw.
type casePage struct {
	layout
	*frontline.CaseDetail
	Groups []contactGroup
	// What the caller may do here, so that no button leads to a refusal.
	CanSeal, CanManage, CanExport, CanFollow bool
	Sealed                                   bool
	Form                                     form
	Facilities                               []string
	Now                                      int64
}

// contactGroup is the contacts of one kind.
type contactGroup struct {
	Kind     frontline.ContactKind
	Contacts []*frontline.Contact
}

func (s *Server) pageCase(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	sealed := q.boolean("sealed")
	if err := q.check(); err != nil {
		return err
	}
	return s.renderCase(w, r, id, newForm(), sealed, http.StatusOK)
}

func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, id int64, f form, sealed bool, status int) error {
	ctx := r.Context()
	d, err := s.Cases.CaseDetail(ctx, id)
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	title, err := s.text(lang, "case.title", d.Case.Ref())
	if err != nil {
		return err
	}
	p := callerFrom(ctx).principal
	page := casePage{layout: s.layout(r, lang, title), CaseDetail: d, Form: f, Sealed: sealed,
		CanSeal: p.Can(frontline.PermManageZones), CanManage: p.Can(frontline.PermManageCases),
		CanExport: p.Can(frontline.PermReadReports), CanFollow: p.Can(frontline.PermVisit) && s.FollowUps != nil && s.Campaigns != nil,
		Facilities: []string{frontline.DefaultTransferSettings.CaseFacility, frontline.DefaultTransferSettings.ContactFacility},
		Now:        s.Now().Unix()}
	for _, k := range frontline.ContactKinds {
		if cs := d.ContactsOf(k); len(cs) > 0 {
			page.Groups = append(page.Groups, contactGroup{Kind: k, Contacts: cs})
		}
	}
	return s.render(w, status, pageCaseName, page)
}

// postSealFromCase draws one of the case's proposed zones.
func (s *Server) postSealFromCase(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"place_id"})
	if err != nil {
		return err
	}
	place, ok := formID(f.Values["place_id"])
	if !ok {
		return frontline.FieldError("place_id", "choose the place to seal")
	}
	if _, err := s.Cases.SealFromCase(r.Context(), id, place); err != nil {
		return err
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"?sealed=1#zones")
}

// postCloseCase closes a case with a reason; without one the page comes
// back with the reason field marked.
func (s *Server) postCloseCase(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"reason"})
	if err != nil {
		return err
	}
	if _, err := s.Cases.CloseCase(r.Context(), id, f.Values["reason"]); err != nil {
		if ferr := s.formError(f, err, []string{"reason"}); ferr != nil {
			return ferr
		}
		return s.renderCase(w, r, id, f, false, http.StatusBadRequest)
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10))
}

// postRequestTransfer asks for a transfer of the case's person or of a
// contact.
func (s *Server) postRequestTransfer(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	f, err := readForm(r, []string{"person_id", "facility"})
	if err != nil {
		return err
	}
	person, _ := formID(f.Values["person_id"])
	if _, err := s.Transfers.RequestTransfer(r.Context(), id, person, f.Values["facility"]); err != nil {
		if ferr := s.formError(f, err, []string{"facility"}); ferr != nil {
			return ferr
		}
		return s.renderCase(w, r, id, f, false, http.StatusBadRequest)
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(id, 10)+"#transfers")
}

// caseFormPage reports a case confirmed elsewhere (a hospital, the
// disease-control centre).
type caseFormPage struct {
	layout
	Form    form
	Sources []frontline.CaseSource
}

// caseFields are the fields of the report form.
var caseFields = []string{"id_number", "name", "source", "external_ref", "reporter", "confirmed_at", "note"}

func (s *Server) pageNewCase(w http.ResponseWriter, r *http.Request) error {
	f := newForm()
	f.Values["source"] = string(frontline.SourceCDC)
	f.Values["confirmed_at"] = s.Now().In(s.Location).Format("2006-01-02T15:04")
	return s.renderCaseForm(w, r, f, http.StatusOK)
}

func (s *Server) renderCaseForm(w http.ResponseWriter, r *http.Request, f form, status int) error {
	lang := pickLang(w, r)
	title, err := s.text(lang, "case.new.title")
	if err != nil {
		return err
	}
	return s.render(w, status, pageCaseFormName, caseFormPage{layout: s.layout(r, lang, title), Form: f,
		Sources: []frontline.CaseSource{frontline.SourceCDC, frontline.SourceHospital}})
}

// postCase opens the reported case and shows it; a refused report comes
// back as typed, with the field marked.
func (s *Server) postCase(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(r, caseFields)
	if err != nil {
		return err
	}
	rep := &frontline.CaseReport{IDNumber: f.Values["id_number"], Name: f.Values["name"], Source: frontline.CaseSource(f.Values["source"]),
		ExternalRef: f.Values["external_ref"], Reporter: f.Values["reporter"], Note: f.Values["note"]}
	var c *frontline.Case
	if at, perr := time.ParseInLocation("2006-01-02T15:04", f.Values["confirmed_at"], s.Location); perr != nil {
		err = frontline.FieldError("confirmed_at", "the time is written YYYY-MM-DDTHH:MM")
	} else {
		rep.ConfirmedAt = at.UTC()
		c, err = s.Cases.ReportCase(r.Context(), rep)
	}
	if err != nil {
		if ferr := s.formError(f, err, caseFields); ferr != nil {
			return ferr
		}
		return s.renderCaseForm(w, r, f, http.StatusBadRequest)
	}
	return redirect(w, r, "/cases/"+strconv.FormatInt(c.ID, 10))
}

// pageCaseFollowUps is the follow-up work of a case's contacts, on the
// follow-up page the campaigns use.
func (s *Server) pageCaseFollowUps(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, saved, failed := q.pathID("id"), q.id("saved"), q.id("failed")
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.Cases.FindCaseByID(ctx, id)
	if err != nil {
		return err
	}
	items, total, err := s.FollowUps.FindFollowUps(ctx, frontline.FollowUpItemFilter{CaseID: &id, Open: true, DueBefore: s.endOfToday(),
		Limit: maxFollowUps})
	if err != nil {
		return err
	}
	lang := pickLang(w, r)
	heading, err := s.text(lang, "case.followups.title", c.Ref())
	if err != nil {
		return err
	}
	page := followUpsPage{layout: s.layout(r, lang, heading), Case: c, Truncated: total > len(items), Back: r.URL.Path,
		Symptoms: symptomCodes(), Saved: deref(saved)}
	page.Items = s.followUpRows(r, items, failed)
	return s.render(w, http.StatusOK, pageFollowUpsName, page)
}
