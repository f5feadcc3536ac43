package web

import (
	"fmt"
	"slices"
	"strings"
)

// catalogPart is one function's share of the message catalogue.
type catalogPart struct {
	name string
	msgs map[string]message
}

// catalogParts lists every function that contributes messages, by name.
// A new area adds its function here; an id is defined in one part only
// (catalogDuplicates finds the others, and Open refuses to start on one).
func catalogParts() []catalogPart {
	return []catalogPart{
		{"frameMessages", frameMessages()}, {"placeMessages", placeMessages()}, {"kindMessages", kindMessages()},
		{"personMessages", personMessages()}, {"personFormMessages", personFormMessages()},
		{"errorMessages", errorMessages()}, {"sessionMessages", sessionMessages()}, {"userMessages", userMessages()},
		{"tokenMessages", tokenMessages()}, {"auditMessages", auditMessages()}, {"actionMessages", actionMessages()},
		{"fieldMessages", fieldMessages()}, {"formErrorMessages", formErrorMessages()},
		{"screeningMessages", screeningMessages()}, {"followUpMessages", followUpMessages()}, {"riskAreaMessages", riskAreaMessages()},
		{"zoneMessages", zoneMessages()}, {"zoneBoardMessages", zoneBoardMessages()}, {"checkpointMessages", checkpointMessages()},
		{"passageMessages", passageMessages()}, {"setupMessages", setupMessages()}, {"templateMessages", templateMessages()},
		{"testingMessages", testingMessages()}, {"roundSetupMessages", roundSetupMessages()}, {"placeEditMessages", placeEditMessages()},
		{"confirmMessages", confirmMessages()}, {"workMessages", workMessages()}, {"doorMessages", doorMessages()},
		{"noticeMessages", noticeMessages()}, {"stationMessages", stationMessages()}, {"caseMessages", caseMessages()},
		{"alertMessages", alertMessages()}, {"caseListMessages", caseListMessages()}, {"casePageMessages", casePageMessages()},
		{"transferMessages", transferMessages()}, {"guardMessages", guardMessages()}, {"workforceMessages", workforceMessages()}, {"rosterAlertMessages", rosterAlertMessages()},
		{"supplyMessages", supplyMessages()}, {"distributionMessages", distributionMessages()}, {"orderMessages", orderMessages()}, {"deliveryMessages", deliveryMessages()}, {"medicineMessages", medicineMessages()},
		{"vulnerableMessages", vulnerableMessages()},
		{"helpMessages", helpMessages()},
		{"dailyMessages", dailyMessages()},
		{"retentionMessages", retentionMessages()},
		{"apiDocMessages", apiDocMessages()}, {"registryImportMessages", registryImportMessages()}, {"reasonMessages", reasonMessages()},
	}
}

// newCatalog returns the message catalogue: every text a person reads, in
// Chinese and English. It is built by functions, not kept in a package
// variable, so nothing at package level can change at run time. Tests
// check that every message has both languages, that every id the
// templates and the code name exists, and that no id is defined twice.
func newCatalog() map[string]message {
	c := map[string]message{}
	for _, part := range catalogParts() {
		for id, m := range part.msgs {
			c[id] = m
		}
	}
	return c
}

// catalogDuplicates lists the ids that more than one part defines, with
// the parts, one line each in id order: with two definitions the later
// would silently win.
func catalogDuplicates() []string { return duplicateIDs(catalogParts()) }

// duplicateIDs lists the ids defined in more than one of parts.
func duplicateIDs(parts []catalogPart) []string {
	where := map[string][]string{}
	for _, part := range parts {
		for id := range part.msgs {
			where[id] = append(where[id], part.name)
		}
	}
	var out []string
	for id, parts := range where {
		if len(parts) > 1 {
			out = append(out, fmt.Sprintf("message %q is defined in %s", id, strings.Join(parts, " and ")))
		}
	}
	slices.Sort(out)
	return out
}

// frameMessages are the texts of the page frame, navigation and lists.
func frameMessages() map[string]message {
	return map[string]message{
		"app.name":       {"前线 · 社区防控", "Frontline"},
		"app.version":    {"版本 %s", "version %s"},
		"lang.switch":    {"English", "中文"},
		"lang.other":     {"en", "zh-CN"},
		"language.zh-CN": {"中文", "Chinese"},
		"language.en":    {"英文", "English"},
		"nav.label":      {"导航", "Navigation"},
		"nav.home":       {"首页", "Home"},
		"nav.search":     {"查找居民", "Find a resident"},
		"nav.users":      {"用户", "Users"},
		"nav.tokens":     {"设备令牌", "Device tokens"},
		"nav.audit":      {"操作记录", "Audit log"},
		"nav.account":    {"我的账号", "My account"},
		"nav.logout":     {"退出", "Sign out"},
		"nav.breadcrumb": {"所在位置", "You are here"},
		"list.sep":       {"、", ", "},
		"list.prev":      {"上一页", "Previous"},
		"list.next":      {"下一页", "Next"},
		"list.range":     {"第 %s–%s 条，共 %s 条", "%s–%s of %s"},
		"value.true":     {"是", "yes"},
		"value.false":    {"否", "no"},
		"col.actions":    {"操作", "Actions"},
	}
}

func placeMessages() map[string]message {
	return map[string]message{
		"index.title":      {"辖区概况", "Place tree"},
		"index.empty":      {"还没有录入任何地点。", "No places have been entered yet."},
		"index.noregistry": {"您的角色不查看居民信息。", "Your role does not read the resident registry."},
		"place.summary":    {"概况", "Summary"},
		"place.children":   {"下级", "Below this place"},
		"place.none":       {"下面还没有任何地点。", "Nothing has been entered below this place."},
		"place.partial":    {"仅显示前 %s 个，共 %s 个。", "Showing the first %s of %s."},
		"place.members":    {"家庭成员", "Members"},
		"place.nomembers":  {"这户还没有登记居民。", "No residents are registered in this household."},
		"place.masked":     {"证件号码和电话只显示首尾几位。", "ID numbers and phones show only their first and last digits."},
		"col.name":         {"名称", "Name"},
		"col.kind":         {"类型", "Kind"},
		"col.code":         {"代码", "Code"},
		"col.households":   {"户数", "Households"},
		"col.residents":    {"居民", "Residents"},
		"col.vulnerable":   {"特殊人群", "Vulnerable"},
	}
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
		"person.name": {"姓名", "Name"}, "person.sex": {"性别", "Sex"}, "person.age": {"年龄", "Age"},
		"person.birth": {"出生日期", "Date of birth"}, "person.relation": {"与户主关系", "Relation to the head"},
		"person.idtype": {"证件类型", "Document"}, "person.id": {"证件号码", "ID number"},
		"person.phone": {"电话", "Phone"}, "person.flags": {"特殊情况", "Needs"},
		"person.status": {"居住状态", "Status"}, "person.address": {"住址", "Address"},
		"person.history": {"变更记录", "History"}, "person.nohistory": {"还没有变更记录。", "Nothing has been recorded yet."},
		"person.reveal": {"查看完整号码", "Show full numbers"}, "person.edit": {"修改", "Edit"},
		"person.add": {"添加居民", "Add a resident"}, "person.audit": {"查看操作记录", "Audit entries"},
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
		"idtype.mainland_id": {"居民身份证", "Resident ID card"}, "idtype.passport": {"护照", "Passport"},
		"idtype.hk_macao_permit":  {"港澳居民来往内地通行证", "Hong Kong/Macao travel permit"},
		"idtype.taiwan_permit":    {"台湾居民来往大陆通行证", "Taiwan travel permit"},
		"idtype.foreign_perm_res": {"外国人永久居留身份证", "Foreign permanent resident ID"},
		"reveal.title":            {"完整证件号码和电话", "Full ID number and phone"},
		"reveal.recorded":         {"本次查看已记入操作记录。请勿抄录或转发。", "This view has been recorded in the audit log. Do not copy or forward these numbers."},
		"reveal.back":             {"返回", "Back"},
	}
}

func personFormMessages() map[string]message {
	return map[string]message{
		"form.save":       {"保存", "Save"},
		"form.cancel":     {"取消", "Cancel"},
		"form.none":       {"（无）", "(none)"},
		"form.any":        {"全部", "Any"},
		"form.fromid":     {"按证件号码", "From the ID number"},
		"form.keep":       {"现为 %s，留空则不变。", "Now %s; leave empty to keep it."},
		"form.clearphone": {"删除电话", "Remove the phone"},
		"form.birth.hint": {"居民身份证可不填，按号码自动填写。", "Not needed for a resident ID card: it is read from the number."},
		"form.birth.keep": {"留空则不变。", "Leave empty to keep it."},
		"move.title":      {"迁移", "Move"},
		"move.pick":       {"迁入本小区的另一户", "To another household of the compound"},
		"move.byid":       {"或填写户编号", "Or by household number"},
		"move.submit":     {"迁移", "Move"},
		"move.out":        {"标记为已迁出", "Mark as moved out"},
	}
}

// errorMessages are the headings and explanations of error pages, by
// error code.
func errorMessages() map[string]message {
	return map[string]message{
		"error.invalid":              {"请求有误", "The request is not valid"},
		"error.unauthorized":         {"请先登录", "Please sign in"},
		"error.forbidden":            {"没有权限", "You may not do this"},
		"error.not_found":            {"找不到", "Not found"},
		"error.conflict":             {"与现有数据冲突", "This conflicts with existing data"},
		"error.internal":             {"系统内部错误，请稍后再试", "Internal error; please try again later"},
		"error.explain.invalid":      {"请检查填写的内容后再试。", "Check what was entered and try again."},
		"error.explain.unauthorized": {"登录已失效，请重新登录。", "Your session has ended; please sign in again."},
		"error.explain.forbidden":    {"您的角色不能进行这项操作。如果是从其他网站或旧页面提交的，请刷新页面后再试。", "Your role may not do this. If the form came from another site or an old page, reload the page and try again."},
		"error.explain.not_found":    {"没有这个页面，或它不在您的辖区内。", "There is no such page, or it is outside your area."},
		"error.explain.conflict":     {"数据已被修改或已存在，请刷新后再试。", "The data has changed or already exists; reload and try again."},
		"error.explain.internal":     {"问题已记录，请稍后再试。", "The problem has been logged; please try again later."},
		"error.field":                {"有误的项目：", "The field in question:"},
		"error.back":                 {"返回首页", "Back to the start page"},
	}
}

func sessionMessages() map[string]message {
	return map[string]message{
		"login.title":              {"登录", "Sign in"},
		"login.login":              {"账号", "Login"},
		"login.password":           {"密码", "Password"},
		"login.submit":             {"登录", "Sign in"},
		"login.failed":             {"账号或密码不正确。", "Wrong login or password."},
		"login.locked":             {"登录失败次数过多，暂时不能登录。请稍后再试，或请管理员重设密码。", "Too many failed sign-ins: signing in is locked for a while. Try again later, or ask an administrator to reset the password."},
		"login.disabled":           {"该账号已停用，请联系管理员。", "This account is disabled; ask whoever manages the accounts of your area."},
		"account.title":            {"我的账号", "My account"},
		"user.password.own":        {"修改自己的密码请到“我的账号”，需输入当前密码。", "Change your own password on My account, with your current password."},
		"account.logoutall":        {"在所有设备上退出", "Sign out everywhere"},
		"account.logoutall.note":   {"手机丢失或密码可能泄露时使用：所有设备上的登录都将失效。", "Use this when a phone is lost or the password may be known: every device is signed out."},
		"account.password":         {"修改密码", "Change the password"},
		"account.password.current": {"当前密码", "Current password"},
		"account.password.new":     {"新密码", "New password"},
		"account.password.repeat":  {"再次输入新密码", "New password again"},
		"account.password.submit":  {"修改密码", "Change the password"},
		"account.password.note":    {"修改后，您在其他设备上的登录将失效，本设备保持登录。", "Once it is changed, your other devices are signed out; this one stays signed in."},
		"account.done.password":    {"密码已修改，您在其他设备上的登录已失效。", "Your password has been changed; your other devices have been signed out."},
		"search.title":             {"查找居民", "Find a resident"},
		"search.by":                {"查找方式", "Search by"},
		"search.by.name":           {"姓名（开头）", "Name (beginning)"},
		"search.by.phone":          {"电话", "Phone"},
		"search.by.id_number":      {"证件号码（全部或后4位以上）", "ID number (all, or the last 4 or more)"},
		"search.q":                 {"查找内容", "Search for"},
		"search.moved":             {"包括已迁出的居民", "Include residents who moved out"},
		"search.submit":            {"查找", "Search"},
		"search.none":              {"在您的辖区内没有找到。", "Nobody found in your area."},
		"search.invalid.name":      {"请填写姓名。", "Enter a name."},
		"search.invalid.phone":     {"请填写完整的电话号码。", "Enter the whole phone number."},
		"search.invalid.id_number": {"请至少填写证件号码的后4位。", "Enter at least the last 4 characters of the ID number."},
	}
}

func userMessages() map[string]message {
	return map[string]message{
		"users.title": {"用户", "Users"}, "users.none": {"您的辖区内还没有用户。", "No users in your area yet."},
		"user.new": {"添加用户", "Add a user"}, "user.name": {"姓名", "Name"}, "user.login": {"账号", "Login"},
		"user.role": {"角色", "Role"}, "user.scope": {"辖区", "Area"}, "user.phone": {"电话", "Phone"},
		"user.language": {"语言", "Language"}, "user.state": {"状态", "State"},
		"user.active": {"正常", "active"}, "user.disabled": {"已停用", "disabled"}, "user.locked": {"已锁定", "locked"},
		"user.disable":       {"停用该账号（同时退出所有设备）", "Disable the account (and sign it out everywhere)"},
		"user.password":      {"密码", "Password"},
		"user.password.hint": {"至少10个字符。", "At least 10 characters."},
		"user.resetpassword": {"重设密码", "Reset the password"},
		"user.setpassword":   {"设置新密码", "Set the new password"},
		"user.logoutall":     {"让该用户在所有设备上退出", "Sign this user out everywhere"},
		"user.done.created":  {"用户已添加。", "The user has been added."},
		"user.done.saved":    {"已保存。", "Saved."},
		"user.done.password": {"新密码已设置，该用户其他设备上的登录已失效。", "The new password is set; the user's other sessions have ended."},
		"user.done.logout":   {"该用户已在所有设备上退出。", "The user has been signed out everywhere."},
		"role.city_admin":    {"市级管理员", "city admin"}, "role.district_admin": {"区级管理员", "district admin"},
		"role.subdistrict_admin": {"街道管理员", "subdistrict admin"}, "role.community_secretary": {"社区书记", "community secretary"},
		"role.community_staff": {"社区干部", "community staff"}, "role.grid_worker": {"网格员", "grid worker"},
		"role.volunteer": {"志愿者", "volunteer"}, "role.sampler": {"采样人员", "sampler"},
		"role.lab": {"检测机构", "lab"}, "role.shop": {"超市", "shop"}, "role.pharmacy": {"药房", "pharmacy"},
	}
}

func tokenMessages() map[string]message {
	return map[string]message{
		"tokens.title":     {"设备令牌", "Device tokens"},
		"tokens.about":     {"令牌供采样台、检测机构导入程序等设备调用接口使用，可随时吊销。", "Tokens let devices such as sampling stations and lab importers use the API; revoke one at any time."},
		"tokens.none":      {"还没有设备令牌。", "No device tokens yet."},
		"token.name":       {"设备名称", "Device name"},
		"token.created_at": {"创建", "Created"},
		"token.last_used":  {"最近使用", "Last used"},
		"token.revoke":     {"吊销", "Revoke"},
		"token.revoked":    {"已吊销", "revoked"},
		"token.new":        {"新建令牌", "New token"},
		"token.create":     {"创建令牌", "Create the token"},
		"token.created":    {"令牌已创建", "Token created"},
		"token.once":       {"请立即把令牌复制到设备上：它只显示这一次。", "Copy the token into the device now: it is shown this once only."},
		"token.secret":     {"令牌", "Token"},
		"token.usage":      {"设备在每个请求的 Authorization 头中发送 Bearer 和令牌。", "The device sends it in every request as Authorization: Bearer followed by the token."},
		"token.back":       {"返回令牌列表", "Back to the tokens"},
	}
}

func auditMessages() map[string]message {
	return map[string]message{
		"audit.title": {"操作记录", "Audit log"}, "audit.entity": {"对象类型", "Entity"},
		"audit.entity_id": {"对象编号", "Entity number"}, "audit.actor": {"操作人账号", "By (login)"},
		"audit.action": {"操作", "Action"}, "audit.from": {"从", "From"}, "audit.to": {"到", "To"},
		"audit.export": {"导出 CSV", "Export CSV"}, "audit.none": {"没有符合条件的记录。", "No entries match."},
		"audit.col.id": {"编号", "Number"}, "audit.col.at": {"时间", "Time"}, "audit.col.actor": {"操作人", "By"},
		"audit.col.addr": {"地址", "From address"}, "audit.col.action": {"操作", "Action"},
		"audit.col.entity": {"对象", "Entity"}, "audit.col.entity_id": {"对象编号", "Entity number"},
		"audit.col.place_path": {"地点路径", "Place path"}, "audit.col.before": {"修改前", "Before"},
		"audit.col.after": {"修改后", "After"}, "audit.col.fields": {"内容", "Details"},
		"entity.person": {"居民", "person"}, "entity.place": {"地点", "place"},
		"entity.user": {"用户", "user"}, "entity.token": {"设备令牌", "token"},
	}
}

// actionMessages name the actions of the audit log.
func actionMessages() map[string]message {
	return map[string]message{
		"action.create": {"新建", "created"}, "action.update": {"修改", "changed"},
		"action.move": {"迁移", "moved"}, "action.move_out": {"迁出", "moved out"},
		"action.reveal": {"查看完整号码", "full numbers shown"}, "action.import": {"导入", "imported"},
		"action.login": {"登录", "signed in"}, "action.lock": {"锁定", "locked"},
		"action.logout_all": {"全部退出", "signed out everywhere"}, "action.password": {"设置密码", "password set"},
		"action.disable": {"停用", "disabled"}, "action.enable": {"启用", "enabled"},
		"action.revoke": {"吊销", "revoked"},
	}
}

// fieldMessages name the fields recorded in the audit log.
func fieldMessages() map[string]message {
	return map[string]message{
		"field.household_id": {"户编号", "household"}, "field.name": {"姓名/名称", "name"},
		"field.sex": {"性别", "sex"}, "field.birth_date": {"出生日期", "date of birth"},
		"field.id_type": {"证件类型", "document"}, "field.id_number": {"证件号码", "ID number"},
		"field.phone": {"电话", "phone"}, "field.relation": {"关系", "relation"},
		"field.flags": {"特殊情况", "needs"}, "field.status": {"居住状态", "status"},
		"field.path": {"路径", "path"}, "field.kind": {"类型", "kind"}, "field.code": {"代码", "code"},
		"field.parent_id": {"上级编号", "parent"}, "field.login": {"账号", "login"},
		"field.role": {"角色", "role"}, "field.scope_id": {"辖区编号", "area"},
		"field.disabled": {"停用", "disabled"}, "field.language": {"语言", "language"},
		"field.locked_until": {"锁定至", "locked until"}, "field.failures": {"失败次数", "failures"},
		"field.sessions": {"登录数", "sessions"}, "field.fields": {"查看项目", "fields shown"},
		"field.revoked_at": {"吊销时间", "revoked at"}, "field.file": {"文件", "file"},
		"field.rows": {"行数", "rows"}, "field.imported": {"已导入", "imported"},
		"field.skipped": {"已跳过", "skipped"}, "field.places_created": {"新建地点", "places created"},
	}
}

// formErrorMessages are shown next to a form field the store refused.
func formErrorMessages() map[string]message {
	return map[string]message{
		"form.invalid.name":          {"请填写名称（不超过50个字）。", "Enter a name of up to 50 characters."},
		"form.invalid.sex":           {"性别与证件号码不符。", "The sex does not match the ID number."},
		"form.invalid.birth_date":    {"出生日期不正确，或与证件号码不符。", "The date of birth is not possible or does not match the ID number."},
		"form.invalid.id_type":       {"请选择证件类型。", "Choose the kind of document."},
		"form.invalid.id_number":     {"证件号码不正确：请检查位数和最后一位校验码。", "The ID number is not valid: check its length and its last (check) character."},
		"form.invalid.phone":         {"电话号码不正确：手机号为11位，座机请带区号。", "The phone number is not valid: a mobile has 11 digits, a landline needs its area code."},
		"form.invalid.relation":      {"请选择与户主的关系。", "Choose the relation to the head of the household."},
		"form.invalid.flags":         {"特殊情况选项不正确。", "One of the needs is not known."},
		"form.invalid.status":        {"请选择居住状态。", "Choose a status."},
		"form.invalid.household_id":  {"请选择或填写要迁入的户。", "Choose or enter the household to move to."},
		"form.notfound.household_id": {"您的辖区内没有这一户。", "There is no such household in your area."},
		"form.taken.id_number":       {"这个证件号码已登记在另一位居民名下。", "This ID number already belongs to another resident."},
		"form.invalid.login":         {"账号为3到40个字符，只能使用字母、数字、点、下划线和连字符。", "A login has 3 to 40 letters, digits, '.', '_' or '-'."},
		"form.taken.login":           {"这个账号已被使用。", "This login is taken."},
		"form.invalid.role":          {"请选择角色。", "Choose a role."},
		"form.forbidden.role":        {"您不能授予这个角色。", "You may not grant this role."},
		"form.invalid.scope_id":      {"请选择辖区。", "Choose an area."},
		"form.forbidden.scope_id":    {"辖区必须是您自己的辖区或其下级。", "The area must be your own or a place inside it."},
		"form.invalid.language":      {"请选择语言。", "Choose a language."},
		"form.invalid.disabled":      {"不能停用自己的账号。", "You cannot disable your own account."},
		"form.invalid.password":      {"密码需要10到200个字符。", "A password needs 10 to 200 characters."},

		// Changing one's own password on the account page.
		"form.invalid.current_password":   {"当前密码不正确。", "The current password is wrong."},
		"form.forbidden.current_password": {"密码错误次数过多，账号已暂时锁定，现在不能登录或修改密码。请稍后再试，或请管理员重设密码。", "Too many wrong passwords: the account is locked for a while and can neither sign in nor change its password. Try again later, or ask an administrator to reset the password."},
		"form.invalid.password_repeat":    {"两次输入的新密码不一致。", "The two new passwords differ."},
	}
}
