package web

// noticeMessages are the texts of a round's call-up notices on its page.
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
	}
}
