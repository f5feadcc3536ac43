package sqldb

import (
	"context"
	"slices"

	"github.com/frontline-org/frontline"
)

// PersonHealth returns a person's results (the rounds they were sampled
// in, read through their bindings, which are indexed by person),
// measures, cases and restrictions now.
func (s *CaseService) PersonHealth(ctx context.Context, personID int64) (*frontline.PersonHealth, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var path string
	if err := tx.QueryRowContext(ctx, `SELECT h.path FROM persons p JOIN places h ON h.id = p.household_id WHERE p.id = ?`, personID).
		Scan(&path); err != nil || !visible(ctx, path) {
		return nil, frontline.Errorf(frontline.ENOTFOUND, "person %d not found", personID)
	}
	h := &frontline.PersonHealth{Results: []*frontline.PersonResult{}}
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.name, r.day, t.code, m.result, m.follow_up FROM bindings b
		JOIN tubes t ON t.id = b.tube_id JOIN test_rounds r ON r.id = b.round_id
		JOIN round_members m ON m.round_id = b.round_id AND m.person_id = b.person_id
		WHERE b.person_id = ? AND b.undone_at IS NULL ORDER BY r.day DESC, r.id DESC LIMIT 30`, personID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var res frontline.PersonResult
		if err := rows.Scan(&res.RoundID, &res.RoundName, &res.Day, &res.TubeCode, &res.Result, &res.FollowUp); err != nil {
			rows.Close()
			return nil, err
		}
		h.Results = append(h.Results, &res)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if h.Measures, err = tx.measures(ctx, `person_id = ?`, personID); err != nil {
		return nil, err
	}
	slices.Reverse(h.Measures)
	if h.Cases, err = tx.queryCases(ctx, `c.person_id = ? ORDER BY c.id DESC`, personID); err != nil {
		return nil, err
	}
	rs, err := tx.restrictionsOf(ctx, []int64{personID})
	if err != nil {
		return nil, err
	}
	h.Restrictions = rs[personID]
	return h, nil
}
