package frontline

import (
	"strings"
	"time"
)

// Movement is what residents of a zone may do.
type Movement string

// Movements, from the strictest.
const (
	MoveStayHome   Movement = "stay_home"    // 足不出户: nobody leaves home
	MoveStayInArea Movement = "stay_in_area" // 人不出区: nobody leaves the compound or area
	MoveNormal     Movement = "normal"       // ordinary life, public places controlled
)

// Admission says who may pass one side of a zone's boundary.
type Admission string

// Admissions, from the strictest.
const (
	AdmitNone      Admission = "none"      // nobody, not even in an emergency
	AdmitEmergency Admission = "emergency" // only an emergency (a hospital trip), recorded with its reason
	AdmitResidents Admission = "residents" // people who live inside (returning home), and emergencies
	AdmitAll       Admission = "all"       // anyone who passes the checks
)

// StepDownRule says when a zone of a level may step down, and to what.
// A zone is eligible once Days whole days have passed since it started or
// since its last positive, whichever is later, and Rounds negative
// whole-zone test rounds were recorded after that.
type StepDownRule struct {
	Days   int       `json:"days"`
	Rounds int       `json:"rounds"`
	To     ZoneLevel `json:"to"` // LevelNone lifts the zone
}

// EntryPolicy says who may pass into and out of a zone of a level at a
// checkpoint, and which checks the passage needs.
type EntryPolicy struct {
	// Leave admits people leaving the zone: none, emergency or all.
	Leave Admission `json:"leave"`
	// Enter admits people entering it: none, emergency, residents or all.
	Enter Admission `json:"enter"`
	// TestWithinHours asks for a negative test result no older than this
	// when crossing the boundary; 0 asks for none.
	TestWithinHours int `json:"test_within_hours"`
}

// ZoneRule is what a zone level means, as data that admins edit. Every
// edit is stored as a new version of the level's rule and the old ones are
// kept; zones and passages record the version they were decided under.
type ZoneRule struct {
	ID      int64     `json:"id"`
	Level   ZoneLevel `json:"level"`
	Version int       `json:"version"`

	Movement Movement `json:"movement"`
	// DoorDelivery: supplies and medicine are brought to the door rather
	// than to the front of the building.
	DoorDelivery bool `json:"door_delivery"`
	// HomeSampling: samplers come to the door instead of calling residents
	// down.
	HomeSampling bool `json:"home_sampling"`
	// PoolSize is the number of persons per tube testing uses (1 is single
	// sampling); PoolPerHousehold puts each household in its own tube
	// instead.
	PoolSize         int          `json:"pool_size"`
	PoolPerHousehold bool         `json:"pool_per_household"`
	StepDown         StepDownRule `json:"step_down"`
	Entry            EntryPolicy  `json:"entry"`

	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Validate checks a rule before it is stored.
func (r *ZoneRule) Validate() error {
	if !r.Level.Valid() {
		return FieldError("level", "unknown zone level %q", r.Level)
	}
	switch r.Movement {
	case MoveStayHome, MoveStayInArea, MoveNormal:
	default:
		return FieldError("movement", "unknown movement %q (stay_home, stay_in_area, normal)", r.Movement)
	}
	if r.PoolSize < 1 || r.PoolSize > 50 {
		return FieldError("pool_size", "a pool holds 1 to 50 persons")
	}
	if err := r.StepDown.validate(r.Level); err != nil {
		return err
	}
	if err := r.Entry.validate(); err != nil {
		return err
	}
	r.Note = strings.TrimSpace(r.Note)
	if err := CheckText("note", r.Note); err != nil {
		return err
	}
	if len([]rune(r.Note)) > 1000 {
		return FieldError("note", "the note is longer than 1000 characters")
	}
	return nil
}

func (s StepDownRule) validate(from ZoneLevel) error {
	if s.Days < 0 || s.Days > 365 {
		return FieldError("step_down.days", "days must be between 0 and 365")
	}
	if s.Rounds < 0 || s.Rounds > 30 {
		return FieldError("step_down.rounds", "rounds must be between 0 and 30")
	}
	if s.To != LevelNone && !s.To.Valid() {
		return FieldError("step_down.to", "unknown zone level %q", s.To)
	}
	if !from.StricterThan(s.To) {
		return FieldError("step_down.to", "a %s zone steps down to a looser level, not %q", from, s.To)
	}
	return nil
}

func (p EntryPolicy) validate() error {
	switch p.Leave {
	case AdmitNone, AdmitEmergency, AdmitAll:
	default:
		return FieldError("entry.leave", "leave must be none, emergency or all, not %q", p.Leave)
	}
	switch p.Enter {
	case AdmitNone, AdmitEmergency, AdmitResidents, AdmitAll:
	default:
		return FieldError("entry.enter", "enter must be none, emergency, residents or all, not %q", p.Enter)
	}
	if p.TestWithinHours < 0 || p.TestWithinHours > 24*14 {
		return FieldError("entry.test_within_hours", "hours must be between 0 and 336")
	}
	return nil
}

// Tube returns the tube capacity testing uses for a household of the
// given size under this rule.
func (r *ZoneRule) Tube(householdSize int) int {
	if r.PoolPerHousehold && householdSize > 0 {
		return householdSize
	}
	return r.PoolSize
}

// DefaultZoneRules are the first version of each level's rule, from the
// 2022 national guidance: sealed zones stay home, are sampled singly at
// the door and step down to controlled after 7 days without a new positive
// and a negative round; controlled zones stay in the area, pool 10 to a
// tube and step down after 3 more days; precaution zones pool 20. The
// migration stores the same values as version 1; a test keeps them equal.
func DefaultZoneRules() []*ZoneRule {
	return []*ZoneRule{
		{Level: LevelSealed, Version: 1, Movement: MoveStayHome, DoorDelivery: true, HomeSampling: true, PoolSize: 1,
			StepDown: StepDownRule{Days: 7, Rounds: 1, To: LevelControlled},
			Entry:    EntryPolicy{Leave: AdmitEmergency, Enter: AdmitResidents, TestWithinHours: 24}},
		{Level: LevelControlled, Version: 1, Movement: MoveStayInArea, PoolSize: 10,
			StepDown: StepDownRule{Days: 3, Rounds: 1, To: LevelPrecaution},
			Entry:    EntryPolicy{Leave: AdmitEmergency, Enter: AdmitResidents, TestWithinHours: 48}},
		{Level: LevelPrecaution, Version: 1, Movement: MoveNormal, PoolSize: 20,
			StepDown: StepDownRule{Days: 3, Rounds: 0, To: LevelNone},
			Entry:    EntryPolicy{Leave: AdmitAll, Enter: AdmitAll, TestWithinHours: 48}},
	}
}

// ZoneRuleSet is the rule of each level in force at one moment.
type ZoneRuleSet map[ZoneLevel]*ZoneRule

// NewZoneRuleSet indexes rules by level; a later rule of a level replaces an
// earlier one.
func NewZoneRuleSet(rules []*ZoneRule) ZoneRuleSet {
	rs := ZoneRuleSet{}
	for _, r := range rules {
		rs[r.Level] = r
	}
	return rs
}
