package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// aggTime scans a time that SQLite returns as text when it comes out of an
// expression (MIN, MAX) rather than a TIMESTAMP column.
type aggTime struct{ Time time.Time }

// Scan implements sql.Scanner.
func (t *aggTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Time = time.Time{}
	case time.Time:
		t.Time = x.UTC()
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	default:
		return fmt.Errorf("cannot scan %T into a time", v)
	}
	return nil
}

func (t *aggTime) parse(s string) error {
	// The last layout is time.Time's String, which the driver wrote for
	// households added late before they were written like the others.
	for _, layout := range []string{sqliteTime, "2006-01-02 15:04:05.999999999Z07:00", time.RFC3339Nano, "2006-01-02 15:04:05",
		"2006-01-02 15:04:05.999999999 -0700 MST"} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("cannot read %q as a time", s)
}

// NewHouseholds lists households under the campaign's scope (and the
// caller's) that are not in its denominator: created or moved in since it
// opened. At most 1,000.
func (s *CampaignService) NewHouseholds(ctx context.Context, campaignID int64) ([]*frontline.Place, error) {
	tx, err := s.db.readTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c, err := tx.findCampaign(ctx, campaignID)
	if err != nil {
		return nil, err
	}
	return tx.householdsOutside(ctx, campaignFrozen(c.ID), c.path)
}

// AddHouseholds adds households to a campaign's denominator after it
// opened, recording who added them and when. Each gets the assignee of
// its building (or of the nearest node above it that has one) and counts
// in the counters from now on.
func (s *CampaignService) AddHouseholds(ctx context.Context, campaignID int64, ids []int64) (int, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermManageScreening)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	c, err := tx.openCampaign(ctx, campaignID)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := tx.addLateHousehold(ctx, c, id); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE screening_campaigns SET households = households + ? WHERE id = ?`, len(ids), c.ID); err != nil {
		return 0, err
	}
	return len(ids), tx.Commit()
}

func (tx *Tx) addLateHousehold(ctx context.Context, c campaign, id int64) error {
	h, err := tx.liveHousehold(ctx, id)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(h.Path, c.path) {
		return frontline.Errorf(frontline.EINVALID, "%s is not under %s, which the campaign screens", h.Name, c.Name)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM screening_households WHERE campaign_id = ? AND household_id = ?`,
		c.ID, id).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return frontline.Errorf(frontline.ECONFLICT, "household %s is already in the campaign", h.Name)
	}
	ids := frontline.PathIDs(h.Path)
	top := len(frontline.PathIDs(c.path)) - 1
	above := ids[top : len(ids)-1] // the scope down to the household's parent
	if err := tx.ensureCounters(ctx, campaignFrozen(c.ID), c.path, above); err != nil {
		return err
	}
	building, a, err := tx.defaultAssignee(ctx, c, above)
	if err != nil {
		return err
	}
	actor := frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `INSERT INTO screening_households (campaign_id, household_id, path, building_id,
		user_id, team_id, since, added_late, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, TRUE, ?)`,
		c.ID, h.ID, h.Path, building, nullID(a.UserID), nullID(a.TeamID), tx.timeArg(), actor); err != nil {
		return err
	}
	if err := tx.addCoverage(ctx, c, h.Path, coverDelta{households: 1}); err != nil {
		return err
	}
	return tx.audit(ctx, "add_household", "screening_campaign", c.ID, h.Path, nil,
		map[string]any{"household_id": h.ID, "added_by": actor})
}

// defaultAssignee returns the building of a household whose ancestors
// (scope first, parent last) are above, and the assignee recorded for the
// deepest of them.
func (tx *Tx) defaultAssignee(ctx context.Context, c campaign, above []int64) (int64, frontline.Assignee, error) {
	rows, err := tx.QueryContext(ctx, `SELECT place_id, COALESCE(user_id, 0), COALESCE(team_id, 0)
		FROM screening_assign WHERE campaign_id = ? AND place_id IN `+inList(len(above)), append([]any{c.ID}, int64Args(above)...)...)
	if err != nil {
		return 0, frontline.Assignee{}, err
	}
	defer rows.Close()
	byID := map[int64]frontline.Assignee{}
	building := above[len(above)-1]
	for rows.Next() {
		var id int64
		var a frontline.Assignee
		if err := rows.Scan(&id, &a.UserID, &a.TeamID); err != nil {
			return 0, a, err
		}
		byID[id] = a
	}
	if err := rows.Err(); err != nil {
		return 0, frontline.Assignee{}, err
	}
	kinds := map[int64]frontline.PlaceKind{}
	if err := tx.placeKinds(ctx, above, kinds); err != nil {
		return 0, frontline.Assignee{}, err
	}
	if kinds[building] == frontline.KindUnit && len(above) > 1 {
		building = above[len(above)-2]
	}
	for i := len(above) - 1; i >= 0; i-- {
		if a, ok := byID[above[i]]; ok {
			return building, a, nil
		}
	}
	return 0, frontline.Assignee{}, sql.ErrNoRows
}

func (tx *Tx) placeKinds(ctx context.Context, ids []int64, out map[int64]frontline.PlaceKind) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind FROM places WHERE id IN `+inList(len(ids)), int64Args(ids)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k frontline.PlaceKind
		if err := rows.Scan(&id, &k); err != nil {
			return err
		}
		out[id] = k
	}
	return rows.Err()
}
