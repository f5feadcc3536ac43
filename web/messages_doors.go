package web

// doorMessages are the texts of a visit the server refused on the grid
// worker's doors page: kept on the phone as a draft, the field marked at
// its person, in the page's language.
func doorMessages() map[string]message {
	return map[string]message{
		"draft.refused": {"这次上门记录没有保存：请改正标出的地方后再提交。填写的其他内容（包括其他人员的出行信息）都已保留。", "This visit was not recorded: correct what is marked and send it again. Everything else you entered, other persons' travel included, is kept."},
		"draft.kept":    {"未提交的填写内容已保留在本机。", "What you entered and did not send is kept on this phone."},
		"draft.item":    {"第 %s 位人员：", "Person %s: "},

		"form.invalid.travel.area":       {"请填写从哪个地区返回。", "Say which area the person came from."},
		"form.invalid.travel.area_code":  {"地区代码只能是数字。", "An area code has only digits."},
		"form.invalid.travel.arrived_on": {"请填写抵达日期，不能晚于今天。", "Give the arrival day, not after today."},
		"form.invalid.travel.detail":     {"出行信息太长。", "The travel details are too long."},
		"form.invalid.health":            {"请选择健康状况。", "Choose the state of health."},
		"form.invalid.temperature":       {"体温应在34到43℃之间。", "A body temperature is between 34 and 43 °C."},
		"form.invalid.persons":           {"请登记在家的人员，每人只登记一次；或选择其他结果。", "Record the persons found, each once, or choose another outcome."},
		"form.invalid.outcome":           {"请选择上门结果。", "Choose the outcome of the visit."},
		"form.notfound.persons":          {"这位人员不在这一户。", "This person is not registered in this household."},
	}
}
