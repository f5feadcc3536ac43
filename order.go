package frontline

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Orders: a household orders from a partner that serves it, by a link of
// its own (no account), through staff on its behalf (an elderly resident
// on the phone), or in a building's group order (团购) that its leader
// gathers household by household and sends at once. Each order is one
// household's, for one partner and one delivery day; it records what was
// asked, what it costs, and whether it was paid (payment happens outside
// Frontline). See docs/supplies.md.

// OrderStatus is where an order stands.
type OrderStatus string

// Order statuses, in the order an order passes through them.
const (
	OrderDraft     OrderStatus = "draft"     // in a group order not sent yet: nothing reserved
	OrderPlaced    OrderStatus = "placed"    // sent to the partner; stock reserved
	OrderPacked    OrderStatus = "packed"    // filled (maybe partly, maybe with substitutes) and packed
	OrderAtGate    OrderStatus = "at_gate"   // handed over at the compound gate, counted there
	OrderOut       OrderStatus = "out"       // on a delivery run
	OrderDelivered OrderStatus = "delivered" // at the door or the building front
	OrderReturned  OrderStatus = "returned"  // not delivered: back at the gate with a reason
	OrderCancelled OrderStatus = "cancelled"
)

// OrderStatuses lists every status in order.
var OrderStatuses = []OrderStatus{OrderDraft, OrderPlaced, OrderPacked, OrderAtGate, OrderOut, OrderDelivered, OrderReturned, OrderCancelled}

// Open reports whether an order still needs someone to act.
func (s OrderStatus) Open() bool {
	return s != OrderDelivered && s != OrderCancelled
}

// OrderSource says how an order came.
type OrderSource string

// Order sources.
const (
	SourceLink  OrderSource = "link"  // the household's own link
	SourceStaff OrderSource = "staff" // staff on the household's behalf
	SourceGroup OrderSource = "group" // a building's group order
)

// OrderLine is one item of an order: what was asked (a copy of the
// item's name, unit and price when ordered, so later changes to the
// catalogue do not change the order) and, once filled, what was packed.
type OrderLine struct {
	ID       int64  `json:"id"`
	ItemID   int64  `json:"item_id"`
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Price    int64  `json:"price"`
	Quantity int    `json:"quantity"`
	// Filled is how many were packed; -1 until the partner fills the
	// order.
	Filled int `json:"filled"`
	// A substitute the partner proposes when the item ran out; the
	// household accepts or refuses it.
	Substitute *Substitute `json:"substitute,omitempty"`
}

// Substitute is another item packed in place of a line's item.
type Substitute struct {
	ItemID   int64  `json:"item_id"`
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Price    int64  `json:"price"`
	Quantity int    `json:"quantity"`
	// Answer is "" until the household answers, then "accepted" or
	// "refused".
	Answer string `json:"answer"`
}

// Substitute answers.
const (
	SubstituteAccepted = "accepted"
	SubstituteRefused  = "refused"
)

// Amount is what a line costs as it stands: the filled quantity once
// filled, and an accepted substitute's price.
func (l *OrderLine) Amount() int64 {
	n := l.Quantity
	if l.Filled >= 0 {
		n = l.Filled
	}
	total := int64(n) * l.Price
	if s := l.Substitute; s != nil && s.Answer != SubstituteRefused {
		total += int64(s.Quantity) * s.Price
	}
	return total
}

// Order is one household's order from one partner.
type Order struct {
	ID          int64       `json:"id"`
	HouseholdID int64       `json:"household_id"`
	PartnerID   int64       `json:"partner_id"`
	GroupID     int64       `json:"group_id,omitempty"`
	Source      OrderSource `json:"source"`
	Status      OrderStatus `json:"status"`
	// DeliveryDay is the local day it is to arrive (YYYY-MM-DD), from
	// the household's ordering window when the order was placed.
	DeliveryDay string      `json:"delivery_day"`
	Lines       []OrderLine `json:"lines"`
	// Total is the amount in fen, kept up to date as the order is filled.
	Total int64  `json:"total"`
	Paid  bool   `json:"paid"`
	Note  string `json:"note"`
	// Key makes a retried order act once: an order with the key of one
	// the household already has is that order.
	Key       string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
	// The last hundred metres: when and where (door or building front)
	// the order was delivered, or why it went back to the gate; when the
	// household confirmed it received it, how often it complained and
	// what was done about it.
	DeliveredAt  time.Time `json:"delivered_at,omitzero"`
	Drop         Drop      `json:"drop,omitempty"`
	ReturnReason string    `json:"return_reason,omitempty"`
	ReceivedAt   time.Time `json:"received_at,omitzero"`
	Complaints   int       `json:"complaints"`
	// ComplaintsHandled is how many of its complaints staff handled, and
	// ComplaintAnswer the note of the latest, which the household reads.
	ComplaintsHandled int    `json:"complaints_handled"`
	ComplaintAnswer   string `json:"complaint_answer,omitempty"`

	// Filled by finders: the partner's name and the household's address
	// (building · door), for lists.
	PartnerName string `json:"partner_name,omitempty"`
	Address     string `json:"address,omitempty"`
	Building    string `json:"building,omitempty"`
	BuildingID  int64  `json:"building_id,omitempty"`
	CompoundID  int64  `json:"compound_id,omitempty"`
}

// MaxOrderLines bounds the lines of one order.
const MaxOrderLines = 60

// OrderRequest is what a household (or staff, or a group's leader) asks:
// quantities by item.
type OrderRequest struct {
	HouseholdID int64
	PartnerID   int64
	GroupID     int64 // set to add to a group order
	Quantities  map[int64]int
	Note        string
	Key         string
}

// Validate checks a request before any data is read.
func (r *OrderRequest) Validate() error {
	r.Note, r.Key = strings.TrimSpace(r.Note), strings.TrimSpace(r.Key)
	if err := CheckText("note", r.Note); err != nil {
		return err
	}
	switch {
	case r.HouseholdID <= 0:
		return FieldError("household_id", "say which household orders")
	case r.PartnerID <= 0:
		return FieldError("partner_id", "say which shop or pharmacy")
	case len([]rune(r.Note)) > 300:
		return FieldError("note", "the note has at most 300 characters")
	case len(r.Key) > 80:
		return FieldError("key", "the key has at most 80 characters")
	}
	n := 0
	for id, q := range r.Quantities {
		if q < 0 || q > 1000 || id <= 0 {
			return FieldError("quantity", "a quantity is a whole number from 0 to 1000")
		}
		if q > 0 {
			n++
		}
	}
	if n == 0 {
		return FieldError("quantity", "choose at least one item")
	}
	if n > MaxOrderLines {
		return FieldError("quantity", "an order has at most %d items", MaxOrderLines)
	}
	return nil
}

// CheckLimit says whether a household may have want of an item on a
// delivery day when it has had already of it: the item's limit per
// household is data, 0 is none.
func CheckLimit(it *CatalogItem, already, want int) error {
	if it.Limit > 0 && already+want > it.Limit {
		return &Error{Code: EINVALID, Field: "quantity", Message: "at most " + strconv.Itoa(it.Limit) + " " + it.Unit + " of " + it.Name +
			" per household a day" + ifAlready(already)}
	}
	return nil
}

func ifAlready(n int) string {
	if n == 0 {
		return ""
	}
	return "; " + strconv.Itoa(n) + " ordered already"
}

// OrderGroup is a building's group order (团购): its leader gathers the
// orders of households for one partner, then sends them together.
type OrderGroup struct {
	ID        int64  `json:"id"`
	PartnerID int64  `json:"partner_id"`
	PlaceID   int64  `json:"place_id"` // the building (or unit, compound)
	Leader    string `json:"leader"`
	// SentAt is zero while the leader is still gathering.
	SentAt    time.Time `json:"sent_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`

	// Filled by finders.
	PartnerName string   `json:"partner_name,omitempty"`
	PlaceName   string   `json:"place_name,omitempty"`
	Orders      []*Order `json:"orders,omitempty"`
	Total       int64    `json:"total"`
}

// OrderFilter selects orders. Zero fields do not filter.
type OrderFilter struct {
	ID          *int64
	Under       *int64 // households at or under the node
	HouseholdID *int64
	PartnerID   *int64
	GroupID     *int64
	Status      []OrderStatus
	DeliveryDay string
	Unpaid      bool
	Offset      int
	Limit       int
}

// OrderLink is a household's own ordering link; the secret is returned
// once, when it is made.
type OrderLink struct {
	ID          int64     `json:"id"`
	HouseholdID int64     `json:"household_id"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// OrderLinkView is what the household's page shows: the partners that
// serve it with their catalogues, when what it orders now arrives, and its
// recent orders. It names no person and no address: a link may be
// forwarded.
type OrderLinkView struct {
	HouseholdID int64                    `json:"-"`
	Partners    []*Partner               `json:"partners"`
	Catalogs    map[int64][]*CatalogItem `json:"catalogs"`
	Window      *OrderWindow             `json:"window"`
	DeliveryDay string                   `json:"delivery_day"`
	Orders      []*Order                 `json:"orders"`
}

// LineFill is what a partner packed for one line: how many of the item
// (0 to what was asked), and optionally a substitute for what is missing.
type LineFill struct {
	LineID       int64 `json:"line_id"`
	Filled       int   `json:"filled"`
	SubstituteID int64 `json:"substitute_id,omitempty"`
	SubQuantity  int   `json:"sub_quantity,omitempty"`
}

// PickList is what a partner packs for one delivery day, by compound and
// building, with the totals of each item to take from the shelves.
type PickList struct {
	Partner   *Partner        `json:"partner"`
	Day       string          `json:"day"`
	Compounds []*PickCompound `json:"compounds"`
	Totals    []PickTotal     `json:"totals"`
	Orders    int             `json:"orders"`
	Packed    int             `json:"packed"`
}

// PickCompound is a compound's part of a pick list.
type PickCompound struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Buildings []*PickBuilding `json:"buildings"`
	// Packed counts the orders ready to hand over at its gate, AtGate
	// those handed over.
	Packed int `json:"packed"`
	AtGate int `json:"at_gate"`
}

// PickBuilding is a building's orders in a pick list.
type PickBuilding struct {
	ID     int64    `json:"id"`
	Name   string   `json:"name"`
	Orders []*Order `json:"orders"`
}

// PickTotal is how many of an item a pick list asks for.
type PickTotal struct {
	ItemID   int64  `json:"item_id"`
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Quantity int    `json:"quantity"`
}

// GateCount is what the gate of a compound has received from one partner
// for a day, and how much of it went on.
type GateCount struct {
	PartnerID   int64  `json:"partner_id"`
	PartnerName string `json:"partner_name"`
	Placed      int    `json:"placed"` // still to be packed
	Packed      int    `json:"packed"` // packed, not yet at the gate
	AtGate      int    `json:"at_gate"`
	Out         int    `json:"out"`
	Delivered   int    `json:"delivered"`
	Returned    int    `json:"returned"`
	// Medicine marks a pharmacy's row of medicine requests: Placed waits
	// for the pharmacy, AtGate is filled and waits for a run, Out is on
	// one (these three as they stand now, on today's count only), and
	// Delivered and Returned are those a run ticked on the day.
	Medicine bool `json:"medicine,omitempty"`
}

// OrderService takes and keeps orders.
//
// Who may do what: staff with orders.place make a household's link,
// order on its behalf and gather group orders in their scope; a
// household's link orders for that household alone; the partner's users
// see its orders. Marking paid: staff or the partner.
//
// Errors: EINVALID (a bad request, an item over its limit per household,
// an item of another partner or withdrawn), ECONFLICT (not enough stock,
// ordering paused, the order no longer changeable), ENOTFOUND (a link that
// does not work, a household or partner out of reach or not serving it),
// EFORBIDDEN.
type OrderService interface {
	// PlaceOrder places (or, in an open group, drafts) a household's
	// order; a request with the key of an order the household has returns
	// that order.
	PlaceOrder(ctx context.Context, r OrderRequest) (*Order, error)
	// CancelOrder cancels an order not yet packed, returning its stock.
	CancelOrder(ctx context.Context, id int64, reason string) (*Order, error)
	// SetPaid records that an order was paid (or not).
	SetPaid(ctx context.Context, id int64, paid bool) (*Order, error)
	FindOrderByID(ctx context.Context, id int64) (*Order, error)
	// FindOrders returns matching orders, newest first, and the total.
	FindOrders(ctx context.Context, f OrderFilter) ([]*Order, int, error)

	// CreateOrderLink makes a household's link, ending any earlier one.
	CreateOrderLink(ctx context.Context, householdID int64) (*OrderLink, string, error)
	// OrderLinkView returns what the link's page shows.
	OrderLinkView(ctx context.Context, secret string) (*OrderLinkView, error)
	// OrderView returns what staff ordering for a household of their
	// scope see: the same as the household's own page.
	OrderView(ctx context.Context, householdID int64) (*OrderLinkView, error)
	// OrderByLink places the household's order through its link.
	OrderByLink(ctx context.Context, secret string, r OrderRequest) (*Order, error)

	// PartnersServing lists the working partners whose areas hold a node
	// of the caller's scope: those its households may order from.
	PartnersServing(ctx context.Context, placeID int64) ([]*Partner, error)
	// CreateGroup opens a group order of a building for a partner.
	CreateGroup(ctx context.Context, g *OrderGroup) error
	FindGroupByID(ctx context.Context, id int64) (*OrderGroup, error)
	// FindGroups lists the groups at or under a node, newest first.
	FindGroups(ctx context.Context, under int64) ([]*OrderGroup, error)
	// SendGroup places every drafted order of a group at once, all or
	// nothing: a limit or the stock refuses the whole group, naming the
	// household.
	SendGroup(ctx context.Context, id int64) (*OrderGroup, error)

	// PickList returns a partner's orders to pack for a day (placed and
	// packed), by compound and building.
	PickList(ctx context.Context, partnerID int64, day string) (*PickList, error)
	// FillOrder records what the partner packed for each line (every
	// line of the order), with substitutes, and marks the order packed:
	// stock not packed goes back, a substitute's is taken.
	FillOrder(ctx context.Context, orderID int64, fills []LineFill) (*Order, error)
	// AnswerSubstitute records a household's answer to a substitute,
	// through its link; staff answer on its behalf with AnswerForHousehold.
	AnswerSubstitute(ctx context.Context, secret string, lineID int64, accept bool) (*Order, error)
	AnswerForHousehold(ctx context.Context, lineID int64, accept bool) (*Order, error)
	// HandOver records the partner's packed orders of a day for the
	// households under a compound as handed over at its gate, and returns
	// how many.
	HandOver(ctx context.Context, partnerID, compoundID int64, day string) (int, error)
	// GateCounts returns, per partner, where a day's orders under a node
	// stand, then, per pharmacy, its medicine requests there.
	GateCounts(ctx context.Context, placeID int64, day string) ([]*GateCount, error)
}
