package frontline

import (
	"context"
	"time"
)

// RestrictionKind is what restricts a person now.
type RestrictionKind string

// Restriction kinds, from the strictest.
const (
	// RestrictCase: the person is a confirmed case not yet in a facility.
	RestrictCase RestrictionKind = "case"
	// RestrictTransfer: a transfer of the person is under way.
	RestrictTransfer RestrictionKind = "transfer"
	// RestrictCentral: centralised isolation, while still at home (the
	// transfer is under way) or back home by mistake.
	RestrictCentral RestrictionKind = "central_isolation"
	// RestrictIsolation: home isolation.
	RestrictIsolation RestrictionKind = "home_isolation"
	// RestrictRetest: in a positive pool, awaiting the single re-test: at
	// home for the time being (FIELD.md).
	RestrictRetest RestrictionKind = "awaiting_retest"
	// RestrictMonitoring: home health monitoring.
	RestrictMonitoring RestrictionKind = "health_monitoring"
)

// RestrictionKinds lists the kinds from the strictest.
var RestrictionKinds = []RestrictionKind{RestrictCase, RestrictTransfer, RestrictCentral, RestrictIsolation, RestrictRetest, RestrictMonitoring}

// Activity is something a workflow is about to let a person do.
type Activity string

// Activities the workflows ask about.
const (
	ActLeave    Activity = "leave"     // go out through a checkpoint
	ActCallDown Activity = "call_down" // be called down to a sampling site
	ActStation  Activity = "station"   // be sampled at a site's station
	ActFront    Activity = "front"     // take a delivery at the building front (not at the door)
)

// Activities lists every activity.
var Activities = []Activity{ActLeave, ActCallDown, ActStation, ActFront}

// Effect is what a restriction does to an activity.
type Effect string

// Effects, from the mildest.
const (
	EffectAllow  Effect = "allow"  // nothing to say
	EffectNote   Effect = "note"   // allowed, with a note staff read (health monitoring at a gate)
	EffectRefuse Effect = "refuse" // not allowed; the workflow refuses, or serves at the door instead
)

// strictness orders effects.
func (e Effect) strictness() int {
	switch e {
	case EffectNote:
		return 1
	case EffectRefuse:
		return 2
	}
	return 0
}

// RestrictionPolicy is what each kind forbids: a setting, since the
// rules changed as often as the measures did. A kind or activity missing
// from the policy refuses: a gap fails closed.
type RestrictionPolicy map[RestrictionKind]map[Activity]Effect

// DefaultRestrictionPolicy is the 2022 practice: a case, a transfer under
// way, centralised or home isolation and a pool awaiting its re-test keep
// the person at home — no gate lets them out, no call-up calls them down,
// no station samples them (the home sampling team does), deliveries come
// to the door; health monitoring lets them out with a note at the gate
// and a note at the station.
func DefaultRestrictionPolicy() RestrictionPolicy {
	home := map[Activity]Effect{ActLeave: EffectRefuse, ActCallDown: EffectRefuse, ActStation: EffectRefuse, ActFront: EffectRefuse}
	p := RestrictionPolicy{}
	for _, k := range []RestrictionKind{RestrictCase, RestrictTransfer, RestrictCentral, RestrictIsolation, RestrictRetest} {
		p[k] = home
	}
	p[RestrictMonitoring] = map[Activity]Effect{ActLeave: EffectNote, ActCallDown: EffectAllow, ActStation: EffectNote, ActFront: EffectAllow}
	return p
}

// Effect returns what kind k does to activity a.
func (p RestrictionPolicy) Effect(k RestrictionKind, a Activity) Effect {
	e, ok := p[k][a]
	if !ok {
		return EffectRefuse
	}
	return e
}

// Restriction is one thing that restricts a person now, and what it is:
// the case, measure or transfer (SourceID), from when until when.
type Restriction struct {
	Kind RestrictionKind `json:"kind"`
	// Source names the record: "case", "measure", "transfer", "round".
	Source   string    `json:"source"`
	SourceID int64     `json:"source_id"`
	Since    time.Time `json:"since"`
	// Until is the last day of a measure ("" for open-ended).
	Until string `json:"until,omitempty"`
}

// Restrictions are what restricts one person now, strictest first. A
// person with none has an entry with no Items.
type Restrictions struct {
	PersonID int64         `json:"person_id"`
	Items    []Restriction `json:"items"`
	// Permits are what lets the person through a gate that their zone or
	// their restrictions would otherwise keep them from: a hospital trip
	// on now (help.go).
	Permits []Permit `json:"permits,omitempty"`
}

// Permit is one thing that lets a person pass: a hospital trip of a help
// request, from TripLead before its planned departure until it is back.
type Permit struct {
	Source   string    `json:"source"` // "help_trip"
	SourceID int64     `json:"source_id"`
	Since    time.Time `json:"since"` // the planned departure
}

// Trip returns the hospital trip on now, nil for none.
func (rs *Restrictions) Trip() *Permit {
	if rs == nil {
		return nil
	}
	for i := range rs.Permits {
		if rs.Permits[i].Source == "help_trip" {
			return &rs.Permits[i]
		}
	}
	return nil
}

// RestrictionDecision is what the restrictions do to one activity: the strictest
// effect, and the restriction that decided it (nil when allowed).
type RestrictionDecision struct {
	Effect Effect       `json:"effect"`
	By     *Restriction `json:"by,omitempty"`
}

// Decide returns what rs does to activity a under policy p: the strictest
// effect of any item, and the first item that has it.
func (rs *Restrictions) Decide(a Activity, p RestrictionPolicy) RestrictionDecision {
	d := RestrictionDecision{Effect: EffectAllow}
	if rs == nil {
		return d
	}
	for i := range rs.Items {
		if e := p.Effect(rs.Items[i].Kind, a); e.strictness() > d.Effect.strictness() {
			d = RestrictionDecision{Effect: e, By: &rs.Items[i]}
		}
	}
	return d
}

// Strictest returns the strictest item, nil for none.
func (rs *Restrictions) Strictest() *Restriction {
	if rs == nil || len(rs.Items) == 0 {
		return nil
	}
	return &rs.Items[0]
}

// SortRestrictions orders items strictest first, then oldest first.
func SortRestrictions(items []Restriction) {
	rank := func(k RestrictionKind) int {
		for i, o := range RestrictionKinds {
			if o == k {
				return i
			}
		}
		return len(RestrictionKinds)
	}
	for i := 1; i < len(items); i++ {
		for j := i; j > 0; j-- {
			a, b := items[j-1], items[j]
			if rank(a.Kind) < rank(b.Kind) || (rank(a.Kind) == rank(b.Kind) && !a.Since.After(b.Since)) {
				break
			}
			items[j-1], items[j] = b, a
		}
	}
}

// RestrictionService answers a person's restrictions now: the one call
// that every workflow asks before it lets a person out of a gate, calls
// them down, samples them at a station or delivers to the building front,
// shaped like ZoneService.EffectiveLevels. It reads the measures, cases,
// transfers and pool re-tests of the persons asked about, so no workflow
// reads another's tables.
//
// Errors: EFORBIDDEN without registry.read (or checkpoints.log or
// sampling, whose staff ask it at the gate and the table).
type RestrictionService interface {
	// Restrictions returns the restrictions of each person asked about,
	// in one query; the map has an entry per id.
	Restrictions(ctx context.Context, personIDs []int64) (map[int64]*Restrictions, error)
	// Households returns, of the households asked about, the strictest
	// restriction now of any of their residents (not those moved out),
	// from the same answer: a member in home isolation or a case keeps
	// the door shut to whoever calls (a screener, a vulnerable resident's
	// contact). Households with none are left out.
	Households(ctx context.Context, householdIDs []int64) (map[int64]*Restriction, error)
	// Policy returns what each kind forbids.
	Policy() RestrictionPolicy
}
