package web

import (
	"net/http"
	"time"

	"github.com/frontline-org/frontline"
)

// apiHelpList lists the requests under a node (?place=, the caller's
// scope by default): open ones by deadline; ?all=1 adds resolved ones.
func (s *Server) apiHelpList(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	place, err := s.workforcePlace(r.Context(), q)
	if err != nil {
		return err
	}
	all, pg := q.boolean("all"), q.page()
	if err := q.check(); err != nil {
		return err
	}
	list, total, err := s.Help.FindHelp(r.Context(), frontline.HelpFilter{Under: &place.ID, Open: !all, Offset: pg.Offset, Limit: pg.Limit})
	if err != nil {
		return err
	}
	if list == nil {
		list = []*frontline.HelpRequest{}
	}
	return writeJSON(w, http.StatusOK, struct {
		Requests []*frontline.HelpRequest `json:"requests"`
		Total    int                      `json:"total"`
		Page     page                     `json:"page"`
	}{list, total, pg})
}

// helpInput is a request raised through the API; key makes a retry act
// once.
type helpInput struct {
	HouseholdID int64  `json:"household_id"`
	PersonID    int64  `json:"person_id"`
	Category    string `json:"category"`
	Need        string `json:"need"`
	Phone       string `json:"phone"`
	Key         string `json:"key"`
}

// apiHelpRaise raises a request for a household of the caller's scope.
func (s *Server) apiHelpRaise(w http.ResponseWriter, r *http.Request) error {
	var in helpInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h, err := s.Help.RaiseHelp(r.Context(), &frontline.HelpRequest{HouseholdID: in.HouseholdID, PersonID: in.PersonID,
		Category: frontline.HelpCategory(in.Category), Need: in.Need, Phone: in.Phone, Key: in.Key})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, struct {
		Request *frontline.HelpRequest `json:"request"`
	}{h})
}

// apiHelpGet returns one request with its trips.
func (s *Server) apiHelpGet(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	h, err := s.Help.FindHelpByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Request *frontline.HelpRequest `json:"request"`
	}{h})
}

// apiHelpAck takes a request on in the caller's name.
func (s *Server) apiHelpAck(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	h, err := s.Help.AcknowledgeHelp(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Request *frontline.HelpRequest `json:"request"`
	}{h})
}

// apiHelpResolve closes a request with its outcome.
func (s *Server) apiHelpResolve(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		Outcome string `json:"outcome"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	h, err := s.Help.ResolveHelp(r.Context(), id, in.Outcome)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Request *frontline.HelpRequest `json:"request"`
	}{h})
}

// tripInput is a hospital trip planned through the API.
type tripInput struct {
	PersonID int64     `json:"person_id"`
	Plate    string    `json:"plate"`
	DriverID int64     `json:"driver_id"`
	Hospital string    `json:"hospital"`
	LeaveAt  time.Time `json:"leave_at"`
	Note     string    `json:"note"`
}

// apiHelpTrip plans a hospital trip for a request.
func (s *Server) apiHelpTrip(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in tripInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := s.Help.PlanTrip(r.Context(), &frontline.HelpTrip{RequestID: id, PersonID: in.PersonID, Plate: in.Plate,
		DriverID: in.DriverID, Hospital: in.Hospital, LeaveAt: in.LeaveAt, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, struct {
		Trip *frontline.HelpTrip `json:"trip"`
	}{t})
}

// apiTripStep moves a trip on: {"from": "planned", "to": "out"}.
func (s *Server) apiTripStep(w http.ResponseWriter, r *http.Request) error {
	q := newParams(r)
	id := q.pathID("id")
	if err := q.check(); err != nil {
		return err
	}
	var in struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t, err := s.Help.StepTrip(r.Context(), id, frontline.TripStatus(in.From), frontline.TripStatus(in.To))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Trip *frontline.HelpTrip `json:"trip"`
	}{t})
}

// apiHelpTargets lists the deadlines per category.
func (s *Server) apiHelpTargets(w http.ResponseWriter, r *http.Request) error {
	targets, err := s.Help.HelpTargets(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Targets []*frontline.HelpTarget `json:"targets"`
	}{targets})
}

// apiPutHelpTarget changes a category's deadlines, in seconds.
func (s *Server) apiPutHelpTarget(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		AckWithin     int64 `json:"ack_within_seconds"`
		ResolveWithin int64 `json:"resolve_within_seconds"`
		Medical       bool  `json:"medical"`
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	t := &frontline.HelpTarget{Category: frontline.HelpCategory(r.PathValue("category")), AckWithin: secondsDuration(in.AckWithin),
		ResolveWithin: secondsDuration(in.ResolveWithin), Medical: in.Medical}
	if err := s.Help.UpdateHelpTarget(r.Context(), t); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Target *frontline.HelpTarget `json:"target"`
	}{t})
}
