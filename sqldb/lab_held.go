package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/frontline-org/frontline"
)

// bagRef is what a result needs to know of its tube's bag.
type bagRef struct {
	code     string
	received bool
}

// heldRow is a result row held because its tube was not received.
type heldRow struct {
	row    frontline.ResultRow
	tube   *frontline.Tube
	reason frontline.HoldReason
	bag    string
}

// tubeBags returns the bags of the tubes that are in one, by id.
func (tx *Tx) tubeBags(ctx context.Context, tubes map[string]*frontline.Tube) (map[int64]bagRef, error) {
	var ids []int64
	for _, t := range tubes {
		if t.BagID != 0 {
			ids = append(ids, t.BagID)
		}
	}
	out := map[int64]bagRef{}
	if len(ids) == 0 {
		return out, nil
	}
	err := tx.eachRow(ctx, `SELECT id, code, state FROM bags WHERE id IN %s`, sortedUnique(ids), func(sc interface{ Scan(...any) error }) error {
		var id int64
		var code, state string
		if err := sc.Scan(&id, &code, &state); err != nil {
			return err
		}
		out[id] = bagRef{code: code, received: state == string(frontline.BagReceived)}
		return nil
	})
	return out, err
}

const heldColumns = `h.id, h.round_id, t.code, h.result, h.reason, h.bag_code, h.posted_at, h.posted_by, h.decision, h.decided_at, h.decided_by`

const heldFrom = ` FROM held_results h JOIN tubes t ON t.id = h.tube_id`

func scanHeld(sc interface{ Scan(...any) error }, extra ...any) (*frontline.HeldResult, error) {
	var h frontline.HeldResult
	if err := sc.Scan(append([]any{&h.ID, &h.RoundID, &h.TubeCode, &h.Result, &h.Reason, &h.BagCode, &h.PostedAt, &h.PostedBy,
		&h.Decision, nullTimeDest{&h.DecidedAt}, &h.DecidedBy}, extra...)...); err != nil {
		return nil, err
	}
	h.PostedAt = h.PostedAt.UTC()
	return &h, nil
}

// holdResults keeps the held rows for a decision. A tube keeps one result
// waiting: the same result posted again is that one (a retry holds
// nothing more), another result is refused until it is decided.
func (tx *Tx) holdResults(ctx context.Context, holds []heldRow, scopes map[string]string, sum *frontline.ResultSummary) error {
	for _, h := range holds {
		waiting, err := scanHeld(tx.QueryRowContext(ctx, `SELECT `+heldColumns+heldFrom+` WHERE h.tube_id = ? AND h.decision = ''`, h.tube.ID))
		switch {
		case err == nil && waiting.Result == h.row.Result:
			sum.Held = append(sum.Held, waiting)
			continue
		case err == nil:
			sum.Errors = append(sum.Errors, frontline.ResultError{Row: h.row.Row, TubeCode: h.tube.Code, Value: string(waiting.Result),
				Reason: frontline.ReasonHeld, Message: "tube " + h.tube.Code + " already has a result waiting for a decision (" + string(waiting.Result) + ")"})
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		held := &frontline.HeldResult{RoundID: h.tube.RoundID, TubeCode: h.tube.Code, Result: h.row.Result, Reason: h.reason,
			BagCode: h.bag, PostedAt: tx.now, PostedBy: frontline.ActorFrom(ctx).String()}
		if err := tx.QueryRowContext(ctx, `INSERT INTO held_results (round_id, tube_id, result, reason, bag_code, posted_at, posted_by)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, held.RoundID, h.tube.ID, string(held.Result), string(held.Reason), held.BagCode,
			held.PostedAt, held.PostedBy).Scan(&held.ID); err != nil {
			return err
		}
		if err := tx.audit(ctx, "hold", "tube", h.tube.ID, scopes[h.tube.Code], nil,
			map[string]any{"result": held.Result, "reason": held.Reason, "bag": held.BagCode}); err != nil {
			return err
		}
		sum.Held = append(sum.Held, held)
	}
	return nil
}

// FindHeldResults lists a round's results waiting for a decision, oldest
// first.
func (s *LabService) FindHeldResults(ctx context.Context, roundID int64) ([]*frontline.HeldResult, error) {
	tx, err := s.db.readTx(ctx, frontline.PermPostResults)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.findRound(ctx, roundID, false); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+heldColumns+heldFrom+` WHERE h.round_id = ? AND h.decision = '' ORDER BY h.id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.HeldResult, 0)
	for rows.Next() {
		h, err := scanHeld(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// DecideHeldResult records the caller's decision on a held result. To
// accept is to say the tube is at the lab: it is recorded received by the
// caller, and the result goes the way of any other (PostResults).
func (s *LabService) DecideHeldResult(ctx context.Context, id int64, accept bool) (*frontline.HeldResult, *frontline.ResultSummary, error) {
	tx, err := s.db.writeTx(ctx, frontline.PermPostResults)
	if err != nil {
		return nil, nil, err
	}
	defer tx.Rollback()
	var tubeID int64
	h, err := scanHeld(tx.QueryRowContext(ctx, `SELECT `+heldColumns+`, h.tube_id`+heldFrom+` WHERE h.id = ?`+tx.db.forUpdateOf("h"), id), &tubeID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "held result %d not found", id)
	} else if err != nil {
		return nil, nil, err
	}
	tubes, scopes, err := tx.lockTubesByCode(ctx, []string{h.TubeCode})
	if err != nil {
		return nil, nil, err
	}
	t := tubes[h.TubeCode]
	if t == nil {
		// A tube of a round outside the caller's scope: not theirs to decide.
		return nil, nil, frontline.Errorf(frontline.ENOTFOUND, "held result %d not found", id)
	}
	if h.Decision != "" {
		return nil, nil, frontline.Errorf(frontline.ECONFLICT, "the result for tube %s was %s by %s", h.TubeCode, h.Decision, h.DecidedBy)
	}
	h.Decision, h.DecidedAt, h.DecidedBy = frontline.HoldRejected, tx.now, frontline.ActorFrom(ctx).String()
	sum := &frontline.ResultSummary{}
	if accept {
		h.Decision = frontline.HoldAccepted
		if err := tx.markReceived(ctx, []string{t.Code}); err != nil {
			return nil, nil, err
		}
		t.State = frontline.TubeReceived
		posted, _ := acceptResults([]frontline.ResultRow{{TubeCode: t.Code, Result: h.Result}}, tubes, nil, sum)
		if len(sum.Errors) > 0 {
			return nil, nil, frontline.Errorf(frontline.ECONFLICT, "%s", sum.Errors[0].Message)
		}
		if err := tx.applyResults(ctx, posted, scopes, sum, s.Settings); err != nil {
			return nil, nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE held_results SET decision = ?, decided_at = ?, decided_by = ? WHERE id = ?`,
		string(h.Decision), h.DecidedAt, h.DecidedBy, h.ID); err != nil {
		return nil, nil, err
	}
	if err := tx.audit(ctx, "decide_held", "tube", tubeID, scopes[t.Code], map[string]any{"result": h.Result, "reason": h.Reason},
		map[string]any{"decision": h.Decision}); err != nil {
		return nil, nil, err
	}
	return h, sum, tx.Commit()
}

// FindLabWork lists per round what waits at the lab. The counts come from
// three small indexed queries: bags not received, tubes received and not
// resulted (a partial index), held results waiting.
func (s *LabService) FindLabWork(ctx context.Context) ([]*frontline.LabWork, error) {
	tx, err := s.db.readTx(ctx, frontline.PermPostResults)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	byRound := map[int64]*frontline.LabWork{}
	var order []int64
	for _, q := range []struct {
		sql   string
		count func(w *frontline.LabWork) *int
	}{
		{`SELECT round_id, COUNT(*) FROM bags WHERE state = '` + string(frontline.BagSealed) + `' GROUP BY round_id`,
			func(w *frontline.LabWork) *int { return &w.BagsToReceive }},
		{`SELECT round_id, COUNT(*) FROM tubes WHERE state = '` + string(frontline.TubeReceived) + `' GROUP BY round_id`,
			func(w *frontline.LabWork) *int { return &w.TubesToResult }},
		{`SELECT round_id, COUNT(*) FROM held_results WHERE decision = '' GROUP BY round_id`,
			func(w *frontline.LabWork) *int { return &w.Held }},
	} {
		rows, err := tx.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if byRound[id] == nil {
				byRound[id] = &frontline.LabWork{RoundID: id}
				order = append(order, id)
			}
			*q.count(byRound[id]) = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]*frontline.LabWork, 0, len(order))
	for _, id := range sortedUnique(order) {
		r, err := tx.findRound(ctx, id, false)
		if frontline.ErrorCode(err) == frontline.ENOTFOUND {
			continue // a round outside the caller's scope
		} else if err != nil {
			return nil, err
		}
		w := byRound[id]
		w.Round = r.Name
		out = append(out, w)
	}
	return out, nil
}
