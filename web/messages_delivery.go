package web

// deliveryMessages are the texts of the last hundred metres: the runs,
// the delivery volunteer's page, the gate's runs, and what households say
// about their orders.
func deliveryMessages() map[string]message {
	return map[string]message{
		"nav.runs": {"配送", "Deliveries"},

		"runs.title":  {"配送批次", "Delivery runs"},
		"runs.mine":   {"我今天的配送", "My runs"},
		"runs.none":   {"这一天没有分给您的配送。", "No run is yours this day."},
		"runs.others": {"本辖区的其他配送", "Other runs of your area"},

		"run.title":            {"%s 配送", "Delivery at %s"},
		"run.no":               {"第 %d 批", "run %d"},
		"run.gate":             {"小区门口", "The gate"},
		"run.counts":           {"未送 %d · 已送达 %d · 退回 %d", "%d to go · %d delivered · %d returned"},
		"run.left":             {"还剩 %d 户", "%d doors left"},
		"run.drop.door":        {"送到门口", "To the door"},
		"run.drop.front":       {"放楼栋前", "Building front"},
		"run.items":            {"%d 种商品", "%d items"},
		"run.returns":          {"退回原因：", "Returned: "},
		"run.medicine":         {"药品", "Medicine"},
		"run.due":              {"慢病药，须在 %s 前送达", "Chronic medicine: due by %s"},
		"run.delivered":        {"已送达", "Delivered"},
		"run.notdone":          {"未送达…", "Not delivered…"},
		"run.reason":           {"原因", "Why"},
		"run.note":             {"说明（选“其他”时必填）", "Note (needed for “other”)"},
		"run.return":           {"退回门口", "Back to the gate"},
		"run.status.delivered": {"已送达", "Delivered"},
		"run.status.returned":  {"已退回门口", "Returned to the gate"},
		"run.reopen":           {"点错了，改回未送", "Tapped by mistake: undo"},
		"run.stillout":         {"还有 %d 户未送达或退回，全部有结果后才能结束本批。", "%d parcels still have no final status; the run closes once all have one."},
		"run.close":            {"结束本批配送…", "Close the run…"},
		"run.close.confirm":    {"已送达 %d 户，退回 %d 户。结束后不能再修改。", "%d delivered, %d returned. Once closed, nothing can be changed."},
		"run.close.yes":        {"确认结束", "Close it"},
		"run.closed":           {"本批已于 %s 结束。", "This run closed at %s."},
		"run.state.open":       {"配送中", "under way"},
		"run.state.closed":     {"已结束", "closed"},

		"run.reason.no_answer": {"敲门无人应、电话不通", "Nobody answered"},
		"run.reason.refused":   {"住户拒收", "The household refused it"},
		"run.reason.address":   {"找不到门牌", "The door could not be found"},
		"run.reason.damaged":   {"包裹破损", "The parcel was damaged"},
		"run.reason.no_access": {"楼栋进不去", "The building could not be entered"},
		"run.reason.other":     {"其他", "Other"},

		"run.error.invalid":  {"没能记录，请检查后再试。", "Not recorded; check and try again."},
		"run.error.conflict": {"这一户已有结果或本批已结束，请看最新状态。", "This door has a result already or the run is closed; see where it stands now."},
		"run.error.reason":   {"请选择未送达的原因。", "Choose why the parcel was not delivered."},
		"run.error.note":     {"选“其他”时请写明原因（200字以内）。", "With “other”, say why in the note (up to 200 characters)."},
		"run.error.close":    {"还有包裹没有结果，不能结束本批。", "Some parcels have no final status; the run cannot close."},

		"gate.runs":      {"今天的配送批次", "Delivery runs of the day"},
		"gate.newrun":    {"新建配送批次", "Make a delivery run"},
		"gate.buildings": {"配送哪些楼栋", "Which buildings"},
		"gate.carrier":   {"由谁配送", "Carried by"},
		"gate.makerun":   {"出发配送", "Send out"},

		"form.invalid.buildings": {"请至少选择一栋有包裹在门口的楼。", "Choose at least one building with parcels at the gate."},
		"form.invalid.post":      {"请选择一个配送组。", "Choose a delivery team."},

		"complaints.title": {"居民反馈的问题", "Households' complaints"},
		"complaints.about": {"第 %d 号订单 · %s", "Order %d · %s"},
		"complaints.none":  {"没有居民反馈的问题。", "No complaints."},

		"order.confirm":         {"确认收到", "I received it"},
		"order.received":        {"已确认收到", "Receipt confirmed"},
		"order.complain":        {"有问题？告诉我们", "Something wrong? Tell us"},
		"order.complaint":       {"哪里有问题", "What went wrong"},
		"order.complain.send":   {"提交", "Send"},
		"order.confirmed":       {"谢谢，已确认收到。", "Thank you: receipt confirmed."},
		"order.complained":      {"已收到您反馈的问题，社区和商家会尽快处理。", "Your complaint was received; the community and the shop will look into it."},
		"order.error.complaint": {"请写下问题（500字以内）。", "Say what went wrong (up to 500 characters)."},
		"order.error.answer":    {"这张订单现在不能确认或反馈。", "This order cannot be confirmed or complained about now."},
	}
}
