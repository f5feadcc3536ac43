package frontline

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Supplies (保供): partner shops and pharmacies near the compounds, the
// places each serves, the accounts that work for it, its catalogue with
// units, prices and stock, and the ordering window of each zone ("orders
// until 20:00 for delivery tomorrow"). Orders, pick lists and deliveries
// build on these; see docs/supplies.md.

// PartnerKind says what a partner is.
type PartnerKind string

// Partner kinds.
const (
	PartnerShop     PartnerKind = "shop"     // 超市: vegetables and daily goods
	PartnerPharmacy PartnerKind = "pharmacy" // 药房: medicine and consultation
)

// Valid reports whether k is a known kind.
func (k PartnerKind) Valid() bool { return k == PartnerShop || k == PartnerPharmacy }

// Role returns the role of the accounts that work for a partner of kind k.
func (k PartnerKind) Role() Role {
	if k == PartnerPharmacy {
		return RolePharmacy
	}
	return RoleShop
}

// Partner is a shop or a pharmacy that supplies households. It is
// registered at a node (the office that arranged it: PlaceID) and serves
// the places in Areas (compounds, a community); the users linked to it
// fill its orders.
type Partner struct {
	ID      int64       `json:"id"`
	Kind    PartnerKind `json:"kind"`
	Name    string      `json:"name"`
	Phone   string      `json:"-"`
	Address string      `json:"address"`
	PlaceID int64       `json:"place_id"`
	// Areas are the nodes whose households it serves; none means its own
	// node.
	Areas   []int64 `json:"areas"`
	Retired bool    `json:"retired"`

	// Filled by finders: the names of the areas (as paths below the
	// partner's node where they are deeper), the logins of its users, and
	// how many items its catalogue holds.
	Place     *Place   `json:"place,omitempty"`
	AreaNames []string `json:"area_names,omitempty"`
	Logins    []string `json:"logins,omitempty"`
	Items     int      `json:"items"`

	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MaxPartnerAreas bounds the places one partner serves.
const MaxPartnerAreas = 200

// Validate normalizes and checks what a caller sets.
func (p *Partner) Validate() error {
	p.Name, p.Address = CleanName(p.Name), strings.TrimSpace(p.Address)
	if !p.Kind.Valid() {
		return FieldError("kind", "a partner is a shop or a pharmacy, not %q", p.Kind)
	}
	if err := CheckLines("name", p.Name, "address", p.Address); err != nil {
		return err
	}
	if p.Name == "" || len([]rune(p.Name)) > 100 {
		return FieldError("name", "a partner needs a name of at most 100 characters")
	}
	if len([]rune(p.Address)) > 200 {
		return FieldError("address", "the address has at most 200 characters")
	}
	phone, err := NormalizePhone(p.Phone)
	if err != nil {
		return &Error{Code: EINVALID, Field: "phone", Message: ErrorMessage(err)}
	}
	p.Phone = phone
	if p.PlaceID <= 0 {
		return FieldError("place_id", "a partner is registered at a place")
	}
	if len(p.Areas) == 0 {
		p.Areas = []int64{p.PlaceID}
	}
	if len(p.Areas) > MaxPartnerAreas {
		return FieldError("areas", "a partner serves at most %d places", MaxPartnerAreas)
	}
	return nil
}

// CatalogItem is one thing a partner sells: a unit (斤, 袋, 盒), a price in
// fen, the stock left, and the most one household may order at once
// (Limit; 0 is no limit). Limits are data, set by the office or the
// partner, never code.
type CatalogItem struct {
	ID        int64  `json:"id"`
	PartnerID int64  `json:"partner_id"`
	Code      string `json:"code"` // the partner's own article number, optional
	Name      string `json:"name"`
	// Spec is the size or strength (500g, 0.5g×24片).
	Spec     string `json:"spec"`
	Unit     string `json:"unit"`
	Category string `json:"category"`
	// Price is in fen (分): 1250 is ¥12.50.
	Price   int64 `json:"price"`
	Stock   int   `json:"stock"`
	Limit   int   `json:"limit"`
	Retired bool  `json:"retired"`

	UpdatedAt time.Time `json:"updated_at"`
}

// Catalogue bounds.
const (
	MaxCatalogRows = 5_000
	MaxPrice       = 100_000_00 // ¥100,000 in fen
	MaxStock       = 10_000_000
)

// Validate normalizes and checks an item.
func (it *CatalogItem) Validate() error {
	it.Name, it.Code = CleanName(it.Name), strings.TrimSpace(it.Code)
	it.Spec, it.Unit, it.Category = strings.TrimSpace(it.Spec), strings.TrimSpace(it.Unit), strings.TrimSpace(it.Category)
	if err := CheckLines("name", it.Name, "code", it.Code, "spec", it.Spec, "unit", it.Unit, "category", it.Category); err != nil {
		return err
	}
	switch {
	case it.Name == "" || len([]rune(it.Name)) > 100:
		return FieldError("name", "an item needs a name of at most 100 characters")
	case len([]rune(it.Code)) > 40:
		return FieldError("code", "the article number has at most 40 characters")
	case len([]rune(it.Spec)) > 60:
		return FieldError("spec", "the size or strength has at most 60 characters")
	case it.Unit == "" || len([]rune(it.Unit)) > 10:
		return FieldError("unit", "an item needs a unit (斤, 袋, 盒) of at most 10 characters")
	case len([]rune(it.Category)) > 40:
		return FieldError("category", "the category has at most 40 characters")
	case it.Price < 0 || it.Price > MaxPrice:
		return FieldError("price", "a price is between 0 and 100000 yuan")
	case it.Stock < 0 || it.Stock > MaxStock:
		return FieldError("stock", "the stock is a whole number from 0 to %d", MaxStock)
	case it.Limit < 0 || it.Limit > 10_000:
		return FieldError("limit", "the limit per household is a whole number from 0 (none) to 10000")
	}
	return nil
}

// Key identifies an item within a partner's catalogue: its article number
// when it has one, else its name, size and unit. An import updates the
// item of the same key, so a list sent again adds nothing twice.
func (it *CatalogItem) Key() string {
	if it.Code != "" {
		return "code:" + it.Code
	}
	return "name:" + it.Name + "\t" + it.Spec + "\t" + it.Unit
}

// Label names the item as lists show it: 大米 (5kg) / 袋.
func (it *CatalogItem) Label() string {
	s := it.Name
	if it.Spec != "" {
		s += " (" + it.Spec + ")"
	}
	return s + " / " + it.Unit
}

// ParsePrice reads a price in yuan as offices write it ("12.5", "¥12.50",
// "12元", "1,299.00") into fen; more than two decimals is refused rather
// than rounded.
func ParsePrice(s string) (int64, error) {
	s = strings.TrimSpace(FoldWidth(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "元"), "RMB")
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && !dot || len(frac) > 2 || strings.HasPrefix(whole, "-") || strings.HasPrefix(whole, "+") {
		return 0, fmt.Errorf("%q is not a price in yuan (write 12.50)", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || n > MaxPrice {
		return 0, fmt.Errorf("%q is not a price in yuan (write 12.50)", s)
	}
	return n, nil
}

// FormatPrice writes fen as yuan with two decimals: 1250 → "12.50".
func FormatPrice(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// CatalogRow is one parsed row of a catalogue file, or its problems.
type CatalogRow struct {
	Row    int
	Item   CatalogItem
	Errors []RowError
	// Columns names the column of each field as the file labels it.
	Columns map[string]string
}

// CatalogImportResult says what a catalogue import did, or would do.
type CatalogImportResult struct {
	Rows    int        `json:"rows"`
	Added   int        `json:"added"`
	Updated int        `json:"updated"`
	DryRun  bool       `json:"dry_run"`
	Errors  []RowError `json:"errors,omitempty"`
}

// OrderWindow is when the households under a node may order, and when
// what they order arrives: orders until Cutoff (minutes after local
// midnight) are delivered DeliveryDays later; later orders a day after
// that. The window of the nearest node at or above a household applies.
type OrderWindow struct {
	ID           int64 `json:"id"`
	PlaceID      int64 `json:"place_id"`
	Cutoff       int   `json:"cutoff"` // minutes after midnight, local
	DeliveryDays int   `json:"delivery_days"`
	// Closed stops ordering under the node (a pause while a zone is
	// redrawn, or stock runs out everywhere).
	Closed    bool      `json:"closed"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`

	// PlaceName is filled by finders.
	PlaceName string `json:"place_name,omitempty"`
}

// DefaultOrderWindow is the window where no node sets one: orders until
// 20:00 arrive tomorrow (BRIEF.md, the field practice of 2022).
func DefaultOrderWindow() OrderWindow { return OrderWindow{Cutoff: 20 * 60, DeliveryDays: 1} }

// Validate checks a window.
func (w *OrderWindow) Validate() error {
	switch {
	case w.PlaceID <= 0:
		return FieldError("place_id", "a window belongs to a place")
	case w.Cutoff < 0 || w.Cutoff >= 24*60:
		return FieldError("cutoff", "the cut-off is a time of day such as 20:00")
	case w.DeliveryDays < 0 || w.DeliveryDays > 7:
		return FieldError("delivery_days", "delivery is from 0 (the same day) to 7 days after the order")
	}
	return nil
}

// CutoffText writes the cut-off as a clock time, 20:00.
func (w OrderWindow) CutoffText() string { return fmt.Sprintf("%02d:%02d", w.Cutoff/60, w.Cutoff%60) }

// ParseClock reads a time of day "20:00" (or "20：00", "2000") into
// minutes after midnight.
func ParseClock(s string) (int, error) {
	s = strings.ReplaceAll(strings.TrimSpace(FoldWidth(s)), "：", ":")
	if len(s) == 4 && !strings.Contains(s, ":") {
		s = s[:2] + ":" + s[2:]
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day (write 20:00)", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// DeliveryDay returns the local day (YYYY-MM-DD) on which an order made
// at now arrives under the window, in loc.
func (w *OrderWindow) DeliveryDay(now time.Time, loc *time.Location) string {
	local := now.In(loc)
	day := local.Format(DateLayout)
	n := w.DeliveryDays
	if local.Hour()*60+local.Minute() >= w.Cutoff {
		n++
	}
	return AddDays(day, n)
}

// PartnerFilter selects partners. Zero fields do not filter.
type PartnerFilter struct {
	ID    *int64
	Kind  PartnerKind
	Under *int64 // registered at or under the node
	// Serving selects the partners whose areas hold this node (a
	// household): those it may order from.
	Serving *int64
	// Mine selects the partners the calling user works for.
	Mine    bool
	Retired bool // include retired partners
	Offset  int
	Limit   int
}

// PartnerUpdate changes a partner; nil fields stay.
type PartnerUpdate struct {
	Name    *string
	Phone   *string
	Address *string
	Areas   *[]int64
	Retired *bool
}

// ItemUpdate changes one catalogue item; nil fields stay.
type ItemUpdate struct {
	Price   *int64
	Stock   *int
	Limit   *int
	Retired *bool
}

// PartnerService keeps partner shops and pharmacies, their users, their
// catalogues and the ordering windows.
//
// Who may do what: the office (supply.manage) registers partners at or
// under its scope, links their users, sets windows and may change any of
// their catalogues; a partner's own users (orders.fill for a shop,
// medicine.fill for a pharmacy) see their partner and keep its catalogue
// and stock. Partners outside that reach are ENOTFOUND.
//
// Errors: EINVALID (a bad field, a user whose role does not fit the
// partner, a catalogue file with bad rows — nothing is imported then),
// ENOTFOUND, ECONFLICT (a partner's name twice at one node), EFORBIDDEN.
type PartnerService interface {
	CreatePartner(ctx context.Context, p *Partner) error
	UpdatePartner(ctx context.Context, id int64, u PartnerUpdate) (*Partner, error)
	FindPartnerByID(ctx context.Context, id int64) (*Partner, error)
	// FindPartners returns matching partners by name and the total.
	FindPartners(ctx context.Context, f PartnerFilter) ([]*Partner, int, error)
	// LinkPartnerUser makes a user (of the partner's role) work for it;
	// UnlinkPartnerUser ends that.
	LinkPartnerUser(ctx context.Context, partnerID int64, login string) error
	UnlinkPartnerUser(ctx context.Context, partnerID int64, login string) error

	// Catalog lists a partner's items by category and name; retired ones
	// only when asked.
	Catalog(ctx context.Context, partnerID int64, retired bool) ([]*CatalogItem, error)
	// ImportCatalog adds and updates a partner's items from a file's rows,
	// all or nothing; items the file does not name stay as they are.
	ImportCatalog(ctx context.Context, partnerID int64, rows []CatalogRow, dryRun bool) (*CatalogImportResult, error)
	// UpdateItem changes an item's price, stock, limit or retirement.
	UpdateItem(ctx context.Context, id int64, u ItemUpdate) (*CatalogItem, error)

	// SetOrderWindow sets the window of a node (replacing its own).
	SetOrderWindow(ctx context.Context, w *OrderWindow) error
	// OrderWindows lists the windows set at or under a node.
	OrderWindows(ctx context.Context, under int64) ([]*OrderWindow, error)
	// WindowFor returns the window that applies to a node: its own, its
	// nearest ancestor's, or DefaultOrderWindow (ID 0).
	WindowFor(ctx context.Context, placeID int64) (*OrderWindow, error)
}
