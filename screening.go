package frontline

import (
	"context"
	"strings"
	"time"
)

// CampaignStatus is where a screening campaign stands.
type CampaignStatus string

// Campaign statuses.
const (
	CampaignOpen   CampaignStatus = "open"
	CampaignClosed CampaignStatus = "closed"
)

// Question is what a screening campaign asks of every household: who
// arrived since a day from an area of at least a level. It is data, so the
// same campaign machinery serves the next outbreak's question.
type Question struct {
	ArrivedSince string    `json:"arrived_since"` // YYYY-MM-DD
	MinLevel     RiskLevel `json:"min_level"`
}

// Campaign is a door-to-door screening (摸排) of every household under a
// node. Opening it freezes the denominator: the households under the node
// at that moment, each of which must reach a final status before the
// campaign may close.
type Campaign struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	ScopeID  int64     `json:"scope_id"`
	Scope    *Place    `json:"scope,omitempty"`
	Question Question  `json:"question"`
	Deadline time.Time `json:"deadline"`
	// Cutoff is the daily time ("HH:MM", local) at which the day's figures
	// are reported upward; a report submitted after it counts for the
	// next day.
	Cutoff     string         `json:"cutoff"`
	Status     CampaignStatus `json:"status"`
	Households int            `json:"households"` // frozen at opening
	OpenedAt   time.Time      `json:"opened_at"`
	OpenedBy   string         `json:"opened_by"`
	ClosedAt   time.Time      `json:"closed_at,omitzero"`
	ClosedBy   string         `json:"closed_by,omitempty"`
}

// Validate normalizes and checks the fields a caller sets.
func (c *Campaign) Validate(now time.Time) error {
	c.Name = strings.TrimSpace(c.Name)
	if err := CheckLine("name", c.Name); err != nil {
		return err
	}
	if c.Name == "" || len([]rune(c.Name)) > 100 {
		return FieldError("name", "a campaign needs a name of at most 100 characters")
	}
	if c.ScopeID <= 0 {
		return FieldError("scope_id", "a campaign needs the place it screens")
	}
	if !validDate(c.Question.ArrivedSince) {
		return FieldError("arrived_since", "the question needs the first arrival day (YYYY-MM-DD)")
	}
	if c.Question.MinLevel == "" {
		c.Question.MinLevel = RiskMedium
	}
	if !c.Question.MinLevel.Valid() || c.Question.MinLevel == RiskNone {
		return FieldError("min_level", "the question's level is low, medium or high")
	}
	if c.Deadline.IsZero() || !c.Deadline.After(now) {
		return FieldError("deadline", "the deadline must be in the future")
	}
	if c.Cutoff == "" {
		c.Cutoff = "16:00"
	}
	if _, err := time.Parse("15:04", c.Cutoff); err != nil {
		return FieldError("cutoff", "the daily cut-off is a time HH:MM")
	}
	return nil
}

// ReportDate returns the day a report made at t counts for: the day of t
// in loc, or the next day when t is after the cut-off.
func (c *Campaign) ReportDate(t time.Time, loc *time.Location) string {
	local := t.In(loc)
	day := local.Format(DateLayout)
	if local.Format("15:04") > c.Cutoff {
		return AddDays(day, 1)
	}
	return day
}

// Assignee is who must reach a household: one grid worker or one team.
// Exactly one of UserID and TeamID is set.
type Assignee struct {
	UserID int64  `json:"user_id,omitempty"`
	TeamID int64  `json:"team_id,omitempty"`
	Name   string `json:"name,omitempty"` // filled by finders
}

// Validate checks that exactly one of the two is set.
func (a Assignee) Validate() error {
	if (a.UserID > 0) == (a.TeamID > 0) {
		return FieldError("assignee", "a household is assigned to exactly one grid worker or one team")
	}
	return nil
}

// Team is a group of workers sharing households, such as the sent-down
// cadres of a department. Opening a campaign makes one per community for
// the buildings no grid worker covers, so no household is left without an
// assignee.
type Team struct {
	ID         int64   `json:"id"`
	CampaignID int64   `json:"campaign_id"`
	Name       string  `json:"name"`
	Members    []int64 `json:"members"` // user ids
	// MemberNames are the members' names, in the order of Members; filled
	// by finders.
	MemberNames []string `json:"member_names,omitempty"`
	// Workers are members from the workers' registry: volunteers and
	// cadres sent down, with an account or without one. A worker whose
	// account may record visits is a member by that account too (in
	// Members). WorkerNames are their names, in order; filled by finders.
	Workers     []int64   `json:"workers,omitempty"`
	WorkerNames []string  `json:"worker_names,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// HouseholdStatus is where one household of a campaign stands: pending (never
// visited), not_home (visited, nobody answered: visit again) or one of the
// final outcomes.
type HouseholdStatus string

// HouseholdPending is the status of a household nobody has visited yet.
const HouseholdPending HouseholdStatus = "pending"

// Final reports whether the status closes the household for the campaign.
func (s HouseholdStatus) Final() bool { return Outcome(s).Final() }

// CampaignMember is one household of a campaign's frozen denominator.
type CampaignMember struct {
	CampaignID  int64           `json:"campaign_id"`
	HouseholdID int64           `json:"household_id"`
	Path        string          `json:"-"`
	BuildingID  int64           `json:"building_id"`
	Status      HouseholdStatus `json:"status"`
	Assignee    Assignee        `json:"assignee"`
	Visits      int             `json:"visits"`
	LastVisitAt time.Time       `json:"last_visit_at,omitzero"`
	// Since is when the household joined the denominator: the opening, or
	// when it was added later by AddedBy.
	Since     time.Time `json:"since"`
	AddedLate bool      `json:"added_late"`
	AddedBy   string    `json:"added_by,omitempty"`

	// Filled by finders: where the door is, in walking order.
	Building string `json:"building,omitempty"`
	Unit     string `json:"unit,omitempty"`
	Room     string `json:"room,omitempty"`
	Address  string `json:"address,omitempty"`
}

// Floor returns the floor of a room named like "501" or "1203" (the
// digits before the last two), or 0 when the name does not say.
func Floor(room string) int {
	n := 0
	digits := 0
	for _, r := range room {
		if r < '0' || r > '9' {
			break
		}
		n, digits = n*10+int(r-'0'), digits+1
	}
	if digits < 3 {
		return 0
	}
	return n / 100
}

// Coverage is the state of a campaign under one node: the maintained
// counters, equal to the sum of its children's.
type Coverage struct {
	PlaceID    int64     `json:"place_id"`
	Name       string    `json:"name"`
	Kind       PlaceKind `json:"kind"`
	Households int       `json:"households"` // in the denominator
	Screened   int       `json:"screened"`
	NotHome    int       `json:"not_home"` // visited, to visit again (still pending)
	Refused    int       `json:"refused"`
	Vacant     int       `json:"vacant"`
	MovedOut   int       `json:"moved_out"`
	Persons    int       `json:"persons"`     // persons recorded by counting visits
	NewPersons int       `json:"new_persons"` // found at the door, not in the registry
	// Returnees are persons who arrived since the question's day, by the
	// level of the area they came from.
	ReturneesHigh   int `json:"returnees_high"`
	ReturneesMedium int `json:"returnees_medium"`
	ReturneesLow    int `json:"returnees_low"`
	Isolation       int `json:"isolation"`
	Monitoring      int `json:"monitoring"`
}

// Pending is the households without a final status.
func (c *Coverage) Pending() int { return c.Households - c.Screened - c.Excused() }

// Excused is the households closed without a screening: refused (with the
// reason), vacant, moved out.
func (c *Coverage) Excused() int { return c.Refused + c.Vacant + c.MovedOut }

// Add adds o's counters to c.
func (c *Coverage) Add(o *Coverage) {
	c.Households += o.Households
	c.Screened += o.Screened
	c.NotHome += o.NotHome
	c.Refused += o.Refused
	c.Vacant += o.Vacant
	c.MovedOut += o.MovedOut
	c.Persons += o.Persons
	c.NewPersons += o.NewPersons
	c.ReturneesHigh += o.ReturneesHigh
	c.ReturneesMedium += o.ReturneesMedium
	c.ReturneesLow += o.ReturneesLow
	c.Isolation += o.Isolation
	c.Monitoring += o.Monitoring
}

// Counters returns the counters without the node's identity, for
// comparing two coverages.
func (c Coverage) Counters() Coverage {
	c.PlaceID, c.Name, c.Kind = 0, "", ""
	return c
}

// Gap is one door not reached yet.
type Gap struct {
	HouseholdID int64           `json:"household_id"`
	Address     string          `json:"address"`
	BuildingID  int64           `json:"building_id"`
	Building    string          `json:"building"`
	Unit        string          `json:"unit,omitempty"`
	Room        string          `json:"room"`
	Assignee    Assignee        `json:"assignee"`
	Status      HouseholdStatus `json:"status"`
	Visits      int             `json:"visits"`
	LastVisitAt time.Time       `json:"last_visit_at,omitzero"`
	Since       time.Time       `json:"since"`
	// Waiting is how long the door has waited, at the time of the query.
	Waiting time.Duration `json:"waiting_ns"`
	// Responsible is who answers for the household today: its responsible
	// worker, or their cover when they are off (ResponsibleWorkers); nil
	// when nobody is.
	Responsible *WorkerRef `json:"responsible,omitempty"`
}

// CampaignMemberFilter selects households of a campaign. Zero fields do not filter.
type CampaignMemberFilter struct {
	Under *int64
	// Assignee selects the households of a user, directly or through a
	// team they belong to.
	Assignee    *int64
	TeamID      *int64
	HouseholdID *int64
	OnlyPending bool
	Offset      int
	Limit       int
}

// CampaignFilter selects campaigns. Zero fields do not filter.
type CampaignFilter struct {
	Status *CampaignStatus
	Under  *int64 // campaigns whose scope is at or under this node
	Offset int
	Limit  int
}

// CampaignService runs screening campaigns.
//
// Opening, assigning, adding households and closing need
// PermManageScreening; reading coverage, gaps and reports needs
// PermReadReports; a grid worker with PermVisit reads their own
// households. Everything is limited to the caller's scope.
//
// Errors: EINVALID (bad field), ENOTFOUND (unknown campaign, node or
// household, or outside the scope), EFORBIDDEN, ECONFLICT (a closed
// campaign; closing with households not final — the message says how many
// and under which nodes; a household already in the denominator).
type CampaignService interface {
	// OpenCampaign creates the campaign, freezes its denominator, assigns
	// every household by building and sets up the counters.
	OpenCampaign(ctx context.Context, c *Campaign) error
	FindCampaignByID(ctx context.Context, id int64) (*Campaign, error)
	FindCampaigns(ctx context.Context, f CampaignFilter) ([]*Campaign, int, error)
	// CloseCampaign closes a campaign whose households are all final.
	CloseCampaign(ctx context.Context, id int64) (*Campaign, error)

	// NewHouseholds lists households under the scope created since
	// opening and not yet in the denominator.
	NewHouseholds(ctx context.Context, campaignID int64) ([]*Place, error)
	// AddHouseholds adds households to the denominator, recording who
	// added them and when; they are assigned like the others.
	AddHouseholds(ctx context.Context, campaignID int64, householdIDs []int64) (int, error)

	// FindMembers lists households in walking order (building, unit,
	// floor, room).
	FindMembers(ctx context.Context, campaignID int64, f CampaignMemberFilter) ([]*CampaignMember, int, error)
	// Assign gives households, or every household under a node, to one
	// assignee. Every household keeps exactly one.
	Assign(ctx context.Context, campaignID int64, householdIDs []int64, under int64, to Assignee) (int, error)
	// CreateTeam adds a team to an open campaign. Each member must be an
	// enabled user who may record visits, working inside the campaign's
	// scope and the caller's (EINVALID on field user_id otherwise); each
	// worker a worker of the caller's scope who still works (EINVALID on
	// field worker_id otherwise).
	CreateTeam(ctx context.Context, t *Team) error
	FindTeams(ctx context.Context, campaignID int64) ([]*Team, error)
	// Workers lists the users households of the campaign may be given:
	// enabled, allowed to record visits, their scope inside both the
	// campaign's and the caller's.
	Workers(ctx context.Context, campaignID int64) ([]Assignee, error)

	// Coverage returns the counters of a node and of each of its children.
	Coverage(ctx context.Context, campaignID, placeID int64) (*Coverage, []*Coverage, error)
	// Gaps returns the doors not reached under a node, by assignee and
	// building, with how long each has waited, and the total.
	Gaps(ctx context.Context, campaignID, placeID int64, f CampaignMemberFilter) ([]*Gap, int, error)
	// GapsByAssignee counts the doors not reached under a node for each
	// assignee, the longest waiting first.
	GapsByAssignee(ctx context.Context, campaignID, placeID int64) ([]*AssigneeGaps, error)
}

// AssigneeGaps is one assignee's share of a gap list.
type AssigneeGaps struct {
	Assignee Assignee  `json:"assignee"`
	Pending  int       `json:"pending"`
	NotHome  int       `json:"not_home"` // of which visited without answer
	Oldest   time.Time `json:"oldest"`   // since when the longest-waiting door waits
}
