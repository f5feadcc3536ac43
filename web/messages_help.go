package web

import "github.com/frontline-org/frontline"

// helpMessages are the texts of urgent help: the request forms (the
// household's link, staff), the unmet-needs board, a request's page with
// its hospital trips, its alerts and its figures.
func helpMessages() map[string]message {
	m := map[string]message{
		"retention.kind.help": {"紧急求助与就医出行", "Help requests and hospital trips"},
		"retention.end.help":  {"办结后", "after the request is resolved"},

		"daily.section.help":        {"紧急求助", "Urgent help"},
		"daily.col.help.opened":     {"新增求助", "Opened"},
		"daily.col.help.acked_late": {"超时未受理", "Acknowledged late"},
		"daily.col.help.resolved":   {"已办结", "Resolved"},
		"daily.col.help.open":       {"未办结", "Open"},
		"dash.chart.help":           {"未办结求助（按等待时长）", "Open help requests by age"},
		"dash.series.help.medical":  {"紧急医疗", "Urgent medical"},
		"dash.series.help.other":    {"其他", "Other"},
		"reason.hospital_trip":      {"就医出行（社区已安排车辆），按紧急情况放行", "On a hospital trip the community arranged: let through as an emergency"},
		"restriction.permit.trip":   {"就医出行中", "on a hospital trip"},
	}
	kinds := map[string][3]message{
		frontline.AlertHelpUnacked: {{"紧急求助未受理", "Help request not taken on"}, {"紧急求助超过时限无人受理", "An urgent help request has waited past its time with nobody taking it on"},
			{"打开求助并受理", "Open the request and take it on"}},
		frontline.AlertHelpLate: {{"紧急求助超时未办结", "Help request overdue"}, {"紧急求助超过办结时限", "An urgent help request is past its time to be resolved"},
			{"打开求助", "Open the request"}},
	}
	for k, t := range kinds {
		m["alert.kind."+k], m["alert.what."+k], m["alert.action."+k] = t[0], t[1], t[2]
	}
	return m
}
