package frontline

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The last hundred metres: a delivery run carries the parcels handed over
// at a compound's gate to the doors of one or more buildings. Each
// household's parcel ends delivered (to the door in a sealed zone, to the
// building front elsewhere, as the zone rules say) or returned to the gate
// with a reason; the run closes only when none is left open, the same "no
// one missed" as screening. See docs/supplies.md.

// RunStatus is where a delivery run stands.
type RunStatus string

// Run statuses.
const (
	RunOpen   RunStatus = "open"   // parcels are being carried
	RunClosed RunStatus = "closed" // every parcel has a final status
)

// ParcelStatus is where one parcel of a run stands. A parcel is one
// order, or one filled medicine request, on one run: one returned and
// sent again is a new parcel.
type ParcelStatus string

// Parcel statuses.
const (
	ParcelOut       ParcelStatus = "out"
	ParcelDelivered ParcelStatus = "delivered"
	ParcelReturned  ParcelStatus = "returned"
)

// Drop says where a parcel is left.
type Drop string

// Drops, as the zone rule's DoorDelivery decides.
const (
	DropDoor  Drop = "door"  // 送货上门: the household's door
	DropFront Drop = "front" // 楼栋前: the front of the building
)

// DropFor says where a parcel goes for a household of the given zone
// status: to the door when the rule of its effective level says so, or
// when a resident's restriction keeps them from the building front
// (kept: home isolation, a case, a transfer under way, as
// RestrictionPolicy says for ActFront), whatever the zone.
func DropFor(st *ZoneStatus, kept *Restriction) Drop {
	if kept != nil || st != nil && st.Rule != nil && st.Rule.DoorDelivery {
		return DropDoor
	}
	return DropFront
}

// Return reasons: why a parcel went back to the gate. The list is fixed
// so the gate can count them; ReturnOther needs a note.
const (
	ReturnNoAnswer = "no_answer" // nobody answered the door or the phone
	ReturnRefused  = "refused"   // the household refused the parcel
	ReturnAddress  = "address"   // the door could not be found
	ReturnDamaged  = "damaged"   // the parcel was damaged
	ReturnNoAccess = "no_access" // the building could not be entered
	ReturnOther    = "other"     // another reason, said in the note
)

// Bounds of what runs, returns and complaints hold.
const (
	maxParcelNote   = 200 // characters of a return's note
	maxComplaintLen = 500 // characters of a household's complaint
	maxHandledNote  = 300 // characters of what was done about one
	maxRunBuildings = 50  // buildings of one run
	runKeyMax       = 80  // characters of a run's form key
	complaintMinLen = 2   // characters a complaint says at least
)

// ReturnReasons lists the reasons in the order pages offer them.
var ReturnReasons = []string{ReturnNoAnswer, ReturnRefused, ReturnAddress, ReturnDamaged, ReturnNoAccess, ReturnOther}

// CheckReturn checks a return's reason and note.
func CheckReturn(reason, note string) (string, error) {
	note = strings.TrimSpace(note)
	if !slices.Contains(ReturnReasons, reason) {
		return "", FieldError("reason", "say why the parcel was not delivered")
	}
	if err := CheckText("note", note); err != nil {
		return "", err
	}
	if len([]rune(note)) > maxParcelNote {
		return "", FieldError("note", "the note has at most %d characters", maxParcelNote)
	}
	if reason == ReturnOther && note == "" {
		return "", FieldError("note", "say in the note why the parcel was not delivered")
	}
	return note, nil
}

// CheckComplaint checks a household's complaint.
func CheckComplaint(text string) (string, error) {
	text = strings.TrimSpace(text)
	if err := CheckText("text", text); err != nil {
		return "", err
	}
	switch n := len([]rune(text)); {
	case n < complaintMinLen:
		return "", FieldError("text", "say what went wrong")
	case n > maxComplaintLen:
		return "", FieldError("text", "a complaint has at most %d characters", maxComplaintLen)
	}
	return text, nil
}

// Parcel is one household's order, or filled medicine request, on a run.
type Parcel struct {
	ID    int64 `json:"id"`
	RunID int64 `json:"run_id"`
	// OrderID is the order it carries, or 0 for medicine: then MedicineID
	// is the medicine request.
	OrderID     int64        `json:"order_id"`
	MedicineID  int64        `json:"medicine_id,omitempty"`
	HouseholdID int64        `json:"household_id"`
	Status      ParcelStatus `json:"status"`
	// Drop is where the parcel goes: for an open parcel as the zone rules
	// say now, for a delivered one where it was left.
	Drop Drop `json:"drop"`
	// At and By say when and by whom it was delivered or returned;
	// WorkerID is the worker who carried it (the one signed in, or the
	// run's).
	At         time.Time `json:"at,omitzero"`
	By         string    `json:"by,omitempty"`
	WorkerID   int64     `json:"worker_id,omitempty"`
	WorkerName string    `json:"worker_name,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Note       string    `json:"note,omitempty"`

	// Filled by finders: the building and the door, the partner.
	BuildingID  int64  `json:"building_id"`
	Building    string `json:"building"`
	Door        string `json:"door"`
	PartnerName string `json:"partner_name"`
	Items       int    `json:"items"`
	// DueAt is when chronic medicine must be delivered (zero otherwise):
	// the carrier sees it, never the medicine's name.
	DueAt time.Time `json:"due_at,omitzero"`
}

// Door is the parcels of one household on a run, in the order of the
// run: the volunteer ticks them with one tap.
type Door struct {
	HouseholdID int64
	Parcels     []*Parcel
}

// Out is the door's parcels still out.
func (d *Door) Out() []*Parcel {
	var out []*Parcel
	for _, p := range d.Parcels {
		if p.Status == ParcelOut {
			out = append(out, p)
		}
	}
	return out
}

// DoorsOf groups parcels, in the run's order (by path), by household.
func DoorsOf(ps []*Parcel) []*Door {
	var out []*Door
	for _, p := range ps {
		if n := len(out); n == 0 || out[n-1].HouseholdID != p.HouseholdID {
			out = append(out, &Door{HouseholdID: p.HouseholdID})
		}
		d := out[len(out)-1]
		d.Parcels = append(d.Parcels, p)
	}
	return out
}

// Final reports whether the parcel has a final status.
func (p *Parcel) Final() bool { return p.Status != ParcelOut }

// Run is a delivery run from a compound's gate.
type Run struct {
	ID       int64     `json:"id"`
	PlaceID  int64     `json:"place_id"` // the compound
	Day      string    `json:"day"`      // the delivery day (YYYY-MM-DD)
	Status   RunStatus `json:"status"`
	WorkerID int64     `json:"worker_id,omitempty"` // a named worker, or
	PostID   int64     `json:"post_id,omitempty"`   // a delivery team
	// Buildings are the buildings the run serves, in order.
	Buildings []int64   `json:"buildings"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	ClosedBy  string    `json:"closed_by,omitempty"`

	// Filled by finders.
	PlaceName  string    `json:"place_name,omitempty"`
	WorkerName string    `json:"worker_name,omitempty"`
	PostName   string    `json:"post_name,omitempty"`
	Parcels    []*Parcel `json:"parcels,omitempty"`
	Counts     RunCounts `json:"counts"`
}

// RunCounts counts a run's parcels by status, and the returned ones by
// their reason (one of ReturnReasons; absent when none).
type RunCounts struct {
	Out       int            `json:"out"`
	Delivered int            `json:"delivered"`
	Returned  int            `json:"returned"`
	Reasons   map[string]int `json:"reasons,omitempty"`
}

// Count counts parcels into c.
func (c *RunCounts) Count(ps []*Parcel) {
	*c = RunCounts{}
	for _, p := range ps {
		c.Add(p.Status, p.Reason, 1)
	}
}

// Add counts n parcels of a status (and a returned one's reason).
func (c *RunCounts) Add(st ParcelStatus, reason string, n int) {
	switch st {
	case ParcelOut:
		c.Out += n
	case ParcelDelivered:
		c.Delivered += n
	case ParcelReturned:
		c.Returned += n
		if c.Reasons == nil {
			c.Reasons = map[string]int{}
		}
		c.Reasons[reason] += n
	}
}

// ReasonCount is how many parcels went back for one reason.
type ReasonCount struct {
	Reason string
	N      int
}

// ByReason lists the returns by reason, in the order of ReturnReasons,
// leaving out reasons with none.
func (c RunCounts) ByReason() []ReasonCount {
	var out []ReasonCount
	for _, r := range ReturnReasons {
		if n := c.Reasons[r]; n > 0 {
			out = append(out, ReasonCount{r, n})
		}
	}
	return out
}

// CanClose says whether a run may close: every parcel has a final status.
// The error names the doors still open.
func CanClose(r *Run) error {
	if r.Status == RunClosed {
		return Errorf(ECONFLICT, "the run is closed already")
	}
	var open []string
	for _, p := range r.Parcels {
		if !p.Final() {
			open = append(open, p.Building+" "+p.Door)
		}
	}
	if n := len(open); n > 0 {
		if n > 5 {
			open = append(open[:5], "…")
		}
		return Errorf(ECONFLICT, "%d parcels have no final status yet: %s", n, strings.Join(open, ", "))
	}
	return nil
}

// RunRequest makes a run at a compound's gate.
type RunRequest struct {
	PlaceID   int64   // the compound
	Day       string  // the delivery day
	Buildings []int64 // one or more buildings of the compound
	WorkerID  int64   // a worker, or
	PostID    int64   // a delivery team
	// Key makes a retried request act once (the form's token).
	Key string
}

// Validate checks a request before any data is read.
func (r *RunRequest) Validate() error {
	r.Key = strings.TrimSpace(r.Key)
	switch {
	case r.PlaceID <= 0:
		return FieldError("place", "say at which compound's gate")
	case len(r.Buildings) == 0:
		return FieldError("buildings", "choose at least one building")
	case len(r.Buildings) > maxRunBuildings:
		return FieldError("buildings", "a run serves at most %d buildings", maxRunBuildings)
	case r.WorkerID <= 0 && r.PostID <= 0:
		return FieldError("worker", "say who carries the run: a worker or a delivery team")
	case r.WorkerID > 0 && r.PostID > 0:
		return FieldError("worker", "a run goes to a worker or to a team, not both")
	case len(r.Key) > runKeyMax:
		return FieldError("key", "the key has at most %d characters", runKeyMax)
	}
	if _, err := time.Parse(DateLayout, r.Day); err != nil {
		return FieldError("day", "not a date (YYYY-MM-DD)")
	}
	return nil
}

// Complaint is what a household said about an order through its link.
type Complaint struct {
	ID          int64     `json:"id"`
	OrderID     int64     `json:"order_id"`
	PartnerID   int64     `json:"partner_id"`
	PartnerName string    `json:"partner_name"`
	Text        string    `json:"text"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	Address     string    `json:"address,omitempty"`
	Status      string    `json:"order_status"`
	// HandledAt, HandledBy and HandledNote say that staff handled it,
	// when, and what was done (the household reads the note).
	HandledAt   time.Time `json:"handled_at,omitzero"`
	HandledBy   string    `json:"handled_by,omitempty"`
	HandledNote string    `json:"handled_note,omitempty"`
}

// Handled reports whether staff handled the complaint.
func (c *Complaint) Handled() bool { return !c.HandledAt.IsZero() }

// CheckHandledNote checks the note of what was done about a complaint.
func CheckHandledNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if err := CheckText("note", note); err != nil {
		return "", err
	}
	switch n := len([]rune(note)); {
	case n < complaintMinLen:
		return "", FieldError("note", "say what was done")
	case n > maxHandledNote:
		return "", FieldError("note", "the note has at most %d characters", maxHandledNote)
	}
	return note, nil
}

// RunFilter selects runs. Zero fields do not filter.
type RunFilter struct {
	Under  *int64 // runs of compounds at or under the node
	Day    string
	Status RunStatus
	// Mine selects the runs of the caller: assigned to their worker, or
	// to a team they are on duty in that day.
	Mine bool
}

// DeliveryService runs the last hundred metres.
//
// Who may do what: anyone with deliveries.run makes, carries and closes
// runs of compounds in their scope (a run carries the orders at the gate
// and the filled medicine of its buildings' households); the household
// confirms or complains through its own ordering link; complaints are
// listed, open ones first, for staff with orders.place or supply.manage
// in scope, who handle them with a note the household reads, and for the
// partner's users.
//
// Errors: EINVALID (a bad request or reason), ECONFLICT (a parcel or run no
// longer open, a run with open parcels), ENOTFOUND (out of scope or no such
// run, parcel or link), EFORBIDDEN.
type DeliveryService interface {
	// CreateRun puts the compound's orders at the gate (and those
	// returned before), and the filled medicine requests of the
	// buildings' households, on a run; they go out. A retried request with
	// the same key returns the same run.
	CreateRun(ctx context.Context, r RunRequest) (*Run, error)
	// FindRunByID returns a run with its parcels, each with where it goes.
	FindRunByID(ctx context.Context, id int64) (*Run, error)
	// FindRuns lists runs with their counts, newest first.
	FindRuns(ctx context.Context, f RunFilter) ([]*Run, error)
	// Deliver ticks a parcel delivered, where the zone rules say; a parcel
	// delivered already is returned as it is (a retry acts once).
	Deliver(ctx context.Context, parcelID int64) (*Parcel, error)
	// Return sends a parcel back to the gate with a reason.
	Return(ctx context.Context, parcelID int64, reason, note string) (*Parcel, error)
	// DeliverDoor ticks delivered, with one tap, the parcel and the other
	// parcels of its household still out on the run; it returns the
	// door's parcels. A door with none out left is returned as it is.
	DeliverDoor(ctx context.Context, parcelID int64) ([]*Parcel, error)
	// ReturnDoor sends the parcel and the household's other parcels
	// still out on the run back to the gate with one reason.
	ReturnDoor(ctx context.Context, parcelID int64, reason, note string) ([]*Parcel, error)
	// Reopen puts a parcel ticked by mistake back out, while its run is
	// open and the household has not confirmed it.
	Reopen(ctx context.Context, parcelID int64) (*Parcel, error)
	// CloseRun closes a run whose parcels all have a final status.
	CloseRun(ctx context.Context, id int64) (*Run, error)

	// ConfirmByLink records that the household received an order.
	ConfirmByLink(ctx context.Context, secret string, orderID int64) (*Order, error)
	// ComplainByLink records a household's complaint about an order.
	ComplainByLink(ctx context.Context, secret string, orderID int64, text string) (*Complaint, error)
	// FindComplaints lists the complaints under a node (staff) or about
	// the caller's partners (a partner's user): open ones first, then
	// newest first.
	FindComplaints(ctx context.Context, under *int64) ([]*Complaint, error)
	// HandleComplaint records that staff handled a complaint, with a note
	// of what was done; handled again with the same note it changes
	// nothing (ECONFLICT with another note).
	HandleComplaint(ctx context.Context, id int64, note string) (*Complaint, error)
}
