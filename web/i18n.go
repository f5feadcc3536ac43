package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The languages of the pages. Chinese is the default: it is what the
// community offices read.
const (
	langZH = "zh-CN"
	langEN = "en"
)

// langCookie remembers a language chosen with ?lang=.
const langCookie = "lang"

// parseLang maps what a browser or a link says to a supported language.
func parseLang(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch {
	case s == "en" || strings.HasPrefix(s, "en-"):
		return langEN, true
	case s == "zh" || strings.HasPrefix(s, "zh-"):
		return langZH, true
	}
	return "", false
}

// langOf returns the language of a request: ?lang=, then the lang cookie,
// then Chinese.
func langOf(r *http.Request) string {
	if l, ok := parseLang(r.URL.Query().Get("lang")); ok {
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := parseLang(c.Value); ok {
			return l
		}
	}
	return langZH
}

// pickLang returns the request's language and, when ?lang= chose it, keeps
// the choice in a cookie so the links of the page (which carry no ?lang=)
// stay in that language.
func pickLang(w http.ResponseWriter, r *http.Request) string {
	lang := langOf(r)
	if _, ok := parseLang(r.URL.Query().Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/",
			MaxAge: int((365 * 24 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	return lang
}

// message is one text a person reads, in each language. A text with
// arguments is a fmt format.
type message struct{ zh, en string }

// text returns message id in lang. An unknown id is an error, so a page
// that names a missing message fails (and its test with it) instead of
// showing the id to a resident.
func (s *Server) text(lang, id string, args ...any) (string, error) {
	m, ok := s.catalog[id]
	if !ok {
		return "", fmt.Errorf("no message %q", id)
	}
	t := m.zh
	if lang == langEN {
		t = m.en
	}
	if len(args) > 0 {
		t = fmt.Sprintf(t, args...)
	}
	return t, nil
}

// formatNumber writes n with thousands separators: 1234567 → "1,234,567".
// Both languages group digits this way.
func formatNumber(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return sign + b.String()
}

// newCatalog returns the message catalogue. It is built by a function, not
// kept in a package variable, so nothing at package level can change at
// run time.
func newCatalog() map[string]message {
	c := map[string]message{
		"app.name":        {"前线 · 社区防控", "Frontline"},
		"app.version":     {"版本 %s", "version %s"},
		"lang.switch":     {"English", "中文"},
		"lang.other":      {"en", "zh-CN"},
		"nav.home":        {"首页", "Home"},
		"nav.breadcrumb":  {"所在位置", "You are here"},
		"index.title":     {"辖区概况", "Place tree"},
		"index.empty":     {"还没有录入任何地点。", "No places have been entered yet."},
		"place.summary":   {"概况", "Summary"},
		"place.children":  {"下级", "Below this place"},
		"place.none":      {"下面还没有任何地点。", "Nothing has been entered below this place."},
		"place.partial":   {"仅显示前 %s 个，共 %s 个。", "Showing the first %s of %s."},
		"place.members":   {"家庭成员", "Members"},
		"place.nomembers": {"这户还没有登记居民。", "No residents are registered in this household."},
		"place.masked":    {"证件号码和电话只显示首尾几位。", "ID numbers and phones show only their first and last digits."},
		"col.name":        {"名称", "Name"},
		"col.kind":        {"类型", "Kind"},
		"col.code":        {"代码", "Code"},
		"col.households":  {"户数", "Households"},
		"col.residents":   {"居民", "Residents"},
		"col.vulnerable":  {"特殊人群", "Vulnerable"},
		"person.name":     {"姓名", "Name"},
		"person.sex":      {"性别", "Sex"},
		"person.age":      {"年龄", "Age"},
		"person.relation": {"关系", "Relation"},
		"person.id":       {"证件号码", "ID number"},
		"person.phone":    {"电话", "Phone"},
		"person.flags":    {"特殊情况", "Needs"},
		"person.status":   {"居住状态", "Status"},
		"list.sep":        {"、", ", "},
		"error.back":      {"返回首页", "Back to the start page"},
	}
	for _, part := range []map[string]message{kindMessages(), personMessages(), errorMessages()} {
		for id, m := range part {
			c[id] = m
		}
	}
	return c
}

func kindMessages() map[string]message {
	return map[string]message{
		"kind.city": {"市", "city"}, "kind.district": {"区", "district"},
		"kind.subdistrict": {"街道", "subdistrict"}, "kind.community": {"社区", "community"},
		"kind.compound": {"小区", "compound"}, "kind.building": {"楼栋", "building"},
		"kind.unit": {"单元", "unit"}, "kind.household": {"户", "household"},
	}
}

func personMessages() map[string]message {
	return map[string]message{
		"sex.M": {"男", "male"}, "sex.F": {"女", "female"},
		"relation.head": {"户主", "head"}, "relation.spouse": {"配偶", "spouse"},
		"relation.child": {"子女", "child"}, "relation.parent": {"父母", "parent"},
		"relation.grandchild": {"孙子女", "grandchild"}, "relation.sibling": {"兄弟姐妹", "sibling"},
		"relation.other":    {"其他", "other"},
		"flag.living_alone": {"独居老人", "lives alone"}, "flag.limited_mobility": {"行动不便", "limited mobility"},
		"flag.bedridden": {"卧床", "bedridden"}, "flag.dialysis": {"透析", "dialysis"},
		"flag.pregnant": {"孕产妇", "pregnant"}, "flag.chronic": {"慢性病", "chronic illness"},
		"flag.disability": {"残疾", "disability"}, "flag.infant": {"婴幼儿", "infant"},
		"status.resident": {"常住", "resident"}, "status.temporary": {"暂住", "temporary"},
		"status.away": {"外出", "away"}, "status.moved_out": {"迁出", "moved out"},
	}
}

// errorMessages are the headings of error pages, by error code.
func errorMessages() map[string]message {
	return map[string]message{
		"error.invalid":      {"请求有误", "The request is not valid"},
		"error.unauthorized": {"请先登录", "Please sign in"},
		"error.forbidden":    {"没有权限", "You may not do this"},
		"error.not_found":    {"找不到", "Not found"},
		"error.conflict":     {"与现有数据冲突", "This conflicts with existing data"},
		"error.internal":     {"系统内部错误，请稍后再试", "Internal error; please try again later"},
	}
}
