package frontline

import "math"

// Pool size advice from Dorfman's two-stage model (1943): every pool of n
// is tested once, and the persons of a positive pool are tested again one
// by one. With prevalence p a pool is negative with probability (1-p)^n,
// so the tests spent per person are
//
//	E(n, p) = 1/n + 1 - (1-p)^n   (n >= 2),   E(1, p) = 1.
//
// Pools save most when p is small; above about 30% prevalence testing
// singly is cheaper. The model ignores the dilution that lowers a pool's
// sensitivity, which is why labs cap pool sizes (FIELD.md: 10 or 20) and
// the advice is bounded by a maximum.

// TestsPerPerson returns E(n, p), the expected tests per person for pools
// of n at prevalence p (a fraction, 0.01 for 1%).
func TestsPerPerson(n int, p float64) float64 {
	if n <= 1 {
		return 1
	}
	return 1/float64(n) + 1 - math.Pow(1-p, float64(n))
}

// BestPoolSize returns the pool size in [1, maxN] with the fewest expected
// tests per person at prevalence p, and that number. Ties go to the
// smaller pool, which dilutes less.
func BestPoolSize(p float64, maxN int) (int, float64) {
	best, bestE := 1, 1.0
	for n := 2; n <= maxN; n++ {
		if e := TestsPerPerson(n, p); e < bestE-1e-12 {
			best, bestE = n, e
		}
	}
	return best, bestE
}

// PrevalenceFromPools estimates the prevalence from the share of positive
// pools: if a pool of n is positive with probability q = 1 - (1-p)^n then
// p = 1 - (1-q)^(1/n). It is what a round that has only pool results yet
// can say.
func PrevalenceFromPools(positivePools, pools, n int) float64 {
	if pools <= 0 || n <= 0 {
		return 0
	}
	q := float64(positivePools) / float64(pools)
	return 1 - math.Pow(1-q, 1/float64(n))
}

// PoolAdvice is the advice for the next round's pool size.
type PoolAdvice struct {
	// Prevalence is the estimate it rests on: positives among the
	// persons tested in the recent rounds.
	Prevalence float64 `json:"prevalence"`
	Positives  int     `json:"positives"`
	Tested     int     `json:"tested"`
	// Best is the best pool size within the lab's maximum, and BestTests
	// the expected tests per person with it.
	Best      int     `json:"best"`
	BestTests float64 `json:"best_tests"`
	// Current is the pool size used now and CurrentTests its tests per
	// person, so the saving is visible.
	Current      int     `json:"current"`
	CurrentTests float64 `json:"current_tests"`
}

// RecentRounds is how many rounds, the latest first, the pool advice
// weighs: enough to smooth one round's chance, few enough to follow a wave.
const RecentRounds = 3

// Positivity is what the recent rounds found at a node: persons confirmed
// positive by a single test, persons whose result is final and negative,
// and persons of positive pools still awaiting their single re-test.
type Positivity struct {
	Rounds   []int64 `json:"rounds"` // latest first
	Positive int     `json:"positive"`
	Negative int     `json:"negative"`
	Awaiting int     `json:"awaiting"`
	// PoolSize is the usual pool of those rounds, to read the awaiting.
	PoolSize int `json:"pool_size"`
}

// Add counts one round's figures at the node.
func (p *Positivity) Add(roundID int64, c *RoundCoverage) {
	p.Rounds = append(p.Rounds, roundID)
	p.Positive, p.Negative, p.Awaiting = p.Positive+c.Positive, p.Negative+c.Negative, p.Awaiting+c.Awaiting
}

// Estimate returns the positives and the persons tested the advice rests
// on. Persons awaiting a re-test are tested, and their positive pools
// count one positive each (a pool of n awaits n persons): at the low
// prevalences pooling is for, a positive pool almost always holds exactly
// one positive. Without that, a round whose pool results are in but whose
// re-tests are not would read as clean exactly when positives appear.
func (p Positivity) Estimate() (positives float64, tested int) {
	pools := float64(p.Awaiting)
	if p.PoolSize > 1 {
		pools /= float64(p.PoolSize)
	}
	return float64(p.Positive) + pools, p.Positive + p.Negative + p.Awaiting
}

// AdviseFromPositivity advises the next round's pool size from what the
// recent rounds found (see Positivity.Estimate).
func AdviseFromPositivity(p Positivity, current, maxN int) PoolAdvice {
	positives, tested := p.Estimate()
	a := AdvisePoolSize(int(math.Round(positives)), tested, current, maxN)
	if tested > 0 {
		a.Prevalence = positives / float64(tested)
		a.Best, a.BestTests = BestPoolSize(a.Prevalence, max(maxN, 1))
		a.CurrentTests = TestsPerPerson(current, a.Prevalence)
	}
	return a
}

// AdvisePoolSize advises the pool size for the next round from recent
// positivity (positives among tested persons), bounded by the lab's
// maximum pool size. With nothing tested yet the prevalence is unknown and
// the advice keeps the current size.
func AdvisePoolSize(positives, tested, current, maxN int) PoolAdvice {
	a := PoolAdvice{Positives: positives, Tested: tested, Current: current}
	if maxN < 1 {
		maxN = 1
	}
	if tested <= 0 {
		a.Best = min(max(current, 1), maxN)
		a.BestTests = 1 / float64(a.Best)
		a.CurrentTests = a.BestTests
		if a.Best == 1 {
			a.BestTests, a.CurrentTests = 1, 1
		}
		return a
	}
	a.Prevalence = float64(positives) / float64(tested)
	a.Best, a.BestTests = BestPoolSize(a.Prevalence, maxN)
	a.CurrentTests = TestsPerPerson(current, a.Prevalence)
	return a
}
