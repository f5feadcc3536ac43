package sqldb

import (
	"context"
	"strings"

	"github.com/frontline-org/frontline"
)

// Counts of the vulnerable, per zone, without reading their rows: the zone
// page's "without a contact" and the alert job's "not reached today" are
// one aggregate query per zone over the zone's share of the place tree.
// A resident belongs to the zone frontline.Effective picks for them, so a
// zone's share is its subtree less the subtrees of stricter zones inside
// it, and nothing at all when a zone above it is as strict; the counts
// then add up to the board's, zone by zone.

// zoneShare is the part of the tree, under a node, whose residents a
// sealed or controlled zone decides: [lo, hi) less the except ranges.
type zoneShare struct {
	zone   *frontline.Zone
	lo, hi string
	except [][2]string
}

// where is the share as a condition on the household path h.path.
func (sh zoneShare) where() (string, []any) {
	var b strings.Builder
	b.WriteString(`h.path >= ? AND h.path < ?`)
	args := []any{sh.lo, sh.hi}
	for _, e := range sh.except {
		b.WriteString(` AND NOT (h.path >= ? AND h.path < ?)`)
		args = append(args, e[0], e[1])
	}
	return b.String(), args
}

// zoneShares returns the shares, at or under the node with path ("" for
// everywhere), of the sealed and controlled zones among zones (the active
// zones around the node).
func zoneShares(path string, zones []*frontline.Zone) []zoneShare {
	var out []zoneShare
	for _, z := range zones {
		if !guarded(z.Level) || z.Place == nil || overridden(z, zones) {
			continue
		}
		var sh zoneShare
		switch zp := z.Place.Path; {
		case path != "" && strings.HasPrefix(path, zp):
			sh.lo, sh.hi = subtreeRange(path)
		case path == "" || strings.HasPrefix(zp, path):
			sh.lo, sh.hi = subtreeRange(zp)
		default:
			continue
		}
		sh.zone = z
		for _, w := range zones {
			if w != z && w.Place != nil && w.Level.StricterThan(z.Level) && strings.HasPrefix(w.Place.Path, z.Place.Path) {
				lo, hi := subtreeRange(w.Place.Path)
				sh.except = append(sh.except, [2]string{lo, hi})
			}
		}
		out = append(out, sh)
	}
	return out
}

// overridden reports whether another zone on z's node or above it decides
// every resident under z: one stricter, or as strict and nearer the root
// (frontline.Effective's rule).
func overridden(z *frontline.Zone, zones []*frontline.Zone) bool {
	for _, w := range zones {
		if w == z || w.Place == nil || !strings.HasPrefix(z.Place.Path, w.Place.Path) {
			continue
		}
		if w.Level.StricterThan(z.Level) || (w.Level == z.Level && len(w.Place.Path) < len(z.Place.Path)) {
			return true
		}
	}
	return false
}

// countShare counts the vulnerable residents (flagged, not moved out) of
// a share, and those of them that cond (a condition on the person p)
// holds for, in one aggregate query.
func (tx *Tx) countShare(ctx context.Context, sh zoneShare, cond string, condArgs ...any) (total, matched int, err error) {
	where, args := sh.where()
	args = append(append(condArgs, args...), string(frontline.StatusMovedOut))
	err = tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN `+cond+` THEN 1 ELSE 0 END), 0)
		FROM places h JOIN persons p ON p.household_id = h.id
		WHERE `+where+` AND p.flags <> '' AND p.status <> ?`, args...).Scan(&total, &matched)
	tx.db.vulnerableRows.Add(1)
	return total, matched, err
}

// noNamedContact holds for a person without a contact, or with only a
// proposal.
const noNamedContact = `NOT EXISTS (SELECT 1 FROM vulnerable_contacts c WHERE c.person_id = p.id AND c.source <> ?)`

// notReachedOn holds for a person not called or visited on a day.
const notReachedOn = `NOT EXISTS (SELECT 1 FROM vulnerable_checks c WHERE c.person_id = p.id AND c.day = ? AND c.method <> ?)`

// WithoutContact counts, per sealed or controlled zone deciding residents
// at or under a node, its vulnerable residents there without a named
// contact.
func (s *VulnerableService) WithoutContact(ctx context.Context, placeID int64) (map[int64]int, error) {
	tx, err := s.db.readTx(ctx, frontline.PermCheckVulnerable)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	zones, err := tx.activeAround(ctx, node.Path)
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	for _, sh := range zoneShares(node.Path, zones) {
		_, n, err := tx.countShare(ctx, sh, noNamedContact, string(frontline.ContactProposed))
		if err != nil {
			return nil, err
		}
		if n > 0 {
			out[sh.zone.ID] = n
		}
	}
	return out, nil
}
