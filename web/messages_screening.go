package web

// screeningMessages are the texts of the screening pages: campaigns, the
// dashboard, the grid worker's phone page.
func screeningMessages() map[string]message {
	m := map[string]message{
		"nav.screening":           {"入户摸排", "Screening"},
		"screening.title":         {"入户摸排", "Door-to-door screening"},
		"screening.campaign":      {"摸排任务", "Campaign"},
		"screening.households":    {"应排查户数", "Households"},
		"screening.question":      {"排查对象", "Looking for"},
		"screening.question.text": {"%s 以来从%s及以上地区返回的人员", "arrivals since %s from areas of %s or higher"},
		"screening.deadline":      {"截止", "Deadline"},
		"screening.status":        {"状态", "Status"},
		"screening.state.open":    {"进行中", "open"},
		"screening.state.closed":  {"已结束", "closed"},
		"screening.doors":         {"上门登记", "Visit doors"},
		"screening.none":          {"还没有摸排任务。", "No screening campaigns yet."},
		"screening.open":          {"发起摸排", "Open a campaign"},
		"screening.open.submit":   {"发起并冻结应排查户", "Open and freeze the households"},

		"screening.field.name":          {"名称", "Name"},
		"screening.field.arrived_since": {"返回日期自", "Arrived since"},
		"screening.field.min_level":     {"风险等级不低于", "Risk level at least"},
		"screening.field.deadline":      {"截止日期", "Deadline"},
		"screening.field.cutoff":        {"每日上报截止时间", "Daily report cut-off"},
		"screening.error.form":          {"无法发起摸排，请检查填写内容。", "The campaign could not be opened; check the form."},
		"screening.error.name":          {"请填写名称（不超过100字）。", "Give a name of at most 100 characters."},
		"screening.error.arrived_since": {"请填写返回日期。", "Give the first arrival day."},
		"screening.error.min_level":     {"请选择风险等级。", "Choose a risk level."},
		"screening.error.deadline":      {"截止日期须晚于现在。", "The deadline must be in the future."},
		"screening.error.cutoff":        {"截止时间格式为 时:分。", "The cut-off is a time HH:MM."},

		"screening.screened":         {"已排查", "Screened"},
		"screening.pending":          {"未完成", "Not final"},
		"screening.not_home":         {"无人在家", "Nobody home"},
		"screening.excused":          {"拒绝/空置/搬离", "Refused, vacant, moved"},
		"screening.returnees":        {"返回人员 高/中/低", "Returnees high/medium/low"},
		"screening.new_persons":      {"新发现人员", "Persons found"},
		"screening.measures":         {"隔离/监测", "Isolation/monitoring"},
		"screening.report.xlsx":      {"下载上报表 (XLSX)", "Report (XLSX)"},
		"screening.report.json":      {"上报数据 (JSON)", "Report (JSON)"},
		"screening.children":         {"下级完成情况", "Coverage below"},
		"screening.gaps.by_assignee": {"未完成户 · 按责任人", "Doors not reached, by assignee"},
		"screening.assignee":         {"责任人", "Assignee"},
		"screening.team":             {"小组", "team"},
		"screening.waiting_since":    {"最早等待自", "Waiting since"},
		"screening.gaps.none":        {"所有户都已完成。", "Every household has a final status."},
		"screening.gaps":             {"未完成户 · 按楼栋", "Doors not reached, by building"},
		"screening.gaps.total":       {"共 %s 户未完成", "%s households not final"},
		"screening.waited":           {"已等待 %s 小时", "waiting %s h"},

		"screening.doors.mine":      {"我的责任户", "My households"},
		"screening.doors.open":      {"辖区未完成户", "Open doors in your area"},
		"screening.doors.none":      {"没有需要上门的住户。", "No households to visit."},
		"screening.doors.truncated": {"只显示前 1000 户。", "Only the first 1,000 households are shown."},
		"screening.note":            {"备注（拒绝时必填）", "Note (required when refused)"},
		"screening.refused.note":    {"拒绝配合时请填写原因。", "Say why the household refused."},
		"screening.person.new":      {"新发现人员（未登记）", "Person not in the registry"},
		"screening.person.present":  {"在家", "Present"},
		"screening.screen.submit":   {"保存排查结果", "Save the screening"},
		"screening.travel.area":     {"从何地返回", "Came from"},
		"screening.travel.arrived":  {"抵达日期", "Arrived on"},
		"screening.travel.means":    {"交通方式", "By"},
		"screening.health":          {"健康状况", "Health"},
		"screening.travel.missing":  {"填写了返回地区的人员请同时填写抵达日期。", "Give the arrival day of everyone who came from somewhere."},
		"screening.persons.missing": {"请至少登记一名人员。", "Record at least one person."},

		"screening.sync.idle":    {"已同步", "All sent"},
		"screening.sync.pending": {"待发送", "Waiting on this phone:"},
		"screening.sync.now":     {"立即发送", "Send now"},
		"screening.sync.queued":  {"待发送", "queued"},
		"screening.sync.sent":    {"已发送", "sent"},
		"screening.sync.offline": {"离线，恢复网络后自动发送", "Offline: will send when back online"},
		"screening.sync.failed":  {"发送失败", "Not recorded"},

		"risk.none": {"已解除", "lifted"}, "risk.low": {"低风险", "low"},
		"risk.medium": {"中风险", "medium"}, "risk.high": {"高风险", "high"},
		"measure.none": {"无需管控", "none"}, "measure.home_isolation": {"居家隔离", "Home isolation"},
		"measure.health_monitoring": {"居家健康监测", "Health monitoring"},
		"means.train":               {"火车", "train"}, "means.plane": {"飞机", "plane"}, "means.car": {"自驾", "car"},
		"means.bus": {"客车", "bus"}, "means.other": {"其他", "other"},
		"health.normal": {"正常", "normal"}, "health.fever": {"发热", "fever"}, "health.symptoms": {"有症状", "symptoms"},
		"household.pending": {"未上门", "not visited"},

		"screening.teams":              {"摸排小组", "Teams"},
		"screening.teams.none":         {"还没有小组。", "No teams yet."},
		"screening.team.name":          {"小组名称", "Team name"},
		"screening.team.members":       {"成员", "Members"},
		"screening.team.members.none":  {"无成员", "no members"},
		"screening.team.members.hint":  {"可选本次摸排及您辖区内能上门的人员。", "People who may visit doors in this campaign and your area."},
		"screening.team.new":           {"新建小组", "New team"},
		"screening.team.create":        {"新建小组", "Create the team"},
		"screening.team.created":       {"小组已新建，可在上方把住户改派给它。", "The team is created; households can be reassigned to it above."},
		"screening.team.error.name":    {"请填写小组名称（不超过50字）。", "Give the team a name of at most 50 characters."},
		"screening.team.error.members": {"所选人员中有人不能上门本次摸排的住户（角色、辖区或已停用）。", "Someone chosen cannot visit this campaign's households (role, area or disabled)."},
		"screening.team.error.form":    {"无法新建小组，请检查填写内容。", "The team could not be created; check the form."},
		"screening.late":               {"开始后新增的住户", "Households registered since the opening"},
		"screening.late.note":          {"这些住户在摸排开始后才登记或迁入，还不在应排查户中。纳入后按所在楼栋分配责任人，并记录由谁、何时纳入。", "These households were registered or moved in after the campaign opened and are not in its denominator. Once added they go to their building's assignee, and who added them and when is recorded."},
		"screening.late.none":          {"没有未纳入本次摸排的住户。", "Every household in the area is in the campaign."},
		"screening.late.truncated":     {"只显示前 1000 户。", "Only the first 1,000 households are shown."},
		"screening.late.show":          {"查找开始后新增的住户", "Look for households registered since the opening"},
		"screening.late.add":           {"纳入本次摸排", "Add to the campaign"},
		"screening.late.added":         {"已纳入 %s 户。", "%s households added to the campaign."},
		"screening.late.error.taken":   {"这户已在本次摸排中。", "This household is already in the campaign."},
		"screening.late.error.target":  {"这户不在本次摸排或您的辖区内。", "This household is not in this campaign's area or yours."},
	}
	for o, zh := range map[string]string{"screened": "已排查", "not_home": "无人在家", "refused": "拒绝配合", "vacant": "空置房", "moved_out": "已搬离"} {
		en := map[string]string{"screened": "Screened", "not_home": "Nobody home", "refused": "Refused", "vacant": "Vacant", "moved_out": "Moved out"}[o]
		m["outcome."+o] = message{zh, en}
		m["household."+o] = message{zh, en}
	}
	for _, part := range []map[string]message{followUpMessages(), riskAreaMessages()} {
		for id, msg := range part {
			m[id] = msg
		}
	}
	return m
}
