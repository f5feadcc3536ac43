package web

// retentionMessages are the texts of the retention rules, what falls due
// when and the purge certificates.
func retentionMessages() map[string]message {
	return map[string]message{
		"retention.title":          {"%s 个人信息保存期限", "Personal data retention: %s"},
		"retention.link":           {"保存期限与销毁证明", "Retention and purge certificates"},
		"retention.rules":          {"保存期限规则 第 %d 版", "Retention rules, version %d"},
		"retention.rules.default":  {"（默认规则）", "(the defaults)"},
		"retention.rules.by":       {"%s 由 %s 设定", "set at %s by %s"},
		"retention.intro":          {"各类个人信息在其业务结束（轮次结束、排查结束、措施解除、病例结案、区域解封）后保存下列天数，到期后姓名、证件号码、电话和填写的文字被清除，先计入匿名统计，以后的报表和图表不受影响。", "Each kind of personal record is kept for the days below after its workflow ends (the round closed, the campaign closed, the measure ended, the case closed, the zone lifted); then names, document numbers, phones and typed text are removed, counted first in anonymised statistics, so reports and charts of the past stay true."},
		"retention.col.kind":       {"记录类别", "Kind of record"},
		"retention.col.days":       {"保存天数", "Days kept"},
		"retention.col.now":        {"现已到期", "Due now"},
		"retention.col.later":      {"以后到期", "Falls due later"},
		"retention.col.purged":     {"已销毁", "Purged"},
		"retention.none":           {"无", "none"},
		"retention.more":           {"另有 %d 天", "%d more days"},
		"retention.runs":           {"销毁证明", "Purge certificates"},
		"retention.runs.none":      {"还没有销毁记录。", "Nothing has been purged yet."},
		"retention.run.title":      {"个人信息销毁证明 第 %s 号", "Purge certificate %s"},
		"retention.run.reason":     {"原因", "Reason"},
		"retention.run.under":      {"范围", "Where"},
		"retention.run.all":        {"全部", "Everywhere"},
		"retention.run.version":    {"规则版本", "Rules version"},
		"retention.run.started":    {"开始时间", "Started"},
		"retention.run.finished":   {"完成时间", "Finished"},
		"retention.run.unfinished": {"未完成（再次运行销毁会继续）", "Not finished (running the purge again finishes it)"},
		"retention.run.by":         {"执行人", "By"},
		"retention.run.records":    {"销毁条数", "Records purged"},
		"retention.run.first":      {"业务结束最早", "Workflow ended from"},
		"retention.run.last":       {"业务结束最晚", "Workflow ended until"},
		"retention.run.export":     {"下载销毁证明（XLSX）", "Download the certificate (XLSX)"},
		"retention.run.json":       {"JSON", "JSON"},
		"retention.run.note":       {"本证明及审计日志不含任何个人信息。", "This certificate and the audit log hold no personal value."},

		"retention.reason.retention":  {"保存期限届满", "Retention ran out"},
		"retention.reason.stand-down": {"应急响应结束", "Emergency stood down"},

		"retention.kind.rounds":    {"检测轮次人员与绑管", "Round members and bindings"},
		"retention.kind.screening": {"摸排走访与行程", "Visits and travel"},
		"retention.kind.measures":  {"管控措施与健康报告", "Measures and health reports"},
		"retention.kind.passages":  {"卡点通行记录", "Checkpoint passages"},
		"retention.kind.cases":     {"病例、密接与转运", "Cases, contacts, transfers"},
		"retention.kind.notices":   {"已发通知与已处理提醒", "Notices sent, alerts resolved"},
		"retention.kind.workers":   {"工作人员信息", "Workers' data"},
		"retention.kind.residents": {"居民登记信息", "Residents' registry entries"},

		"retention.end.rounds":    {"轮次结束后", "after the round closes"},
		"retention.end.screening": {"排查结束后", "after the campaign closes"},
		"retention.end.measures":  {"措施解除后", "after the measure ends"},
		"retention.end.passages":  {"通行后", "after the passage"},
		"retention.end.cases":     {"结案后", "after the case closes"},
		"retention.end.notices":   {"发送或处理后", "after delivery or resolution"},
		"retention.end.workers":   {"人员退出后", "after the worker leaves"},
		"retention.end.residents": {"其最后一项业务结束后", "after their last workflow ends"},
	}
}
