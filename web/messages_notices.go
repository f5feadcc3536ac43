package web

// noticeMessages are the texts of the notices: a round's call-ups on its
// page, and the notices page of every workflow.
func noticeMessages() map[string]message {
	return map[string]message{
		"notices.title":            {"通知下楼（%s 条）", "Call-up notices (%s)"},
		"notices.count.delivered":  {"已送达 %s", "%s delivered"},
		"notices.count.pending":    {"待发送 %s", "%s waiting"},
		"notices.count.dead":       {"未能送达 %s", "%s not delivered"},
		"notices.count.cancelled":  {"已撤回 %s", "%s withdrawn"},
		"notices.status.delivered": {"已送达", "delivered"},
		"notices.status.pending":   {"待发送", "waiting"},
		"notices.status.dead":      {"未能送达", "not delivered"},
		"notices.status.cancelled": {"已撤回", "withdrawn"},
		"notices.delivered":        {"%s 送达", "delivered %s"},
		"notices.due":              {"将于 %s 发出", "goes out %s"},
		"notices.more":             {"只显示最近的 %s 条。", "Only the latest %s are shown."},
		// The notices page: every notice of every workflow.
		"nav.notices":                 {"通知", "Notices"},
		"notices.page.title":          {"发给居民和工作人员的通知", "Notices to residents and staff"},
		"notices.page.note":           {"各项工作发出的短信和提醒，最新的在前；号码已隐藏。未能送达的可以重新发送。", "The texts and alerts every workflow sent, newest first; numbers are masked. One not delivered can be sent again."},
		"notices.day":                 {"写入日期", "Day written"},
		"notices.col.topic":           {"事项", "Topic"},
		"notices.col.place":           {"住户 / 地点", "Household / place"},
		"notices.col.to":              {"发往", "To"},
		"notices.col.status":          {"状态", "Status"},
		"notices.col.attempts":        {"尝试次数", "Attempts"},
		"notices.col.written":         {"写入时间", "Written"},
		"notices.col.error":           {"最近的错误", "Last error"},
		"notices.col.body":            {"内容", "Text"},
		"notices.none":                {"没有符合条件的通知。", "No notice matches."},
		"notices.requeued":            {"通知 %s 已重新排队发送。", "Notice %s is queued to be sent again."},
		"notices.topic.callup":        {"通知下楼", "Call-up"},
		"notices.topic.result":        {"核酸结果", "Test result"},
		"notices.topic.isolation_end": {"解除隔离", "End of isolation"},
		"notices.topic.delivery":      {"物资送达", "Delivery"},
		"notices.topic.medicine":      {"药品送达", "Medicine delivered"},
		"notices.topic.alert":         {"工作提醒", "Alert to staff"},
	}
}
