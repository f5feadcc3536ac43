package frontline

import (
	"context"
	"slices"
	"strings"
	"time"
)

// RiskLevel is the level a health authority gives an area (风险等级).
type RiskLevel string

// Risk levels, from none up. RiskNone is recorded when an area is lifted,
// so that the list's history says from when it no longer counted.
const (
	RiskNone   RiskLevel = "none"
	RiskLow    RiskLevel = "low"
	RiskMedium RiskLevel = "medium"
	RiskHigh   RiskLevel = "high"
)

// RiskLevels lists the levels from the lowest up.
var RiskLevels = []RiskLevel{RiskNone, RiskLow, RiskMedium, RiskHigh}

// RiskLevelLabels maps each level to the words offices use.
var RiskLevelLabels = map[RiskLevel]string{RiskNone: "已解除", RiskLow: "低风险", RiskMedium: "中风险", RiskHigh: "高风险"}

// Rank orders levels: 0 for none (and anything unknown), 3 for high.
func (l RiskLevel) Rank() int { return max(0, slices.Index(RiskLevels, l)) }

// Valid reports whether l is a known level.
func (l RiskLevel) Valid() bool { return slices.Contains(RiskLevels, l) }

// AtLeast reports whether l is o or higher. Nothing is at least none's
// rank except through a real level: a traveller from an unlisted area is
// never "at least low".
func (l RiskLevel) AtLeast(o RiskLevel) bool { return l.Rank() >= o.Rank() && l.Rank() > 0 }

// ParseRiskLevel reads a level from its code, its label or the one
// character offices abbreviate it to (高/中/低).
func ParseRiskLevel(s string) (RiskLevel, bool) {
	s = strings.ToLower(strings.TrimSpace(FoldWidth(s)))
	switch s {
	case "high", "高", "高风险", "高风险区", "高风险地区":
		return RiskHigh, true
	case "medium", "中", "中风险", "中风险区", "中风险地区":
		return RiskMedium, true
	case "low", "低", "低风险", "低风险区", "低风险地区":
		return RiskLow, true
	case "none", "无", "解除", "已解除":
		return RiskNone, true
	}
	return "", false
}

// RiskArea is one record of the risk-area list: an area's level over a
// span of days as one notice announced it. Records are never changed: a
// new notice about the same area (a new level, an earlier end) is a new
// record, and for any day the record recorded last among those covering
// it counts. So "what was the level of X on day D, as we knew it at time
// T" always has an answer, and a classification made weeks ago can be
// explained from the list as it was.
type RiskArea struct {
	ID int64 `json:"id"`
	// Key identifies the area across its records: its code, or its name
	// when it has none.
	Key  string `json:"key"`
	Name string `json:"name"`
	// Code is the statistics-bureau area code where known (6 digits for a
	// county, 9 for a township, 12 for a village). A listed code covers
	// every longer code it prefixes.
	Code  string    `json:"code,omitempty"`
	Level RiskLevel `json:"level"`
	// ValidFrom and ValidTo are the first and last day (YYYY-MM-DD) the
	// level applies; an empty ValidTo is open-ended.
	ValidFrom  string    `json:"valid_from"`
	ValidTo    string    `json:"valid_to,omitempty"`
	Source     string    `json:"source,omitempty"` // the notice it came from
	RecordedAt time.Time `json:"recorded_at"`
	RecordedBy string    `json:"recorded_by"`
}

// Validate normalizes and checks a record.
func (a *RiskArea) Validate() error {
	a.Name = CleanName(a.Name)
	a.Code = strings.TrimSpace(FoldWidth(a.Code))
	a.Source = strings.TrimSpace(a.Source)
	if err := CheckLines("name", a.Name, "code", a.Code, "source", a.Source); err != nil {
		return err
	}
	if a.Name == "" {
		return FieldError("name", "an area needs a name")
	}
	if len([]rune(a.Name)) > 100 {
		return FieldError("name", "the name is longer than 100 characters")
	}
	if a.Code != "" && (!allDigits(a.Code) || len(a.Code) < 2 || len(a.Code) > 12) {
		return FieldError("code", "an area code has 2 to 12 digits, not %q", a.Code)
	}
	if !a.Level.Valid() {
		return FieldError("level", "unknown risk level %q (high, medium, low, none)", a.Level)
	}
	if !validDate(a.ValidFrom) {
		return FieldError("valid_from", "%q is not a date (YYYY-MM-DD)", a.ValidFrom)
	}
	if a.ValidTo != "" && (!validDate(a.ValidTo) || a.ValidTo < a.ValidFrom) {
		return FieldError("valid_to", "the last day must be a date on or after %s", a.ValidFrom)
	}
	if len(a.Source) > 500 {
		return FieldError("source", "the source note is longer than 500 characters")
	}
	a.Key = a.Code
	if a.Key == "" {
		a.Key = a.Name
	}
	return nil
}

// Covers reports whether the record applies on day (YYYY-MM-DD).
func (a *RiskArea) Covers(day string) bool {
	return a.ValidFrom <= day && (a.ValidTo == "" || day <= a.ValidTo)
}

// RiskMap is the risk-area list as it stood on one day: the level of each
// area that had one.
type RiskMap struct {
	Day    string
	byCode map[string]RiskLevel
	byName map[string]RiskLevel
}

// RiskAreasAt returns the list as it stood on day, from the records known
// at asOf (zero: all of them). For each area the covering record recorded
// last wins, so a correction overrides the notice it corrects.
func RiskAreasAt(records []RiskArea, day string, asOf time.Time) RiskMap {
	latest := map[string]*RiskArea{}
	for i := range records {
		a := &records[i]
		if !a.Covers(day) || (!asOf.IsZero() && a.RecordedAt.After(asOf)) {
			continue
		}
		if b := latest[a.Key]; b == nil || a.RecordedAt.After(b.RecordedAt) || a.RecordedAt.Equal(b.RecordedAt) && a.ID > b.ID {
			latest[a.Key] = a
		}
	}
	m := RiskMap{Day: day, byCode: map[string]RiskLevel{}, byName: map[string]RiskLevel{}}
	for _, a := range latest {
		if a.Code != "" {
			m.byCode[a.Code] = a.Level
		}
		if n := a.Name; m.byName[n].Rank() <= a.Level.Rank() {
			m.byName[n] = a.Level
		}
	}
	return m
}

// Level returns the level of the place a traveller came from. A code
// matches every listed code that prefixes it (a listed county covers its
// townships) and the highest wins; without a code the name must match a
// listed name exactly. An unlisted place is RiskNone.
func (m RiskMap) Level(code, name string) RiskLevel {
	code = strings.TrimSpace(FoldWidth(code))
	best := RiskNone
	if code != "" {
		for n := 2; n <= len(code); n++ {
			if l, ok := m.byCode[code[:n]]; ok && l.Rank() > best.Rank() {
				best = l
			}
		}
		return best
	}
	if l, ok := m.byName[CleanName(name)]; ok {
		return l
	}
	return best
}

// RiskAreaFilter selects records. Zero fields do not filter.
type RiskAreaFilter struct {
	Key *string
	// On selects the records covering this day (YYYY-MM-DD); with Current
	// only the record that counts for each area that day.
	On      string
	Current bool
	Level   *RiskLevel
	Offset  int
	Limit   int
}

// RiskAreaService keeps the risk-area list and its history. Changing the
// list needs PermManageScreening; reading it any of the screening
// permissions.
//
// Errors: EINVALID for a bad field (Error.Field names it), EFORBIDDEN,
// ENOTFOUND for an unknown record.
type RiskAreaService interface {
	// CreateRiskArea records a notice about one area; earlier records stay.
	CreateRiskArea(ctx context.Context, a *RiskArea) error
	// ImportRiskAreas records every row of a list in one transaction, or
	// none when any row is bad (the returned errors say which row and
	// column). With dryRun nothing is written.
	ImportRiskAreas(ctx context.Context, rows []RiskAreaRow, dryRun bool) (*ImportResult, error)
	// FindRiskAreas returns the matching records, newest first, and the
	// total before paging.
	FindRiskAreas(ctx context.Context, f RiskAreaFilter) ([]*RiskArea, int, error)
	// RiskMapAt returns the list as it stood on day, as known at asOf
	// (zero: now).
	RiskMapAt(ctx context.Context, day string, asOf time.Time) (RiskMap, error)
}

// RiskAreaRow is one parsed row of an imported risk-area list, or the
// problems found in it.
type RiskAreaRow struct {
	Row    int
	Area   RiskArea
	Errors []RowError
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// validDate reports whether s is a YYYY-MM-DD date.
func validDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}
