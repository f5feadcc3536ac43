package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

var _ frontline.ReportService = (*ReportService)(nil)

// ReportService builds the upward reports of campaigns and keeps those
// submitted.
type ReportService struct {
	db *DB
	// Location is the zone the daily cut-off is in.
	Location *time.Location
}

// NewReportService returns a ReportService whose cut-offs are in China time.
func NewReportService(db *DB) *ReportService {
	return &ReportService{db: db, Location: db.Location}
}

// Report builds the current report of a node.
func (s *ReportService) Report(ctx context.Context, campaignID, placeID int64) (*frontline.Report, error) {
	if err := authorize(ctx, frontline.PermReadReports); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return s.build(ctx, tx, campaignID, placeID)
}

func (s *ReportService) build(ctx context.Context, tx *Tx, campaignID, placeID int64) (*frontline.Report, error) {
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	n, err := tx.campaignNode(ctx, c, placeID)
	if err != nil {
		return nil, err
	}
	top, kids, err := tx.campaignCoverage(ctx, c, n.ID)
	if err != nil {
		return nil, err
	}
	r := &frontline.Report{Campaign: c.Campaign, Place: n, GeneratedAt: tx.now, ReportDate: c.ReportDate(tx.now, s.Location),
		Totals: *top, Children: make([]frontline.Coverage, len(kids))}
	for i, k := range kids {
		r.Children[i] = *k
	}
	if r.Returnees, err = tx.returnees(ctx, c, n); err != nil {
		return nil, err
	}
	gaps, total, err := tx.campaignGaps(ctx, c, n.ID, frontline.CampaignMemberFilter{Limit: frontline.MaxReportGaps})
	if err != nil {
		return nil, err
	}
	r.GapsTotal, r.Gaps = total, make([]frontline.Gap, len(gaps))
	for i, g := range gaps {
		r.Gaps[i] = *g
	}
	return r, nil
}

// returnees lists the persons of the counting visits under a node who
// arrived from a listed area since the campaign's day, ID numbers and
// phones masked.
func (tx *Tx) returnees(ctx context.Context, c campaign, n *frontline.Place) ([]frontline.Returnee, error) {
	lo, hi := subtreeRange(n.Path)
	where, args := andScope(ctx, "s.path", []string{"s.campaign_id = ?", "s.final = TRUE", "s.path >= ?", "s.path < ?", "vp.returnee = TRUE"},
		[]any{c.ID, lo, hi})
	rows, err := tx.QueryContext(ctx, `SELECT vp.person_id, p.name, p.id_number, p.phone, s.household_id, s.path, vp.area_code,
		vp.area_name, vp.arrived_on, vp.means, vp.level, vp.measure, vp.rule_version, vp.health
		FROM screening_households s JOIN screening_visit_persons vp ON vp.visit_id = s.counting_visit_id
		JOIN persons p ON p.id = vp.person_id WHERE `+strings.Join(where, " AND ")+` ORDER BY s.path, vp.person_id`, args...)
	if err != nil {
		return nil, err
	}
	out := []frontline.Returnee{}
	var paths []string
	for rows.Next() {
		var r frontline.Returnee
		var path string
		if err := rows.Scan(&r.PersonID, &r.Name, &r.IDNumber, &r.Phone, &r.HouseholdID, &path, &r.AreaCode, &r.AreaName,
			&r.ArrivedOn, &r.Means, &r.Level, &r.Measure, &r.RuleVersion, &r.Health); err != nil {
			rows.Close()
			return nil, err
		}
		r.IDNumber, r.Phone = frontline.MaskIDNumber(r.IDNumber), frontline.MaskPhone(r.Phone)
		out, paths = append(out, r), append(paths, path)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return nil, err
	}
	for i := range out {
		var parts []string
		for _, id := range frontline.PathIDs(paths[i]) {
			if p := names[id]; p != nil && p.Kind.Rank() > frontline.KindCommunity.Rank() {
				parts = append(parts, p.Name)
			}
		}
		out[i].Address = strings.Join(parts, "/")
	}
	return out, nil
}

// SubmitReport builds the report of a node and keeps it, as JSON, exactly
// as submitted.
func (s *ReportService) SubmitReport(ctx context.Context, campaignID, placeID int64) (*frontline.ReportSnapshot, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := s.build(ctx, tx, campaignID, placeID)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	snap := &frontline.ReportSnapshot{CampaignID: r.Campaign.ID, PlaceID: r.Place.ID, ReportDate: r.ReportDate,
		SubmittedAt: tx.now, SubmittedBy: frontline.ActorFrom(ctx).String(), JSON: body, Report: r}
	if err := tx.QueryRowContext(ctx, `INSERT INTO screening_reports (campaign_id, place_id, path, report_date, submitted_at,
		submitted_by, body) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, snap.CampaignID, snap.PlaceID, r.Place.Path,
		snap.ReportDate, tx.now, snap.SubmittedBy, string(body)).Scan(&snap.ID); err != nil {
		return nil, tx.db.translate(err)
	}
	if err := tx.audit(ctx, "submit", "screening_report", snap.ID, r.Place.Path, nil, map[string]any{
		"campaign_id": snap.CampaignID, "report_date": snap.ReportDate, "pending": r.Totals.Pending()}); err != nil {
		return nil, err
	}
	return snap, tx.Commit()
}

// FindReports lists the submitted reports of a campaign under the
// caller's scope, newest first, without their bodies.
func (s *ReportService) FindReports(ctx context.Context, campaignID int64) ([]*frontline.ReportSnapshot, error) {
	if err := authorize(ctx, frontline.PermReadReports); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	where, args := andScope(ctx, "path", []string{"campaign_id = ?"}, []any{c.ID})
	rows, err := tx.QueryContext(ctx, `SELECT id, campaign_id, place_id, report_date, submitted_at, submitted_by
		FROM screening_reports WHERE `+strings.Join(where, " AND ")+` ORDER BY submitted_at DESC, id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.ReportSnapshot{}
	for rows.Next() {
		var r frontline.ReportSnapshot
		if err := rows.Scan(&r.ID, &r.CampaignID, &r.PlaceID, &r.ReportDate, &r.SubmittedAt, &r.SubmittedBy); err != nil {
			return nil, err
		}
		r.SubmittedAt = r.SubmittedAt.UTC()
		out = append(out, &r)
	}
	return out, rows.Err()
}

// FindReportByID returns one submitted report with its body as stored.
func (s *ReportService) FindReportByID(ctx context.Context, id int64) (*frontline.ReportSnapshot, error) {
	if err := authorize(ctx, frontline.PermReadReports); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var r frontline.ReportSnapshot
	var path, body string
	err = tx.QueryRowContext(ctx, `SELECT id, campaign_id, place_id, path, report_date, submitted_at, submitted_by, body
		FROM screening_reports WHERE id = ?`, id).Scan(&r.ID, &r.CampaignID, &r.PlaceID, &path, &r.ReportDate,
		&r.SubmittedAt, &r.SubmittedBy, &body)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !visible(ctx, path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "report %d not found", id)
	} else if err != nil {
		return nil, err
	}
	r.SubmittedAt, r.JSON = r.SubmittedAt.UTC(), []byte(body)
	r.Report = &frontline.Report{}
	return &r, json.Unmarshal(r.JSON, r.Report)
}
