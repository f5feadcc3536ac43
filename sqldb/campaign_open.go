package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// snode is a node of the tree under a campaign's scope, households left
// out: what opening needs to assign buildings and set up counters.
type snode struct {
	id, parent int64
	kind       frontline.PlaceKind
	name, path string
	households int
	assignee   frontline.Assignee
}

// OpenCampaign creates a campaign and freezes its denominator in one
// transaction: one INSERT ... SELECT copies every household under the
// scope, with its building's assignee, into screening_households, and
// the counters of every node start from the tree's maintained household
// counts. Nothing loops over households in Go, so a city of a million
// households opens in seconds.
func (s *CampaignService) OpenCampaign(ctx context.Context, c *frontline.Campaign) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// PostgreSQL: every statement below must see the same tree, so that
	// the copied households and the counts agree.
	if s.db.Engine == Postgres {
		if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`); err != nil {
			return err
		}
	}
	if err := c.Validate(tx.now); err != nil {
		return err
	}
	scope, err := tx.findPlaceByID(ctx, c.ScopeID)
	if err != nil {
		return err
	}
	if scope.Kind.Rank() > frontline.KindBuilding.Rank() {
		return frontline.FieldError("scope_id", "a campaign screens a building or a larger place, not a %s", scope.Kind)
	}
	a := frontline.ActorFrom(ctx).String()
	c.Status, c.OpenedAt, c.OpenedBy, c.Scope = frontline.CampaignOpen, tx.now, a, scope
	if err := tx.QueryRowContext(ctx, `INSERT INTO screening_campaigns (name, scope_id, scope_path, arrived_since,
		min_level, deadline, cutoff, status, opened_at, opened_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Name, c.ScopeID, scope.Path, c.Question.ArrivedSince, string(c.Question.MinLevel), c.Deadline.UTC(), c.Cutoff,
		string(c.Status), tx.now, a).Scan(&c.ID); err != nil {
		return tx.db.translate(err)
	}
	cc := campaign{Campaign: c, path: scope.Path}
	nodes, err := tx.scopeStructure(ctx, scope)
	if err != nil {
		return err
	}
	if err := tx.assignDefaults(ctx, cc, nodes); err != nil {
		return err
	}
	if c.Households, err = tx.freezeHouseholds(ctx, cc, nodes); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE screening_campaigns SET households = ? WHERE id = ?`, c.Households, c.ID); err != nil {
		return err
	}
	if err := tx.audit(ctx, "open", "screening_campaign", c.ID, scope.Path, nil, map[string]any{
		"name": c.Name, "scope_id": c.ScopeID, "households": c.Households,
		"arrived_since": c.Question.ArrivedSince, "min_level": c.Question.MinLevel,
	}); err != nil {
		return err
	}
	return tx.Commit()
}

// freeze copies the households under the scope into the denominator and
// sets up the counters, and returns how many households it froze.
func (tx *Tx) freezeHouseholds(ctx context.Context, c campaign, nodes []*snode) (int, error) {
	lo, hi := subtreeRange(c.path)
	// A household's building is its parent, or its grandparent when the
	// parent is a unit; the assignee is the building's.
	res, err := tx.ExecContext(ctx, `INSERT INTO screening_households (campaign_id, household_id, path, building_id, user_id, team_id, since)
		SELECT ?, h.id, h.path, a.place_id, a.user_id, a.team_id, ?
		FROM places h
		JOIN places u ON u.id = h.parent_id
		JOIN screening_assign a ON a.campaign_id = ? AND a.place_id = CASE WHEN u.kind = ? THEN u.parent_id ELSE u.id END
		WHERE h.path > ? AND h.path < ? AND h.kind = ? AND h.retired_at IS NULL`,
		c.ID, tx.timeArg(), c.ID, string(frontline.KindUnit), lo, hi, string(frontline.KindHousehold))
	if err != nil {
		return 0, fmt.Errorf("freeze households: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	// The tree's counts are exact (CheckCounts) and were read in the same
	// snapshot, so they are the denominator of every node; a mismatch
	// would be a bug of the tree, and then the counters are counted.
	if len(nodes) > 0 && int64(nodes[0].households) != n {
		if err := tx.recountFrozen(ctx, campaignFrozen(c.ID), nodes); err != nil {
			return 0, err
		}
	}
	return int(n), tx.writeFrozenCounts(ctx, campaignFrozen(c.ID), nodes)
}

// assignDefaults decides who gets the households of each node and
// records it in screening_assign: the node's responsible worker (包户到人)
// when it has one (assignResponsible); else the grid worker whose scope is
// the deepest node above (or at) the building, the buildings of a node
// with several grid workers dealt round in walking order; where no grid
// worker covers a building, a team made for its community, so that every
// household has an assignee from the start.
func (tx *Tx) assignDefaults(ctx context.Context, c campaign, nodes []*snode) error {
	workers, err := tx.gridWorkers(ctx, c.path)
	if err != nil {
		return err
	}
	if err := tx.assignResponsible(ctx, c, nodes); err != nil {
		return err
	}
	byID := make(map[int64]*snode, len(nodes))
	sortCampaignNodes(nodes)
	cover := map[int64][]int64{} // node id → the workers covering it
	source := map[int64]int64{}  // node id → the node whose workers cover it
	dealt := map[int64]int{}     // source node → buildings dealt so far
	teams := map[int64]int64{}   // community (or scope) id → team id
	for _, n := range nodes {
		byID[n.id] = n
		if ws := workers.at[n.id]; len(ws) > 0 {
			cover[n.id], source[n.id] = ws, n.id
		} else if p := byID[n.parent]; p != nil {
			cover[n.id], source[n.id] = cover[p.id], source[p.id]
		} else {
			cover[n.id], source[n.id] = workers.above, -1
		}
		if n.assignee.UserID != 0 || n.assignee.TeamID != 0 {
			continue // its responsible worker's
		}
		if ws := cover[n.id]; len(ws) > 0 {
			k := 0
			if n.kind == frontline.KindBuilding {
				k = dealt[source[n.id]]
				dealt[source[n.id]]++
			}
			n.assignee = frontline.Assignee{UserID: ws[k%len(ws)]}
			continue
		}
		home := communityOf(n, byID)
		if teams[home.id] == 0 {
			if teams[home.id], err = tx.createScreeningTeam(ctx, c.ID, home.name+"摸排组"); err != nil {
				return err
			}
		}
		n.assignee = frontline.Assignee{TeamID: teams[home.id]}
	}
	cols := []string{"campaign_id", "place_id", "user_id", "team_id"}
	return tx.bulkInsert(ctx, "screening_assign", cols, len(nodes), func(i int, args []any) []any {
		return append(args, c.ID, nodes[i].id, nullID(nodes[i].assignee.UserID), nullID(nodes[i].assignee.TeamID))
	})
}

// assignResponsible gives each node whose households have a responsible
// worker to the one who acts for them today (ResponsibleWorkers: the
// worker, or their cover when they are off): by their account when it may
// visit these doors, else to a team of theirs, so a volunteer or cadre
// without an account is an assignee too. Nodes without one are left to
// the defaults.
func (tx *Tx) assignResponsible(ctx context.Context, c campaign, nodes []*snode) error {
	paths := make(map[int64]string, len(nodes))
	for _, n := range nodes {
		paths[n.id] = n.path
	}
	resp, err := tx.responsibleFor(ctx, paths, localDay(tx.now, chinaTime))
	if err != nil {
		return err
	}
	teams := map[int64]int64{}   // worker → their team
	scopes := map[int64]string{} // user who may visit → their scope's path ("" for one who may not)
	for _, n := range nodes {
		w := resp[n.id].Acting()
		if w == nil {
			continue
		}
		if w.UserID != 0 {
			if _, ok := scopes[w.UserID]; !ok {
				if scopes[w.UserID], err = tx.visitorScope(ctx, w.UserID); err != nil {
					return err
				}
			}
			if sc := scopes[w.UserID]; sc != "" && strings.HasPrefix(n.path, sc) {
				n.assignee = frontline.Assignee{UserID: w.UserID}
				continue
			}
		}
		if teams[w.ID] == 0 {
			t := &frontline.Team{Workers: []int64{w.ID}}
			if t.ID, err = tx.createScreeningTeam(ctx, c.ID, w.Name+"（包户）"); err != nil {
				return err
			}
			if err := tx.addTeamMembers(ctx, t); err != nil {
				return err
			}
			teams[w.ID] = t.ID
		}
		n.assignee = frontline.Assignee{TeamID: teams[w.ID]}
	}
	return nil
}

// visitorScope returns the path of the scope of a user who may record
// visits (enabled, with the permission), "" for one who may not or does
// not exist: the households under it are those the user may be given.
func (tx *Tx) visitorScope(ctx context.Context, userID int64) (string, error) {
	scope, err := tx.userScopeIfVisitor(ctx, userID)
	if frontline.ErrorCode(err) == frontline.EINVALID {
		return "", nil
	}
	return scope, err
}

// sortCampaignNodes puts parents before children (by depth) and siblings in
// walking order, so buildings are dealt to workers building by building.
func sortCampaignNodes(nodes []*snode) {
	parentPath := func(n *snode) string { return n.path[:strings.LastIndex(n.path[:len(n.path)-1], "/")+1] }
	slices.SortStableFunc(nodes, func(a, b *snode) int {
		if d := strings.Count(a.path, "/") - strings.Count(b.path, "/"); d != 0 {
			return d
		}
		if c := strings.Compare(parentPath(a), parentPath(b)); c != 0 {
			return c
		}
		return NaturalCompare(a.name, b.name)
	})
}

// communityOf returns the community a node is in, or the topmost node
// known when it is above the community level.
func communityOf(n *snode, byID map[int64]*snode) *snode {
	top := n
	for p := n; p != nil; p = byID[p.parent] {
		if p.kind == frontline.KindCommunity {
			return p
		}
		top = p
	}
	return top
}

// workerIndex are the grid workers that can take a campaign's buildings.
type workerIndex struct {
	at    map[int64][]int64 // scope node id → workers scoped there
	above []int64           // workers of the deepest node above the campaign's scope
}

// gridWorkers returns the enabled grid workers whose scope is under the
// campaign's scope, or the deepest ones above it.
func (tx *Tx) gridWorkers(ctx context.Context, scopePath string) (workerIndex, error) {
	idx := workerIndex{at: map[int64][]int64{}}
	rows, err := tx.QueryContext(ctx, `SELECT u.id, p.id, p.path FROM users u JOIN places p ON p.id = u.scope_id
		WHERE u.role = ? AND NOT u.disabled ORDER BY u.id`, string(frontline.RoleGridWorker))
	if err != nil {
		return idx, err
	}
	defer rows.Close()
	deepest := ""
	for rows.Next() {
		var uid, pid int64
		var path string
		if err := rows.Scan(&uid, &pid, &path); err != nil {
			return idx, err
		}
		switch {
		case strings.HasPrefix(path, scopePath):
			idx.at[pid] = append(idx.at[pid], uid)
		case strings.HasPrefix(scopePath, path) && len(path) > len(deepest):
			deepest, idx.above = path, []int64{uid}
		case path == deepest:
			idx.above = append(idx.above, uid)
		}
	}
	return idx, rows.Err()
}

// createTeam adds a team to a campaign; a name taken already gets a
// number, since two communities may share a name.
func (tx *Tx) createScreeningTeam(ctx context.Context, campaignID int64, name string) (int64, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM screening_teams WHERE campaign_id = ? AND (name = ? OR name LIKE ?)`,
		campaignID, name, name+" (%").Scan(&n); err != nil {
		return 0, err
	}
	if n > 0 {
		name += " (" + strconv.Itoa(n+1) + ")"
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO screening_teams (campaign_id, name, created_at, created_by)
		VALUES (?, ?, ?, ?) RETURNING id`, campaignID, name, tx.now, frontline.ActorFrom(ctx).String()).Scan(&id)
	return id, tx.db.translate(err)
}
