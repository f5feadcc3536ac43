package frontline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CheckpointType is what a checkpoint guards.
type CheckpointType string

// Checkpoint types. The report's community lies in the urban-rural
// fringe, with many side roads: each road and path in needs its own.
const (
	CheckpointRoad     CheckpointType = "vehicle_road"  // 车行道口
	CheckpointFootpath CheckpointType = "footpath"      // 人行便道
	CheckpointGate     CheckpointType = "compound_gate" // 小区门口
)

// CheckpointTypeLabels maps each type to its Chinese label.
var CheckpointTypeLabels = map[CheckpointType]string{
	CheckpointRoad: "车行道口", CheckpointFootpath: "人行便道", CheckpointGate: "小区门口",
}

// CheckpointStatus is where a checkpoint is in its life.
type CheckpointStatus string

// Checkpoint statuses.
const (
	CheckpointSettingUp CheckpointStatus = "setting_up" // being set up: materials arriving, staff assigned
	CheckpointOpen      CheckpointStatus = "open"       // staffed and checking
	CheckpointClosed    CheckpointStatus = "closed"     // stood down
)

// CheckpointStatusLabels maps each status to its Chinese label.
var CheckpointStatusLabels = map[CheckpointStatus]string{
	CheckpointSettingUp: "搭建中", CheckpointOpen: "值守中", CheckpointClosed: "已撤除",
}

// Checkpoint is a staffed post (卡点) on the boundary of a node: a road,
// a path or a compound gate through which people pass in and out.
type Checkpoint struct {
	ID      int64  `json:"id"`
	PlaceID int64  `json:"place_id"` // the node whose boundary it guards
	Place   *Place `json:"place,omitempty"`
	Name    string `json:"name"`
	// Location says where it is in words people on the ground use
	// ("枣园路与罗玉路交叉口东侧").
	Location string         `json:"location"`
	Type     CheckpointType `json:"type"`
	// Hours are the opening hours "HH:MM-HH:MM" (past midnight allowed,
	// "20:00-08:00"); empty for round the clock.
	Hours     string           `json:"hours,omitempty"`
	Status    CheckpointStatus `json:"status"`
	CreatedAt time.Time        `json:"created_at"`
	CreatedBy string           `json:"created_by"`
	UpdatedAt time.Time        `json:"updated_at"`

	// PostID is the checkpoint's post on the roster, made with it: its
	// shifts are the checkpoint's. Filled by FindCheckpointByID.
	PostID int64 `json:"post_id,omitempty"`
	// Checklist and Shifts are filled by FindCheckpointByID: the setup
	// checklist with what is on hand, and the shifts of its post not yet
	// over.
	Checklist []*ChecklistItem `json:"checklist,omitempty"`
	Shifts    []*Shift         `json:"shifts,omitempty"`
}

// Validate checks the fields a caller sets.
func (c *Checkpoint) Validate() error {
	c.Name = CleanName(c.Name)
	if c.Name == "" || len([]rune(c.Name)) > 100 {
		return FieldError("name", "a checkpoint needs a name of at most 100 characters")
	}
	c.Location = strings.TrimSpace(c.Location)
	if err := CheckLines("name", c.Name, "location", c.Location); err != nil {
		return err
	}
	if len([]rune(c.Location)) > 300 {
		return FieldError("location", "the location is longer than 300 characters")
	}
	if CheckpointTypeLabels[c.Type] == "" {
		return FieldError("type", "unknown checkpoint type %q (vehicle_road, footpath, compound_gate)", c.Type)
	}
	c.Hours = strings.ReplaceAll(FoldWidth(strings.TrimSpace(c.Hours)), " ", "")
	if _, _, err := ParseHours(c.Hours); err != nil {
		return err
	}
	if c.Status == "" {
		c.Status = CheckpointSettingUp
	}
	if CheckpointStatusLabels[c.Status] == "" {
		return FieldError("status", "unknown checkpoint status %q", c.Status)
	}
	return nil
}

// ParseHours reads opening hours "HH:MM-HH:MM" as minutes after midnight;
// empty hours are round the clock (0, 0).
func ParseHours(h string) (from, to int, err error) {
	if h == "" {
		return 0, 0, nil
	}
	a, b, ok := strings.Cut(h, "-")
	from, okA := clockMinutes(a)
	to, okB := clockMinutes(b)
	if !ok || !okA || !okB || from == to {
		return 0, 0, FieldError("hours", "opening hours are written HH:MM-HH:MM, e.g. 06:00-22:00, or left empty for round the clock")
	}
	return from, to, nil
}

func clockMinutes(s string) (int, bool) {
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || len(s) != 5 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m > 0) {
		return 0, false
	}
	return h*60 + m, true
}

// OpenAt reports whether the checkpoint's hours include the wall-clock
// time of t (in t's location).
func (c *Checkpoint) OpenAt(t time.Time) bool { return OpenDuring(c.Hours, t) }

// OpenDuring reports whether opening hours "HH:MM-HH:MM" include the
// wall-clock time of t (in t's location); hours that pass midnight wrap,
// empty hours are round the clock, and hours that do not parse include
// nothing, so a bad value closes rather than opens.
func OpenDuring(hours string, t time.Time) bool {
	from, to, err := ParseHours(hours)
	if err != nil {
		return false
	}
	if from == to {
		return true
	}
	m := t.Hour()*60 + t.Minute()
	if from < to {
		return m >= from && m < to
	}
	return m >= from || m < to
}

// ItemKind tells a material, which the ledger counts, from a task, which
// staff tick off.
type ItemKind string

// Checklist item kinds.
const (
	ItemMaterial ItemKind = "material"
	ItemTask     ItemKind = "task"
)

// ChecklistItem is one line of a checkpoint's setup checklist. A material
// is ready when the ledger shows at least Need on hand; a task when done.
type ChecklistItem struct {
	ID           int64    `json:"id"`
	CheckpointID int64    `json:"checkpoint_id"`
	Key          string   `json:"key"`  // stable name, e.g. "tent"; pages translate known keys
	Name         string   `json:"name"` // as offices write it, e.g. 帐篷
	Kind         ItemKind `json:"kind"`
	Need         int      `json:"need"`           // materials: the quantity the post needs on hand
	Unit         string   `json:"unit,omitempty"` // materials: 顶, 套, kg
	Position     int      `json:"position"`

	Done   bool      `json:"done"` // tasks
	DoneAt time.Time `json:"done_at,omitzero"`
	DoneBy string    `json:"done_by,omitempty"`
	// OnHand is the ledger balance of a material, filled by finders.
	OnHand int `json:"on_hand"`
}

// Ready reports whether the item no longer holds the setup up.
func (i *ChecklistItem) Ready() bool {
	if i.Kind == ItemTask {
		return i.Done
	}
	return i.OnHand >= i.Need
}

// Validate checks an item before it is stored.
func (i *ChecklistItem) Validate() error {
	i.Key = strings.ToLower(strings.TrimSpace(i.Key))
	if i.Key == "" || len(i.Key) > 40 || strings.ContainsAny(i.Key, " /") {
		return FieldError("key", "an item needs a key of at most 40 characters without spaces")
	}
	i.Name = strings.TrimSpace(i.Name)
	if err := CheckLines("key", i.Key, "name", i.Name, "unit", i.Unit); err != nil {
		return err
	}
	if i.Name == "" || len([]rune(i.Name)) > 60 {
		return FieldError("name", "an item needs a name of at most 60 characters")
	}
	switch i.Kind {
	case ItemMaterial:
		if i.Need < 0 || i.Need > 1_000_000 {
			return FieldError("need", "the quantity needed is between 0 and 1,000,000")
		}
		i.Unit = strings.TrimSpace(i.Unit)
		if i.Unit == "" || len([]rune(i.Unit)) > 10 {
			return FieldError("unit", "a material needs a unit of at most 10 characters")
		}
	case ItemTask:
		i.Need, i.Unit = 0, ""
	default:
		return FieldError("kind", "an item is a material or a task, not %q", i.Kind)
	}
	return nil
}

// DefaultChecklist is the first checklist template, the list a new
// checkpoint gets unless it is given its own: what the report's secretary
// arranged for seven posts in a few hours (tent, power, stove, coal), what
// a gate needs to check people (table, chairs, cordon, thermometer,
// disinfectant, forms). Quantities are for one post for the first days.
// The migration stores the same lines as the template, which admins then
// edit; a test keeps the two equal.
func DefaultChecklist() []*ChecklistItem {
	m := func(key, name string, need int, unit string) *ChecklistItem {
		return &ChecklistItem{Key: key, Name: name, Kind: ItemMaterial, Need: need, Unit: unit}
	}
	items := []*ChecklistItem{
		m("tent", "帐篷", 1, "顶"), m("power", "电源", 1, "套"), m("stove", "炉子", 1, "个"),
		m("coal", "煤炭", 50, "kg"), m("table", "桌子", 1, "张"), m("chairs", "椅子", 2, "把"),
		m("cordon", "警戒线", 50, "米"), m("thermometer", "体温枪", 2, "支"),
		m("disinfectant", "消毒液", 5, "瓶"), m("forms", "登记表", 1, "本"),
	}
	for i, it := range items {
		it.Position = i + 1
	}
	return items
}

// MaxChecklist bounds the lines of a checklist or of the template.
const MaxChecklist = 50

// ValidateChecklist checks the lines of a checklist template: 1 to
// MaxChecklist valid items with distinct keys and names. An error names
// the line as field "items.N.FIELD" (N from 0), so a form can show it
// beside the row. Positions follow the order given.
func ValidateChecklist(items []*ChecklistItem) error {
	if len(items) == 0 || len(items) > MaxChecklist {
		return FieldError("items", "a checklist has 1 to %d lines", MaxChecklist)
	}
	seen := map[string]bool{}
	for i, it := range items {
		if err := it.Validate(); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return &Error{Code: e.Code, Field: fmt.Sprintf("items.%d.%s", i, e.Field), Message: e.Message}
			}
			return err
		}
		if seen["key:"+it.Key] {
			return FieldError(fmt.Sprintf("items.%d.key", i), "the key %s is on two lines", it.Key)
		}
		if seen["name:"+it.Name] {
			return FieldError(fmt.Sprintf("items.%d.name", i), "the name %s is on two lines", it.Name)
		}
		seen["key:"+it.Key], seen["name:"+it.Name] = true, true
		it.Position = i + 1
	}
	return nil
}

// SetupGaps is what keeps a checkpoint from opening.
type SetupGaps struct {
	Items []*ChecklistItem `json:"items"` // not ready
	// Unstaffed is true when no shift with people and a leader (its own
	// or the post's) is on duty now or later.
	Unstaffed bool `json:"unstaffed"`
}

// None reports whether nothing keeps the checkpoint from opening.
func (g SetupGaps) None() bool { return len(g.Items) == 0 && !g.Unstaffed }

// Error returns an ECONFLICT error naming the gaps, nil when there are
// none.
func (g SetupGaps) Error() error {
	if g.None() {
		return nil
	}
	var parts []string
	for _, it := range g.Items {
		if it.Kind == ItemTask {
			parts = append(parts, it.Name)
		} else {
			parts = append(parts, fmt.Sprintf("%s %d/%d %s", it.Name, it.OnHand, it.Need, it.Unit))
		}
	}
	if g.Unstaffed {
		parts = append(parts, "no shift with a leader")
	}
	return Errorf(ECONFLICT, "the checkpoint cannot open yet: %s", strings.Join(parts, ", "))
}

// FindSetupGaps lists what keeps a checkpoint with these items and shifts
// from opening at now.
func FindSetupGaps(items []*ChecklistItem, shifts []*Shift, now time.Time) SetupGaps {
	g := SetupGaps{Items: []*ChecklistItem{}, Unstaffed: true}
	for _, it := range items {
		if !it.Ready() {
			g.Items = append(g.Items, it)
		}
	}
	for _, s := range shifts {
		if s.End.After(now) && len(s.Assignments) > 0 && (s.Leader() != nil || s.Post != nil && s.Post.LeaderID != 0) {
			g.Unstaffed = false
		}
	}
	return g
}

// CheckpointFilter selects checkpoints. Zero fields do not filter.
type CheckpointFilter struct {
	ID      *int64
	PlaceID *int64
	Under   *int64 // checkpoints of this node or any node under it
	Status  *CheckpointStatus
	Offset  int
	Limit   int
}

// CheckpointUpdate changes a checkpoint. Nil fields are left as they are.
type CheckpointUpdate struct {
	Name     *string
	Location *string
	Type     *CheckpointType
	Hours    *string
}

// CheckpointService keeps checkpoints, their setup, materials and the log
// of passages. Each checkpoint gets a post on the roster when it is
// created (RosterService), named, placed and retired with it: its shifts
// and the people on them are the roster's.
//
// Errors: ENOTFOUND for a checkpoint, item or node that does not exist or
// is outside the caller's scope; EFORBIDDEN without the permission
// (checkpoints.manage to create and set up, checkpoints.log to record
// passages, registry.read to read, reports.read or checkpoints.log for
// the passage log and counts; checkpoints.manage and a scope at a root to
// change the checklist template); EINVALID for a bad field or using more
// than is on hand; ECONFLICT for a duplicate name or item key, opening
// with gaps in the setup (the message lists them), or a passage at a
// checkpoint that is not open. A passage outside the opening hours is not
// an error: it is recorded as refused, with the reason.
type CheckpointService interface {
	// CreateCheckpoint adds a checkpoint being set up, with c.Checklist or,
	// when it is empty, the checklist template.
	CreateCheckpoint(ctx context.Context, c *Checkpoint) error
	FindCheckpointByID(ctx context.Context, id int64) (*Checkpoint, error)
	// FindCheckpoints returns matching checkpoints by place and name, and
	// the total before paging.
	FindCheckpoints(ctx context.Context, f CheckpointFilter) ([]*Checkpoint, int, error)
	UpdateCheckpoint(ctx context.Context, id int64, upd CheckpointUpdate) (*Checkpoint, error)
	// SetCheckpointStatus moves a checkpoint to status; opening needs
	// every checklist item ready and a shift of its post with people and a
	// leader.
	SetCheckpointStatus(ctx context.Context, id int64, status CheckpointStatus) (*Checkpoint, error)

	// AddChecklistItem adds a line to a checkpoint's checklist.
	AddChecklistItem(ctx context.Context, item *ChecklistItem) error
	// ChecklistTemplate returns the checklist new checkpoints get, in
	// order.
	ChecklistTemplate(ctx context.Context) ([]*ChecklistItem, error)
	// SetChecklistTemplate replaces the template with items (see
	// ValidateChecklist); checkpoints created earlier keep their lists. It
	// applies to the whole tree, so only a principal scoped at a root may
	// change it.
	SetChecklistTemplate(ctx context.Context, items []*ChecklistItem) error
	// SetTaskDone ticks a task off (or back on).
	SetTaskDone(ctx context.Context, itemID int64, done bool) (*ChecklistItem, error)
	// RecordMaterial adds a ledger entry and returns the item's balance.
	RecordMaterial(ctx context.Context, e *LedgerEntry) (*Balance, error)
	// Ledger returns a checkpoint's entries, oldest first, and balances.
	Ledger(ctx context.Context, checkpointID int64) (*Ledger, error)
	// Shortages returns the materials short at the checkpoints at or under
	// a node, by checkpoint.
	Shortages(ctx context.Context, placeID int64) ([]*Shortage, error)

	// RecordPassage decides a passage by the zones on both sides and
	// records it, allowed or refused, with the grounds.
	RecordPassage(ctx context.Context, p *Passage) error
	// FindPassages returns matching passages, newest first, and the total.
	FindPassages(ctx context.Context, f PassageFilter) ([]*Passage, int, error)
	// PassageCounts counts a checkpoint's passages per hour in [from, to).
	PassageCounts(ctx context.Context, checkpointID int64, from, to time.Time) ([]*HourCount, error)
}
