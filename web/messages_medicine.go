package web

import "github.com/frontline-org/frontline"

// medicineMessages are the texts of medicine requests: the medicine part
// of a household's link, staff asking on its behalf, the pharmacy's list
// and a request's page, and the late-chronic alert.
func medicineMessages() map[string]message {
	m := map[string]message{
		"alert.kind." + frontline.AlertMedicineLate:   {"慢病药送达超时", "Chronic medicine late"},
		"alert.what." + frontline.AlertMedicineLate:   {"慢病用药超过 24 小时仍未送达", "Chronic medicine not delivered within 24 hours"},
		"alert.action." + frontline.AlertMedicineLate: {"查看购药需求", "Open the request"},
	}
	return m
}
