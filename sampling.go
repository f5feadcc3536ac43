package frontline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TubeState is where a tube is between the sampling table and the lab.
type TubeState string

// Tube states, in order: a tube is opened at a station, sealed when full
// (or early), put in a bag, received by the lab and resulted.
const (
	TubeOpen     TubeState = "open"
	TubeSealed   TubeState = "sealed"
	TubeBagged   TubeState = "bagged"
	TubeReceived TubeState = "received"
	TubeResulted TubeState = "resulted"
)

// TubeResult is a lab's result for one tube.
type TubeResult string

// Results. An invalid tube is treated as a positive pool: its persons are
// re-sampled.
const (
	ResultNegative TubeResult = "negative"
	ResultPositive TubeResult = "positive"
	ResultInvalid  TubeResult = "invalid"
)

// Valid reports whether r is one of the three results.
func (r TubeResult) Valid() bool {
	return r == ResultNegative || r == ResultPositive || r == ResultInvalid
}

// Tube is a sampling tube (采样管) identified by the barcode on it.
type Tube struct {
	ID        int64     `json:"id"`
	RoundID   int64     `json:"round_id"`
	Code      string    `json:"code"`
	StationID int64     `json:"station_id,omitempty"`
	Mode      PoolMode  `json:"mode,omitempty"` // set with the first person
	Capacity  int       `json:"capacity"`       // 0 until the first person
	Count     int       `json:"count"`
	State     TubeState `json:"state"`
	// HouseholdID is the household of a household-mode tube.
	HouseholdID int64      `json:"household_id,omitempty"`
	Retest      bool       `json:"retest,omitempty"` // a single tube of the home sampling team: a re-test, or a bedridden person
	BagID       int64      `json:"bag_id,omitempty"`
	Result      TubeResult `json:"result,omitempty"`
	OpenedAt    time.Time  `json:"opened_at"`
	OpenedBy    string     `json:"opened_by"`
	SealedAt    time.Time  `json:"sealed_at,omitzero"`
	ResultAt    time.Time  `json:"result_at,omitzero"`
}

// Take adds one person of household householdID (of householdSize
// persons) whose zone calls for rule, or says why it cannot. The first
// person fixes the tube's mode and capacity unless the station set a
// capacity when opening it. A person may join a pool no larger than their
// zone allows; a full tube seals itself.
func (t *Tube) Take(rule PoolRule, householdID int64, householdSize int) error {
	if t.State != TubeOpen {
		return Refuse(RefusedTubeClosed, "tube %s is %s; open a new tube", t.Code, t.State)
	}
	if t.Count == 0 && t.Mode == "" {
		t.Mode = rule.Mode
		if t.Capacity == 0 || rule.Mode != PoolMixed {
			t.Capacity = rule.Capacity(householdSize)
		} else {
			t.Capacity = min(t.Capacity, rule.Size)
		}
		if rule.Mode == PoolHousehold {
			t.HouseholdID = householdID
		}
	}
	if err := t.fits(rule, householdID); err != nil {
		return err
	}
	if t.Count >= t.Capacity {
		return Refuse(RefusedTubeFull, "tube %s is full (%d of %d)", t.Code, t.Count, t.Capacity)
	}
	t.Count++
	if t.Count == t.Capacity {
		t.State = TubeSealed
	}
	return nil
}

// fits checks that a person whose zone calls for rule may join the tube.
func (t *Tube) fits(rule PoolRule, householdID int64) error {
	switch {
	case t.Mode == PoolHousehold && t.HouseholdID != householdID:
		return Refuse(RefusedOtherHousehold, "tube %s holds another household; open a new tube", t.Code)
	case rule.Mode == PoolMixed && t.Mode == PoolMixed && t.Capacity > rule.Size:
		return Refuse(RefusedZonePool, "this person's zone allows pools of at most %d; tube %s holds %d", rule.Size, t.Code, t.Capacity)
	case rule.Mode != t.Mode && rule.Mode != PoolMixed:
		return Refuse(RefusedZoneMode, "this person's zone calls for a %s tube; tube %s is %s", rule.Mode, t.Code, t.Mode)
	case rule.Mode == PoolMixed && t.Mode == PoolHousehold:
		return Refuse(RefusedHouseholdTube, "tube %s is a household tube; open a pool tube", t.Code)
	}
	return nil
}

// Seal closes an open tube early; sealing a sealed tube changes nothing.
// An empty tube cannot be sealed: there is nothing to send to the lab.
func (t *Tube) Seal() error {
	switch {
	case t.State == TubeSealed:
		return nil
	case t.State != TubeOpen:
		return Refuse(RefusedTubeClosed, "tube %s is already %s", t.Code, t.State)
	case t.Count == 0:
		return Refuse(RefusedTubeEmpty, "tube %s is empty; nothing to seal", t.Code)
	}
	t.State = TubeSealed
	return nil
}

// Binding records one person sampled into one tube.
type Binding struct {
	ID          int64     `json:"id"`
	RoundID     int64     `json:"round_id"`
	TubeID      int64     `json:"tube_id"`
	TubeCode    string    `json:"tube_code"`
	PersonID    int64     `json:"person_id"`
	PersonName  string    `json:"person_name,omitempty"` // filled by finders
	HouseholdID int64     `json:"household_id"`
	StationID   int64     `json:"station_id,omitempty"`
	BoundAt     time.Time `json:"bound_at"`
	BoundBy     string    `json:"bound_by"`
	UndoneAt    time.Time `json:"undone_at,omitzero"`
	UndoneBy    string    `json:"undone_by,omitempty"`
}

// Limits of one binding request.
const (
	MaxBindPersons   = 50 // persons in one request: a whole tube and then some
	MaxRequestIDLen  = 80
	MaxTubeCodeLen   = 40
	DefaultBagSize   = 20 // sealed tubes go 20 to a bag
	MaxBagSize       = 100
	MaxResultsUpload = 100_000 // rows in one results upload
)

// BindRequest is what a station sends: a tube, the persons to put in it
// (or a household whose members all go in), and whether to seal it after.
// A request with no persons opens the tube (and seals it with Seal). The
// RequestID, chosen by the station, makes a retry safe: the same id never
// binds twice and gets the first answer again.
type BindRequest struct {
	RequestID   string  `json:"request_id"`
	RoundID     int64   `json:"round_id"`
	StationID   int64   `json:"station_id,omitempty"`
	TubeCode    string  `json:"tube"`
	Capacity    int     `json:"capacity,omitempty"`     // optional, when opening
	HouseholdID int64   `json:"household_id,omitempty"` // household-tube mode
	PersonIDs   []int64 `json:"persons,omitempty"`
	Seal        bool    `json:"seal,omitempty"`
}

// Validate checks the shape of a request; the rules that need data run in
// the store.
func (r *BindRequest) Validate() error {
	r.RequestID = strings.TrimSpace(r.RequestID)
	if r.RequestID == "" || len(r.RequestID) > MaxRequestIDLen || !printableASCII(r.RequestID) {
		return FieldError("request_id", "a request needs a client id of 1 to %d printable characters", MaxRequestIDLen)
	}
	code, err := NormalizeTubeCode(r.TubeCode)
	if err != nil {
		return err
	}
	r.TubeCode = code
	if r.RoundID <= 0 {
		return FieldError("round_id", "a request names its round")
	}
	if len(r.PersonIDs) > MaxBindPersons {
		return FieldError("persons", "at most %d persons in one request", MaxBindPersons)
	}
	for i, id := range r.PersonIDs {
		switch {
		case id <= 0:
			return FieldError("persons", "persons[%d] is %d, not a person id", i, id)
		case slices.Contains(r.PersonIDs[:i], id):
			return FieldError("persons", "person %d is given twice (persons[%d] and persons[%d])", id, slices.Index(r.PersonIDs, id), i)
		}
	}
	if r.HouseholdID < 0 || (r.HouseholdID > 0 && len(r.PersonIDs) > 0) {
		return FieldError("household_id", "send either a household or persons, not both")
	}
	if r.Capacity < 0 || r.Capacity > MaxPoolSize {
		return FieldError("capacity", "a tube holds at most %d persons", MaxPoolSize)
	}
	return nil
}

// NormalizeTubeCode trims a scanned barcode and checks it: letters, digits
// and '-', as tube labels carry.
func NormalizeTubeCode(s string) (string, error) {
	s = strings.ToUpper(strings.TrimSpace(FoldWidth(s)))
	if s == "" || len(s) > MaxTubeCodeLen {
		return "", FieldError("tube", "a tube code has 1 to %d characters", MaxTubeCodeLen)
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return "", FieldError("tube", "a tube code holds only letters, digits and '-', not %q", r)
		}
	}
	return s, nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// BindAnswer answers a BindRequest: the tube as it now is, and one item
// per person. Replayed says this answers an earlier request with the same
// id, which bound nothing new.
type BindAnswer struct {
	RequestID string     `json:"request_id"`
	Replayed  bool       `json:"replayed,omitempty"`
	Tube      *Tube      `json:"tube,omitempty"`
	Items     []BindItem `json:"items"`
	// Error is set when the whole request was refused (the round is not
	// open, the tube is sealed or belongs to another round).
	Error *ItemError `json:"error,omitempty"`
}

// Bound counts the persons the answer bound.
func (a *BindAnswer) Bound() int {
	n := 0
	for _, it := range a.Items {
		if it.OK {
			n++
		}
	}
	return n
}

// BindItem is the answer for one person.
type BindItem struct {
	PersonID  int64      `json:"person_id"`
	OK        bool       `json:"ok"`
	BindingID int64      `json:"binding_id,omitempty"`
	Error     *ItemError `json:"error,omitempty"`
	// Prior says where, when and in which tube a person refused as
	// already sampled was sampled.
	Prior *PriorSample `json:"prior,omitempty"`
	// Restriction is what restricts the person: why they were refused
	// (RefusedRestricted), or what the sampler should know of a person
	// bound (health monitoring).
	Restriction RestrictionKind `json:"restriction,omitempty"`
}

// ItemError is a refusal: an error code and a message safe to show.
// Reason names the refusal for a station that shows it in the sampler's
// language; the message is English, for logs and API clients.
type ItemError struct {
	Code    string  `json:"code"`
	Message string  `json:"message"`
	Reason  Refusal `json:"reason,omitempty"`
}

// NewItemError returns the refusal for err.
func NewItemError(err error) *ItemError {
	e := &ItemError{Code: ErrorCode(err), Message: ErrorMessage(err)}
	errors.As(err, &e.Reason)
	return e
}

// Refusal names why a station's request or one person of it was refused.
// It is the cause (Err) of the refusal's *Error, so the writer builds
// refusals as before and NewItemError finds the reason without a table
// of messages.
type Refusal string

// Refusals a station shows.
const (
	RefusedNotMember      Refusal = "not_member"      // not registered under the round's scope
	RefusedAlreadySampled Refusal = "already_sampled" // has a live binding in this round; see Prior
	RefusedTubeClosed     Refusal = "tube_closed"     // sealed, bagged or further
	RefusedTubeFull       Refusal = "tube_full"
	RefusedTubeEmpty      Refusal = "tube_empty" // sealing a tube nobody is in
	RefusedOtherHousehold Refusal = "other_household"
	RefusedHouseholdTube  Refusal = "household_tube" // a pool person into a household tube
	RefusedZonePool       Refusal = "zone_pool"      // the person's zone allows smaller pools
	RefusedZoneMode       Refusal = "zone_mode"      // the person's zone calls for a single or household tube
	RefusedOtherRound     Refusal = "other_round"
	RefusedRetestTube     Refusal = "retest_tube"
	RefusedRoundNotOpen   Refusal = "round_not_open"
	RefusedNoHousehold    Refusal = "no_household" // the household has nobody in the round
	RefusedRestricted     Refusal = "restricted"   // home isolation, a case: sampled at home, not at a station
)

// Refusals lists every refusal, for the pages that name each.
var Refusals = []Refusal{
	RefusedNotMember, RefusedAlreadySampled, RefusedTubeClosed, RefusedTubeFull, RefusedTubeEmpty,
	RefusedOtherHousehold, RefusedHouseholdTube, RefusedZonePool, RefusedZoneMode, RefusedOtherRound,
	RefusedRetestTube, RefusedRoundNotOpen, RefusedNoHousehold, RefusedRestricted,
}

// Error implements error, so a Refusal can be an *Error's cause.
func (r Refusal) Error() string { return string(r) }

// Refuse returns the ECONFLICT error of a refusal with a message safe to
// show; ENOTFOUND for the refusals that are about something missing.
func Refuse(r Refusal, format string, args ...any) *Error {
	code := ECONFLICT
	if r == RefusedNotMember || r == RefusedNoHousehold {
		code = ENOTFOUND
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: r}
}

// PriorSample is where a person was already sampled this round.
type PriorSample struct {
	TubeCode string    `json:"tube_code"`
	Station  string    `json:"station,omitempty"`
	Site     string    `json:"site,omitempty"`
	At       time.Time `json:"at"`
}

// UndoRequest names the binding a station means to take out of a tube:
// the binding id from the answer that bound the person. Naming it is what
// makes an undo safe to send twice. RequestID is the station's id for the
// undo, kept in the audit entry to trace a retry.
type UndoRequest struct {
	RoundID   int64  `json:"round_id"`
	TubeCode  string `json:"tube"`
	BindingID int64  `json:"binding_id"`
	RequestID string `json:"request_id,omitempty"`
}

// Validate checks the shape of an undo.
func (r *UndoRequest) Validate() error {
	code, err := NormalizeTubeCode(r.TubeCode)
	if err != nil {
		return err
	}
	r.TubeCode = code
	if r.RoundID <= 0 {
		return FieldError("round_id", "an undo names its round")
	}
	if r.BindingID <= 0 {
		return FieldError("binding_id", "name the binding to undo: the binding id its answer gave")
	}
	r.RequestID = strings.TrimSpace(r.RequestID)
	if len(r.RequestID) > MaxRequestIDLen || !printableASCII(r.RequestID) {
		return FieldError("request_id", "a request id has at most %d printable characters", MaxRequestIDLen)
	}
	return nil
}

// UndoAnswer is the binding an undo took out, or had taken out already
// (Already): a repeat of an undo is answered, not refused.
type UndoAnswer struct {
	Binding *Binding `json:"undone"`
	Already bool     `json:"already_undone,omitempty"`
}

// TubeFilter selects tubes. Zero fields do not filter.
type TubeFilter struct {
	RoundID   *int64
	StationID *int64
	State     *TubeState
	Offset    int
	Limit     int
}

// SamplingService is the sampling table: it binds persons to tubes.
//
// Bind queues the request to the database's one writer, which commits
// every request that arrived within a few milliseconds in one transaction
// and then answers each. Tube capacity, one binding per person per round
// and the tube's state are checked inside that transaction, so they hold
// under any concurrency and across several servers on one database. A
// refusal of a person (already sampled, tube full) is an item of the
// answer, not an error; Bind returns an error only for a malformed request
// (EINVALID), a caller without PermSampling (EFORBIDDEN), or a fault
// (EINTERNAL).
type SamplingService interface {
	Bind(ctx context.Context, req *BindRequest) (*BindAnswer, error)
	// Undo takes the binding the request names out of its tube, if it is
	// still the tube's newest live binding and the tube is not yet bagged,
	// reopening the tube if it sealed itself, and records who did it. A
	// binding already undone is answered with Already set and nothing
	// changes, so a double tap or a retry never undoes a second person.
	// ECONFLICT for a bagged tube or a binding that is no longer the
	// newest, ENOTFOUND for an unknown tube or binding.
	Undo(ctx context.Context, req *UndoRequest) (*UndoAnswer, error)
	// FindTube returns a tube and its current bindings.
	FindTube(ctx context.Context, code string) (*Tube, []*Binding, error)
	FindTubes(ctx context.Context, f TubeFilter) ([]*Tube, int, error)
}
