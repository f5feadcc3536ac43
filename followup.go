package frontline

import (
	"context"
	"strings"
	"time"
)

// FollowUpKind is what a follow-up item asks for.
type FollowUpKind string

// Follow-up kinds.
const (
	FollowUpTest   FollowUpKind = "test"          // a test on one day of the measure
	FollowUpReport FollowUpKind = "health_report" // temperature and symptoms
)

// FollowUpItem is one thing due for a person under a measure: a test on a day
// of the measure, or one of the day's health reports.
type FollowUpItem struct {
	ID          int64        `json:"id"`
	MeasureID   int64        `json:"measure_id"`
	CampaignID  int64        `json:"campaign_id"`
	PersonID    int64        `json:"person_id"`
	HouseholdID int64        `json:"household_id"`
	Kind        FollowUpKind `json:"kind"`
	Day         int          `json:"day"` // day of the measure, 1 = arrival day
	DueAt       time.Time    `json:"due_at"`
	DoneAt      time.Time    `json:"done_at,omitzero"`
	DoneBy      string       `json:"done_by,omitempty"`
	// A health report's reading, or a test's result ("negative",
	// "positive", "pending").
	Temperature float64   `json:"temperature,omitempty"`
	Symptoms    string    `json:"symptoms,omitempty"`
	Result      string    `json:"result,omitempty"`
	Abnormal    bool      `json:"abnormal"`
	HandledAt   time.Time `json:"handled_at,omitzero"`
	HandledBy   string    `json:"handled_by,omitempty"`
	Note        string    `json:"note,omitempty"`

	// Filled by finders.
	PersonName string     `json:"person_name,omitempty"`
	Address    string     `json:"address,omitempty"`
	Escalation Escalation `json:"escalation"`
}

// Done reports whether the item has been reported or tested.
func (f *FollowUpItem) Done() bool { return !f.DoneAt.IsZero() }

// FollowUpSettings are the times of follow-up work. Every value is a
// setting because the rules changed several times in 2020–22.
type FollowUpSettings struct {
	// Location is the local time zone the clock times are in.
	Location *time.Location
	// TestAt is when a day's test is due; ReportsAt when each of the day's
	// health reports is due (as many as a measure asks for, from the
	// first). Clock times "HH:MM".
	TestAt    string
	ReportsAt []string
	// Grace is how long after its due time an item becomes overdue.
	Grace time.Duration
	// EscalateAfter is how long an overdue or abnormal item may wait with
	// the household's assignee before it goes to the community secretary.
	EscalateAfter time.Duration
	// FeverAt is the temperature (°C) from which a reading is abnormal.
	FeverAt float64
	// SelfReportLead is how long before its due time a resident may enter
	// a health report through their link (see SelfReportItem).
	SelfReportLead time.Duration
}

// ChinaTime is UTC+8, the time of every Chinese city, without depending
// on the system's time zone database.
var ChinaTime = time.FixedZone("CST", 8*3600)

// DefaultFollowUpSettings: tests due at 10:00, reports at 08:00 and
// 18:00, two hours' grace, four hours with the assignee, fever from 37.3 °C;
// a resident may enter a report from four hours before it is due.
var DefaultFollowUpSettings = FollowUpSettings{
	Location: ChinaTime, TestAt: "10:00", ReportsAt: []string{"08:00", "18:00"},
	Grace: 2 * time.Hour, EscalateAfter: 4 * time.Hour, FeverAt: 37.3, SelfReportLead: 4 * time.Hour,
}

// at returns the time of clock "HH:MM" on day in the settings' zone.
func (s *FollowUpSettings) at(day, clock string) time.Time {
	t, err := time.ParseInLocation(DateLayout+" 15:04", day+" "+clock, s.Location)
	if err != nil {
		t, _ = time.ParseInLocation(DateLayout, day, s.Location)
	}
	return t.UTC()
}

// LocalDay returns the day (YYYY-MM-DD) of t in the settings' zone.
func (s *FollowUpSettings) LocalDay(t time.Time) string { return t.In(s.Location).Format(DateLayout) }

// PlanFollowUps returns the items of a new measure decided at decided:
// a test on each test day and the health reports of each day, from the
// decision on. Tests of days already past are merged into one catch-up
// test due at the decision, since a missed test is still needed but one
// sample answers for all of them; reports of past days are not asked for.
func PlanFollowUps(m *Measure, s FollowUpSettings, decided time.Time) []FollowUpItem {
	var out []FollowUpItem
	item := func(kind FollowUpKind, day int, due time.Time) FollowUpItem {
		return FollowUpItem{MeasureID: m.ID, CampaignID: m.CampaignID, PersonID: m.PersonID, HouseholdID: m.HouseholdID,
			Kind: kind, Day: day, DueAt: due}
	}
	caughtUp := false
	for i := len(m.TestDays) - 1; i >= 0; i-- {
		d := m.TestDays[i]
		due := s.at(AddDays(m.StartDate, d-1), s.TestAt)
		if due.Before(decided) {
			if !caughtUp {
				out = append(out, item(FollowUpTest, d, decided))
				caughtUp = true
			}
			continue
		}
		out = append(out, item(FollowUpTest, d, due))
	}
	days := DaysBetween(m.StartDate, m.EndDate) + 1
	for d := 1; d <= days; d++ {
		day := AddDays(m.StartDate, d-1)
		for i := 0; i < m.ReportsPerDay && i < len(s.ReportsAt); i++ {
			if due := s.at(day, s.ReportsAt[i]); !due.Before(decided) {
				out = append(out, item(FollowUpReport, d, due))
			}
		}
	}
	return out
}

// Escalation says who must act on a follow-up item now.
type Escalation int

// Escalation levels.
const (
	EscalationNone      Escalation = 0 // nothing to do yet, or done and normal, or handled
	EscalationAssignee  Escalation = 1 // overdue or abnormal: the household's assignee
	EscalationSecretary Escalation = 2 // not handled in time: the community secretary
)

// Escalate returns who must act on f at now: an item overdue past its
// grace, or done with an abnormal reading, goes to the household's
// assignee; when it is still not handled EscalateAfter later it goes to
// the community secretary. Handling (a call made, a doctor sent) ends it.
func Escalate(f *FollowUpItem, now time.Time, s FollowUpSettings) Escalation {
	if !f.HandledAt.IsZero() {
		return EscalationNone
	}
	var since time.Time
	switch {
	case f.Done() && f.Abnormal:
		since = f.DoneAt
	case !f.Done() && now.After(f.DueAt.Add(s.Grace)):
		since = f.DueAt.Add(s.Grace)
	default:
		return EscalationNone
	}
	if !now.Before(since.Add(s.EscalateAfter)) {
		return EscalationSecretary
	}
	return EscalationAssignee
}

// Abnormal reports whether a health reading or test result needs someone
// to act: a temperature at or above the fever line, any symptom, or a
// positive test.
func (s FollowUpSettings) Abnormal(temperature float64, symptoms, result string) bool {
	return temperature >= s.FeverAt || strings.TrimSpace(symptoms) != "" || result == "positive"
}

// MeasureCanEnd reports whether a measure may end at now: every test done
// and its last day over. A measure whose days are over but whose tests are
// not all done stays active, on the assignee's list.
func MeasureCanEnd(m *Measure, items []FollowUpItem, now time.Time, s FollowUpSettings) bool {
	if s.LocalDay(now) <= m.EndDate {
		return false
	}
	for i := range items {
		if items[i].Kind == FollowUpTest && !items[i].Done() {
			return false
		}
	}
	return true
}

// HealthReport is a reading entered by staff or by the resident.
type HealthReport struct {
	Temperature float64 `json:"temperature"`
	Symptoms    string  `json:"symptoms,omitempty"`
	Result      string  `json:"result,omitempty"` // for a test: negative, positive, pending
	Note        string  `json:"note,omitempty"`
}

// Validate checks a reading.
func (r *HealthReport) Validate(kind FollowUpKind) error {
	r.Symptoms, r.Note = strings.TrimSpace(r.Symptoms), strings.TrimSpace(r.Note)
	if err := CheckText("symptoms", r.Symptoms); err != nil {
		return err
	}
	if err := CheckText("note", r.Note); err != nil {
		return err
	}
	switch kind {
	case FollowUpReport:
		if r.Temperature < 34 || r.Temperature > 43 {
			return FieldError("temperature", "a body temperature is between 34 and 43 °C")
		}
	case FollowUpTest:
		if r.Result != "negative" && r.Result != "positive" && r.Result != "pending" {
			return FieldError("result", "a test result is negative, positive or pending")
		}
	}
	if len(r.Symptoms) > 500 || len(r.Note) > 500 {
		return FieldError("note", "the text is longer than 500 characters")
	}
	return nil
}

// FollowUpItemFilter selects follow-up items. Zero fields do not filter.
type FollowUpItemFilter struct {
	CampaignID *int64
	// CaseID selects the items of the measures of a case's contacts.
	CaseID   *int64
	Under    *int64 // households under this node
	PersonID *int64
	// Assignee limits to the households assigned to this user (directly
	// or through a team they belong to).
	Assignee *int64
	// MinEscalation selects items at this escalation level or above now.
	MinEscalation Escalation
	// DueBefore selects open items due before this time.
	DueBefore time.Time
	Open      bool // only items not done, or done abnormal and not handled
	Offset    int
	Limit     int
}

// FollowUpService keeps measures and their follow-up items.
//
// Errors: ENOTFOUND (unknown item, or outside the caller's scope),
// EINVALID (bad reading), ECONFLICT (an item already done, or a measure
// that cannot end yet), EFORBIDDEN (needs PermVisit to record,
// PermReadReports or PermVisit to read).
type FollowUpService interface {
	FindFollowUps(ctx context.Context, f FollowUpItemFilter) ([]*FollowUpItem, int, error)
	// RecordFollowUp enters a health report or a test result.
	RecordFollowUp(ctx context.Context, id int64, r HealthReport) (*FollowUpItem, error)
	// HandleFollowUp marks an escalated item as dealt with, with a note.
	HandleFollowUp(ctx context.Context, id int64, note string) (*FollowUpItem, error)
	// FindMeasures returns the measures of a person or household.
	FindMeasures(ctx context.Context, campaignID, householdID int64) ([]*Measure, error)
	// EndMeasures ends every active measure under a node that may end
	// (MeasureCanEnd) and returns how many it ended; campaign 0 ends the
	// measures of cases' contacts.
	EndMeasures(ctx context.Context, campaignID, under int64) (int, error)
}
