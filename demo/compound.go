package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// style is how a compound is built.
type style int

const (
	walkUp    style = iota // 老旧小区: brick blocks of 5–6 floors, 1–4 units, 2–3 flats a landing
	tower                  // 商品房: towers of 11–18 floors, 1–2 units, 2–4 flats a landing
	selfBuilt              // 自建房: village houses of 1–3 floors, rooms let to migrants, no units
)

// compoundPlan is one compound of a community before it is filled.
type compoundPlan struct {
	name      string
	style     style
	residents int
}

// counts are what one community's generation produced, by level.
type counts struct {
	compounds, buildings, units, households, residents, vulnerable int
}

func (c *counts) add(o counts) {
	c.compounds += o.compounds
	c.buildings += o.buildings
	c.units += o.units
	c.households += o.households
	c.residents += o.residents
	c.vulnerable += o.vulnerable
}

// communityGen generates the rows of one community. Its random source is
// the community's own, so what it draws depends only on the seed and the
// community; the ID and phone allocators are shared and advance in
// community order.
type communityGen struct {
	r      *rand.Rand
	people *people
	c      *communityPlan
	rows   []frontline.ResidentRow
	n      counts
}

// rows generates every resident of the community as import rows, numbered
// from 2 as in a spreadsheet with a header row.
func (g *generator) rows(c *communityPlan) ([]frontline.ResidentRow, counts) {
	cg := &communityGen{
		r:      rand.New(rand.NewPCG(uint64(g.seed), uint64(c.index)+1)),
		people: g.people,
		c:      c,
		rows:   make([]frontline.ResidentRow, 0, c.residents),
	}
	for _, cp := range cg.compounds() {
		cg.fill(cp)
	}
	return cg.rows, cg.n
}

// compounds plans the community's compounds: about one per 1,500
// residents, at least two, their names unique in the community.
func (g *communityGen) compounds() []compoundPlan {
	n := min(max(2, (g.c.residents+750)/1500+g.r.IntN(2)), g.c.residents)
	plans := make([]compoundPlan, n)
	taken := map[string]bool{} // membership only; names come out in draw order
	weights := make([]float64, n)
	for i := range plans {
		plans[i].style = g.drawStyle()
		switch {
		case i == 0 && g.c.compound != "":
			plans[i].name, plans[i].style = g.c.compound, walkUp
		case i == 1 && g.c.compound != "" && g.c.fringe:
			plans[i].style = selfBuilt // the report's fringe community has village houses
		}
		if plans[i].name == "" {
			plans[i].name = g.uniqueName(plans[i].style, taken, i)
		}
		taken[plans[i].name] = true
		weights[i] = 0.5 + g.r.Float64()
	}
	for i, n := range allocate(g.c.residents, weights, 1) {
		plans[i].residents = n
	}
	return plans
}

func (g *communityGen) drawStyle() style {
	x := g.r.Float64()
	switch {
	case g.c.fringe && x < 0.5:
		return selfBuilt
	case g.c.fringe && x < 0.9, !g.c.fringe && x < 0.6:
		return walkUp
	}
	return tower
}

// uniqueName draws compound names until one is free among the siblings.
// Each style has hundreds of names and a community a few dozen compounds
// at most, so a few draws do; the numbered fallback only guarantees the
// loop ends.
func (g *communityGen) uniqueName(s style, taken map[string]bool, i int) string {
	for range 100 {
		if name := g.compoundName(s); !taken[name] {
			return name
		}
	}
	return strings.TrimSuffix(g.c.name, "社区") + "第" + strconv.Itoa(i+1) + "小区"
}

// compoundName draws a name for a compound of the style: village groups
// for self-built houses, work-unit staff housing for some old blocks,
// estate names for the rest.
func (g *communityGen) compoundName(s style) string {
	switch {
	case s == selfBuilt && chance(g.r, 0.7):
		return pick(g.r, placeParts) + "村" + pick(g.r, villageGroups)
	case s == selfBuilt:
		return pick(g.r, placeParts) + "片区"
	case s == walkUp && chance(g.r, 0.3):
		return pick(g.r, employers) + "家属院"
	}
	return pick(g.r, placeParts) + pick(g.r, compoundSuffixes)
}

// shape is the layout of one building.
type shape struct {
	units, floors, rooms int // units 0: households hang off the building
	vacant               float64
}

func (g *communityGen) drawShape(s style) shape {
	r := g.r
	switch s {
	case tower:
		return shape{units: between(r, 1, 2), floors: between(r, 11, 18), rooms: between(r, 2, 4), vacant: 0.15}
	case selfBuilt:
		return shape{floors: between(r, 1, 3), rooms: between(r, 1, 3), vacant: 0.05}
	}
	rooms := 2
	if chance(r, 0.2) {
		rooms = 3
	}
	return shape{units: []int{1, 2, 2, 3, 3, 3, 4, 4}[r.IntN(8)], floors: between(r, 5, 6), rooms: rooms, vacant: 0.08}
}

// fill puts households into the compound's flats, building after
// building, until its residents are placed. Some flats stay empty, as
// they do; the last building may be only partly lived in.
func (g *communityGen) fill(cp compoundPlan) {
	migrantShare := 0.06
	switch {
	case g.c.fringe && cp.style == selfBuilt:
		migrantShare = 0.45
	case g.c.fringe:
		migrantShare = 0.12
	}
	left := cp.residents
	g.n.compounds++
	for b := 1; left > 0; b++ {
		sh := g.drawShape(cp.style)
		building := frontline.BuildingName(strconv.Itoa(b))
		used := false
		for u := 1; u <= max(sh.units, 1) && left > 0; u++ {
			unit := ""
			if sh.units > 0 {
				unit = frontline.UnitName(strconv.Itoa(u))
			}
			placed := false
			for f := 1; f <= sh.floors && left > 0; f++ {
				for k := 1; k <= sh.rooms && left > 0; k++ {
					if chance(g.r, sh.vacant) {
						continue
					}
					room := strconv.Itoa(f*100 + k)
					left -= g.household(cp.name, building, unit, room, left, chance(g.r, migrantShare))
					placed = true
				}
			}
			if placed && unit != "" {
				g.n.units++
			}
			used = used || placed
		}
		if used {
			g.n.buildings++
		}
	}
}

// household draws one household of at most left persons and appends its
// rows, head first. It returns how many persons it placed.
func (g *communityGen) household(compound, building, unit, room string, left int, migrant bool) int {
	size := min(drawSize(g.r, migrant), left)
	persons := g.people.household(g.r, compose(g.r, size, migrant), migrant)
	for _, p := range persons {
		g.rows = append(g.rows, frontline.ResidentRow{
			Row:         len(g.rows) + 2,
			Subdistrict: g.c.subdistrict,
			Community:   g.c.name,
			Compound:    compound,
			Building:    building,
			Unit:        unit,
			Room:        room,
			Person:      p,
		})
		if p.Vulnerable() {
			g.n.vulnerable++
		}
	}
	g.n.households++
	g.n.residents += len(persons)
	return len(persons)
}
