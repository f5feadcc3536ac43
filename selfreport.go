package frontline

import (
	"context"
	"time"
	"unicode/utf8"
)

// A resident under a measure has no account, yet the health reports of
// the measure may be "entered by staff or by the resident". Staff give the
// resident a link (SMS, WeChat) that opens a tiny public page for that one
// measure. The link carries a random secret of which only the hash is
// kept; it works while the measure is active and its days are not over,
// and making a new link for the measure ends the old one. Device tokens
// do not fit: they grant a role over a scope, through the whole API, and
// never expire on their own.

// SelfReportLink is a link through which a resident reports their own
// readings for one measure. The secret is returned once, when it is made.
type SelfReportLink struct {
	ID        int64     `json:"id"`
	MeasureID int64     `json:"measure_id"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	// LastDay is the measure's last day (YYYY-MM-DD): the link works until
	// that day is over.
	LastDay string `json:"last_day"`
}

// SelfReportSlot is one of today's health reports on the resident's page.
type SelfReportSlot struct {
	DueAt time.Time `json:"due_at"`
	// Opens is when a reading for it may first be entered.
	Opens time.Time `json:"opens"`
	Done  bool      `json:"done"`
	// Now says a reading entered now fills this slot.
	Now bool `json:"now"`
}

// SelfReportView is everything the resident's page shows. It is kept
// this small on purpose: the link may be forwarded or seen over a
// shoulder, so it names the person by one character and shows no ID
// number, phone or address.
type SelfReportView struct {
	Initial   string      `json:"initial"` // the first character of the name
	Type      MeasureType `json:"type"`
	StartDate string      `json:"start_date"`
	EndDate   string      `json:"end_date"`
	Day       int         `json:"day"`  // today's day of the measure, 1 = arrival day
	Days      int         `json:"days"` // how many days it lasts
	// Today are today's health reports; Open says one of them may be
	// entered now.
	Today []SelfReportSlot `json:"today"`
	Open  bool             `json:"open"`
	// Recorded is set on the answer to a reading: the slot it filled and
	// whether it needs someone's attention.
	Recorded *SelfReportSlot `json:"recorded,omitempty"`
	Abnormal bool            `json:"abnormal,omitempty"`
}

// Initial returns the first character of a name, the only part of it a
// resident's page shows.
func Initial(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	if size == 0 || r == utf8.RuneError {
		return ""
	}
	return string(r)
}

// SelfReportItem returns the index of the health report a resident's
// reading made at now fills, or -1 when none is open: the latest report
// of today (in the settings' zone) that is not done and is due no later
// than SelfReportLead from now. A reading says how the person is now, so
// it never fills a report of an earlier day, and a missed morning report
// stays missed (and escalated) once the evening one may be entered.
func SelfReportItem(items []FollowUpItem, now time.Time, s FollowUpSettings) int {
	today, best := s.LocalDay(now), -1
	for i := range items {
		it := &items[i]
		if it.Kind != FollowUpReport || it.Done() || s.LocalDay(it.DueAt) != today || it.DueAt.After(now.Add(s.SelfReportLead)) {
			continue
		}
		if best < 0 || it.DueAt.After(items[best].DueAt) {
			best = i
		}
	}
	return best
}

// SelfReportService lets a resident under a measure enter their own
// health reports through a link, without an account.
//
// Errors: EFORBIDDEN (making a link needs PermVisit), ENOTFOUND (a
// measure outside the caller's scope; a link that is unknown, replaced,
// or whose measure ended or whose days are over — all alike, so a guess
// learns nothing), ECONFLICT (no report is open now), EINVALID (a bad
// reading).
type SelfReportService interface {
	// CreateSelfReportLink makes the link of an active measure, ending any
	// earlier one, and returns it with its secret.
	CreateSelfReportLink(ctx context.Context, measureID int64) (*SelfReportLink, string, error)
	// SelfReport returns what the page of a link shows.
	SelfReport(ctx context.Context, secret string) (*SelfReportView, error)
	// RecordSelfReport enters a reading into the open report of today.
	RecordSelfReport(ctx context.Context, secret string, r HealthReport) (*SelfReportView, error)
}
