package frontline

import (
	"context"
	"fmt"
	"time"
)

// The daily report (日报): one set of figures per node and day, taken from
// every workflow that exists, with the node's children as rows. A day's
// report covers the day up to the node's cut-off (截至 16 时); after the
// cut-off the report is kept as it then was, and a submitted report never
// changes again.

// DefaultCutOff is the cut-off of a node when neither it nor a node above
// it set one.
const DefaultCutOff = "16:00"

// DailySectionKey names one workflow's section of the daily report.
type DailySectionKey string

// The sections, in the order a report shows them. A workflow not yet built
// has no section: a report shows nothing for it, never zeros.
const (
	DailyScreening   DailySectionKey = "screening"
	DailyTesting     DailySectionKey = "testing"
	DailyCases       DailySectionKey = "cases"
	DailyZones       DailySectionKey = "zones"
	DailyCheckpoints DailySectionKey = "checkpoints"
	DailyWorkforce   DailySectionKey = "workforce"
	DailySupplies    DailySectionKey = "supplies"
	DailyHelp        DailySectionKey = "help"
	DailyMedicine    DailySectionKey = "medicine"
	DailyVulnerable  DailySectionKey = "vulnerable"
)

// DailySectionColumns lists the figures of each section, by key; the
// report and the pages name them from these keys.
var DailySectionColumns = map[DailySectionKey][]string{
	DailyScreening:   {"households", "screened", "pending", "returnees", "isolation", "monitoring"},
	DailyTesting:     {"expected", "sampled", "excused", "not_sampled", "awaiting", "positive"},
	DailyCases:       {"new_cases", "total_cases", "active_cases", "contacts", "transfers_open"},
	DailyZones:       {"sealed", "controlled", "precaution", "sealed_households", "sealed_residents"},
	DailyCheckpoints: {"open", "setting_up", "passages", "refused"},
	DailyWorkforce:   {"workers", "on_duty", "places_short", "no_shows"},
	// Supplies: the households of the distributions (保供包) under way or
	// closed in the day, those delivered, those still to serve, the
	// deliveries of the day, and the orders delivered in the day.
	DailySupplies: {"households", "delivered", "pending", "delivered_today", "orders_delivered"},
	// Urgent help: requests opened in the day, those whose time to
	// acknowledge ran out in the day before anyone did, those resolved in
	// the day, and those open at the report's moment.
	DailyHelp: {"opened", "acked_late", "resolved", "open"},
	// Medicine: requests made, filled and delivered in the day; chronic
	// requests past their target and not delivered at the report's moment.
	DailyMedicine:   {"requests", "filled", "delivered", "late"},
	DailyVulnerable: {"vulnerable", "with_contact", "checked", "not_checked"},
}

// DailySectionOrder is the order of the sections.
var DailySectionOrder = []DailySectionKey{DailyScreening, DailyTesting, DailyCases, DailyZones, DailyCheckpoints, DailyWorkforce,
	DailySupplies, DailyHelp, DailyMedicine, DailyVulnerable}

// DailyStatus is where a day's report stands.
type DailyStatus string

// Daily report statuses.
const (
	DailyLive      DailyStatus = "live"      // the day is not over: figures as of now
	DailyKept      DailyStatus = "kept"      // kept as it was at the cut-off
	DailySubmitted DailyStatus = "submitted" // sent upward; never changes again
)

// DailyRow is one line of a section: a child node, or the node itself
// (PlaceID of the node, Own set) for what hangs on it directly.
type DailyRow struct {
	PlaceID int64  `json:"place_id"`
	Name    string `json:"name"`
	Own     bool   `json:"own,omitempty"`
	Values  []int  `json:"values"`
	// Yesterday holds the row's figures in the report of the day before,
	// nil when that report did not have this row.
	Yesterday []int `json:"yesterday,omitempty"`
}

// Change returns the change of figure i since yesterday, and false when
// yesterday's figure is not known.
func (r *DailyRow) Change(i int) (int, bool) {
	if r.Yesterday == nil || i >= len(r.Yesterday) || i >= len(r.Values) {
		return 0, false
	}
	return r.Values[i] - r.Yesterday[i], true
}

// DailySection is one workflow's figures: a row per child node (and one
// for the node's own, when it has any), and their total.
type DailySection struct {
	Key     DailySectionKey `json:"key"`
	Columns []string        `json:"columns"`
	Rows    []DailyRow      `json:"rows"`
	Total   DailyRow        `json:"total"`
}

// Sum sets the total to the sum of the rows: a parent is the sum of its
// children, by construction.
func (s *DailySection) Sum() {
	s.Total.Values = make([]int, len(s.Columns))
	var y []int
	for _, r := range s.Rows {
		for i, v := range r.Values {
			s.Total.Values[i] += v
		}
		if r.Yesterday != nil {
			if y == nil {
				y = make([]int, len(s.Columns))
			}
			for i, v := range r.Yesterday {
				y[i] += v
			}
		}
	}
	if s.Total.Yesterday == nil {
		s.Total.Yesterday = y
	}
}

// Section returns the section of key, or nil.
func (r *DailyReport) Section(key DailySectionKey) *DailySection {
	for i := range r.Sections {
		if r.Sections[i].Key == key {
			return &r.Sections[i]
		}
	}
	return nil
}

// DailyReport is the daily report of a node.
type DailyReport struct {
	ID     int64       `json:"id,omitempty"`
	Place  *Place      `json:"place"`
	Day    string      `json:"day"`
	CutOff string      `json:"cut_off"`
	From   time.Time   `json:"from"`
	To     time.Time   `json:"to"`
	Status DailyStatus `json:"status"`
	// TakenAt is when the figures were read: now for a live report, the
	// cut-off (or just after) for one kept.
	TakenAt     time.Time      `json:"taken_at"`
	SubmittedAt *time.Time     `json:"submitted_at,omitempty"`
	SubmittedBy string         `json:"submitted_by,omitempty"`
	Sections    []DailySection `json:"sections"`
}

// DailyWindow returns the window of day's report at cut-off HH:MM in loc:
// from the day before's cut-off to the day's.
func DailyWindow(day, cutOff string, loc *time.Location) (from, to time.Time, err error) {
	to, err = time.ParseInLocation(DateLayout+" 15:04", day+" "+cutOff, loc)
	if err != nil {
		return time.Time{}, time.Time{}, Errorf(EINVALID, "%q at %q is not a day and a time", day, cutOff)
	}
	return to.AddDate(0, 0, -1), to, nil
}

// DailyDay returns the day whose report covers t at cut-off HH:MM: the
// day of t, or the next day once t is past the cut-off.
func DailyDay(t time.Time, cutOff string, loc *time.Location) string {
	local := t.In(loc)
	day := local.Format(DateLayout)
	if local.Format("15:04") >= cutOff {
		return AddDays(day, 1)
	}
	return day
}

// CheckCutOff checks a cut-off time, HH:MM.
func CheckCutOff(s string) error {
	if _, err := time.Parse("15:04", s); err != nil || len(s) != 5 {
		return FieldError("cut_off", "the cut-off is a time of day such as 16:00, not %q", s)
	}
	return nil
}

// DailyReportService builds, keeps and submits daily reports. Reading
// needs PermReadReports; setting a cut-off and submitting too. Errors:
// ENOTFOUND for a node outside the caller's scope or a past day whose
// report was not kept, EINVALID for a bad day or cut-off, ECONFLICT for a
// report submitted twice.
type DailyReportService interface {
	// DailyReport returns the report of a node for day ("" for the current
	// one): the stored report when the day's was kept or submitted, else
	// the figures as of now, with yesterday's figures beside them.
	DailyReport(ctx context.Context, placeID int64, day string) (*DailyReport, error)
	// DailyReportDays lists the days a node has a kept or submitted report,
	// newest first, at most limit.
	DailyReportDays(ctx context.Context, placeID int64, limit int) ([]DailyReportDay, error)
	// SubmitDailyReport submits a node's report of day: the kept one as it
	// was, or the figures as of now for the current day.
	SubmitDailyReport(ctx context.Context, placeID int64, day string) (*DailyReport, error)
	// SetCutOff sets the cut-off of a node and of the nodes below it that
	// set none.
	SetCutOff(ctx context.Context, placeID int64, cutOff string) error
	// CutOff returns the cut-off in force at a node.
	CutOff(ctx context.Context, placeID int64) (string, error)
	// KeepDailyReports keeps, for every node from the city down to the
	// communities, the report of each day whose cut-off has passed and
	// none was kept; it returns how many it kept. The serve loop calls it.
	KeepDailyReports(ctx context.Context) (int, error)
}

// DailyReportDay is one stored report in a list.
type DailyReportDay struct {
	Day         string      `json:"day"`
	Status      DailyStatus `json:"status"`
	TakenAt     time.Time   `json:"taken_at"`
	SubmittedBy string      `json:"submitted_by,omitempty"`
}

// String names a report in messages.
func (r *DailyReport) String() string { return fmt.Sprintf("%s %s", r.Place.Name, r.Day) }
