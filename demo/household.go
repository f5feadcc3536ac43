package demo

import (
	"math/rand/v2"

	"github.com/frontline-org/frontline"
)

// member is one person of a household before they get a name and papers.
type member struct {
	rel     frontline.Relation
	sex     frontline.Sex
	age     int
	surname string
	married bool // lives with a spouse: only they are drawn as pregnant
}

// nativeSizes and migrantSizes weigh household sizes after the 2020 census
// for urban Gansu (mean about 2.6); migrants come alone or as young families.
var (
	nativeSizes  = weighted("1", 24, "2", 31, "3", 22, "4", 13, "5", 6, "6", 4)
	migrantSizes = weighted("1", 36, "2", 28, "3", 23, "4", 10, "5", 3)
)

func drawSize(r *rand.Rand, migrant bool) int {
	list := nativeSizes
	if migrant {
		list = migrantSizes
	}
	return int(pick(r, list)[0] - '0')
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func opposite(s frontline.Sex) frontline.Sex {
	if s == frontline.SexMale {
		return frontline.SexFemale
	}
	return frontline.SexMale
}

// family builds a household around its head, keeping the ages of the
// generations apart as they are in life: a mother is 20–35 years older
// than her children, parents of the head are 22–34 years older.
type family struct {
	r       *rand.Rand
	members []member
}

func (f *family) head(lo, hi int, male float64) *member {
	sex := frontline.SexFemale
	if chance(f.r, male) {
		sex = frontline.SexMale
	}
	f.members = append(f.members, member{rel: frontline.RelHead, sex: sex, age: between(f.r, lo, hi), surname: pick(f.r, surnames)})
	return &f.members[0]
}

// couple adds a head aged lo–hi and a spouse of about the same age.
func (f *family) couple(lo, hi int) {
	h := f.head(lo, hi, 0.75)
	h.married = true
	age := h.age + between(f.r, -4, 1) // husbands are usually a little older
	if h.sex == frontline.SexFemale {
		age = h.age + between(f.r, -1, 4)
	}
	f.members = append(f.members, member{rel: frontline.RelSpouse, sex: opposite(h.sex), age: max(age, 20), surname: pick(f.r, surnames), married: true})
}

// mother returns the age of the woman of the head couple (or of the head).
func (f *family) mother() int {
	for _, m := range f.members[:min(2, len(f.members))] {
		if m.sex == frontline.SexFemale {
			return m.age
		}
	}
	return f.members[0].age - 2
}

// fatherSurname is the surname children of the head couple take.
func (f *family) fatherSurname() string {
	for _, m := range f.members[:min(2, len(f.members))] {
		if m.sex == frontline.SexMale {
			return m.surname
		}
	}
	return f.members[0].surname
}

// childAge draws the age of a child of a mother aged m: born when she was
// 20–35, never in the future.
func childAge(r *rand.Rand, m int) int {
	gap := between(r, 20, max(20, min(35, m)))
	return max(m-gap, 0)
}

func (f *family) child() {
	f.members = append(f.members, member{rel: frontline.RelChild, sex: randomSex(f.r), age: childAge(f.r, f.mother()), surname: f.fatherSurname()})
}

// parents adds n parents of the head (a widowed one, or a couple).
func (f *family) parents(n int) {
	h := f.members[0]
	if n == 0 {
		return
	}
	father := h.age + between(f.r, 24, 34)
	mother := father - between(f.r, 0, 4)
	if n == 1 {
		if chance(f.r, 0.65) { // widows outnumber widowers
			f.members = append(f.members, member{rel: frontline.RelParent, sex: frontline.SexFemale, age: min(mother, maxAge-5), surname: pick(f.r, surnames)})
		} else {
			f.members = append(f.members, member{rel: frontline.RelParent, sex: frontline.SexMale, age: min(father, maxAge-5), surname: h.surname})
		}
		return
	}
	f.members = append(f.members,
		member{rel: frontline.RelParent, sex: frontline.SexMale, age: min(father, maxAge-5), surname: h.surname, married: true},
		member{rel: frontline.RelParent, sex: frontline.SexFemale, age: min(mother, maxAge-5), surname: pick(f.r, surnames), married: true})
}

// grown adds an adult child with a spouse (recorded as 其他, there being no
// in-law relation) and g grandchildren.
func (f *family) grown(withSpouse bool, g int) {
	f.child()
	c := &f.members[len(f.members)-1]
	c.age = max(c.age, 22)
	c.married = withSpouse
	surname := c.surname
	mother := c.age
	if c.sex == frontline.SexMale {
		mother = c.age - 2
	}
	if withSpouse {
		in := member{rel: frontline.RelOther, sex: opposite(c.sex), age: max(c.age+between(f.r, -3, 3), 21), surname: pick(f.r, surnames), married: true}
		f.members = append(f.members, in)
		if in.sex == frontline.SexMale {
			surname = in.surname
		}
	}
	for range g {
		f.members = append(f.members, member{rel: frontline.RelGrandchild, sex: randomSex(f.r), age: childAge(f.r, max(mother, 20)), surname: surname})
	}
}

func randomSex(r *rand.Rand) frontline.Sex {
	if r.IntN(2) == 0 {
		return frontline.SexMale
	}
	return frontline.SexFemale
}

// compose draws the members of a household of the given size.
func compose(r *rand.Rand, size int, migrant bool) []member {
	f := &family{r: r, members: make([]member, 0, size)}
	if migrant {
		f.composeMigrant(size)
	} else {
		f.composeNative(size)
	}
	return f.members
}

// composeMigrant draws workers who came alone or with a young family; the
// elderly stay in the home village.
func (f *family) composeMigrant(size int) {
	switch size {
	case 1:
		f.head(19, 48, 0.65)
		return
	case 2:
		if chance(f.r, 0.6) {
			f.couple(20, 40)
		} else {
			f.head(24, 45, 0.4)
			f.child()
		}
		return
	}
	f.couple(24, 44)
	for range min(size-2, 2) {
		f.child()
	}
	if size == 5 {
		f.parents(1)
	}
}

// composeNative draws the household types of a Chinese city: the elderly
// living alone or as a couple, nuclear families and three generations.
func (f *family) composeNative(size int) {
	x := f.r.Float64()
	switch size {
	case 1:
		switch {
		case x < 0.4:
			f.head(60, 95, 0.38) // 独居老人, mostly widows
		case x < 0.8:
			f.head(20, 39, 0.55)
		default:
			f.head(40, 59, 0.5)
		}
	case 2:
		f.composePair(x)
	case 3:
		switch {
		case x < 0.65:
			f.couple(25, 50)
			f.child()
		case x < 0.85:
			f.couple(50, 68)
			f.grown(false, 0)
		default:
			f.couple(28, 45)
			f.parents(1)
		}
	default:
		f.composeLarge(size, x)
	}
}

func (f *family) composePair(x float64) {
	switch {
	case x < 0.45:
		f.couple(60, 88) // empty nest
	case x < 0.65:
		f.couple(22, 34)
	case x < 0.8:
		f.couple(45, 59)
	default:
		f.head(35, 62, 0.3) // a single parent and a child
		f.child()
	}
}

// composeLarge draws households of 4–6: two children, or three
// generations under one roof.
func (f *family) composeLarge(size int, x float64) {
	switch {
	case size == 4 && x < 0.55, size == 5 && x < 0.45:
		f.couple(28, 48)
		f.child()
		f.child()
		f.parents(size - 4)
	case size == 4 && x < 0.85, size == 5 && x < 0.8, size == 6 && x < 0.5:
		f.couple(28, 46)
		f.child()
		if size == 6 {
			f.child()
		}
		f.parents(min(size-3, 2))
	default:
		f.couple(52, 72)
		f.grown(size >= 5, size-3-btoi(size >= 5))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
