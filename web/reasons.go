package web

import "regexp"

// The problems of a resident list are written in English where they are
// found (residentfile, the person rules, the import), for the command line
// and the API. The import page shows them in the reader's language: each
// known message has a pattern here and a catalogue entry "reason.*" whose
// %s take the pattern's groups in order. A message no pattern knows is
// shown as it is.
type reasonPattern struct {
	re *regexp.Regexp
	id string
}

// newReasonPatterns returns the patterns, most specific first.
func newReasonPatterns() []reasonPattern {
	p := func(expr, id string) reasonPattern { return reasonPattern{regexp.MustCompile(`^` + expr + `$`), id} }
	return []reasonPattern{
		p(`the cell is empty because cells (\S+) are merged: only (\S+) holds the value; .*`, "reason.merged"),
		p(`the ID number is stored as a number \((.*)\), which keeps 15 digits at most; .*`, "reason.id_as_number"),
		p(`the ID number was stored as a number and lost its last digits \((.*)\); .*`, "reason.id_as_number"),
		p(`the ID number was stored as a number \((.*)\) and its last digits are lost; .*`, "reason.id_as_number"),
		p(`ID number (\S+) appears twice in the file: also on row (\d+) \((.*)\)`, "reason.id_twice"),
		p(`(.+) \(born (\S+), no document\) appears twice in the file: also on row (\d+) \((.*)\)`, "reason.none_twice"),
		p(`ID number (\S+) already belongs to (.+) \(this row: (.*)\)`, "reason.id_taken"),
		p(`(.+), born (\S+), without a document, is already registered in this household`, "reason.none_taken"),
		p(`(.+) is not under (.+), where this file is imported \(expected (.+)\)`, "reason.not_under"),
		p(`the (subdistrict|community|compound|building|unit|room|household) is missing`, "reason.place_missing"),
		p(`the (subdistrict|community|compound|building|unit|room) name is longer than 100 characters`, "reason.place_long"),
		p(`the name is missing`, "reason.name_missing"),
		p(`the name is longer than 50 characters`, "reason.name_long"),
		p(`the ID number is missing`, "reason.id_missing"),
		p(`a mainland ID number has 18 characters, this one has (\d+)`, "reason.id_length"),
		p(`the ID number's check digit is wrong \(expected (.)\)`, "reason.id_check"),
		p(`the ID number holds an impossible birth date (\S+)`, "reason.id_birth"),
		p(`character (\d+) of the ID number is not a digit`, "reason.id_digit"),
		p(`the last character of the ID number must be a digit or X`, "reason.id_last"),
		p(`the ID number does not start with a region code`, "reason.id_region"),
		p(`a passport number has 5 to 17 letters and digits`, "reason.passport"),
		p(`a Hong Kong or Macao permit number is .*`, "reason.hk_macao"),
		p(`a Taiwan permit number has .*`, "reason.taiwan"),
		p(`a foreign permanent residence card number is .*`, "reason.foreign"),
		p(`the permanent residence card number's check digit is wrong \(expected (.)\)`, "reason.id_check"),
		p(`a person without a document has no document number; .*`, "reason.none_number"),
		p(`a person without a document needs a birth date`, "reason.none_birth"),
		p(`the sex does not match the ID number`, "reason.sex_id"),
		p(`the birth date (\S+) does not match the ID number \((\S+)\)`, "reason.birth_id"),
		p(`"(.*)" is not a possible birth date.*`, "reason.birth_bad"),
		p(`unknown sex "(.*)" .*`, "reason.sex_bad"),
		p(`unknown document type "(.*)" .*`, "reason.idtype_bad"),
		p(`unknown relation "(.*)" .*`, "reason.relation_bad"),
		p(`unknown flag "(.*)" .*`, "reason.flag_bad"),
		p(`unknown residence status "(.*)" .*`, "reason.status_bad"),
		p(`"(.*)" is neither a mobile number .*`, "reason.phone_bad"),
		p(`the phone number has an unexpected character .*`, "reason.phone_char"),
		p(`the cell has characters that cannot be read .*`, "reason.unreadable"),
		p(`the column is missing; accepted headers: (.*)`, "reason.column_missing"),
		p(`the (\S+) column appears twice \(also (.*)\)`, "reason.column_twice"),
		p(`the file has no rows below the header`, "reason.no_rows"),
		p(`no known header in row (\d+) or the rows below it; .*`, "reason.no_header"),
	}
}

// reason returns a problem's message in lang.
func (s *Server) reason(lang, msg string) string {
	if lang == "en" {
		return msg
	}
	for _, p := range s.reasons {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, g := range m[1:] {
			args[i] = g
		}
		if p.id == "reason.place_missing" || p.id == "reason.place_long" {
			kind := m[1]
			if kind == "room" {
				kind = "household"
			}
			if k, err := s.text(lang, "kind."+kind); err == nil {
				args[0] = k
			}
		}
		if t, err := s.text(lang, p.id, args...); err == nil {
			return t
		}
		break
	}
	return msg
}

// reasonMessages are the catalogue entries of the patterns.
func reasonMessages() map[string]message {
	return map[string]message{
		"reason.merged":         {"单元格为合并单元格（%s），只有 %s 有值：请取消合并并逐行填写", "the cells %s are merged: only %s holds the value"},
		"reason.id_as_number":   {"身份证号被存成了数字（%s），只保留 15 位、末几位已丢失：请把该列设为“文本”后重新输入", "the ID number is stored as a number (%s)"},
		"reason.id_twice":       {"证件号码 %s 在文件中出现两次：第 %s 行（%s）也有", "ID number %s appears twice: also on row %s (%s)"},
		"reason.none_twice":     {"%s（出生日期 %s，无证件）在文件中出现两次：第 %s 行（%s）也有", "%s (born %s, no document) appears twice: also on row %s (%s)"},
		"reason.id_taken":       {"证件号码 %s 已登记给 %s（本行：%s）", "ID number %s already belongs to %s (this row: %s)"},
		"reason.none_taken":     {"%s（出生日期 %s，无证件）已登记在该户", "%s, born %s, without a document, is already registered in this household"},
		"reason.not_under":      {"%s 不在导入位置 %s 之下（应为 %s）", "%s is not under %s (expected %s)"},
		"reason.place_missing":  {"缺少%s", "the %s is missing"},
		"reason.place_long":     {"%s名称超过 100 个字", "the %s name is longer than 100 characters"},
		"reason.name_missing":   {"姓名为空", "the name is missing"},
		"reason.name_long":      {"姓名超过 50 个字", "the name is longer than 50 characters"},
		"reason.id_missing":     {"证件号码为空", "the ID number is missing"},
		"reason.id_length":      {"居民身份证号码应为 18 位，此号码为 %s 位", "a mainland ID number has 18 characters, this one has %s"},
		"reason.id_check":       {"证件号码校验位错误（应为 %s）", "the check digit is wrong (expected %s)"},
		"reason.id_birth":       {"身份证号码中的出生日期 %s 不存在", "the ID number holds an impossible birth date %s"},
		"reason.id_digit":       {"身份证号码第 %s 位不是数字", "character %s of the ID number is not a digit"},
		"reason.id_last":        {"身份证号码最后一位应为数字或 X", "the last character must be a digit or X"},
		"reason.id_region":      {"身份证号码开头不是地区代码", "the ID number does not start with a region code"},
		"reason.passport":       {"护照号码应为 5 至 17 位字母或数字", "a passport number has 5 to 17 letters and digits"},
		"reason.hk_macao":       {"港澳居民来往内地通行证号码应为 H 或 M 加 8 位数字（旧证 10 位）", "a Hong Kong or Macao permit number is H or M and 8 digits"},
		"reason.taiwan":         {"台湾居民来往大陆通行证号码应为 8 位数字（旧证 10 位）", "a Taiwan permit number has 8 digits"},
		"reason.foreign":        {"外国人永久居留身份证号码应为 3 个字母加 12 位数字，或以 9 开头的 18 位", "a permanent residence card number is 3 letters and 12 digits, or 18 characters starting with 9"},
		"reason.none_number":    {"无证件人员不应填写证件号码：请选择证件类型", "a person without a document has no document number"},
		"reason.none_birth":     {"无证件人员须填写出生日期", "a person without a document needs a birth date"},
		"reason.sex_id":         {"性别与身份证号码不符", "the sex does not match the ID number"},
		"reason.birth_id":       {"出生日期 %s 与身份证号码（%s）不符", "the birth date %s does not match the ID number (%s)"},
		"reason.birth_bad":      {"出生日期“%s”不是有效日期", "%s is not a possible birth date"},
		"reason.sex_bad":        {"性别“%s”无法识别（填 男 或 女）", "unknown sex %s"},
		"reason.idtype_bad":     {"证件类型“%s”无法识别", "unknown document type %s"},
		"reason.relation_bad":   {"与户主关系“%s”无法识别", "unknown relation %s"},
		"reason.flag_bad":       {"特殊人群标签“%s”无法识别", "unknown flag %s"},
		"reason.status_bad":     {"居住状态“%s”无法识别", "unknown residence status %s"},
		"reason.phone_bad":      {"电话“%s”既不是 11 位手机号，也不是带区号的固定电话", "%s is neither a mobile number nor a landline with its area code"},
		"reason.phone_char":     {"电话号码中有无法识别的字符", "the phone number has an unexpected character"},
		"reason.unreadable":     {"单元格中有无法识别的字符：请另存为 CSV UTF-8 或 XLSX 后重新上传", "the cell has characters that cannot be read"},
		"reason.column_missing": {"缺少该列；可用的表头：%s", "the column is missing; accepted headers: %s"},
		"reason.column_twice":   {"%s 列出现了两次（另见 %s）", "the %s column appears twice (also %s)"},
		"reason.no_rows":        {"表头下面没有数据行", "the file has no rows below the header"},
		"reason.no_header":      {"第 %s 行及以下找不到表头：需要一行写明列名（姓名、身份证号……）", "no known header in row %s or the rows below it"},
	}
}
