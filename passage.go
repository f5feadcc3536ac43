package frontline

import (
	"strings"
	"time"
)

// PassageKind tells a registered resident from a visitor.
type PassageKind string

// Passage kinds.
const (
	PassResident PassageKind = "resident" // found in the registry by personal code or ID number
	PassVisitor  PassageKind = "visitor"  // anyone else, by name, phone and reason
)

// Direction is which way a passage crosses the checkpoint's node boundary.
type Direction string

// Directions.
const (
	DirIn  Direction = "in"  // into the checkpoint's node
	DirOut Direction = "out" // out of it
)

// Passage is one person passing, or being turned back at, a checkpoint.
type Passage struct {
	ID           int64       `json:"id"`
	CheckpointID int64       `json:"checkpoint_id"`
	Kind         PassageKind `json:"kind"`
	// A resident is given by PersonID (the personal QR code) or IDNumber;
	// the ID number is only used to look them up and is not stored.
	PersonID int64  `json:"person_id,omitempty"`
	IDNumber string `json:"-"`
	// Name is the visitor's name, or the resident's as registered.
	Name  string `json:"name"`
	Phone string `json:"-"` // a visitor's phone; never encoded whole
	// Reason is why a visitor comes, or what the emergency is.
	Reason    string    `json:"reason,omitempty"`
	Direction Direction `json:"direction"`
	Emergency bool      `json:"emergency,omitempty"`
	Checks    Checks    `json:"checks"`
	At        time.Time `json:"at"`

	// The decision, made by EntryDecision when the passage is recorded.
	Allowed    bool      `json:"allowed"`
	Reasons    []Reason  `json:"reasons"`
	From       ZoneLevel `json:"from"`
	To         ZoneLevel `json:"to"`
	FromRuleID int64     `json:"from_rule_id,omitempty"`
	ToRuleID   int64     `json:"to_rule_id,omitempty"`
	RecordedBy string    `json:"recorded_by"`
	// Notes and Restriction are the person's restrictions as the decision
	// took them: what staff were told, and the measure, case or transfer
	// that decided.
	Notes       []Reason     `json:"notes,omitempty"`
	Restriction *Restriction `json:"restriction,omitempty"`
}

// Validate checks what staff entered; now bounds the time of the passage,
// which a device replaying its offline queue may set up to a day back.
func (p *Passage) Validate(now time.Time) error {
	switch p.Kind {
	case PassResident:
		p.IDNumber = NormalizeIDNumber(p.IDNumber)
		if p.PersonID <= 0 && p.IDNumber == "" {
			return FieldError("id_number", "give the resident's personal code or ID number")
		}
	case PassVisitor:
		if err := p.validateVisitor(); err != nil {
			return err
		}
	default:
		return FieldError("kind", "a passage is by a resident or a visitor, not %q", p.Kind)
	}
	if p.Direction != DirIn && p.Direction != DirOut {
		return FieldError("direction", "the direction is in or out")
	}
	p.Reason = strings.TrimSpace(p.Reason)
	if err := CheckText("reason", p.Reason); err != nil {
		return err
	}
	if len([]rune(p.Reason)) > 200 {
		return FieldError("reason", "the reason is longer than 200 characters")
	}
	if p.Emergency && p.Reason == "" {
		return FieldError("reason", "say what the emergency is")
	}
	if p.At.IsZero() {
		p.At = now
	}
	if p.At.After(now.Add(time.Minute)) || p.At.Before(now.Add(-24*time.Hour)) {
		return FieldError("at", "a passage is recorded within a day of it")
	}
	return p.Checks.Validate(now)
}

func (p *Passage) validateVisitor() error {
	p.Name = CleanName(p.Name)
	if err := CheckLine("name", p.Name); err != nil {
		return err
	}
	if p.Name == "" || len([]rune(p.Name)) > 50 {
		return FieldError("name", "a visitor needs a name of at most 50 characters")
	}
	phone, err := NormalizePhone(p.Phone)
	if err != nil {
		return &Error{Code: EINVALID, Field: "phone", Message: ErrorMessage(err)}
	}
	if phone == "" {
		return FieldError("phone", "a visitor needs a phone number, for tracing")
	}
	p.Phone = phone
	if strings.TrimSpace(p.Reason) == "" {
		return FieldError("reason", "a visitor needs a reason to pass")
	}
	return nil
}

// PassageFilter selects passages. Zero fields do not filter.
type PassageFilter struct {
	CheckpointID *int64
	Under        *int64 // passages at checkpoints of this node or under it
	PersonID     *int64
	Refused      bool // only refused passages
	From, To     time.Time
	Offset       int
	Limit        int
}

// HourCount counts one hour of a checkpoint's passages.
type HourCount struct {
	Hour    time.Time `json:"hour"` // the start of the hour, UTC
	In      int       `json:"in"`
	Out     int       `json:"out"`
	Refused int       `json:"refused"`
}

// ParentPath returns the materialized path of a node's parent, "" for a
// root.
func ParentPath(path string) string {
	i := strings.LastIndex(strings.TrimSuffix(path, "/"), "/")
	if i <= 0 {
		return ""
	}
	return path[:i+1]
}

// Request works out what a passage asks, given the path of the checkpoint's
// node, the path of the person's household ("" for a visitor or someone
// with none) and the active zones on both paths. Inside is the
// checkpoint's node, or the person's own household when they live inside
// it (a resident of a sealed building passing the compound gate carries
// the building's level); outside is the node's parent, made stricter by
// the person's home when they live elsewhere (someone out of a sealed zone
// elsewhere has left it).
func (p *Passage) Request(checkpointPath, homePath string, active []*Zone) EntryRequest {
	livesInside := homePath != "" && strings.HasPrefix(homePath, checkpointPath)
	inside := EffectiveLevel(checkpointPath, active)
	if livesInside {
		inside = EffectiveLevel(homePath, active)
	}
	outside := EffectiveLevel(ParentPath(checkpointPath), active)
	if homePath != "" && !livesInside {
		outside = Strictest(outside, EffectiveLevel(homePath, active))
	}
	req := EntryRequest{Emergency: p.Emergency, Checks: p.Checks, At: p.At}
	if p.Direction == DirIn {
		req.From, req.To, req.LivesInside = outside, inside, livesInside
	} else {
		req.From, req.To, req.LivesInside = inside, outside, homePath != "" && !livesInside
	}
	return req
}
