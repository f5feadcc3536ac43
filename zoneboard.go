package frontline

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Affected is what a node holds when it is put into a zone: every
// household under it and every vulnerable resident with what they need,
// so that staff can call each of them the moment the zone starts.
type Affected struct {
	// Zone is the zone just started, when the list comes from SetZone.
	Zone  *Zone     `json:"zone,omitempty"`
	Place *Place    `json:"place"`
	Level ZoneLevel `json:"level"` // the node's effective level
	// Households are the households under the node in address order.
	Households []*AffectedHousehold `json:"households"`
	// Vulnerable are the residents with a vulnerability flag, in address
	// order. Their flags are their standing needs (dialysis, chronic
	// medication); phones are masked.
	Vulnerable []*AffectedPerson `json:"vulnerable"`
	Residents  int               `json:"residents"`
}

// AffectedHousehold is one household of an Affected list.
type AffectedHousehold struct {
	ID int64 `json:"id"`
	// Address is the path below the zone's node, e.g. "3号楼/2单元/301".
	Address    string `json:"address"`
	Residents  int    `json:"residents"`
	Vulnerable int    `json:"vulnerable"`
}

// AffectedPerson is one vulnerable resident of an Affected list.
type AffectedPerson struct {
	PersonID    int64  `json:"person_id"`
	HouseholdID int64  `json:"household_id"`
	Name        string `json:"name"`
	Address     string `json:"address"`
	Age         int    `json:"age,omitempty"`
	Flags       []Flag `json:"flags"`
	Phone       string `json:"phone"` // masked
}

// AgeAt returns the age in whole years on day now of a person born on
// birth (YYYY-MM-DD), or 0 when the date is unknown.
func AgeAt(birth string, now time.Time) int {
	b, err := time.Parse(DateLayout, birth)
	if err != nil {
		return 0
	}
	age := now.Year() - b.Year()
	// By month and day, not day of the year: in a leap year 1 March is
	// day 61, in another day 60.
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		age--
	}
	return max(age, 0)
}

// LevelCounts are the households, residents and vulnerable residents
// whose effective level is one level.
type LevelCounts struct {
	Households int `json:"households"`
	Residents  int `json:"residents"`
	Vulnerable int `json:"vulnerable"`
}

func (c LevelCounts) sub(o LevelCounts) LevelCounts {
	return LevelCounts{c.Households - o.Households, c.Residents - o.Residents, c.Vulnerable - o.Vulnerable}
}

func (c LevelCounts) add(p *Place) LevelCounts {
	return LevelCounts{c.Households + p.Households, c.Residents + p.Residents, c.Vulnerable + p.Vulnerable}
}

// ZoneCount is one row of the zone board: a node, its effective level and
// how many of its households and residents live under each level.
type ZoneCount struct {
	Place *Place    `json:"place"`
	Level ZoneLevel `json:"level"`
	Zone  *Zone     `json:"zone,omitempty"` // the zone that sets Level
	// ByLevel has an entry for each of ZoneLevels, zeros included.
	ByLevel map[ZoneLevel]LevelCounts `json:"by_level"`
	// Zones counts the active zones drawn on the node or under it.
	Zones int `json:"zones"`
}

// CountByLevel counts the households and residents under node (its
// maintained counts) by effective level, given the active zones that touch
// it; each zone needs its Place with path and counts. A household is
// counted once, at the strictest level over it, however the zones nest.
func CountByLevel(node *Place, zones []*Zone) map[ZoneLevel]LevelCounts {
	out := map[ZoneLevel]LevelCounts{}
	var stricter LevelCounts // households at a stricter level than the one being counted
	for _, l := range ZoneLevels {
		atLeast := coveredAtLeast(node, zones, l)
		out[l] = atLeast.sub(stricter)
		stricter = atLeast
	}
	return out
}

// coveredAtLeast counts what lies under node in zones of level l or
// stricter: all of node when such a zone is on the node or an ancestor,
// else the union of such zones under it, nested ones counted once.
func coveredAtLeast(node *Place, zones []*Zone, l ZoneLevel) LevelCounts {
	var tops []*Place
	for _, z := range zones {
		if !z.Active() || z.Place == nil || z.Level.Strictness() < l.Strictness() {
			continue
		}
		switch {
		case strings.HasPrefix(node.Path, z.Place.Path):
			return LevelCounts{}.add(node)
		case strings.HasPrefix(z.Place.Path, node.Path):
			tops = append(tops, z.Place)
		}
	}
	// Sorted by path, a nested node follows its ancestor; keep the
	// outermost of each nest.
	sort.Slice(tops, func(i, j int) bool { return tops[i].Path < tops[j].Path })
	var c LevelCounts
	last := ""
	for _, p := range tops {
		if last != "" && strings.HasPrefix(p.Path, last) {
			continue
		}
		c, last = c.add(p), p.Path
	}
	return c
}

// sortEvents orders a timeline by time; at the same instant an end comes
// before a start (a step-down ends one zone and starts the next at once)
// and zones before evidence.
func sortEvents(events []*ZoneEvent) {
	order := map[ZoneEventKind]int{EventZoneEnded: 0, EventZoneStarted: 1, EventEvidence: 2}
	slices.SortStableFunc(events, func(a, b *ZoneEvent) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return order[a.Kind] - order[b.Kind]
	})
}
