package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Assign gives the listed households, or every household under a node,
// to one grid worker or team. The new assignee replaces the old in the
// same row, so every household keeps exactly one (the table's CHECK
// holds it too). Assigning a node also changes who gets households added
// under it later.
func (s *CampaignService) Assign(ctx context.Context, campaignID int64, householdIDs []int64, under int64, to frontline.Assignee) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if err := to.Validate(); err != nil {
		return 0, err
	}
	c, err := tx.openCampaign(ctx, campaignID)
	if err != nil {
		return 0, err
	}
	if (under > 0) == (len(householdIDs) > 0) {
		return 0, frontline.FieldError("household_ids", "assign either a list of households or everything under one node")
	}
	path := c.path
	if under > 0 {
		n, err := tx.campaignNode(ctx, c, under)
		if err != nil {
			return 0, err
		}
		path = n.Path
	} else if path, err = tx.commonMemberPath(ctx, c, householdIDs); err != nil {
		return 0, err
	}
	if err := tx.checkAssignee(ctx, c, path, to); err != nil {
		return 0, err
	}
	var n int
	if under > 0 {
		n, err = tx.assignUnder(ctx, c, path, to)
	} else {
		n, err = tx.assignHouseholds(ctx, c, householdIDs, to)
	}
	if err != nil {
		return 0, err
	}
	if err := tx.audit(ctx, "assign", "screening_campaign", c.ID, path, nil, map[string]any{
		"user_id": to.UserID, "team_id": to.TeamID, "under": under, "household_ids": householdIDs, "households": n,
	}); err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// commonMemberPath returns the deepest node above every listed household
// of the campaign: a user covers all of them exactly when their scope
// covers it. Unknown households are left to the update, which counts them.
func (tx *Tx) commonMemberPath(ctx context.Context, c campaign, ids []int64) (string, error) {
	common := ""
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		rows, err := tx.QueryContext(ctx, `SELECT path FROM screening_households WHERE campaign_id = ? AND household_id IN `+inList(len(chunk)),
			append([]any{c.ID}, int64Args(chunk)...)...)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				rows.Close()
				return "", err
			}
			if common == "" {
				common = p
			}
			for !strings.HasPrefix(p, common) {
				// Cut the last segment: paths are "/1/4/9/".
				common = common[:strings.LastIndex(strings.TrimSuffix(common, "/"), "/")+1]
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	if common == "" {
		return c.path, nil
	}
	return common, nil
}

// checkAssignee refuses a user who could not reach the doors (their scope
// does not cover path, or they may not record visits) and a team of
// another campaign.
func (tx *Tx) checkAssignee(ctx context.Context, c campaign, path string, to frontline.Assignee) error {
	if to.TeamID > 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM screening_teams WHERE id = ? AND campaign_id = ?`, to.TeamID, c.ID).Scan(&n); err != nil {
			return err
		} else if n == 0 {
			return frontline.FieldError("team_id", "team %d is not a team of this campaign", to.TeamID)
		}
		return nil
	}
	scope, err := tx.userScopeIfVisitor(ctx, to.UserID)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(path, scope) {
		return frontline.FieldError("user_id", "this user cannot visit these households (role, scope or disabled)")
	}
	return nil
}

// userScopeIfVisitor returns the scope path of a user who may record
// visits; EINVALID on field user_id for a user who does not exist, is
// disabled or lacks the permission.
func (tx *Tx) userScopeIfVisitor(ctx context.Context, userID int64) (string, error) {
	var role frontline.Role
	var scope string
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT u.role, p.path, u.disabled FROM users u JOIN places p ON p.id = u.scope_id WHERE u.id = ?`,
		userID).Scan(&role, &scope, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return "", frontline.FieldError("user_id", "user %d not found", userID)
	} else if err != nil {
		return "", err
	}
	if disabled || !role.Can(frontline.PermVisit) {
		return "", frontline.FieldError("user_id", "this user cannot visit these households (role, scope or disabled)")
	}
	return scope, nil
}

func (tx *Tx) assignUnder(ctx context.Context, c campaign, path string, to frontline.Assignee) (int, error) {
	lo, hi := subtreeRange(path)
	where, args := andScope(ctx, "path", []string{"campaign_id = ?", "path > ?", "path < ?"}, []any{c.ID, lo, hi})
	res, err := tx.ExecContext(ctx, `UPDATE screening_households SET user_id = ?, team_id = ? WHERE `+strings.Join(where, " AND "),
		append([]any{nullID(to.UserID), nullID(to.TeamID)}, args...)...)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE screening_assign SET user_id = ?, team_id = ?
		WHERE campaign_id = ? AND place_id IN (SELECT id FROM places WHERE path >= ? AND path < ?)`,
		nullID(to.UserID), nullID(to.TeamID), c.ID, lo, hi); err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (tx *Tx) assignHouseholds(ctx context.Context, c campaign, ids []int64, to frontline.Assignee) (int, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	total := 0
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		where, args := andScope(ctx, "path", []string{"campaign_id = ?", "household_id IN " + inList(len(chunk))},
			append([]any{c.ID}, int64Args(chunk)...))
		res, err := tx.ExecContext(ctx, `UPDATE screening_households SET user_id = ?, team_id = ? WHERE `+strings.Join(where, " AND "),
			append([]any{nullID(to.UserID), nullID(to.TeamID)}, args...)...)
		if err != nil {
			return 0, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += int(n)
	}
	if total != len(ids) {
		return 0, frontline.Errorf(frontline.ENOTFOUND, "%d of the %d households are not in this campaign (or not in your area)", len(ids)-total, len(ids))
	}
	return total, nil
}

// CreateTeam adds a team of workers to a campaign.
func (s *CampaignService) CreateTeam(ctx context.Context, t *frontline.Team) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	c, err := tx.openCampaign(ctx, t.CampaignID)
	if err != nil {
		return err
	}
	t.Name = strings.TrimSpace(t.Name)
	if err := frontline.CheckLine("name", t.Name); err != nil {
		return err
	}
	if t.Name == "" || len([]rune(t.Name)) > 50 {
		return frontline.FieldError("name", "a team needs a name of at most 50 characters")
	}
	for _, u := range t.Members {
		if err := tx.checkTeamMember(ctx, c, u); err != nil {
			return err
		}
	}
	workers, err := tx.teamWorkers(ctx, c, t.Workers)
	if err != nil {
		return err
	}
	if t.ID, err = tx.createScreeningTeam(ctx, c.ID, t.Name); err != nil {
		return err
	}
	for _, w := range workers {
		// A worker whose account may visit these doors records visits as
		// a member of the team.
		if w.UserID == 0 {
			continue
		}
		switch err := tx.checkTeamMember(ctx, c, w.UserID); frontline.ErrorCode(err) {
		case "":
			t.Members = append(t.Members, w.UserID)
		case frontline.EINTERNAL:
			return err
		}
	}
	if err := tx.addTeamMembers(ctx, t); err != nil {
		return err
	}
	t.CreatedAt, t.CreatedBy = tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.audit(ctx, "create", "screening_team", t.ID, c.path, nil, map[string]any{"name": t.Name, "members": t.Members,
		"workers": t.Workers}); err != nil {
		return err
	}
	return tx.Commit()
}

// teamWorkers returns the workers of a new team, each in the caller's
// scope and still working.
func (tx *Tx) teamWorkers(ctx context.Context, c campaign, ids []int64) ([]*frontline.Worker, error) {
	var out []*frontline.Worker
	for _, id := range slices.Compact(slices.Sorted(slices.Values(ids))) {
		w, err := tx.findWorker(ctx, id)
		if err != nil {
			return nil, &frontline.Error{Code: frontline.EINVALID, Field: "worker_id", Message: frontline.ErrorMessage(err)}
		}
		if w.Retired {
			return nil, frontline.FieldError("worker_id", "%s no longer works", w.Name)
		}
		out = append(out, w)
	}
	return out, nil
}

// addTeamMembers records a team's members: accounts and workers.
func (tx *Tx) addTeamMembers(ctx context.Context, t *frontline.Team) error {
	t.Members = slices.Compact(slices.Sorted(slices.Values(t.Members)))
	for _, u := range t.Members {
		if _, err := tx.ExecContext(ctx, `INSERT INTO screening_team_members (team_id, user_id) VALUES (?, ?)`, t.ID, u); err != nil {
			return err
		}
	}
	t.Workers = slices.Compact(slices.Sorted(slices.Values(t.Workers)))
	for _, w := range t.Workers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO screening_team_workers (team_id, worker_id) VALUES (?, ?)`, t.ID, w); err != nil {
			return err
		}
	}
	return nil
}

// checkTeamMember refuses a member who could not visit the campaign's
// doors, or who works outside the caller's scope: a secretary makes teams
// of the people of their own area (those Workers lists), never of a
// neighbouring community's.
func (tx *Tx) checkTeamMember(ctx context.Context, c campaign, u int64) error {
	var scope string
	err := tx.QueryRowContext(ctx, `SELECT p.path FROM users u JOIN places p ON p.id = u.scope_id WHERE u.id = ?`, u).Scan(&scope)
	if errors.Is(err, sql.ErrNoRows) {
		return frontline.FieldError("user_id", "user %d not found", u)
	} else if err != nil {
		return err
	}
	if !visible(ctx, scope) {
		return frontline.FieldError("user_id", "user %d works outside your area", u)
	}
	if err := tx.checkAssignee(ctx, c, c.path, frontline.Assignee{UserID: u}); err != nil {
		// A member may work in part of the campaign only.
		if !strings.HasPrefix(scope, c.path) {
			return err
		}
		// Still refuse a disabled user or one who may not visit.
		return tx.checkAssignee(ctx, c, scope, frontline.Assignee{UserID: u})
	}
	return nil
}

// FindTeams returns the teams of a campaign with their members and the
// members' names.
func (s *CampaignService) FindTeams(ctx context.Context, campaignID int64) ([]*frontline.Team, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
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
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, t.created_by, COALESCE(m.user_id, 0), COALESCE(u.name, '')
		FROM screening_teams t LEFT JOIN screening_team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id
		WHERE t.campaign_id = ? ORDER BY t.id, m.user_id`, c.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.Team{}
	for rows.Next() {
		t := &frontline.Team{CampaignID: c.ID, Members: []int64{}}
		var member int64
		var name string
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &t.CreatedBy, &member, &name); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == t.ID {
			t = out[n-1]
		} else {
			out = append(out, t)
		}
		if member > 0 {
			t.Members, t.MemberNames = append(t.Members, member), append(t.MemberNames, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, tx.fillTeamWorkers(ctx, c.ID, out)
}

// fillTeamWorkers adds to the teams of a campaign their workers, named by
// the workers' registry.
func (tx *Tx) fillTeamWorkers(ctx context.Context, campaignID int64, teams []*frontline.Team) error {
	byID := map[int64]*frontline.Team{}
	for _, t := range teams {
		byID[t.ID] = t
	}
	rows, err := tx.QueryContext(ctx, `SELECT m.team_id, m.worker_id FROM screening_team_workers m
		JOIN screening_teams t ON t.id = m.team_id WHERE t.campaign_id = ? ORDER BY m.team_id, m.worker_id`, campaignID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var team, worker int64
		if err := rows.Scan(&team, &worker); err != nil {
			rows.Close()
			return err
		}
		if t := byID[team]; t != nil {
			t.Workers = append(t.Workers, worker)
			ids = append(ids, worker)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return err
	}
	names, err := tx.workerNames(ctx, ids)
	if err != nil {
		return err
	}
	for _, t := range teams {
		for _, w := range t.Workers {
			t.WorkerNames = append(t.WorkerNames, names[w])
		}
	}
	return nil
}

// GapsByAssignee counts the doors not reached under a node per assignee.
func (s *CampaignService) GapsByAssignee(ctx context.Context, campaignID, placeID int64) ([]*frontline.AssigneeGaps, error) {
	if err := authorizeScreening(ctx, frontline.PermReadReports, frontline.PermVisit); err != nil {
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
	n, err := tx.campaignNode(ctx, c, placeID)
	if err != nil {
		return nil, err
	}
	cond, args, err := tx.campaignMemberWhere(ctx, c, frontline.CampaignMemberFilter{Under: &n.ID, OnlyPending: true})
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT COALESCE(s.user_id, 0), COALESCE(s.team_id, 0), COUNT(*),
		SUM(CASE WHEN s.status = ? THEN 1 ELSE 0 END), MIN(s.since)
		FROM screening_households s WHERE `+cond+` GROUP BY s.user_id, s.team_id`,
		append([]any{string(frontline.OutcomeNotHome)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*frontline.AssigneeGaps
	var as []*frontline.Assignee
	for rows.Next() {
		g := &frontline.AssigneeGaps{}
		var oldest aggTime
		if err := rows.Scan(&g.Assignee.UserID, &g.Assignee.TeamID, &g.Pending, &g.NotHome, &oldest); err != nil {
			return nil, err
		}
		g.Oldest = oldest.Time
		out, as = append(out, g), append(as, &g.Assignee)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := tx.nameAssignees(ctx, as); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b *frontline.AssigneeGaps) int { return a.Oldest.Compare(b.Oldest) })
	return out, nil
}

// Workers lists the users households of a campaign may be given: enabled,
// with a role that records visits, their scope inside the campaign's and
// the caller's, by name. Assign still checks each choice against the
// doors it is for.
func (s *CampaignService) Workers(ctx context.Context, campaignID int64) ([]frontline.Assignee, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	var roles []any
	for _, r := range frontline.Roles {
		if r.Can(frontline.PermVisit) {
			roles = append(roles, string(r))
		}
	}
	lo, hi := subtreeRange(c.path)
	where, args := andScope(ctx, "p.path", []string{"NOT u.disabled", "u.role IN " + inList(len(roles)), "p.path >= ?", "p.path < ?"},
		append(roles, lo, hi))
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name FROM users u JOIN places p ON p.id = u.scope_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY p.path, u.login LIMIT 1000`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []frontline.Assignee{}
	for rows.Next() {
		var a frontline.Assignee
		if err := rows.Scan(&a.UserID, &a.Name); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
