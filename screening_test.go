package frontline_test

import (
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

func area(id int64, code, name string, level frontline.RiskLevel, from, to string, recorded time.Time) frontline.RiskArea {
	a := frontline.RiskArea{ID: id, Code: code, Name: name, Level: level, ValidFrom: from, ValidTo: to, RecordedAt: recorded}
	if err := a.Validate(); err != nil {
		panic(err)
	}
	return a
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestRiskAreasAt(t *testing.T) {
	records := []frontline.RiskArea{
		area(1, "610113", "西安市雁塔区", frontline.RiskHigh, "2026-01-01", "", t0),
		// A later notice lowers it from the 10th.
		area(2, "610113", "西安市雁塔区", frontline.RiskMedium, "2026-01-10", "", t0.Add(9*24*time.Hour)),
		area(3, "", "某县某镇", frontline.RiskLow, "2026-01-01", "2026-01-05", t0),
		area(4, "610113005", "雁塔区某街道", frontline.RiskHigh, "2026-01-12", "", t0.Add(11*24*time.Hour)),
	}
	for _, c := range []struct {
		day        string
		asOf       time.Time
		code, name string
		want       frontline.RiskLevel
	}{
		{"2026-01-05", time.Time{}, "610113", "", frontline.RiskHigh},
		{"2026-01-11", time.Time{}, "610113", "", frontline.RiskMedium},
		// As known on the 2nd, the 11th was still high.
		{"2026-01-11", t0.Add(24 * time.Hour), "610113", "", frontline.RiskHigh},
		// A township code is covered by its county's listing.
		{"2026-01-11", time.Time{}, "610113005001", "", frontline.RiskMedium},
		// and the township's own, higher listing wins.
		{"2026-01-12", time.Time{}, "610113005001", "", frontline.RiskHigh},
		{"2026-01-12", time.Time{}, "610114", "", frontline.RiskNone},
		{"2026-01-03", time.Time{}, "", "某县 某镇", frontline.RiskLow},
		{"2026-01-06", time.Time{}, "", "某县某镇", frontline.RiskNone},
		{"2025-12-31", time.Time{}, "610113", "", frontline.RiskNone},
	} {
		m := frontline.RiskAreasAt(records, c.day, c.asOf)
		if got := m.Level(c.code, c.name); got != c.want {
			t.Errorf("%s as of %v, %s%s: %s, want %s", c.day, c.asOf, c.code, c.name, got, c.want)
		}
	}
}

func TestRiskArea_Validate(t *testing.T) {
	for name, a := range map[string]frontline.RiskArea{
		"no name":      {Level: frontline.RiskHigh, ValidFrom: "2026-01-01"},
		"bad code":     {Name: "x", Code: "61a", Level: frontline.RiskHigh, ValidFrom: "2026-01-01"},
		"bad level":    {Name: "x", Level: "red", ValidFrom: "2026-01-01"},
		"to before":    {Name: "x", Level: frontline.RiskHigh, ValidFrom: "2026-01-02", ValidTo: "2026-01-01"},
		"bad from day": {Name: "x", Level: frontline.RiskHigh, ValidFrom: "1/2/2026"},
	} {
		if err := a.Validate(); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
	if l, ok := frontline.ParseRiskLevel("高风险"); !ok || l != frontline.RiskHigh {
		t.Errorf("高风险 = %s", l)
	}
}

func TestClassify(t *testing.T) {
	rules := frontline.DefaultMeasureRules()
	rules.Version = 3
	risk := frontline.RiskAreasAt([]frontline.RiskArea{
		area(1, "610113", "雁塔区", frontline.RiskHigh, "2026-01-01", "", t0),
		area(2, "620502", "秦州区", frontline.RiskMedium, "2026-01-01", "", t0),
		area(3, "620503", "麦积区", frontline.RiskLow, "2026-01-01", "", t0),
	}, "2026-01-05", time.Time{})
	for _, c := range []struct {
		code, arrived string
		want          frontline.MeasureType
		level         frontline.RiskLevel
		end           string
	}{
		{"610113", "2026-01-05", frontline.MeasureIsolation, frontline.RiskHigh, "2026-01-11"},
		{"610113", "2025-12-30", frontline.MeasureIsolation, frontline.RiskHigh, "2026-01-05"},
		// Seven days after arrival the high-risk rule no longer applies,
		// but the medium one (14 days) does: a high area is at least medium.
		{"610113", "2025-12-29", frontline.MeasureMonitoring, frontline.RiskHigh, "2026-01-11"},
		{"620502", "2026-01-04", frontline.MeasureMonitoring, frontline.RiskMedium, "2026-01-17"},
		{"620502", "2025-12-20", frontline.MeasureNone, frontline.RiskMedium, ""},
		{"620503", "2026-01-04", frontline.MeasureNone, frontline.RiskLow, ""},
		{"110101", "2026-01-04", frontline.MeasureNone, frontline.RiskNone, ""},
	} {
		d := frontline.Classify(&frontline.Travel{AreaCode: c.code, ArrivedOn: c.arrived}, risk, &rules, "2026-01-05")
		if d.Measure.Type != c.want || d.Level != c.level || d.End != c.end || d.RuleVersion != 3 {
			t.Errorf("%s arrived %s: %+v, want %s %s until %s", c.code, c.arrived, d, c.want, c.level, c.end)
		}
	}
	if d := frontline.Classify(nil, risk, &rules, "2026-01-05"); d.Measure.Type != frontline.MeasureNone {
		t.Errorf("no travel: %+v", d)
	}
}

func TestMeasureRules_Validate(t *testing.T) {
	rs := frontline.DefaultMeasureRules()
	if err := rs.Validate(); err != nil {
		t.Fatal(err)
	}
	rs.Rules[0].Measure.TestDays = []int{1, 9}
	if err := rs.Validate(); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Errorf("test day 9 of 7: %v", err)
	}
}

func TestPlanFollowUps(t *testing.T) {
	s := frontline.DefaultFollowUpSettings
	m := &frontline.Measure{StartDate: "2026-01-03", EndDate: "2026-01-09", TestDays: []int{1, 2, 3, 5, 7}, ReportsPerDay: 2}
	// Decided on the 5th (day 3) at 12:00 local: the tests of days 1-3 are
	// past and merge into one catch-up test due at once.
	decided := time.Date(2026, 1, 5, 12, 0, 0, 0, frontline.ChinaTime)
	items := frontline.PlanFollowUps(m, s, decided)
	var tests []int
	reports := 0
	for _, it := range items {
		if it.Kind == frontline.FollowUpTest {
			tests = append(tests, it.Day)
			if it.Day == 3 && !it.DueAt.Equal(decided) {
				t.Errorf("catch-up test due %v, want %v", it.DueAt, decided)
			}
		} else {
			reports++
			if it.DueAt.Before(decided) {
				t.Errorf("report due %v before the decision", it.DueAt)
			}
		}
	}
	if len(tests) != 3 || tests[0] != 7 || tests[1] != 5 || tests[2] != 3 {
		t.Errorf("tests on days %v, want 7, 5 and a catch-up on 3", tests)
	}
	// The 5th evening, then two a day on the 6th to the 9th.
	if reports != 9 {
		t.Errorf("%d reports, want 9", reports)
	}
}

func TestEscalate(t *testing.T) {
	s := frontline.DefaultFollowUpSettings
	due := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		f    frontline.FollowUpItem
		now  time.Time
		want frontline.Escalation
	}{
		{"not due", frontline.FollowUpItem{DueAt: due}, due.Add(-time.Hour), frontline.EscalationNone},
		{"in grace", frontline.FollowUpItem{DueAt: due}, due.Add(time.Hour), frontline.EscalationNone},
		{"overdue", frontline.FollowUpItem{DueAt: due}, due.Add(3 * time.Hour), frontline.EscalationAssignee},
		{"long overdue", frontline.FollowUpItem{DueAt: due}, due.Add(6 * time.Hour), frontline.EscalationSecretary},
		{"done normal", frontline.FollowUpItem{DueAt: due, DoneAt: due}, due.Add(9 * time.Hour), frontline.EscalationNone},
		{"fever", frontline.FollowUpItem{DueAt: due, DoneAt: due, Abnormal: true}, due.Add(time.Hour), frontline.EscalationAssignee},
		{"fever unhandled", frontline.FollowUpItem{DueAt: due, DoneAt: due, Abnormal: true}, due.Add(4 * time.Hour), frontline.EscalationSecretary},
		{"handled", frontline.FollowUpItem{DueAt: due, DoneAt: due, Abnormal: true, HandledAt: due}, due.Add(9 * time.Hour), frontline.EscalationNone},
	} {
		if got := frontline.Escalate(&c.f, c.now, s); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	if !s.Abnormal(37.3, "", "") || s.Abnormal(36.8, "", "negative") || !s.Abnormal(36.5, "咳嗽", "") {
		t.Error("abnormal readings misjudged")
	}
}

func TestMeasureCanEnd(t *testing.T) {
	s := frontline.DefaultFollowUpSettings
	m := &frontline.Measure{EndDate: "2026-01-09"}
	done := time.Date(2026, 1, 9, 3, 0, 0, 0, time.UTC)
	items := []frontline.FollowUpItem{{Kind: frontline.FollowUpTest, DoneAt: done}, {Kind: frontline.FollowUpTest}}
	after := time.Date(2026, 1, 10, 1, 0, 0, 0, time.UTC) // 09:00 on the 10th in China
	if frontline.MeasureCanEnd(m, items, after, s) {
		t.Error("ended with a test not done")
	}
	items[1].DoneAt = done
	if frontline.MeasureCanEnd(m, items, done, s) {
		t.Error("ended on its last day")
	}
	if !frontline.MeasureCanEnd(m, items, after, s) {
		t.Error("did not end with tests done and days over")
	}
}

func TestVisit_Validate(t *testing.T) {
	now := t0
	id := "0b9a4c8e-3f1d-4c2a-9e5b-7d6f1a2b3c4d"
	for name, c := range map[string]struct {
		v    frontline.Visit
		want string
	}{
		"no client id":   {frontline.Visit{Outcome: frontline.OutcomeNotHome}, "client_id"},
		"refused no why": {frontline.Visit{ClientID: id, Outcome: frontline.OutcomeRefused}, "note"},
		"screened empty": {frontline.Visit{ClientID: id, Outcome: frontline.OutcomeScreened}, "persons"},
		"both ids": {frontline.Visit{ClientID: id, Outcome: frontline.OutcomeScreened,
			Persons: []frontline.VisitPerson{{PersonID: 1, New: &frontline.Person{Name: "x"}}}}, "persons"},
		"future arrival": {frontline.Visit{ClientID: id, Outcome: frontline.OutcomeScreened,
			Persons: []frontline.VisitPerson{{PersonID: 1, Travel: &frontline.Travel{AreaCode: "610113", ArrivedOn: "2026-02-01"}}}}, "travel.arrived_on"},
	} {
		err := c.v.Validate(now, "2026-01-01")
		if frontline.ErrorField(err) != c.want {
			t.Errorf("%s: %v, want an error on %s", name, err, c.want)
		}
	}
	v := frontline.Visit{ClientID: id, Outcome: frontline.OutcomeVacant, Persons: []frontline.VisitPerson{{PersonID: 1}}}
	if err := v.Validate(now, "2026-01-01"); err != nil || v.Persons != nil || !v.VisitedAt.Equal(now) {
		t.Errorf("vacant: %v %+v", err, v)
	}
	for o, final := range map[frontline.Outcome]bool{frontline.OutcomeScreened: true, frontline.OutcomeNotHome: false,
		frontline.OutcomeRefused: true, frontline.OutcomeVacant: true, frontline.OutcomeMovedOut: true} {
		if o.Final() != final {
			t.Errorf("%s final = %v", o, o.Final())
		}
	}
}

func TestCampaign(t *testing.T) {
	c := frontline.Campaign{Name: "返乡人员摸排", ScopeID: 1, Question: frontline.Question{ArrivedSince: "2026-01-01"},
		Deadline: t0.Add(48 * time.Hour)}
	if err := c.Validate(t0); err != nil || c.Cutoff != "16:00" || c.Question.MinLevel != frontline.RiskMedium {
		t.Fatalf("%v %+v", err, c)
	}
	// 15:59 local counts for the day, 16:01 for the next.
	at := time.Date(2026, 1, 5, 15, 59, 0, 0, frontline.ChinaTime)
	if d := c.ReportDate(at, frontline.ChinaTime); d != "2026-01-05" {
		t.Errorf("report date %s", d)
	}
	if d := c.ReportDate(at.Add(2*time.Minute), frontline.ChinaTime); d != "2026-01-06" {
		t.Errorf("report date after cut-off %s", d)
	}
	if frontline.Floor("1203") != 12 || frontline.Floor("501") != 5 || frontline.Floor("A3") != 0 {
		t.Error("floors")
	}
	if err := (frontline.Assignee{UserID: 1, TeamID: 2}).Validate(); err == nil {
		t.Error("two assignees accepted")
	}
	cov := frontline.Coverage{Households: 10, Screened: 4, Refused: 1, Vacant: 1, NotHome: 2}
	if cov.Pending() != 4 {
		t.Errorf("pending %d", cov.Pending())
	}
}
