package frontline_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

var rosterDay = time.Date(2022, 3, 29, 0, 0, 0, 0, time.UTC)

func at(h int) time.Time { return rosterDay.Add(time.Duration(h) * time.Hour) }

func violationCodes(vs []frontline.Violation) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Code)
	}
	return out
}

// TestRosterRules checks each rule of an assignment on its own: overlap,
// a shift too long, too little rest before and after, too many hours in
// seven days, a day off, a missing skill and a stale test.
func TestRosterRules(t *testing.T) {
	rules := frontline.DefaultRosterRules
	post := &frontline.Post{Name: "1号卡点", MeetsResidents: true}
	worker := func() *frontline.Worker {
		return &frontline.Worker{ID: 1, Name: "王林", Kind: frontline.WorkerDepartment, Unit: "区林草局",
			LastNegative: at(-10)}
	}
	shift := func(from, to int) *frontline.Shift {
		return &frontline.Shift{ID: 99, Start: at(from), End: at(to), Headcount: 2}
	}
	book := func(id int64, from, to int) frontline.Booking {
		return frontline.Booking{ShiftID: id, Start: at(from), End: at(to)}
	}
	week := func() []frontline.Booking { // five 12-hour shifts on the days before
		var out []frontline.Booking
		for d := 1; d <= 5; d++ {
			out = append(out, book(int64(d), 8-24*d, 20-24*d))
		}
		return out
	}
	for name, c := range map[string]struct {
		w      func(*frontline.Worker)
		sh     *frontline.Shift
		others []frontline.Booking
		want   []string
	}{
		"fine":                {sh: shift(8, 20), others: []frontline.Booking{book(1, -16, -4)}, want: []string{}},
		"overlap":             {sh: shift(8, 20), others: []frontline.Booking{book(1, 18, 30)}, want: []string{frontline.ViolOverlap}},
		"itself":              {sh: shift(8, 20), others: []frontline.Booking{book(99, 8, 20)}, want: []string{}},
		"too long":            {sh: shift(8, 21), want: []string{frontline.ViolShiftLength}},
		"rest before":         {sh: shift(8, 20), others: []frontline.Booking{book(1, -8, 1)}, want: []string{frontline.ViolRest}},
		"rest after":          {sh: shift(8, 20), others: []frontline.Booking{book(1, 27, 39)}, want: []string{frontline.ViolRest}},
		"eight hours is rest": {sh: shift(8, 20), others: []frontline.Booking{book(1, -12, 0), book(2, 28, 36)}, want: []string{}},
		"sixty hours":         {sh: shift(8, 20), others: week(), want: []string{frontline.ViolHours}},
		"fifty-nine hours":    {sh: shift(8, 19), others: week()[:4], want: []string{}},
		"day off":             {w: func(w *frontline.Worker) { w.Off = []string{"2022-03-29"} }, sh: shift(8, 20), want: []string{frontline.ViolUnavailable}},
		"not on the list":     {w: func(w *frontline.Worker) { w.Days = []string{"2022-03-30"} }, sh: shift(8, 20), want: []string{frontline.ViolUnavailable}},
		"no test":             {w: func(w *frontline.Worker) { w.LastNegative = time.Time{} }, sh: shift(8, 20), want: []string{frontline.ViolHealth}},
		"stale test":          {w: func(w *frontline.Worker) { w.LastNegative = at(-41) }, sh: shift(8, 20), want: []string{frontline.ViolHealth}},
		"skills": {sh: &frontline.Shift{ID: 99, Start: at(8), End: at(16), Headcount: 1, Skills: []string{frontline.SkillSampling}},
			want: []string{frontline.ViolSkills}},
	} {
		t.Run(name, func(t *testing.T) {
			w := worker()
			if c.w != nil {
				c.w(w)
			}
			got := violationCodes(frontline.CheckAssignment(rules, w, post, c.sh, "2022-03-29", c.others))
			if !slices.Equal(got, c.want) {
				t.Fatalf("violations %v, want %v", got, c.want)
			}
		})
	}
	r := &frontline.RuleRefusal{Worker: "王林", Violations: frontline.CheckAssignment(rules, worker(), post, shift(8, 21), "2022-03-29", nil)}
	if !r.Overridable() || frontline.ErrorField(r.Refuse()) != "override" || frontline.ErrorCode(r.Refuse()) != frontline.ECONFLICT {
		t.Fatalf("a long shift is refused but may be overridden: %v", r.Refuse())
	}
	w := worker()
	w.LastNegative = time.Time{}
	r = &frontline.RuleRefusal{Worker: "王林", Violations: frontline.CheckAssignment(rules, w, post, shift(8, 21), "2022-03-29", nil)}
	if r.Overridable() || frontline.ErrorField(r.Refuse()) != "worker_id" {
		t.Fatalf("no test on record may not be overridden: %v", r.Refuse())
	}
}

// TestRosterRules_Validate refuses rules out of their bounds.
func TestRosterRules_Validate(t *testing.T) {
	r := frontline.DefaultRosterRules
	if err := r.Validate(); err != nil {
		t.Fatalf("the defaults: %v", err)
	}
	r.MaxHours = 8 * 24 * time.Hour
	if frontline.ErrorField(r.Validate()) != "max_hours" {
		t.Fatal("more hours than the window accepted")
	}
	r = frontline.DefaultRosterRules
	r.MinRest = 90 * time.Second
	if frontline.ErrorField(r.Validate()) != "min_rest" {
		t.Fatal("rest in seconds accepted")
	}
}

// TestRosterAutoFill fills a small crafted roster: skills matched, the
// fewest hours first, cadres of one department kept at one post, and a
// place nobody may take left open.
func TestRosterAutoFill(t *testing.T) {
	rules := frontline.DefaultRosterRules
	gate := &frontline.Post{ID: 1, Name: "1号卡点"}
	gate2 := &frontline.Post{ID: 2, Name: "2号卡点"}
	station := &frontline.Post{ID: 3, Name: "采样点"}
	var workers []*frontline.Worker
	add := func(name, unit string, skills ...string) *frontline.Worker {
		w := &frontline.Worker{ID: int64(len(workers) + 1), Name: name, Unit: unit, Skills: skills, Kind: frontline.WorkerVolunteer}
		workers = append(workers, w)
		return w
	}
	for i := range 4 {
		add(fmt.Sprintf("林%d", i), "区林草局")
	}
	for i := range 4 {
		add(fmt.Sprintf("水%d", i), "区水务局")
	}
	add("护士", "", frontline.SkillSampling)
	busy := add("忙人", "")
	var shifts []*frontline.Shift
	id := int64(100)
	shiftOf := func(p *frontline.Post, from, to, n int, skills ...string) *frontline.Shift {
		id++
		sh := &frontline.Shift{ID: id, PostID: p.ID, Post: p, Start: at(from), End: at(to), Headcount: n, Skills: skills}
		shifts = append(shifts, sh)
		return sh
	}
	// Each checkpoint gets a unit already: one cadre of each is on it.
	first := shiftOf(gate, 0, 8, 2)
	first.Assignments = []*frontline.Assignment{{WorkerID: 5, Unit: "区水务局"}}
	shiftOf(gate, 8, 16, 2)
	shiftOf(gate2, 8, 16, 2)
	sample := shiftOf(station, 8, 16, 2, frontline.SkillSampling)
	bookings := map[int64][]frontline.Booking{
		5:       {{ShiftID: first.ID, Start: at(0), End: at(8)}},
		busy.ID: {{ShiftID: 1, Start: at(16), End: at(24)}},
	}
	res := frontline.ProposeFill(frontline.FillInput{Rules: rules, Shifts: shifts, Workers: workers, Bookings: bookings,
		From: at(0), To: at(24), Day: func(t time.Time) string { return t.Format(frontline.DateLayout) }})
	byShift := map[int64][]string{}
	for _, p := range res.Proposals {
		byShift[p.ShiftID] = append(byShift[p.ShiftID], p.WorkerName)
	}
	// 1号卡点 keeps 区水务局: 水1 joins 水0 at once, then two fresh ones of
	// the same bureau (水0 must rest after the night). 2号卡点 starts with
	// the fewest hours of all (林0), then keeps 区林草局.
	want := map[int64][]string{
		first.ID:     {"水1"},
		first.ID + 1: {"水2", "水3"},
		first.ID + 2: {"林0", "林1"},
		sample.ID:    {"护士"},
	}
	for sid, names := range want {
		if !slices.Equal(byShift[sid], names) {
			t.Errorf("shift %d: proposed %v, want %v", sid, byShift[sid], names)
		}
	}
	if res.Open != 7 || res.Unfilled != 1 || len(res.Proposals) != 6 {
		t.Errorf("open %d, unfilled %d, proposals %d; want 7, 1, 6", res.Open, res.Unfilled, len(res.Proposals))
	}
	for _, p := range res.Proposals {
		if p.WorkerID == busy.ID {
			t.Errorf("the worker with the most hours was proposed before others: %+v", p)
		}
	}
}
