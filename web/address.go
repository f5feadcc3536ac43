package web

import (
	"context"
	"strings"

	"github.com/frontline-org/frontline"
)

// addresses turns households into the addresses people use: the names
// from the community down, "罗玉新村社区/枣园小区/1号楼/1单元/101". The city
// and district are the same for everyone on a community's list.
//
// It remembers every node it has seen. Lists are ordered by path, so the
// households of one page share their parents, and a page costs one
// Ancestors call per distinct parent, not one per household.
type addresses struct {
	places frontline.PlaceService
	nodes  map[int64]*frontline.Place
}

// newAddresses returns an address book that already knows the given nodes
// (the node a list is under, typically).
func newAddresses(places frontline.PlaceService, known ...*frontline.Place) *addresses {
	a := &addresses{places: places, nodes: make(map[int64]*frontline.Place)}
	a.learn(known...)
	return a
}

func (a *addresses) learn(ps ...*frontline.Place) {
	for _, p := range ps {
		if p != nil {
			a.nodes[p.ID] = p
		}
	}
}

// of returns the address of household h.
func (a *addresses) of(ctx context.Context, h *frontline.Place) (string, error) {
	a.learn(h)
	ids := frontline.PathIDs(h.Path)
	for _, id := range ids {
		if a.nodes[id] == nil {
			anc, err := a.places.Ancestors(ctx, h.ID)
			if err != nil {
				return "", err
			}
			a.learn(anc...)
			break
		}
	}
	chain := make([]*frontline.Place, 0, len(ids))
	for _, id := range ids {
		if p := a.nodes[id]; p != nil {
			chain = append(chain, p)
		}
	}
	return addressOf(chain), nil
}

// addressOf joins the names of a chain of nodes (root first) from the
// community down. A chain without a community starts at its deepest node
// above the community level (a subdistrict, say), so the address still
// says where the household is.
func addressOf(chain []*frontline.Place) string {
	start := 0
	for i, p := range chain {
		if p.Kind.Rank() <= frontline.KindCommunity.Rank() {
			start = i
		}
	}
	names := make([]string, 0, len(chain)-start)
	for _, p := range chain[start:] {
		names = append(names, p.Name)
	}
	return strings.Join(names, "/")
}
