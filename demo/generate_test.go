package demo

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
)

// generated is one community's output.
type generated struct {
	c    *communityPlan
	rows []frontline.ResidentRow
	n    counts
}

// generateAll runs the generator over a whole city without a database.
func generateAll(tb testing.TB, cfg Config) []generated {
	tb.Helper()
	cfg, err := cfg.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	g := newGenerator(cfg)
	var out []generated
	for _, s := range planCity(cfg.Residents, cfg.Seed) {
		for _, c := range s.communities {
			rows, n := g.rows(c)
			out = append(out, generated{c, rows, n})
		}
	}
	return out
}

func allRows(gs []generated) []frontline.ResidentRow {
	var rows []frontline.ResidentRow
	for _, g := range gs {
		rows = append(rows, g.rows...)
	}
	return rows
}

// age returns the completed years at now of someone born on birth.
func age(birth string, now time.Time) int {
	b, _ := time.Parse(frontline.DateLayout, birth)
	a := now.Year() - b.Year()
	if now.YearDay() < b.YearDay() { // good enough away from 29 February
		a--
	}
	return a
}

// households groups rows by household, in row order.
func households(rows []frontline.ResidentRow) [][]frontline.ResidentRow {
	var out [][]frontline.ResidentRow
	key := func(r frontline.ResidentRow) string {
		return strings.Join([]string{r.Community, r.Compound, r.Building, r.Unit, r.Room}, "/")
	}
	for i, r := range rows {
		if i == 0 || key(rows[i-1]) != key(r) {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	return out
}

var defaultNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestGenerate_Deterministic(t *testing.T) {
	a := allRows(generateAll(t, Config{Residents: 3000, Seed: 7}))
	b := allRows(generateAll(t, Config{Residents: 3000, Seed: 7}))
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	c := allRows(generateAll(t, Config{Residents: 3000, Seed: 8}))
	if reflect.DeepEqual(a, c) {
		t.Fatal("two seeds give the same city")
	}
	if len(a) != 3000 || len(c) != 3000 {
		t.Fatalf("rows = %d and %d, want 3000", len(a), len(c))
	}
}

func TestGenerate_Persons(t *testing.T) {
	gs := generateAll(t, Config{Residents: 20000})
	rows := allRows(gs)
	if len(rows) != 20000 {
		t.Fatalf("rows = %d, want 20000", len(rows))
	}
	ids, phones := map[string]bool{}, map[string]bool{}
	var withPhone, vulnerable int
	status := map[frontline.ResidenceStatus]int{}
	for _, r := range rows {
		p := r.Person
		id, err := frontline.ParseMainlandID(p.IDNumber, defaultNow)
		if err != nil {
			t.Fatalf("row %d %s: %v", r.Row, p.IDNumber, err)
		}
		if id.Sex != p.Sex || id.BirthDate != p.BirthDate {
			t.Fatalf("row %d: ID %s says %s %s, person is %s %s", r.Row, p.IDNumber, id.Sex, id.BirthDate, p.Sex, p.BirthDate)
		}
		if !strings.HasPrefix(p.IDNumber, "62") && p.Status != frontline.StatusTemporary {
			t.Fatalf("row %d: a native registered outside Gansu: %s", r.Row, p.IDNumber)
		}
		if ids[p.IDNumber] {
			t.Fatalf("ID number %s given twice", p.IDNumber)
		}
		ids[p.IDNumber] = true
		if q := p; q.Validate(defaultNow) != nil {
			t.Fatalf("row %d does not validate: %v", r.Row, q.Validate(defaultNow))
		}
		if p.Phone != "" {
			if len(p.Phone) != 11 || !slices.Contains(mobilePrefixes, p.Phone[:3]) || phones[p.Phone] {
				t.Fatalf("row %d: bad or repeated phone %q", r.Row, p.Phone)
			}
			phones[p.Phone] = true
			withPhone++
		}
		if p.Vulnerable() {
			vulnerable++
		}
		status[p.Status]++
	}
	share := func(n int) float64 { return float64(n) / float64(len(rows)) }
	if s := share(withPhone); s < 0.75 || s > 0.85 {
		t.Errorf("phone share = %.3f, want about 0.80", s)
	}
	if s := share(vulnerable); s < 0.12 || s > 0.18 {
		t.Errorf("vulnerable share = %.3f, want 0.12–0.18", s)
	}
	if s := share(status[frontline.StatusResident]); s < 0.75 {
		t.Errorf("resident share = %.3f, want most", s)
	}
	if status[frontline.StatusTemporary] == 0 || status[frontline.StatusAway] == 0 || status[frontline.StatusMovedOut] != 0 {
		t.Errorf("statuses = %v, want some temporary and away, none moved out", status)
	}
	var sum counts
	for _, g := range gs {
		sum.add(g.n)
	}
	if sum.residents != 20000 || sum.vulnerable != vulnerable || sum.households != len(households(rows)) {
		t.Errorf("counts %+v do not match the rows (vulnerable %d, households %d)", sum, vulnerable, len(households(rows)))
	}
}

func TestGenerate_Households(t *testing.T) {
	rows := allRows(generateAll(t, Config{Residents: 20000, Seed: 3}))
	hhs := households(rows)
	seen := map[string]bool{}
	for _, hh := range hhs {
		r := hh[0]
		addr := r.Community + "/" + r.Address()
		if seen[addr] {
			t.Fatalf("household %s appears in two places of the file", addr)
		}
		seen[addr] = true
		if len(hh) < 1 || len(hh) > 6 {
			t.Fatalf("household %s has %d persons", addr, len(hh))
		}
		checkFamily(t, addr, hh)
	}
	if mean := float64(len(rows)) / float64(len(hhs)); mean < 2.3 || mean > 2.8 {
		t.Errorf("mean household size = %.2f, want about 2.5", mean)
	}
}

// checkFamily checks one head, a spouse of the other sex, and ages that
// keep the generations apart.
func checkFamily(t *testing.T, addr string, hh []frontline.ResidentRow) {
	t.Helper()
	head := hh[0].Person
	if head.Relation != frontline.RelHead {
		t.Fatalf("%s: the first person is %s, not the head", addr, head.Relation)
	}
	ha := age(head.BirthDate, defaultNow)
	for _, r := range hh[1:] {
		p := r.Person
		a := age(p.BirthDate, defaultNow)
		switch p.Relation {
		case frontline.RelHead:
			t.Fatalf("%s: two heads", addr)
		case frontline.RelSpouse:
			if p.Sex == head.Sex || a < 18 {
				t.Fatalf("%s: spouse %s aged %d of head %s", addr, p.Sex, a, head.Sex)
			}
		case frontline.RelChild:
			if ha-a < 15 {
				t.Fatalf("%s: child aged %d of a head aged %d", addr, a, ha)
			}
		case frontline.RelParent:
			if a-ha < 18 {
				t.Fatalf("%s: parent aged %d of a head aged %d", addr, a, ha)
			}
		case frontline.RelGrandchild:
			if ha-a < 35 {
				t.Fatalf("%s: grandchild aged %d of a head aged %d", addr, a, ha)
			}
		}
	}
}

func TestGenerate_Flags(t *testing.T) {
	rows := allRows(generateAll(t, Config{Residents: 20000, Seed: 5}))
	byFlag := map[frontline.Flag]int{}
	for _, hh := range households(rows) {
		for _, r := range hh {
			p := r.Person
			a := age(p.BirthDate, defaultNow)
			for _, f := range p.Flags {
				byFlag[f]++
				ok := true
				switch f {
				case frontline.FlagInfant:
					ok = a < 3
				case frontline.FlagPregnant:
					ok = p.Sex == frontline.SexFemale && a >= 20 && a <= 45
				case frontline.FlagLivingAlone:
					ok = len(hh) == 1 && a >= 60
				case frontline.FlagDialysis:
					ok = a >= 30
				}
				if !ok {
					t.Fatalf("row %d: %s aged %d flagged %s", r.Row, p.Sex, a, f)
				}
			}
			if a < 3 != slices.Contains(p.Flags, frontline.FlagInfant) {
				t.Fatalf("row %d: aged %d, flags %v", r.Row, a, p.Flags)
			}
			if !slices.IsSortedFunc(p.Flags, func(a, b frontline.Flag) int {
				return slices.Index(frontline.FlagOrder, a) - slices.Index(frontline.FlagOrder, b)
			}) {
				t.Fatalf("row %d: flags %v not in FlagOrder", r.Row, p.Flags)
			}
		}
	}
	for _, f := range frontline.FlagOrder {
		if byFlag[f] == 0 && f != frontline.FlagDialysis {
			t.Errorf("no resident flagged %s in 20,000", f)
		}
	}
}
