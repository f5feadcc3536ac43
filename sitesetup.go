package frontline

import (
	"fmt"
	"math"
	"time"
)

// SiteUpdate changes a site. Nil fields are left as they are. A site's
// round and place never change: a site somewhere else is another site.
type SiteUpdate struct {
	Name     *string
	Location *string
	OpensAt  *time.Time
	ClosesAt *time.Time
}

// Apply sets the fields of upd on s; the caller validates s afterwards.
func (upd SiteUpdate) Apply(s *Site) {
	if upd.Name != nil {
		s.Name = *upd.Name
	}
	if upd.Location != nil {
		s.Location = *upd.Location
	}
	if upd.OpensAt != nil {
		s.OpensAt = *upd.OpensAt
	}
	if upd.ClosesAt != nil {
		s.ClosesAt = *upd.ClosesAt
	}
}

// SavedPlan is what a round's call-up plan was last saved with: the
// settings, so the next plan starts from the same numbers, and how many
// slots and notices the save wrote.
type SavedPlan struct {
	RoundID  int64        `json:"round_id"`
	Settings PlanSettings `json:"settings"`
	Slots    int          `json:"slots"`
	Notices  int          `json:"notices"`
	SavedAt  time.Time    `json:"saved_at"`
	SavedBy  string       `json:"saved_by"`
}

// The guidance on a station's load (FIELD.md: one table per 600–800
// residents), taken when a plan's settings leave the bounds at zero.
const (
	DefaultMinPerStation = 600
	DefaultMaxPerStation = 800
)

// LoadBand returns the bounds of a station's load, the guidance where a
// bound is zero.
func (s PlanSettings) LoadBand() (lo, hi int) {
	lo, hi = s.MinPerStation, s.MaxPerStation
	if lo <= 0 {
		lo = DefaultMinPerStation
	}
	if hi <= 0 {
		hi = DefaultMaxPerStation
	}
	return lo, hi
}

// Validate checks the numbers of a plan's settings once the defaults are
// filled in. The bounds are wide — guidance changes — and only keep out
// numbers no round could run on: a station serving five persons or a
// queue of a day.
func (s PlanSettings) Validate() error {
	switch {
	case s.PerStation < 50 || s.PerStation > 5000:
		return FieldError("settings.per_station", "persons per station are 50 to 5000, not %d", s.PerStation)
	case s.QueueMinutes < 5 || s.QueueMinutes > 240:
		return FieldError("settings.queue_minutes", "the queue target is 5 to 240 minutes, not %d", s.QueueMinutes)
	case s.SecondsPerPerson < 3 || s.SecondsPerPerson > 600:
		return FieldError("settings.seconds_per_person", "a person takes 3 to 600 seconds, not %d", s.SecondsPerPerson)
	case s.LeadMinutes < 1 || s.LeadMinutes > 720:
		return FieldError("settings.lead_minutes", "call-ups go out 1 to 720 minutes before their slot, not %d", s.LeadMinutes)
	case s.MinPerStation < 0 || s.MinPerStation > 5000:
		return FieldError("settings.min_per_station", "the lowest load is 0 to 5000 persons, not %d", s.MinPerStation)
	case s.MaxPerStation < 0 || s.MaxPerStation > 5000:
		return FieldError("settings.max_per_station", "the highest load is 0 to 5000 persons, not %d", s.MaxPerStation)
	}
	if lo, hi := s.LoadBand(); lo > hi {
		return FieldError("settings.max_per_station", "the highest load %d is below the lowest %d", hi, lo)
	}
	return CheckText("settings.notice_template", s.NoticeTemplate)
}

// Plan warnings ReviewPlan adds.
const (
	// WarnStationLoad: a site's stations would each sample Have persons,
	// outside the band; Need is the bound crossed.
	WarnStationLoad = "station_load"
	// WarnQueue: the residents called in slot Slot (1-based) would queue
	// Minutes, more than the target Need, counting what the earlier
	// slots of the site left waiting.
	WarnQueue = "queue_over"
)

// ReviewPlan adds to plan the warnings PlanSlots does not make, checked
// against the sites' stations as they are: a site whose stations would
// each sample more or fewer persons than the settings' band, and a slot
// whose queue would exceed the target. Slots are laid out in whole
// minutes, so a site calling many buildings can drift behind its plan;
// the queue is followed slot by slot, carrying what is still waiting.
func ReviewPlan(plan *SitePlan, sites []PlanSite) {
	s := plan.Settings
	lo, hi := s.LoadBand()
	persons := map[int64]int{}
	for _, sl := range plan.Slots {
		persons[sl.SiteID] += sl.Persons
	}
	for _, site := range sites {
		if site.Stations <= 0 || persons[site.ID] == 0 {
			continue
		}
		load := (persons[site.ID] + site.Stations - 1) / site.Stations
		if load < lo || load > hi {
			need := lo
			if load > hi {
				need = hi
			}
			plan.Warnings = append(plan.Warnings, PlanWarning{Kind: WarnStationLoad, SiteID: site.ID, Have: load, Need: need})
		}
		plan.Warnings = append(plan.Warnings, queueWarnings(plan.Slots, site, s)...)
	}
}

// queueWarnings follows one site's queue through its slots. Each slot's
// residents join the queue at its start; the site samples Stations
// persons every SecondsPerPerson.
func queueWarnings(slots []Slot, site PlanSite, s PlanSettings) []PlanWarning {
	perMinute := float64(site.Stations) * 60 / float64(s.SecondsPerPerson)
	var out []PlanWarning
	waiting := 0.0
	var at time.Time
	for i, sl := range slots {
		if sl.SiteID != site.ID {
			continue
		}
		if !at.IsZero() {
			waiting = max(0, waiting-perMinute*sl.StartsAt.Sub(at).Minutes())
		}
		waiting += float64(sl.Persons)
		at = sl.StartsAt
		if minutes := int(math.Round(waiting / perMinute)); minutes > s.QueueMinutes {
			out = append(out, PlanWarning{Kind: WarnQueue, SiteID: site.ID, Slot: i + 1, Minutes: minutes, Need: s.QueueMinutes})
		}
	}
	return out
}

// SiteInUse is why a site cannot be removed, the cause RemoveSite's
// ECONFLICT wraps: persons were bound at its stations (or tubes opened
// there), or the saved plan calls residents to it. Pages read the counts
// to say so in the reader's language.
type SiteInUse struct {
	Bindings, Tubes, Slots int
}

// Error implements the error interface.
func (e *SiteInUse) Error() string {
	return fmt.Sprintf("%d bindings in %d tubes, %d call-up slots", e.Bindings, e.Tubes, e.Slots)
}
