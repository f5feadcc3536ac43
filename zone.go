package frontline

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ZoneLevel is how tightly a node of the place tree is controlled in an
// outbreak. The zero value, LevelNone, is a node in no zone.
type ZoneLevel string

// Zone levels, from the loosest. Their strictness orders them; a node's
// effective level is the strictest of its own and its ancestors'.
const (
	LevelNone       ZoneLevel = ""           // not in a zone
	LevelPrecaution ZoneLevel = "precaution" // 防范区: tighter control of public places
	LevelControlled ZoneLevel = "controlled" // 管控区: nobody leaves the area, no gatherings
	LevelSealed     ZoneLevel = "sealed"     // 封控区: nobody leaves home, services come to the door
)

// ZoneLevels lists the levels a zone can have, strictest first: the order
// boards and legends show them in.
var ZoneLevels = []ZoneLevel{LevelSealed, LevelControlled, LevelPrecaution}

// ZoneLevelLabels maps each level to the name offices use.
var ZoneLevelLabels = map[ZoneLevel]string{
	LevelSealed: "封控区", LevelControlled: "管控区", LevelPrecaution: "防范区", LevelNone: "未划区",
}

// Strictness orders levels: 0 for none, 3 for sealed, -1 for an unknown
// level.
func (l ZoneLevel) Strictness() int {
	switch l {
	case LevelNone:
		return 0
	case LevelPrecaution:
		return 1
	case LevelControlled:
		return 2
	case LevelSealed:
		return 3
	}
	return -1
}

// Valid reports whether l is a level a zone can have (not LevelNone).
func (l ZoneLevel) Valid() bool { return l.Strictness() > 0 }

// StricterThan reports whether l is stricter than o.
func (l ZoneLevel) StricterThan(o ZoneLevel) bool { return l.Strictness() > o.Strictness() }

// Strictest returns the strictest of the levels, LevelNone for none.
func Strictest(levels ...ZoneLevel) ZoneLevel {
	out := LevelNone
	for _, l := range levels {
		if l.StricterThan(out) {
			out = l
		}
	}
	return out
}

// ParseZoneLevel reads a level from its code or label; "" and "none" are
// LevelNone.
func ParseZoneLevel(s string) (ZoneLevel, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "none" {
		return LevelNone, true
	}
	for l, label := range ZoneLevelLabels {
		if s == string(l) || s == label {
			return l, true
		}
	}
	return "", false
}

// MinZoneKind is the widest node a zone can be drawn on. Communities and
// above are never sealed whole: a zone is drawn by compound, building, unit
// or household, so that it stays as small as the evidence allows.
const MinZoneKind = KindCompound

// EvidenceKind names what a zone's decision or a piece of evidence points
// at.
type EvidenceKind string

// Kinds of evidence links.
const (
	LinkTube   EvidenceKind = "tube"   // a positive pooled tube, by its code
	LinkCase   EvidenceKind = "case"   // a confirmed case, by the health commission's case id
	LinkRound  EvidenceKind = "round"  // a test round, by its id or name
	LinkNotice EvidenceKind = "notice" // a command notice (通告), by its number
)

// EvidenceLink points at the evidence behind a decision: a tube code, a
// case id. Kind is empty when there is none.
type EvidenceLink struct {
	Kind EvidenceKind `json:"kind,omitempty"`
	Ref  string       `json:"ref,omitempty"`
}

// Validate checks that a link is empty or has a known kind and a reference.
func (e *EvidenceLink) Validate(field string) error {
	e.Ref = strings.TrimSpace(FoldWidth(e.Ref))
	if err := CheckLine(field+".ref", e.Ref); err != nil {
		return err
	}
	switch {
	case e.Kind == "" && e.Ref == "":
		return nil
	case e.Kind != LinkTube && e.Kind != LinkCase && e.Kind != LinkRound && e.Kind != LinkNotice:
		return FieldError(field+".kind", "unknown evidence kind %q (tube, case, round, notice)", e.Kind)
	case e.Ref == "" || len(e.Ref) > 100:
		return FieldError(field+".ref", "the evidence needs a reference of at most 100 characters")
	}
	return nil
}

// Zone is one period of one level on one node: from Start until End (zero
// while it is active). A node's history is its zones in order; a zone is
// never rewritten, only ended, and a change of level ends one zone and
// starts the next.
type Zone struct {
	ID      int64     `json:"id"`
	PlaceID int64     `json:"place_id"`
	Place   *Place    `json:"place,omitempty"` // filled by finders
	Level   ZoneLevel `json:"level"`
	Reason  string    `json:"reason"`
	// Evidence is what the decision rests on: a positive tube, a case.
	Evidence EvidenceLink `json:"evidence,omitzero"`
	// RuleID and RuleVersion are the rule of Level in force when the zone
	// started, so a later edit of the rules does not change what was
	// decided under them.
	RuleID      int64 `json:"rule_id"`
	RuleVersion int   `json:"rule_version"`
	// DecidedBy is who took the decision (a person or a command), which
	// may differ from RecordedBy, the login that entered it.
	DecidedBy  string    `json:"decided_by"`
	RecordedBy string    `json:"recorded_by"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end,omitzero"`
	EndedBy    string    `json:"ended_by,omitempty"`
	EndReason  string    `json:"end_reason,omitempty"`
	// PreviousID is the zone of the same node this one replaced (a step
	// down from sealed to controlled), 0 for a first zone.
	PreviousID int64 `json:"previous_id,omitempty"`
}

// Active reports whether the zone has not ended.
func (z *Zone) Active() bool { return z.End.IsZero() }

// Validate checks the fields a caller sets when putting a node into a zone.
func (z *Zone) Validate() error {
	if !z.Level.Valid() {
		return FieldError("level", "unknown zone level %q (sealed, controlled, precaution)", z.Level)
	}
	z.Reason = strings.TrimSpace(z.Reason)
	z.DecidedBy = CleanName(z.DecidedBy)
	if err := CheckText("reason", z.Reason); err != nil {
		return err
	}
	if err := CheckLine("decided_by", z.DecidedBy); err != nil {
		return err
	}
	if z.Reason == "" {
		return FieldError("reason", "a zone needs a reason")
	}
	if len([]rune(z.Reason)) > 500 {
		return FieldError("reason", "the reason is longer than 500 characters")
	}
	z.DecidedBy = CleanName(z.DecidedBy)
	if len([]rune(z.DecidedBy)) > 100 {
		return FieldError("decided_by", "decided_by is longer than 100 characters")
	}
	return z.Evidence.Validate("evidence")
}

// Effective returns the zone that decides the effective level of the node
// with the given materialized path: the strictest active zone on the node
// or one of its ancestors, nil when there is none. Among zones of the same
// level the one nearest the root wins, since it is the last to be lifted.
// active may hold zones anywhere; those off the path are ignored.
func Effective(path string, active []*Zone) *Zone {
	ids := PathIDs(path)
	var best *Zone
	bestDepth := 0
	for _, z := range active {
		depth := slices.Index(ids, z.PlaceID)
		if depth < 0 || !z.Active() {
			continue
		}
		if best == nil || z.Level.StricterThan(best.Level) || (z.Level == best.Level && depth < bestDepth) {
			best, bestDepth = z, depth
		}
	}
	return best
}

// EffectiveLevel returns the level of Effective, LevelNone without a zone.
func EffectiveLevel(path string, active []*Zone) ZoneLevel {
	if z := Effective(path, active); z != nil {
		return z.Level
	}
	return LevelNone
}

// ZoneStatus is the effective level of one node, with the zone that sets
// it and the rule of that level now in force: what every workflow asks
// before it acts (testing for the pool size, deliveries for door service,
// checkpoints for who may pass).
type ZoneStatus struct {
	PlaceID int64     `json:"place_id"`
	Level   ZoneLevel `json:"level"`
	// Zone is the deciding zone, on the node or an ancestor; nil for none.
	Zone *Zone `json:"zone,omitempty"`
	// Rule is the current rule of Level; nil for LevelNone.
	Rule *ZoneRule `json:"rule,omitempty"`
}

// ZoneFilter selects zones. Zero fields do not filter.
type ZoneFilter struct {
	ID      *int64
	PlaceID *int64     // zones drawn on this node
	Under   *int64     // zones drawn on this node or anywhere under it
	Level   *ZoneLevel // only this level
	Active  bool       // only zones that have not ended
	Offset  int
	Limit   int
}

// StepDown is the recorded human decision to lower or lift a zone.
type StepDown struct {
	// To is the new level, LevelNone to lift the zone; it must be looser
	// than the zone's level. Empty To with Lift false takes the rule's
	// target.
	To     ZoneLevel `json:"to"`
	Lift   bool      `json:"lift"`
	Reason string    `json:"reason"`
	// DecidedBy is who took the decision; the recording login by default.
	DecidedBy string `json:"decided_by"`
	// Override allows stepping down a zone the rules do not find eligible
	// yet; the reason must then say why.
	Override bool `json:"override"`
}

// ZoneService keeps zones, their rules and their evidence.
//
// Errors: ENOTFOUND for a node, zone or rule that does not exist or is
// outside the caller's scope; EFORBIDDEN without the permission the call
// needs (zones.manage to change zones, rules and evidence; registry.read
// to read levels and lists; reports.read for the board and step-down
// checks); EINVALID for a bad field or a node above a compound; ECONFLICT
// for a level the node already has, a step "down" that is not looser, or a
// step-down the rules do not allow yet without Override.
type ZoneService interface {
	// SetZone puts the node z.PlaceID into z.Level, ending the node's own
	// active zone, which must be looser (tightening). It returns the new
	// zone and what the node now holds: its households and vulnerable
	// residents, for the staff who must reach them at once.
	SetZone(ctx context.Context, z *Zone) (*Affected, error)
	// StepDownZone ends an active zone and, unless lifted, starts a looser
	// one on the same node.
	StepDownZone(ctx context.Context, zoneID int64, d StepDown) (*Zone, error)
	FindZoneByID(ctx context.Context, id int64) (*Zone, error)
	// FindZones returns matching zones, newest first, and the total.
	FindZones(ctx context.Context, f ZoneFilter) ([]*Zone, int, error)
	// ZoneTimeline returns the history of a node: the zones of the node
	// and its ancestors and the evidence at or under it, oldest first.
	ZoneTimeline(ctx context.Context, placeID int64) ([]*ZoneEvent, error)

	// EffectiveLevel returns the effective level of one node (a household,
	// building, anything), in one indexed query.
	EffectiveLevel(ctx context.Context, placeID int64) (*ZoneStatus, error)
	// EffectiveLevels does the same for many nodes at once; the map has
	// an entry per id asked for.
	EffectiveLevels(ctx context.Context, placeIDs []int64) (map[int64]*ZoneStatus, error)
	// Affected lists the households and vulnerable residents under a node.
	Affected(ctx context.Context, placeID int64) (*Affected, error)
	// ZoneBoard returns the node and its children with their effective
	// level and the households and residents under each by level.
	ZoneBoard(ctx context.Context, placeID int64) ([]*ZoneCount, error)

	// RecordEvidence adds a positive or a negative whole-area round.
	RecordEvidence(ctx context.Context, e *ZoneEvidence) error
	// StepDownChecks evaluates every active zone at or under the node
	// against its rule; eligible zones first.
	StepDownChecks(ctx context.Context, placeID int64) ([]*StepDownCheck, error)

	// ZoneRules returns the current rule of each level, strictest first.
	ZoneRules(ctx context.Context) ([]*ZoneRule, error)
	// ZoneRuleVersions returns every version of one level's rule, newest
	// first.
	ZoneRuleVersions(ctx context.Context, level ZoneLevel) ([]*ZoneRule, error)
	// FindZoneRuleByID returns one version of a rule.
	FindZoneRuleByID(ctx context.Context, id int64) (*ZoneRule, error)
	// UpdateZoneRule stores r as the next version of its level's rule; the
	// earlier versions are kept.
	UpdateZoneRule(ctx context.Context, r *ZoneRule) error
}
