package web

import (
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// visitInput is the body of POST /api/v1/campaigns/{id}/visits. ClientID
// is the UUID the phone gave the visit when it was recorded; a resend
// carries the same one and is answered with the visit first recorded.
type visitInput struct {
	ClientID    string             `json:"client_id"`
	HouseholdID int64              `json:"household_id"`
	Outcome     string             `json:"outcome"`
	Note        string             `json:"note"`
	VisitedAt   time.Time          `json:"visited_at"`
	Persons     []visitPersonInput `json:"persons"`
}

// visitPersonInput is one person of a visit: a registered person_id, or a
// new person found at the door.
type visitPersonInput struct {
	PersonID    int64             `json:"person_id"`
	New         *newPersonInput   `json:"new"`
	Present     bool              `json:"present"`
	Travel      *frontline.Travel `json:"travel"`
	Health      string            `json:"health"`
	Temperature float64           `json:"temperature"`
}

// newPersonInput describes a person not in the registry.
type newPersonInput struct {
	Name      string `json:"name"`
	IDType    string `json:"id_type"`
	IDNumber  string `json:"id_number"`
	Phone     string `json:"phone"`
	Sex       string `json:"sex"`
	BirthDate string `json:"birth_date"`
	Relation  string `json:"relation"`
}

func (in visitInput) visit(campaignID int64) *frontline.Visit {
	v := &frontline.Visit{CampaignID: campaignID, HouseholdID: in.HouseholdID, ClientID: in.ClientID,
		Outcome: frontline.Outcome(in.Outcome), Note: in.Note, VisitedAt: in.VisitedAt}
	for _, p := range in.Persons {
		vp := frontline.VisitPerson{PersonID: p.PersonID, Present: p.Present, Travel: p.Travel,
			Health: frontline.HealthState(p.Health), Temperature: p.Temperature}
		if n := p.New; n != nil {
			vp.New = &frontline.Person{Name: n.Name, IDType: frontline.IDType(n.IDType), IDNumber: n.IDNumber, Phone: n.Phone,
				Sex: frontline.Sex(n.Sex), BirthDate: n.BirthDate, Relation: frontline.Relation(n.Relation)}
		}
		v.Persons = append(v.Persons, vp)
	}
	return v
}

// visitResponse is the answer to a visit: 201 when recorded, 200 with
// duplicate set when it had been recorded before.
type visitResponse struct {
	Visit     *frontline.Visit `json:"visit"`
	Duplicate bool             `json:"duplicate"`
}

func (s *Server) apiRecordVisit(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in visitInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	v := in.visit(id)
	if err := s.Visits.RecordVisit(r.Context(), v); err != nil {
		return err
	}
	for i := range v.Persons {
		v.Persons[i].New = nil // the person is in the registry now; no full numbers go back
	}
	status := http.StatusCreated
	if v.Duplicate {
		status = http.StatusOK
	}
	return writeJSON(w, status, visitResponse{Visit: v, Duplicate: v.Duplicate})
}

// visitsResponse is the body of GET .../households/{hid}/visits.
type visitsResponse struct {
	Visits []*frontline.Visit `json:"visits"`
}

func (s *Server) apiVisits(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, hid := q.pathID("id"), q.pathID("hid")
	if err := q.check(); err != nil {
		return err
	}
	vs, err := s.Visits.FindVisits(r.Context(), id, hid)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []*frontline.Visit{}
	}
	return writeJSON(w, http.StatusOK, visitsResponse{Visits: vs})
}

// coverageJSON is a node's counters with the derived figures.
type coverageJSON struct {
	frontline.Coverage
	Pending int `json:"pending"`
	Excused int `json:"excused"`
}

func newCoverageJSON(c *frontline.Coverage) coverageJSON {
	return coverageJSON{Coverage: *c, Pending: c.Pending(), Excused: c.Excused()}
}

// coverageResponse is the body of GET .../coverage: the node and each of
// its children; the children add up to the node.
type coverageResponse struct {
	Node     coverageJSON   `json:"node"`
	Children []coverageJSON `json:"children"`
}

// apiCoverage returns the counters of place= (default: the caller's part
// of the campaign) and its children.
func (s *Server) apiCoverage(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	top, kids, err := s.Campaigns.Coverage(r.Context(), id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	out := coverageResponse{Node: newCoverageJSON(top), Children: make([]coverageJSON, len(kids))}
	for i, k := range kids {
		out.Children[i] = newCoverageJSON(k)
	}
	return writeJSON(w, http.StatusOK, out)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// gapJSON is one door not reached, with its wait in minutes.
type gapJSON struct {
	*frontline.Gap
	WaitingMinutes int64 `json:"waiting_minutes"`
}

// gapsResponse is the body of GET .../gaps.
type gapsResponse struct {
	Gaps []gapJSON `json:"gaps"`
	listJSON
}

// apiGaps returns the doors not reached under place=, in walking order.
func (s *Server) apiGaps(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	f := memberFilter(r, q)
	pg := q.page()
	if err := q.check(); err != nil {
		return err
	}
	f.Limit, f.Offset = pg.Limit, pg.Offset
	gaps, total, err := s.Campaigns.Gaps(r.Context(), id, deref(place), f)
	if err != nil {
		return notFoundIn(err, "place")
	}
	out := gapsResponse{Gaps: make([]gapJSON, len(gaps)), listJSON: listJSON{Total: total, page: pg}}
	for i, g := range gaps {
		out.Gaps[i] = gapJSON{Gap: g, WaitingMinutes: int64(g.Waiting / time.Minute)}
	}
	return writeJSON(w, http.StatusOK, out)
}

// byAssigneeResponse is the body of GET .../gaps/by-assignee.
type byAssigneeResponse struct {
	Assignees []*frontline.AssigneeGaps `json:"assignees"`
}

func (s *Server) apiGapsByAssignee(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id, place := q.pathID("id"), q.id("place")
	if err := q.check(); err != nil {
		return err
	}
	as, err := s.Campaigns.GapsByAssignee(r.Context(), id, deref(place))
	if err != nil {
		return notFoundIn(err, "place")
	}
	if as == nil {
		as = []*frontline.AssigneeGaps{}
	}
	return writeJSON(w, http.StatusOK, byAssigneeResponse{Assignees: as})
}
