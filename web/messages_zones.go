package web

import (
	"strconv"

	"github.com/frontline-org/frontline"
)

// zoneMessages are the texts of zones, checkpoints and the entry log.
func zoneMessages() map[string]message {
	c := map[string]message{
		"nav.zones":       {"封控管控", "Zones"},
		"nav.checkpoints": {"卡点", "Checkpoints"},

		"level.sealed":     {"封控区", "Sealed"},
		"level.controlled": {"管控区", "Controlled"},
		"level.precaution": {"防范区", "Precaution"},
		"level.none":       {"未划区", "No zone"},

		"movement.stay_home":    {"足不出户", "stay at home"},
		"movement.stay_in_area": {"人不出区", "stay inside the area"},
		"movement.normal":       {"正常生活", "normal life"},

		"reason.days_clear":      {"无新增阳性 %s 天（需 %s 天）", "%s of %s days without a new positive"},
		"reason.negative_rounds": {"此后全员阴性 %s 轮（需 %s 轮）", "%s of %s negative whole-zone rounds since then"},
		"reason.no_rule":         {"%s没有规则", "%s has no rule"},
		"reason.leave":           {"%s人员不得外出", "%s: its people may not leave"},
		"reason.enter":           {"%s只允许本区居民返回或紧急情况进入", "%s: only its residents returning home, or emergencies, may enter"},
		"reason.no_temperature":  {"未测体温", "No temperature taken"},
		"reason.fever":           {"体温 %s ℃，达到或超过 %s ℃", "Temperature %s °C is at or above %s °C"},
		"reason.health_code":     {"健康码不是绿码", "The health code is not green"},
		"reason.no_test":         {"没有 %s 小时内核酸阴性证明", "No negative test within %s hours"},
		"reason.test_too_old":    {"核酸阴性证明已过 %s 小时（限 %s 小时）", "The negative test is %s hours old (at most %s)"},
		"reason.outside_hours":   {"不在本卡点开放时间（%s），请走 24 小时卡点", "Outside this checkpoint's hours (%s); use a round-the-clock checkpoint"},
	}
	return c
}

// zoneBoardMessages are the texts of the zone board and the building map.
func zoneBoardMessages() map[string]message {
	return map[string]message{
		"zones.title":          {"封控管控一览", "Zone board"},
		"zones.level":          {"当前等级", "Effective level"},
		"zones.households":     {"户", "households"},
		"zones.residents":      {"人", "residents"},
		"zones.zones":          {"区域数", "Zones"},
		"zones.map":            {"楼栋图", "Building map"},
		"zones.active":         {"划定的区域", "Zones in force"},
		"zones.none":           {"这里没有划定任何区域。", "No zone is in force here."},
		"zones.since":          {"起始", "Since"},
		"zones.reason":         {"原因", "Reason"},
		"zones.decided":        {"决定人", "Decided by"},
		"zones.rule":           {"规则版本 %d", "rule v%d"},
		"zones.stepdowns":      {"解封降级评估", "Step-down check"},
		"zones.eligible":       {"可以降级", "May step down"},
		"zones.noteligible":    {"尚不可降级", "Not yet"},
		"zones.target":         {"降为", "To"},
		"zones.stepdown":       {"确认降级", "Step down"},
		"zones.stepdown.note":  {"降级由人决定并记录；系统只给出依据。", "Stepping down is a person's decision, recorded; Frontline gives the grounds."},
		"zones.set":            {"划定区域", "Put into a zone"},
		"zones.set.place":      {"地点", "Place"},
		"zones.set.level":      {"等级", "Level"},
		"zones.set.reason":     {"原因（如阳性病例、管号）", "Reason (a case, a tube)"},
		"zones.set.decided_by": {"决定人或指挥部", "Decided by"},
		"zones.set.submit":     {"划定", "Put into the zone"},
		"zones.set.done":       {"已划定。请立即联系以下重点人员：", "Done. Call these vulnerable residents now:"},
		"zones.vulnerable":     {"重点人员", "Vulnerable residents"},
		"zones.vuln.nocontact": {"%s 名特殊人群还没有包保责任人：没有人负责每天联系他们。", "%s vulnerable residents have no contact: nobody is bound to check on them every day."},
		"zones.vuln.show":      {"查看并指定", "See and name one"},
		"zones.map.title":      {"%s 楼栋图", "%s: buildings"},
		"zones.map.legend":     {"图例", "Legend"},
		"zones.map.note":       {"每个方块是一栋楼，小格是一户，颜色是当前等级。", "Each block is a building and each cell a household, coloured by its effective level."},
		"zones.map.nobuilding": {"这里没有楼栋。", "There are no buildings here."},
		"zones.error.reason":   {"请填写原因。", "Give a reason."},
		"zones.error.level":    {"请选择等级。", "Choose a level."},
		"zones.error.place":    {"只能对小区、楼栋、单元或住户划定区域。", "Zones are drawn on a compound, building, unit or household."},
		"zones.error.conflict": {"该地点已是同级或更严的区域；降级请使用降级评估。", "The place already has this or a stricter level; use the step-down check to lower it."},
	}
}

// checkpointMessages are the texts of the checkpoint list and page.
func checkpointMessages() map[string]message {
	return map[string]message{
		"checkpoints.title":             {"卡点", "Checkpoints"},
		"checkpoints.none":              {"这里还没有卡点。", "There are no checkpoints here."},
		"checkpoint.type.vehicle_road":  {"车行道口", "Road"},
		"checkpoint.type.footpath":      {"人行便道", "Footpath"},
		"checkpoint.type.compound_gate": {"小区门口", "Compound gate"},
		"checkpoint.status.setting_up":  {"搭建中", "Being set up"},
		"checkpoint.status.open":        {"值守中", "Open"},
		"checkpoint.status.closed":      {"已撤除", "Closed"},
		"checkpoint.col.name":           {"卡点", "Checkpoint"},
		"checkpoint.col.place":          {"所属", "Guards"},
		"checkpoint.col.type":           {"类型", "Type"},
		"checkpoint.col.status":         {"状态", "Status"},
		"checkpoint.col.short":          {"缺少物资", "Short of"},
		"checkpoint.inside":             {"里侧", "Inside"},
		"checkpoint.outside":            {"外侧", "Outside"},
		"checkpoint.notopen":            {"卡点未开放，不能登记。", "The checkpoint is not open; passages cannot be recorded."},
		"checkpoint.setup":              {"物资与人员", "Materials and staff"},
		"checkpoint.item":               {"物资", "Item"},
		"checkpoint.onhand":             {"现有", "On hand"},
		"checkpoint.need":               {"需要", "Needed"},
		"checkpoint.short":              {"缺 %s", "short %s"},
		"checkpoint.done":               {"已完成", "done"},
		"checkpoint.todo":               {"未完成", "to do"},
		"checkpoint.shift":              {"班次 %s – %s", "Shift %s – %s"},
		"checkpoint.leader":             {"负责人", "leader"},
		"checkpoint.noshift":            {"没有排班。", "No one is on shift."},
		"checkpoint.hourly":             {"每小时通行", "Passages per hour"},
		"checkpoint.hour":               {"时段", "Hour"},
		"checkpoint.in":                 {"进", "In"},
		"checkpoint.out":                {"出", "Out"},
		"checkpoint.refused":            {"劝返", "Refused"},
		"checkpoint.refusedlist":        {"劝返记录", "Refused"},
		"checkpoint.recent":             {"最近登记", "Latest passages"},
		"checkpoint.nopassages":         {"还没有登记。", "Nothing recorded yet."},
		"checkpoint.hours":              {"开放时间 %s", "Open %s"},
		"checkpoint.allday":             {"24 小时开放", "Open round the clock"},
		"checkpoint.outsidehours":       {"现在不在开放时间（%s），登记的通行都将劝返。", "Outside the opening hours (%s): every passage recorded now is refused."},
		"checkpoints.template":          {"卡点物资清单模板", "Checklist template"},
		"checkpoints.new":               {"新设卡点", "Add a checkpoint"},
		"checkpoints.new.hint":          {"新卡点按物资清单模板生成搭建清单，搭好后在卡点页开放。", "A new checkpoint gets the checklist template's items to set up; open it on its page once it stands."},
		"checkpoints.new.place":         {"所属（卡点守住的范围）", "Guards (the area it closes)"},
		"checkpoints.new.name":          {"卡点名称", "Name"},
		"checkpoints.new.location":      {"位置", "Where"},
		"checkpoints.new.location.hint": {"例如：枣园路与罗玉路交叉口东侧", "e.g. east corner of 枣园路 and 罗玉路"},
		"checkpoints.new.type":          {"类型", "Type"},
		"checkpoints.new.hours":         {"开放时间（留空为 24 小时）", "Opening hours (empty for round the clock)"},
		"checkpoints.new.save":          {"新设卡点", "Add the checkpoint"},
		"checkpoints.error.place_id":    {"请选择社区、小区或楼栋。", "Choose a community, compound or building."},
		"checkpoints.error.name":        {"请填写卡点名称（不超过100字，一行）。", "Enter the checkpoint's name (at most 100 characters, one line)."},
		"checkpoints.error.taken":       {"这里已有同名的卡点。", "There is a checkpoint of this name here already."},
		"checkpoints.error.location":    {"位置不超过300字，一行。", "The location has at most 300 characters, on one line."},
		"checkpoints.error.type":        {"请选择类型。", "Choose the type."},
		"checkpoints.error.hours":       {"开放时间写作 HH:MM-HH:MM，如 06:00-22:00；留空为 24 小时。", "Write opening hours HH:MM-HH:MM, e.g. 06:00-22:00, or leave them empty for round the clock."},
	}
}

// setupMessages are the texts of the setup section of the checkpoint
// page: status, checklist, ledger and shifts.
func setupMessages() map[string]message {
	return map[string]message{
		"setup.gaps":              {"开放前还需：", "Before it can open:"},
		"setup.gap.material":      {"%s 现有 %d，需要 %d %s", "%s: %d of %d %s on hand"},
		"setup.gap.task":          {"%s 未完成", "%s not done"},
		"setup.gap.unstaffed":     {"没有带班负责人的班次", "No shift with a leader"},
		"setup.to.open":           {"开放卡点", "Open the checkpoint"},
		"setup.to.setting_up":     {"转为搭建中", "Back to setting up"},
		"setup.to.closed":         {"撤除卡点", "Close the checkpoint"},
		"setup.checklist":         {"搭建清单", "Setup checklist"},
		"setup.tick":              {"完成", "Done"},
		"setup.untick":            {"撤销", "Undo"},
		"setup.item.add":          {"增加一项", "Add a line"},
		"setup.item.name":         {"名称", "Name"},
		"setup.item.kind":         {"类别", "Kind"},
		"setup.item.need":         {"需要数量（物资）", "Quantity needed (materials)"},
		"setup.item.unit":         {"单位（物资）", "Unit (materials)"},
		"setup.item.submit":       {"加入清单", "Add to the checklist"},
		"setup.kind.material":     {"物资", "Material"},
		"setup.kind.task":         {"任务", "Task"},
		"setup.kind.issued":       {"发放", "Issued"},
		"setup.kind.restocked":    {"补充", "Restocked"},
		"setup.kind.used":         {"消耗", "Used"},
		"setup.kind.returned":     {"退回", "Returned"},
		"setup.ledger":            {"物资台账", "Material ledger"},
		"setup.ledger.note":       {"入 = 发放+补充，出 = 消耗+退回。", "In = issued + restocked; out = used + returned."},
		"setup.ledger.kind":       {"记账类别", "Entry"},
		"setup.ledger.submit":     {"记账", "Record"},
		"setup.stock":             {"现有/需要", "On hand/needed"},
		"setup.in":                {"入", "In"},
		"setup.out":               {"出", "Out"},
		"setup.quantity":          {"数量", "Quantity"},
		"setup.source":            {"来源或去向（如区林草局、煤场）", "From or to (e.g. the forestry bureau, the coal yard)"},
		"setup.note":              {"备注", "Note"},
		"setup.shifts":            {"值守班次", "Shifts"},
		"setup.saved.status":      {"状态已更改。", "Status changed."},
		"setup.saved.item":        {"已加入清单。", "Added to the checklist."},
		"setup.saved.task":        {"已更新。", "Updated."},
		"setup.saved.ledger":      {"已记账。", "Recorded."},
		"setup.error.cannotopen":  {"还不能开放：请先补齐下列各项。", "It cannot open yet: see what is missing below."},
		"setup.error.status":      {"请选择状态。", "Choose a status."},
		"setup.error.item_name":   {"请填写名称（不超过 60 字）。", "Give a name of at most 60 characters."},
		"setup.error.item_taken":  {"清单里已有这一项。", "The checklist already has this line."},
		"setup.error.item_kind":   {"请选择物资或任务。", "Choose material or task."},
		"setup.error.item_need":   {"请填写需要的数量（整数）。", "Give the quantity needed, a whole number."},
		"setup.error.item_unit":   {"物资请填写单位，如 顶、kg。", "Give the material's unit, e.g. kg."},
		"setup.error.ledger_item": {"请选择本卡点的物资。", "Choose a material of this checkpoint."},
		"setup.error.ledger_kind": {"请选择发放、补充、消耗或退回。", "Choose issued, restocked, used or returned."},
		"setup.error.quantity":    {"请填写 1 至 1,000,000 的整数；消耗和退回不能超过现有数量。", "Give a whole number from 1 to 1,000,000; used and returned cannot exceed what is on hand."},
		"setup.error.note":        {"来源或备注太长。", "The source or note is too long."},
	}
}

// templateMessages are the texts of the checklist template page.
func templateMessages() map[string]message {
	return map[string]message{
		"template.title":           {"卡点物资清单模板", "Checklist template"},
		"template.note":            {"新建卡点时按此清单准备；已建卡点不受影响。清空一行的标识和名称即删除该行。", "New checkpoints get this checklist; existing ones keep theirs. Empty a row's key and name to remove it."},
		"template.readonly":        {"模板适用于全市，只有市指挥部可以修改。", "The template serves the whole city; only the city command may change it."},
		"template.saved":           {"模板已保存。", "Template saved."},
		"template.key":             {"标识", "Key"},
		"template.name":            {"名称", "Name"},
		"template.kind":            {"类别", "Kind"},
		"template.need":            {"数量", "Quantity"},
		"template.unit":            {"单位", "Unit"},
		"template.submit":          {"保存模板", "Save the template"},
		"template.error.key":       {"标识不能有空格，最多 40 个字符，且不能重复。", "A key has no spaces, at most 40 characters, and appears once."},
		"template.error.name":      {"请填写名称。", "Give a name."},
		"template.error.kind":      {"请选择物资或任务。", "Choose material or task."},
		"template.error.need":      {"请填写数量（整数）。", "Give the quantity, a whole number."},
		"template.error.unit":      {"物资请填写单位。", "Give the unit."},
		"template.error.items":     {"清单须有 1 至 50 项。", "The checklist has 1 to 50 lines."},
		"template.error.forbidden": {"模板适用于全市，只有市指挥部可以修改。", "The template serves the whole city; only the city command may change it."},
	}
}

// passageMessages are the texts of the entry form and its decision.
func passageMessages() map[string]message {
	return map[string]message{
		"passage.form":              {"通行登记", "Record a passage"},
		"passage.direction":         {"方向", "Direction"},
		"passage.dir.in":            {"进入", "Coming in"},
		"passage.dir.out":           {"外出", "Going out"},
		"passage.who":               {"人员", "Who"},
		"passage.kind.resident":     {"居民", "Resident"},
		"passage.kind.visitor":      {"外来人员", "Visitor"},
		"passage.id":                {"身份证号或居民码", "ID number or personal code"},
		"passage.name":              {"姓名", "Name"},
		"passage.phone":             {"电话", "Phone"},
		"passage.reason":            {"事由", "Reason"},
		"passage.checks":            {"查验", "Checks"},
		"passage.temperature":       {"体温 ℃", "Temperature °C"},
		"passage.code":              {"健康码", "Health code"},
		"passage.code.green":        {"绿码", "Green"},
		"passage.code.yellow":       {"黄码", "Yellow"},
		"passage.code.red":          {"红码", "Red"},
		"passage.test":              {"核酸阴性", "Negative test"},
		"passage.test.none":         {"无", "None"},
		"passage.test.hours":        {"%s 小时内", "within %s hours"},
		"passage.emergency":         {"紧急情况（就医等）", "Emergency (hospital trip)"},
		"passage.submit":            {"登记", "Record"},
		"passage.allowed":           {"准予通行", "May pass"},
		"passage.refused":           {"不予通行", "Refused"},
		"passage.at":                {"时间", "Time"},
		"passage.decision":          {"结果", "Decision"},
		"passage.levels":            {"%s → %s", "%s → %s"},
		"passage.error.id_number":   {"请填写身份证号或居民码。", "Enter the ID number or personal code."},
		"passage.error.notfound":    {"查无此居民，请按外来人员登记。", "No such resident; record the person as a visitor."},
		"passage.error.name":        {"请填写姓名。", "Enter the name."},
		"passage.error.phone":       {"请填写正确的手机号。", "Enter a valid phone number."},
		"passage.error.reason":      {"请填写事由。", "Give the reason."},
		"passage.error.temperature": {"体温不对，请重新测量。", "That is not a body temperature; measure again."},
		"passage.error.direction":   {"请选择进入或外出。", "Choose in or out."},
		"passage.error.kind":        {"请选择居民或外来人员。", "Choose resident or visitor."},
		"passage.error.health_code": {"请选择健康码颜色。", "Choose the health code colour."},
		"passage.error.test":        {"核酸时间不对。", "That test time is not possible."},
	}
}

// reasonText says one ground of a decision in lang.
func (s *Server) reasonText(lang string, r frontline.Reason) (string, error) {
	level := func() (string, error) { return s.levelText(lang, r.Level) }
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	var args []any
	switch r.Code {
	case frontline.ReasonLeave, frontline.ReasonEnter, frontline.ReasonNoRule:
		l, err := level()
		if err != nil {
			return "", err
		}
		args = []any{l}
	case frontline.ReasonFever:
		args = []any{strconv.FormatFloat(r.Have, 'f', 1, 64), strconv.FormatFloat(r.Need, 'f', 1, 64)}
	case frontline.ReasonNoTest:
		args = []any{num(r.Need)}
	case frontline.ReasonTestTooOld, frontline.ReasonDaysClear, frontline.ReasonNegativeRounds:
		args = []any{num(r.Have), num(r.Need)}
	case frontline.ReasonOutsideHours:
		args = []any{r.Hours}
	case frontline.ReasonRestricted, frontline.ReasonRestrictionNote:
		k, err := s.text(lang, "restriction."+string(r.Restriction))
		if err != nil {
			return "", err
		}
		args = []any{k}
	}
	return s.text(lang, "reason."+r.Code, args...)
}

// reasonTexts says every ground in lang; never nil, so JSON has [].
func (s *Server) reasonTexts(lang string, reasons []frontline.Reason) ([]string, error) {
	out := make([]string, 0, len(reasons))
	for _, r := range reasons {
		t, err := s.reasonText(lang, r)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// levelText names a zone level in lang.
func (s *Server) levelText(lang string, l frontline.ZoneLevel) (string, error) {
	if l == frontline.LevelNone {
		return s.text(lang, "level.none")
	}
	return s.text(lang, "level."+string(l))
}
