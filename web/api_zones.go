package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/frontline-org/frontline"
)

// zonesResponse is the body of GET /api/v1/zones.
type zonesResponse struct {
	Zones []*zoneJSON `json:"zones"`
	listJSON
}

// apiZones lists zones under a node or on one node, newest first;
// active=true keeps those in force.
func (s *Server) apiZones(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.ZoneFilter{Under: q.id("under"), PlaceID: q.id("place_id"), Active: q.boolean("active")}
	if l := q.text("level"); l != nil {
		level := frontline.ZoneLevel(*l)
		f.Level = &level
	}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	zones, total, err := s.Zones.FindZones(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, zonesResponse{Zones: zonesJSON(zones), listJSON: listJSON{Total: total, page: pg}})
}

// zoneInput is the body of POST /api/v1/zones.
type zoneInput struct {
	PlaceID   int64                  `json:"place_id"`
	Level     frontline.ZoneLevel    `json:"level"`
	Reason    string                 `json:"reason"`
	Evidence  frontline.EvidenceLink `json:"evidence"`
	DecidedBy string                 `json:"decided_by"`
}

// apiSetZone puts a node into a zone and answers 201 with what it holds:
// its households and vulnerable residents, to be reached at once.
func (s *Server) apiSetZone(w http.ResponseWriter, r *http.Request) error {
	var in zoneInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.Zones.SetZone(r.Context(), &frontline.Zone{PlaceID: in.PlaceID, Level: in.Level, Reason: in.Reason,
		Evidence: in.Evidence, DecidedBy: in.DecidedBy})
	if err != nil {
		return notFoundIn(err, "place_id")
	}
	return writeJSON(w, http.StatusCreated, newAffectedJSON(a))
}

// apiZone returns one zone.
func (s *Server) apiZone(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	z, err := s.Zones.FindZoneByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"zone": newZoneJSON(z)})
}

// apiStepDown records the decision to step a zone down or lift it, and
// answers with the zone that follows (or the ended one when lifted).
func (s *Server) apiStepDown(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var d frontline.StepDown
	if err := decodeJSON(r, &d); err != nil {
		return err
	}
	z, err := s.Zones.StepDownZone(r.Context(), id, d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"zone": newZoneJSON(z)})
}

// maxLevelIDs bounds one batch of effective-level lookups.
const maxLevelIDs = 1000

// apiZoneLevels returns the effective level of many nodes at once:
// ?ids=1,2,3 (at most 1000), for workflows that act on many households.
func (s *Server) apiZoneLevels(w http.ResponseWriter, r *http.Request) error {
	raw := strings.Split(r.URL.Query().Get("ids"), ",")
	ids := make([]int64, 0, len(raw))
	for _, v := range raw {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			return frontline.FieldError("ids", "ids is a comma-separated list of node ids")
		}
		ids = append(ids, id)
	}
	if len(ids) > maxLevelIDs {
		return frontline.FieldError("ids", "at most %d ids at once", maxLevelIDs)
	}
	levels, err := s.Zones.EffectiveLevels(r.Context(), ids)
	if err != nil {
		return notFoundIn(err, "ids")
	}
	out := make(map[string]zoneStatusJSON, len(levels))
	for id, st := range levels {
		out[strconv.FormatInt(id, 10)] = newZoneStatusJSON(st)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"levels": out})
}

// apiPlaceZone returns a node's effective level, the zone that sets it
// and the rule in force.
func (s *Server) apiPlaceZone(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	st, err := s.Zones.EffectiveLevel(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newZoneStatusJSON(st))
}

// apiZoneHistory returns a node's timeline, oldest first.
func (s *Server) apiZoneHistory(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	events, err := s.Zones.ZoneTimeline(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]zoneEventJSON, len(events))
	for i, ev := range events {
		out[i] = zoneEventJSON{ZoneEvent: ev, Zone: newZoneJSON(ev.Zone)}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": out})
}

// apiAffected lists the households and vulnerable residents under a node.
func (s *Server) apiAffected(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	a, err := s.Zones.Affected(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAffectedJSON(a))
}

// apiZoneBoard returns a node and its children with their effective
// levels and counts by level.
func (s *Server) apiZoneBoard(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	rows, err := s.Zones.ZoneBoard(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]zoneCountJSON, len(rows))
	for i, c := range rows {
		out[i] = zoneCountJSON{ZoneCount: c, Place: newPlaceJSON(c.Place), Zone: newZoneJSON(c.Zone)}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rows": out})
}

// apiStepDowns evaluates every zone in force under ?under= (the caller's
// scope by default), eligible ones first, with the grounds in words.
func (s *Server) apiStepDowns(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	under := q.id("under")
	if err := q.check(); err != nil {
		return err
	}
	checks, err := s.Zones.StepDownChecks(r.Context(), s.placeOrScope(r, under))
	if err != nil {
		return notFoundIn(err, "under")
	}
	out, err := s.stepDownsJSON(langOf(r), checks)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"checks": out})
}

func (s *Server) stepDownsJSON(lang string, checks []*frontline.StepDownCheck) ([]stepDownJSON, error) {
	out := make([]stepDownJSON, len(checks))
	for i, c := range checks {
		msgs, err := s.reasonTexts(lang, c.Reasons)
		if err != nil {
			return nil, err
		}
		out[i] = stepDownJSON{StepDownCheck: c, Zone: newZoneJSON(c.Zone), Messages: msgs}
	}
	return out, nil
}

// placeOrScope returns id, or the caller's scope node without one.
func (s *Server) placeOrScope(r *http.Request, id *int64) int64 {
	if id != nil {
		return *id
	}
	if c := callerFrom(r.Context()); c != nil {
		return c.principal.ScopeID
	}
	return 0
}

// apiRecordEvidence records a positive or a negative whole-area round.
func (s *Server) apiRecordEvidence(w http.ResponseWriter, r *http.Request) error {
	var e frontline.ZoneEvidence
	if err := decodeJSON(r, &e); err != nil {
		return err
	}
	e.ID, e.RecordedBy, e.Place = 0, "", nil
	if err := s.Zones.RecordEvidence(r.Context(), &e); err != nil {
		return notFoundIn(err, "place_id")
	}
	e.Place = nil
	return writeJSON(w, http.StatusCreated, map[string]any{"evidence": e})
}

// apiZoneRules returns the current rule of each level.
func (s *Server) apiZoneRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Zones.ZoneRules(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
}

// apiZoneRuleVersions returns every version of one level's rule.
func (s *Server) apiZoneRuleVersions(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Zones.ZoneRuleVersions(r.Context(), frontline.ZoneLevel(r.PathValue("level")))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
}

// apiUpdateZoneRule stores the body as the next version of its level's
// rule and answers 201 with it.
func (s *Server) apiUpdateZoneRule(w http.ResponseWriter, r *http.Request) error {
	var rule frontline.ZoneRule
	if err := decodeJSON(r, &rule); err != nil {
		return err
	}
	if err := s.Zones.UpdateZoneRule(r.Context(), &rule); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"rule": rule})
}
