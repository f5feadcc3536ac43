package demo

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
)

// The administrative levels of the demo city. The codes follow the
// statistics bureau's scheme (docs/places.md): the city and the district
// are written short, as offices write them, and stored padded to 12
// digits (620500000000); a subdistrict is the district + 3 digits + 000,
// a community the subdistrict's first 9 + 3 digits.
const (
	CityName     = "天水市"
	CityCode     = "620500"
	DistrictName = "秦州区"
	DistrictCode = "620502"
)

// Paths of the places the source report names, for FindPlaceByPath.
const (
	PathLuoyuxincun  = CityName + "/" + DistrictName + "/大城街道/罗玉新村社区"
	PathZaoyuan      = PathLuoyuxincun + "/枣园小区"
	PathZizhixiang   = CityName + "/" + DistrictName + "/中城街道/自治巷社区"
	PathZhongyixiang = PathZizhixiang + "/忠义巷小区"
)

// subdistrictNames lists the seven subdistricts in code order
// (620502001000 for the first).
var subdistrictNames = []string{"大城街道", "中城街道", "东关街道", "西关街道", "七里墩街道", "石马坪街道", "天水郡街道"}

// outerSubdistricts reach into the urban-rural fringe, where villages
// swallowed by the city keep their self-built houses.
var outerSubdistricts = map[string]bool{"七里墩街道": true, "石马坪街道": true, "天水郡街道": true}

// named are the communities (and a compound in each) of the report; each
// is the first community of its subdistrict.
var named = map[string]struct{ community, compound string }{
	"大城街道": {"罗玉新村社区", "枣园小区"},
	"中城街道": {"自治巷社区", "忠义巷小区"},
}

// residentsPerCommunity is the average community size at scale; real
// communities hold 5,000–30,000.
const residentsPerCommunity = 12000

// minCommunities keeps two communities per subdistrict in a small city,
// so that even the default build has a tree worth clicking through.
const minCommunities = 2 * 7

type subdistrictPlan struct {
	name, code  string
	communities []*communityPlan
}

// communityPlan is one community of the city: where it is, how many
// residents it gets, and whether it lies in the urban-rural fringe.
type communityPlan struct {
	index       int   // in generation order, across the city
	id          int64 // once created
	subdistrict string
	name, code  string
	compound    string // the named compound it must contain, if any
	fringe      bool
	residents   int
}

// planCity lays out subdistricts and communities and splits the residents
// among the communities. Everything it draws comes from the seed.
func planCity(residents int, seed int64) []*subdistrictPlan {
	r := rand.New(rand.NewPCG(uint64(seed), 0))
	n := max(minCommunities, int(math.Round(float64(residents)/residentsPerCommunity)))
	names := communityNames(r, n)
	var subs []*subdistrictPlan
	var all []*communityPlan
	for i, name := range subdistrictNames {
		s := &subdistrictPlan{name: name, code: DistrictCode + pad3(i+1) + "000"}
		count := n / len(subdistrictNames)
		if i < n%len(subdistrictNames) {
			count++
		}
		for j := range count {
			c := &communityPlan{index: len(all), subdistrict: name, code: s.code[:9] + pad3(j+1)}
			if nc, ok := named[name]; ok && j == 0 {
				c.name, c.compound, c.fringe = nc.community, nc.compound, name == "大城街道"
			} else {
				c.name, names = names[0], names[1:]
				c.fringe = chance(r, 0.1) || outerSubdistricts[name] && chance(r, 0.3)
			}
			s.communities = append(s.communities, c)
			all = append(all, c)
		}
		subs = append(subs, s)
	}
	weights := make([]float64, len(all))
	for i := range weights {
		weights[i] = 0.6 + 0.8*r.Float64()
	}
	for i, k := range allocate(residents, weights, 2) {
		all[i].residents = k
	}
	return subs
}

func pad3(n int) string {
	s := strconv.Itoa(n)
	for len(s) < 3 {
		s = "0" + s
	}
	return s
}

// communityNames returns n distinct community names in a seeded order,
// none of them one of the report's. Past the 640 combinations of parts it
// numbers them, which keeps them distinct without retrying.
func communityNames(r *rand.Rand, n int) []string {
	var pool []string
	for _, p := range placeParts {
		for _, s := range communitySuffixes {
			pool = append(pool, p+s)
		}
	}
	r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	out := make([]string, n)
	for i := range out {
		out[i] = pool[i%len(pool)] + "社区"
		if i >= len(pool) {
			out[i] = pool[i%len(pool)] + strconv.Itoa(i/len(pool)+1) + "社区"
		}
	}
	return out
}

// allocate splits total into parts proportional to weights, each at least
// least, the parts summing to total exactly (largest remainders get the
// units rounding left over; ties go to the earlier part). total must be at
// least least × len(weights).
func allocate(total int, weights []float64, least int) []int {
	out := make([]int, len(weights))
	rest := total - least*len(weights)
	var sum float64
	for _, w := range weights {
		sum += w
	}
	frac := make([]float64, len(weights))
	given := 0
	for i, w := range weights {
		share := float64(rest) * w / sum
		out[i] = least + int(share)
		frac[i] = share - math.Floor(share)
		given += int(share)
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case frac[a] > frac[b]:
			return -1
		case frac[a] < frac[b]:
			return 1
		}
		return 0
	})
	for k := 0; k < rest-given; k++ {
		out[order[k%len(order)]]++
	}
	return out
}
