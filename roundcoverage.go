package frontline

import (
	"context"
	"time"
)

// RoundCoverage is a round's standing at one node of the place tree. The
// counters are kept in the same transaction as the bindings, excusals and
// results that change them, so reading them costs the same for a building
// as for a city.
type RoundCoverage struct {
	RoundID  int64     `json:"round_id"`
	PlaceID  int64     `json:"place_id"`
	Kind     PlaceKind `json:"kind"`
	Name     string    `json:"name"`
	Expected int       `json:"expected"`
	Sampled  int       `json:"sampled"`
	Excused  int       `json:"excused"`
	// Awaiting counts persons of a positive or invalid pool awaiting a
	// single re-test; Positive those whose single test was positive;
	// Negative those whose result is final and negative (a negative pool,
	// or a negative re-test).
	Awaiting int `json:"awaiting"`
	Positive int `json:"positive"`
	Negative int `json:"negative"`
}

// AllNegative reports whether every person not excused was tested and
// found negative: a negative whole-area round for this node.
func (c *RoundCoverage) AllNegative() bool {
	return c.Expected > c.Excused && c.Negative == c.Expected-c.Excused
}

// NotYet returns the persons neither sampled nor excused.
func (c *RoundCoverage) NotYet() int { return c.Expected - c.Sampled - c.Excused }

// Done reports whether every person has a final status.
func (c *RoundCoverage) Done() bool { return c.NotYet() == 0 }

// Percent returns the share of persons sampled or excused, 0 to 100.
func (c *RoundCoverage) Percent() float64 {
	if c.Expected == 0 {
		return 100
	}
	return 100 * float64(c.Sampled+c.Excused) / float64(c.Expected)
}

// FlowBucket is the number of persons sampled in one ten-minute bucket.
type FlowBucket struct {
	At      time.Time `json:"at"` // start of the bucket, UTC
	Sampled int       `json:"sampled"`
}

// FlowBucketSize is the width of a flow bucket.
const FlowBucketSize = 10 * time.Minute

// FlowBucketOf returns the start of the bucket t falls in.
func FlowBucketOf(t time.Time) time.Time { return t.UTC().Truncate(FlowBucketSize) }

// StationThroughput is how many persons a station has sampled.
type StationThroughput struct {
	StationID int64     `json:"station_id"`
	Station   string    `json:"station"`
	SiteID    int64     `json:"site_id"`
	Site      string    `json:"site"`
	Sampled   int       `json:"sampled"`
	LastHour  int       `json:"last_hour"`
	Last      time.Time `json:"last,omitzero"` // bucket of the latest binding
}

// SiteThroughput is a site's figures: the sum of its stations'.
type SiteThroughput struct {
	SiteID   int64  `json:"site_id"`
	Site     string `json:"site"`
	Stations int    `json:"stations"`
	Sampled  int    `json:"sampled"`
	LastHour int    `json:"last_hour"`
}

// Sites sums stations' figures per site, in the order the sites first
// appear.
func Sites(stations []*StationThroughput) []*SiteThroughput {
	out := []*SiteThroughput{}
	byID := map[int64]*SiteThroughput{}
	for _, st := range stations {
		s := byID[st.SiteID]
		if s == nil {
			s = &SiteThroughput{SiteID: st.SiteID, Site: st.Site}
			byID[st.SiteID] = s
			out = append(out, s)
		}
		s.Stations++
		s.Sampled += st.Sampled
		s.LastHour += st.LastHour
	}
	return out
}

// GapHousehold is a household with persons not yet sampled: the door
// staff knock on.
type GapHousehold struct {
	HouseholdID int64       `json:"household_id"`
	Household   string      `json:"household"`
	BuildingID  int64       `json:"building_id"`
	Building    string      `json:"building"` // the names from below the node down to the building
	Persons     []GapPerson `json:"persons"`
	// Responsible is who answers for the household today (its responsible
	// worker or their cover); nil when nobody is.
	Responsible *WorkerRef `json:"responsible,omitempty"`
}

// GapPerson is one person not yet sampled.
type GapPerson struct {
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Flags    []Flag `json:"flags,omitempty"`
	// HomeSampling says the home sampling team will sample them: nobody
	// needs to knock for them.
	HomeSampling bool `json:"home_sampling,omitempty"`
}

// CoverageService reads a round's coverage. It needs PermReadReports, and
// a principal sees only nodes inside their scope (ENOTFOUND otherwise).
type CoverageService interface {
	// Coverage returns the counters of a node and of each of its children.
	Coverage(ctx context.Context, roundID, placeID int64) (*RoundCoverage, []*RoundCoverage, error)
	// NotSampled lists the households under a node with persons neither
	// sampled nor excused, by building, and the total of such households.
	NotSampled(ctx context.Context, roundID, placeID int64, offset, limit int) ([]*GapHousehold, int, error)
	// Flow returns the persons sampled per ten minutes under a node.
	Flow(ctx context.Context, roundID, placeID int64) ([]FlowBucket, error)
	// Throughput returns each station's figures.
	Throughput(ctx context.Context, roundID int64) ([]*StationThroughput, error)
	// Excusals lists the members under a node taken off the site's queue
	// and not sampled: the excused, and those left to the home sampling
	// team, with who decided, why and when, in address order; and their
	// total.
	Excusals(ctx context.Context, roundID, placeID int64, offset, limit int) ([]*Member, int, error)
	// Positivity returns what a round and the RecentRounds-1 rounds before
	// it that covered a node found there, for the pool advice.
	Positivity(ctx context.Context, roundID, placeID int64) (*Positivity, error)
}
