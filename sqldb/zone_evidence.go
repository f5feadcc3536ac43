package sqldb

import (
	"context"
	"slices"

	"github.com/frontline-org/frontline"
)

const evidenceSelect = `SELECT e.id, e.place_id, e.kind, e.at, e.link_kind, e.link_ref, e.note, e.recorded_by, e.recorded_at
	FROM zone_evidence e`

func (tx *Tx) queryEvidence(ctx context.Context, where string, args ...any) ([]*frontline.ZoneEvidence, error) {
	rows, err := tx.QueryContext(ctx, evidenceSelect+` WHERE `+where+` ORDER BY e.at, e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*frontline.ZoneEvidence{}
	for rows.Next() {
		var e frontline.ZoneEvidence
		if err := rows.Scan(&e.ID, &e.PlaceID, &e.Kind, &e.At, &e.Link.Kind, &e.Link.Ref, &e.Note, &e.RecordedBy, &e.RecordedAt); err != nil {
			return nil, err
		}
		e.At, e.RecordedAt = e.At.UTC(), e.RecordedAt.UTC()
		out = append(out, &e)
	}
	return out, rows.Err()
}

// evidenceFor returns the evidence that bears on a zone drawn on place:
// positives at or under it, and negative rounds that covered all of it
// (drawn on it or an ancestor). A round over one building of a sealed
// compound does not clear the compound. The positives are a range of the
// path stored on each row (index zone_evidence_path), so a zone over a
// large compound costs what its evidence costs, not what its subtree does.
func (tx *Tx) evidenceFor(ctx context.Context, place *frontline.Place) ([]*frontline.ZoneEvidence, error) {
	lo, hi := subtreeRange(place.Path)
	ids := frontline.PathIDs(place.Path)
	args := append([]any{frontline.EvidencePositive, lo, hi, frontline.EvidenceNegativeRound}, int64Args(ids)...)
	return tx.queryEvidence(ctx, `(e.kind = ? AND e.path >= ? AND e.path < ?) OR (e.kind = ? AND e.place_id IN `+inList(len(ids))+`)`, args...)
}

// RecordEvidence adds a positive or a negative whole-area round at a node
// inside the caller's scope.
func (s *ZoneService) RecordEvidence(ctx context.Context, e *frontline.ZoneEvidence) error {
	tx, err := s.db.writeTx(ctx, frontline.PermManageZones)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := e.Validate(tx.now); err != nil {
		return err
	}
	place, err := tx.findPlaceByID(ctx, e.PlaceID)
	if err != nil {
		return err
	}
	if err := tx.addEvidence(ctx, place, e); err != nil {
		return err
	}
	return tx.Commit()
}

// addEvidence stores a piece of evidence at place, recorded now by the
// caller, and audits it.
func (tx *Tx) addEvidence(ctx context.Context, place *frontline.Place, e *frontline.ZoneEvidence) error {
	e.PlaceID, e.At, e.Place, e.RecordedAt, e.RecordedBy = place.ID, e.At.UTC(), place, tx.now, frontline.ActorFrom(ctx).String()
	if err := tx.QueryRowContext(ctx, `INSERT INTO zone_evidence (place_id, path, kind, at, link_kind, link_ref, note, recorded_at,
		recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, place.ID, place.Path, e.Kind, e.At, string(e.Link.Kind),
		e.Link.Ref, e.Note, tx.now, e.RecordedBy).Scan(&e.ID); err != nil {
		return tx.db.translate(err)
	}
	return tx.audit(ctx, "create", "zone_evidence", e.ID, place.Path, nil, map[string]any{
		"place_id": place.ID, "kind": e.Kind, "at": e.At, "link": string(e.Link.Kind) + ":" + e.Link.Ref, "note": e.Note,
	})
}

// stepDownCheck evaluates one active zone against the current rule of its
// level and the evidence that bears on it.
func (tx *Tx) stepDownCheck(ctx context.Context, z *frontline.Zone) (*frontline.StepDownCheck, error) {
	rule, err := tx.currentRule(ctx, z.Level)
	if err != nil {
		return nil, err
	}
	return tx.checkZone(ctx, z, rule)
}

// checkZone evaluates z against rule and the evidence that bears on it.
func (tx *Tx) checkZone(ctx context.Context, z *frontline.Zone, rule *frontline.ZoneRule) (*frontline.StepDownCheck, error) {
	evidence, err := tx.evidenceFor(ctx, z.Place)
	if err != nil {
		return nil, err
	}
	return frontline.StepDownEligibility(z, rule, evidence, tx.now), nil
}

// StepDownChecks evaluates every active zone at or under a node: eligible
// zones first, then the longest-running. It is computed on every read, so
// the board always reflects the latest evidence.
func (s *ZoneService) StepDownChecks(ctx context.Context, placeID int64) ([]*frontline.StepDownCheck, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	lo, hi := subtreeRange(node.Path)
	zones, err := tx.queryZones(ctx, `z.ended_at IS NULL AND z.path >= ? AND z.path < ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	// The rules are read once for all zones: a city has hundreds of zones
	// and three levels.
	rules, err := tx.currentRules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*frontline.StepDownCheck, 0, len(zones))
	for _, z := range zones {
		c, err := tx.checkZone(ctx, z, rules[z.Level])
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b *frontline.StepDownCheck) int {
		if a.Eligible != b.Eligible {
			if a.Eligible {
				return -1
			}
			return 1
		}
		return a.Zone.Start.Compare(b.Zone.Start)
	})
	return out, nil
}
