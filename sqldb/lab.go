package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Ensure the service implements the interface.
var _ frontline.LabService = (*LabService)(nil)

// LabService moves tubes into bags and to the lab, and results back to
// every person in a tube.
type LabService struct {
	db *DB
	// Settings open the cases the results confirm.
	Settings CaseSettings
}

// NewLabService returns a LabService on db.
func NewLabService(db *DB) *LabService { return &LabService{db: db, Settings: DefaultCaseSettings()} }

// lockTubesByCode locks tubes in id order (the lock order of the binding
// writer) and returns them by code with their round's scope path; codes
// that are unknown or outside the caller's scope are missing from the map.
func (tx *Tx) lockTubesByCode(ctx context.Context, codes []string) (map[string]*frontline.Tube, map[string]string, error) {
	tubes, scopes := map[string]*frontline.Tube{}, map[string]string{}
	for start := 0; start < len(codes); start += idChunk {
		part := codes[start:min(start+idChunk, len(codes))]
		rows, err := tx.QueryContext(ctx, `SELECT `+tubeColumns+`, sc.path FROM tubes t JOIN test_rounds r ON r.id = t.round_id
			JOIN places sc ON sc.id = r.scope_id WHERE t.code IN `+inList(len(part))+` ORDER BY t.id`+tx.db.forUpdateOf("t"),
			stringArgs(part)...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var t frontline.Tube
			var scope string
			if err := rows.Scan(append(tubeDest(&t), &scope)...); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if roundVisible(ctx, scope) {
				tubes[t.Code], scopes[t.Code] = &t, scope
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return tubes, scopes, nil
}

// BagTubes packs sealed tubes of one round into a bag. The count the
// packer typed must match the tubes scanned (BagRequest.Validate), and
// every tube must be sealed and in no other bag.
func (s *LabService) BagTubes(ctx context.Context, req *frontline.BagRequest) (*frontline.Bag, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermSampling)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	r, err := tx.findRound(ctx, req.RoundID, false)
	if err != nil {
		return nil, err
	}
	// A bag sent again (the station lost the answer) is answered with the
	// bag it packed; the same code with other tubes is a second bag.
	if prev, _, err := tx.findBag(ctx, req.Code, false); err == nil {
		if prev.RoundID == r.ID && slices.Equal(prev.TubeCodes, slices.Sorted(slices.Values(req.TubeCodes))) {
			return prev, nil
		}
		return nil, frontline.FieldError("code", "bag %s is already packed", prev.Code)
	} else if frontline.ErrorCode(err) != frontline.ENOTFOUND {
		return nil, err
	}
	tubes, _, err := tx.lockTubesByCode(ctx, req.TubeCodes)
	if err != nil {
		return nil, err
	}
	for _, code := range req.TubeCodes {
		t := tubes[code]
		switch {
		case t == nil || t.RoundID != r.ID:
			return nil, frontline.FieldError("tubes", "tube %s is not a tube of this round", code)
		case t.Retest:
			return nil, frontline.FieldError("tubes", "tube %s is a home re-test tube; it goes to the lab on its own", code)
		case t.State == frontline.TubeOpen:
			return nil, frontline.FieldError("tubes", "tube %s is still open; seal it first", code)
		case t.State != frontline.TubeSealed:
			return nil, frontline.FieldError("tubes", "tube %s is already %s", code, t.State)
		}
	}
	b := &frontline.Bag{RoundID: r.ID, Code: req.Code, StationID: req.StationID, Expected: len(req.TubeCodes),
		TubeCodes: slices.Sorted(slices.Values(req.TubeCodes)), State: frontline.BagSealed,
		CreatedAt: tx.now, CreatedBy: frontline.ActorFrom(ctx).String()}
	if err := tx.QueryRowContext(ctx, `INSERT INTO bags (round_id, code, station_id, expected, state, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, b.RoundID, b.Code, nullID(b.StationID), b.Expected, string(b.State),
		b.CreatedAt, b.CreatedBy).Scan(&b.ID); err != nil {
		if err = tx.db.translate(err); frontline.ErrorCode(err) == frontline.ECONFLICT {
			return nil, frontline.FieldError("code", "bag %s is already packed", b.Code)
		}
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tubes SET state = ?, bag_id = ? WHERE code IN `+inList(len(req.TubeCodes)),
		append([]any{string(frontline.TubeBagged), b.ID}, stringArgs(req.TubeCodes)...)...); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "pack", "bag", b.ID, r.Scope.Path, nil, map[string]any{"code": b.Code, "tubes": b.TubeCodes}); err != nil {
		return nil, err
	}
	return b, tx.Commit()
}

// labReader returns the permission the caller reads bags with.
func labReader(ctx context.Context) frontline.Permission {
	if p := frontline.PrincipalFrom(ctx); p.Can(frontline.PermPostResults) {
		return frontline.PermPostResults
	}
	return frontline.PermSampling
}

// FindBag returns a bag with the codes of the tubes packed in it.
func (s *LabService) FindBag(ctx context.Context, code string) (*frontline.Bag, error) {
	tx, err := s.db.readTx(ctx, labReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b, _, err := tx.findBag(ctx, code, false)
	return b, err
}

const bagColumns = `b.id, b.round_id, b.code, COALESCE(b.station_id, 0), b.expected, b.state, b.created_at, b.created_by,
	b.received_at, b.received_by, b.received, b.missing, b.extra`

func scanBag(sc interface{ Scan(...any) error }, extra ...any) (*frontline.Bag, error) {
	var b frontline.Bag
	var missing, found string
	if err := sc.Scan(append([]any{&b.ID, &b.RoundID, &b.Code, &b.StationID, &b.Expected, &b.State, &b.CreatedAt, &b.CreatedBy,
		nullTimeDest{&b.ReceivedAt}, &b.ReceivedBy, &b.Received, &missing, &found}, extra...)...); err != nil {
		return nil, err
	}
	b.CreatedAt = b.CreatedAt.UTC()
	b.Missing, b.Extra = strings.Fields(missing), strings.Fields(found)
	return &b, nil
}

// findBag reads a bag and the codes packed in it, locking it on
// PostgreSQL when asked.
func (tx *Tx) findBag(ctx context.Context, code string, lock bool) (*frontline.Bag, string, error) {
	code, err := frontline.NormalizeTubeCode(code)
	if err != nil {
		return nil, "", frontline.FieldError("code", "a bag code has letters, digits and '-'")
	}
	q := `SELECT ` + bagColumns + `, sc.path FROM bags b JOIN test_rounds r ON r.id = b.round_id
		JOIN places sc ON sc.id = r.scope_id WHERE b.code = ?`
	if lock {
		q += tx.db.forUpdateOf("b")
	}
	var scope string
	b, err := scanBag(tx.QueryRowContext(ctx, q, code), &scope)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !roundVisible(ctx, scope)) {
		return nil, "", &frontline.Error{Code: frontline.ENOTFOUND, Field: "code", Message: fmt.Sprintf("bag %s not found", code)}
	} else if err != nil {
		return nil, "", tx.db.translate(err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT code FROM tubes WHERE bag_id = ? ORDER BY code`, b.ID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, "", err
		}
		b.TubeCodes = append(b.TubeCodes, c)
	}
	return b, scope, rows.Err()
}

// ReceiveBag records the lab's count of a bag. With the tubes scanned out
// of it, tubes packed but not found are listed missing (they stay bagged),
// and tubes found but packed elsewhere are listed extra (and received, as
// they are at the lab). With a count alone, every packed tube is taken as
// received and a differing count is the discrepancy. A receipt that names
// its round refuses a bag of another round: a lab page shows one round's
// bags, and a bag received from it must be one of them.
func (s *LabService) ReceiveBag(ctx context.Context, rc frontline.BagReceipt) (*frontline.Bag, error) {
	if err := rc.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.db.writeTx(ctx, frontline.PermPostResults)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b, scope, err := tx.findBag(ctx, rc.Code, true)
	if err != nil {
		return nil, err
	}
	if rc.RoundID != 0 && b.RoundID != rc.RoundID {
		return nil, frontline.FieldError("code", "bag %s belongs to another round (%d), not round %d", b.Code, b.RoundID, rc.RoundID)
	}
	if b.State == frontline.BagReceived {
		return nil, frontline.Errorf(frontline.ECONFLICT, "bag %s was received at %s by %s", b.Code, b.ReceivedAt.In(tx.db.Location).Format("2006-01-02 15:04"), b.ReceivedBy)
	}
	found := b.TubeCodes
	if rc.Count != nil && len(rc.TubeCodes) == 0 {
		// A count alone says which tubes came only when it says all or
		// none: any other count leaves the missing ones unknown, and the
		// results of tubes that never arrived must not wait as received.
		switch n := *rc.Count; {
		case n == 0:
			found, b.Missing = nil, b.TubeCodes
		case n != b.Expected:
			return nil, frontline.FieldError("count", "bag %s was packed with %d tubes and %d were counted: scan the tubes out of it, so the missing ones are known",
				b.Code, b.Expected, n)
		}
		b.Received = *rc.Count
	}
	if len(rc.TubeCodes) > 0 {
		found = rc.TubeCodes
		b.Received = len(found)
		b.Missing, b.Extra = frontline.Reconcile(b.TubeCodes, found)
	}
	if err := tx.markReceived(ctx, found); err != nil {
		return nil, err
	}
	b.State, b.ReceivedAt, b.ReceivedBy = frontline.BagReceived, tx.now, frontline.ActorFrom(ctx).String()
	if _, err := tx.ExecContext(ctx, `UPDATE bags SET state = ?, received_at = ?, received_by = ?, received = ?, missing = ?, extra = ?
		WHERE id = ?`, string(b.State), b.ReceivedAt, b.ReceivedBy, b.Received, strings.Join(b.Missing, " "),
		strings.Join(b.Extra, " "), b.ID); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, "receive", "bag", b.ID, scope, nil, map[string]any{"received": b.Received,
		"expected": b.Expected, "missing": b.Missing, "extra": b.Extra}); err != nil {
		return nil, err
	}
	return b, tx.Commit()
}

// markReceived moves the given tubes that are sealed or bagged to
// received; tubes the lab found that the system does not know are left
// for the discrepancy list.
func (tx *Tx) markReceived(ctx context.Context, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	tubes, _, err := tx.lockTubesByCode(ctx, codes)
	if err != nil {
		return err
	}
	var ids []int64
	for _, t := range tubes {
		if t.State == frontline.TubeSealed || t.State == frontline.TubeBagged {
			ids = append(ids, t.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE tubes SET state = ? WHERE id IN `+inList(len(ids)),
		append([]any{string(frontline.TubeReceived)}, int64Args(ids)...)...)
	return err
}

// FindBags lists a round's bags, those with a discrepancy first.
func (s *LabService) FindBags(ctx context.Context, roundID int64) ([]*frontline.Bag, error) {
	tx, err := s.db.readTx(ctx, labReader(ctx))
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := tx.findRound(ctx, roundID, false); err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+bagColumns+` FROM bags b WHERE b.round_id = ? ORDER BY b.id`, roundID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*frontline.Bag, 0)
	for rows.Next() {
		b, err := scanBag(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	slices.SortStableFunc(out, func(a, b *frontline.Bag) int {
		switch {
		case a.Discrepant() && !b.Discrepant():
			return -1
		case b.Discrepant() && !a.Discrepant():
			return 1
		}
		return 0
	})
	return out, rows.Err()
}
