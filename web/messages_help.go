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
	for k, v := range map[string]message{
		"nav.help":               {"紧急求助", "Urgent help"},
		"work.help":              {"%s求助：%s", "%s: %s"},
		"work.help.more":         {"另有 %s 条未办结求助", "%s more open help requests"},
		"help.left.ack":          {"%s内须受理", "take on within %s"},
		"help.left.ack.late":     {"受理已超时 %s", "not taken on, %s late"},
		"help.left.resolve":      {"%s内须办结", "resolve within %s"},
		"help.left.resolve.late": {"办结已超时 %s", "unresolved, %s late"},
		"help.status.open":       {"待受理", "waiting"},
		"help.status.acked":      {"已受理", "taken on"},
		"help.status.resolved":   {"已办结", "resolved"},
		"help.age":               {"已等待 %s", "waiting %s"},
		"help.outcome.done":      {"办理结果：%s", "Outcome: %s"},

		"help.link.title":      {"紧急求助", "Ask for urgent help"},
		"help.link.intro":      {"透析、化疗、孕产、急病、心理危机或关键药品将断，请在这里告诉社区，社区会尽快给您回电。", "Dialysis, chemotherapy, a pregnancy, an acute illness, a mental-health crisis, or a critical medicine running out: tell your community here and it will call you back soon."},
		"help.link.raised":     {"已收到（第 %d 号），社区工作人员会尽快给您回电。", "Received (no. %d): community staff will call you back soon."},
		"help.link.submit":     {"发送求助", "Send"},
		"help.link.emergency":  {"生命危险请立即拨打 120。", "If a life is in danger, call 120 at once."},
		"help.link.mine":       {"我的求助", "My requests"},
		"help.category":        {"需要哪种帮助", "What kind of help"},
		"help.category.choose": {"请选择", "Choose"},
		"help.need":            {"具体情况（如：周三上午透析，需要车辆）", "What is needed (e.g. dialysis on Wednesday morning, needs a car)"},
		"help.phone":           {"回电电话", "Phone to call back"},
		"help.person":          {"需要帮助的人", "Who needs help"},
		"help.person.none":     {"（未指明）", "(not named)"},

		"help.cat.dialysis":          {"透析", "Dialysis"},
		"help.cat.chemotherapy":      {"化疗", "Chemotherapy"},
		"help.cat.pregnancy":         {"孕产", "Pregnancy"},
		"help.cat.acute_illness":     {"急症", "Acute illness"},
		"help.cat.mental_health":     {"心理危机", "Mental health"},
		"help.cat.critical_medicine": {"关键药品将断", "Critical medicine running out"},
		"help.cat.other":             {"其他", "Other"},

		"help.raise":         {"登记紧急求助", "Raise a help request"},
		"help.new.title":     {"登记紧急求助", "Raise a help request"},
		"help.new.submit":    {"登记", "Raise"},
		"help.board.title":   {"未满足需求", "Unmet needs"},
		"help.board.open":    {"只看未办结", "Open only"},
		"help.board.all":     {"含已办结", "Include resolved"},
		"help.board.count":   {"共 %d 条", "%d requests"},
		"help.board.none":    {"没有未办结的求助。", "No open help requests."},
		"help.board.raise":   {"在户页面登记求助，或把本户下单链接发给居民，居民可在链接页求助。", "Raise a request on the household's page, or send the household its ordering link: residents ask for help there."},
		"help.title":         {"求助 %d 号", "Help request %d"},
		"help.raised":        {"登记", "Raised"},
		"help.due.ack":       {"受理时限", "Take on by"},
		"help.due.resolve":   {"办结时限", "Resolve by"},
		"help.acked.by":      {"%s 于 %s 受理", "taken on by %s at %s"},
		"help.resolved.by":   {"%s 于 %s 办结", "resolved by %s at %s"},
		"help.reveal":        {"查看完整电话（记入审计）", "Show the whole number (audited)"},
		"help.ack":           {"我来受理", "I take it on"},
		"help.outcome":       {"办理结果（做了什么）", "Outcome (what was done)"},
		"help.resolve":       {"办结", "Resolve"},
		"help.trips":         {"就医出行", "Hospital trips"},
		"help.trips.none":    {"尚未安排车辆。", "No car arranged yet."},
		"help.trip.new":      {"安排就医车辆", "Arrange a hospital trip"},
		"help.trip.rules":    {"系统按本户所在区域等级和本人管控措施确定出行方式（普通、闭环、转运），出行期间卡点凭此放行。", "The household's zone level and the person's restrictions decide how the trip goes (ordinary, closed-loop, transfer); gates let the person through while it is on."},
		"help.trip.plate":    {"车牌号", "Plate"},
		"help.trip.driver":   {"司机", "Driver"},
		"help.trip.hospital": {"医院", "Hospital"},
		"help.trip.leave":    {"出发时间", "Leave at"},
		"help.trip.left":     {"已出发", "left"},
		"help.trip.arrived":  {"到达医院", "arrived"},
		"help.trip.returned": {"已返回", "back"},
		"help.trip.note":     {"备注", "Note"},
		"help.trip.plan":     {"安排", "Arrange"},
		"help.trip.level":    {"区域：", "Zone:"},

		"help.trip.mode.ordinary":    {"普通出行", "Ordinary trip"},
		"help.trip.mode.closed_loop": {"闭环出行（点对点，不停留）", "Closed loop (point to point, no stops)"},
		"help.trip.mode.transfer":    {"按转运办理（防护、提前告知医院）", "As a transfer (protective gear, hospital told ahead)"},
		"help.trip.status.planned":   {"待出发", "Planned"},
		"help.trip.status.out":       {"已出发", "On the way"},
		"help.trip.status.arrived":   {"在医院", "At the hospital"},
		"help.trip.status.returned":  {"已返回", "Back home"},
		"help.trip.status.cancelled": {"已取消", "Cancelled"},
		"help.trip.to.out":           {"记录出发", "Record leaving"},
		"help.trip.to.arrived":       {"记录到达", "Record arrival"},
		"help.trip.to.returned":      {"记录返回", "Record return"},
		"help.trip.to.cancelled":     {"取消", "Cancel"},

		"help.error.category":  {"请选择需要哪种帮助。", "Choose what kind of help is needed."},
		"help.error.need":      {"请写明具体情况（不超过500字）。", "Say what is needed (at most 500 characters)."},
		"help.error.phone":     {"请填写能回电的电话号码。", "Give a phone number to call back."},
		"help.error.person_id": {"请选择本户需要帮助的人。", "Choose the person of the household."},
		"help.error.plate":     {"请填写车牌号。", "Give the car's plate."},
		"help.error.driver_id": {"请选择司机。", "Choose the driver."},
		"help.error.hospital":  {"请填写医院。", "Name the hospital."},
		"help.error.leave_at":  {"请填写一周内的出发时间。", "Give a time to leave within the next week."},
		"help.error.note":      {"备注不超过500字。", "The note has at most 500 characters."},
		"help.error.outcome":   {"请写明办理结果（不超过500字）。", "Say what was done (at most 500 characters)."},
		"help.error.form":      {"未能保存：", "Not saved:"},

		"help.targets.title":         {"求助时限设置", "Help deadlines"},
		"help.targets.intro":         {"每类求助须在多少分钟内受理、多少分钟内办结。时限适用于全部地区；已登记的求助保持登记时的时限。", "How many minutes each kind of request may wait to be taken on and to be resolved. The deadlines apply everywhere; requests already raised keep the deadlines they were raised with."},
		"help.targets.ack":           {"受理时限（分钟）", "Take on within (minutes)"},
		"help.targets.resolve":       {"办结时限（分钟）", "Resolve within (minutes)"},
		"help.targets.save":          {"保存时限", "Save the deadlines"},
		"help.targets.saved":         {"时限已保存。", "The deadlines are saved."},
		"help.targets.error.form":    {"未能保存，请改正标出的时限，其余时限也未改动。", "Nothing was saved: correct the deadlines marked; the others are unchanged too."},
		"help.targets.error.minutes": {"请填写分钟数（1 或以上的整数）。", "Give a whole number of minutes, 1 or more."},
		"help.targets.error.ack":     {"受理时限在 1 分钟到 1 天（1440 分钟）之间。", "The time to take on is between 1 minute and a day (1440 minutes)."},
		"help.targets.error.resolve": {"办结时限不短于受理时限，且不超过 7 天（10080 分钟）。", "The time to resolve is at least the time to take on and at most 7 days (10080 minutes)."},
	} {
		m[k] = v
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
