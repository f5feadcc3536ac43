package frontline

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Site is a sampling site (采样点): a place where residents queue, with
// stations (tables) and opening hours.
type Site struct {
	ID       int64     `json:"id"`
	RoundID  int64     `json:"round_id"`
	PlaceID  int64     `json:"place_id"` // the node it serves from, e.g. a compound
	Name     string    `json:"name"`
	Location string    `json:"location,omitempty"` // "枣园小区 north gate"
	OpensAt  time.Time `json:"opens_at"`
	ClosesAt time.Time `json:"closes_at"`
	Stations int       `json:"stations"` // filled by finders
}

// Validate normalizes and checks a site.
func (s *Site) Validate() error {
	s.Name = strings.Join(strings.Fields(FoldWidth(s.Name)), " ")
	if s.Name == "" || len([]rune(s.Name)) > 100 {
		return FieldError("name", "a site needs a name of up to 100 characters")
	}
	s.Location = strings.TrimSpace(s.Location)
	if err := CheckLines("name", s.Name, "location", s.Location); err != nil {
		return err
	}
	if len([]rune(s.Location)) > 200 {
		return FieldError("location", "the location is longer than 200 characters")
	}
	if s.RoundID <= 0 || s.PlaceID <= 0 {
		return FieldError("place_id", "a site belongs to a round and a place")
	}
	if s.OpensAt.IsZero() {
		return FieldError("opens_at", "a site needs an opening time")
	}
	s.OpensAt, s.ClosesAt = Stored(s.OpensAt), Stored(s.ClosesAt)
	if !s.ClosesAt.After(s.OpensAt) {
		return FieldError("closes_at", "a site closes after it opens")
	}
	return nil
}

// WithinRound checks that a site samples within its round's hours: outside
// them no binding is expected, and a call-up planned from the site's
// opening would call residents down before the round starts or after it
// ends. Times in messages are shown in loc.
func (s *Site) WithinRound(r *Round, loc *time.Location) error {
	const layout = "2006-01-02 15:04"
	if s.OpensAt.Before(r.StartsAt) {
		return FieldError("opens_at", "the site opens at %s, before round %s starts at %s",
			s.OpensAt.In(loc).Format(layout), r.Name, r.StartsAt.In(loc).Format(layout))
	}
	if s.ClosesAt.After(r.EndsAt) {
		return FieldError("closes_at", "the site closes at %s, after round %s ends at %s",
			s.ClosesAt.In(loc).Format(layout), r.Name, r.EndsAt.In(loc).Format(layout))
	}
	return nil
}

// Station is a sampling station (采样台) at a site. A scanner device signs
// in with the station's device token; its bindings record the station.
type Station struct {
	ID      int64  `json:"id"`
	RoundID int64  `json:"round_id"`
	SiteID  int64  `json:"site_id"`
	Site    string `json:"site,omitempty"` // filled by finders
	Name    string `json:"name"`
	// Lane is "" for the ordinary queue or "non_green" for people whose
	// health code is not green, who queue apart.
	Lane      string    `json:"lane,omitempty"`
	TokenID   int64     `json:"token_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// RetiredAt is set once the station is retired: its token is revoked
	// and it takes no more bindings, but its tubes and bindings keep
	// pointing at it. Its name is free for a new station at the site.
	RetiredAt time.Time `json:"retired_at,omitzero"`
	RetiredBy string    `json:"retired_by,omitempty"`
}

// Validate normalizes and checks a station.
func (s *Station) Validate() error {
	s.Name = strings.Join(strings.Fields(FoldWidth(s.Name)), " ")
	if err := CheckLine("name", s.Name); err != nil {
		return err
	}
	if s.Name == "" || len([]rune(s.Name)) > 100 {
		return FieldError("name", "a station needs a name of up to 100 characters")
	}
	if s.Lane != "" && s.Lane != "non_green" {
		return FieldError("lane", "the lane is empty or non_green")
	}
	if s.SiteID <= 0 {
		return FieldError("site_id", "a station belongs to a site")
	}
	return nil
}

// Slot calls the residents of one building (or a part of a large one)
// down to a site at a time.
type Slot struct {
	ID         int64  `json:"id,omitempty"`
	RoundID    int64  `json:"round_id"`
	SiteID     int64  `json:"site_id"`
	BuildingID int64  `json:"building_id"`
	Building   string `json:"building"`
	Part       int    `json:"part"`  // 1-based
	Parts      int    `json:"parts"` // call-ups of this building
	Persons    int    `json:"persons"`
	// Units says which units (or rooms) of a building called in parts come
	// down in this part: "1单元、2单元"; "" when the whole building does.
	Units    string    `json:"units,omitempty"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// Validate checks the shape of slot i of a plan; its errors name the slot
// and its building, as in slots[3].ends_at.
func (s *Slot) Validate(i int) error {
	field := func(name string) string { return fmt.Sprintf("slots[%d].%s", i, name) }
	switch {
	case s.BuildingID <= 0:
		return FieldError(field("building_id"), "slot %d (%s) names no building", i+1, s.Building)
	case s.StartsAt.IsZero() || !s.EndsAt.After(s.StartsAt):
		return FieldError(field("ends_at"), "slot %d (%s) ends at %s, not after it starts at %s", i+1, s.Building,
			s.EndsAt.UTC().Format(time.RFC3339), s.StartsAt.UTC().Format(time.RFC3339))
	case s.Persons < 0:
		return FieldError(field("persons"), "slot %d (%s) calls %d persons; the number cannot be negative", i+1, s.Building, s.Persons)
	case s.Parts < 1 || s.Part < 1 || s.Part > s.Parts:
		return FieldError(field("part"), "slot %d (%s) is part %d of %d; a part is between 1 and the number of parts", i+1, s.Building, s.Part, s.Parts)
	}
	return nil
}

// SiteService manages sites, stations and the call-up plan of a round.
// It needs PermManageRounds; sites must lie under the round's scope.
//
// Errors: ENOTFOUND, EINVALID, ECONFLICT (a station name taken at its site,
// a site that has bindings, a change to a closed round), EFORBIDDEN.
type SiteService interface {
	CreateSite(ctx context.Context, s *Site) error
	FindSites(ctx context.Context, roundID int64) ([]*Site, error)
	// UpdateSite changes a site's name, location or hours.
	UpdateSite(ctx context.Context, id int64, upd SiteUpdate) (*Site, error)
	// RemoveSite removes a site nobody was sampled at, with its stations
	// (their tokens revoked). A site with bindings, or one the saved plan
	// calls residents to, is ECONFLICT.
	RemoveSite(ctx context.Context, id int64) error
	// RenameStation renames a station and its device token.
	RenameStation(ctx context.Context, id int64, name string) (*Station, error)
	// RetireStation revokes the station's device token; the station and
	// its bindings stay, marked retired.
	RetireStation(ctx context.Context, id int64) (*Station, error)
	// FindSavedPlan returns what the round's plan was last saved with;
	// ENOTFOUND when no plan was saved.
	FindSavedPlan(ctx context.Context, roundID int64) (*SavedPlan, error)
	// CreateStation adds a station and a device token for its scanner,
	// whose secret it returns (shown once).
	CreateStation(ctx context.Context, st *Station) (string, error)
	FindStations(ctx context.Context, roundID int64) ([]*Station, error)
	FindStationByID(ctx context.Context, id int64) (*Station, error)
	// StationForToken returns the station a device token was made for.
	StationForToken(ctx context.Context, tokenID int64) (*Station, error)
	// PlanSlots proposes a call-up plan from the round's sites and the
	// persons of each building; nothing is saved.
	PlanSlots(ctx context.Context, roundID int64, settings PlanSettings) (*SitePlan, error)
	// SaveSlots replaces the round's plan and, in the same transaction,
	// writes one call-up notice per slot and channel to the outbox. It
	// returns the number of notices written.
	SaveSlots(ctx context.Context, roundID int64, slots []Slot, settings PlanSettings) (int, error)
	FindSlots(ctx context.Context, roundID int64) ([]*Slot, error)
}
