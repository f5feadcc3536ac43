package demo

import (
	"regexp"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
)

func TestPlanCity(t *testing.T) {
	code12 := regexp.MustCompile(`^620502\d{6}$`)
	for _, tc := range []struct {
		residents, communities int
	}{{100, 14}, {3000, 14}, {100_000, 14}, {1_000_000, 83}, {3_000_000, 250}} {
		subs := planCity(tc.residents, 1)
		if len(subs) != 7 || subs[0].name != "大城街道" || subs[0].code != "620502001000" || subs[6].code != "620502007000" {
			t.Fatalf("%d: subdistricts %v", tc.residents, subs)
		}
		names, codes := map[string]bool{}, map[string]bool{}
		total, n := 0, 0
		for _, s := range subs {
			for _, c := range s.communities {
				if names[c.name] || codes[c.code] || !code12.MatchString(c.code) || !strings.HasPrefix(c.code, s.code[:9]) {
					t.Fatalf("%d: community %s %s repeated or badly coded", tc.residents, c.name, c.code)
				}
				names[c.name], codes[c.code] = true, true
				total += c.residents
				n++
				if size := c.residents; tc.residents >= 1_000_000 && (size < 5000 || size > 30000) {
					t.Errorf("%d: community %s has %d residents, want 5,000–30,000", tc.residents, c.name, size)
				}
			}
		}
		if total != tc.residents || n != tc.communities {
			t.Fatalf("%d: %d communities with %d residents, want %d with %d", tc.residents, n, total, tc.communities, tc.residents)
		}
		if c := subs[0].communities[0]; c.name != "罗玉新村社区" || c.compound != "枣园小区" || !c.fringe {
			t.Fatalf("first community of 大城街道 = %+v", c)
		}
		if c := subs[1].communities[0]; c.name != "自治巷社区" || c.compound != "忠义巷小区" {
			t.Fatalf("first community of 中城街道 = %+v", c)
		}
	}
}

// TestGenerate_Tree checks the places the rows describe: the named
// compounds, sibling names, unit-less houses in the fringe, building and
// unit names in canonical form.
func TestGenerate_Tree(t *testing.T) {
	gs := generateAll(t, Config{})
	compounds := map[string]map[string]bool{} // community → compounds
	unitless := map[string]int{}              // community → rows without a unit
	room := regexp.MustCompile(`^[1-9]\d?0[1-4]$`)
	for _, g := range gs {
		compounds[g.c.name] = map[string]bool{}
		for _, r := range g.rows {
			if r.Subdistrict != g.c.subdistrict || r.Community != g.c.name {
				t.Fatalf("row %d of %s says %s/%s", r.Row, g.c.name, r.Subdistrict, r.Community)
			}
			compounds[g.c.name][r.Compound] = true
			if r.Unit == "" {
				unitless[g.c.name]++
			} else if frontline.UnitName(r.Unit) != r.Unit || !strings.HasSuffix(r.Unit, "单元") {
				t.Fatalf("unit %q", r.Unit)
			}
			if frontline.BuildingName(r.Building) != r.Building || !strings.HasSuffix(r.Building, "号楼") || !room.MatchString(r.Room) {
				t.Fatalf("building %q room %q", r.Building, r.Room)
			}
		}
		for i, r := range g.rows {
			if r.Row != i+2 {
				t.Fatalf("%s: row %d numbered %d", g.c.name, i, r.Row)
			}
		}
		if len(compounds[g.c.name]) < 2 || len(compounds[g.c.name]) != g.n.compounds {
			t.Errorf("%s: %d compounds (counted %d)", g.c.name, len(compounds[g.c.name]), g.n.compounds)
		}
	}
	if !compounds["罗玉新村社区"]["枣园小区"] || !compounds["自治巷社区"]["忠义巷小区"] {
		t.Fatalf("named compounds missing: %v %v", compounds["罗玉新村社区"], compounds["自治巷社区"])
	}
	if unitless["罗玉新村社区"] == 0 {
		t.Error("罗玉新村社区 lies in the urban-rural fringe but has no self-built houses")
	}
	if len(gs) != 14 {
		t.Errorf("%d communities at the default size, want 14", len(gs))
	}
}

func TestAllocate(t *testing.T) {
	got := allocate(10, []float64{1, 1, 1}, 2)
	if got[0]+got[1]+got[2] != 10 || got[0] != 4 || got[1] != 3 || got[2] != 3 {
		t.Fatalf("allocate(10, 1:1:1, 2) = %v, want [4 3 3]", got)
	}
	// 998 to share: 249.5 and 748.5; the tie of remainders goes first.
	got = allocate(1000, []float64{0.5, 1.5}, 1)
	if got[0] != 251 || got[1] != 749 {
		t.Fatalf("allocate(1000, 0.5:1.5, 1) = %v, want [251 749]", got)
	}
}

// TestIDAllocator_FullDay fills one region, day and sex past its 500
// numbers: the rest move to the nearest free days and stay valid and unique.
func TestIDAllocator_FullDay(t *testing.T) {
	a := newIDAllocator(defaultNow)
	birth := defaultNow.AddDate(-30, 0, 0)
	seen := map[string]bool{}
	moved := 0
	for range 1200 {
		n, day := a.next("620502", birth, frontline.SexFemale)
		id, err := frontline.ParseMainlandID(n, defaultNow)
		if err != nil || seen[n] || id.Sex != frontline.SexFemale || id.BirthDate != day.Format(frontline.DateLayout) {
			t.Fatalf("%s on %s: %v (seen %v)", n, day, err, seen[n])
		}
		seen[n] = true
		if !day.Equal(birth) {
			moved++
			if d := day.Sub(birth).Hours() / 24; d < -1 || d > 2 {
				t.Fatalf("moved %v days", d)
			}
		}
	}
	if moved != 700 {
		t.Fatalf("%d numbers moved to other days, want 700", moved)
	}
	// The newest day: the day after is in the future, so it moves back.
	today := defaultNow.AddDate(0, 0, -1)
	for range 600 {
		if _, day := a.next("620503", today, frontline.SexMale); day.After(defaultNow) {
			t.Fatalf("birth day %s after now", day)
		}
	}
}

func TestPhoneAllocator(t *testing.T) {
	a := newPhoneAllocator(1)
	seen := map[string]bool{}
	for range 100_000 {
		p := a.next()
		if _, err := frontline.NormalizePhone(p); err != nil || len(p) != 11 || seen[p] {
			t.Fatalf("phone %q: %v (seen %v)", p, err, seen[p])
		}
		seen[p] = true
	}
}
