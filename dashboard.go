package frontline

import (
	"context"
	"time"
)

// Dashboard is what matters now under a node: the figures of the day so
// far (the live daily report), tests and positives per day, the coverage
// of the day's rounds over the morning, and a map of the node's children
// (the buildings of a compound) with each one's zone level, coverage and
// cases. Workflows not yet built have no chart, never an empty one.
type Dashboard struct {
	Place *Place    `json:"place"`
	At    time.Time `json:"at"`
	// Today is the live daily report of the calendar day with the
	// sections of DashboardSections only.
	Today *DailyReport `json:"today"`
	// Days are tests and positives per day, oldest first, DashboardDays
	// of them ending today.
	Days []DayTests `json:"days"`
	// Morning is the share of the day's rounds sampled after each ten
	// minutes, nil when no round under the node runs today.
	Morning *MorningCoverage `json:"morning,omitempty"`
	// Map is one tile per child node.
	Map []MapTile `json:"map"`
	// Supplied are the households supplied per day, oldest first,
	// DashboardDays of them ending today.
	Supplied []DaySupplied `json:"supplied"`
	// HelpAges are the open help requests under the node by how long they
	// have been open (help.go).
	HelpAges []HelpAge `json:"help_ages"`
}

// DashboardSections are the sections of the daily report whose figures
// the dashboard's tiles show, and the only ones it reads: a dashboard is
// refreshed every few seconds on every open screen, and the other
// sections (the vulnerable residents of every sealed zone, the day's
// deliveries) cost what the daily report's page may take, not a tile's.
var DashboardSections = []DailySectionKey{DailyScreening, DailyTesting, DailyCases, DailyZones, DailyWorkforce}

// DaySupplied is one day's households supplied under a node: served by a
// distribution (保供包 delivered) and with an order delivered.
type DaySupplied struct {
	Day         string `json:"day"`
	Distributed int    `json:"distributed"`
	Ordered     int    `json:"ordered"`
}

// DashboardDays is how many days the tests chart shows.
const DashboardDays = 14

// DayTests is one day's sampling under a node.
type DayTests struct {
	Day      string `json:"day"`
	Sampled  int    `json:"sampled"`
	Positive int    `json:"positive"`
}

// MorningCoverage is the day's sampling as it went: the persons to test
// and those sampled by the end of each ten-minute bucket.
type MorningCoverage struct {
	Expected int          `json:"expected"`
	Buckets  []FlowBucket `json:"buckets"` // cumulative
}

// MapTile is one child node on the map.
type MapTile struct {
	PlaceID  int64     `json:"place_id"`
	Name     string    `json:"name"`
	Kind     PlaceKind `json:"kind"`
	Level    ZoneLevel `json:"level"`
	Expected int       `json:"expected"`
	Sampled  int       `json:"sampled"`
	Cases    int       `json:"cases"`
}

// Coverage is the share of the tile's persons to test that were sampled
// today, in percent; -1 when no round reaches it.
func (t *MapTile) Coverage() float64 {
	if t.Expected == 0 {
		return -1
	}
	return 100 * float64(t.Sampled) / float64(t.Expected)
}

// DashboardService builds a node's dashboard (PermReadReports, within the
// caller's scope; ENOTFOUND outside it).
type DashboardService interface {
	Dashboard(ctx context.Context, placeID int64) (*Dashboard, error)
}
