package frontline_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/frontline-org/frontline"
)

func TestPoolPolicy(t *testing.T) {
	p := frontline.DefaultPoolPolicy()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	for level, want := range map[string]string{"sealed": "single", "controlled": "pool 10", "precaution": "pool 20", "": "pool 10", "unknown": "pool 10"} {
		if got := p.Rule(level).String(); got != want {
			t.Errorf("rule for %q = %s, want %s", level, got, want)
		}
	}
	if got := p.Levels(); !cmp.Equal(got, []string{"sealed", "controlled", "precaution", ""}) {
		t.Errorf("levels = %q", got)
	}
	for _, tc := range []struct {
		name  string
		edit  func(frontline.PoolPolicy)
		field string
	}{
		{"ErrNoDefault", func(p frontline.PoolPolicy) { delete(p, "") }, "pool_policy.none"},
		{"ErrNoSealed", func(p frontline.PoolPolicy) { delete(p, "sealed") }, "pool_policy.sealed"},
		{"ErrMisspelt", func(p frontline.PoolPolicy) { p["seald"] = frontline.PoolRule{Mode: frontline.PoolSingle} }, "pool_policy.seald"},
		{"ErrSize", func(p frontline.PoolPolicy) { p["sealed"] = frontline.PoolRule{Mode: frontline.PoolMixed, Size: 51} }, "pool_policy.sealed.size"},
		{"ErrMode", func(p frontline.PoolPolicy) { p["controlled"] = frontline.PoolRule{Mode: "mixed"} }, "pool_policy.controlled.mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := frontline.DefaultPoolPolicy()
			tc.edit(p)
			if err := p.Validate(); frontline.ErrorField(err) != tc.field {
				t.Fatalf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
	if c := (frontline.PoolRule{Mode: frontline.PoolHousehold}).Capacity(4); c != 4 {
		t.Errorf("household tube of 4 holds %d", c)
	}
}

// TestPoolPolicyFromRules builds a round's default policy from the zone
// rules, and completes a partial policy from it.
func TestPoolPolicyFromRules(t *testing.T) {
	if got := frontline.PoolPolicyFromRules(frontline.NewZoneRuleSet(frontline.DefaultZoneRules())); !cmp.Equal(got, frontline.DefaultPoolPolicy()) {
		t.Errorf("the default zone rules make %v, not the default policy", got)
	}
	rules := frontline.NewZoneRuleSet(frontline.DefaultZoneRules())
	rules[frontline.LevelSealed] = &frontline.ZoneRule{Level: frontline.LevelSealed, PoolSize: 1, PoolPerHousehold: true}
	rules[frontline.LevelControlled] = &frontline.ZoneRule{Level: frontline.LevelControlled, PoolSize: 5}
	delete(rules, frontline.LevelPrecaution)
	want := frontline.PoolPolicy{
		"sealed":     {Mode: frontline.PoolHousehold},
		"controlled": {Mode: frontline.PoolMixed, Size: 5},
		"precaution": {Mode: frontline.PoolMixed, Size: 20}, // no rule: FIELD.md's
		"":           {Mode: frontline.PoolMixed, Size: 10},
	}
	base := frontline.PoolPolicyFromRules(rules)
	if diff := cmp.Diff(want, base); diff != "" {
		t.Errorf("policy from rules (-want +got):\n%s", diff)
	}
	partial := frontline.PoolPolicy{"": {Mode: frontline.PoolHousehold}}
	got := partial.Complete(base)
	want[""] = frontline.PoolRule{Mode: frontline.PoolHousehold}
	if diff := cmp.Diff(want, got); diff != "" || len(partial) != 1 {
		t.Errorf("completed policy (-want +got):\n%s", diff)
	}
}

func tube(code string) *frontline.Tube {
	return &frontline.Tube{Code: code, State: frontline.TubeOpen}
}

func TestTube_Take(t *testing.T) {
	pool10 := frontline.PoolRule{Mode: frontline.PoolMixed, Size: 10}
	pool20 := frontline.PoolRule{Mode: frontline.PoolMixed, Size: 20}
	single := frontline.PoolRule{Mode: frontline.PoolSingle}
	household := frontline.PoolRule{Mode: frontline.PoolHousehold}

	t.Run("FullTubeSealsItself", func(t *testing.T) {
		tb := tube("T1")
		for i := range 10 {
			if err := tb.Take(pool10, int64(i), 3); err != nil {
				t.Fatalf("person %d: %v", i, err)
			}
		}
		if tb.State != frontline.TubeSealed || tb.Count != 10 || tb.Capacity != 10 {
			t.Fatalf("after 10: %+v", tb)
		}
		if err := tb.Take(pool10, 99, 3); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("11th person: %v", err)
		}
	})
	t.Run("ErrStricterZone", func(t *testing.T) {
		tb := tube("T2")
		if err := tb.Take(pool20, 1, 1); err != nil {
			t.Fatal(err)
		}
		// A controlled-zone person may not join a pool of 20...
		if err := tb.Take(pool10, 2, 1); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("pool-10 person into a pool of 20: %v", err)
		}
		// ...nor a sealed-zone person any pool.
		if err := tb.Take(single, 3, 1); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("single person into a pool: %v", err)
		}
		// A precaution-zone person may join a smaller pool.
		small := tube("T3")
		small.Capacity = 5
		if err := small.Take(pool20, 1, 1); err != nil || small.Capacity != 5 {
			t.Fatalf("pool-20 person into a pool of 5: %v %+v", err, small)
		}
	})
	t.Run("Single", func(t *testing.T) {
		tb := tube("T4")
		if err := tb.Take(single, 1, 1); err != nil || tb.State != frontline.TubeSealed {
			t.Fatalf("single: %v %+v", err, tb)
		}
	})
	t.Run("Household", func(t *testing.T) {
		tb := tube("T5")
		if err := tb.Take(household, 7, 2); err != nil {
			t.Fatal(err)
		}
		if err := tb.Take(household, 8, 2); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("other household: %v", err)
		}
		if err := tb.Take(household, 7, 2); err != nil || tb.State != frontline.TubeSealed {
			t.Fatalf("second member: %v %+v", err, tb)
		}
	})
	t.Run("Seal", func(t *testing.T) {
		tb := tube("T6")
		if err := tb.Seal(); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("sealing an empty tube: %v", err)
		}
		_ = tb.Take(pool10, 1, 1)
		if err := tb.Seal(); err != nil || tb.State != frontline.TubeSealed {
			t.Fatalf("seal early: %v", err)
		}
		if err := tb.Seal(); err != nil {
			t.Fatalf("sealing twice: %v", err)
		}
		if err := tb.Take(pool10, 2, 1); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("binding into a sealed tube: %v", err)
		}
	})
}

func TestBindRequest_Validate(t *testing.T) {
	ok := frontline.BindRequest{RequestID: "st1-000001", RoundID: 1, TubeCode: " ｔ-0001 ", PersonIDs: []int64{1, 2}}
	if err := ok.Validate(); err != nil || ok.TubeCode != "T-0001" {
		t.Fatalf("valid request: %v %q", err, ok.TubeCode)
	}
	for name, r := range map[string]frontline.BindRequest{
		"no request id":  {RoundID: 1, TubeCode: "T1"},
		"space in id":    {RequestID: "a b", RoundID: 1, TubeCode: "T1"},
		"no tube":        {RequestID: "r", RoundID: 1},
		"bad tube":       {RequestID: "r", RoundID: 1, TubeCode: "T/1"},
		"no round":       {RequestID: "r", TubeCode: "T1"},
		"person twice":   {RequestID: "r", RoundID: 1, TubeCode: "T1", PersonIDs: []int64{3, 3}},
		"household+pers": {RequestID: "r", RoundID: 1, TubeCode: "T1", PersonIDs: []int64{3}, HouseholdID: 4},
		"too many":       {RequestID: "r", RoundID: 1, TubeCode: "T1", PersonIDs: seq(frontline.MaxBindPersons + 1)},
	} {
		if err := r.Validate(); frontline.ErrorCode(err) != frontline.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func seq(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func TestBagRequest_Validate(t *testing.T) {
	r := frontline.BagRequest{RoundID: 1, Code: "b-1", Count: 3, TubeCodes: []string{"t1", "t2", "t3"}}
	if err := r.Validate(); err != nil || r.Code != "B-1" || r.TubeCodes[2] != "T3" {
		t.Fatalf("%v %+v", err, r)
	}
	r.Count = 2
	if err := r.Validate(); frontline.ErrorField(err) != "count" {
		t.Fatalf("count mismatch: %v", err)
	}
	r = frontline.BagRequest{RoundID: 1, Code: "B", Count: 2, TubeCodes: []string{"T1", "t1"}}
	if err := r.Validate(); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Fatalf("tube twice: %v", err)
	}
}

func TestReconcile(t *testing.T) {
	missing, extra := frontline.Reconcile([]string{"A", "B", "C"}, []string{"C", "D", "A"})
	if !cmp.Equal(missing, []string{"B"}) || !cmp.Equal(extra, []string{"D"}) {
		t.Fatalf("missing %v extra %v", missing, extra)
	}
}

func TestParseResultsCSV(t *testing.T) {
	in := "\ufeff管码,结果,备注\nt-1,阴性,\nT-2,positive,\nT 3,阴性,\nT-4,maybe,\nT-5\nT-6,无效,\n"
	rows, bad, err := frontline.ParseResultsCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []frontline.ResultRow{
		{Row: 2, TubeCode: "T-1", Result: frontline.ResultNegative},
		{Row: 3, TubeCode: "T-2", Result: frontline.ResultPositive},
		{Row: 7, TubeCode: "T-6", Result: frontline.ResultInvalid},
	}
	if d := cmp.Diff(want, rows); d != "" {
		t.Fatalf("rows (-want +got):\n%s", d)
	}
	if len(bad) != 3 || bad[0].Row != 4 || bad[1].Row != 5 || bad[2].Row != 6 {
		t.Fatalf("bad rows: %+v", bad)
	}
	if _, _, err := frontline.ParseResultsCSV(strings.NewReader("a,b\n1,2\n")); frontline.ErrorCode(err) != frontline.EINVALID {
		t.Fatalf("no tube column: %v", err)
	}
}

func TestPlanSlots(t *testing.T) {
	opens := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC) // 06:00 in Tianshui
	sites := []frontline.PlanSite{
		{ID: 1, Stations: 2, OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)},
		{ID: 2, Stations: 1, OpensAt: opens, ClosesAt: opens.Add(time.Hour)},
	}
	buildings := []frontline.PlanBuilding{
		{ID: 11, Name: "1号楼", Persons: 250}, {ID: 12, Name: "2号楼", Persons: 90},
		{ID: 13, Name: "3号楼", Persons: 60}, {ID: 14, Name: "4号楼", Persons: 400},
	}
	plan := frontline.PlanSlots(9, buildings, sites, frontline.PlanSettings{})
	if plan.Persons != 800 || plan.StationsNeeded != 2 || plan.Stations != 3 {
		t.Fatalf("plan sums: %+v", plan)
	}
	// Two stations at 12 s a person sample 200 in 20 minutes, so 1号楼
	// (250) is called in two parts of 125; no call-up holds more than the
	// stations sample in 20 minutes.
	persons := map[int64]int{}
	for _, s := range plan.Slots {
		persons[s.BuildingID] += s.Persons
		perMinute := 10.0
		if s.SiteID == 2 {
			perMinute = 5
		}
		if mins := float64(s.Persons) / perMinute; mins > 20.5 {
			t.Errorf("slot %+v: a queue of %.0f minutes", s, mins)
		}
		if !s.EndsAt.After(s.StartsAt) {
			t.Errorf("slot %+v ends before it starts", s)
		}
	}
	for _, b := range buildings {
		if persons[b.ID] != b.Persons {
			t.Errorf("building %s: %d of %d persons called", b.Name, persons[b.ID], b.Persons)
		}
	}
	first := plan.Slots[0]
	if first.SiteID != 1 || first.BuildingID != 11 || first.Parts != 2 || !first.StartsAt.Equal(opens) {
		t.Errorf("first slot %+v", first)
	}
	var late bool
	for _, w := range plan.Warnings {
		late = late || (w.Kind == "past_closing" && w.SiteID == 2)
	}
	if !late {
		t.Errorf("site 2 samples 400 persons in an hour at 5 a minute; warnings %+v", plan.Warnings)
	}
	short := frontline.PlanSlots(9, buildings, sites[:1], frontline.PlanSettings{PerStation: 300})
	if len(short.Warnings) == 0 || short.Warnings[0].Kind != "stations_short" || short.Warnings[0].Need != 3 {
		t.Errorf("short of stations: %+v", short.Warnings)
	}
}

func TestCallUpText(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	s := frontline.Slot{Building: "3号楼", Part: 1, Parts: 2, StartsAt: at, EndsAt: at.Add(20 * time.Minute)}
	got := frontline.CallUpText("{building} {part}/{parts} {start}-{end} {site} {location}", "第1轮", s,
		&frontline.Site{Name: "枣园小区采样点"}, loc)
	if got != "3号楼 1/2 06:00-06:20 枣园小区采样点 枣园小区采样点" {
		t.Fatalf("text %q", got)
	}
}

func TestRetryPolicy(t *testing.T) {
	p := frontline.RetryPolicy{Base: time.Second, Max: 5 * time.Second, Attempts: 5}
	now := time.Unix(0, 0)
	var got []time.Duration
	for a := 1; a <= 5; a++ {
		next, dead := p.Next(a, now)
		if dead {
			got = append(got, -1)
			continue
		}
		got = append(got, next.Sub(now))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, -1}
	if !cmp.Equal(got, want) {
		t.Fatalf("backoff %v, want %v", got, want)
	}
}

func TestExcusal_Validate(t *testing.T) {
	e := frontline.Excusal{PersonID: 1, Reason: frontline.ExcuseOther}
	if err := e.Validate(); frontline.ErrorField(err) != "note" {
		t.Fatalf("other without a note: %v", err)
	}
	e = frontline.Excusal{PersonID: 1, Reason: "lazy"}
	if err := e.Validate(); frontline.ErrorField(err) != "reason" || !strings.Contains(frontline.ErrorMessage(err), "home_sampling, away, infant, hospital or other") {
		t.Fatalf("an unknown reason should list the reasons: %v", err)
	}
}

func TestRound_Validate(t *testing.T) {
	at := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	r := frontline.Round{Name: " 第一轮 ", ScopeID: 1, Day: "2026-03-02", StartsAt: at, EndsAt: at.Add(12 * time.Hour)}
	// The policy is left to the store, which builds it from the zone rules.
	if err := r.Validate(); err != nil || r.TestType != "PCR" || r.Policy != nil || r.Name != "第一轮" {
		t.Fatalf("%v %+v", err, r)
	}
	r.EndsAt = at
	if err := r.Validate(); frontline.ErrorField(err) != "ends_at" {
		t.Fatalf("ends at start: %v", err)
	}
}

// TestBindRequest_PersonErrors says which person of a request is wrong.
func TestBindRequest_PersonErrors(t *testing.T) {
	for _, tc := range []struct {
		persons []int64
		want    string
	}{
		{[]int64{5, 0}, "persons[1] is 0"},
		{[]int64{5, 6, 5}, "person 5 is given twice (persons[0] and persons[2])"},
	} {
		r := frontline.BindRequest{RequestID: "r-1", RoundID: 1, TubeCode: "T-1", PersonIDs: tc.persons}
		if err := r.Validate(); frontline.ErrorField(err) != "persons" || !strings.Contains(frontline.ErrorMessage(err), tc.want) {
			t.Errorf("%v: got %v, want %q", tc.persons, err, tc.want)
		}
	}
}
