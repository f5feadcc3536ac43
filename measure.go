package frontline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// MeasureType is what a person must do after screening (管控措施).
type MeasureType string

// Measure types. MeasureNone is the decision that nothing is needed; it
// is recorded on the visit but creates no measure.
const (
	MeasureNone       MeasureType = "none"
	MeasureIsolation  MeasureType = "home_isolation"    // 居家隔离
	MeasureMonitoring MeasureType = "health_monitoring" // 居家健康监测
	// MeasureCentral is centralised isolation (集中隔离) in a facility: the
	// person is transferred there. Only the contact rules of a case give it.
	MeasureCentral MeasureType = "central_isolation"
)

// MeasureLabels maps each type to its Chinese name.
var MeasureLabels = map[MeasureType]string{
	MeasureNone: "无需管控", MeasureIsolation: "居家隔离", MeasureMonitoring: "居家健康监测", MeasureCentral: "集中隔离",
}

// MeasureSpec says what a measure asks: how many days from arrival (the
// arrival day is day 1), tests on which of those days, and health reports
// how many times a day.
type MeasureSpec struct {
	Type          MeasureType `json:"type"`
	Days          int         `json:"days,omitempty"`
	TestDays      []int       `json:"test_days,omitempty"`
	ReportsPerDay int         `json:"reports_per_day,omitempty"`
}

// MeasureRule maps a traveller to a measure: someone from an area of MinLevel or
// higher who arrived fewer than WithinDays days ago gets Measure.
type MeasureRule struct {
	MinLevel   RiskLevel   `json:"min_level"`
	WithinDays int         `json:"within_days"`
	Measure    MeasureSpec `json:"measure"`
}

// ContactRule gives the contacts of a case of one kind their measure: the
// household of a positive goes to centralised isolation, the rest of the
// unit stays home, and so on. The days count from the day the case was
// confirmed (day 1).
type ContactRule struct {
	Kind    ContactKind `json:"kind"`
	Measure MeasureSpec `json:"measure"`
}

// MeasureRules is one version of the classification rules. Rules are tried in
// order and the first that matches decides; no match is MeasureNone.
// Contacts are the measures of a case's contacts, by kind; a kind without
// a rule gets none. Saving rules makes a new version; old versions stay,
// so every measure names the version that decided it.
type MeasureRules struct {
	ID        int64         `json:"id"`
	Version   int           `json:"version"`
	Note      string        `json:"note,omitempty"`
	Rules     []MeasureRule `json:"rules"`
	Contacts  []ContactRule `json:"contacts"`
	CreatedAt time.Time     `json:"created_at"`
	CreatedBy string        `json:"created_by"`
}

// DefaultContactRules are the contact measures of the ninth edition of the
// national plan (June 2022, FIELD.md): the household of a case, its close
// contacts at home, to centralised isolation for 7 days with tests on days
// 1, 2, 3, 5 and 7; the others of the positive pool, who stood in the same
// queue, under health monitoring for 7 days; the rest of the unit at home
// for 7 days; the rest of the building under health monitoring. Each is
// data: a new version of the rules changes them.
func DefaultContactRules() []ContactRule {
	return []ContactRule{
		{Kind: ContactHousehold, Measure: MeasureSpec{Type: MeasureCentral, Days: 7, TestDays: []int{1, 2, 3, 5, 7}, ReportsPerDay: 2}},
		{Kind: ContactPool, Measure: MeasureSpec{Type: MeasureMonitoring, Days: 7, TestDays: []int{3, 7}, ReportsPerDay: 2}},
		{Kind: ContactUnit, Measure: MeasureSpec{Type: MeasureIsolation, Days: 7, TestDays: []int{1, 2, 3, 5, 7}, ReportsPerDay: 2}},
		{Kind: ContactBuilding, Measure: MeasureSpec{Type: MeasureMonitoring, Days: 7, TestDays: []int{1, 7}, ReportsPerDay: 2}},
	}
}

// ContactMeasure returns the measure of a contact of kind k, MeasureNone
// when the rules give that kind none.
func (rs *MeasureRules) ContactMeasure(k ContactKind) MeasureSpec {
	for _, r := range rs.Contacts {
		if r.Kind == k {
			return r.Measure
		}
	}
	return MeasureSpec{Type: MeasureNone}
}

// DefaultMeasureRules are the rules of FIELD.md (2022 practice): home isolation
// for 7 days with tests on days 1, 2, 3, 5 and 7 after a high-risk area,
// home health monitoring for 14 days with tests on days 7 and 14 after a
// medium-risk one; temperature and symptoms reported morning and evening;
// and the contact rules of DefaultContactRules.
func DefaultMeasureRules() MeasureRules {
	return MeasureRules{Note: "FIELD.md defaults", Rules: []MeasureRule{
		{MinLevel: RiskHigh, WithinDays: 7, Measure: MeasureSpec{Type: MeasureIsolation, Days: 7, TestDays: []int{1, 2, 3, 5, 7}, ReportsPerDay: 2}},
		{MinLevel: RiskMedium, WithinDays: 14, Measure: MeasureSpec{Type: MeasureMonitoring, Days: 14, TestDays: []int{7, 14}, ReportsPerDay: 2}},
	}, Contacts: DefaultContactRules()}
}

// Validate checks every rule. Centralised isolation is a measure for the
// contacts of a case only: a traveller's is decided at the door, where
// nobody arranges a transfer.
func (rs *MeasureRules) Validate() error {
	if len(rs.Rules) == 0 {
		return FieldError("rules", "a rule set needs at least one rule")
	}
	for i := range rs.Rules {
		if rs.Rules[i].Measure.Type == MeasureCentral {
			return FieldError("rules", "rule %d: centralised isolation is given to the contacts of a case only", i+1)
		}
		if err := rs.Rules[i].validate(); err != nil {
			return FieldError("rules", "rule %d: %s", i+1, ErrorMessage(err))
		}
	}
	seen := map[ContactKind]bool{}
	for i := range rs.Contacts {
		c := &rs.Contacts[i]
		if !c.Kind.Valid() {
			return FieldError("contacts", "contact rule %d: unknown contact kind %q (household, pool, unit, building)", i+1, c.Kind)
		}
		if seen[c.Kind] {
			return FieldError("contacts", "contact rule %d: the kind %s has two rules", i+1, c.Kind)
		}
		seen[c.Kind] = true
		if err := c.Measure.validate(); err != nil {
			return FieldError("contacts", "contact rule %d: %s", i+1, ErrorMessage(err))
		}
	}
	return nil
}

func (r *MeasureRule) validate() error {
	switch {
	case !r.MinLevel.Valid() || r.MinLevel == RiskNone:
		return Errorf(EINVALID, "the level must be low, medium or high")
	case r.WithinDays < 1 || r.WithinDays > 60:
		return Errorf(EINVALID, "the window must be 1 to 60 days")
	}
	return r.Measure.validate()
}

func (m *MeasureSpec) validate() error {
	switch {
	case MeasureLabels[m.Type] == "":
		return Errorf(EINVALID, "unknown measure %q", m.Type)
	case m.Type != MeasureNone && (m.Days < 1 || m.Days > 60):
		return Errorf(EINVALID, "a measure lasts 1 to 60 days")
	case m.ReportsPerDay < 0 || m.ReportsPerDay > 4:
		return Errorf(EINVALID, "0 to 4 health reports a day")
	}
	slices.Sort(m.TestDays)
	m.TestDays = slices.Compact(m.TestDays)
	for _, d := range m.TestDays {
		if d < 1 || d > m.Days {
			return Errorf(EINVALID, "test day %d is outside the %d days of the measure", d, m.Days)
		}
	}
	return nil
}

// Travel is where a person came from: an area of the risk list (by code
// or name), the day they arrived and how.
type Travel struct {
	AreaCode  string `json:"area_code,omitempty"`
	AreaName  string `json:"area_name,omitempty"`
	ArrivedOn string `json:"arrived_on"` // YYYY-MM-DD
	Means     string `json:"means,omitempty"`
	Detail    string `json:"detail,omitempty"` // train number, flight, plate
}

// TravelMeans are the usual ways of arriving; others are kept as written.
var TravelMeans = []string{"train", "plane", "car", "bus", "other"}

// TravelMeansLabels maps each usual way of arriving to the word reports
// use.
var TravelMeansLabels = map[string]string{"train": "火车", "plane": "飞机", "car": "自驾", "bus": "客车", "other": "其他"}

// Validate normalizes and checks a travel declaration; today bounds the
// arrival day.
func (t *Travel) Validate(today string) error {
	t.AreaCode = strings.TrimSpace(FoldWidth(t.AreaCode))
	t.AreaName = CleanName(t.AreaName)
	t.Detail = strings.TrimSpace(t.Detail)
	if err := CheckLines("travel.area", t.AreaCode, "travel.area", t.AreaName, "travel.detail", t.Detail); err != nil {
		return err
	}
	if t.AreaCode == "" && t.AreaName == "" {
		return FieldError("travel.area", "say which area the person came from")
	}
	if t.AreaCode != "" && !allDigits(t.AreaCode) {
		return FieldError("travel.area_code", "an area code has only digits")
	}
	if !validDate(t.ArrivedOn) || t.ArrivedOn > today {
		return FieldError("travel.arrived_on", "the arrival day must be a date (YYYY-MM-DD) not after today")
	}
	if len(t.Detail) > 200 || len(t.Means) > 20 {
		return FieldError("travel.detail", "the travel details are too long")
	}
	return nil
}

// Decision is the outcome of classifying one person.
type Decision struct {
	Level       RiskLevel   `json:"level"` // of the area on the arrival day
	Measure     MeasureSpec `json:"measure"`
	RuleVersion int         `json:"rule_version"`
	MeasureRule int         `json:"rule,omitempty"` // 1-based index of the rule that matched; 0 for none
	Start, End  string      `json:"-"`              // first and last day of the measure
}

// Classify decides the measure of a traveller: the level of their area on
// the day they arrived (risk must be the list as it stood that day), the
// days since then, and the first matching rule. A person without travel
// gets MeasureNone. The rule set's version is part of the decision.
func Classify(t *Travel, risk RiskMap, rules *MeasureRules, today string) Decision {
	d := Decision{Level: RiskNone, Measure: MeasureSpec{Type: MeasureNone}, RuleVersion: rules.Version}
	if t == nil {
		return d
	}
	d.Level = risk.Level(t.AreaCode, t.AreaName)
	since := DaysBetween(t.ArrivedOn, today)
	for i, r := range rules.Rules {
		if d.Level.AtLeast(r.MinLevel) && since < r.WithinDays {
			d.Measure, d.MeasureRule = r.Measure, i+1
			break
		}
	}
	if d.Measure.Type != MeasureNone {
		d.Start, d.End = t.ArrivedOn, AddDays(t.ArrivedOn, d.Measure.Days-1)
	}
	return d
}

// DaysBetween returns the whole days from day a to day b (YYYY-MM-DD),
// negative when b is earlier; 0 for a malformed day.
func DaysBetween(a, b string) int {
	ta, err1 := time.Parse(DateLayout, a)
	tb, err2 := time.Parse(DateLayout, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// AddDays returns day shifted by n days.
func AddDays(day string, n int) string {
	t, err := time.Parse(DateLayout, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(DateLayout)
}

// MeasureStatus is where a measure stands.
type MeasureStatus string

// Measure statuses. A measure is superseded when a later final visit of
// the household classifies its person again.
const (
	MeasureActive     MeasureStatus = "active"
	MeasureEnded      MeasureStatus = "ended"
	MeasureSuperseded MeasureStatus = "superseded"
)

// Measure is what one person was told to do, as one rule version decided.
type Measure struct {
	ID            int64         `json:"id"`
	CampaignID    int64         `json:"campaign_id"`
	VisitID       int64         `json:"visit_id"`
	PersonID      int64         `json:"person_id"`
	HouseholdID   int64         `json:"household_id"`
	Type          MeasureType   `json:"type"`
	Level         RiskLevel     `json:"level"`
	StartDate     string        `json:"start_date"`
	EndDate       string        `json:"end_date"`
	TestDays      []int         `json:"test_days,omitempty"`
	ReportsPerDay int           `json:"reports_per_day"`
	RuleVersion   int           `json:"rule_version"`
	Status        MeasureStatus `json:"status"`
	CreatedAt     time.Time     `json:"created_at"`
	EndedAt       time.Time     `json:"ended_at,omitzero"`
	// CaseID is set for the measure of a case's contact, which belongs to
	// no campaign (CampaignID and VisitID are 0).
	CaseID int64 `json:"case_id,omitempty"`
}

// String describes the measure for lists: "居家隔离 2026-01-03…2026-01-09".
func (m *Measure) String() string {
	return fmt.Sprintf("%s %s…%s", MeasureLabels[m.Type], m.StartDate, m.EndDate)
}

// MeasureRuleService keeps the versions of the classification rules. Saving
// needs PermManageScreening.
//
// Errors: EINVALID, EFORBIDDEN, ENOTFOUND (no such version).
type MeasureRuleService interface {
	// SaveRules stores rs as the next version, which decides from now on.
	SaveRules(ctx context.Context, rs *MeasureRules) error
	// CurrentRules returns the newest version, or DefaultMeasureRules saved as
	// version 1 when none was ever saved.
	CurrentRules(ctx context.Context) (*MeasureRules, error)
	// FindRules returns every version, newest first.
	FindRules(ctx context.Context) ([]*MeasureRules, error)
}
