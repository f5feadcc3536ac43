package web

import (
	"github.com/frontline-org/frontline"
)

// The zone and checkpoint DTOs embed the domain types, whose JSON tags
// already say what is shown, and replace what must be shown differently:
// places as placeJSON (without timestamps), phones masked. An outer field
// with the same JSON name hides the embedded one.

// zoneJSON is a zone with its node.
type zoneJSON struct {
	*frontline.Zone
	Place *placeJSON `json:"place,omitempty"`
}

func newZoneJSON(z *frontline.Zone) *zoneJSON {
	if z == nil {
		return nil
	}
	out := &zoneJSON{Zone: z}
	if z.Place != nil {
		p := newPlaceJSON(z.Place)
		out.Place = &p
	}
	return out
}

func zonesJSON(zs []*frontline.Zone) []*zoneJSON {
	out := make([]*zoneJSON, len(zs))
	for i, z := range zs {
		out[i] = newZoneJSON(z)
	}
	return out
}

// zoneStatusJSON is a node's effective level.
type zoneStatusJSON struct {
	*frontline.ZoneStatus
	Zone *zoneJSON `json:"zone,omitempty"`
}

func newZoneStatusJSON(st *frontline.ZoneStatus) zoneStatusJSON {
	return zoneStatusJSON{ZoneStatus: st, Zone: newZoneJSON(st.Zone)}
}

// affectedJSON is what sealing a node lists.
type affectedJSON struct {
	*frontline.Affected
	Place placeJSON `json:"place"`
	Zone  *zoneJSON `json:"zone,omitempty"`
}

func newAffectedJSON(a *frontline.Affected) affectedJSON {
	return affectedJSON{Affected: a, Place: newPlaceJSON(a.Place), Zone: newZoneJSON(a.Zone)}
}

// zoneCountJSON is one row of the zone board.
type zoneCountJSON struct {
	*frontline.ZoneCount
	Place placeJSON `json:"place"`
	Zone  *zoneJSON `json:"zone,omitempty"`
}

// stepDownJSON is one zone's step-down evaluation, with its grounds in
// the caller's language.
type stepDownJSON struct {
	*frontline.StepDownCheck
	Zone     *zoneJSON `json:"zone"`
	Messages []string  `json:"messages"`
}

// zoneEventJSON is one entry of a node's timeline.
type zoneEventJSON struct {
	*frontline.ZoneEvent
	Zone *zoneJSON `json:"zone,omitempty"`
}

// checkpointJSON is a checkpoint with its node, checklist and shifts.
type checkpointJSON struct {
	*frontline.Checkpoint
	Place  *placeJSON  `json:"place,omitempty"`
	Shifts []shiftJSON `json:"shifts,omitempty"`
}

func newCheckpointJSON(c *frontline.Checkpoint) checkpointJSON {
	out := checkpointJSON{Checkpoint: c, Shifts: shiftsJSON(c.Shifts)}
	if c.Place != nil {
		p := newPlaceJSON(c.Place)
		out.Place = &p
	}
	if len(c.Shifts) == 0 {
		out.Shifts = nil
	}
	return out
}

// passageJSON is a passage with a visitor's phone masked and the grounds
// of a refusal in the caller's language.
type passageJSON struct {
	*frontline.Passage
	Phone    string   `json:"phone,omitempty"` // masked
	Messages []string `json:"messages"`
}
