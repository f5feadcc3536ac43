package sqldb

import (
	"context"
	"slices"
	"strings"

	"github.com/frontline-org/frontline"
)

// Effective levels are computed on read from the few active zones: the
// zones_active index holds one row per zoned node (hundreds in a city,
// not millions), so a node's level is one indexed lookup of the ids on its
// path, and a batch reads the active zones around the batch once.

// maxInList bounds the ids of one IN list, well below both engines'
// parameter limits.
const maxInList = 500

// activeOnPaths returns the active zones drawn on any node of the given
// paths (the nodes and their ancestors).
func (tx *Tx) activeOnPaths(ctx context.Context, paths ...string) ([]*frontline.Zone, error) {
	seen := map[int64]bool{}
	var ids []int64
	for _, path := range paths {
		for _, id := range frontline.PathIDs(path) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	out := []*frontline.Zone{}
	for chunk := range slices.Chunk(ids, maxInList) {
		zones, err := tx.queryZones(ctx, `z.ended_at IS NULL AND z.place_id IN `+inList(len(chunk)), int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		out = append(out, zones...)
	}
	return out, nil
}

// activeAround returns the active zones on the node with path, on its
// ancestors and anywhere under it; path "" returns every active zone.
func (tx *Tx) activeAround(ctx context.Context, path string) ([]*frontline.Zone, error) {
	ids := frontline.PathIDs(path)
	if len(ids) == 0 {
		return tx.queryZones(ctx, `z.ended_at IS NULL`)
	}
	lo, hi := subtreeRange(path)
	args := append(int64Args(ids), lo, hi)
	return tx.queryZones(ctx, `z.ended_at IS NULL AND (z.place_id IN `+inList(len(ids))+` OR (z.path >= ? AND z.path < ?))`, args...)
}

// status builds the ZoneStatus of the node with path from the active zones
// around it and the current rules.
func status(id int64, path string, zones []*frontline.Zone, rules frontline.ZoneRuleSet) *frontline.ZoneStatus {
	st := &frontline.ZoneStatus{PlaceID: id, Level: frontline.LevelNone}
	if z := frontline.Effective(path, zones); z != nil {
		st.Level, st.Zone, st.Rule = z.Level, z, rules[z.Level]
	}
	return st
}

// EffectiveLevel returns the effective level of one node: the strictest
// active zone on its path, read with one lookup on the zones_active index.
func (s *ZoneService) EffectiveLevel(ctx context.Context, placeID int64) (*frontline.ZoneStatus, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	zones, err := tx.activeOnPaths(ctx, place.Path)
	if err != nil {
		return nil, err
	}
	st := status(place.ID, place.Path, zones, nil)
	if st.Rule, err = tx.currentRule(ctx, st.Level); err != nil {
		return nil, err
	}
	return st, nil
}

// EffectiveLevels returns the effective level of many nodes: the nodes'
// paths in chunks, then the active zones around their common ancestor in
// one query. Any id that does not exist or is outside the scope fails the
// whole call, so a caller never mistakes a missing node for an unzoned one.
func (s *ZoneService) EffectiveLevels(ctx context.Context, placeIDs []int64) (map[int64]*frontline.ZoneStatus, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return tx.effectiveLevels(ctx, placeIDs)
}

// effectiveLevels is EffectiveLevels inside a transaction a workflow holds
// already (deliveries decide door or building front with it).
func (tx *Tx) effectiveLevels(ctx context.Context, placeIDs []int64) (map[int64]*frontline.ZoneStatus, error) {
	if len(placeIDs) == 0 {
		return map[int64]*frontline.ZoneStatus{}, nil
	}
	paths, err := tx.placePaths(ctx, placeIDs)
	if err != nil {
		return nil, err
	}
	common := ""
	for i, id := range placeIDs {
		if i == 0 {
			common = paths[id]
		} else {
			common = commonPath(common, paths[id])
		}
	}
	zones, err := tx.activeAround(ctx, common)
	if err != nil {
		return nil, err
	}
	rules, err := tx.currentRules(ctx)
	if err != nil {
		return nil, err
	}
	byPlace := map[int64]*frontline.Zone{}
	for _, z := range zones {
		byPlace[z.PlaceID] = z
	}
	out := make(map[int64]*frontline.ZoneStatus, len(placeIDs))
	for _, id := range placeIDs {
		var onPath []*frontline.Zone
		for _, a := range frontline.PathIDs(paths[id]) {
			if z := byPlace[a]; z != nil {
				onPath = append(onPath, z)
			}
		}
		out[id] = status(id, paths[id], onPath, rules)
	}
	return out, nil
}

// placePaths returns the paths of the nodes, each of which must exist and
// be inside the caller's scope.
func (tx *Tx) placePaths(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for chunk := range slices.Chunk(ids, maxInList) {
		rows, err := tx.QueryContext(ctx, `SELECT id, path FROM places WHERE id IN `+inList(len(chunk)), int64Args(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var path string
			if err := rows.Scan(&id, &path); err != nil {
				rows.Close()
				return nil, err
			}
			if visible(ctx, path) {
				out[id] = path
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		if out[id] == "" {
			return nil, placeNotFound(id)
		}
	}
	return out, nil
}

// commonPath returns the path of the deepest common ancestor-or-self of
// two nodes, "" when they share no root.
func commonPath(a, b string) string {
	for !strings.HasPrefix(b, a) {
		i := strings.LastIndex(strings.TrimSuffix(a, "/"), "/")
		if i <= 0 {
			return ""
		}
		a = a[:i+1]
	}
	return a
}

// Affected lists the households and vulnerable residents under a node of
// a zone's size (a compound or below).
func (s *ZoneService) Affected(ctx context.Context, placeID int64) (*frontline.Affected, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadRegistry)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	place, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	if place.Kind.Rank() < frontline.MinZoneKind.Rank() {
		return nil, frontline.FieldError("place_id", "the list is made for a compound or anything below it, not a %s", place.Kind)
	}
	return tx.affected(ctx, place)
}

// ZoneBoard returns the node and its children, each with its effective
// level and its households and residents by level.
func (s *ZoneService) ZoneBoard(ctx context.Context, placeID int64) ([]*frontline.ZoneCount, error) {
	tx, err := s.db.readTx(ctx, frontline.PermReadReports)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	node, err := tx.findPlaceByID(ctx, placeID)
	if err != nil {
		return nil, err
	}
	children, _, err := tx.findPlaces(ctx, frontline.PlaceFilter{ParentID: &node.ID})
	if err != nil {
		return nil, err
	}
	zones, err := tx.activeAround(ctx, node.Path)
	if err != nil {
		return nil, err
	}
	out := make([]*frontline.ZoneCount, 0, len(children)+1)
	for _, p := range append([]*frontline.Place{node}, children...) {
		c := &frontline.ZoneCount{Place: p, Level: frontline.LevelNone, ByLevel: frontline.CountByLevel(p, zones)}
		if z := frontline.Effective(p.Path, zones); z != nil {
			c.Level, c.Zone = z.Level, z
		}
		for _, z := range zones {
			if strings.HasPrefix(z.Place.Path, p.Path) {
				c.Zones++
			}
		}
		out = append(out, c)
	}
	return out, nil
}
