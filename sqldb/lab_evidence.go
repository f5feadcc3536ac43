package sqldb

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// Results are evidence for the zones workflow, recorded in the
// transaction that posts them, so a zone's step-down check always agrees
// with the lab:
//
//   - A person confirmed positive by a single tube (a sealed zone's single
//     tube, or a home re-test) is a positive at their household, dated when
//     the tube was sampled. It restarts the count of every zone at or above
//     the household. A positive pool is not: most of its members turn out
//     negative, and their single re-tests decide.
//   - When the last member of a zone's node, among those a round reached,
//     gets a final negative result, the round is a negative whole-area
//     round for that zone, recorded at the zone's node. Only zones the
//     round covers entirely count: a round over one building does not clear
//     the compound around it.

// evidence records what the post's results tell the zones workflow.
func (f *fanOut) evidence(ctx context.Context) error {
	keys := make([]positiveKey, 0, len(f.positives))
	for k := range f.positives {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b positiveKey) int {
		return cmp.Or(cmp.Compare(a.household, b.household), strings.Compare(a.tube, b.tube))
	})
	for _, k := range keys {
		p := f.positives[k]
		e := &frontline.ZoneEvidence{Kind: frontline.EvidencePositive, At: p.at,
			Link: frontline.EvidenceLink{Kind: frontline.LinkTube, Ref: k.tube}}
		if err := f.tx.addEvidence(ctx, &frontline.Place{ID: k.household, Kind: frontline.KindHousehold, Path: p.path}, e); err != nil {
			return err
		}
	}
	rounds := make([]int64, 0, len(f.negatives))
	for r := range f.negatives {
		rounds = append(rounds, r)
	}
	slices.Sort(rounds)
	for _, r := range rounds {
		c := f.negatives[r]
		touched := func(zone string) bool {
			for home := range c.homes {
				if strings.HasPrefix(home, zone) {
					return true
				}
			}
			return false
		}
		if err := f.tx.negativeRounds(ctx, r, c.scope, touched); err != nil {
			return err
		}
	}
	return nil
}

// negativeRounds records round roundID, over the node at scope, as a
// negative whole-area round for each active zone inside it that touched
// accepts (given the zone node's path) and whose members not excused are
// all tested negative, unless already recorded.
func (tx *Tx) negativeRounds(ctx context.Context, roundID int64, scope string, touched func(string) bool) error {
	lo, hi := subtreeRange(scope)
	zones, err := tx.queryZones(ctx, `z.ended_at IS NULL AND z.path >= ? AND z.path < ? ORDER BY z.path, z.id`, lo, hi)
	if err != nil {
		return err
	}
	ref := strconv.FormatInt(roundID, 10)
	done := map[int64]bool{}
	for _, z := range zones {
		if done[z.PlaceID] || !touched(z.Place.Path) {
			continue
		}
		done[z.PlaceID] = true
		cov, err := tx.coverageOf(ctx, roundID, z.Place)
		if err != nil {
			return err
		}
		if !cov.AllNegative() {
			continue
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM zone_evidence WHERE place_id = ? AND kind = ? AND link_kind = ? AND link_ref = ?`,
			z.PlaceID, frontline.EvidenceNegativeRound, string(frontline.LinkRound), ref).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		e := &frontline.ZoneEvidence{Kind: frontline.EvidenceNegativeRound, At: tx.now,
			Link: frontline.EvidenceLink{Kind: frontline.LinkRound, Ref: ref}}
		if err := tx.addEvidence(ctx, z.Place, e); err != nil {
			return err
		}
	}
	return nil
}
