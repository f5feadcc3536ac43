package frontline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A distribution (保供包) is a government package handed to every household
// of a node — a sealed compound, a district — such as 蔬菜包 10斤. Like a
// screening campaign it freezes its households when it starts (the
// households under the node then, counts kept per node), every one of them
// must reach a final status, and it cannot close before they all have one:
// "no household missed".

// DistributionStatus is where a distribution stands.
type DistributionStatus string

// Distribution statuses.
const (
	DistributionOpen   DistributionStatus = "open"
	DistributionClosed DistributionStatus = "closed"
)

// HandoutStatus is where one household of a distribution stands.
type HandoutStatus string

// Handout statuses. Delivered, refused, moved out and not applicable are
// final; nobody home is a door to try again.
const (
	HandoutPending       HandoutStatus = "pending"        // not yet tried
	HandoutDelivered     HandoutStatus = "delivered"      // handed over (time, worker)
	HandoutRefused       HandoutStatus = "refused"        // the household refused it
	HandoutNotHome       HandoutStatus = "not_home"       // nobody opened: try again
	HandoutMovedOut      HandoutStatus = "moved_out"      // the household has left (reason)
	HandoutNotApplicable HandoutStatus = "not_applicable" // e.g. a vacant flat, a shop (reason)
)

// HandoutMarks are the statuses a worker may record at a door, in the
// order the door list shows them.
var HandoutMarks = []HandoutStatus{HandoutDelivered, HandoutNotHome, HandoutRefused, HandoutMovedOut, HandoutNotApplicable}

// Final reports whether a household in status s needs nothing more.
func (s HandoutStatus) Final() bool {
	switch s {
	case HandoutDelivered, HandoutRefused, HandoutMovedOut, HandoutNotApplicable:
		return true
	}
	return false
}

// Valid reports whether s is a status a worker may record.
func (s HandoutStatus) Valid() bool { return slices.Contains(HandoutMarks, s) }

// NeedsReason reports whether recording s needs a reason: a household
// taken off the list must say why.
func (s HandoutStatus) NeedsReason() bool { return s == HandoutMovedOut || s == HandoutNotApplicable }

// Distribution is one package to every household under a node.
type Distribution struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Contents says what each household gets, as the office words it
	// ("蔬菜包 10斤、大米 5斤").
	Contents   string             `json:"contents"`
	ScopeID    int64              `json:"scope_id"`
	Scope      *Place             `json:"scope,omitempty"`
	Status     DistributionStatus `json:"status"`
	Households int                `json:"households"` // frozen at the start, plus those added by hand
	StartedAt  time.Time          `json:"started_at"`
	StartedBy  string             `json:"started_by"`
	ClosedAt   time.Time          `json:"closed_at,omitzero"`
	ClosedBy   string             `json:"closed_by,omitempty"`
}

// Validate normalizes and checks the fields a caller sets.
func (d *Distribution) Validate() error {
	d.Name, d.Contents = strings.TrimSpace(d.Name), strings.TrimSpace(d.Contents)
	if err := CheckLine("name", d.Name); err != nil {
		return err
	}
	if d.Name == "" || len([]rune(d.Name)) > 100 {
		return FieldError("name", "a distribution needs a name of at most 100 characters")
	}
	if err := CheckText("contents", d.Contents); err != nil {
		return err
	}
	if d.Contents == "" || len([]rune(d.Contents)) > 500 {
		return FieldError("contents", "say what each household gets, in at most 500 characters")
	}
	if d.ScopeID <= 0 {
		return FieldError("scope_id", "a distribution needs the place whose households get it")
	}
	return nil
}

// DistributionProgress is the counters of one node of a distribution.
type DistributionProgress struct {
	PlaceID       int64     `json:"place_id"`
	Name          string    `json:"name"`
	Kind          PlaceKind `json:"kind"`
	Households    int       `json:"households"`
	Delivered     int       `json:"delivered"`
	Refused       int       `json:"refused"`
	NotHome       int       `json:"not_home"` // tried, nobody home: still pending
	MovedOut      int       `json:"moved_out"`
	NotApplicable int       `json:"not_applicable"`
}

// Pending is the households without a final status.
func (p *DistributionProgress) Pending() int {
	return p.Households - p.Delivered - p.Refused - p.MovedOut - p.NotApplicable
}

// Percent is the share of households with a final status, 0–100.
func (p *DistributionProgress) Percent() int {
	if p.Households == 0 {
		return 100
	}
	return 100 * (p.Households - p.Pending()) / p.Households
}

// CanCloseDistribution is the rule of closing: open, and every household
// with a final status. A refusal says how many households are not final
// and where (where: "3号楼 4", the nodes with the most), and its Field,
// "pending", lets a page link the gap list.
func CanCloseDistribution(d *Distribution, pending int, where []string) error {
	if d.Status != DistributionOpen {
		return Errorf(ECONFLICT, "distribution %s is closed already", d.Name)
	}
	if pending == 0 {
		return nil
	}
	msg := fmt.Sprintf("the distribution cannot close: %d households have no final status", pending)
	if len(where) > 0 {
		msg += " (" + strings.Join(where, ", ") + ")"
	}
	return &Error{Code: ECONFLICT, Field: "pending", Message: msg}
}

// Handout is one household of a distribution.
type Handout struct {
	DistributionID int64         `json:"distribution_id"`
	HouseholdID    int64         `json:"household_id"`
	Path           string        `json:"-"`
	BuildingID     int64         `json:"building_id"`
	Status         HandoutStatus `json:"status"`
	Reason         string        `json:"reason,omitempty"`
	Attempts       int           `json:"attempts"` // marks recorded, retries of nobody home included
	MarkedAt       time.Time     `json:"marked_at,omitzero"`
	MarkedBy       string        `json:"marked_by,omitempty"`
	Since          time.Time     `json:"since"`
	AddedLate      bool          `json:"added_late,omitempty"`
	AddedBy        string        `json:"added_by,omitempty"`
	// Filled by finders: where the door is, and what the household needs.
	Building string `json:"building"`
	Unit     string `json:"unit,omitempty"`
	Room     string `json:"room"`
	// Needs are the household's own needs (halal …) and its residents'
	// flags (an infant …): what the package or the porter must mind.
	Needs []string `json:"needs,omitempty"`
	// ToDoor: a resident may not come down (home isolation, a case): the
	// package goes to the door, without contact, whatever the building's
	// zone says (RestrictionService, ActFront).
	ToDoor bool `json:"to_door,omitempty"`
	// NoResidents: nobody registered lives here now (all moved out, or
	// none registered): the porter checks, and marks moved out if so.
	NoResidents bool `json:"no_residents,omitempty"`
}

// HandoutMark is what a worker records at a door.
type HandoutMark struct {
	DistributionID int64         `json:"distribution_id"`
	HouseholdID    int64         `json:"household_id"`
	Status         HandoutStatus `json:"status"`
	Reason         string        `json:"reason,omitempty"`
}

// Validate checks a mark: a known status, and a reason where one is due.
func (m *HandoutMark) Validate() error {
	m.Reason = strings.TrimSpace(m.Reason)
	if !m.Status.Valid() {
		return FieldError("status", "unknown status %q", m.Status)
	}
	if err := CheckLine("reason", m.Reason); err != nil {
		return err
	}
	if len([]rune(m.Reason)) > 200 {
		return FieldError("reason", "a reason has at most 200 characters")
	}
	if m.Status.NeedsReason() && m.Reason == "" {
		return FieldError("reason", "say why the household gets no package")
	}
	return nil
}

// HandoutFilter selects households of a distribution. Zero fields do not
// filter.
type HandoutFilter struct {
	Under       *int64 // a node of the distribution
	OnlyPending bool   // no final status yet: the gap list
	HouseholdID *int64
	Offset      int
	Limit       int
}

// HouseholdNeed is a need of a household that a package must mind and
// that is not a vulnerability of one resident (those are Person flags,
// e.g. an infant): what the household eats.
type HouseholdNeed string

// Household needs.
const (
	NeedHalal    HouseholdNeed = "halal"    // 清真
	NeedDiabetic HouseholdNeed = "diabetic" // 糖尿病: no sugar in the package
)

// HouseholdNeeds lists the needs in the order they are shown.
var HouseholdNeeds = []HouseholdNeed{NeedHalal, NeedDiabetic}

// HouseholdNeedLabels maps each need to the label offices use.
var HouseholdNeedLabels = map[HouseholdNeed]string{NeedHalal: "清真", NeedDiabetic: "糖尿病"}

// CheckNeeds sorts needs in HouseholdNeeds order, drops repeats and
// refuses an unknown one.
func CheckNeeds(needs []HouseholdNeed) ([]HouseholdNeed, error) {
	out := []HouseholdNeed{}
	for _, n := range HouseholdNeeds {
		if slices.Contains(needs, n) {
			out = append(out, n)
		}
	}
	for _, n := range needs {
		if !slices.Contains(HouseholdNeeds, n) {
			return nil, FieldError("needs", "unknown need %q", n)
		}
	}
	return out, nil
}

// DistributionService runs distributions. Starting, closing and adding a
// household need PermManageSupply; marking a door PermPlaceOrders (the
// volunteers and grid workers who carry parcels) or PermManageSupply;
// reading either of them or PermReadReports. Everything is within the
// caller's scope (ENOTFOUND outside it). Errors: EINVALID (a field),
// ECONFLICT (closed, already in, unserved doors at closing), ENOTFOUND.
type DistributionService interface {
	// StartDistribution creates a distribution and freezes its households.
	StartDistribution(ctx context.Context, d *Distribution) error
	FindDistributionByID(ctx context.Context, id int64) (*Distribution, error)
	// FindDistributions lists the distributions at, above or under a node
	// (0: the caller's scope), newest first, and their total.
	FindDistributions(ctx context.Context, placeID int64, offset, limit int) ([]*Distribution, int, error)
	// Progress returns the counters of a node (0: the distribution's
	// scope, or the caller's part of it) and of each of its children.
	Progress(ctx context.Context, id, placeID int64) (*DistributionProgress, []*DistributionProgress, error)
	// FindHandouts lists households in walking order, with their needs,
	// and the total.
	FindHandouts(ctx context.Context, id int64, f HandoutFilter) ([]*Handout, int, error)
	// Mark records a door's status; the same final status again changes
	// nothing, so a resent mark acts once.
	Mark(ctx context.Context, m *HandoutMark) (*Handout, error)
	// NewHouseholds lists households under a node of the distribution
	// that are not in it (moved in or registered since it started), at
	// most 1,000: those to add by hand.
	NewHouseholds(ctx context.Context, id, placeID int64) ([]*Place, error)
	// AddHousehold adds a household that moved in after the start.
	AddHousehold(ctx context.Context, id, householdID int64) error
	// CloseDistribution closes it when every household has a final status.
	CloseDistribution(ctx context.Context, id int64) (*Distribution, error)

	// HouseholdNeeds and SetHouseholdNeeds read and set a household's
	// needs (PermReadRegistry / PermEditRegistry; audited).
	HouseholdNeeds(ctx context.Context, householdID int64) ([]HouseholdNeed, error)
	SetHouseholdNeeds(ctx context.Context, householdID int64, needs []HouseholdNeed) error
}
