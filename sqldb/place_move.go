package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// PathColumn is a column that holds a place's materialized path, and
// what moving the place's subtree does to it.
type PathColumn struct {
	Table, Column string
	// Moved says a move rewrites the column with the places; otherwise
	// it is a record of where something was, kept as it was.
	Moved bool
	// Why says what the column is for.
	Why string
}

// PathColumns lists every column that keeps a place path. A test holds it
// to the schema: a new table keyed by path must say here whether it
// follows its places when they move (and then MovePlace rewrites it), so
// that no workflow is left counting under a node its places have left.
func PathColumns() []PathColumn {
	return []PathColumn{
		{"places", "path", true, "the tree itself"},
		{"zones", "path", true, "a zone is drawn on a place and goes with it"},
		{"zone_evidence", "path", true, "a positive at a place is evidence where the place is"},
		{"screening_measures", "path", true, "a measure is on a person at home; the home moved"},
		{"screening_followups", "path", true, "follow-ups are due where the person lives"},
		{"screening_report_links", "path", true, "a resident's report link is scoped to their home"},
		{"screening_campaigns", "scope_path", true, "a campaign of a node inside the subtree"},
		{"screening_households", "path", true, "a campaign's frozen households, moved with their counters (see moveCampaigns)"},
		{"round_members", "path", true, "a round's frozen members, moved with their counters and flow (see moveRounds)"},
		{"cases", "path", true, "a case is of a person at home; the home moved"},
		{"case_contacts", "path", true, "a contact is traced where they live"},
		{"transfers", "path", true, "a transfer picks the person up at home"},
		{"alerts", "path", true, "an alert is about a place and is seen above where the place is"},
		{"alerts", "tier_path", true, "the level that sees an alert, when it lies in the moved subtree"},
		{"supply_partners", "path", true, "a shop or pharmacy is where its place is"},
		{"supply_partner_areas", "path", true, "the places a partner serves go with them"},
		{"supply_windows", "path", true, "an ordering window is set on a place and goes with it"},
		{"supply_orders", "path", true, "an order is delivered to the household where it is"},
		{"supply_order_links", "path", true, "a household's order link is scoped to its home"},
		{"supply_groups", "path", true, "a group order is gathered in its building"},
		{"delivery_runs", "path", true, "a delivery run leaves from its compound's gate"},
		{"delivery_parcels", "path", true, "a parcel goes to the household where it is"},
		{"delivery_complaints", "path", true, "a household's complaint is answered where it is"},
		{"medicine_requests", "path", true, "medicine is delivered to the household where it is"},
		{"vulnerable_checks", "path", true, "a resident's checks are counted where they live"},
		{"distributions", "scope_path", true, "a distribution of a node inside the subtree"},
		{"distribution_households", "path", true, "a distribution's frozen households (see moveDistributions)"},
		{"help_requests", "path", true, "a help request is answered at the household where it is"},
		{"help_trips", "path", true, "a hospital trip picks the person up at home"},
		{"screening_reports", "path", false, "a report as submitted upward is kept unchanged"},
		{"daily_reports", "path", false, "a daily report as submitted upward is kept unchanged"},
		{"purge_runs", "under_path", false, "a purge certificate says where it purged, when it purged"},
		{"audit_log", "place_path", false, "the audit log is append-only: where a change was made when it was made"},
	}
}

// subtreeMove is a node's subtree on its way from one path to another.
type subtreeMove struct {
	node       *frontline.Place
	parent     *frontline.Place // the new parent
	oldPath    string
	newPath    string
	lo, hi     string // the old subtree, the node included
	ancestors  []int64
	parentKind frontline.PlaceKind
}

// moved returns path, under the old subtree, as it is after the move.
func (m *subtreeMove) moved(path string) string { return m.newPath + path[len(m.oldPath):] }

// rewrite moves the paths of column in table that lie in the subtree,
// only the rows matching cond (with args) when cond is given.
func (tx *Tx) rewrite(ctx context.Context, m *subtreeMove, table, column, cond string, args ...any) error {
	where := column + ` >= ? AND ` + column + ` < ?`
	if cond != "" {
		where = cond + ` AND ` + where
	}
	_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = CAST(? AS TEXT) || substr(`+column+`, ?) WHERE `+where,
		append(append([]any{m.newPath, len(m.oldPath) + 1}, args...), m.lo, m.hi)...)
	return err
}

// MovePlace moves a node and its subtree under newParentID, in one
// transaction: every path under the node, the counts of the old and the
// new ancestors, and every campaign's and round's frozen list and
// counters that count the subtree (see moveCampaigns and moveRounds).
func (s *PlaceService) MovePlace(ctx context.Context, id, newParentID int64) (*frontline.Place, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermEditRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	p, err := tx.movePlace(ctx, id, newParentID)
	if err != nil {
		return nil, err
	}
	return p, tx.Commit()
}

func (tx *Tx) movePlace(ctx context.Context, id, newParentID int64) (*frontline.Place, error) {
	p, err := tx.editable(ctx, id)
	if err != nil {
		return nil, err
	}
	parent, err := tx.findPlaceByID(ctx, newParentID)
	if err != nil {
		return nil, notFoundAs(err, "parent_id")
	}
	switch {
	case parent.Retired():
		return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "parent_id", Message: frontline.ErrorMessage(retired(parent))}
	case strings.HasPrefix(parent.Path, p.Path):
		return nil, &frontline.Error{Code: frontline.ECONFLICT, Field: "parent_id",
			Message: fmt.Sprintf("%s cannot be moved under itself or its own subtree", p.Name)}
	case !parent.Kind.CanContain(p.Kind):
		return nil, frontline.FieldError("parent_id", "a %s cannot be placed under a %s", p.Kind, parent.Kind)
	case parent.ID == p.ParentID:
		return p, nil
	}
	m := &subtreeMove{node: p, parent: parent, oldPath: p.Path, newPath: frontline.ChildPath(parent.Path, p.ID),
		ancestors: frontline.PathIDs(p.Path)}
	m.lo, m.hi = subtreeRange(p.Path)
	// The workflows first: they may refuse the move, and they read the
	// subtree where it still is.
	if err := tx.moveCampaigns(ctx, m); err != nil {
		return nil, err
	}
	if err := tx.moveRounds(ctx, m); err != nil {
		return nil, err
	}
	if err := tx.moveDistributions(ctx, m); err != nil {
		return nil, err
	}
	c := counts{households: p.Households, residents: p.Residents, vulnerable: p.Vulnerable}
	if err := tx.addCounts(ctx, p.Path, c.neg(), true); err != nil {
		return nil, err
	}
	for _, col := range PathColumns() {
		if !col.Moved || col.Table == "screening_households" || col.Table == "round_members" ||
			col.Table == "distribution_households" {
			continue // kept, or moved per campaign and round above
		}
		if err := tx.rewrite(ctx, m, col.Table, col.Column, ""); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE places SET parent_id = ?, updated_at = ? WHERE id = ?`, parent.ID, tx.now, p.ID); err != nil {
		return nil, placeConflict(err, p)
	}
	oldParent := p.ParentID
	p.Path, p.ParentID, p.UpdatedAt = m.newPath, parent.ID, tx.now
	if err := tx.addCounts(ctx, p.Path, c, true); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "move", "place", p.ID, p.Path,
		map[string]any{"path": m.oldPath, "parent_id": oldParent},
		map[string]any{"path": m.newPath, "parent_id": parent.ID}); err != nil {
		return nil, err
	}
	return p, nil
}

func (d roundDelta) neg() roundDelta {
	return roundDelta{-d.expected, -d.sampled, -d.excused, -d.awaiting, -d.positive, -d.negative}
}

// notFoundAs names the field of an id that was not found, so a form shows
// the message next to it.
func notFoundAs(err error, field string) error {
	if frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return err
	}
	return &frontline.Error{Code: frontline.ENOTFOUND, Field: field, Message: frontline.ErrorMessage(err), Err: err}
}

// outsideArea refuses a move that would take counted households out of
// an open campaign's or round's area: they are in its frozen list, and
// the list must still be reachable there until it closes.
func outsideArea(m *subtreeMove, what, name, area string) error {
	return &frontline.Error{Code: frontline.ECONFLICT, Field: "area", Message: fmt.Sprintf(
		"%s is counted in the open %s %s, which covers %s; move it within %s, or once the %s is closed",
		m.node.Name, what, name, area, area, what)}
}

// followed is what a move does to one campaign or round.
type followed int

const (
	unaffected followed = iota // nothing of it is in the subtree
	inside                     // its scope is in the subtree: paths move, counters stay
	across                     // the subtree moves within its area: paths and counters move
	kept                       // closed, and the subtree leaves its area: a record, kept as it was
)

// counted is a campaign or a round that may count part of a moving
// subtree: its scope's path and name, whether it is open, and how many of
// its households or members lie in the subtree.
type counted struct {
	id         int64
	name, path string
	area       string // its scope node's name
	open       bool
	n          int
}

// countingWork runs a query of (id, name, scope path, status, scope name,
// members in the subtree) rows; open is the status of an open one.
func (tx *Tx) countingWork(ctx context.Context, open string, query string, args ...any) ([]counted, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []counted
	for rows.Next() {
		var c counted
		var status string
		if err := rows.Scan(&c.id, &c.name, &c.path, &status, &c.area, &c.n); err != nil {
			return nil, err
		}
		c.open = status == open
		out = append(out, c)
	}
	return out, rows.Err()
}

// follow decides what a move does to a campaign or round (what, as a
// refusal names it).
func follow(m *subtreeMove, c counted, what string) (followed, error) {
	switch {
	case c.n == 0:
		return unaffected, nil
	case strings.HasPrefix(c.path, m.oldPath):
		return inside, nil
	case strings.HasPrefix(m.parent.Path, c.path):
		return across, nil
	case c.open:
		return unaffected, outsideArea(m, what, c.name, c.area)
	}
	return kept, nil
}

// moveCampaigns makes every screening campaign that counts households of
// the subtree follow it: the households' paths, and their contributions
// moved from the counters of the old ancestors to those of the new ones.
// A campaign whose scope lies inside the subtree only has its paths moved
// (its scope_path moves with the other path columns); a closed campaign the subtree leaves keeps its record as it was; an open
// one refuses the move.
func (tx *Tx) moveCampaigns(ctx context.Context, m *subtreeMove) error {
	cs, err := tx.countingWork(ctx, string(frontline.CampaignOpen), `SELECT c.id, c.name, c.scope_path, c.status, p.name,
		(SELECT COUNT(*) FROM screening_households s WHERE s.campaign_id = c.id AND s.path >= ? AND s.path < ?)
		FROM screening_campaigns c JOIN places p ON p.id = c.scope_id
		WHERE c.scope_id IN `+inList(len(m.ancestors))+` OR (c.scope_path >= ? AND c.scope_path < ?) ORDER BY c.id`,
		append(append([]any{m.lo, m.hi}, int64Args(m.ancestors)...), m.lo, m.hi)...)
	if err != nil {
		return err
	}
	for _, c := range cs {
		f, err := follow(m, c, "campaign")
		if err != nil {
			return err
		}
		if f == across {
			if err := tx.moveCampaignCounters(ctx, m, campaign{Campaign: &frontline.Campaign{ID: c.id, Name: c.name}, path: c.path}); err != nil {
				return err
			}
		}
		if f == inside || f == across {
			if err := tx.rewrite(ctx, m, "screening_households", "path", "campaign_id = ?", c.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// moveCampaignCounters moves what the subtree's households add to a
// campaign's counters from the old ancestors to the new ones, gives the
// new ancestors counters where they had none, hangs the node's own
// counters under its new parent, and sets the building of households that
// changed building (a unit or a household moved).
func (tx *Tx) moveCampaignCounters(ctx context.Context, m *subtreeMove, c campaign) error {
	top := len(frontline.PathIDs(c.path)) - 1
	deltas := map[int64]coverDelta{}
	err := tx.campaignContributions(ctx, c.ID, m.lo, m.hi, func(path string, t coverDelta) {
		old, moved := frontline.PathIDs(path), frontline.PathIDs(m.moved(path))
		for _, id := range old[top : len(old)-1] {
			deltas[id] = deltas[id].sub(t)
		}
		for _, id := range moved[top : len(moved)-1] {
			deltas[id] = deltas[id].plus(t)
		}
	})
	if err != nil {
		return err
	}
	if err := tx.ensureCounters(ctx, campaignFrozen(c.ID), c.path, frontline.PathIDs(m.parent.Path)[top:]); err != nil {
		return err
	}
	ids := make([]int64, 0, len(deltas))
	for id, d := range deltas {
		if d != (coverDelta{}) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // one lock order for concurrent writers
	set := ""
	for _, col := range strings.Split(screeningCountColumns, ",") {
		col = strings.TrimSpace(col)
		set += col + " = " + col + " + ?, "
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE screening_counts SET `+strings.TrimSuffix(set, ", ")+
			` WHERE campaign_id = ? AND place_id = ?`, append(deltas[id].args(), c.ID, id)...); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE screening_counts SET parent_id = ? WHERE campaign_id = ? AND place_id = ?`,
		m.parent.ID, c.ID, m.node.ID); err != nil {
		return err
	}
	// A household's building is its parent, or the unit's parent.
	building := int64(0)
	switch m.node.Kind {
	case frontline.KindUnit:
		building = m.parent.ID
	case frontline.KindHousehold:
		building = m.parent.ID
		if m.parent.Kind == frontline.KindUnit {
			building = m.parent.ParentID
		}
	}
	if building != 0 {
		_, err = tx.ExecContext(ctx, `UPDATE screening_households SET building_id = ? WHERE campaign_id = ? AND path >= ? AND path < ?`,
			building, c.ID, m.lo, m.hi)
	}
	return err
}

// moveRounds makes every test round that counts members of the subtree
// follow it, as moveCampaigns does for campaigns: the members' paths, the
// coverage counters and the per-node flow of persons sampled.
func (tx *Tx) moveRounds(ctx context.Context, m *subtreeMove) error {
	rs, err := tx.countingWork(ctx, string(frontline.RoundOpen), `SELECT r.id, r.name, sc.path, r.status, sc.name,
		(SELECT COUNT(*) FROM round_members rm WHERE rm.round_id = r.id AND rm.path >= ? AND rm.path < ?)
		FROM test_rounds r JOIN places sc ON sc.id = r.scope_id
		WHERE r.status <> ? AND (r.scope_id IN `+inList(len(m.ancestors))+` OR (sc.path >= ? AND sc.path < ?)) ORDER BY r.id`,
		append(append([]any{m.lo, m.hi, string(frontline.RoundDraft)}, int64Args(m.ancestors)...), m.lo, m.hi)...)
	if err != nil {
		return err
	}
	for _, r := range rs {
		f, err := follow(m, r, "round")
		if err != nil {
			return err
		}
		if f == across {
			if err := tx.moveRoundCounters(ctx, m, r.id, r.path); err != nil {
				return err
			}
		}
		if f == inside || f == across {
			if err := tx.rewrite(ctx, m, "round_members", "path", "round_id = ?", r.id); err != nil {
				return err
			}
		}
	}
	return nil
}

// moveRoundCounters moves what the subtree's members add to a round's
// counters and flow from the old ancestors to the new ones. The members
// are locked first, as a binding locks them, so that a person sampled
// meanwhile is either counted before the move or after it.
func (tx *Tx) moveRoundCounters(ctx context.Context, m *subtreeMove, roundID int64, scopePath string) error {
	if tx.db.Engine == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT m.person_id FROM round_members m WHERE m.round_id = ? AND m.path >= ? AND m.path < ?
			ORDER BY m.person_id`+tx.db.forUpdateOf("m"), roundID, m.lo, m.hi); err != nil {
			return err
		}
	}
	rc := roundCounts{}
	if _, err := tx.memberDeltas(ctx, roundID, m.lo, m.hi, func(path string, d roundDelta) {
		rc.addPath(roundID, scopePath, path, d.neg())
		rc.addPath(roundID, scopePath, m.moved(path), d)
	}); err != nil {
		return err
	}
	if err := rc.write(ctx, tx); err != nil {
		return err
	}
	flow := map[flowKey]int{}
	if err := tx.bindingPaths(ctx, roundID, m.lo, m.hi, func(path string, at time.Time) {
		bucket := frontline.FlowBucketOf(at).Unix()
		addFlow(flow, roundID, scopePath, path, 0, bucket, -1)
		addFlow(flow, roundID, scopePath, m.moved(path), 0, bucket, 1)
	}); err != nil {
		return err
	}
	return writeFlow(ctx, tx, flow)
}
