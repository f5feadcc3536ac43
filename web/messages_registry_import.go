package web

// registryImportMessages are the texts of persons without a document,
// the suspected duplicates and their merge, and the resident import page.
func registryImportMessages() map[string]message {
	return map[string]message{
		"idtype.none": {"无证件", "No document"},

		"dup.title":       {"疑似重复登记人员", "Suspected duplicates"},
		"dup.note":        {"以下人员姓名、出生日期相同，登记在不同户，且没有可区分的证件。请核实后合并（保留一条，另一条的核酸、走访、管控等记录全部并入），或标记为不同的人。", "These persons share a name and birth date in different households, with no document that tells them apart. Check, then merge them (one is kept and takes every record of the other: tests, visits, measures …) or mark them as different people."},
		"dup.total":       {"共 %d 对", "%d pairs"},
		"dup.age":         {"年龄", "Age"},
		"dup.address":     {"住址", "Address"},
		"dup.keep_first":  {"合并，保留前者", "Merge, keep the first"},
		"dup.keep_second": {"合并，保留后者", "Merge, keep the second"},
		"dup.distinct":    {"不是同一人", "Different people"},
		"dup.empty":       {"没有疑似重复登记的人员。", "No suspected duplicates."},
		"nav.duplicates":  {"疑似重复人员", "Suspected duplicates"},
	}
}
