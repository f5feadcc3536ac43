package web

import (
	"bytes"
	"io"
	"net/http"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
	"github.com/frontline-org/frontline/residentfile"
)

// apiCases lists the cases of the caller's scope: ?all=1 includes closed
// ones, ?under= limits to a node.
func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	all, under := q.boolean("all"), q.id("under")
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	list, total, err := s.Cases.FindCases(r.Context(), frontline.CaseFilter{Open: !all, Under: under, Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"cases": list, "total": total})
}

// apiReportCase opens a case a hospital or the disease-control centre
// reports and answers with it; the same report sent again answers with the
// case it opened.
func (s *Server) apiReportCase(w http.ResponseWriter, r *http.Request) error {
	var rep frontline.CaseReport
	if err := decodeJSON(r, &rep); err != nil {
		return err
	}
	c, err := s.Cases.ReportCase(r.Context(), &rep)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"case": c})
}

// apiImportCases opens the cases of a CSV or XLSX file sent as the body
// (?name= says the file's name, ?dry_run=1 checks only). Every bad row is
// listed, by row and column, and then nothing is stored.
func (s *Server) apiImportCases(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	dry := q.boolean("dry_run")
	if err := q.check(); err != nil {
		return err
	}
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "cases.csv"
	}
	rows, bad, err := residentfile.ReadCases(name, io.LimitReader(r.Body, maxBodyBytes), s.Location)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return writeJSON(w, http.StatusUnprocessableEntity, frontline.CaseImport{Cases: []*frontline.Case{}, Errors: bad, DryRun: dry})
	}
	out, err := s.Cases.ImportCases(r.Context(), rows, dry)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(out.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return writeJSON(w, status, out)
}

// apiCase returns a case with its contacts, transfers, traces, timeline
// and proposed zones.
func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	d, err := s.Cases.CaseDetail(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}

// exportCaseReport answers with the case report as offices send it up.
func (s *Server) exportCaseReport(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	d, err := s.Cases.CaseDetail(r.Context(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := report.CaseReport(&buf, d, s.Location); err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot write the case report", Err: err}
	}
	return writeXLSX(w, "case-"+d.Case.Ref()+".xlsx", buf.Bytes())
}

// apiSealFromCase draws one of the case's proposed zones: {"place_id": N}.
func (s *Server) apiSealFromCase(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var body struct {
		PlaceID int64 `json:"place_id"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	a, err := s.Cases.SealFromCase(r.Context(), id, body.PlaceID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"zone": a.Zone, "households": len(a.Households), "residents": a.Residents})
}

// apiCloseCase closes a case: {"reason": "..."}.
func (s *Server) apiCloseCase(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	c, err := s.Cases.CloseCase(r.Context(), id, body.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"case": c})
}

// apiRequestTransfer asks for a transfer: {"person_id": N (0 for the
// case's person), "facility": "..."}.
func (s *Server) apiRequestTransfer(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var body struct {
		PersonID int64  `json:"person_id"`
		Facility string `json:"facility"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	t, err := s.Transfers.RequestTransfer(r.Context(), id, body.PersonID, body.Facility)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"transfer": t})
}

// apiTransfers lists transfers: ?case=, ?under=, ?under_way=1.
func (s *Server) apiTransfers(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.TransferFilter{CaseID: q.id("case"), Under: q.id("under"), UnderWay: q.boolean("under_way")}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Offset, f.Limit = pg.Offset, pg.Limit
	list, total, err := s.Transfers.FindTransfers(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"transfers": list, "total": total})
}

// apiStepTransfer moves a transfer on: {"to": "assigned", "vehicle": ...}.
func (s *Server) apiStepTransfer(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var st frontline.TransferStep
	if err := decodeJSON(r, &st); err != nil {
		return err
	}
	t, err := s.Transfers.StepTransfer(r.Context(), id, st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"transfer": t})
}

// apiRestrictions answers a person's restrictions now and what they do to
// each activity.
func (s *Server) apiRestrictions(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if _, err := s.Persons.FindPersonByID(r.Context(), id); err != nil {
		return err
	}
	rs, err := s.Restrictions.Restrictions(r.Context(), []int64{id})
	if err != nil {
		return err
	}
	effects := map[frontline.Activity]frontline.RestrictionDecision{}
	for _, a := range frontline.Activities {
		effects[a] = rs[id].Decide(a, s.Restrictions.Policy())
	}
	return writeJSON(w, http.StatusOK, map[string]any{"restrictions": rs[id], "effects": effects})
}
