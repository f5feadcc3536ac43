package frontline_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

func defaultRules() frontline.ZoneRuleSet {
	rules := frontline.DefaultZoneRules()
	for i, r := range rules {
		r.ID = int64(i + 1)
	}
	return frontline.NewZoneRuleSet(rules)
}

func codes(reasons []frontline.Reason) []string {
	out := []string{}
	for _, r := range reasons {
		out = append(out, r.Code+":"+string(r.Level))
	}
	return out
}

// TestEntryDecision covers every pair of levels on the two sides of a
// checkpoint under the default rules, for a resident returning home and a
// visitor, with checks that pass.
func TestEntryDecision(t *testing.T) {
	const (
		none = frontline.LevelNone
		prec = frontline.LevelPrecaution
		ctrl = frontline.LevelControlled
		seal = frontline.LevelSealed
	)
	now := time.Date(2022, 3, 29, 21, 0, 0, 0, time.UTC)
	good := frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen, NegativeTestAt: now.Add(-12 * time.Hour)}
	tests := []struct {
		from, to      frontline.ZoneLevel
		resident      []string // refusal grounds for a resident returning home; empty: allowed
		visitor       []string // and for a visitor
		windowInHours int
	}{
		{none, none, nil, nil, 0},
		{none, prec, nil, nil, 48},
		{none, ctrl, nil, []string{"enter:controlled"}, 48},
		{none, seal, nil, []string{"enter:sealed"}, 24},
		{prec, none, nil, nil, 48},
		{prec, prec, nil, nil, 48},
		{prec, ctrl, nil, []string{"enter:controlled"}, 48},
		{prec, seal, nil, []string{"enter:sealed"}, 24},
		{ctrl, none, []string{"leave:controlled"}, []string{"leave:controlled"}, 48},
		{ctrl, prec, []string{"leave:controlled"}, []string{"leave:controlled"}, 48},
		{ctrl, ctrl, []string{"leave:controlled"}, []string{"leave:controlled", "enter:controlled"}, 48},
		{ctrl, seal, []string{"leave:controlled"}, []string{"leave:controlled", "enter:sealed"}, 24},
		{seal, none, []string{"leave:sealed"}, []string{"leave:sealed"}, 24},
		{seal, prec, []string{"leave:sealed"}, []string{"leave:sealed"}, 24},
		{seal, ctrl, []string{"leave:sealed"}, []string{"leave:sealed", "enter:controlled"}, 24},
		{seal, seal, []string{"leave:sealed"}, []string{"leave:sealed", "enter:sealed"}, 24},
	}
	rules := defaultRules()
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s→%s", frontline.ZoneLevelLabels[tt.from], frontline.ZoneLevelLabels[tt.to]), func(t *testing.T) {
			for _, who := range []struct {
				name        string
				livesInside bool
				want        []string
			}{{"resident", true, tt.resident}, {"visitor", false, tt.visitor}} {
				req := frontline.EntryRequest{From: tt.from, To: tt.to, LivesInside: who.livesInside, Checks: good, At: now}
				res := frontline.EntryDecision(req, rules, frontline.DefaultEntrySettings)
				if got := codes(res.Reasons); !slices.Equal(got, append([]string{}, who.want...)) || res.Allowed != (len(who.want) == 0) {
					t.Errorf("%s: allowed=%v reasons %v, want %v", who.name, res.Allowed, got, who.want)
				}
				if res.TestWithinHours != tt.windowInHours {
					t.Errorf("%s: test window %d h, want %d", who.name, res.TestWithinHours, tt.windowInHours)
				}
				// An emergency passes every default rule, without checks.
				req.Emergency, req.Checks = true, frontline.Checks{}
				if res := frontline.EntryDecision(req, rules, frontline.DefaultEntrySettings); !res.Allowed {
					t.Errorf("%s emergency refused: %v", who.name, codes(res.Reasons))
				}
			}
		})
	}
}

// TestEntryDecision_Checks covers the checks made whatever the zones.
func TestEntryDecision_Checks(t *testing.T) {
	now := time.Date(2022, 3, 29, 21, 0, 0, 0, time.UTC)
	rules := defaultRules()
	tests := []struct {
		name   string
		to     frontline.ZoneLevel
		checks frontline.Checks
		want   []string
	}{
		{"all good", frontline.LevelNone, frontline.Checks{Temperature: 36.8, HealthCode: frontline.CodeGreen}, nil},
		{"fever at the line", frontline.LevelNone, frontline.Checks{Temperature: 37.3, HealthCode: frontline.CodeGreen}, []string{"fever:"}},
		{"no temperature", frontline.LevelNone, frontline.Checks{HealthCode: frontline.CodeGreen}, []string{"no_temperature:"}},
		{"yellow code", frontline.LevelNone, frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeYellow}, []string{"health_code:"}},
		{"no code shown", frontline.LevelNone, frontline.Checks{Temperature: 36.5}, []string{"health_code:"}},
		{"no test into precaution", frontline.LevelPrecaution, frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen}, []string{"no_test:"}},
		{"test 47 h old into precaution", frontline.LevelPrecaution, frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen, NegativeTestAt: now.Add(-47 * time.Hour)}, nil},
		{"test 49 h old into precaution", frontline.LevelPrecaution, frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen, NegativeTestAt: now.Add(-49 * time.Hour)}, []string{"test_too_old:"}},
		{"everything wrong", frontline.LevelPrecaution, frontline.Checks{Temperature: 38.2, HealthCode: frontline.CodeRed}, []string{"fever:", "health_code:", "no_test:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := frontline.EntryDecision(frontline.EntryRequest{To: tt.to, Checks: tt.checks, At: now}, rules, frontline.DefaultEntrySettings)
			if got := codes(res.Reasons); !slices.Equal(got, append([]string{}, tt.want...)) {
				t.Errorf("reasons %v, want %v", got, tt.want)
			}
		})
	}
	// A setting without the temperature requirement lets an untaken one
	// through; a level without a rule fails closed.
	s := frontline.DefaultEntrySettings
	s.RequireTemperature = false
	if res := frontline.EntryDecision(frontline.EntryRequest{Checks: frontline.Checks{HealthCode: frontline.CodeGreen}, At: now}, rules, s); !res.Allowed {
		t.Errorf("temperature not required but refused: %v", codes(res.Reasons))
	}
	delete(rules, frontline.LevelPrecaution)
	res := frontline.EntryDecision(frontline.EntryRequest{To: frontline.LevelPrecaution, Emergency: true, At: now}, rules, s)
	if res.Allowed || codes(res.Reasons)[0] != "no_rule:precaution" {
		t.Errorf("missing rule: allowed=%v %v", res.Allowed, codes(res.Reasons))
	}
}

// TestEntryDecision_RecordsRules checks the result names the rule applied
// on each side.
func TestEntryDecision_RecordsRules(t *testing.T) {
	rules := defaultRules()
	res := frontline.EntryDecision(frontline.EntryRequest{From: frontline.LevelSealed, To: frontline.LevelPrecaution, Emergency: true}, rules, frontline.DefaultEntrySettings)
	if res.FromRuleID != rules[frontline.LevelSealed].ID || res.ToRuleID != rules[frontline.LevelPrecaution].ID {
		t.Errorf("rule ids %d, %d", res.FromRuleID, res.ToRuleID)
	}
}

// TestEntryDecision_Hours checks that a passage outside the opening hours
// is refused with them, emergencies included, and that a round-the-clock
// post never is. Hours are read in the time zone of the passage.
func TestEntryDecision_Hours(t *testing.T) {
	rules := defaultRules()
	cst := time.FixedZone("CST", 8*60*60)
	good := frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen}
	tests := []struct {
		name      string
		hours     string
		at        time.Time
		emergency bool
		want      []string
	}{
		{"inside the hours", "06:00-22:00", time.Date(2022, 3, 29, 21, 59, 0, 0, cst), false, nil},
		{"after closing", "06:00-22:00", time.Date(2022, 3, 29, 22, 0, 0, 0, cst), false, []string{"outside_hours:"}},
		{"an emergency after closing", "06:00-22:00", time.Date(2022, 3, 29, 23, 30, 0, 0, cst), true, []string{"outside_hours:"}},
		{"a night post at 03:00", "20:00-08:00", time.Date(2022, 3, 29, 3, 0, 0, 0, cst), false, nil},
		{"a night post at noon", "20:00-08:00", time.Date(2022, 3, 29, 12, 0, 0, 0, cst), false, []string{"outside_hours:"}},
		{"round the clock at 03:00", "", time.Date(2022, 3, 29, 3, 0, 0, 0, cst), false, nil},
		// 14:30 UTC is 22:30 in China: closed, though 14:30 is inside the hours.
		{"hours read in the passage's zone", "06:00-22:00", time.Date(2022, 3, 29, 14, 30, 0, 0, time.UTC).In(cst), false, []string{"outside_hours:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := frontline.EntryDecision(frontline.EntryRequest{Checks: good, At: tt.at, Hours: tt.hours, Emergency: tt.emergency},
				rules, frontline.DefaultEntrySettings)
			if got := codes(res.Reasons); !slices.Equal(got, append([]string{}, tt.want...)) || res.Allowed != (len(tt.want) == 0) {
				t.Fatalf("allowed=%v reasons %v, want %v", res.Allowed, got, tt.want)
			}
			if len(tt.want) > 0 && (res.Reasons[0].Hours != tt.hours || res.Reasons[0].Text() != "outside the checkpoint's opening hours ("+tt.hours+")") {
				t.Errorf("reason %+v says %q", res.Reasons[0], res.Reasons[0].Text())
			}
		})
	}
}
