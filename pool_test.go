package frontline_test

import (
	"math"
	"testing"

	"github.com/frontline-org/frontline"
)

func TestTestsPerPerson(t *testing.T) {
	for _, tt := range []struct {
		n    int
		p    float64
		want float64
	}{
		{1, 0.01, 1},
		{10, 0.01, 0.1 + 1 - math.Pow(0.99, 10)},
		{11, 0.01, 1.0/11 + 1 - math.Pow(0.99, 11)},
		{20, 0, 0.05},
		{5, 1, 1.2}, // every pool positive: one pool test plus five singles per five persons
	} {
		if got := frontline.TestsPerPerson(tt.n, tt.p); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("E(%d, %g) = %g, want %g", tt.n, tt.p, got, tt.want)
		}
	}
}

func TestBestPoolSize(t *testing.T) {
	// The figure the issue quotes: at 1% prevalence pools of 11 are best,
	// at 0.196 tests per person.
	n, e := frontline.BestPoolSize(0.01, 50)
	if n != 11 || math.Round(e*1000)/1000 != 0.196 {
		t.Fatalf("best pool at 1%% = %d with %.4f tests/person, want 11 with 0.196", n, e)
	}
	for _, tt := range []struct {
		p    float64
		maxN int
		want int
	}{
		{0.001, 50, 32},
		{0.05, 50, 5},
		{0.01, 10, 10}, // capped by the lab
		{0.35, 50, 1},  // above ~30% pooling no longer pays
		{0, 20, 20},
	} {
		if got, _ := frontline.BestPoolSize(tt.p, tt.maxN); got != tt.want {
			t.Errorf("BestPoolSize(%g, %d) = %d, want %d", tt.p, tt.maxN, got, tt.want)
		}
	}
}

func TestPrevalenceFromPools(t *testing.T) {
	// If 1% of persons are positive, 1-(0.99)^10 = 9.56% of pools of 10
	// are; the estimate inverts that.
	q := 1 - math.Pow(0.99, 10)
	p := frontline.PrevalenceFromPools(int(math.Round(q*100000)), 100000, 10)
	if math.Abs(p-0.01) > 1e-4 {
		t.Fatalf("prevalence from pools = %g, want 0.01", p)
	}
	if frontline.PrevalenceFromPools(0, 0, 10) != 0 {
		t.Fatal("no pools should give 0")
	}
}

func TestAdvisePoolSize(t *testing.T) {
	a := frontline.AdvisePoolSize(10, 1000, 20, 20)
	if a.Prevalence != 0.01 || a.Best != 11 || a.Current != 20 || a.BestTests >= a.CurrentTests {
		t.Fatalf("advice at 1%% with pools of 20: %+v", a)
	}
	a = frontline.AdvisePoolSize(0, 0, 10, 20)
	if a.Best != 10 || a.Prevalence != 0 {
		t.Fatalf("advice with no data should keep 10: %+v", a)
	}
}

func TestAdviseFromPositivity(t *testing.T) {
	// Pool results are in, re-tests are not: 2 positive pools of 10 among
	// 1,000 persons read as about 2 positives, not as none.
	a := frontline.AdviseFromPositivity(frontline.Positivity{Negative: 980, Awaiting: 20, PoolSize: 10}, 20, 20)
	if math.Abs(a.Prevalence-0.002) > 1e-9 || a.Tested != 1000 || a.Positives != 2 || a.Best != 20 {
		t.Fatalf("pending re-tests: %+v", a)
	}
	// Re-tests back: 1 positive of the 20, 1% of 100 → n = 11.
	a = frontline.AdviseFromPositivity(frontline.Positivity{Positive: 1, Negative: 99, PoolSize: 10}, 10, 20)
	if a.Best != 11 || math.Abs(a.BestTests-0.196) > 0.001 {
		t.Fatalf("1%%: %+v", a)
	}
	// Nothing tested: keep the current size.
	if a := frontline.AdviseFromPositivity(frontline.Positivity{PoolSize: 10}, 10, 20); a.Best != 10 || a.Prevalence != 0 {
		t.Fatalf("nothing tested: %+v", a)
	}
}
