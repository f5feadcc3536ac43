package frontline

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Outcome is what a visit to a household found.
type Outcome string

// Visit outcomes. Screened, refused, vacant and moved out are final: the
// household is done for the campaign. Refused is final because asking
// again at the same door rarely helps and the secretary must take it up
// (the report lists refusals by name), so it needs a note saying why.
// Not home is not final: the door stays on the gap list to be visited
// again.
const (
	OutcomeScreened Outcome = "screened"
	OutcomeNotHome  Outcome = "not_home"
	OutcomeRefused  Outcome = "refused"
	OutcomeVacant   Outcome = "vacant"
	OutcomeMovedOut Outcome = "moved_out"
)

// Outcomes lists every outcome in the order a phone shows them.
var Outcomes = []Outcome{OutcomeScreened, OutcomeNotHome, OutcomeRefused, OutcomeVacant, OutcomeMovedOut}

// OutcomeLabels maps each outcome to its Chinese name.
var OutcomeLabels = map[Outcome]string{
	OutcomeScreened: "已排查", OutcomeNotHome: "无人在家", OutcomeRefused: "拒绝配合",
	OutcomeVacant: "空置房", OutcomeMovedOut: "已搬离",
}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes, o) }

// Final reports whether the outcome closes the household for the campaign.
func (o Outcome) Final() bool { return o.Valid() && o != OutcomeNotHome }

// HealthState is how a person was found at the door.
type HealthState string

// Health states.
const (
	HealthNormal   HealthState = "normal"
	HealthFever    HealthState = "fever"
	HealthSymptoms HealthState = "symptoms" // cough, sore throat, loss of taste ...
)

// HealthStateLabels maps each health state to the words reports use.
var HealthStateLabels = map[HealthState]string{HealthNormal: "正常", HealthFever: "发热", HealthSymptoms: "有症状"}

// Visit is one call at a household's door. ClientID is made by the phone
// (a UUID) when the visit is recorded, before it is sent: a phone that
// resends after losing its connection sends the same id, and the visit is
// recorded once.
type Visit struct {
	ID          int64     `json:"id"`
	CampaignID  int64     `json:"campaign_id"`
	HouseholdID int64     `json:"household_id"`
	ClientID    string    `json:"client_id"`
	Outcome     Outcome   `json:"outcome"`
	Note        string    `json:"note,omitempty"`
	VisitedAt   time.Time `json:"visited_at"`  // on the phone's clock
	RecordedAt  time.Time `json:"recorded_at"` // when the server got it
	Visitor     string    `json:"visitor"`
	VisitorID   int64     `json:"visitor_id,omitempty"`
	// Persons are the household's people as found: registered persons by
	// id, and people not in the registry with New set.
	Persons []VisitPerson `json:"persons,omitempty"`
	// Duplicate is set on the answer to a resend: the visit was recorded
	// before and nothing new was written.
	Duplicate bool `json:"duplicate,omitempty"`
}

// VisitPerson is one person as a visit found them.
type VisitPerson struct {
	PersonID int64 `json:"person_id,omitempty"`
	// New describes a person found living there who is not in the
	// registry; the visit adds them to the household.
	New         *Person     `json:"new,omitempty"`
	Present     bool        `json:"present"`
	Travel      *Travel     `json:"travel,omitempty"`
	Health      HealthState `json:"health,omitempty"`
	Temperature float64     `json:"temperature,omitempty"`
	// Set by RecordVisit.
	Level     RiskLevel   `json:"level,omitempty"`
	Measure   MeasureType `json:"measure,omitempty"`
	MeasureID int64       `json:"measure_id,omitempty"`
	Name      string      `json:"name,omitempty"`
}

// Validate normalizes and checks a visit; now bounds its time.
func (v *Visit) Validate(now time.Time, today string) error {
	v.ClientID = strings.ToLower(strings.TrimSpace(v.ClientID))
	v.Note = strings.TrimSpace(v.Note)
	if err := CheckText("note", v.Note); err != nil {
		return err
	}
	if !ValidUUID(v.ClientID) {
		return FieldError("client_id", "a visit needs the client id its phone gave it (a UUID)")
	}
	if !v.Outcome.Valid() {
		return FieldError("outcome", "unknown outcome %q", v.Outcome)
	}
	if v.Outcome == OutcomeRefused && v.Note == "" {
		return FieldError("note", "say why the household refused; the secretary follows it up")
	}
	if len(v.Note) > 1000 {
		return FieldError("note", "the note is longer than 1000 characters")
	}
	if v.VisitedAt.IsZero() || v.VisitedAt.After(now.Add(10*time.Minute)) {
		v.VisitedAt = now
	}
	if v.Outcome != OutcomeScreened {
		v.Persons = nil // only a screening records people
		return nil
	}
	if len(v.Persons) == 0 {
		return FieldError("persons", "a screened household lists the persons found, or use another outcome")
	}
	seen := map[int64]bool{}
	for i := range v.Persons {
		// The error names the person it is about, so the phone marks the
		// field there and keeps the rest of the visit as typed.
		if err := v.Persons[i].validate(now, today); err != nil {
			return AtItem(err, i+1)
		}
		if id := v.Persons[i].PersonID; id > 0 {
			if seen[id] {
				return AtItem(FieldError("persons", "person %d is listed twice", id), i+1)
			}
			seen[id] = true
		}
	}
	return nil
}

func (vp *VisitPerson) validate(now time.Time, today string) error {
	if (vp.PersonID > 0) == (vp.New != nil) {
		return FieldError("persons", "each person is either a registered person_id or a new person")
	}
	if vp.New != nil {
		if err := vp.New.Validate(now); err != nil {
			return err
		}
	}
	if vp.Health == "" {
		vp.Health = HealthNormal
	}
	if vp.Health != HealthNormal && vp.Health != HealthFever && vp.Health != HealthSymptoms {
		return FieldError("health", "unknown health state %q", vp.Health)
	}
	if vp.Temperature != 0 && (vp.Temperature < 34 || vp.Temperature > 43) {
		return FieldError("temperature", "a body temperature is between 34 and 43 °C")
	}
	if vp.Travel != nil {
		return vp.Travel.Validate(today)
	}
	return nil
}

// ValidUUID reports whether s is a UUID in its 36-character text form.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
				return false
			}
		}
	}
	return true
}

// VisitService records visits.
//
// RecordVisit needs PermVisit and a household of an open campaign inside
// the caller's scope. It adds persons found at the door to the registry,
// classifies travellers with the current rule set and the risk-area list
// as it stood on their arrival day, creates their measures and follow-up
// items, and updates the campaign's counters, all in one transaction. A
// visit whose client id was recorded before returns that visit with
// Duplicate set and writes nothing.
//
// Errors: EINVALID, ENOTFOUND, EFORBIDDEN, ECONFLICT (closed campaign; a
// client id reused for another household; an ID number that belongs to
// someone else).
type VisitService interface {
	RecordVisit(ctx context.Context, v *Visit) error
	// FindVisits returns the visits of a household, newest first.
	FindVisits(ctx context.Context, campaignID, householdID int64) ([]*Visit, error)
}

// Returnee is one person of a report who arrived from a listed area.
type Returnee struct {
	PersonID    int64       `json:"person_id"`
	Name        string      `json:"name"`
	IDNumber    string      `json:"id_number"` // masked
	Phone       string      `json:"phone"`     // masked
	HouseholdID int64       `json:"household_id"`
	Address     string      `json:"address"`
	AreaCode    string      `json:"area_code,omitempty"`
	AreaName    string      `json:"area_name,omitempty"`
	ArrivedOn   string      `json:"arrived_on"`
	Means       string      `json:"means,omitempty"`
	Level       RiskLevel   `json:"level"`
	Measure     MeasureType `json:"measure"`
	RuleVersion int         `json:"rule_version"`
	Health      HealthState `json:"health"`
}

// Report is the upward report (上报) of a campaign for one node: its
// totals, a line per child node, the returnees (ID numbers masked) and the
// gap list.
type Report struct {
	Campaign    *Campaign  `json:"campaign"`
	Place       *Place     `json:"place"`
	ReportDate  string     `json:"report_date"`
	GeneratedAt time.Time  `json:"generated_at"`
	Totals      Coverage   `json:"totals"`
	Children    []Coverage `json:"children"`
	Returnees   []Returnee `json:"returnees"`
	Gaps        []Gap      `json:"gaps"`
	GapsTotal   int        `json:"gaps_total"` // the gap list may be cut at MaxReportGaps
}

// MaxReportGaps bounds the gap list of one report; a city's report early
// in a campaign would otherwise list a million doors.
const MaxReportGaps = 50_000

// ReportSnapshot is a report as it was submitted upward, kept unchanged.
type ReportSnapshot struct {
	ID          int64     `json:"id"`
	CampaignID  int64     `json:"campaign_id"`
	PlaceID     int64     `json:"place_id"`
	ReportDate  string    `json:"report_date"`
	SubmittedAt time.Time `json:"submitted_at"`
	SubmittedBy string    `json:"submitted_by"`
	// JSON is the report exactly as submitted; the XLSX is rendered from
	// it, byte for byte the same each time.
	JSON   []byte  `json:"-"`
	Report *Report `json:"report,omitempty"`
}

// ReportService builds and keeps upward reports. It needs PermReadReports.
//
// Errors: ENOTFOUND, EFORBIDDEN.
type ReportService interface {
	// Report builds the current report of a node.
	Report(ctx context.Context, campaignID, placeID int64) (*Report, error)
	// SubmitReport builds the report and keeps it as submitted.
	SubmitReport(ctx context.Context, campaignID, placeID int64) (*ReportSnapshot, error)
	// FindReports lists the submitted reports of a campaign under the
	// caller's scope, newest first (without their bodies).
	FindReports(ctx context.Context, campaignID int64) ([]*ReportSnapshot, error)
	// FindReportByID returns one submitted report with its body.
	FindReportByID(ctx context.Context, id int64) (*ReportSnapshot, error)
}
