package web

import (
	"net/http"
	"strings"

	"github.com/frontline-org/frontline"
)

// The building map is drawn on the server as SVG: a block per building,
// coloured by the building's effective level, holding a cell per household
// coloured by its own, so a single sealed flat in an open building shows.
// It is plain markup, so it works without script and prints.

// mapBuilding is one building to draw, with its households.
type mapBuilding struct {
	ID         int64
	Name       string
	Level      frontline.ZoneLevel
	Households []mapHousehold
}

// mapHousehold is one household to draw.
type mapHousehold struct {
	ID      int64
	Address string // below the building: "2单元/301"
	Level   frontline.ZoneLevel
}

// zoneMap is the laid-out drawing.
type zoneMap struct {
	Width, Height int
	Blocks        []mapBlock
}

// mapBlock is a building's block.
type mapBlock struct {
	ID                 int64
	Name               string
	Level              string // level key
	X, Y, W, H         int
	LabelX, LabelY     int
	Households         int
	Cells              []mapCell
	Sealed, Controlled int // households at each level, for the block's title
}

// mapCell is a household's cell.
type mapCell struct {
	ID         int64
	X, Y, Size int
	Level      string
	Title      string
}

// Map geometry, in SVG units: blocks two to a row (a phone's width), cells of 12 with a
// gap of 3, thirteen to a row inside a block.
const (
	mapColumns   = 2
	mapBlockW    = 200
	mapGap       = 12
	mapPad       = 8
	mapHeader    = 26
	mapCellSize  = 12
	mapCellGap   = 3
	mapCellsWide = (mapBlockW - 2*mapPad + mapCellGap) / (mapCellSize + mapCellGap)
)

// layoutMap places the buildings in rows; a row is as tall as its tallest
// block.
func layoutMap(buildings []mapBuilding) zoneMap {
	cols := max(1, min(mapColumns, len(buildings)))
	m := zoneMap{Width: cols*mapBlockW + (cols+1)*mapGap}
	y, rowH := mapGap, 0
	for i, b := range buildings {
		col := i % cols
		if col == 0 && i > 0 {
			y, rowH = y+rowH+mapGap, 0
		}
		rows := (len(b.Households) + mapCellsWide - 1) / mapCellsWide
		blk := mapBlock{ID: b.ID, Name: b.Name, Level: levelKey(b.Level), X: mapGap + col*(mapBlockW+mapGap), Y: y,
			W: mapBlockW, H: mapHeader + rows*(mapCellSize+mapCellGap) + mapPad, Households: len(b.Households)}
		blk.LabelX, blk.LabelY = blk.X+mapPad, blk.Y+18
		for j, h := range b.Households {
			c := mapCell{ID: h.ID, Size: mapCellSize, Level: levelKey(h.Level), Title: h.Address,
				X: blk.X + mapPad + (j%mapCellsWide)*(mapCellSize+mapCellGap), Y: blk.Y + mapHeader + (j/mapCellsWide)*(mapCellSize+mapCellGap)}
			switch h.Level {
			case frontline.LevelSealed:
				blk.Sealed++
			case frontline.LevelControlled:
				blk.Controlled++
			}
			blk.Cells = append(blk.Cells, c)
		}
		rowH = max(rowH, blk.H)
		m.Blocks = append(m.Blocks, blk)
	}
	m.Height = y + rowH + mapGap
	return m
}

// mapBuildings reads the buildings of node (a compound's, or the building
// itself) with their households and everyone's effective level, in one
// batch lookup.
func (s *Server) mapBuildings(r *http.Request, node *frontline.Place) ([]mapBuilding, error) {
	ctx := r.Context()
	var tops []*frontline.Place
	switch node.Kind {
	case frontline.KindBuilding:
		tops = []*frontline.Place{node}
	case frontline.KindCompound:
		kind := frontline.KindBuilding
		var err error
		if tops, _, err = s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &node.ID, Kind: &kind}); err != nil {
			return nil, err
		}
	default:
		return nil, frontline.FieldError("place", "the map is drawn for a compound or a building, not a %s", node.Kind)
	}
	out := make([]mapBuilding, 0, len(tops))
	ids := []int64{}
	for _, b := range tops {
		below, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{Under: &b.ID})
		if err != nil {
			return nil, err
		}
		mb := mapBuilding{ID: b.ID, Name: b.Name}
		names := map[int64]string{}
		for _, p := range below {
			names[p.ID] = p.Name
			if p.Kind == frontline.KindHousehold {
				mb.Households = append(mb.Households, mapHousehold{ID: p.ID, Address: addressBelow(p.Path, b.Path, names)})
				ids = append(ids, p.ID)
			}
		}
		out = append(out, mb)
		ids = append(ids, b.ID)
	}
	return out, s.fillMapLevels(r, out, ids)
}

// fillMapLevels looks the levels of every drawn node up in batches.
func (s *Server) fillMapLevels(r *http.Request, buildings []mapBuilding, ids []int64) error {
	levels := map[int64]*frontline.ZoneStatus{}
	for start := 0; start < len(ids); start += maxLevelIDs {
		batch, err := s.Zones.EffectiveLevels(r.Context(), ids[start:min(start+maxLevelIDs, len(ids))])
		if err != nil {
			return err
		}
		for id, st := range batch {
			levels[id] = st
		}
	}
	for i := range buildings {
		b := &buildings[i]
		if st := levels[b.ID]; st != nil {
			b.Level = st.Level
		}
		for j := range b.Households {
			if st := levels[b.Households[j].ID]; st != nil {
				b.Households[j].Level = st.Level
			}
		}
	}
	return nil
}

// addressBelow names a node by the names between top and it: "2单元/301".
// The nodes come in path order, so every ancestor's name is known.
func addressBelow(path, top string, names map[int64]string) string {
	ids := frontline.PathIDs(strings.TrimPrefix(path, top[:len(top)-1]))
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		parts = append(parts, names[id])
	}
	return strings.Join(parts, "/")
}
