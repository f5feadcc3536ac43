package frontline

import (
	"strings"
	"time"
)

// LedgerKind is what a material ledger entry records.
type LedgerKind string

// Ledger entry kinds. Issued and restocked add to what a checkpoint has on
// hand; used and returned take from it.
const (
	LedgerIssued    LedgerKind = "issued"    // first handed out to the post
	LedgerRestocked LedgerKind = "restocked" // brought again (coal for the next days)
	LedgerUsed      LedgerKind = "used"      // consumed or worn out
	LedgerReturned  LedgerKind = "returned"  // taken back when the post closes
)

// LedgerEntry is one movement of a material at a checkpoint.
type LedgerEntry struct {
	ID           int64      `json:"id"`
	CheckpointID int64      `json:"checkpoint_id"`
	ItemID       int64      `json:"item_id"`
	ItemKey      string     `json:"item_key,omitempty"` // filled by finders
	Kind         LedgerKind `json:"kind"`
	Quantity     int        `json:"quantity"`
	// Source says where it came from or went (the supplier, the office
	// that lent it), as written on the hand-over.
	Source     string    `json:"source,omitempty"`
	Note       string    `json:"note,omitempty"`
	At         time.Time `json:"at"`
	RecordedBy string    `json:"recorded_by"`
}

// Delta is what the entry adds to the balance.
func (e *LedgerEntry) Delta() int {
	if e.Kind == LedgerUsed || e.Kind == LedgerReturned {
		return -e.Quantity
	}
	return e.Quantity
}

// Validate checks an entry before it is stored.
func (e *LedgerEntry) Validate() error {
	switch e.Kind {
	case LedgerIssued, LedgerRestocked, LedgerUsed, LedgerReturned:
	default:
		return FieldError("kind", "a ledger entry is issued, restocked, used or returned, not %q", e.Kind)
	}
	if e.Quantity <= 0 || e.Quantity > 1_000_000 {
		return FieldError("quantity", "the quantity is a whole number from 1 to 1,000,000")
	}
	e.Source = strings.TrimSpace(e.Source)
	e.Note = strings.TrimSpace(e.Note)
	if err := CheckLine("source", e.Source); err != nil {
		return err
	}
	if err := CheckText("note", e.Note); err != nil {
		return err
	}
	if len([]rune(e.Source)) > 100 || len([]rune(e.Note)) > 300 {
		return FieldError("note", "the source or note is too long")
	}
	return nil
}

// Balance is where one material of a checkpoint stands.
type Balance struct {
	ItemID    int64  `json:"item_id"`
	Key       string `json:"key"`
	Name      string `json:"name"`
	Unit      string `json:"unit"`
	Need      int    `json:"need"`
	Issued    int    `json:"issued"`
	Restocked int    `json:"restocked"`
	Used      int    `json:"used"`
	Returned  int    `json:"returned"`
	OnHand    int    `json:"on_hand"`
	// Short is how much is missing to reach Need; 0 when enough is on hand.
	Short int `json:"short"`
}

// Balances totals the entries of each material item, in checklist order.
// Tasks have no balance.
func Balances(items []*ChecklistItem, entries []*LedgerEntry) []*Balance {
	byID := map[int64]*Balance{}
	out := make([]*Balance, 0, len(items))
	for _, it := range items {
		if it.Kind != ItemMaterial {
			continue
		}
		b := &Balance{ItemID: it.ID, Key: it.Key, Name: it.Name, Unit: it.Unit, Need: it.Need}
		byID[it.ID] = b
		out = append(out, b)
	}
	for _, e := range entries {
		b := byID[e.ItemID]
		if b == nil {
			continue
		}
		switch e.Kind {
		case LedgerIssued:
			b.Issued += e.Quantity
		case LedgerRestocked:
			b.Restocked += e.Quantity
		case LedgerUsed:
			b.Used += e.Quantity
		case LedgerReturned:
			b.Returned += e.Quantity
		}
		b.OnHand += e.Delta()
	}
	for _, b := range out {
		b.Short = max(0, b.Need-b.OnHand)
	}
	return out
}

// CheckDraw returns EINVALID when entry e would take more than b has on
// hand: a ledger that goes below zero records something that did not
// happen.
func CheckDraw(b *Balance, e *LedgerEntry) error {
	if b.OnHand+e.Delta() < 0 {
		return FieldError("quantity", "only %d %s of %s on hand; cannot record %s %d", b.OnHand, b.Unit, b.Name, e.Kind, e.Quantity)
	}
	return nil
}

// Ledger is a checkpoint's material entries and balances.
type Ledger struct {
	Entries  []*LedgerEntry `json:"entries"`
	Balances []*Balance     `json:"balances"`
}

// Shortage lists the materials short at one checkpoint.
type Shortage struct {
	Checkpoint *Checkpoint `json:"checkpoint"`
	Items      []*Balance  `json:"items"`
}
