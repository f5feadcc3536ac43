package web

import "github.com/frontline-org/frontline"

// vulnerableMessages are the texts of the vulnerable of sealed and
// controlled zones: their contacts (包保责任人), daily checks, the board,
// their alert, their daily-report section and their retention kind.
func vulnerableMessages() map[string]message {
	m := map[string]message{
		"alert.kind." + frontline.AlertVulnerableUnchecked:   {"特殊人群未联系", "Vulnerable residents not reached"},
		"alert.what." + frontline.AlertVulnerableUnchecked:   {"封控区、管控区今天还有特殊人群未联系（未联系/总数）", "Vulnerable residents of a sealed or controlled zone not reached today (not reached/all)"},
		"alert.action." + frontline.AlertVulnerableUnchecked: {"查看未联系名单", "Open the list of those not reached"},

		"daily.section.vulnerable":          {"特殊人群包保", "Vulnerable residents"},
		"daily.col.vulnerable.vulnerable":   {"封控管控区特殊人群", "In sealed or controlled zones"},
		"daily.col.vulnerable.with_contact": {"已落实包保人", "With a contact"},
		"daily.col.vulnerable.checked":      {"当日已联系", "Reached today"},
		"daily.col.vulnerable.not_checked":  {"当日未联系", "Not reached"},
		"retention.kind.vulnerable":         {"特殊人群每日联系记录", "Daily checks of the vulnerable"},
		"retention.end.vulnerable":          {"联系后", "after the check"},
	}
	return m
}
