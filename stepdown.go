package frontline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reason is one ground of a decision the rules made — a passage refused,
// a zone not yet eligible — as a code with its numbers, so that pages can
// say it in the reader's language. Met tells a satisfied condition from an
// unsatisfied one where both are listed.
type Reason struct {
	Code  string    `json:"code"`
	Met   bool      `json:"met"`
	Level ZoneLevel `json:"level,omitempty"`
	Have  float64   `json:"have,omitempty"`
	Need  float64   `json:"need,omitempty"`
	// Hours are a checkpoint's opening hours, for ReasonOutsideHours.
	Hours string `json:"hours,omitempty"`
	// Restriction is what restricts the person, for ReasonRestricted and
	// ReasonRestrictionNote.
	Restriction RestrictionKind `json:"restriction,omitempty"`
}

// Reason codes.
const (
	ReasonDaysClear      = "days_clear"      // whole days since the zone started or its last positive
	ReasonNegativeRounds = "negative_rounds" // negative whole-zone rounds since then
	ReasonNoRule         = "no_rule"         // the level has no rule
	ReasonLeave          = "leave"           // the zone left does not let this person out
	ReasonEnter          = "enter"           // the zone entered does not let this person in
	ReasonNoTemperature  = "no_temperature"  // no temperature was taken
	ReasonFever          = "fever"           // the temperature is at or above the fever line
	ReasonHealthCode     = "health_code"     // the health code is not green (or was not shown)
	ReasonNoTest         = "no_test"         // no negative test result was shown
	ReasonTestTooOld     = "test_too_old"    // the negative result is older than allowed
	ReasonOutsideHours   = "outside_hours"   // the checkpoint is not open at this hour
	// ReasonRestricted: the person's restrictions keep them at home (home
	// isolation, a case, a transfer under way).
	ReasonRestricted = "restricted"
	// ReasonRestrictionNote: allowed, but staff should know (health
	// monitoring; an isolated person going home or out in an emergency).
	ReasonRestrictionNote = "restriction_note"
	// ReasonHospitalTrip: allowed as an emergency: a hospital trip of a
	// help request is on (help.go).
	ReasonHospitalTrip = "hospital_trip"
)

// Text says the reason in English, for logs, the command line and the API;
// pages use the message catalogue.
func (r Reason) Text() string {
	lvl := string(r.Level)
	switch r.Code {
	case ReasonDaysClear:
		return fmt.Sprintf("%g of %g days without a new positive", r.Have, r.Need)
	case ReasonNegativeRounds:
		return fmt.Sprintf("%g of %g negative whole-zone rounds since then", r.Have, r.Need)
	case ReasonNoRule:
		return "the " + lvl + " level has no rule"
	case ReasonLeave:
		return "residents of a " + lvl + " zone may not leave it"
	case ReasonEnter:
		return "a " + lvl + " zone admits only its residents or emergencies"
	case ReasonNoTemperature:
		return "no temperature was taken"
	case ReasonFever:
		return fmt.Sprintf("temperature %.1f °C is at or above %.1f °C", r.Have, r.Need)
	case ReasonHealthCode:
		return "the health code is not green"
	case ReasonNoTest:
		return fmt.Sprintf("no negative test within %g hours was shown", r.Need)
	case ReasonTestTooOld:
		return fmt.Sprintf("the negative test is %g hours old; at most %g allowed", r.Have, r.Need)
	case ReasonOutsideHours:
		return "outside the checkpoint's opening hours (" + r.Hours + ")"
	case ReasonRestricted:
		return "under " + strings.ReplaceAll(string(r.Restriction), "_", " ") + ": may not go out"
	case ReasonRestrictionNote:
		return "under " + strings.ReplaceAll(string(r.Restriction), "_", " ")
	case ReasonHospitalTrip:
		return "on a hospital trip arranged by the community"
	}
	return r.Code
}

// ReasonsText joins the texts of reasons with "; ".
func ReasonsText(reasons []Reason) string {
	s := make([]string, len(reasons))
	for i, r := range reasons {
		s[i] = r.Text()
	}
	return strings.Join(s, "; ")
}

// Kinds of zone evidence.
const (
	EvidencePositive      = "positive"       // a positive case or tube at a place, at a time
	EvidenceNegativeRound = "negative_round" // a whole-area test round with no positive
)

// ZoneEvidence is one fact the step-down rules weigh: a positive (a case
// or tube) at a node at a time, or a negative test round that covered a
// whole node. A positive counts against every zone at or above its node; a
// negative round counts for every zone at or below the node it covered.
// The testing workflow records these as results arrive; staff may record
// them by hand.
type ZoneEvidence struct {
	ID      int64  `json:"id"`
	PlaceID int64  `json:"place_id"`
	Place   *Place `json:"place,omitempty"`
	Kind    string `json:"kind"`
	// At is when the sample was taken (a positive) or the round ended.
	At         time.Time    `json:"at"`
	Link       EvidenceLink `json:"link,omitzero"`
	Note       string       `json:"note,omitempty"`
	RecordedBy string       `json:"recorded_by"`
	RecordedAt time.Time    `json:"recorded_at"`
}

// Validate checks evidence before it is stored; now bounds At.
func (e *ZoneEvidence) Validate(now time.Time) error {
	if e.Kind != EvidencePositive && e.Kind != EvidenceNegativeRound {
		return FieldError("kind", "evidence is positive or negative_round, not %q", e.Kind)
	}
	if e.At.IsZero() {
		e.At = now
	}
	if e.At.After(now.Add(time.Minute)) {
		return FieldError("at", "evidence cannot be from the future")
	}
	e.Note = strings.TrimSpace(e.Note)
	if err := CheckText("note", e.Note); err != nil {
		return err
	}
	if len([]rune(e.Note)) > 500 {
		return FieldError("note", "the note is longer than 500 characters")
	}
	return e.Link.Validate("link")
}

// StepDownCheck is the evaluation of one active zone against its rule.
type StepDownCheck struct {
	Zone     *Zone     `json:"zone"`
	Rule     *ZoneRule `json:"rule,omitempty"`
	Eligible bool      `json:"eligible"`
	// Target is the level the rule steps the zone down to.
	Target ZoneLevel `json:"target"`
	// Since is when the days are counted from: the zone's start or its
	// last positive, whichever is later.
	Since        time.Time       `json:"since"`
	LastPositive *ZoneEvidence   `json:"last_positive,omitempty"`
	Rounds       []*ZoneEvidence `json:"rounds"` // the negative rounds since then
	Reasons      []Reason        `json:"reasons"`
}

// StepDownEligibility evaluates zone z against rule at now, weighing the
// evidence: positives at or under the zone's node, and negative rounds
// that covered it (the caller selects these by place). A zone is eligible
// when rule.StepDown.Days whole days have passed since the later of its
// start and its last positive, and rule.StepDown.Rounds negative rounds
// ended after that. Counting from the start as well as the last positive
// reads the rule as "N days without a new positive": a compound sealed two
// days after its case still waits N days. Evidence after now is ignored.
func StepDownEligibility(z *Zone, rule *ZoneRule, evidence []*ZoneEvidence, now time.Time) *StepDownCheck {
	c := &StepDownCheck{Zone: z, Rule: rule, Since: z.Start, Rounds: []*ZoneEvidence{}}
	if rule == nil {
		c.Reasons = []Reason{{Code: ReasonNoRule, Level: z.Level}}
		return c
	}
	c.Target = rule.StepDown.To
	for _, e := range evidence {
		if e.Kind == EvidencePositive && !e.At.After(now) && (c.LastPositive == nil || e.At.After(c.LastPositive.At)) {
			c.LastPositive = e
		}
	}
	if c.LastPositive != nil && c.LastPositive.At.After(c.Since) {
		c.Since = c.LastPositive.At
	}
	for _, e := range evidence {
		if e.Kind == EvidenceNegativeRound && e.At.After(c.Since) && !e.At.After(now) {
			c.Rounds = append(c.Rounds, e)
		}
	}
	days := max(0, int(now.Sub(c.Since)/(24*time.Hour)))
	need := rule.StepDown
	c.Reasons = []Reason{
		{Code: ReasonDaysClear, Met: days >= need.Days, Have: float64(days), Need: float64(need.Days)},
		{Code: ReasonNegativeRounds, Met: len(c.Rounds) >= need.Rounds, Have: float64(len(c.Rounds)), Need: float64(need.Rounds)},
	}
	c.Eligible = c.Reasons[0].Met && c.Reasons[1].Met
	return c
}

// ZoneEventKind names an entry of a node's timeline.
type ZoneEventKind string

// Kinds of timeline entries.
const (
	EventZoneStarted ZoneEventKind = "started"
	EventZoneEnded   ZoneEventKind = "ended"
	EventEvidence    ZoneEventKind = "evidence"
)

// ZoneEvent is one entry of a node's timeline: a zone starting or ending
// on the node or an ancestor, or evidence at or under it.
type ZoneEvent struct {
	At   time.Time     `json:"at"`
	Kind ZoneEventKind `json:"kind"`
	// Zone is set for started and ended; Inherited marks a zone drawn on
	// an ancestor, which applies to the node all the same.
	Zone      *Zone         `json:"zone,omitempty"`
	Inherited bool          `json:"inherited,omitempty"`
	Evidence  *ZoneEvidence `json:"evidence,omitempty"`
	// Level is the node's effective level just after the event.
	Level ZoneLevel `json:"level"`
}

// Timeline orders the zones and evidence of the node with path into its
// history, oldest first, and gives each entry the node's effective level
// just after it. Zones off the path are ignored.
func Timeline(path string, zones []*Zone, evidence []*ZoneEvidence) []*ZoneEvent {
	ids := PathIDs(path)
	self := int64(0)
	if len(ids) > 0 {
		self = ids[len(ids)-1]
	}
	var out []*ZoneEvent
	for _, z := range zones {
		if !slices.Contains(ids, z.PlaceID) {
			continue
		}
		out = append(out, &ZoneEvent{At: z.Start, Kind: EventZoneStarted, Zone: z, Inherited: z.PlaceID != self})
		if !z.Active() {
			out = append(out, &ZoneEvent{At: z.End, Kind: EventZoneEnded, Zone: z, Inherited: z.PlaceID != self})
		}
	}
	for _, e := range evidence {
		out = append(out, &ZoneEvent{At: e.At, Kind: EventEvidence, Evidence: e})
	}
	sortEvents(out)
	// Replay the events in order, so that entries at the same instant (a
	// zone ended and the next started) each show the level between them.
	running := map[int64]*Zone{}
	for _, ev := range out {
		switch ev.Kind {
		case EventZoneStarted:
			running[ev.Zone.ID] = ev.Zone
		case EventZoneEnded:
			delete(running, ev.Zone.ID)
		}
		ev.Level = LevelNone
		for _, z := range running {
			ev.Level = Strictest(ev.Level, z.Level)
		}
	}
	return out
}
