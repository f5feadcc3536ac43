package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/report"
)

// The data's life: the retention rules in force, what falls due when
// under a node, and the purge certificates (page, JSON, XLSX). Reading
// them needs audit.read: the office's administrators and an auditor.

const (
	pageRetentionName = "retention"
	pagePurgeRunName  = "purge_run"
)

// registerRetention registers the retention pages and API, when the server
// has the service.
func (s *Server) registerRetention() {
	if s.Retention == nil {
		return
	}
	if err := s.parsePageSet(nil, []string{pageRetentionName, pagePurgeRunName}); err != nil {
		s.routeErr = append(s.routeErr, err)
		return
	}
	audit := Needs(frontline.PermReadAudit)
	s.route("GET /retention", audit, s.pageRetention)
	s.route("GET /retention/runs/{id}", audit, s.pagePurgeRun)
	s.route("GET /retention/runs/{id}/certificate.xlsx", audit, s.exportPurgeRun)
	s.route("GET /api/v1/retention", audit, s.apiRetention)
	s.route("GET /api/v1/purge-runs", audit, s.apiPurgeRuns)
	s.route("GET /api/v1/purge-runs/{id}", audit, s.apiPurgeRun)
}

// retentionPage shows the rules, what is due when under a node, and the
// certificates.
type retentionPage struct {
	layout
	Place *frontline.Place
	Rules *frontline.RetentionRules
	Due   []dueRow
	Runs  []*frontline.PurgeRun
}

// dueRow is a kind's line: the first days on which records fall due, and
// how many days more.
type dueRow struct {
	frontline.RetentionDue
	Later []frontline.DueDay
	More  int
}

// dueShown is how many days a kind's line names.
const dueShown = 5

func dueRows(due []frontline.RetentionDue) []dueRow {
	out := make([]dueRow, len(due))
	for i, d := range due {
		out[i] = dueRow{RetentionDue: d, Later: d.Upcoming[:min(dueShown, len(d.Upcoming))], More: max(0, len(d.Upcoming)-dueShown)}
	}
	return out
}

func (s *Server) pageRetention(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	rules, err := s.Retention.Rules(r.Context())
	if err != nil {
		return err
	}
	due, err := s.Retention.Due(r.Context(), place.ID)
	if err != nil {
		return notFoundIn(err, "place")
	}
	runs, err := s.Retention.FindPurgeRuns(r.Context())
	if err != nil {
		return err
	}
	title, err := s.text(lang, "retention.title", place.Name)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, pageRetentionName, retentionPage{layout: s.layout(r, lang, title), Place: place,
		Rules: rules, Due: dueRows(due), Runs: runs})
}

// purgeRunPage is one certificate.
type purgeRunPage struct {
	layout
	Run      *frontline.PurgeRun
	Finished time.Time
	Export   string
}

func (s *Server) purgeRun(r *http.Request) (*frontline.PurgeRun, error) {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return nil, err
	}
	return s.Retention.FindPurgeRun(r.Context(), id)
}

func (s *Server) pagePurgeRun(w http.ResponseWriter, r *http.Request) error {
	lang := pickLang(w, r)
	run, err := s.purgeRun(r)
	if err != nil {
		return err
	}
	title, err := s.text(lang, "retention.run.title", strconv.FormatInt(run.ID, 10))
	if err != nil {
		return err
	}
	page := purgeRunPage{layout: s.layout(r, lang, title), Run: run, Export: fmt.Sprintf("/retention/runs/%d/certificate.xlsx", run.ID)}
	if run.FinishedAt != nil {
		page.Finished = *run.FinishedAt
	}
	return s.render(w, http.StatusOK, pagePurgeRunName, page)
}

// exportPurgeRun writes the certificate as XLSX, with the anonymised
// statistics under the run's node.
func (s *Server) exportPurgeRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.purgeRun(r)
	if err != nil {
		return err
	}
	var stats []frontline.PurgeStat
	if run.UnderID != 0 {
		if stats, err = s.Retention.PurgeStats(r.Context(), run.UnderID); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := report.PurgeCertificate(&buf, run, stats, s.Location); err != nil {
		return &frontline.Error{Code: frontline.EINTERNAL, Message: "cannot write the certificate", Err: err}
	}
	return writeXLSX(w, fmt.Sprintf("个人信息销毁证明-%d.xlsx", run.ID), buf.Bytes())
}

// retentionResponse is the rules and what falls due when, as JSON.
type retentionResponse struct {
	RuleVersion int                  `json:"rule_version"`
	PlaceID     int64                `json:"place_id"`
	Kinds       []retentionKindJSON  `json:"kinds"`
	RulesSince  *time.Time           `json:"rules_since,omitempty"`
	Upcoming    map[string][]dueJSON `json:"upcoming"`
}

type retentionKindJSON struct {
	Kind   frontline.RetentionKind `json:"kind"`
	Days   int                     `json:"days"`
	DueNow int                     `json:"due_now"`
	Purged int                     `json:"purged"`
}

type dueJSON struct {
	Day     string `json:"day"`
	Records int    `json:"records"`
}

func (s *Server) apiRetention(w http.ResponseWriter, r *http.Request) error {
	place, err := s.workforcePlace(r.Context(), newParams(r))
	if err != nil {
		return err
	}
	rules, err := s.Retention.Rules(r.Context())
	if err != nil {
		return err
	}
	due, err := s.Retention.Due(r.Context(), place.ID)
	if err != nil {
		return notFoundIn(err, "place")
	}
	out := retentionResponse{RuleVersion: rules.Version, PlaceID: place.ID, Upcoming: map[string][]dueJSON{}}
	if rules.Version > 0 {
		out.RulesSince = &rules.CreatedAt
	}
	for _, d := range due {
		out.Kinds = append(out.Kinds, retentionKindJSON{Kind: d.Kind, Days: d.Days, DueNow: d.Now, Purged: d.Purged})
		list := []dueJSON{}
		for _, u := range d.Upcoming {
			list = append(list, dueJSON{Day: u.Day, Records: u.Records})
		}
		out.Upcoming[string(d.Kind)] = list
	}
	return writeJSON(w, http.StatusOK, out)
}

// purgeRunJSON is a certificate as JSON: no personal value in it.
type purgeRunJSON struct {
	ID          int64                 `json:"id"`
	Reason      frontline.PurgeReason `json:"reason"`
	UnderID     int64                 `json:"under_id"`
	UnderName   string                `json:"under_name"`
	RuleVersion int                   `json:"rule_version"`
	StartedAt   time.Time             `json:"started_at"`
	FinishedAt  *time.Time            `json:"finished_at"`
	By          string                `json:"by"`
	Records     int                   `json:"records"`
	Kinds       []purgedKindJSON      `json:"kinds"`
	ReasonLabel string                `json:"reason_label"`
}

type purgedKindJSON struct {
	Kind     frontline.RetentionKind `json:"kind"`
	Records  int                     `json:"records"`
	FirstDay string                  `json:"first_day"`
	LastDay  string                  `json:"last_day"`
}

func newPurgeRunJSON(run *frontline.PurgeRun) purgeRunJSON {
	out := purgeRunJSON{ID: run.ID, Reason: run.Reason, UnderID: run.UnderID, UnderName: run.UnderName, RuleVersion: run.RuleVersion,
		StartedAt: run.StartedAt, FinishedAt: run.FinishedAt, By: run.By, Records: run.Records(), Kinds: []purgedKindJSON{},
		ReasonLabel: frontline.PurgeReasonLabels[run.Reason]}
	for _, k := range run.Kinds {
		out.Kinds = append(out.Kinds, purgedKindJSON{Kind: k.Kind, Records: k.Records, FirstDay: k.FirstDay, LastDay: k.LastDay})
	}
	return out
}

// purgeRunsResponse lists certificates.
type purgeRunsResponse struct {
	Runs []purgeRunJSON `json:"runs"`
}

func (s *Server) apiPurgeRuns(w http.ResponseWriter, r *http.Request) error {
	runs, err := s.Retention.FindPurgeRuns(r.Context())
	if err != nil {
		return err
	}
	out := purgeRunsResponse{Runs: []purgeRunJSON{}}
	for _, run := range runs {
		out.Runs = append(out.Runs, newPurgeRunJSON(run))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiPurgeRun(w http.ResponseWriter, r *http.Request) error {
	run, err := s.purgeRun(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPurgeRunJSON(run))
}
