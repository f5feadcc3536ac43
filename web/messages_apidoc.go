package web

// apiDocMessages are the texts of the page that shows the API document,
// and of the notices to residents on the person page.
func apiDocMessages() map[string]message {
	return map[string]message{
		"apidoc.title":      {"接口文档", "API document"},
		"apidoc.about":      {"Frontline 的 JSON 接口共 %s 个路由，由路由表和处理程序的类型生成（OpenAPI 3.1）。用会话登录，或以设备令牌作 Authorization: Bearer 调用；每个路由需要所列权限，能看到的数据限于调用者的范围。", "Frontline's JSON API has %s routes, generated from the route table and the handlers' types (OpenAPI 3.1). Sign in for a session, or send a device token as Authorization: Bearer; each route needs the permission shown, and reaches only the caller's scope."},
		"apidoc.json":       {"下载 OpenAPI 文档（JSON）", "Download the OpenAPI document (JSON)"},
		"apidoc.groups":     {"接口分组", "Route groups"},
		"apidoc.schemas":    {"数据结构", "Schemas"},
		"apidoc.required":   {"带 * 的字段总会出现。", "Fields marked * are always present."},
		"apidoc.permission": {"所需权限", "Permission"},
		"apidoc.operation":  {"操作名", "Operation"},
		"apidoc.params":     {"参数", "Parameters"},
		"apidoc.request":    {"请求体", "Request body"},
		"apidoc.responses":  {"响应", "Responses"},
		"nav.apidoc":        {"接口文档", "API document"},
		// The person page's line about notices to residents (SMS).
		"notices.sms":        {"短信通知", "SMS notices"},
		"notices.sms.on":     {"接收", "received"},
		"notices.sms.off":    {"已退订", "opted out"},
		"notices.sms.optout": {"退订", "Opt out"},
		"notices.sms.optin":  {"恢复接收", "Receive again"},
	}
}
