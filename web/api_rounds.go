package web

import (
	"context"
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// roundsResponse is the body of GET /api/v1/rounds.
type roundsResponse struct {
	Rounds []*frontline.Round `json:"rounds"`
	listJSON
}

// apiRounds lists the rounds the caller may see, newest first.
func (s *Server) apiRounds(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	under := q.id("under")
	pg := q.page()
	var status *frontline.RoundStatus
	if v := q.text("status"); v != nil {
		st := frontline.RoundStatus(*v)
		status = &st
	}
	if err := q.check(); err != nil {
		return err
	}
	rounds, total, err := s.Rounds.FindRounds(r.Context(), frontline.RoundFilter{Under: under, Status: status, Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, roundsResponse{Rounds: rounds, listJSON: listJSON{Total: total, page: pg}})
}

// roundInput is the body that creates or changes a round.
type roundInput struct {
	ScopeID  int64                `json:"scope_id"`
	Name     *string              `json:"name"`
	TestType *string              `json:"test_type"`
	Day      string               `json:"day"`
	StartsAt *time.Time           `json:"starts_at"`
	EndsAt   *time.Time           `json:"ends_at"`
	Policy   frontline.PoolPolicy `json:"pool_policy"`
}

// apiCreateRound plans a round as a draft and answers 201 with it.
func (s *Server) apiCreateRound(w http.ResponseWriter, r *http.Request) error {
	var in roundInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	round := &frontline.Round{ScopeID: in.ScopeID, Day: in.Day, Policy: in.Policy}
	if in.Name != nil {
		round.Name = *in.Name
	}
	if in.TestType != nil {
		round.TestType = *in.TestType
	}
	if in.StartsAt != nil {
		round.StartsAt = *in.StartsAt
	}
	if in.EndsAt != nil {
		round.EndsAt = *in.EndsAt
	}
	if err := s.Rounds.CreateRound(r.Context(), round); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"round": round})
}

// apiRound returns one round.
func (s *Server) apiRound(w http.ResponseWriter, r *http.Request) error {
	round, err := s.pathRound(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"round": round})
}

// pathRound returns the round named by the path's {id}.
func (s *Server) pathRound(r *http.Request) (*frontline.Round, error) {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return nil, err
	}
	return s.Rounds.FindRoundByID(r.Context(), id)
}

// apiUpdateRound changes a round's name, test type, hours or pool policy.
func (s *Server) apiUpdateRound(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in roundInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	round, err := s.Rounds.UpdateRound(r.Context(), id, frontline.RoundUpdate{Name: in.Name, TestType: in.TestType,
		StartsAt: in.StartsAt, EndsAt: in.EndsAt, Policy: in.Policy})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"round": round})
}

// apiOpenRound freezes the round's denominator.
func (s *Server) apiOpenRound(w http.ResponseWriter, r *http.Request) error {
	return s.roundAction(w, r, s.Rounds.OpenRound)
}

// apiCloseRound ends sampling in a round.
func (s *Server) apiCloseRound(w http.ResponseWriter, r *http.Request) error {
	return s.roundAction(w, r, s.Rounds.CloseRound)
}

// apiDeleteRound deletes a draft round (RoundService.DeleteRound).
func (s *Server) apiDeleteRound(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Rounds.DeleteRound(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) roundAction(w http.ResponseWriter, r *http.Request, act func(ctx context.Context, id int64) (*frontline.Round, error)) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	round, err := act(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"round": round})
}

// apiAddMember adds a person who moved in after the round opened.
func (s *Server) apiAddMember(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		PersonID int64 `json:"person_id"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Rounds.AddMember(r.Context(), id, in.PersonID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"member": m})
}

// apiMember returns one person's standing in a round.
func (s *Server) apiMember(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, pid := q.pathID("id"), q.pathID("pid")
	if err := q.check(); err != nil {
		return err
	}
	m, err := s.Rounds.FindMember(r.Context(), id, pid)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"member": m})
}

// apiExcuse excuses a person with a reason; the caller is recorded.
func (s *Server) apiExcuse(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in frontline.Excusal
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	m, err := s.Rounds.Excuse(r.Context(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"member": m})
}

// apiUnexcuse makes an excused person pending again.
func (s *Server) apiUnexcuse(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, pid := q.pathID("id"), q.pathID("pid")
	if err := q.check(); err != nil {
		return err
	}
	m, err := s.Rounds.Unexcuse(r.Context(), id, pid)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"member": m})
}

// apiSites lists a round's sites.
func (s *Server) apiSites(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	sites, err := s.Sites.FindSites(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"sites": sites})
}

// apiCreateSite adds a sampling site to a round.
func (s *Server) apiCreateSite(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var site frontline.Site
	if err := decodeJSON(r, &site); err != nil {
		return err
	}
	site.RoundID, site.ID, site.Stations = id, 0, 0
	if err := s.Sites.CreateSite(r.Context(), &site); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"site": site})
}

// apiStations lists a round's stations.
func (s *Server) apiStations(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	st, err := s.Sites.FindStations(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"stations": st})
}

// apiCreateStation adds a station to a site and answers with its device
// token's secret, shown this once.
func (s *Server) apiCreateStation(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var st frontline.Station
	if err := decodeJSON(r, &st); err != nil {
		return err
	}
	st.SiteID, st.ID, st.TokenID = id, 0, 0
	secret, err := s.Sites.CreateStation(r.Context(), &st)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"station": st, "token": secret})
}

// planInput is the body of PUT /api/v1/rounds/{id}/plan.
type planInput struct {
	Slots    []frontline.Slot       `json:"slots"`
	Settings frontline.PlanSettings `json:"settings"`
}

// apiPlan proposes a call-up plan with the settings in the query.
func (s *Server) apiPlan(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	settings := frontline.PlanSettings{
		PerStation:       q.number("per_station", 0, 0, 10000),
		QueueMinutes:     q.number("queue_minutes", 0, 0, 600),
		SecondsPerPerson: q.number("seconds_per_person", 0, 0, 600),
	}
	if err := q.check(); err != nil {
		return err
	}
	plan, err := s.Sites.PlanSlots(r.Context(), id, settings)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plan": plan})
}

// apiSavePlan saves a plan; its call-up notices go into the outbox in
// the same transaction.
func (s *Server) apiSavePlan(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in planInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.Sites.SaveSlots(r.Context(), id, in.Slots, in.Settings)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"slots": len(in.Slots), "notices": n})
}

// apiSlots returns a round's saved plan.
func (s *Server) apiSlots(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	slots, err := s.Sites.FindSlots(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"slots": slots})
}

// apiNotices lists notices; ?status=dead is the dead-letter list.
func (s *Server) apiNotices(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	round := q.id("round")
	pg := q.page()
	var status *frontline.NoticeStatus
	if v := q.text("status"); v != nil {
		st := frontline.NoticeStatus(*v)
		status = &st
	}
	if err := q.check(); err != nil {
		return err
	}
	list, total, err := s.Outbox.FindNotices(r.Context(), frontline.NoticeFilter{Status: status, RoundID: round, Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notices": list, "total": total, "limit": pg.Limit, "offset": pg.Offset})
}

// apiRequeueNotice sends a dead notice again.
func (s *Server) apiRequeueNotice(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	if err := s.Outbox.RequeueNotice(r.Context(), id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"requeued": id})
}
