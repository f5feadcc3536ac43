package frontline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PlanSettings are the numbers a call-up plan is made with. Every one is a
// setting because the guidance changed several times (FIELD.md).
type PlanSettings struct {
	// PerStation is how many persons one station should serve in a round
	// (guidance: one table per 600–800 residents).
	PerStation int `json:"per_station"`
	// QueueMinutes bounds the planned queue: a call-up holds no more
	// persons than the site's stations sample in this many minutes.
	QueueMinutes int `json:"queue_minutes"`
	// SecondsPerPerson is how long one station takes per person.
	SecondsPerPerson int `json:"seconds_per_person"`
	// MinPerStation and MaxPerStation bound a station's load: a site
	// whose stations would each serve fewer or more persons is warned
	// about (guidance 600–800; zero takes those).
	MinPerStation int `json:"min_per_station,omitempty"`
	MaxPerStation int `json:"max_per_station,omitempty"`
	// Channels are the notification channels call-up notices go out on
	// ("log", "webhook", later "sms").
	Channels []string `json:"channels"`
	// NoticeTemplate is the call-up text, with {round} {building} {units}
	// {site} {location} {start} {end} {part} {parts} filled in; {units}
	// names the units of a building called in parts, and is empty
	// otherwise.
	NoticeTemplate string `json:"notice_template"`
	// LeadMinutes is how long before its slot a call-up goes out: residents
	// come down when their building is called, not hours early into a queue
	// in the cold. A slot that is already that close goes at once.
	LeadMinutes int `json:"lead_minutes"`
}

// DefaultPlanSettings are the 2022 figures: 700 persons per table, a
// queue of 20 minutes, 12 seconds a person (300 an hour per table).
func DefaultPlanSettings() PlanSettings {
	return PlanSettings{
		PerStation: 700, QueueMinutes: 20, SecondsPerPerson: 12, LeadMinutes: 15,
		Channels:       []string{"log"},
		NoticeTemplate: "【{round}】请{building}{units}居民（第{part}/{parts}批）于{start}至{end}到{site}（{location}）参加核酸检测，请佩戴口罩、保持一米间距、出示个人码。",
	}
}

// withDefaults fills zero settings from DefaultPlanSettings.
func (s PlanSettings) withDefaults() PlanSettings {
	d := DefaultPlanSettings()
	if s.PerStation <= 0 {
		s.PerStation = d.PerStation
	}
	if s.QueueMinutes <= 0 {
		s.QueueMinutes = d.QueueMinutes
	}
	if s.SecondsPerPerson <= 0 {
		s.SecondsPerPerson = d.SecondsPerPerson
	}
	if len(s.Channels) == 0 {
		s.Channels = d.Channels
	}
	if strings.TrimSpace(s.NoticeTemplate) == "" {
		s.NoticeTemplate = d.NoticeTemplate
	}
	if s.LeadMinutes <= 0 {
		s.LeadMinutes = d.LeadMinutes
	}
	return s
}

// NoticeAt returns when the call-up of a slot goes out: LeadMinutes before
// it starts, or now if that has passed.
func (s PlanSettings) NoticeAt(sl Slot, now time.Time) time.Time {
	at := sl.StartsAt.Add(-time.Duration(s.LeadMinutes) * time.Minute)
	if at.Before(now) {
		return now
	}
	return at
}

// ChangedBuildings returns the buildings whose call-ups differ between a
// saved plan and a new one: a slot added, removed or moved. Their residents
// must hear of the change; the others have their notices already.
func ChangedBuildings(saved, next []Slot) map[int64]bool {
	key := func(sl Slot) string {
		return fmt.Sprintf("%d/%d/%d/%d/%d/%d/%s", sl.SiteID, sl.Part, sl.Parts, sl.Persons, sl.StartsAt.Unix(), sl.EndsAt.Unix(), sl.Units)
	}
	slotsOf := func(slots []Slot) map[int64][]string {
		out := map[int64][]string{}
		for _, sl := range slots {
			out[sl.BuildingID] = append(out[sl.BuildingID], key(sl))
		}
		for _, keys := range out {
			slices.Sort(keys)
		}
		return out
	}
	a, b := slotsOf(saved), slotsOf(next)
	changed := map[int64]bool{}
	for id, keys := range a {
		if !slices.Equal(keys, b[id]) {
			changed[id] = true
		}
	}
	for id := range b {
		if _, ok := a[id]; !ok {
			changed[id] = true
		}
	}
	return changed
}

// CheckChannels refuses channels that are not among known (the channels
// the deployment delivers on) or are listed twice. A notice on an unknown
// channel would be retried for hours and then end dead; refusing the plan
// says so while the office is still at the form.
func (s PlanSettings) CheckChannels(known []string) error {
	for i, ch := range s.Channels {
		if !slices.Contains(known, ch) {
			return FieldError("settings.channels", "unknown channel %q; notices go out on %s", ch, strings.Join(known, ", "))
		}
		if slices.Contains(s.Channels[:i], ch) {
			return FieldError("settings.channels", "channel %q is listed twice", ch)
		}
	}
	return nil
}

// PlanBuilding is a building to call down, with its persons still to be
// sampled, in walking order.
type PlanBuilding struct {
	ID      int64
	Name    string
	Persons int
	// Units are the building's stairways with their persons to call, in
	// walking order; for a building without units, its households (Room
	// set). A building called in parts is split between them, so that each
	// call-up says who comes down: residents cannot know which third of a
	// building they are.
	Units []PlanUnit
}

// PlanUnit is a unit of a building, or a household of a building without
// units, with its persons to call.
type PlanUnit struct {
	Name    string
	Persons int
	Room    bool
}

// splitUnits packs a building's units, in order, into call-ups of at most
// batch persons each; a unit larger than batch is a call-up of its own.
func splitUnits(units []PlanUnit, batch int) [][]PlanUnit {
	var parts [][]PlanUnit
	n := 0
	for _, u := range units {
		if u.Persons <= 0 {
			continue
		}
		if len(parts) == 0 || n+u.Persons > batch {
			parts, n = append(parts, nil), 0
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], u)
		n += u.Persons
	}
	return parts
}

// UnitsText says which units (or rooms) a call-up brings down: units by
// name, "1单元、2单元"; rooms as a range, "101–402".
func UnitsText(units []PlanUnit) string {
	if len(units) == 0 {
		return ""
	}
	if units[0].Room {
		if len(units) == 1 {
			return units[0].Name
		}
		return units[0].Name + "–" + units[len(units)-1].Name
	}
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = u.Name
	}
	return strings.Join(names, "、")
}

// PlanSite is a site and its stations.
type PlanSite struct {
	ID       int64
	Stations int
	OpensAt  time.Time
	ClosesAt time.Time
}

// SitePlan is a proposed call-up plan and what is wrong with it.
type SitePlan struct {
	Slots    []Slot        `json:"slots"`
	Warnings []PlanWarning `json:"warnings,omitempty"`
	// Persons to call, stations needed at PerStation, stations there are.
	Persons        int          `json:"persons"`
	StationsNeeded int          `json:"stations_needed"`
	Stations       int          `json:"stations"`
	Settings       PlanSettings `json:"settings"`
}

// PlanWarning is a problem with a plan, for the page to explain.
type PlanWarning struct {
	// Kind is "stations_short" (Need, Have), "past_closing" (SiteID,
	// Minutes), "no_sites", or one of ReviewPlan's.
	Kind    string `json:"kind"`
	SiteID  int64  `json:"site_id,omitempty"`
	Need    int    `json:"need,omitempty"`
	Have    int    `json:"have,omitempty"`
	Minutes int    `json:"minutes,omitempty"`
	Slot    int    `json:"slot,omitempty"` // 1-based, in Slots
}

// PlanSlots assigns buildings to sites and times. Buildings go to sites in
// the order given (neighbours stay together), each site taking a share of
// the persons in proportion to its stations. A site calls its buildings
// one after another from its opening; a building larger than the site
// samples in QueueMinutes is called in parts, so the planned queue stays
// within QueueMinutes.
func PlanSlots(roundID int64, buildings []PlanBuilding, sites []PlanSite, s PlanSettings) *SitePlan {
	s = s.withDefaults()
	plan := &SitePlan{Settings: s, Slots: []Slot{}}
	for _, b := range buildings {
		plan.Persons += b.Persons
	}
	for _, site := range sites {
		plan.Stations += site.Stations
	}
	plan.StationsNeeded = (plan.Persons + s.PerStation - 1) / s.PerStation
	if plan.Stations == 0 {
		plan.Warnings = append(plan.Warnings, PlanWarning{Kind: "no_sites", Need: plan.StationsNeeded})
		return plan
	}
	if plan.Stations < plan.StationsNeeded {
		plan.Warnings = append(plan.Warnings, PlanWarning{Kind: "stations_short", Need: plan.StationsNeeded, Have: plan.Stations})
	}
	next := 0
	assigned := 0
	for i, site := range sites {
		if site.Stations <= 0 {
			continue
		}
		// The sites up to this one take their share of everyone; a
		// building goes here when most of it fits the share, and the last
		// site takes the remainder.
		quota := plan.Persons * stationsUpTo(sites, i) / plan.Stations
		var mine []PlanBuilding
		for next < len(buildings) && (assigned+buildings[next].Persons/2 <= quota || i == lastStaffed(sites)) {
			mine = append(mine, buildings[next])
			assigned += buildings[next].Persons
			next++
		}
		plan.Slots = append(plan.Slots, siteSlots(roundID, site, mine, s, plan)...)
	}
	return plan
}

// stationsUpTo sums the stations of sites[0..i].
func stationsUpTo(sites []PlanSite, i int) int {
	n := 0
	for _, s := range sites[:i+1] {
		n += max(s.Stations, 0)
	}
	return n
}

func lastStaffed(sites []PlanSite) int {
	for i := len(sites) - 1; i >= 0; i-- {
		if sites[i].Stations > 0 {
			return i
		}
	}
	return -1
}

// siteSlots lays out one site's buildings in time.
func siteSlots(roundID int64, site PlanSite, buildings []PlanBuilding, s PlanSettings, plan *SitePlan) []Slot {
	perMinute := float64(site.Stations) * 60 / float64(s.SecondsPerPerson)
	batch := max(1, int(perMinute*float64(s.QueueMinutes)))
	at := site.OpensAt
	var slots []Slot
	for _, b := range buildings {
		if b.Persons <= 0 {
			continue
		}
		for _, sl := range buildingSlots(b, batch) {
			d := time.Duration(float64(sl.Persons) / perMinute * float64(time.Minute)).Round(time.Minute)
			d = max(d, time.Minute)
			sl.RoundID, sl.SiteID, sl.StartsAt, sl.EndsAt = roundID, site.ID, at, at.Add(d)
			slots = append(slots, sl)
			at = at.Add(d)
		}
	}
	if over := at.Sub(site.ClosesAt); over > 0 {
		plan.Warnings = append(plan.Warnings, PlanWarning{Kind: "past_closing", SiteID: site.ID, Minutes: int(over.Minutes())})
	}
	return slots
}

// buildingSlots splits a building into call-ups of at most batch persons:
// by whole units where its units are known, each call-up naming them;
// otherwise into equal parts.
func buildingSlots(b PlanBuilding, batch int) []Slot {
	if b.Persons <= batch {
		return []Slot{{BuildingID: b.ID, Building: b.Name, Part: 1, Parts: 1, Persons: b.Persons}}
	}
	var slots []Slot
	if groups := splitUnits(b.Units, batch); len(groups) > 1 {
		for i, g := range groups {
			n := 0
			for _, u := range g {
				n += u.Persons
			}
			slots = append(slots, Slot{BuildingID: b.ID, Building: b.Name, Part: i + 1, Parts: len(groups), Persons: n, Units: UnitsText(g)})
		}
		return slots
	}
	parts := (b.Persons + batch - 1) / batch
	left := b.Persons
	for part := 1; part <= parts; part++ {
		n := min(left, (b.Persons+parts-1)/parts)
		left -= n
		slots = append(slots, Slot{BuildingID: b.ID, Building: b.Name, Part: part, Parts: parts, Persons: n})
	}
	return slots
}

// CallUpText fills the notice template for one slot. Times are shown in
// loc, the local time residents read.
func CallUpText(template, round string, slot Slot, site *Site, loc *time.Location) string {
	location := site.Location
	if location == "" {
		location = site.Name
	}
	// A template written before {units} existed still says which units
	// come down: they follow the building.
	building := slot.Building
	if !strings.Contains(template, "{units}") {
		building += slot.Units
	}
	r := strings.NewReplacer(
		"{round}", round, "{building}", building, "{units}", slot.Units, "{site}", site.Name, "{location}", location,
		"{start}", slot.StartsAt.In(loc).Format("15:04"), "{end}", slot.EndsAt.In(loc).Format("15:04"),
		"{part}", fmt.Sprint(slot.Part), "{parts}", fmt.Sprint(slot.Parts))
	return r.Replace(template)
}
