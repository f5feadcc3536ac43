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

// shareCond is a condition on the person p of a share, with its args.
type shareCond struct {
	sql  string
	args []any
}

// countShare counts the vulnerable residents (flagged, not moved out) of
// a share, and for each condition those it holds for, in one aggregate
// query.
func (tx *Tx) countShare(ctx context.Context, sh zoneShare, conds ...shareCond) (total int, matched []int, err error) {
	var sel strings.Builder
	var args []any
	sel.WriteString(`SELECT COUNT(*)`)
	for _, c := range conds {
		sel.WriteString(`, COALESCE(SUM(CASE WHEN ` + c.sql + ` THEN 1 ELSE 0 END), 0)`)
		args = append(args, c.args...)
	}
	where, wargs := sh.where()
	args = append(append(args, wargs...), string(frontline.StatusMovedOut))
	matched = make([]int, len(conds))
	dest := []any{&total}
	for i := range matched {
		dest = append(dest, &matched[i])
	}
	err = tx.QueryRowContext(ctx, sel.String()+` FROM places h JOIN persons p ON p.household_id = h.id
		WHERE `+where+` AND p.flags <> '' AND p.status <> ?`, args...).Scan(dest...)
	tx.db.vulnerableRows.Add(1)
	return total, matched, err
}

// noNamedContact holds for a person without a contact, or with only a
// proposal.
func noNamedContact() shareCond {
	return shareCond{`NOT EXISTS (SELECT 1 FROM vulnerable_contacts c WHERE c.person_id = p.id AND c.source <> ?)`,
		[]any{string(frontline.ContactProposed)}}
}

// noContactRow holds for a person with no contact at all, not even a
// proposal: the ones assignContacts would name.
func noContactRow() shareCond {
	return shareCond{`NOT EXISTS (SELECT 1 FROM vulnerable_contacts c WHERE c.person_id = p.id)`, nil}
}

// notReachedOn holds for a person not called or visited on a day.
func notReachedOn(day string) shareCond {
	return shareCond{`NOT EXISTS (SELECT 1 FROM vulnerable_checks c WHERE c.person_id = p.id AND c.day = ? AND c.method <> ?)`,
		[]any{day, string(frontline.CheckUnreachable)}}
}

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
		_, n, err := tx.countShare(ctx, sh, noNamedContact())
		if err != nil {
			return nil, err
		}
		if n[0] > 0 {
			out[sh.zone.ID] = n[0]
		}
	}
	return out, nil
}
