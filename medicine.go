package frontline

import (
	"bytes"
	"context"
	"strings"
	"time"
)

// Medicine delivery (送药): a household asks a pharmacy that serves it for
// a medicine, by its own link or through staff on its behalf; the pharmacy
// fills the request, asks for a doctor's consultation first, or refuses it
// with a reason; a delivery run from the compound's gate carries it with
// the household's other parcels, or a named worker of the workforce
// delivers it. Chronic
// medicine (insulin, blood-pressure drugs) must arrive within
// ChronicMedicineTarget of the request: the lists show the time left, and
// a late request alerts. See docs/supplies.md.

// AlertMedicineLate is the alert of chronic medicine not delivered within
// ChronicMedicineTarget of its request; its delivery resolves it.
const AlertMedicineLate = "medicine_late"

// MedicineStatus is where a medicine request stands.
type MedicineStatus string

// Medicine request statuses.
const (
	MedicineRequested    MedicineStatus = "requested"    // waiting for the pharmacy
	MedicineConsultation MedicineStatus = "consultation" // waiting for a doctor's consultation, then filled or refused
	MedicineFilled       MedicineStatus = "filled"       // filled, waiting for delivery
	MedicineOut          MedicineStatus = "out"          // on a delivery run
	MedicineDelivered    MedicineStatus = "delivered"
	MedicineRefused      MedicineStatus = "refused" // with a reason
	MedicineCancelled    MedicineStatus = "cancelled"
)

// MedicineStatuses lists every status in order.
var MedicineStatuses = []MedicineStatus{MedicineRequested, MedicineConsultation, MedicineFilled, MedicineOut,
	MedicineDelivered, MedicineRefused, MedicineCancelled}

// Open reports whether a request still needs someone to act.
func (s MedicineStatus) Open() bool {
	return s != MedicineDelivered && s != MedicineRefused && s != MedicineCancelled
}

// Fillable reports whether the pharmacy may still fill, refuse or ask for
// a consultation.
func (s MedicineStatus) Fillable() bool { return s == MedicineRequested || s == MedicineConsultation }

// ChronicMedicineTarget is how soon after its request chronic medicine
// must be delivered (FIELD.md: chronic medicine delivered within 24 hours).
const ChronicMedicineTarget = 24 * time.Hour

// Bounds of a medicine request.
const (
	MaxMedicineQuantity = 100
	// MaxMedicinePhotoBytes bounds a photo of a prescription or a box: a
	// phone's photo, not a scan of a book.
	MaxMedicinePhotoBytes = 4 << 20
)

// MedicineRequest is one household's request for one medicine from one
// pharmacy.
type MedicineRequest struct {
	ID          int64          `json:"id"`
	HouseholdID int64          `json:"household_id"`
	PartnerID   int64          `json:"partner_id"`
	Source      OrderSource    `json:"source"` // link or staff
	Status      MedicineStatus `json:"status"`
	Medicine    string         `json:"medicine"`
	Strength    string         `json:"strength"` // 规格: 0.5g×24片
	Quantity    int            `json:"quantity"`
	Unit        string         `json:"unit"` // 盒, 瓶, 支; "" is 盒
	Chronic     bool           `json:"chronic"`
	// PersonID is the resident it is for when staff chose one; For says
	// whom in words ("本人", "母亲"), as the household wrote it.
	PersonID int64  `json:"person_id,omitempty"`
	For      string `json:"for"`
	Note     string `json:"note"`
	// HasPhoto says a photo of the prescription or the box came with it;
	// the photo itself is read with MedicinePhoto.
	HasPhoto bool `json:"has_photo"`
	// DueAt is when a chronic request must be delivered (zero for others).
	DueAt       time.Time `json:"due_at,omitzero"`
	ConsultNote string    `json:"consult_note,omitempty"`
	ConsultAt   time.Time `json:"consult_at,omitzero"`
	// What the pharmacy gave, what it costs (fen) and whether it was paid
	// (payment happens outside Frontline, as for orders).
	Given        string    `json:"given,omitempty"`
	Amount       int64     `json:"amount"`
	Paid         bool      `json:"paid"`
	FilledAt     time.Time `json:"filled_at,omitzero"`
	RefuseReason string    `json:"refuse_reason,omitempty"`
	// RunID is the delivery run it went out on (or last went out on),
	// ReturnReason why it came back to the gate (one of ReturnReasons).
	RunID        int64  `json:"run_id,omitempty"`
	ReturnReason string `json:"return_reason,omitempty"`
	// The worker who delivered it, and when.
	WorkerID    int64     `json:"worker_id,omitempty"`
	WorkerName  string    `json:"worker_name,omitempty"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	Key         string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	UpdatedAt   time.Time `json:"updated_at"`

	// Filled by finders: the pharmacy's name and the household's address
	// (compound/building/door), for lists.
	PartnerName string `json:"partner_name,omitempty"`
	Address     string `json:"address,omitempty"`
}

// Late reports whether a chronic request is past its target at now: not
// delivered by then, or delivered after it.
func (m *MedicineRequest) Late(now time.Time) bool {
	if m.DueAt.IsZero() || m.Status == MedicineRefused || m.Status == MedicineCancelled {
		return false
	}
	if !m.DeliveredAt.IsZero() {
		return m.DeliveredAt.After(m.DueAt)
	}
	return now.After(m.DueAt)
}

// TimeLeft is how long a chronic request still has before its target at
// now (negative when late), and false for a request without a target or
// one already closed.
func (m *MedicineRequest) TimeLeft(now time.Time) (time.Duration, bool) {
	if m.DueAt.IsZero() || !m.Status.Open() {
		return 0, false
	}
	return m.DueAt.Sub(now), true
}

// DueFor returns the target of a request made at created: ChronicMedicineTarget
// later for chronic medicine, none otherwise.
func DueFor(chronic bool, created time.Time) time.Time {
	if !chronic {
		return time.Time{}
	}
	return created.Add(ChronicMedicineTarget)
}

// MedicinePhoto is a photo of a prescription or a box.
type MedicinePhoto struct {
	Type string // image/jpeg, image/png, image/webp
	Data []byte
}

// CheckMedicinePhoto reads what a photo is from its first bytes (never
// from the name or the type a browser claims) and checks its size: a
// JPEG, PNG or WebP of at most MaxMedicinePhotoBytes.
func CheckMedicinePhoto(data []byte) (string, error) {
	if len(data) == 0 {
		return "", FieldError("photo", "the photo is empty")
	}
	if len(data) > MaxMedicinePhotoBytes {
		return "", FieldError("photo", "the photo is larger than %d MiB: send a smaller one", MaxMedicinePhotoBytes>>20)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		return "image/webp", nil
	}
	return "", FieldError("photo", "the photo is not a JPEG, PNG or WebP picture")
}

// MedicineRequestInput is what a household or staff asks.
type MedicineRequestInput struct {
	HouseholdID int64  `json:"household_id"`
	PartnerID   int64  `json:"partner_id"`
	Medicine    string `json:"medicine"`
	Strength    string `json:"strength"`
	Quantity    int    `json:"quantity"`
	Unit        string `json:"unit"`
	Chronic     bool   `json:"chronic"`
	PersonID    int64  `json:"person_id,omitempty"`
	For         string `json:"for"`
	Note        string `json:"note"`
	// Key makes a retried request act once (the form's token).
	Key   string         `json:"key"`
	Photo *MedicinePhoto `json:"-"`
}

// Validate normalizes and checks a request before any data is read.
func (r *MedicineRequestInput) Validate() error {
	r.Medicine, r.Strength = CleanName(r.Medicine), strings.TrimSpace(FoldWidth(r.Strength))
	r.Unit, r.For = strings.TrimSpace(r.Unit), strings.TrimSpace(r.For)
	r.Note, r.Key = strings.TrimSpace(r.Note), strings.TrimSpace(r.Key)
	if err := CheckLines("medicine", r.Medicine, "strength", r.Strength, "unit", r.Unit, "for", r.For); err != nil {
		return err
	}
	if err := CheckText("note", r.Note); err != nil {
		return err
	}
	if r.Unit == "" {
		r.Unit = "盒"
	}
	switch {
	case r.HouseholdID <= 0:
		return FieldError("household_id", "say which household asks")
	case r.PartnerID <= 0:
		return FieldError("partner_id", "choose a pharmacy")
	case r.Medicine == "" || len([]rune(r.Medicine)) > 100:
		return FieldError("medicine", "name the medicine (at most 100 characters)")
	case len([]rune(r.Strength)) > 60:
		return FieldError("strength", "the strength has at most 60 characters")
	case r.Quantity < 1 || r.Quantity > MaxMedicineQuantity:
		return FieldError("quantity", "the quantity is a whole number from 1 to %d", MaxMedicineQuantity)
	case len([]rune(r.Unit)) > 10:
		return FieldError("unit", "the unit has at most 10 characters")
	case len([]rune(r.For)) > 40:
		return FieldError("for", "say whom it is for in at most 40 characters")
	case r.For == "" && r.PersonID == 0:
		return FieldError("for", "say whom the medicine is for")
	case len([]rune(r.Note)) > 300:
		return FieldError("note", "the note has at most 300 characters")
	case len(r.Key) > 80:
		return FieldError("key", "the key has at most 80 characters")
	}
	if r.Photo != nil {
		t, err := CheckMedicinePhoto(r.Photo.Data)
		if err != nil {
			return err
		}
		r.Photo.Type = t
	}
	return nil
}

// MedicineFill is what a pharmacy gave for a request: in words (the
// medicine, its maker, how many), with the amount in fen.
type MedicineFill struct {
	Given  string `json:"given"`
	Amount int64  `json:"amount"`
	Paid   bool   `json:"paid"`
}

// Validate checks a fill.
func (f *MedicineFill) Validate() error {
	f.Given = strings.TrimSpace(f.Given)
	if err := CheckLine("given", f.Given); err != nil {
		return err
	}
	switch {
	case f.Given == "" || len([]rune(f.Given)) > 200:
		return FieldError("given", "say what was given (at most 200 characters)")
	case f.Amount < 0 || f.Amount > MaxPrice:
		return FieldError("amount", "the amount is between 0 and 100000 yuan")
	}
	return nil
}

// MedicineFilter selects medicine requests. Zero fields do not filter.
type MedicineFilter struct {
	ID          *int64
	Under       *int64 // households at or under the node
	HouseholdID *int64
	PartnerID   *int64
	Status      []MedicineStatus
	Open        bool // not delivered, refused or cancelled
	Offset      int
	Limit       int
}

// MedicineLinkView is what a household's link page shows of medicine: the
// pharmacies serving it and its recent requests (no names, no address).
type MedicineLinkView struct {
	Pharmacies []*Partner         `json:"pharmacies"`
	Requests   []*MedicineRequest `json:"requests"`
}

// MedicineService takes and keeps medicine requests.
//
// Who may do what: staff with orders.place ask on behalf of a household of
// their scope, see the requests under it, and record a delivery; a
// household's link asks for that household alone; a pharmacy's users
// (medicine.fill) see their pharmacy's requests only, fill them, ask for a
// consultation, refuse them, mark them paid and record a delivery; the
// office (supply.manage) sees and acts on those under its scope. The photo
// is read by the same people, and each read is audited.
//
// Errors: EINVALID (a bad field, a photo of the wrong type or too large, a
// worker not of the household's community), ECONFLICT (a request no longer
// in a state for the step), ENOTFOUND (a link that does not work, a
// household, pharmacy or request out of reach, a pharmacy not serving the
// household), EFORBIDDEN.
type MedicineService interface {
	// RequestMedicine records staff's request for a household; a request
	// with the key of one the household has returns that one.
	RequestMedicine(ctx context.Context, r MedicineRequestInput) (*MedicineRequest, error)
	// RequestMedicineByLink records the household's request through its
	// ordering link.
	RequestMedicineByLink(ctx context.Context, secret string, r MedicineRequestInput) (*MedicineRequest, error)
	// MedicineLinkView returns what the link's page shows of medicine.
	MedicineLinkView(ctx context.Context, secret string) (*MedicineLinkView, error)

	FindMedicineRequestByID(ctx context.Context, id int64) (*MedicineRequest, error)
	// FindMedicineRequests returns matching requests, oldest first (the
	// order a pharmacy works in), and the total.
	FindMedicineRequests(ctx context.Context, f MedicineFilter) ([]*MedicineRequest, int, error)
	// MedicinePhoto returns a request's photo (ENOTFOUND when it has none).
	MedicinePhoto(ctx context.Context, id int64) (*MedicinePhoto, error)

	// FillMedicine records what the pharmacy gave.
	FillMedicine(ctx context.Context, id int64, f MedicineFill) (*MedicineRequest, error)
	// AskConsultation puts a request on hold for a doctor's consultation,
	// with a note; it is then filled or refused.
	AskConsultation(ctx context.Context, id int64, note string) (*MedicineRequest, error)
	// RefuseMedicine refuses a request with a reason the household reads.
	RefuseMedicine(ctx context.Context, id int64, reason string) (*MedicineRequest, error)
	// SetMedicinePaid records whether a filled request was paid.
	SetMedicinePaid(ctx context.Context, id int64, paid bool) (*MedicineRequest, error)
	// DeliverMedicine records that a named worker of the workforce
	// delivered a filled request, now. A request out on a delivery run is
	// ticked on the run instead (ECONFLICT).
	DeliverMedicine(ctx context.Context, id, workerID int64) (*MedicineRequest, error)
	// CancelMedicine cancels a request not yet filled.
	CancelMedicine(ctx context.Context, id int64, reason string) (*MedicineRequest, error)
	// MedicineWorkers lists the workers who may deliver a request: those
	// of the household's community, by name.
	MedicineWorkers(ctx context.Context, id int64) ([]*Worker, error)

	// AlertLateMedicine raises an alert for each chronic request past its
	// target and not delivered, once per request, as the system (a job);
	// it returns how many it raised.
	AlertLateMedicine(ctx context.Context) (int, error)
}
