package frontline

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// PlaceKind is the level of a node in the place tree.
type PlaceKind string

// The levels of the place tree, from the top.
const (
	KindCity        PlaceKind = "city"
	KindDistrict    PlaceKind = "district"
	KindSubdistrict PlaceKind = "subdistrict"
	KindCommunity   PlaceKind = "community"
	KindCompound    PlaceKind = "compound"
	KindBuilding    PlaceKind = "building"
	KindUnit        PlaceKind = "unit"
	KindHousehold   PlaceKind = "household"
)

// PlaceKinds lists the kinds from the top of the tree down.
var PlaceKinds = []PlaceKind{
	KindCity, KindDistrict, KindSubdistrict, KindCommunity,
	KindCompound, KindBuilding, KindUnit, KindHousehold,
}

// Rank returns the depth of the kind in the tree order (city = 0), or -1
// for an unknown kind.
func (k PlaceKind) Rank() int {
	for i, kk := range PlaceKinds {
		if kk == k {
			return i
		}
	}
	return -1
}

// Valid reports whether k is one of PlaceKinds.
func (k PlaceKind) Valid() bool { return k.Rank() >= 0 }

// CanContain reports whether a node of kind k may be the parent of a node of
// kind child. A child must be of a lower level; levels may be skipped (a
// building without units holds its households directly), except that
// nothing hangs below a household.
func (k PlaceKind) CanContain(child PlaceKind) bool {
	return k.Valid() && child.Valid() && child.Rank() > k.Rank() && k != KindHousehold
}

// Place is a node of the place tree: a city, district, ... down to a
// household. Every record in Frontline hangs off one.
type Place struct {
	ID       int64     `json:"id"`
	ParentID int64     `json:"parent_id,omitempty"` // 0 for a root
	Kind     PlaceKind `json:"kind"`
	Name     string    `json:"name"`
	// Code is the official code where one exists (statistics-bureau area
	// code for administrative levels); empty otherwise.
	Code string `json:"code,omitempty"`
	// Path is the materialized path of ancestor IDs including this node's
	// own, e.g. "/1/7/42/". Everything under a node has the node's path as a
	// prefix.
	Path string `json:"path"`

	// Counts of the whole subtree, maintained in the same transaction as the
	// writes that change them.
	Households int `json:"households"`
	Residents  int `json:"residents"`  // persons whose status is not moved out
	Vulnerable int `json:"vulnerable"` // residents with at least one vulnerability flag

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// RetiredAt is when the place was retired (a building pulled down, a
	// flat joined to the next): it stays for the history that points at
	// it, but is no longer listed, counted or given anything new. Zero
	// for a place in use.
	RetiredAt time.Time `json:"retired_at,omitzero"`
}

// Retired reports whether the place was retired.
func (p *Place) Retired() bool { return !p.RetiredAt.IsZero() }

// Validate checks the fields a caller sets.
func (p *Place) Validate() error {
	if !p.Kind.Valid() {
		return FieldError("kind", "unknown place kind %q", p.Kind)
	}
	p.Name = CleanName(p.Name)
	if p.Name == "" {
		return FieldError("name", "a place needs a name")
	}
	if len([]rune(p.Name)) > 100 {
		return FieldError("name", "name is longer than 100 characters")
	}
	p.Code = FoldWidth(strings.TrimSpace(p.Code))
	if len(p.Code) > 32 {
		return FieldError("code", "code is longer than 32 characters")
	}
	return nil
}

// Depth returns the number of ancestors of the node.
func (p *Place) Depth() int { return strings.Count(p.Path, "/") - 2 }

// PathIDs returns the IDs in a materialized path, root first, the node
// itself last. It returns nil for a malformed path.
func PathIDs(path string) []int64 {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	ids := make([]int64, 0, len(parts))
	for _, s := range parts {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil
		}
		ids = append(ids, id)
	}
	return ids
}

// ChildPath returns the path of a node with id under a parent with path
// parentPath ("" for a root).
func ChildPath(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + strconv.FormatInt(id, 10) + "/"
}

// PlaceFilter selects places. Zero fields do not filter.
type PlaceFilter struct {
	ID       *int64
	ParentID *int64     // direct children of this node
	Under    *int64     // the whole subtree of this node, the node excluded
	Kind     *PlaceKind // only this kind
	Name     *string    // exact name
	Roots    bool       // only nodes without a parent
	// IncludeRetired lists retired places too; they are left out
	// otherwise.
	IncludeRetired bool

	Offset int
	Limit  int
}

// PlaceUpdate changes a place. Nil fields are left as they are.
type PlaceUpdate struct {
	Name *string
	Code *string
}

// PlaceService manages the place tree.
//
// A principal (a signed-in user) adds, renames, moves and retires only
// compounds, buildings, units and households, and only under their scope
// node, never the node itself; the administrative levels come from the
// statistics bureau's list and the command line.
//
// Errors: ENOTFOUND for an unknown node (or one outside the caller's scope),
// EINVALID for a bad field or a kind that may not hang under the parent,
// ECONFLICT for a sibling of the same kind and name, a move under the
// node's own subtree, out of the area of an open campaign or round, or a
// change to a retired place, EFORBIDDEN for an administrative level or
// the caller's own scope node.
type PlaceService interface {
	// FindPlaceByID returns one node.
	FindPlaceByID(ctx context.Context, id int64) (*Place, error)
	// FindPlaceByPath resolves a slash-separated list of names from a root,
	// e.g. "天水市/秦州区/大城街道", or a numeric ID.
	FindPlaceByPath(ctx context.Context, path string) (*Place, error)
	// FindPlaces returns the matching nodes ordered by kind and name, and
	// the total count before paging.
	FindPlaces(ctx context.Context, filter PlaceFilter) ([]*Place, int, error)
	// Ancestors returns the chain from the root down to the node's parent.
	Ancestors(ctx context.Context, id int64) ([]*Place, error)
	// CreatePlace adds a node under p.ParentID (0 for a root).
	CreatePlace(ctx context.Context, p *Place) error
	// UpdatePlace renames a node or changes its code.
	UpdatePlace(ctx context.Context, id int64, upd PlaceUpdate) (*Place, error)
	// MovePlace moves a node and its whole subtree under a new parent,
	// keeping every path and every count right: the tree's, and the
	// frozen lists and counters of the campaigns and rounds that count
	// the subtree.
	MovePlace(ctx context.Context, id, newParentID int64) (*Place, error)
	// RetirePlace retires a node and its subtree. It is refused while a
	// household in it has residents, is still to be visited in an open
	// campaign, or a zone is in force on it.
	RetirePlace(ctx context.Context, id int64) (*Place, error)
	// AddPath creates every missing node along a path of names from a
	// root, each of the kind that follows its parent's (the last one of
	// kind when given, for a path that skips a level), and returns the
	// last node and how many nodes it created. A path that exists already
	// is left as it is: adding it again creates nothing.
	AddPath(ctx context.Context, names []string, kind PlaceKind, code string) (*Place, int, error)
}

// SplitPlacePath splits a path of names typed as 天水市/秦州区/大城街道
// (or with ／ or a backslash) into its cleaned names, dropping empty ones.
func SplitPlacePath(path string) []string {
	var names []string
	for _, n := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '／' || r == '\\' }) {
		if n = CleanName(n); n != "" {
			names = append(names, n)
		}
	}
	return names
}

// NextKind returns the kind of a node added under a node of kind parent
// without saying its kind: the level right below (a city for a root, ""
// below a household).
func NextKind(parent PlaceKind) PlaceKind {
	if parent == "" {
		return KindCity
	}
	return KindAtDepth(parent.Rank() + 1)
}
