package frontline

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// CaseSource says where a confirmed positive came from.
type CaseSource string

// Case sources. A lab's single tube or home re-test confirms a positive in
// the transaction that posts it; a hospital or the disease-control centre
// reports one it confirmed through the API or a file.
const (
	SourceLab      CaseSource = "lab"      // a single tube or a re-test of a positive pool
	SourceHospital CaseSource = "hospital" // reported by a hospital (发热门诊)
	SourceCDC      CaseSource = "cdc"      // reported by the disease-control centre (疾控中心)
)

// CaseSourceLabels maps each source to its Chinese name.
var CaseSourceLabels = map[CaseSource]string{SourceLab: "核酸检测", SourceHospital: "医院报告", SourceCDC: "疾控中心报告"}

// CaseStatus is where a case stands.
type CaseStatus string

// Case statuses. A case is open from confirmation until the person
// arrives at the facility they are transferred to, then transferred until
// it is closed (discharged, or a mistake corrected with a reason).
const (
	CaseOpen        CaseStatus = "open"
	CaseTransferred CaseStatus = "transferred"
	CaseClosed      CaseStatus = "closed"
)

// ContactKind is how a person is linked to a case.
type ContactKind string

// Contact kinds, from the closest. A person linked in several ways is the
// contact of the closest.
const (
	ContactHousehold ContactKind = "household" // 同住人员: close contacts at home
	ContactPool      ContactKind = "pool"      // 同管: the others of the positive pool
	ContactUnit      ContactKind = "unit"      // 同单元: the rest of the unit (secondary)
	ContactBuilding  ContactKind = "building"  // 同楼栋: the rest of the building (secondary)
)

// ContactKinds lists the kinds from the closest.
var ContactKinds = []ContactKind{ContactHousehold, ContactPool, ContactUnit, ContactBuilding}

// ContactKindLabels maps each kind to its Chinese name.
var ContactKindLabels = map[ContactKind]string{
	ContactHousehold: "同住人员", ContactPool: "同管人员", ContactUnit: "同单元居民", ContactBuilding: "同楼栋居民",
}

// Valid reports whether k is a known kind.
func (k ContactKind) Valid() bool { return ContactKindLabels[k] != "" }

// Closer reports whether k is a closer link than o.
func (k ContactKind) Closer(o ContactKind) bool { return k.rank() < o.rank() }

func (k ContactKind) rank() int {
	for i, c := range ContactKinds {
		if c == k {
			return i
		}
	}
	return len(ContactKinds)
}

// Case is a confirmed positive (确诊/阳性病例): the person, their household,
// where the positive came from, when and by whom it was confirmed.
type Case struct {
	ID          int64      `json:"id"`
	PersonID    int64      `json:"person_id"`
	HouseholdID int64      `json:"household_id"`
	Source      CaseSource `json:"source"`
	// RoundID and TubeCode are the test round and the tube that confirmed
	// a lab case; PoolCode is the positive pool the person was in before
	// the single re-test, if any.
	RoundID  int64  `json:"round_id,omitempty"`
	TubeCode string `json:"tube_code,omitempty"`
	PoolCode string `json:"pool_code,omitempty"`
	// ExternalRef is the reporter's own case number (the disease-control
	// centre's 病例编号); Reporter names the hospital or office.
	ExternalRef string     `json:"external_ref,omitempty"`
	Reporter    string     `json:"reporter,omitempty"`
	ConfirmedAt time.Time  `json:"confirmed_at"`
	ConfirmedBy string     `json:"confirmed_by"`
	Status      CaseStatus `json:"status"`
	Note        string     `json:"note,omitempty"`
	// RuleVersion is the measure rules' version that gave the contacts
	// their measures.
	RuleVersion int       `json:"rule_version"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	ClosedBy    string    `json:"closed_by,omitempty"`
	CloseReason string    `json:"close_reason,omitempty"`

	// Filled by finders: the person's name (masked outside the caller's
	// scope, as every read), the household's address, and the zones drawn
	// with this case as their evidence.
	PersonName string  `json:"person_name,omitempty"`
	Address    string  `json:"address,omitempty"`
	ZoneIDs    []int64 `json:"zone_ids,omitempty"`
}

// Ref is the case's reference as zones and reports cite it: the reporter's
// own number when there is one, else "C" and the id.
func (c *Case) Ref() string {
	if c.ExternalRef != "" {
		return c.ExternalRef
	}
	return "C" + strconv.FormatInt(c.ID, 10)
}

// CaseReport is a positive reported from outside (a hospital, the
// disease-control centre): who, by ID number or registry id, confirmed
// when and by whom. Row is the line of a file it came from.
type CaseReport struct {
	PersonID    int64      `json:"person_id,omitempty"`
	IDNumber    string     `json:"id_number,omitempty"`
	Name        string     `json:"name,omitempty"` // checked against the registry when given
	Source      CaseSource `json:"source"`
	ExternalRef string     `json:"external_ref"`
	Reporter    string     `json:"reporter"`
	ConfirmedAt time.Time  `json:"confirmed_at"`
	Note        string     `json:"note,omitempty"`
	Row         int        `json:"row,omitempty"`
}

// Validate normalizes and checks a report; now bounds the confirmation
// time.
func (r *CaseReport) Validate(now time.Time) error {
	r.IDNumber = NormalizeIDNumber(r.IDNumber)
	r.Name = CleanName(r.Name)
	r.ExternalRef = strings.TrimSpace(FoldWidth(r.ExternalRef))
	r.Reporter = CleanName(r.Reporter)
	r.Note = strings.TrimSpace(r.Note)
	switch {
	case r.PersonID <= 0 && r.IDNumber == "":
		return FieldError("id_number", "give the person's ID number or registry id")
	case r.Source != SourceHospital && r.Source != SourceCDC:
		return FieldError("source", "a reported case comes from a hospital or the cdc, not %q", r.Source)
	case r.ExternalRef == "" || len(r.ExternalRef) > 60:
		return FieldError("external_ref", "give the reporter's case number (at most 60 characters)")
	case r.Reporter == "" || len([]rune(r.Reporter)) > 100:
		return FieldError("reporter", "name the hospital or office that reports the case")
	case r.ConfirmedAt.IsZero():
		return FieldError("confirmed_at", "say when the positive was confirmed")
	case r.ConfirmedAt.After(now.Add(time.Minute)) || r.ConfirmedAt.Before(now.AddDate(0, 0, -30)):
		return FieldError("confirmed_at", "the confirmation must be within the last 30 days")
	case len([]rune(r.Note)) > 500:
		return FieldError("note", "the note is longer than 500 characters")
	}
	return nil
}

// Contact is a person linked to a case, with the measure the contact
// rules gave them and where their transfer is, if they have one.
type Contact struct {
	CaseID      int64       `json:"case_id"`
	PersonID    int64       `json:"person_id"`
	HouseholdID int64       `json:"household_id"`
	Kind        ContactKind `json:"kind"`
	MeasureID   int64       `json:"measure_id,omitempty"`
	// Filled by finders.
	Name     string    `json:"name,omitempty"`
	Address  string    `json:"address,omitempty"`
	Measure  *Measure  `json:"measure,omitempty"`
	Transfer *Transfer `json:"transfer,omitempty"`
	// Overdue counts the contact's follow-up items past their grace.
	Overdue int `json:"overdue"`
}

// CaseActivity is a trace of the person before the case: a checkpoint
// passage or a household visit, for the tracers.
type CaseActivity struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`  // "passage" or "visit"
	Where string    `json:"where"` // the checkpoint's name, the visit's campaign
	// Detail is the passage's direction and verdict or the visit's outcome.
	Detail string `json:"detail"`
}

// CaseEvent is one line of a case's timeline.
type CaseEvent struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"` // confirmed, contacts, zone, transfer.assigned, alert.acknowledged ...
	Actor  string    `json:"actor"`
	Detail string    `json:"detail,omitempty"`
}

// CaseDetail is everything the case page shows.
type CaseDetail struct {
	Case      *Case           `json:"case"`
	Contacts  []*Contact      `json:"contacts"`
	Transfers []*Transfer     `json:"transfers"`
	Activity  []*CaseActivity `json:"activity"`
	Timeline  []*CaseEvent    `json:"timeline"`
	// Proposals are the zones the zone rules suggest drawing, which a user
	// with zones.manage draws with one action.
	Proposals []*ZoneProposal `json:"proposals"`
}

// ContactsOf returns the contacts of a kind.
func (d *CaseDetail) ContactsOf(k ContactKind) []*Contact {
	var out []*Contact
	for _, c := range d.Contacts {
		if c.Kind == k {
			out = append(out, c)
		}
	}
	return out
}

// ZoneProposal is a zone the rules suggest for a case: a node and a level,
// with the zone in force there now if any.
type ZoneProposal struct {
	PlaceID   int64     `json:"place_id"`
	PlaceName string    `json:"place_name"`
	Kind      PlaceKind `json:"kind"`
	Level     ZoneLevel `json:"level"`
	// Current is the node's effective level now; Drawn is true when it is
	// already as strict as proposed.
	Current ZoneLevel `json:"current"`
	Drawn   bool      `json:"drawn"`
}

// ProposeZones is the zone rule for a case, as the 2022 practice drew it
// (FIELD.md): the case's unit, or its building when it has no unit, sealed
// the same day; the rest of its compound controlled. path is the
// household's materialized path and kinds the kind of each node on it;
// current gives each node's effective level now.
func ProposeZones(path string, kinds map[int64]PlaceKind, names map[int64]string, current map[int64]ZoneLevel) []*ZoneProposal {
	var sealed, controlled int64
	for _, id := range PathIDs(path) {
		switch kinds[id] {
		case KindBuilding:
			if sealed == 0 {
				sealed = id
			}
		case KindUnit:
			sealed = id
		case KindCompound:
			controlled = id
		}
	}
	var out []*ZoneProposal
	add := func(id int64, level ZoneLevel) {
		if id == 0 {
			return
		}
		cur := current[id]
		out = append(out, &ZoneProposal{PlaceID: id, PlaceName: names[id], Kind: kinds[id], Level: level, Current: cur,
			Drawn: !level.StricterThan(cur)})
	}
	add(sealed, LevelSealed)
	add(controlled, LevelControlled)
	return out
}

// CaseFilter selects cases. Zero fields do not filter.
type CaseFilter struct {
	ID       *int64
	PersonID *int64
	Under    *int64 // cases of households under this node
	Status   *CaseStatus
	Open     bool // open or transferred, not closed
	Offset   int
	Limit    int
}

// CaseImport is the outcome of importing reported cases from a file: every
// bad row at once, and nothing stored when there is one.
type CaseImport struct {
	Cases  []*Case    `json:"cases"`
	Errors []RowError `json:"errors"`
	DryRun bool       `json:"dry_run"`
}

// CaseService opens cases and traces their contacts. A lab case is opened
// by LabService.PostResults in the transaction that confirms it; the
// others come through ReportCase.
//
// Errors: ENOTFOUND for a case or person that does not exist or is
// outside the caller's scope; EFORBIDDEN without the permission (registry.read
// to read, cases.manage to report, seal, close and run transfers);
// EINVALID for a bad field; ECONFLICT for a person who already has an
// open case (the report then names it), or a close of a closed case.
type CaseService interface {
	// ReportCase opens a case reported by a hospital or the disease-control
	// centre. The same report again (source and external reference) is
	// answered with the case it opened.
	ReportCase(ctx context.Context, r *CaseReport) (*Case, error)
	// ImportCases opens the cases of a file's rows in one transaction, or
	// none when a row is bad (every bad row is listed); dryRun checks only.
	ImportCases(ctx context.Context, rows []*CaseReport, dryRun bool) (*CaseImport, error)
	FindCaseByID(ctx context.Context, id int64) (*Case, error)
	// FindCases returns matching cases, newest first, and the total.
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// CaseDetail returns a case with its contacts, transfers, the person's
	// recent passages and visits, its timeline and the zones it proposes.
	CaseDetail(ctx context.Context, id int64) (*CaseDetail, error)
	// SealFromCase draws the proposed zone on placeID (which must be one
	// of the case's proposals) with the case as its evidence.
	SealFromCase(ctx context.Context, caseID, placeID int64) (*Affected, error)
	// CloseCase closes a case (discharged, or reported in error) with a
	// reason; its contacts' measures run on.
	CloseCase(ctx context.Context, id int64, reason string) (*Case, error)
	// PersonCases returns the cases of a person, newest first.
	PersonCases(ctx context.Context, personID int64) ([]*Case, error)
	// PersonHealth returns what the person page shows of a person's health:
	// results, measures, cases and restrictions now.
	PersonHealth(ctx context.Context, personID int64) (*PersonHealth, error)
}

// PersonResult is a person's result in one test round.
type PersonResult struct {
	RoundID   int64      `json:"round_id"`
	RoundName string     `json:"round_name"`
	Day       string     `json:"day"`
	TubeCode  string     `json:"tube_code"`
	Result    TubeResult `json:"result,omitempty"` // "" while at the lab
	FollowUp  FollowUp   `json:"follow_up,omitempty"`
}

// PersonHealth is a person's results, measures (of campaigns and of
// cases), cases and restrictions now, newest first.
type PersonHealth struct {
	Results      []*PersonResult `json:"results"`
	Measures     []*Measure      `json:"measures"`
	Cases        []*Case         `json:"cases"`
	Restrictions *Restrictions   `json:"restrictions"`
}
