package web

import "github.com/frontline-org/frontline"

// SetupMessageIDsForTest lists the message ids the setup page builds at
// run time: errors beside its fields, its notices, lanes and pool modes.
func SetupMessageIDsForTest() []string {
	ids := append([]string{"roundsetup.invalid.opens", "roundsetup.taken.station_name",
		"roundsetup.station.lane.ordinary", "roundsetup.station.lane.non_green"}, setupNotices...)
	for _, f := range siteErrorFields {
		ids = append(ids, "roundsetup.invalid."+f)
	}
	for _, f := range stationErrorFields {
		ids = append(ids, "roundsetup.invalid."+f)
	}
	for _, f := range planFields {
		ids = append(ids, "roundsetup.invalid."+f, "roundsetup.plan."+f)
	}
	for _, m := range []frontline.PoolMode{frontline.PoolSingle, frontline.PoolHousehold, frontline.PoolMixed} {
		ids = append(ids, "roundsetup.policy."+string(m))
	}
	return ids
}
