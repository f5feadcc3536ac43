package web

// distributionMessages are the texts of distributions (保供包), of a
// household's needs, and of their daily-report section and chart.
func distributionMessages() map[string]message {
	return map[string]message{
		"nav.distributions": {"保供包", "Packages"},

		"dist.title":            {"保供包发放", "Package distributions"},
		"dist.households":       {"%d 户", "%d households"},
		"dist.state.open":       {"发放中", "under way"},
		"dist.state.closed":     {"已结束", "closed"},
		"dist.none":             {"这里还没有保供包发放。", "No package has been distributed here yet."},
		"dist.new":              {"发放保供包", "Distribute a package"},
		"dist.new.hint":         {"开始时锁定所选区域内的全部住户：每户都要有最终状态（已送达、拒收、已搬离或不适用并写明原因），发放才能结束。之后迁入的住户可在发放页补录。", "Starting it fixes the list of every household of the area: each must get a final status (delivered, refused, moved out or not applicable with a reason) before it can close. Households that move in later are added on its page."},
		"dist.name":             {"名称", "Name"},
		"dist.contents":         {"每户发放内容", "Each household gets"},
		"dist.contents.example": {"例如：蔬菜包 10斤", "e.g. vegetables 5 kg"},
		"dist.scope":            {"发放区域", "Area"},
		"dist.start":            {"开始发放", "Start"},
		"dist.started":          {"%s 于 %s 开始", "started by %s at %s"},
		"dist.close":            {"结束发放", "Close"},
		"dist.close.refused":    {"还有 %d 户没有最终状态，不能结束。", "%d households have no final status yet; it cannot close."},
		"dist.progress":         {"各楼栋进度", "Progress per building"},
		"dist.doors.open":       {"未送达的门户", "Doors not yet served"},
		"dist.doors.all":        {"全部门户", "All doors"},
		"dist.doors.title":      {"%s：发放名单", "%s: doors"},
		"dist.doors.count":      {"未完成 %s 户", "%s households to serve"},
		"dist.doors.count.all":  {"共 %s 户", "%s households"},
		"dist.doors.none":       {"这里的住户都已有最终状态。", "Every household here has a final status."},
		"dist.building.count":   {"%s 户", "%s doors"},
		"dist.leave.door":       {"送到门口（封控区）", "to the door (sealed zone)"},
		"dist.leave.front":      {"放在楼栋前", "to the building front"},
		"dist.door.kept":        {"送到门口，勿接触", "to the door, no contact"},
		"dist.door.empty":       {"无在住登记居民", "nobody registered lives here"},
		"dist.xlsx":             {"下载名单（XLSX）", "Download the list (XLSX)"},
		"dist.add":              {"补录迁入住户", "Add a household that moved in"},
		"dist.add.hint":         {"以下住户在发放开始后登记，不在名单内：补录后计入本次发放。", "These households were registered after the start and are not on the list: once added they count in it."},
		"dist.add.submit":       {"补录", "Add"},
		"dist.attempts":         {"上门 %d 次", "%d tries"},
		"dist.reason":           {"原因", "Reason"},
		"dist.reason.missing":   {"请写明原因。", "Give the reason."},
		"dist.status.unknown":   {"请选择送达结果。", "Choose what happened."},

		"dist.col.place":      {"区域", "Place"},
		"dist.col.households": {"应发户数", "Households"},
		"dist.col.delivered":  {"已送达", "Delivered"},
		"dist.col.refused":    {"拒收", "Refused"},
		"dist.col.not_home":   {"无人在家", "Nobody home"},
		"dist.col.off":        {"搬离/不适用", "Moved out / n/a"},
		"dist.col.pending":    {"未完成", "To serve"},
		"dist.col.percent":    {"完成率", "Done"},

		"dist.status.pending":        {"未送", "not yet"},
		"dist.status.delivered":      {"已送达", "delivered"},
		"dist.status.refused":        {"拒收", "refused"},
		"dist.status.not_home":       {"无人在家，待再送", "nobody home, try again"},
		"dist.status.moved_out":      {"已搬离", "moved out"},
		"dist.status.not_applicable": {"不适用", "not applicable"},
		"dist.mark.delivered":        {"已送达", "Delivered"},
		"dist.mark.not_home":         {"无人在家", "Nobody home"},
		"dist.mark.refused":          {"拒收", "Refused"},
		"dist.mark.moved_out":        {"已搬离", "Moved out"},
		"dist.mark.not_applicable":   {"不适用", "Not applicable"},
		"dist.mark.other":            {"搬离或不适用…", "Moved out or not applicable…"},

		"daily.section.supplies":              {"保供", "Supplies"},
		"daily.col.supplies.households":       {"保供包应发户数", "Package households"},
		"daily.col.supplies.delivered":        {"已送达", "Delivered"},
		"daily.col.supplies.pending":          {"未完成", "To serve"},
		"daily.col.supplies.delivered_today":  {"当日送达", "Delivered today"},
		"daily.col.supplies.orders_delivered": {"当日订单送达", "Orders delivered today"},
		"dash.chart.supplied":                 {"每日保供到户（近14天）", "Households supplied per day (14 days)"},
		"dash.series.distributed":             {"保供包", "Packages"},
		"dash.series.ordered":                 {"订单", "Orders"},

		"need.halal":    {"清真", "halal"},
		"need.diabetic": {"糖尿病", "diabetic"},
		"needs.title":   {"特殊需要", "Special needs"},
		"needs.hint":    {"保供包和配送会照顾到：清真饮食、糖尿病（无糖）。婴幼儿、孕产妇等在居民信息的标记中填写。", "Packages and deliveries mind these: halal food, diabetic (no sugar). An infant, a pregnancy and the like are marked on the resident."},
		"needs.save":    {"保存", "Save"},

		"form.invalid.dist_name":  {"请填写名称（不超过100个字）。", "Enter a name of up to 100 characters."},
		"form.invalid.contents":   {"请写明每户发放的内容（不超过500个字）。", "Say what each household gets, in up to 500 characters."},
		"form.notfound.scope_id":  {"您的辖区内没有这个区域。", "There is no such place in your area."},
		"form.taken.household_id": {"这一户已在名单内。", "This household is on the list already."},
	}
}

// distributionFieldIDs are the form messages the distribution forms may
// show.
func distributionFieldIDs() []string {
	return []string{"form.invalid.dist_name", "form.invalid.contents", "form.invalid.scope_id", "form.notfound.scope_id",
		"form.taken.household_id", "form.notfound.household_id"}
}
