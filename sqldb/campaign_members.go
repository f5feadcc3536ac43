package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

const campaignMemberColumns = `s.household_id, s.path, s.building_id, COALESCE(s.user_id, 0), COALESCE(s.team_id, 0), s.status,
	s.visits, s.last_visit_at, s.since, s.added_late, s.added_by`

func scanCampaignMember(sc interface{ Scan(...any) error }, campaignID int64) (*frontline.CampaignMember, error) {
	m := &frontline.CampaignMember{CampaignID: campaignID}
	var last sql.NullTime
	err := sc.Scan(&m.HouseholdID, &m.Path, &m.BuildingID, &m.Assignee.UserID, &m.Assignee.TeamID, &m.Status,
		&m.Visits, &last, &m.Since, &m.AddedLate, &m.AddedBy)
	m.LastVisitAt, m.Since = last.Time.UTC(), m.Since.UTC()
	return m, err
}

// campaignMemberWhere builds the conditions of a member filter, within the
// campaign, the caller's scope and the node asked for.
func (tx *Tx) campaignMemberWhere(ctx context.Context, c campaign, f frontline.CampaignMemberFilter) (string, []any, error) {
	where, args := []string{"s.campaign_id = ?"}, []any{c.ID}
	if f.Under != nil {
		n, err := tx.campaignNode(ctx, c, *f.Under)
		if err != nil {
			return "", nil, err
		}
		lo, hi := subtreeRange(n.Path)
		where, args = append(where, "s.path > ? AND s.path < ?"), append(args, lo, hi)
	}
	if f.OnlyPending {
		where = append(where, "s.final = FALSE")
	}
	if f.Assignee != nil {
		where = append(where, "(s.user_id = ? OR s.team_id IN (SELECT team_id FROM screening_team_members WHERE user_id = ?))")
		args = append(args, *f.Assignee, *f.Assignee)
	}
	if f.TeamID != nil {
		where, args = append(where, "s.team_id = ?"), append(args, *f.TeamID)
	}
	if f.HouseholdID != nil {
		where, args = append(where, "s.household_id = ?"), append(args, *f.HouseholdID)
	}
	where, args = andScope(ctx, "s.path", where, args)
	return strings.Join(where, " AND "), args, nil
}

// FindMembers lists households of a campaign in walking order within the
// page (pages follow the tree), and the total.
func (s *CampaignService) FindMembers(ctx context.Context, campaignID int64, f frontline.CampaignMemberFilter) ([]*frontline.CampaignMember, int, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, 0, err
	}
	cond, args, err := tx.campaignMemberWhere(ctx, c, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM screening_households s WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+campaignMemberColumns+` FROM screening_households s WHERE `+cond+
		` ORDER BY s.path`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []*frontline.CampaignMember{}
	for rows.Next() {
		m, err := scanCampaignMember(rows, c.ID)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	if err := tx.nameCampaignMembers(ctx, out); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// nameCampaignMembers fills in where each door is and who has it, and sorts them
// in walking order: compound, building, unit, then room (floor first, as
// rooms are numbered).
func (tx *Tx) nameCampaignMembers(ctx context.Context, ms []*frontline.CampaignMember) error {
	paths := make([]string, len(ms))
	var as []*frontline.Assignee
	for i, m := range ms {
		paths[i] = m.Path
		as = append(as, &m.Assignee)
	}
	names, err := tx.placeNamesOf(ctx, paths)
	if err != nil {
		return err
	}
	if err := tx.nameAssignees(ctx, as); err != nil {
		return err
	}
	chain := make(map[int64][]string, len(ms))
	for _, m := range ms {
		var parts []string
		for _, id := range frontline.PathIDs(m.Path) {
			p := names[id]
			if p == nil {
				continue
			}
			switch p.Kind {
			case frontline.KindBuilding:
				m.Building = p.Name
			case frontline.KindUnit:
				m.Unit = p.Name
			case frontline.KindHousehold:
				m.Room = p.Name
			}
			if p.Kind.Rank() > frontline.KindCommunity.Rank() {
				parts = append(parts, p.Name)
			}
		}
		m.Address = strings.Join(parts, "/")
		chain[m.HouseholdID] = parts
	}
	slices.SortStableFunc(ms, func(a, b *frontline.CampaignMember) int {
		return compareChains(chain[a.HouseholdID], chain[b.HouseholdID])
	})
	return nil
}

func compareChains(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := NaturalCompare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// placeNamesOf loads the nodes named in paths, 500 ids a query.
func (tx *Tx) placeNamesOf(ctx context.Context, paths []string) (map[int64]*frontline.Place, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, p := range paths {
		for _, id := range frontline.PathIDs(p) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	out := make(map[int64]*frontline.Place, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, name FROM places WHERE id IN `+inList(len(chunk)), int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			p := &frontline.Place{}
			if err := rows.Scan(&p.ID, &p.Kind, &p.Name); err != nil {
				rows.Close()
				return nil, err
			}
			out[p.ID] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// nameAssignees fills in the names of users and teams.
func (tx *Tx) nameAssignees(ctx context.Context, as []*frontline.Assignee) error {
	users, teams := map[int64]string{}, map[int64]string{}
	for _, a := range as {
		if a.UserID > 0 {
			users[a.UserID] = ""
		} else if a.TeamID > 0 {
			teams[a.TeamID] = ""
		}
	}
	for _, q := range []struct {
		table string
		m     map[int64]string
	}{{"users", users}, {"screening_teams", teams}} {
		ids := make([]int64, 0, len(q.m))
		for id := range q.m {
			ids = append(ids, id)
		}
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			rows, err := tx.QueryContext(ctx, `SELECT id, name FROM `+q.table+` WHERE id IN `+inList(len(chunk)), int64Args(chunk)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var name string
				if err := rows.Scan(&id, &name); err != nil {
					rows.Close()
					return err
				}
				q.m[id] = name
			}
			rows.Close()
		}
	}
	for _, a := range as {
		if a.UserID > 0 {
			a.Name = users[a.UserID]
		} else {
			a.Name = teams[a.TeamID]
		}
	}
	return nil
}

// Gaps returns the doors under a node without a final status, in walking
// order within the page, with how long each has waited, and the total:
// an index range on (campaign, final, path), however large the campaign.
func (s *CampaignService) Gaps(ctx context.Context, campaignID, placeID int64, f frontline.CampaignMemberFilter) ([]*frontline.Gap, int, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
		return nil, 0, err
	}
	tx, err := s.db.BeginReadTx(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, 0, err
	}
	return tx.campaignGaps(ctx, c, placeID, f)
}

func (tx *Tx) campaignGaps(ctx context.Context, c campaign, placeID int64, f frontline.CampaignMemberFilter) ([]*frontline.Gap, int, error) {
	n, err := tx.campaignNode(ctx, c, placeID)
	if err != nil {
		return nil, 0, err
	}
	f.Under, f.OnlyPending = &n.ID, true
	cond, args, err := tx.campaignMemberWhere(ctx, c, f)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if f.Assignee == nil && f.TeamID == nil && f.HouseholdID == nil {
		// The counters know the total.
		top, _, err := tx.campaignCoverage(ctx, c, n.ID)
		if err != nil {
			return nil, 0, err
		}
		total = top.Pending()
	} else if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM screening_households s WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+campaignMemberColumns+` FROM screening_households s WHERE `+cond+
		` ORDER BY s.path`+limitClause(f.Offset, f.Limit), args...)
	if err != nil {
		return nil, 0, err
	}
	var ms []*frontline.CampaignMember
	for rows.Next() {
		m, err := scanCampaignMember(rows, c.ID)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := tx.nameCampaignMembers(ctx, ms); err != nil {
		return nil, 0, err
	}
	paths := make(map[int64]string, len(ms))
	for _, m := range ms {
		paths[m.HouseholdID] = m.Path
	}
	// Who answers for each door today: the one call every workflow asks.
	resp, err := tx.responsibleFor(ctx, paths, localDay(tx.now, chinaTime))
	if err != nil {
		return nil, 0, err
	}
	out := make([]*frontline.Gap, len(ms))
	for i, m := range ms {
		out[i] = &frontline.Gap{HouseholdID: m.HouseholdID, Address: m.Address, BuildingID: m.BuildingID,
			Building: m.Building, Unit: m.Unit, Room: m.Room, Assignee: m.Assignee, Status: m.Status,
			Visits: m.Visits, LastVisitAt: m.LastVisitAt, Since: m.Since, Waiting: tx.now.Sub(m.Since).Round(time.Second),
			Responsible: resp[m.HouseholdID].Acting()}
	}
	return out, total, nil
}
