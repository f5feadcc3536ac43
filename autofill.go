package frontline

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
	"time"
)

// Auto-fill proposes workers for the open places of shifts. It is a pure
// function of the shifts, the workers and their bookings, so the service
// only loads them and the benchmark measures the same code the page runs.
//
// The order it fills in is the order people fill a roster by hand: shifts
// by start, and for each open place the worker with the fewest hours in
// the period who may take it. A post that already has a cadre of a unit
// (区林草局) takes more of that unit first: cadres come as a unit with
// their leader and stay together.

// Proposal is one worker proposed for one open place of a shift.
type Proposal struct {
	ShiftID    int64     `json:"shift_id"`
	PostID     int64     `json:"post_id"`
	PostName   string    `json:"post_name"`
	Role       DutyRole  `json:"role"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	WorkerID   int64     `json:"worker_id"`
	WorkerName string    `json:"worker_name"`
	Unit       string    `json:"unit,omitempty"`
	// Hours is the worker's time on the roster in the period once this
	// proposal is taken, in hours.
	Hours float64 `json:"hours"`
}

// FillInput is what ProposeFill works from.
type FillInput struct {
	Rules RosterRules
	// Shifts are the shifts to fill, each with its Post and the
	// assignments it has; full shifts are passed over.
	Shifts []*Shift
	// Workers are the candidates.
	Workers []*Worker
	// Bookings are each candidate's shifts around the period (a Window
	// before From to a Window after To), so the rest and hour rules see
	// them.
	Bookings map[int64][]Booking
	// From and To bound the period whose hours are counted.
	From, To time.Time
	// Day returns the local date of a time, which availability is written
	// in.
	Day func(time.Time) string
}

// FillResult is the proposal for a period.
type FillResult struct {
	Proposals []Proposal `json:"proposals"`
	// Open is the places before the proposal; Unfilled those it leaves
	// open because nobody may take them.
	Open     int `json:"open"`
	Unfilled int `json:"unfilled"`
	Shifts   int `json:"shifts"`
	Workers  int `json:"workers"`
}

// candidate is a worker as auto-fill tracks them.
type candidate struct {
	w        *Worker
	hours    time.Duration // on the roster in the period
	bookings []Booking
	dropped  bool // can take no more shift in the period
}

// ProposeFill proposes workers for the open places of in.Shifts.
func ProposeFill(in FillInput) *FillResult {
	res := &FillResult{Proposals: []Proposal{}, Workers: len(in.Workers)}
	shifts := slices.Clone(in.Shifts)
	slices.SortStableFunc(shifts, func(a, b *Shift) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.PostID, b.PostID), cmp.Compare(a.ID, b.ID))
	})
	minLen := time.Duration(0)
	for _, sh := range shifts {
		if d := sh.End.Sub(sh.Start); minLen == 0 || d < minLen {
			minLen = d
		}
	}
	f := newFiller(in, minLen)
	for _, sh := range shifts {
		open := sh.Open()
		if open == 0 {
			continue
		}
		res.Shifts++
		res.Open += open
		if sh.End.Sub(sh.Start) > in.Rules.MaxShift {
			res.Unfilled += open // every worker would break the rule: a person decides
			continue
		}
		for range open {
			c := f.pick(sh)
			if c == nil {
				res.Unfilled++
				continue
			}
			f.take(c, sh)
			res.Proposals = append(res.Proposals, Proposal{ShiftID: sh.ID, PostID: sh.PostID, PostName: postName(sh),
				Role: sh.Role, Start: sh.Start, End: sh.End, WorkerID: c.w.ID, WorkerName: c.w.Name, Unit: c.w.Unit,
				Hours: c.hours.Hours()})
		}
	}
	return res
}

func postName(sh *Shift) string {
	if sh.Post != nil {
		return sh.Post.Name
	}
	return ""
}

// filler holds the candidates, by set of skills the shifts ask for, each
// set in two heaps (fewest hours on top): the free, and the cadres of
// units kept at a post, who are proposed elsewhere only when nobody else
// may take a place.
type filler struct {
	in       FillInput
	minLen   time.Duration
	bounded  bool // the period fits in one window: hours only grow toward the cap
	cands    []*candidate
	pools    map[string]*pool
	units    map[string][]*candidate // unit → its candidates
	postUnit map[int64]string        // post → the unit it keeps
	unitPost map[string]int64        // unit → the post that took it first
	onShift  map[int64]map[int64]bool
}

// pool is the candidates with one set of skills.
type pool struct{ free, away *candHeap }

// maxAway bounds how many cadres of units kept elsewhere are tried for a
// place nobody else may take: the place may stay open for a person to
// decide, but the proposal of a district stays quick.
const maxAway = 32

func newFiller(in FillInput, minLen time.Duration) *filler {
	f := &filler{in: in, minLen: minLen, bounded: in.To.Sub(in.From) <= in.Rules.Window,
		pools: map[string]*pool{}, units: map[string][]*candidate{},
		postUnit: map[int64]string{}, unitPost: map[string]int64{}, onShift: map[int64]map[int64]bool{}}
	for _, w := range in.Workers {
		if w.Retired {
			continue
		}
		c := &candidate{w: w, bookings: slices.Clone(in.Bookings[w.ID])}
		for _, b := range c.bookings {
			c.hours += overlap(b.Start, b.End, in.From, in.To)
		}
		f.cands = append(f.cands, c)
		if w.Unit != "" {
			f.units[w.Unit] = append(f.units[w.Unit], c)
		}
	}
	for _, sh := range in.Shifts {
		on := map[int64]bool{}
		units := map[string]int{}
		for _, a := range sh.Assignments {
			on[a.WorkerID] = true
			if a.Unit != "" {
				units[a.Unit]++
			}
		}
		f.onShift[sh.ID] = on
		if f.postUnit[sh.PostID] == "" {
			f.keepUnit(sh.PostID, mostCommon(units))
		}
	}
	return f
}

// mostCommon returns the key with the largest count, the first by name
// among equals, "" for none.
func mostCommon(counts map[string]int) string {
	best, n := "", 0
	for k, v := range counts {
		if v > n || v == n && k < best {
			best, n = k, v
		}
	}
	return best
}

func overlap(a, b, from, to time.Time) time.Duration {
	lo, hi := maxTime(a, from), minTime(b, to)
	if hi.After(lo) {
		return hi.Sub(lo)
	}
	return 0
}

// keepUnit records that a post keeps a unit and, the first time the unit
// is kept, moves its cadres to the heaps of those kept away.
func (f *filler) keepUnit(post int64, unit string) {
	if unit == "" {
		return
	}
	f.postUnit[post] = unit
	if f.unitPost[unit] != 0 {
		return
	}
	f.unitPost[unit] = post
	for _, c := range f.units[unit] {
		for _, p := range f.pools {
			if i, ok := p.free.pos[c]; ok {
				heap.Remove(p.free, i)
				heap.Push(p.away, c)
			}
		}
	}
}

// poolFor returns the pool of the candidates with every skill of need.
func (f *filler) poolFor(need []string) *pool {
	key := strings.Join(need, ",")
	if p := f.pools[key]; p != nil {
		return p
	}
	p := &pool{free: &candHeap{pos: map[*candidate]int{}}, away: &candHeap{pos: map[*candidate]int{}}}
	for _, c := range f.cands {
		if !HasSkills(c.w.Skills, need) || c.dropped {
			continue
		}
		h := p.free
		if c.w.Unit != "" && f.unitPost[c.w.Unit] != 0 {
			h = p.away
		}
		h.pos[c] = len(h.items)
		h.items = append(h.items, c)
	}
	heap.Init(p.free)
	heap.Init(p.away)
	f.pools[key] = p
	return p
}

// pick returns the worker to propose for one place of sh, nil for none:
// of the post's unit first, else the fewest hours of the free, else one of
// a unit kept at another post.
func (f *filler) pick(sh *Shift) *candidate {
	if unit := f.postUnit[sh.PostID]; unit != "" {
		var best *candidate
		for _, c := range f.units[unit] {
			if (best == nil || c.hours < best.hours || c.hours == best.hours && c.w.ID < best.w.ID) && f.fits(c, sh) {
				best = c
			}
		}
		if best != nil {
			return best
		}
	}
	p := f.poolFor(sh.Skills)
	if c := f.popFit(p.free, sh, -1); c != nil {
		return c
	}
	return f.popFit(p.away, sh, maxAway)
}

// popFit pops candidates from h, fewest hours first, until one fits sh
// (or limit were tried, when limit is not negative) and puts them back.
// A candidate whose hours leave no room for even the shortest shift, in
// a period within one window, is dropped for good.
func (f *filler) popFit(h *candHeap, sh *Shift, limit int) *candidate {
	var aside []*candidate
	var found *candidate
	for tries := 0; h.Len() > 0 && (limit < 0 || tries < limit); {
		c := heap.Pop(h).(*candidate)
		if c.dropped {
			continue
		}
		tries++
		if f.fits(c, sh) {
			found = c
			break
		}
		if f.bounded && c.hours+f.minLen > f.in.Rules.MaxHours {
			c.dropped = true
			continue
		}
		aside = append(aside, c)
	}
	for _, c := range aside {
		heap.Push(h, c)
	}
	if found != nil {
		heap.Push(h, found)
	}
	return found
}

// fits reports whether c may take a place on sh without breaking a rule.
func (f *filler) fits(c *candidate, sh *Shift) bool {
	if c.dropped || f.onShift[sh.ID][c.w.ID] || !HasSkills(c.w.Skills, sh.Skills) {
		return false
	}
	ok := true
	checkRules(f.in.Rules, c.w, sh.Post, sh, f.in.Day(sh.Start), c.bookings, func(string, Booking) bool { ok = false; return false })
	return ok
}

// take books c on sh and moves them down every heap they are in.
func (f *filler) take(c *candidate, sh *Shift) {
	c.bookings = append(c.bookings, Booking{ShiftID: sh.ID, Start: sh.Start, End: sh.End})
	c.hours += overlap(sh.Start, sh.End, f.in.From, f.in.To)
	f.onShift[sh.ID][c.w.ID] = true
	if f.postUnit[sh.PostID] == "" {
		f.keepUnit(sh.PostID, c.w.Unit)
	}
	for _, p := range f.pools {
		for _, h := range []*candHeap{p.free, p.away} {
			if i, ok := h.pos[c]; ok {
				heap.Fix(h, i)
			}
		}
	}
}

// candHeap is a min-heap of candidates by hours, then worker id, that
// knows where each candidate is so a change of hours can be fixed.
type candHeap struct {
	items []*candidate
	pos   map[*candidate]int
}

func (h *candHeap) Len() int { return len(h.items) }
func (h *candHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	return a.hours < b.hours || a.hours == b.hours && a.w.ID < b.w.ID
}
func (h *candHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.pos[h.items[i]], h.pos[h.items[j]] = i, j
}
func (h *candHeap) Push(x any) {
	c := x.(*candidate)
	h.pos[c] = len(h.items)
	h.items = append(h.items, c)
}
func (h *candHeap) Pop() any {
	c := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	delete(h.pos, c)
	return c
}
