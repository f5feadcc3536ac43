package frontline

import (
	"context"
	"strings"
	"time"
)

// TransferStatus is the step a transfer (转运) has reached.
type TransferStatus string

// Transfer steps, in order, and a cancelled transfer (the measure was
// changed, the person was found elsewhere).
const (
	TransferRequested TransferStatus = "requested" // a facility named, waiting for a vehicle
	TransferAssigned  TransferStatus = "assigned"  // vehicle and crew assigned
	TransferPickedUp  TransferStatus = "picked_up" // on the way
	TransferArrived   TransferStatus = "arrived"   // handed over at the facility
	TransferCancelled TransferStatus = "cancelled"
)

// TransferSteps lists the steps in order.
var TransferSteps = []TransferStatus{TransferRequested, TransferAssigned, TransferPickedUp, TransferArrived}

// TransferStatusLabels maps each status to its Chinese name.
var TransferStatusLabels = map[TransferStatus]string{
	TransferRequested: "待派车", TransferAssigned: "已派车", TransferPickedUp: "已接走", TransferArrived: "已到达",
	TransferCancelled: "已取消",
}

// UnderWay reports whether the person is still to be moved: requested,
// assigned or picked up.
func (s TransferStatus) UnderWay() bool {
	return s == TransferRequested || s == TransferAssigned || s == TransferPickedUp
}

// Next returns the step after s, "" after the last.
func (s TransferStatus) Next() TransferStatus {
	for i, st := range TransferSteps {
		if st == s && i+1 < len(TransferSteps) {
			return TransferSteps[i+1]
		}
	}
	return ""
}

// Transfer takes a case to a designated hospital, or a contact to a
// centralised isolation facility: requested → vehicle and crew assigned →
// picked up → arrived, each step timed and signed.
type Transfer struct {
	ID          int64  `json:"id"`
	CaseID      int64  `json:"case_id"`
	PersonID    int64  `json:"person_id"`
	HouseholdID int64  `json:"household_id"`
	MeasureID   int64  `json:"measure_id,omitempty"` // the contact's centralised isolation; 0 for the case itself
	Facility    string `json:"facility"`
	Vehicle     string `json:"vehicle,omitempty"`
	Crew        string `json:"crew,omitempty"`
	// Status is the last step reached; DueAt when the next one is overdue
	// (zero once arrived or cancelled).
	Status      TransferStatus `json:"status"`
	DueAt       time.Time      `json:"due_at,omitzero"`
	RequestedAt time.Time      `json:"requested_at"`
	RequestedBy string         `json:"requested_by"`
	AssignedAt  time.Time      `json:"assigned_at,omitzero"`
	AssignedBy  string         `json:"assigned_by,omitempty"`
	PickedUpAt  time.Time      `json:"picked_up_at,omitzero"`
	PickedUpBy  string         `json:"picked_up_by,omitempty"`
	ArrivedAt   time.Time      `json:"arrived_at,omitzero"`
	ArrivedBy   string         `json:"arrived_by,omitempty"`
	CancelledAt time.Time      `json:"cancelled_at,omitzero"`
	CancelledBy string         `json:"cancelled_by,omitempty"`
	Note        string         `json:"note,omitempty"`

	// Filled by finders.
	PersonName string `json:"person_name,omitempty"`
	Address    string `json:"address,omitempty"`
}

// Overdue reports whether the transfer's next step is late at now.
func (t *Transfer) Overdue(now time.Time) bool {
	return t.Status.UnderWay() && !t.DueAt.IsZero() && now.After(t.DueAt)
}

// TransferSettings are how long each step may take before it is overdue
// and alerts, and the facilities offered by default. They are settings:
// the 2022 targets were tightened as the waits at home made the news.
type TransferSettings struct {
	// AssignWithin: from the request to a vehicle assigned.
	AssignWithin time.Duration
	// PickUpWithin: from assignment to the person picked up.
	PickUpWithin time.Duration
	// ArriveWithin: from pick-up to arrival.
	ArriveWithin time.Duration
	// CaseFacility and ContactFacility are the facilities a new transfer
	// names unless the request names another.
	CaseFacility    string
	ContactFacility string
}

// DefaultTransferSettings: a vehicle within an hour, the person picked up
// within two more and delivered within two after that, so that no case
// waits at home through a night (FIELD.md: "positives waiting at home for a
// day without anyone telling their neighbours").
var DefaultTransferSettings = TransferSettings{
	AssignWithin: time.Hour, PickUpWithin: 2 * time.Hour, ArriveWithin: 2 * time.Hour,
	CaseFacility: "定点医院", ContactFacility: "集中隔离点",
}

// DueAfter returns when the step after status is overdue, counted from at
// (when status was reached); zero when no step follows.
func (s TransferSettings) DueAfter(status TransferStatus, at time.Time) time.Time {
	switch status {
	case TransferRequested:
		return at.Add(s.AssignWithin)
	case TransferAssigned:
		return at.Add(s.PickUpWithin)
	case TransferPickedUp:
		return at.Add(s.ArriveWithin)
	}
	return time.Time{}
}

// TransferStep moves a transfer on: the next status, with the vehicle and
// crew when assigning, and a note.
type TransferStep struct {
	To      TransferStatus `json:"to"`
	Vehicle string         `json:"vehicle,omitempty"`
	Crew    string         `json:"crew,omitempty"`
	// Facility may be changed at assignment (the designated hospital is
	// full, another takes the case).
	Facility string `json:"facility,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Validate checks a step from status from.
func (st *TransferStep) Validate(from TransferStatus) error {
	st.Vehicle, st.Crew = strings.TrimSpace(FoldWidth(st.Vehicle)), strings.TrimSpace(st.Crew)
	st.Facility, st.Note = strings.TrimSpace(st.Facility), strings.TrimSpace(st.Note)
	switch {
	case !from.UnderWay():
		return Errorf(ECONFLICT, "the transfer is already %s", from)
	case st.To == TransferCancelled:
		if st.Note == "" {
			return FieldError("note", "say why the transfer is cancelled")
		}
	case st.To != from.Next():
		return FieldError("to", "a %s transfer moves on to %s, not %q", from, from.Next(), st.To)
	case st.To == TransferAssigned && (st.Vehicle == "" || st.Crew == ""):
		if st.Vehicle == "" {
			return FieldError("vehicle", "name the vehicle (plate number)")
		}
		return FieldError("crew", "name the crew")
	}
	if len([]rune(st.Vehicle)) > 40 || len([]rune(st.Crew)) > 200 || len([]rune(st.Facility)) > 100 || len([]rune(st.Note)) > 500 {
		return FieldError("note", "a field is too long")
	}
	return nil
}

// TransferFilter selects transfers. Zero fields do not filter.
type TransferFilter struct {
	ID     *int64
	CaseID *int64
	Under  *int64 // households under this node
	// UnderWay selects requested, assigned and picked-up transfers.
	UnderWay bool
	Offset   int
	Limit    int
}

// TransferService runs transfers. Steps need cases.manage; reading needs
// registry.read.
//
// Errors: ENOTFOUND, EFORBIDDEN, EINVALID (a bad step or field),
// ECONFLICT (a step out of order, a transfer already arrived or
// cancelled, a second transfer under way for a person).
type TransferService interface {
	// RequestTransfer asks for a transfer of a case's person (personID 0)
	// or of one of its contacts to facility (the settings' default when
	// empty).
	RequestTransfer(ctx context.Context, caseID, personID int64, facility string) (*Transfer, error)
	// StepTransfer moves a transfer on by one step, or cancels it.
	StepTransfer(ctx context.Context, id int64, st TransferStep) (*Transfer, error)
	FindTransfers(ctx context.Context, f TransferFilter) ([]*Transfer, int, error)
	// AlertOverdueTransfers raises an alert for each transfer whose next
	// step is overdue (a job, as the system); it returns how many it
	// raised.
	AlertOverdueTransfers(ctx context.Context) (int, error)
}
