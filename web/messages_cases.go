package web

import "github.com/frontline-org/frontline"

// caseMessages are the texts of cases, transfers, restrictions and the
// alert inbox.
func caseMessages() map[string]message {
	c := map[string]message{
		"nav.alerts": {"待办提醒", "Inbox"},
		"nav.cases":  {"阳性病例", "Cases"},

		"measure.central_isolation": {"集中隔离", "Centralised isolation"},
		"measure.status.active":     {"执行中", "in force"},
		"measure.status.ended":      {"已解除", "ended"},
		"measure.status.superseded": {"已调整", "superseded"},

		"restriction.case":              {"阳性病例", "a confirmed case"},
		"restriction.transfer":          {"待转运", "awaiting transfer"},
		"restriction.central_isolation": {"集中隔离", "centralised isolation"},
		"restriction.home_isolation":    {"居家隔离", "home isolation"},
		"restriction.awaiting_retest":   {"混管阳性待复核", "a positive pool awaiting its re-test"},
		"restriction.health_monitoring": {"居家健康监测", "health monitoring"},
		"reason.restricted":             {"%s人员，不得外出", "Under %s: may not go out"},
		"reason.restriction_note":       {"注意：%s人员", "Note: under %s"},
		"station.reason.restricted":     {"居家隔离或阳性人员，请由上门采样组单采，不在采样台采样", "Home isolation or a case: the home sampling team samples them, not a station"},

		"person.health":                 {"核酸、管控与病例", "Tests, measures and cases"},
		"person.restricted":             {"当前管控：", "Restricted now: "},
		"person.until":                  {"至 %s", "until %s"},
		"person.results":                {"核酸结果", "Test results"},
		"person.result.pending":         {"待出结果", "at the lab"},
		"person.follow.awaiting_retest": {"待单采复核", "awaiting a single re-test"},
		"person.follow.released":        {"复核阴性，已解除", "re-test negative, released"},
		"person.follow.positive":        {"复核阳性", "re-test positive"},
		"person.noresults":              {"没有核酸采样记录。", "Not sampled in any round."},
		"person.measures":               {"管控措施", "Measures"},
		"person.measure.case":           {"来自病例", "from a case"},
		"person.nomeasures":             {"没有管控措施。", "No measure."},
		"rules.contacts":                {"病例密接的管控措施（JSON）", "Measures of a case's contacts (JSON)"},
		"rules.contacts.hint":           {"每类密接一条：kind 为 household（同住）、pool（同管）、unit（同单元）、building（同楼栋）；measure 同上，type 可为 central_isolation（集中隔离，自动申请转运）。", "One rule per kind of contact: kind is household, pool, unit or building; measure as above, and its type may be central_isolation (a transfer is asked for)."},
		"form.invalid.source":           {"请选择报告来源。", "Choose who reports the case."},
		"form.invalid.external_ref":     {"请填写病例编号。", "Enter the reporter's case number."},
		"form.invalid.reporter":         {"请填写报告单位。", "Name the hospital or office that reports it."},
		"form.invalid.confirmed_at":     {"请填写30天内的确诊时间。", "Enter when it was confirmed, within the last 30 days."},
		"form.notfound.id_number":       {"本辖区没有此身份证号的居民。", "No resident of your area has this ID number."},
		"form.invalid.vehicle":          {"请填写车辆（车牌号）。", "Name the vehicle (plate number)."},
		"form.invalid.crew":             {"请填写随车人员。", "Name the crew."},
		"form.invalid.facility":         {"请填写转运去向。", "Name the facility."},
		"form.invalid.to":               {"该转运已由他人更新，请刷新。", "Someone else moved this transfer on; reload."},
	}
	return c
}

// alertMessages are the texts of the inbox, per kind: its name, what
// happened, and the one action that handles it.
func alertMessages() map[string]message {
	m := map[string]message{
		"alerts.title":    {"待办提醒", "Inbox"},
		"alerts.note":     {"需要立即处置的事项。请签收：签收人对处置负责；未按时签收的提醒会上报上一级。", "Things to act on now. Acknowledge one to take it on; one nobody acknowledges in time goes one level up."},
		"alerts.acked":    {"已签收。", "Acknowledged."},
		"alerts.level":    {"已上报 %d 级", "escalated %d"},
		"alerts.repeats":  {"重复 %d 次", "repeated %d×"},
		"alerts.since":    {"%s 起", "since %s"},
		"alerts.tier":     {"当前由 %s 处置", "with %s"},
		"alerts.resolved": {"已处置完毕（%s）", "Dealt with (%s)"},
		"alerts.acked.by": {"%s 已于 %s 签收", "Acknowledged by %s at %s"},
		"alerts.due":      {"请于 %s 前签收，否则上报", "Acknowledge by %s or it goes up"},
		"alerts.unacked":  {"尚未签收", "Not acknowledged"},
		"alerts.ack.note": {"签收备注（可不填）", "Note (optional)"},
		"alerts.ack":      {"签收", "Acknowledge"},
		"alerts.empty":    {"没有待办提醒。", "Nothing needs you now."},
		"alerts.open":     {"只看未处置的", "Open alerts only"},
		"alerts.all":      {"查看全部（含已处置）", "All, including those dealt with"},
	}
	kinds := map[string][3]message{
		frontline.AlertCase: {{"阳性病例", "Positive case"}, {"发现阳性病例", "A positive was confirmed"},
			{"查看病例并处置", "Open the case"}},
		frontline.AlertTransferOverdue: {{"转运超时", "Transfer late"}, {"转运未按时完成", "A transfer step is late"},
			{"查看转运", "Open the transfer"}},
		frontline.AlertHealthAbnormal: {{"健康异常", "Abnormal health report"}, {"健康监测发现发热、症状或阳性", "A fever, a symptom or a positive was reported"},
			{"查看并处理", "Open the follow-up"}},
		frontline.AlertFollowUpOverdue: {{"随访逾期", "Follow-up overdue"}, {"核酸或健康上报逾期未做", "A test or health report is overdue"},
			{"查看随访", "Open the follow-ups"}},
		frontline.AlertNoticeDead: {{"通知发送失败", "Notice not delivered"}, {"通知多次发送失败", "A notice could not be delivered"},
			{"查看并重发", "See and send again"}},
	}
	for k, t := range kinds {
		m["alert.kind."+k], m["alert.what."+k], m["alert.action."+k] = t[0], t[1], t[2]
	}
	return m
}

// caseListMessages are the texts of the case list and the report form.
func caseListMessages() map[string]message {
	return map[string]message{
		"case.list.title":         {"阳性病例", "Cases"},
		"case.list.empty":         {"辖区内没有未结案的阳性病例。", "No open case in your area."},
		"case.list.open":          {"只看未结案的", "Open cases only"},
		"case.list.all":           {"查看全部病例", "All cases"},
		"case.new.title":          {"登记报告病例", "Report a case"},
		"case.new.note":           {"医院或疾控中心确诊的阳性，按身份证号登记到辖区居民。核酸检测确诊的病例由系统自动立案。", "A positive confirmed by a hospital or the disease-control centre, by the resident's ID number. Positives the lab confirms open a case on their own."},
		"case.new.submit":         {"立案", "Open the case"},
		"case.status.open":        {"待转运", "Awaiting transfer"},
		"case.status.transferred": {"已转运", "Transferred"},
		"case.status.closed":      {"已结案", "Closed"},
		"case.source.lab":         {"核酸检测", "Test round"},
		"case.source.hospital":    {"医院报告", "Hospital"},
		"case.source.cdc":         {"疾控中心报告", "Disease-control centre"},
		"case.id_number":          {"身份证号", "ID number"},
		"case.name":               {"姓名（用于核对）", "Name (to check)"},
		"case.source":             {"报告来源", "Reported by"},
		"case.reporter":           {"报告单位", "Hospital or office"},
		"case.external_ref":       {"病例编号", "Their case number"},
		"case.confirmed_at":       {"确诊时间", "Confirmed at"},
		"case.note":               {"备注", "Note"},
		"case.followups.title":    {"%s 密接随访", "Follow-ups of %s's contacts"},
	}
}

// casePageMessages are the texts of the case page.
func casePageMessages() map[string]message {
	m := map[string]message{
		"case.title":                        {"阳性病例 %s", "Case %s"},
		"case.pool":                         {"混管 %s", "pool %s"},
		"case.tube":                         {"复核管 %s", "tube %s"},
		"case.confirmed":                    {"%s 确诊 · %s", "confirmed %s · %s"},
		"case.rules":                        {"管控规则第 %d 版", "rules v%d"},
		"case.report":                       {"下载病例报告", "Case report (XLSX)"},
		"case.followups":                    {"密接随访", "Contacts' follow-ups"},
		"case.zones":                        {"封控管控", "Zones"},
		"case.sealed":                       {"已划定。该楼栋居民改为上门采样，不再通知下楼。", "Drawn. Its residents are sampled at the door and no longer called down."},
		"case.zones.note":                   {"按划区规则建议：病例所在单元（或楼栋）封控，所在小区管控。", "The zone rule proposes: the case's unit (or building) sealed, its compound controlled."},
		"case.zone.now":                     {"现为", "now"},
		"case.zone.drawn":                   {"已划定", "Already drawn"},
		"case.zone.draw.sealed":             {"一键封控", "Seal it"},
		"case.zone.draw.controlled":         {"划为管控区", "Control it"},
		"case.zone.draw.precaution":         {"划为防范区", "Make it a precaution zone"},
		"case.contacts":                     {"密接人员及管控措施", "Contacts and their measures"},
		"contact.household":                 {"同住人员", "Household"},
		"contact.pool":                      {"同管人员", "Same pool"},
		"contact.unit":                      {"同单元居民", "Same unit"},
		"contact.building":                  {"同楼栋居民", "Same building"},
		"case.nomeasure":                    {"无需管控", "no measure"},
		"case.nocontacts":                   {"没有登记的密接人员。", "No contact is registered."},
		"case.overdue":                      {"%d 项随访逾期", "%d follow-ups overdue"},
		"case.transfer.request":             {"申请转运", "Ask for a transfer"},
		"case.transfer.who":                 {"转运人员", "Who"},
		"case.transfer.submit":              {"申请", "Ask"},
		"case.activity":                     {"近14天轨迹", "The last 14 days"},
		"case.activity.passage":             {"卡点", "checkpoint"},
		"case.activity.visit":               {"入户排查", "visit"},
		"case.activity.passage.in.allowed":  {"进入", "in"},
		"case.activity.passage.in.refused":  {"进入被拒", "refused in"},
		"case.activity.passage.out.allowed": {"外出", "out"},
		"case.activity.passage.out.refused": {"外出被拒", "refused out"},
		"case.noactivity":                   {"近14天没有卡点通行或入户记录。", "No checkpoint passage or visit in the last 14 days."},
		"case.timeline":                     {"处置时间线", "Timeline"},
		"case.event.confirmed":              {"确诊", "Confirmed"},
		"case.event.opened":                 {"立案，追踪密接并落实措施", "Opened; contacts traced and given measures"},
		"case.event.acknowledged":           {"提醒已签收", "Alert acknowledged"},
		"case.event.escalated":              {"提醒上报上一级", "Alert escalated"},
		"case.event.zone.sealed":            {"划定封控区", "Sealed"},
		"case.event.zone.controlled":        {"划定管控区", "Controlled"},
		"case.event.zone.precaution":        {"划定防范区", "Precaution zone"},
		"case.event.transfer.requested":     {"申请转运", "Transfer asked for"},
		"case.event.transfer.assigned":      {"派车", "Vehicle assigned"},
		"case.event.transfer.picked_up":     {"接走", "Picked up"},
		"case.event.transfer.arrived":       {"送达", "Arrived"},
		"case.event.transfer.cancelled":     {"取消转运", "Transfer cancelled"},
		"case.event.closed":                 {"结案", "Closed"},
		"case.close":                        {"结案", "Close the case"},
		"case.close.reason":                 {"结案原因", "Why"},
	}
	for _, o := range frontline.Outcomes {
		m["case.activity.visit."+string(o)] = message{frontline.OutcomeLabels[o], map[frontline.Outcome]string{
			frontline.OutcomeScreened: "screened", frontline.OutcomeNotHome: "not at home", frontline.OutcomeRefused: "refused",
			frontline.OutcomeVacant: "vacant", frontline.OutcomeMovedOut: "moved out"}[o]}
	}
	return m
}

// transferMessages are the texts of transfers.
func transferMessages() map[string]message {
	return map[string]message{
		"transfers.title":           {"转运", "Transfers"},
		"transfers.note":            {"每一步记录时间和经办人；超时未完成会提醒。", "Each step is timed and signed; a late step alerts."},
		"transfers.empty":           {"没有进行中的转运。", "No transfer under way."},
		"transfers.underway":        {"只看进行中的", "Under way only"},
		"transfers.all":             {"查看全部转运", "All transfers"},
		"transfer.status.requested": {"待派车", "Waiting for a vehicle"},
		"transfer.status.assigned":  {"已派车", "Vehicle assigned"},
		"transfer.status.picked_up": {"已接走", "Picked up"},
		"transfer.status.arrived":   {"已送达", "Arrived"},
		"transfer.status.cancelled": {"已取消", "Cancelled"},
		"transfer.requested":        {"%s 申请 · %s", "asked %s · %s"},
		"transfer.assigned":         {"%s 派车 · %s", "assigned %s · %s"},
		"transfer.picked_up":        {"%s 接走 · %s", "picked up %s · %s"},
		"transfer.arrived":          {"%s 送达 · %s", "arrived %s · %s"},
		"transfer.overdue":          {"已超时（应于 %s 前完成）", "Late (due %s)"},
		"transfer.due":              {"下一步应于 %s 前完成", "Next step due by %s"},
		"transfer.vehicle":          {"车辆（车牌号）", "Vehicle (plate)"},
		"transfer.crew":             {"随车人员", "Crew"},
		"transfer.facility":         {"转运去向", "Facility"},
		"transfer.step.assigned":    {"派车", "Assign"},
		"transfer.step.picked_up":   {"已接走", "Picked up"},
		"transfer.step.arrived":     {"已送达", "Arrived"},
	}
}
