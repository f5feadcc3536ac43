package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/frontline-org/frontline"
)

var _ frontline.CampaignService = (*CampaignService)(nil)

// CampaignService stores screening campaigns, their frozen denominators,
// assignment and counters.
type CampaignService struct{ db *DB }

// NewCampaignService returns a CampaignService on db.
func NewCampaignService(db *DB) *CampaignService { return &CampaignService{db: db} }

const campaignColumns = `id, name, scope_id, scope_path, arrived_since, min_level, deadline, cutoff, status,
	households, opened_at, opened_by, closed_at, closed_by`

// campaign is a campaign with its scope node's path, which the scope
// rules need.
type campaign struct {
	*frontline.Campaign
	path string
}

func scanCampaign(sc interface{ Scan(...any) error }) (campaign, error) {
	c := campaign{Campaign: &frontline.Campaign{}}
	var closed sql.NullTime
	err := sc.Scan(&c.ID, &c.Name, &c.ScopeID, &c.path, &c.Question.ArrivedSince, &c.Question.MinLevel, &c.Deadline,
		&c.Cutoff, &c.Status, &c.Households, &c.OpenedAt, &c.OpenedBy, &closed, &c.ClosedBy)
	c.ClosedAt = closed.Time.UTC()
	c.Deadline, c.OpenedAt = c.Deadline.UTC(), c.OpenedAt.UTC()
	return c, err
}

// campaignConcerns reports whether a campaign with scope path cpath concerns the
// caller: its scope is inside the caller's, or the caller's scope is
// inside the campaign's (a grid worker of one compound works in a
// community's campaign, on their part of it).
func campaignConcerns(ctx context.Context, cpath string) bool {
	p := frontline.PrincipalFrom(ctx)
	return p == nil || p.ScopePath != "" && (strings.HasPrefix(cpath, p.ScopePath) || strings.HasPrefix(p.ScopePath, cpath))
}

// findCampaign returns a campaign that concerns the caller.
func (tx *Tx) findCampaign(ctx context.Context, id int64) (campaign, error) {
	c, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM screening_campaigns WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && !campaignConcerns(ctx, c.path) {
		return campaign{}, frontline.Errorf(frontline.ENOTFOUND, "campaign %d not found", id)
	}
	return c, tx.db.translate(err)
}

// openCampaign returns a campaign that may still change.
func (tx *Tx) openCampaign(ctx context.Context, id int64) (campaign, error) {
	c, err := tx.findCampaign(ctx, id)
	if err == nil && c.Status != frontline.CampaignOpen {
		err = frontline.Errorf(frontline.ECONFLICT, "campaign %s is closed", c.Name)
	}
	return c, err
}

// node returns a node of the campaign the caller may see: placeID, or
// when 0 the campaign's scope or, for a caller working below it, the
// caller's own scope node.
func (tx *Tx) campaignNode(ctx context.Context, c campaign, placeID int64) (*frontline.Place, error) {
	if placeID == 0 {
		placeID = c.ScopeID
		if p := frontline.PrincipalFrom(ctx); p != nil && len(p.ScopePath) > len(c.path) {
			placeID = p.ScopeID
		}
	}
	n, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(n.Path, c.path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "%s is not part of campaign %s", n.Name, c.Name)
	}
	return n, nil
}

// FindCampaignByID returns one campaign with its scope node.
func (s *CampaignService) FindCampaignByID(ctx context.Context, id int64) (*frontline.Campaign, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, id)
	if err != nil {
		return nil, err
	}
	c.Scope, err = tx.placeByID(ctx, c.ScopeID)
	return c.Campaign, err
}

// authorizeScreening returns EFORBIDDEN unless the caller has one of perms.
func authorizeScreening(ctx context.Context, perms ...frontline.Permission) error {
	var err error
	for _, p := range perms {
		if err = authorize(ctx, p); err == nil {
			return nil
		}
	}
	return err
}

// FindCampaigns returns the campaigns that concern the caller, newest
// first.
func (s *CampaignService) FindCampaigns(ctx context.Context, f frontline.CampaignFilter) ([]*frontline.Campaign, int, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, string(*f.Status))
	}
	if f.Under != nil {
		n, err := tx.findPlaceByID(ctx, *f.Under)
		if err != nil {
			return nil, 0, err
		}
		lo, hi := subtreeRange(n.Path)
		where, args = append(where, "scope_path >= ? AND scope_path < ?"), append(args, lo, hi)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+campaignColumns+` FROM screening_campaigns WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*frontline.Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, 0, err
		}
		if campaignConcerns(ctx, c.path) {
			out = append(out, c.Campaign)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	total := len(out)
	lo := min(max(f.Offset, 0), total)
	hi := total
	if f.Limit > 0 {
		hi = min(lo+f.Limit, total)
	}
	return out[lo:hi], total, nil
}

// CloseCampaign closes a campaign once every household of it is final.
// The refusal names how many are not and under which nodes, from the
// counters, so it is instant for a city.
func (s *CampaignService) CloseCampaign(ctx context.Context, id int64) (*frontline.Campaign, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.openCampaign(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(ctx, c.path) {
		return nil, frontline.Errorf(frontline.EFORBIDDEN, "only staff of %s or above may close this campaign", c.Name)
	}
	top, kids, err := tx.campaignCoverage(ctx, c, c.ScopeID)
	if err != nil {
		return nil, err
	}
	if n := top.Pending(); n > 0 {
		return nil, closeRefusal(n, kids)
	}
	a := frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE screening_campaigns SET status = ?, closed_at = ?, closed_by = ? WHERE id = ?`,
		string(frontline.CampaignClosed), tx.now, a, c.ID); err != nil {
		return nil, err
	}
	c.Status, c.ClosedAt, c.ClosedBy = frontline.CampaignClosed, tx.now, a
	if err := tx.audit(ctx, "close", "screening_campaign", c.ID, c.path, nil, map[string]any{"status": c.Status}); err != nil {
		return nil, err
	}
	return c.Campaign, tx.Commit()
}

// closeRefusal says how many households are not final and where: the
// child nodes with the most, at most five.
func closeRefusal(n int, kids []*frontline.Coverage) error {
	sort.SliceStable(kids, func(i, j int) bool { return kids[i].Pending() > kids[j].Pending() })
	var where []string
	for _, k := range kids {
		if k.Pending() > 0 && len(where) < 5 {
			where = append(where, fmt.Sprintf("%s %d", k.Name, k.Pending()))
		}
	}
	msg := fmt.Sprintf("the campaign cannot close: %d households have no final status", n)
	if len(where) > 0 {
		msg += " (" + strings.Join(where, ", ") + ")"
	}
	return frontline.Errorf(frontline.ECONFLICT, "%s", msg)
}

// PurgeCampaign removes a campaign and every row it made. Campaigns are
// records of what was done and are never removed through the service;
// this is for benchmarks and tests, and refuses any principal.
func (s *CampaignService) PurgeCampaign(ctx context.Context, id int64) error {
	if frontline.PrincipalFrom(ctx) != nil {
		return frontline.Errorf(frontline.EFORBIDDEN, "campaigns are kept; only the system may purge one")
	}
	tx, err := s.db.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM screening_report_links WHERE measure_id IN (SELECT id FROM screening_measures WHERE campaign_id = ?)`,
		`DELETE FROM screening_followups WHERE campaign_id = ?`,
		`DELETE FROM screening_measures WHERE campaign_id = ?`,
		`DELETE FROM screening_visit_persons WHERE visit_id IN (SELECT id FROM screening_visits WHERE campaign_id = ?)`,
		`DELETE FROM screening_found_persons WHERE campaign_id = ?`,
		`DELETE FROM screening_visits WHERE campaign_id = ?`,
		`DELETE FROM screening_reports WHERE campaign_id = ?`,
		`DELETE FROM screening_counts WHERE campaign_id = ?`,
		`DELETE FROM screening_households WHERE campaign_id = ?`,
		`DELETE FROM screening_assign WHERE campaign_id = ?`,
		`DELETE FROM screening_team_members WHERE team_id IN (SELECT id FROM screening_teams WHERE campaign_id = ?)`,
		`DELETE FROM screening_team_workers WHERE team_id IN (SELECT id FROM screening_teams WHERE campaign_id = ?)`,
		`DELETE FROM screening_teams WHERE campaign_id = ?`,
		`DELETE FROM screening_campaigns WHERE id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}
