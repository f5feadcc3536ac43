package residentfile

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/frontline-org/frontline"
)

// Worker lists: what a department sends when it sends cadres down (区林草局
// 下沉干部名单), or what a community keeps of its volunteers. Offices put a
// title row or two above the header ("区林草局下沉干部花名册", "填报日期：…"),
// so the header is the first of the top rows that names the columns.

// workerHeaders are the columns of a worker list and the headers offices
// give them.
var workerHeaders = map[string][]string{
	"name":          {"姓名", "名字", "name"},
	"phone":         {"电话", "手机", "手机号", "手机号码", "联系电话", "联系方式", "phone", "mobile"},
	"kind":          {"类别", "人员类别", "身份", "人员类型", "kind", "type"},
	"unit":          {"单位", "所在单位", "派出单位", "工作单位", "unit", "department"},
	"skills":        {"技能", "特长", "专长", "skills"},
	"days":          {"可到岗日期", "可用日期", "到岗日期", "服务日期", "日期", "days", "available"},
	"last_negative": {"核酸阴性时间", "最近核酸", "核酸检测时间", "核酸采样时间", "lastnegative", "tested"},
	"note":          {"备注", "说明", "note"},
}

// ReadWorkers reads a worker list (CSV in UTF-8 or GBK, or XLSX; the first
// sheet unless sheet is given): a header naming at least the names, under
// up to nine title rows. Each row comes back parsed, or with its problems,
// naming the row and the column as a spreadsheet shows them; a file that
// cannot be read at all, or has no header, is an EINVALID error.
func ReadWorkers(name string, r io.Reader, sheet string) ([]frontline.WorkerRow, error) {
	var pos map[string]int
	var labels map[string]string
	var out []frontline.WorkerRow
	seen := 0
	where := ""
	err := eachRow(name, r, sheet, func(cells []string) bool { p, _ := workerHeader(cells); return p != nil }, func(row int, cells []string, in *input) error {
		if pos == nil {
			where = inSheet(in)
			if seen++; seen > headerSearchRows {
				return io.EOF
			}
			pos, labels = workerHeader(cells)
			return nil
		}
		out = append(out, workerRow(row, cells, pos, labels, in))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if pos == nil {
		return nil, invalid(name, nil, "no header row naming the column 姓名 (name) in the first %d rows%s", headerSearchRows, where)
	}
	return out, nil
}

// eachRow opens a list (CSV or XLSX; the sheet named, or the first whose
// top rows hold a row header accepts) and calls fn with each row that is not blank, in order, until fn
// returns io.EOF (stop, no error) or another error.
func eachRow(name string, r io.Reader, sheet string, header accepter, fn func(row int, cells []string, in *input) error) error {
	data, err := readAll(r)
	if err != nil {
		return invalid(name, err, "the file cannot be read")
	}
	in, err := open(name, data, sheet, header)
	if err != nil {
		return err
	}
	defer in.close()
	src, err := in.rows()
	if err != nil {
		return err
	}
	defer src.close()
	for {
		row, cells, err := src.next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return invalid(name, err, "the file cannot be read")
		}
		if blank(cells) {
			continue
		}
		if err := fn(row, cells, in); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// workerHeader maps a row to columns when it names the name column; nil
// when it does not (a title row).
func workerHeader(cells []string) (map[string]int, map[string]string) {
	pos, labels := mapHeaders(cells, workerHeaders)
	if _, ok := pos["name"]; !ok {
		return nil, nil
	}
	return pos, labels
}

// mapHeaders finds the columns of a header row by the headers offices
// give them: the position of each and its label as messages name it
// ("C (电话)"); the first of two columns with one meaning counts.
func mapHeaders(cells []string, headers map[string][]string) (map[string]int, map[string]string) {
	pos, labels := map[string]int{}, map[string]string{}
	for i, h := range cells {
		key := headerKey(h)
		for col, aliases := range headers {
			if _, seen := pos[col]; seen {
				continue
			}
			for _, a := range aliases {
				if key == headerKey(a) {
					pos[col] = i
					labels[col] = fmt.Sprintf("%s (%s)", columnLetter(i), headerLabel(h))
					break
				}
			}
		}
	}
	return pos, labels
}

// workerRow parses one row; every problem names its column.
func workerRow(row int, cells []string, pos map[string]int, labels map[string]string, in *input) frontline.WorkerRow {
	out := frontline.WorkerRow{Row: row, Columns: labels}
	cell := func(col string) string {
		if i, ok := pos[col]; ok && i < len(cells) {
			return strings.TrimSpace(unquoteFormula(cells[i]))
		}
		return ""
	}
	fail := func(col, msg string) {
		out.Errors = append(out.Errors, frontline.RowError{Row: row, Column: labels[col], Message: msg})
	}
	w := &out.Worker
	w.Name, w.Phone, w.Unit, w.Note = cell("name"), wholeNumber(cell("phone")), cell("unit"), cell("note")
	if w.Name == "" {
		fail("name", "the name is missing")
	}
	if k := cell("kind"); k != "" {
		if kind, ok := frontline.ParseWorkerKind(k); ok {
			w.Kind = kind
		} else {
			fail("kind", fmt.Sprintf("%q is not a kind of worker (社区干部, 网格员, 志愿者, 下沉干部, 部门干部, 医护采样人员, 司机)", k))
		}
	}
	for _, s := range splitWords(cell("skills")) {
		if k, ok := frontline.ParseSkill(s); ok {
			w.Skills = append(w.Skills, k)
		} else {
			fail("skills", fmt.Sprintf("%q is not a skill (采样资质, 驾驶, 急救, or a language such as 英语)", s))
		}
	}
	days, err := parseDays(cell("days"), in)
	if err != nil {
		fail("days", err.Error())
	}
	w.Days = days
	if s := cell("last_negative"); s != "" {
		if t, ok := parseMoment(s, in); ok {
			w.LastNegative = t
		} else {
			fail("last_negative", fmt.Sprintf("%q is not a date and time", s))
		}
	}
	return out
}

// splitWords splits a cell listing several things: 、 , ， ; ； / and
// spaces all separate.
func splitWords(s string) []string {
	return strings.FieldsFunc(frontline.FoldWidth(s), func(r rune) bool {
		return r == '、' || r == ',' || r == ';' || r == '/' || r == ' ' || r == '\n'
	})
}

// rangeSeparators write "from … to" between two dates.
var rangeSeparators = []string{"至", "到", "~", "—", "–", "－"}

// parseDays reads the dates a worker is available: a list of dates, ranges
// of them ("2022-03-29至2022-04-02"), or nothing or 每天 for every day. A
// range is at most frontline.MaxWorkerDays long.
func parseDays(s string, in *input) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "每天" || s == "全程" || s == "全天" {
		return nil, nil
	}
	var out []string
	for _, part := range splitWords(s) {
		from, to, isRange := part, "", false
		for _, sep := range rangeSeparators {
			if a, b, ok := strings.Cut(part, sep); ok {
				from, to, isRange = a, b, true
				break
			}
		}
		if !isRange && len(part) == 21 && part[10] == '-' { // 2022-03-29-2022-04-02
			from, to, isRange = part[:10], part[11:], true
		}
		a, ok := cellDate(from, in)
		if !ok {
			return nil, fmt.Errorf("%q is not a date (write 2022-03-29, or a range 2022-03-29至2022-04-02)", from)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, ok := cellDate(to, in)
		if !ok || b < a {
			return nil, fmt.Errorf("%q is not a range of dates (write 2022-03-29至2022-04-02)", part)
		}
		for d := a; d <= b; d = frontline.AddDays(d, 1) {
			if len(out) >= frontline.MaxWorkerDays {
				return nil, fmt.Errorf("more than %d dates", frontline.MaxWorkerDays)
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// cellDate reads one date as written, or as an XLSX serial.
func cellDate(s string, in *input) (string, bool) {
	s = strings.TrimSpace(s)
	if in.xlsx {
		if d, ok := excelSerial(s, in.date1904); ok {
			return d, true
		}
	}
	return parseDate(s)
}

// chinaTime is the zone a list's times are written in.
var chinaTime = time.FixedZone("CST", 8*60*60)

// parseMoment reads a date and time ("2022-03-28 07:30", an XLSX serial
// with a fraction, or a date alone, taken as its start) in China time.
func parseMoment(s string, in *input) (time.Time, bool) {
	s = strings.TrimSpace(frontline.FoldWidth(s))
	if in.xlsx && s != "" && (s[0] >= '0' && s[0] <= '9') && !strings.ContainsAny(s, "-/年 :") {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 {
			whole := int(f)
			if d, ok := excelSerial(fmt.Sprint(whole), in.date1904); ok {
				t, _ := time.ParseInLocation(frontline.DateLayout, d, chinaTime)
				return t.Add(time.Duration((f - float64(whole)) * 24 * float64(time.Hour))).Round(time.Minute), true
			}
		}
	}
	date, clock, _ := strings.Cut(s, " ")
	d, ok := parseDate(date)
	if !ok {
		return time.Time{}, false
	}
	t, _ := time.ParseInLocation(frontline.DateLayout, d, chinaTime)
	if clock = strings.TrimSpace(clock); clock != "" {
		c, err := time.Parse("15:04", clock)
		if err != nil {
			if c, err = time.Parse("15:04:05", clock); err != nil {
				return time.Time{}, false
			}
		}
		t = t.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute)
	}
	return t, true
}
