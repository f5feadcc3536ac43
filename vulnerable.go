package frontline

import (
	"context"
	"strings"
	"time"
)

// The vulnerable (包保): every flagged resident (Person.Flags) of a sealed
// or controlled zone has a named contact from the workforce, who checks on
// them every day — called, visited, or tried and unreachable — and turns
// what they need into orders, medicine or help requests. A board lists
// those not reached today, and the secretary is alerted by a set hour.
//
// The contact is set when the zone is drawn: in the transaction that seals
// or controls a node, each vulnerable resident under it without a contact
// gets the household's responsible worker (ResponsibilityService), or,
// when the household has none, a proposal the secretary confirms.

// AlertVulnerableUnchecked is the alert kind raised by the job when, past
// the node's alert hour, a vulnerable resident of a sealed or controlled
// zone has not been reached today; reaching them all resolves it.
const AlertVulnerableUnchecked = "vulnerable_unchecked"

// DefaultVulnerableAlertAt is the alert hour (minutes after local
// midnight) of a node when neither it nor a node above it set one: 16:00,
// so a resident not reached by then is still reached in daylight
// (FIELD.md: every vulnerable resident of a sealed zone contacted every
// day).
const DefaultVulnerableAlertAt = 16 * 60

// ContactSource says how a contact was set.
type ContactSource string

// Contact sources.
const (
	// ContactResponsible: the household's responsible worker, set when
	// the zone was drawn.
	ContactResponsible ContactSource = "responsible"
	// ContactProposed: a worker proposed because the household has no
	// responsible worker; the secretary confirms it. A resident with only
	// a proposal counts as without a contact.
	ContactProposed ContactSource = "proposed"
	// ContactConfirmed: set or confirmed by a person (audited).
	ContactConfirmed ContactSource = "confirmed"
)

// VulnerableContact is the named contact (包保责任人) of one resident.
type VulnerableContact struct {
	PersonID   int64         `json:"person_id"`
	WorkerID   int64         `json:"worker_id"`
	WorkerName string        `json:"worker_name"`
	Phone      string        `json:"-"`
	UserID     int64         `json:"user_id,omitempty"`
	Source     ContactSource `json:"source"`
	SetAt      time.Time     `json:"set_at"`
	SetBy      string        `json:"set_by"`
}

// Named reports whether the contact stands: set, and not a mere proposal.
func (c *VulnerableContact) Named() bool { return c != nil && c.Source != ContactProposed }

// CheckMethod is how a daily check reached the resident, or did not.
type CheckMethod string

// Check methods.
const (
	CheckCalled      CheckMethod = "called"      // 电话联系
	CheckVisited     CheckMethod = "visited"     // 上门探视
	CheckUnreachable CheckMethod = "unreachable" // 未联系上
)

// CheckMethods lists the methods in the order forms offer them.
var CheckMethods = []CheckMethod{CheckCalled, CheckVisited, CheckUnreachable}

// PersonState is how the contact found the resident.
type PersonState string

// States.
const (
	StateFine    PersonState = "fine"    // 平安
	StateUnwell  PersonState = "unwell"  // 身体不适
	StateUrgent  PersonState = "urgent"  // 情况紧急
	StateUnknown PersonState = "unknown" // 未联系上: not seen or heard
)

// PersonStates lists the states a reached resident may be in.
var PersonStates = []PersonState{StateFine, StateUnwell, StateUrgent}

// NeedKind is what a need found on a check becomes.
type NeedKind string

// Need kinds.
const (
	NeedSupplies NeedKind = "supplies" // an order from a partner shop (on the household's behalf)
	NeedMedicine NeedKind = "medicine" // a medicine request
	NeedHelp     NeedKind = "help"     // an urgent help request
)

// NeedKinds lists the kinds in the order forms offer them.
var NeedKinds = []NeedKind{NeedSupplies, NeedMedicine, NeedHelp}

// VulnerableNeed is one need found on a check, and what it became: the
// order (LinkKind "order") placed for it, once it is.
type VulnerableNeed struct {
	ID          int64    `json:"id"`
	CheckID     int64    `json:"check_id"`
	PersonID    int64    `json:"person_id"`
	HouseholdID int64    `json:"household_id"`
	Kind        NeedKind `json:"kind"`
	Detail      string   `json:"detail"`
	// Category is a help need's category; empty takes the one the
	// resident's flags suggest (dialysis, pregnancy), else other.
	Category HelpCategory `json:"category,omitempty"`
	// LinkKind is what the need became ("order", "medicine", "help") and
	// LinkID its id; a help need becomes a help request at once.
	LinkKind string `json:"link_kind,omitempty"`
	LinkID   int64  `json:"link_id,omitempty"`
}

// HelpCategoryFor is the help category a resident's flags suggest.
func HelpCategoryFor(flags []Flag) HelpCategory {
	for _, f := range flags {
		switch f {
		case FlagDialysis:
			return HelpDialysis
		case FlagPregnant:
			return HelpPregnancy
		}
	}
	return HelpOther
}

// Met reports whether the need has become an order or a request.
func (n *VulnerableNeed) Met() bool { return n.LinkID != 0 }

// VulnerableCheck is one daily check of a resident by their contact (or
// whoever stood in).
type VulnerableCheck struct {
	ID          int64             `json:"id"`
	PersonID    int64             `json:"person_id"`
	HouseholdID int64             `json:"household_id"`
	WorkerID    int64             `json:"worker_id,omitempty"`
	Day         string            `json:"day"` // local day, YYYY-MM-DD
	Method      CheckMethod       `json:"method"`
	State       PersonState       `json:"state"`
	Note        string            `json:"note,omitempty"`
	Needs       []*VulnerableNeed `json:"needs"`
	CheckedAt   time.Time         `json:"checked_at"`
	CheckedBy   string            `json:"checked_by"`
	// Key makes a retried check act once (the form's token).
	Key string `json:"-"`
}

// Reached reports whether the check reached the resident: an unreachable
// attempt leaves them on the board.
func (c *VulnerableCheck) Reached() bool { return c != nil && c.Method != CheckUnreachable }

// MaxNeeds bounds the needs of one check.
const MaxNeeds = 10

// Validate checks a check before any data is read.
func (c *VulnerableCheck) Validate() error {
	c.Note, c.Key = strings.TrimSpace(c.Note), strings.TrimSpace(c.Key)
	switch c.Method {
	case CheckCalled, CheckVisited:
		if c.State == "" {
			c.State = StateFine
		}
		if c.State != StateFine && c.State != StateUnwell && c.State != StateUrgent {
			return FieldError("state", "unknown state %q (fine, unwell, urgent)", c.State)
		}
	case CheckUnreachable:
		c.State = StateUnknown
		if len(c.Needs) > 0 {
			return FieldError("needs", "needs are found by reaching the resident, not on an unreachable attempt")
		}
	default:
		return FieldError("method", "say how the resident was checked (called, visited, unreachable)")
	}
	if c.PersonID <= 0 {
		return FieldError("person_id", "say which resident was checked")
	}
	if err := CheckText("note", c.Note); err != nil {
		return err
	}
	if len([]rune(c.Note)) > 500 {
		return FieldError("note", "the note has at most 500 characters")
	}
	if len(c.Key) > 80 {
		return FieldError("key", "the key has at most 80 characters")
	}
	if len(c.Needs) > MaxNeeds {
		return FieldError("needs", "a check records at most %d needs", MaxNeeds)
	}
	for _, n := range c.Needs {
		n.Detail = strings.TrimSpace(n.Detail)
		if n.Kind != NeedSupplies && n.Kind != NeedMedicine && n.Kind != NeedHelp {
			return FieldError("needs", "unknown need %q (supplies, medicine, help)", n.Kind)
		}
		if err := CheckText("needs", n.Detail); err != nil {
			return err
		}
		if n.Detail == "" || len([]rune(n.Detail)) > 200 {
			return FieldError("needs", "say what is needed, in at most 200 characters")
		}
		if n.Category != "" && (n.Kind != NeedHelp || !n.Category.Valid()) {
			return FieldError("needs", "a category is for a help need, one of the help categories")
		}
	}
	return nil
}

// VulnerableResident is one vulnerable resident of a sealed or controlled
// zone, as the board and the contact's list show them.
type VulnerableResident struct {
	PersonID    int64     `json:"person_id"`
	Name        string    `json:"name"`
	Age         int       `json:"age"`
	Phone       string    `json:"phone"` // masked
	Flags       []Flag    `json:"flags"`
	HouseholdID int64     `json:"household_id"`
	Address     string    `json:"address"`  // below the building: 2单元/301
	Building    string    `json:"building"` // compound · building
	BuildingID  int64     `json:"building_id"`
	Level       ZoneLevel `json:"level"`
	ZoneID      int64     `json:"zone_id"`
	// Contact is nil without one; a proposal is a contact with Source
	// ContactProposed.
	Contact *VulnerableContact `json:"contact,omitempty"`
	// LastCheck is the latest check, any day; nil for never.
	LastCheck *VulnerableCheck `json:"last_check,omitempty"`
	// CheckedToday: reached (called or visited) today.
	CheckedToday bool `json:"checked_today"`
	// HouseholdRestriction is the strictest restriction now of anyone in
	// the resident's household, the resident too (RestrictionService, the
	// one call): a member in home isolation or a case keeps the household
	// at home, so the contact brings what it needs to the door. Nil for
	// none; the board, the contact's list and the resident's page fill it.
	HouseholdRestriction *Restriction `json:"household_restriction,omitempty"`
}

// VulnerableBuilding groups the board's residents by building.
type VulnerableBuilding struct {
	ID        int64                 `json:"id"`
	Name      string                `json:"name"`
	Residents []*VulnerableResident `json:"residents"`
}

// VulnerableView says whom a board lists.
type VulnerableView string

// Views of the board.
const (
	// ViewUnreached lists those not reached today.
	ViewUnreached VulnerableView = ""
	// ViewAll lists everyone.
	ViewAll VulnerableView = "all"
	// ViewNoContact lists those without a named contact (a proposal is
	// none), reached today or not: in a sealed zone, the ones nobody is
	// bound to call.
	ViewNoContact VulnerableView = "nocontact"
)

// VulnerableBoard is the vulnerable residents of the sealed and controlled
// zones under a node, with the figures of the day.
type VulnerableBoard struct {
	Place *Place `json:"place"`
	Day   string `json:"day"`
	// Total is every vulnerable resident of a sealed or controlled zone
	// under the node; NoContact those without a named contact (a proposal
	// does not count), Proposed those with a proposal, Checked those
	// reached today.
	Total     int `json:"total"`
	NoContact int `json:"no_contact"`
	Proposed  int `json:"proposed"`
	Checked   int `json:"checked"`
	// AlertAt is the node's alert hour, minutes after local midnight.
	AlertAt int `json:"alert_at"`
	// View is whom Buildings lists.
	View      VulnerableView        `json:"view"`
	Buildings []*VulnerableBuilding `json:"buildings"`
}

// VulnerableService keeps the contacts and daily checks of the vulnerable.
//
// Reading the board and recording checks needs PermCheckVulnerable;
// setting contacts and the alert hour needs PermManageWorkforce; ordering
// for a need needs PermPlaceOrders. Every resident and node must be in the
// caller's scope.
//
// Errors: EINVALID (a bad check, a worker out of the node's workforce),
// ENOTFOUND (a resident, node, need or worker out of reach, or a resident
// who is not vulnerable in a sealed or controlled zone), ECONFLICT (a need
// already met), EFORBIDDEN.
type VulnerableService interface {
	// Board returns the vulnerable residents of the sealed and controlled
	// zones under a node, by building, as view says: those not reached
	// today, everyone, or those without a named contact. The figures count
	// everyone whatever the view.
	Board(ctx context.Context, placeID int64, view VulnerableView) (*VulnerableBoard, error)
	// WithoutContact counts, for each sealed or controlled zone that
	// decides the level of residents at or under a node, its vulnerable
	// residents there without a named contact (a proposal is none), by
	// zone id; zones with none are left out. It reads counts, not rows.
	WithoutContact(ctx context.Context, placeID int64) (map[int64]int, error)
	// Mine returns the residents whose contact is the caller's worker,
	// those not reached today first.
	Mine(ctx context.Context) ([]*VulnerableResident, error)
	// Resident returns one resident with their contact, their checks
	// (newest first) and the needs found.
	Resident(ctx context.Context, personID int64) (*VulnerableResident, []*VulnerableCheck, error)
	// RecordCheck records a check of a resident and its needs; a retry
	// with the same key returns the check recorded. Reaching the last
	// unreached resident of a zone resolves its alert.
	RecordCheck(ctx context.Context, c *VulnerableCheck) error

	// AssignContacts gives every vulnerable resident under a node who has
	// none a contact, as drawing a zone does, and returns how many it set.
	AssignContacts(ctx context.Context, placeID int64) (int, error)
	// SetContact names a resident's contact by hand (audited), which also
	// confirms a proposal.
	SetContact(ctx context.Context, personID, workerID int64) (*VulnerableContact, error)
	// ConfirmProposals confirms every proposed contact under a node and
	// returns how many.
	ConfirmProposals(ctx context.Context, placeID int64) (int, error)
	// SetAlertHour sets a node's alert hour (minutes after local midnight);
	// -1 clears it, so the node takes the hour of the node above.
	SetAlertHour(ctx context.Context, placeID int64, minute int) error

	// OrderForNeed places the household's order for a supplies need found
	// on a check, and links the need to it, in one transaction.
	OrderForNeed(ctx context.Context, needID int64, r OrderRequest) (*Order, error)
	// MedicineForNeed makes the medicine request of a medicine need, for
	// the resident, and links the need to it, in one transaction.
	MedicineForNeed(ctx context.Context, needID int64, r MedicineRequestInput) (*MedicineRequest, error)
	// AlertUnchecked is the job: past each zone's alert hour it raises an
	// alert for the zones with residents not reached today, and resolves
	// those whose residents all are. It returns how many it raised.
	AlertUnchecked(ctx context.Context) (int, error)
}
