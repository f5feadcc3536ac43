package web

import (
	"context"
	"net/http"

	"github.com/frontline-org/frontline"
)

// placesResponse is the body of GET /api/v1/places.
type placesResponse struct {
	Places []placeJSON `json:"places"`
	listJSON
}

// apiPlaces lists the children of parent_id, the subtree under under, or
// the roots, filtered by kind and exact name.
func (s *Server) apiPlaces(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.PlaceFilter{ParentID: q.id("parent_id"), Under: q.id("under"), Kind: q.kind("kind"), Name: q.text("name")}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	ctx := r.Context()
	switch {
	case f.ParentID != nil && f.Under != nil:
		return frontline.FieldError("under", "give parent_id or under, not both")
	case f.ParentID != nil:
		// The store filters by parent without looking the parent up; look
		// it up so an unknown parent is a 404, as an unknown under is.
		if _, err := s.Places.FindPlaceByID(ctx, *f.ParentID); err != nil {
			return notFoundIn(err, "parent_id")
		}
	case f.Under == nil:
		f.Roots = true
	}
	if f.Name != nil {
		name := frontline.CleanName(*f.Name) // names are stored cleaned
		f.Name = &name
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	places, total, err := s.Places.FindPlaces(ctx, f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, placesResponse{Places: placesJSON(places), listJSON: listJSON{Total: total, page: pg}})
}

// placeResponse is the body of GET /api/v1/places/{id}.
type placeResponse struct {
	Place     placeJSON   `json:"place"`
	Ancestors []placeJSON `json:"ancestors"`
	Children  []placeJSON `json:"children"`
	// ChildrenTotal exceeds len(Children) for a node with more than
	// maxLimit children; page through them with /api/v1/places?parent_id=.
	ChildrenTotal int `json:"children_total"`
}

// apiPlace returns a node with its ancestors and its children, each
// with the counts of its subtree.
func (s *Server) apiPlace(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	v, err := s.placeView(r.Context(), id, maxLimit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, placeResponse{
		Place: newPlaceJSON(v.place), Ancestors: placesJSON(v.ancestors),
		Children: placesJSON(v.children), ChildrenTotal: v.childrenTotal,
	})
}

// placeView is a node with what the API and the node page show around it.
type placeView struct {
	place         *frontline.Place
	ancestors     []*frontline.Place
	children      []*frontline.Place
	childrenTotal int
}

func (s *Server) placeView(ctx context.Context, id int64, maxChildren int) (*placeView, error) {
	p, err := s.Places.FindPlaceByID(ctx, id)
	if err != nil {
		return nil, err
	}
	anc, err := s.Places.Ancestors(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &placeView{place: p, ancestors: anc}
	if p.Kind == frontline.KindHousehold {
		return v, nil // nothing hangs below a household
	}
	v.children, v.childrenTotal, err = s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &id, Limit: maxChildren})
	return v, err
}

// treeNode is a node of GET /api/v1/places/{id}/tree. Children is present
// only on nodes that were expanded: a household or a node at the depth
// limit has none, an expanded node without children has [].
type treeNode struct {
	ID         int64        `json:"id"`
	Name       string       `json:"name"`
	Kind       string       `json:"kind"`
	Households int          `json:"households"`
	Residents  int          `json:"residents"`
	Vulnerable int          `json:"vulnerable"`
	Children   *[]*treeNode `json:"children,omitempty"`
	// Truncated, on the root only, says the node budget ran out before
	// the depth was reached; ask for less depth or a lower node.
	Truncated bool `json:"truncated,omitempty"`
}

// Tree bounds. maxTreeNodes bounds the work of one request: each expanded
// node costs one query.
const (
	defaultTreeDepth = 2
	maxTreeDepth     = 4
	maxTreeNodes     = 2000
)

// apiPlaceTree returns the subtree of a node to a depth, with counts.
func (s *Server) apiPlaceTree(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	depth := q.number("depth", defaultTreeDepth, 0, maxTreeDepth)
	if err := q.check(); err != nil {
		return err
	}
	p, err := s.Places.FindPlaceByID(r.Context(), id)
	if err != nil {
		return err
	}
	root, err := s.tree(r.Context(), p, depth)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, root)
}

// tree expands a node level by level, one query per expanded node, until
// the depth or the node budget is reached.
func (s *Server) tree(ctx context.Context, top *frontline.Place, depth int) (*treeNode, error) {
	root := newTreeNode(top)
	level := []*treeNode{root}
	budget := maxTreeNodes - 1
	for d := 0; d < depth && len(level) > 0; d++ {
		var next []*treeNode
		for _, n := range level {
			if n.Kind == string(frontline.KindHousehold) {
				continue // a leaf; no need to ask
			}
			if budget <= 0 {
				root.Truncated = true
				break
			}
			kids, total, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &n.ID, Limit: budget})
			if err != nil {
				return nil, err
			}
			if total > len(kids) {
				root.Truncated = true
			}
			budget -= len(kids)
			children := make([]*treeNode, len(kids))
			for i, k := range kids {
				children[i] = newTreeNode(k)
			}
			n.Children = &children
			next = append(next, children...)
		}
		level = next
	}
	return root, nil
}

func newTreeNode(p *frontline.Place) *treeNode {
	return &treeNode{ID: p.ID, Name: p.Name, Kind: string(p.Kind),
		Households: p.Households, Residents: p.Residents, Vulnerable: p.Vulnerable}
}
