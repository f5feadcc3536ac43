package web

// confirmMessages are the texts of the questions asked before an action
// that cannot be undone, and of the gap list folded by building.
func confirmMessages() map[string]message {
	return map[string]message{
		"confirm.back": {"返回，不做改动", "Go back, change nothing"},

		"confirm.open.title":  {"开始采样：%s？", "Open sampling for %s?"},
		"confirm.open.line":   {"开始后，范围内现有居民全部列入应检名单，名单随即冻结；之后迁入的人需逐个补录。此操作不能撤销。", "Everyone now living in the round's area joins its list, and the list is frozen; people who move in later are added one by one. This cannot be undone."},
		"confirm.open.button": {"开始采样", "Open sampling"},

		"confirm.close.title":  {"结束采样：%s？", "Close sampling for %s?"},
		"confirm.close.line":   {"结束后各采样台不能再绑定采样管，尚未采样的人留在未采名单上。此操作不能撤销。", "No station can bind a tube any more; whoever is not sampled stays on the gap list. This cannot be undone."},
		"confirm.close.button": {"结束采样", "Close sampling"},

		"confirm.excuse.title":  {"免采：%s？", "Excuse %s from this round?"},
		"confirm.excuse.reason": {"原因：%s", "Reason: %s"},
		"confirm.excuse.note":   {"说明：%s", "Note: %s"},
		"confirm.excuse.button": {"确认免采", "Excuse"},

		"gaps.building.count": {"%s 户 · %s 人未采", "%s households · %s persons"},
		"gaps.excuse.choose":  {"请选择原因", "Choose a reason"},
		"gaps.excuse.note":    {"说明（原因为“其他”时必填）", "Note (needed for “other”)"},
	}
}
