package web

import (
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// campaignInput is the body of POST /api/v1/campaigns.
type campaignInput struct {
	Name         string    `json:"name"`
	ScopeID      int64     `json:"scope_id"`
	ArrivedSince string    `json:"arrived_since"`
	MinLevel     string    `json:"min_level"`
	Deadline     time.Time `json:"deadline"`
	Cutoff       string    `json:"cutoff"`
}

func (in campaignInput) campaign() *frontline.Campaign {
	return &frontline.Campaign{Name: in.Name, ScopeID: in.ScopeID, Deadline: in.Deadline, Cutoff: in.Cutoff,
		Question: frontline.Question{ArrivedSince: in.ArrivedSince, MinLevel: frontline.RiskLevel(in.MinLevel)}}
}

// campaignResponse is the body of one campaign.
type campaignResponse struct {
	Campaign *frontline.Campaign `json:"campaign"`
}

// campaignsResponse is the body of GET /api/v1/campaigns.
type campaignsResponse struct {
	Campaigns []*frontline.Campaign `json:"campaigns"`
	listJSON
}

func (s *Server) apiCampaigns(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	f := frontline.CampaignFilter{Under: q.id("under")}
	if st := q.text("status"); st != nil {
		f.Status = ptr(frontline.CampaignStatus(*st))
	}
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	cs, total, err := s.Campaigns.FindCampaigns(r.Context(), f)
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, campaignsResponse{Campaigns: cs, listJSON: listJSON{Total: total, page: pg}})
}

// apiOpenCampaign opens a campaign, freezing its households, and answers
// 201 with it.
func (s *Server) apiOpenCampaign(w http.ResponseWriter, r *http.Request) error {
	var in campaignInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := in.campaign()
	if err := s.Campaigns.OpenCampaign(r.Context(), c); err != nil {
		return notFoundIn(err, "scope_id")
	}
	return writeJSON(w, http.StatusCreated, campaignResponse{Campaign: c})
}

func (s *Server) apiCampaign(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	c, err := s.Campaigns.FindCampaignByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, campaignResponse{Campaign: c})
}

// apiCloseCampaign closes a campaign; while households lack a final
// status it answers 409 saying how many and where.
func (s *Server) apiCloseCampaign(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	c, err := s.Campaigns.CloseCampaign(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, campaignResponse{Campaign: c})
}

// membersResponse is the body of GET /api/v1/campaigns/{id}/households.
type membersResponse struct {
	Households []*frontline.CampaignMember `json:"households"`
	listJSON
}

// memberFilter reads under=, assignee= (an id, or "me"), team=,
// household= and pending=1.
func memberFilter(r *http.Request, q *params) frontline.CampaignMemberFilter {
	f := frontline.CampaignMemberFilter{Under: q.id("under"), TeamID: q.id("team"), HouseholdID: q.id("household"),
		OnlyPending: q.boolean("pending")}
	if q.query.Get("assignee") == "me" {
		if c := callerFrom(r.Context()); c != nil {
			f.Assignee = ptr(c.principal.UserID)
		}
	} else {
		f.Assignee = q.id("assignee")
	}
	return f
}

func (s *Server) apiMembers(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	f := memberFilter(r, q)
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	ms, total, err := s.Campaigns.FindMembers(r.Context(), id, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, membersResponse{Households: ms, listJSON: listJSON{Total: total, page: pg}})
}

// householdsInput is the body of POST .../households.
type householdsInput struct {
	HouseholdIDs []int64 `json:"household_ids"`
}

// countResponse says how many households a change touched.
type countResponse struct {
	Households int `json:"households"`
}

// apiAddHouseholds adds households created after the opening to the
// denominator, recording who and when.
func (s *Server) apiAddHouseholds(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in householdsInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.Campaigns.AddHouseholds(r.Context(), id, in.HouseholdIDs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, countResponse{Households: n})
}

// newHouseholdsResponse lists households not yet in the denominator.
type newHouseholdsResponse struct {
	Households []placeJSON `json:"households"`
}

func (s *Server) apiNewHouseholds(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	hs, err := s.Campaigns.NewHouseholds(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newHouseholdsResponse{Households: placesJSON(hs)})
}

// assignInput is the body of POST .../assign: households by id, or all
// under a node, to one user or one team.
type assignInput struct {
	HouseholdIDs []int64 `json:"household_ids"`
	Under        int64   `json:"under"`
	UserID       int64   `json:"user_id"`
	TeamID       int64   `json:"team_id"`
}

func (s *Server) apiAssign(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in assignInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	n, err := s.Campaigns.Assign(r.Context(), id, in.HouseholdIDs, in.Under, frontline.Assignee{UserID: in.UserID, TeamID: in.TeamID})
	if err != nil {
		return notFoundIn(err, "under")
	}
	return writeJSON(w, http.StatusOK, countResponse{Households: n})
}

// teamsResponse is the body of GET .../teams.
type teamsResponse struct {
	Teams []*frontline.Team `json:"teams"`
}

func (s *Server) apiTeams(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	ts, err := s.Campaigns.FindTeams(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, teamsResponse{Teams: ts})
}

// teamInput is the body of POST .../teams.
type teamInput struct {
	Name    string  `json:"name"`
	Members []int64 `json:"members"`
}

func (s *Server) apiCreateTeam(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in teamInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t := &frontline.Team{CampaignID: id, Name: in.Name, Members: in.Members}
	if err := s.Campaigns.CreateTeam(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, teamsResponse{Teams: []*frontline.Team{t}})
}
