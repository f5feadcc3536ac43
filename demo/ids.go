package demo

import (
	"time"

	"github.com/frontline-org/frontline"
)

// maxAge bounds how far back birth dates go; the generator never draws an
// age above it.
const maxAge = 105

// seqPerSex is how many numbers one region, day and sex can take: the
// three sequence digits hold 1,000 values and the last of them carries the
// sex (odd for men), leaving 500 for each.
const seqPerSex = 500

// idAllocator hands out mainland ID numbers that are unique by
// construction: for every region, birth day and sex it counts the numbers
// given so far and derives the sequence digits from the count, so no
// number can come out twice and nothing needs retrying.
type idAllocator struct {
	regions map[string]int // region code → index into the counter table (lookups only)
	first   time.Time      // the earliest birth day the table covers
	days    int
	used    []uint16 // [region][day][sex] numbers handed out so far
}

func newIDAllocator(now time.Time) *idAllocator {
	a := &idAllocator{regions: map[string]int{}}
	for _, list := range [][]string{nativeRegions, migrantRegions} {
		for _, code := range list {
			if _, ok := a.regions[code]; !ok {
				a.regions[code] = len(a.regions)
			}
		}
	}
	today := civilDay(now)
	a.first = today.AddDate(-maxAge-1, 0, 0)
	a.days = dayIndex(a.first, today) + 1
	a.used = make([]uint16, len(a.regions)*a.days*2)
	return a
}

// civilDay returns midnight UTC of t's calendar day.
func civilDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func dayIndex(first, d time.Time) int { return int(d.Sub(first).Hours()) / 24 }

// next returns a fresh ID number for a person of the region, sex and birth
// day. When that day is full (500 people of one sex born the same day in
// one county, which the demo never reaches) it moves to the nearest day
// with room, so it returns the birth date it used.
func (a *idAllocator) next(region string, birth time.Time, sex frontline.Sex) (string, time.Time) {
	ri := a.regions[region]
	s := 0
	if sex == frontline.SexMale {
		s = 1
	}
	d0 := dayIndex(a.first, birth)
	for step := 0; step < 2*a.days; step++ {
		d := d0 + nearby(step)
		if d < 0 || d >= a.days {
			continue
		}
		slot := (ri*a.days+d)*2 + s
		k := int(a.used[slot])
		if k >= seqPerSex {
			continue
		}
		a.used[slot]++
		// Spread the counter over the 500 values so numbers do not all end
		// in 001, 003 ...; 211 is coprime with 500, so this is a bijection.
		seq := 2*((k*211+d*37)%seqPerSex) + s
		day := a.first.AddDate(0, 0, d)
		return formatID(region, day, seq), day
	}
	panic("demo: every birth day of a region is full") // a table of 40,000 days × 500 cannot fill up
}

// nearby returns the step-th day offset in the order 0, +1, -1, +2, -2 ...
func nearby(step int) int {
	if step%2 == 1 {
		return (step + 1) / 2
	}
	return -step / 2
}

// formatID writes region, birth date and sequence, and appends the GB 11643
// check character.
func formatID(region string, day time.Time, seq int) string {
	b := make([]byte, 0, 18)
	b = append(b, region...)
	b = day.AppendFormat(b, "20060102")
	b = append(b, byte('0'+seq/100), byte('0'+seq/10%10), byte('0'+seq%10))
	b = append(b, frontline.IDCheckDigit(string(b)))
	return string(b)
}

// phoneAllocator hands out mobile numbers that are unique within a build:
// the n-th number is an affine bijection of n over all prefix×8-digit
// numbers, which scatters them like real numbers without any retrying.
type phoneAllocator struct {
	n, offset uint64
	space     uint64 // distinct numbers the prefixes allow: prefixes × 10^8
}

func newPhoneAllocator(seed int64) *phoneAllocator {
	space := uint64(len(mobilePrefixes)) * 1e8
	return &phoneAllocator{offset: uint64(seed) * 104729 % space, space: space}
}

func (a *phoneAllocator) next() string {
	// 7,919 is prime and divides neither 2, 5 nor 17, the prime factors of
	// the space (34 × 10^8), so n → 7919n + offset is a bijection.
	x := (a.n%a.space*7919 + a.offset) % a.space
	a.n++
	b := make([]byte, 0, 11)
	b = append(b, mobilePrefixes[x/1e8]...)
	tail := x % 1e8
	for div := uint64(1e7); div > 0; div /= 10 {
		b = append(b, byte('0'+tail/div%10))
	}
	return string(b)
}
