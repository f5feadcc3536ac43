package demo

import (
	"math/rand/v2"
	"time"

	"github.com/frontline-org/frontline"
)

// people turns members into persons with papers: names, ID numbers, phones,
// vulnerability flags and residence status.
type people struct {
	now    time.Time
	ids    *idAllocator
	phones *phoneAllocator
}

// household returns the persons of one household. Everyone shares the
// household's registration region, as a family's hukou does.
func (p *people) household(r *rand.Rand, ms []member, migrant bool) []frontline.Person {
	region := pick(r, nativeRegions)
	if migrant {
		region = pick(r, migrantRegions)
	}
	out := make([]frontline.Person, len(ms))
	for i, m := range ms {
		birth := p.now.AddDate(-m.age, 0, -between(r, 1, 364))
		number, birth := p.ids.next(region, birth, m.sex)
		out[i] = frontline.Person{
			Name:      m.surname + givenName(r, m.sex, p.now.Year()-m.age),
			Sex:       m.sex,
			BirthDate: birth.Format(frontline.DateLayout),
			IDType:    frontline.IDMainland,
			IDNumber:  number,
			Relation:  m.rel,
			Flags:     flags(r, m, len(ms) == 1),
			Status:    status(r, m, migrant, len(ms)),
		}
		if hasPhone(r, m.age) {
			out[i].Phone = p.phones.next()
		}
	}
	return out
}

// givenName draws a given name in the fashion of the birth year.
func givenName(r *rand.Rand, sex frontline.Sex, born int) string {
	male := sex == frontline.SexMale
	switch {
	case born < 1960 && male:
		return pick(r, givenMaleOld)
	case born < 1960:
		return pick(r, givenFemaleOld)
	case born < 1985 && male:
		return pick(r, givenMaleMid)
	case born < 1985:
		return pick(r, givenFemaleMid)
	case born < 2005 && male:
		return pick(r, givenMaleYoung)
	case born < 2005:
		return pick(r, givenFemaleYoung)
	case male:
		return pick(r, givenMaleChild)
	}
	return pick(r, givenFemaleChild)
}

// hasPhone: nearly every working-age adult has a mobile, fewer of the very
// old, none of the young children (a roster lists a parent's number for
// them, which the demo leaves out to keep numbers unique). About 80% in all.
func hasPhone(r *rand.Rand, age int) bool {
	switch {
	case age < 12:
		return false
	case age < 18:
		return chance(r, 0.7)
	case age < 65:
		return chance(r, 0.99)
	case age < 80:
		return chance(r, 0.85)
	}
	return chance(r, 0.5)
}

// flags draws the vulnerabilities committees listed, with the age
// pattern they have in life: infants, pregnant women of child-bearing age,
// chronic illness and frailty rising with age, the elderly living alone.
// About 15% of residents end up with at least one.
func flags(r *rand.Rand, m member, alone bool) []frontline.Flag {
	var fs []frontline.Flag
	add := func(ok bool, f frontline.Flag) {
		if ok {
			fs = append(fs, f)
		}
	}
	a := m.age
	add(alone && a >= 60, frontline.FlagLivingAlone)
	bedridden := chance(r, ageRate(a, 0, 0, 0.002, 0.012, 0.06))
	add(!bedridden && chance(r, ageRate(a, 0, 0.001, 0.02, 0.07, 0.2)), frontline.FlagLimitedMobility)
	add(bedridden, frontline.FlagBedridden)
	add(a >= 30 && chance(r, 0.001), frontline.FlagDialysis)
	add(m.sex == frontline.SexFemale && m.married && a >= 20 && a <= 45 && chance(r, 0.05), frontline.FlagPregnant)
	add(chance(r, ageRate(a, 0.003, 0.012, 0.05, 0.17, 0.28)), frontline.FlagChronic)
	add(a >= 5 && chance(r, 0.01), frontline.FlagDisability)
	add(a < 3, frontline.FlagInfant)
	return fs // already in frontline.FlagOrder
}

// ageRate returns the rate for an age band: under 20, 20–44, 45–59, 60–79,
// 80 and over.
func ageRate(age int, under20, adult, middle, old, oldest float64) float64 {
	switch {
	case age < 20:
		return under20
	case age < 45:
		return adult
	case age < 60:
		return middle
	case age < 80:
		return old
	}
	return oldest
}

// status: migrants are registered as temporary residents (暂住); a few
// natives of working or studying age are away (外出) but still belong to
// the household. Nobody is generated as moved out.
func status(r *rand.Rand, m member, migrant bool, size int) frontline.ResidenceStatus {
	switch {
	case migrant:
		return frontline.StatusTemporary
	case size > 1 && m.rel != frontline.RelHead && m.age >= 18 && m.age <= 45 && chance(r, 0.06):
		return frontline.StatusAway
	}
	return frontline.StatusResident
}
