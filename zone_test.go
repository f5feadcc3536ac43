package frontline_test

import (
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

// A compound /1/2/ with buildings /1/2/3/ and /1/2/4/, household
// /1/2/3/5/ in building 3.
var (
	compound  = &frontline.Place{ID: 2, Path: "/1/2/", Households: 100, Residents: 250, Vulnerable: 20}
	building3 = &frontline.Place{ID: 3, Path: "/1/2/3/", Households: 40, Residents: 100, Vulnerable: 8}
	building4 = &frontline.Place{ID: 4, Path: "/1/2/4/", Households: 30, Residents: 70, Vulnerable: 5}
	household = &frontline.Place{ID: 5, Path: "/1/2/3/5/", Households: 1, Residents: 3, Vulnerable: 1}
)

func zoneOn(p *frontline.Place, l frontline.ZoneLevel) *frontline.Zone {
	return &frontline.Zone{ID: p.ID * 10, PlaceID: p.ID, Place: p, Level: l}
}

func TestEffective(t *testing.T) {
	sealedCompound := zoneOn(compound, frontline.LevelSealed)
	precautionCompound := zoneOn(compound, frontline.LevelPrecaution)
	controlledBuilding := zoneOn(building3, frontline.LevelControlled)
	sealedHousehold := zoneOn(household, frontline.LevelSealed)
	ended := zoneOn(building4, frontline.LevelSealed)
	ended.End = time.Now()
	tests := []struct {
		name   string
		path   string
		zones  []*frontline.Zone
		want   frontline.ZoneLevel
		wantID int64
	}{
		{"no zones", household.Path, nil, frontline.LevelNone, 0},
		{"sealed compound seals its building", building3.Path, []*frontline.Zone{sealedCompound}, frontline.LevelSealed, 20},
		{"sealed compound seals its household", household.Path, []*frontline.Zone{sealedCompound}, frontline.LevelSealed, 20},
		{"controlled building under a precaution compound", building3.Path, []*frontline.Zone{precautionCompound, controlledBuilding}, frontline.LevelControlled, 30},
		{"the compound itself stays precaution", compound.Path, []*frontline.Zone{precautionCompound, controlledBuilding}, frontline.LevelPrecaution, 20},
		{"a sibling building is not touched", building4.Path, []*frontline.Zone{controlledBuilding, sealedHousehold}, frontline.LevelNone, 0},
		{"an ended zone no longer applies", building4.Path, []*frontline.Zone{ended}, frontline.LevelNone, 0},
		{"strictest wins over nearest", household.Path, []*frontline.Zone{sealedCompound, controlledBuilding}, frontline.LevelSealed, 20},
		{"same level: the outermost zone decides", household.Path, []*frontline.Zone{sealedHousehold, sealedCompound}, frontline.LevelSealed, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := frontline.Effective(tt.path, tt.zones)
			if got := frontline.EffectiveLevel(tt.path, tt.zones); got != tt.want {
				t.Fatalf("level %q, want %q", got, tt.want)
			}
			if (z == nil && tt.wantID != 0) || (z != nil && z.ID != tt.wantID) {
				t.Fatalf("deciding zone %+v, want id %d", z, tt.wantID)
			}
		})
	}
}

func TestStrictness(t *testing.T) {
	if !frontline.LevelSealed.StricterThan(frontline.LevelControlled) || !frontline.LevelControlled.StricterThan(frontline.LevelPrecaution) ||
		!frontline.LevelPrecaution.StricterThan(frontline.LevelNone) || frontline.LevelNone.Valid() || frontline.ZoneLevel("red").Valid() {
		t.Fatal("levels out of order")
	}
	if got := frontline.Strictest(frontline.LevelPrecaution, frontline.LevelSealed, frontline.LevelControlled); got != frontline.LevelSealed {
		t.Fatalf("Strictest = %q", got)
	}
	if l, ok := frontline.ParseZoneLevel("封控区"); !ok || l != frontline.LevelSealed {
		t.Fatalf("ParseZoneLevel(封控区) = %q, %v", l, ok)
	}
}

func TestCountByLevel(t *testing.T) {
	// The compound is precaution, building 3 controlled and a household in
	// it sealed: each household counts once, at its strictest level.
	zones := []*frontline.Zone{
		zoneOn(compound, frontline.LevelPrecaution), zoneOn(building3, frontline.LevelControlled),
		zoneOn(household, frontline.LevelSealed),
	}
	got := frontline.CountByLevel(compound, zones)
	want := map[frontline.ZoneLevel]frontline.LevelCounts{
		frontline.LevelSealed:     {Households: 1, Residents: 3, Vulnerable: 1},
		frontline.LevelControlled: {Households: 39, Residents: 97, Vulnerable: 7},
		frontline.LevelPrecaution: {Households: 60, Residents: 150, Vulnerable: 12},
	}
	for _, l := range frontline.ZoneLevels {
		if got[l] != want[l] {
			t.Errorf("%s: %+v, want %+v", l, got[l], want[l])
		}
	}
	// Seen from building 4, only the compound's precaution applies.
	got = frontline.CountByLevel(building4, zones)
	if got[frontline.LevelPrecaution].Households != 30 || got[frontline.LevelSealed].Households != 0 {
		t.Errorf("building 4: %+v", got)
	}
	// Nested sealed zones are not counted twice.
	got = frontline.CountByLevel(compound, []*frontline.Zone{zoneOn(building3, frontline.LevelSealed), zoneOn(household, frontline.LevelSealed)})
	if got[frontline.LevelSealed].Households != 40 {
		t.Errorf("nested sealed: %+v", got[frontline.LevelSealed])
	}
}

func TestTimeline(t *testing.T) {
	t0 := time.Date(2022, 3, 20, 8, 0, 0, 0, time.UTC)
	sealed := zoneOn(compound, frontline.LevelSealed)
	sealed.Start, sealed.End = t0, t0.Add(8*24*time.Hour)
	controlled := zoneOn(compound, frontline.LevelControlled)
	controlled.ID, controlled.Start = 21, sealed.End
	own := zoneOn(household, frontline.LevelSealed)
	own.Start = t0.Add(24 * time.Hour)
	elsewhere := zoneOn(building4, frontline.LevelSealed)
	positive := &frontline.ZoneEvidence{Kind: frontline.EvidencePositive, At: t0.Add(-2 * time.Hour)}
	events := frontline.Timeline(household.Path, []*frontline.Zone{controlled, sealed, own, elsewhere}, []*frontline.ZoneEvidence{positive})
	type row struct {
		kind      frontline.ZoneEventKind
		inherited bool
		level     frontline.ZoneLevel
	}
	want := []row{
		{frontline.EventEvidence, false, frontline.LevelNone},
		{frontline.EventZoneStarted, true, frontline.LevelSealed},
		{frontline.EventZoneStarted, false, frontline.LevelSealed},
		{frontline.EventZoneEnded, true, frontline.LevelSealed}, // its own zone still seals it
		{frontline.EventZoneStarted, true, frontline.LevelSealed},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for i, ev := range events {
		if got := (row{ev.Kind, ev.Inherited, ev.Level}); got != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got, want[i])
		}
	}
}

// TestStepDownEligibility evaluates crafted timelines under the default
// sealed rule: 7 days without a new positive and one negative round.
func TestStepDownEligibility(t *testing.T) {
	start := time.Date(2022, 3, 20, 8, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	rule := frontline.DefaultZoneRules()[0]
	positive := func(d time.Duration) *frontline.ZoneEvidence {
		return &frontline.ZoneEvidence{Kind: frontline.EvidencePositive, At: start.Add(d)}
	}
	round := func(d time.Duration) *frontline.ZoneEvidence {
		return &frontline.ZoneEvidence{Kind: frontline.EvidenceNegativeRound, At: start.Add(d)}
	}
	tests := []struct {
		name     string
		evidence []*frontline.ZoneEvidence
		now      time.Duration // after the start
		eligible bool
		days     float64
		rounds   float64
	}{
		{"not yet 7 days", []*frontline.ZoneEvidence{round(2 * day)}, 6*day + 23*time.Hour, false, 6, 1},
		{"7 days but no negative round", nil, 7 * day, false, 7, 0},
		{"7 days and a round", []*frontline.ZoneEvidence{round(6 * day)}, 7 * day, true, 7, 1},
		{"a positive before the seal does not shorten the wait", []*frontline.ZoneEvidence{positive(-3 * day), round(5 * day)}, 5 * day, false, 5, 1},
		{"a new positive restarts the count", []*frontline.ZoneEvidence{round(2 * day), positive(3 * day), round(4 * day)}, 9 * day, false, 6, 1},
		{"a round before the new positive does not count", []*frontline.ZoneEvidence{round(2 * day), positive(3 * day)}, 10 * day, false, 7, 0},
		{"eligible again after the new positive", []*frontline.ZoneEvidence{positive(3 * day), round(9 * day)}, 10 * day, true, 7, 1},
		{"evidence after now is ignored", []*frontline.ZoneEvidence{round(6 * day), positive(8 * day)}, 7 * day, true, 7, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := &frontline.Zone{Level: frontline.LevelSealed, Start: start}
			c := frontline.StepDownEligibility(z, rule, tt.evidence, start.Add(tt.now))
			if c.Eligible != tt.eligible || c.Reasons[0].Have != tt.days || c.Reasons[1].Have != tt.rounds {
				t.Fatalf("eligible=%v days=%g rounds=%g (%s); want %v, %g, %g",
					c.Eligible, c.Reasons[0].Have, c.Reasons[1].Have, frontline.ReasonsText(c.Reasons), tt.eligible, tt.days, tt.rounds)
			}
			if c.Target != frontline.LevelControlled {
				t.Fatalf("target %q", c.Target)
			}
		})
	}
	if c := frontline.StepDownEligibility(&frontline.Zone{Level: frontline.LevelSealed, Start: start}, nil, nil, start); c.Eligible || c.Reasons[0].Code != frontline.ReasonNoRule {
		t.Fatalf("no rule: %+v", c)
	}
}

func TestZoneRule_Validate(t *testing.T) {
	for _, r := range frontline.DefaultZoneRules() {
		if err := r.Validate(); err != nil {
			t.Errorf("default %s rule: %v", r.Level, err)
		}
	}
	bad := []func(r *frontline.ZoneRule){
		func(r *frontline.ZoneRule) { r.Level = "red" },
		func(r *frontline.ZoneRule) { r.Movement = "fly" },
		func(r *frontline.ZoneRule) { r.PoolSize = 0 },
		func(r *frontline.ZoneRule) { r.StepDown.To = frontline.LevelSealed },
		func(r *frontline.ZoneRule) { r.StepDown.Days = -1 },
		func(r *frontline.ZoneRule) { r.Entry.Leave = frontline.AdmitResidents },
		func(r *frontline.ZoneRule) { r.Entry.TestWithinHours = 1000 },
	}
	for i, change := range bad {
		r := frontline.DefaultZoneRules()[0]
		change(r)
		if frontline.ErrorCode(r.Validate()) != frontline.EINVALID {
			t.Errorf("bad rule %d accepted", i)
		}
	}
	sealed := frontline.DefaultZoneRules()[0]
	if sealed.Tube(4) != 1 {
		t.Errorf("sealed tube %d", sealed.Tube(4))
	}
	sealed.PoolPerHousehold = true
	if sealed.Tube(4) != 4 {
		t.Errorf("per-household tube %d", sealed.Tube(4))
	}
}

func TestAgeAt(t *testing.T) {
	now := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC) // a leap year
	for birth, want := range map[string]int{"1950-03-01": 74, "1950-03-02": 73, "1950-02-28": 74, "": 0, "bad": 0} {
		if got := frontline.AgeAt(birth, now); got != want {
			t.Errorf("AgeAt(%q) = %d, want %d", birth, got, want)
		}
	}
}
