package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
	"github.com/frontline-org/frontline/residentfile"
)

// xlsxType is the content type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// reportFormat reads format= (json, the default, or xlsx).
func reportFormat(q *params) string {
	f := q.query.Get("format")
	if f == "" {
		return "json"
	}
	if f != "json" && f != "xlsx" {
		q.fail(frontline.FieldError("format", "the format is json or xlsx, not %q", f))
	}
	return f
}

// writeReport answers with a report as JSON (body, or the report encoded)
// or as the XLSX offices exchange.
func (s *Server) writeReport(w http.ResponseWriter, format string, rep *frontline.Report, body any) error {
	if format == "json" {
		return writeJSON(w, http.StatusOK, body)
	}
	var buf bytes.Buffer
	if err := report.Screening(&buf, rep); err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot write the report", Err: err}
	}
	return writeXLSX(w, fmt.Sprintf("screening-%d-%d-%s.xlsx", rep.Campaign.ID, rep.Place.ID, rep.ReportDate), buf.Bytes())
}

// writeXLSX answers with a workbook to save under name.
func writeXLSX(w http.ResponseWriter, name string, data []byte) error {
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(data) // a failed write means the client left
	return nil
}

// reportResponse is a report as JSON.
type reportResponse struct {
	Report *frontline.Report `json:"report"`
}

// apiReport builds the current report of place= (default: the caller's
// part of the campaign).
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place, format := q.pathID("id"), q.id("place"), reportFormat(q)
	if err := q.check(); err != nil {
		return err
	}
	rep, err := s.Reports.Report(r.Context(), id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	return s.writeReport(w, format, rep, reportResponse{Report: rep})
}

// snapshotJSON is a submitted report without its body.
type snapshotJSON struct {
	ID          int64  `json:"id"`
	CampaignID  int64  `json:"campaign_id"`
	PlaceID     int64  `json:"place_id"`
	ReportDate  string `json:"report_date"`
	SubmittedAt string `json:"submitted_at"`
	SubmittedBy string `json:"submitted_by"`
}

func newSnapshotJSON(r *frontline.ReportSnapshot) snapshotJSON {
	return snapshotJSON{ID: r.ID, CampaignID: r.CampaignID, PlaceID: r.PlaceID, ReportDate: r.ReportDate,
		SubmittedAt: r.SubmittedAt.Format("2006-01-02T15:04:05Z"), SubmittedBy: r.SubmittedBy}
}

// apiSubmitReport submits the report of place= upward and keeps it.
func (s *Server) apiSubmitReport(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	snap, err := s.Reports.SubmitReport(r.Context(), id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	return writeJSON(w, http.StatusCreated, struct {
		Submitted snapshotJSON `json:"submitted"`
	}{newSnapshotJSON(snap)})
}

// apiReports lists the submitted reports of a campaign.
func (s *Server) apiReports(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	snaps, err := s.Reports.FindReports(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]snapshotJSON, len(snaps))
	for i, sn := range snaps {
		out[i] = newSnapshotJSON(sn)
	}
	return writeJSON(w, http.StatusOK, struct {
		Reports []snapshotJSON `json:"reports"`
	}{out})
}

// apiSubmittedReport returns a submitted report as it was: its stored JSON
// byte for byte, or the XLSX rendered from it.
func (s *Server) apiSubmittedReport(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, format := q.pathID("id"), reportFormat(q)
	if err := q.check(); err != nil {
		return err
	}
	snap, err := s.Reports.FindReportByID(r.Context(), id)
	if err != nil {
		return err
	}
	if format == "xlsx" {
		return s.writeReport(w, format, snap.Report, nil)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(snap.JSON)
	return nil
}

// followUpsResponse is the body of GET .../follow-ups.
type followUpsResponse struct {
	FollowUps []*frontline.FollowUpItem `json:"follow_ups"`
	listJSON
}

// apiFollowUps lists follow-up items: under=, assignee= (an id or "me"),
// escalation= (1 for the assignee's, 2 for the secretary's), open=1.
func (s *Server) apiFollowUps(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	m := memberFilter(r, q)
	f := frontline.FollowUpItemFilter{CampaignID: &id, Under: m.Under, Assignee: m.Assignee, Open: q.boolean("open"),
		MinEscalation: frontline.Escalation(q.number("escalation", 0, 0, 2))}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	items, total, err := s.FollowUps.FindFollowUps(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, followUpsResponse{FollowUps: items, listJSON: listJSON{Total: total, page: pg}})
}

func (s *Server) apiRecordFollowUp(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in frontline.HealthReport
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	f, err := s.FollowUps.RecordFollowUp(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		FollowUp *frontline.FollowUpItem `json:"follow_up"`
	}{f})
}

func (s *Server) apiHandleFollowUp(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	f, err := s.FollowUps.HandleFollowUp(r.Context(), id, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		FollowUp *frontline.FollowUpItem `json:"follow_up"`
	}{f})
}

// riskAreasResponse is the body of GET /api/v1/risk-areas.
type riskAreasResponse struct {
	RiskAreas []*frontline.RiskArea `json:"risk_areas"`
	listJSON
}

// apiRiskAreas lists records: on= a day (with current=1 only the record
// that counts for each area), key=, level=; newest first.
func (s *Server) apiRiskAreas(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.RiskAreaFilter{Key: q.text("key"), On: q.query.Get("on"), Current: q.boolean("current")}
	if l := q.text("level"); l != nil {
		f.Level = ptr(frontline.RiskLevel(*l))
	}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	as, total, err := s.RiskAreas.FindRiskAreas(r.Context(), f)
	if err != nil {
		return err
	}
	if as == nil {
		as = []*frontline.RiskArea{} // an empty list is [], as the document says
	}
	return writeJSON(w, http.StatusOK, riskAreasResponse{RiskAreas: as, listJSON: listJSON{Total: total, page: pg}})
}

// apiCreateRiskArea records one notice about an area.
func (s *Server) apiCreateRiskArea(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name      string `json:"name"`
		Code      string `json:"code"`
		Level     string `json:"level"`
		ValidFrom string `json:"valid_from"`
		ValidTo   string `json:"valid_to"`
		Source    string `json:"source"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a := &frontline.RiskArea{Name: in.Name, Code: in.Code, Level: frontline.RiskLevel(in.Level), ValidFrom: in.ValidFrom,
		ValidTo: in.ValidTo, Source: in.Source}
	if err := s.RiskAreas.CreateRiskArea(r.Context(), a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, struct {
		RiskArea *frontline.RiskArea `json:"risk_area"`
	}{a})
}

// apiImportRiskAreas imports a list sent as the body (CSV or XLSX;
// name= is the file name, dry_run=1 only checks). A list with any bad row
// imports nothing and answers 400 with every problem by row and column.
func (s *Server) apiImportRiskAreas(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	name, dry := q.query.Get("name"), q.boolean("dry_run")
	if err := q.check(); err != nil {
		return err
	}
	if name == "" {
		name = "risk-areas.csv"
	}
	rows, err := residentfile.ReadRiskAreas(name, r.Body, q.query.Get("sheet"))
	if err != nil {
		return err
	}
	res, err := s.RiskAreas.ImportRiskAreas(r.Context(), rows, dry)
	if res != nil && err != nil && frontline.ErrorCode(err) == frontline.EINVALID {
		return writeJSON(w, http.StatusBadRequest, struct {
			Error  errorDetail             `json:"error"`
			Result *frontline.ImportResult `json:"result"`
		}{errorDetail{Code: frontline.EINVALID, Message: frontline.ErrorMessage(err)}, res})
	} else if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Result *frontline.ImportResult `json:"result"`
	}{res})
}

// apiRules lists the versions of the measure rules, newest first; the
// first decides.
func (s *Server) apiRules(w http.ResponseWriter, r *http.Request) error {
	cur, err := s.Rules.CurrentRules(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Current *frontline.MeasureRules `json:"current"`
	}{cur})
}

// apiSaveRules stores new rules as the next version.
func (s *Server) apiSaveRules(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Note  string                  `json:"note"`
		Rules []frontline.MeasureRule `json:"rules"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	rs := &frontline.MeasureRules{Note: in.Note, Rules: in.Rules}
	if err := s.Rules.SaveRules(r.Context(), rs); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, struct {
		Current *frontline.MeasureRules `json:"current"`
	}{rs})
}
