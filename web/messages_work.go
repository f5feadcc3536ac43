package web

// workMessages are the texts of each role's list of work on the home
// page, and of the lab's single result and held results.
func workMessages() map[string]message {
	return map[string]message{
		"lab.one.title":        {"录入单管结果", "Enter one tube's result"},
		"lab.one.tube":         {"管码", "Tube code"},
		"lab.one.label":        {"结果", "Result"},
		"lab.one.choose":       {"请选择结果", "Choose the result"},
		"lab.one.send":         {"录入", "Record"},
		"form.invalid.result":  {"请选择阴性、阳性或无效。", "Choose negative, positive or invalid."},
		"lab.one.unreadable":   {"无法读取这个结果。", "This result cannot be read."},
		"lab.one.columns":      {"缺少管码或结果。", "The tube code or the result is missing."},
		"lab.one.tube_code":    {"管码“%s”有误，只能包含字母、数字和“-”。", "Tube code “%s” is not valid; letters, digits and '-' only."},
		"lab.one.result":       {"无法识别的结果“%s”，应为阴性、阳性或无效。", "Unknown result “%s”; choose negative, positive or invalid."},
		"lab.one.result_empty": {"请选择结果。", "Choose the result."},
		"lab.one.unknown_tube": {"没有管码为 %s 的采样管。", "There is no tube %s."},
		"lab.one.tube_open":    {"采样管 %s 尚未封管，仍在采样台使用中。", "Tube %s is still open at its station."},
		"lab.one.has_result":   {"采样管 %s 已有结果（%s），不同的结果须用新管复检。", "Tube %s already has a result (%s); a different result needs a new tube."},
		"lab.one.held":         {"采样管 %s 已有一个待核实的结果（%s），请先在下方处理。", "Tube %s already has a result waiting for a decision (%s); decide it below first."},
		"lab.row.held":         {"第%d行：采样管 %s 已有一个待核实的结果（%s），请先在下方处理。", "Row %d: tube %s already has a result waiting for a decision (%s); decide it below first."},

		"hold.not_received":     {"本实验室没有接收过这支采样管：它可能还在采样点或路上，也可能是管码输错了。", "The lab never received this tube: it may still be at the site or on its way, or the code was mistyped."},
		"hold.missing_from_bag": {"这支采样管装在样本袋 %s 中，但接收该袋时没有找到它。", "This tube was packed in bag %s, but it was not in the bag when the lab received it."},
		"lab.held.title":        {"待核实的结果（%s）", "Results held for a decision (%s)"},
		"lab.held.note":         {"这些结果还没有告知任何人。采样管确实在本实验室的，点“采样管在本实验室，录入结果”；否则点“不录入”。决定会记下您的姓名。", "Nobody has been told these results. If the tube is at the lab, record its result; otherwise drop it. Your name is kept with the decision."},
		"lab.held.posted":       {"%s 于 %s 提交", "Posted by %s at %s"},
		"lab.held.accept":       {"采样管在本实验室，录入结果", "The tube is here: record the result"},
		"lab.held.reject":       {"不录入", "Drop this result"},
		"lab.held.accepted":     {"已录入采样管 %s 的结果。", "The result of tube %s is recorded."},
		"lab.held.rejected":     {"未录入采样管 %s 的结果。", "The result for tube %s was dropped."},
		"lab.held.summary":      {"另有 %s 个结果的采样管未送达本实验室，暂不录入，等待核实（见下方）。", "%s results are held because the lab never received their tubes; see below."},
	}
}
