package web

// supplyMessages are the texts of supplies: partner shops and pharmacies,
// their catalogues and the ordering windows.
func supplyMessages() map[string]message {
	return map[string]message{
		"nav.supply": {"保供", "Supplies"},

		"supply.title":              {"保供：超市与药房", "Supplies: shops and pharmacies"},
		"supply.partners":           {"合作超市、药房", "Partner shops and pharmacies"},
		"supply.items":              {"%d 种商品", "%d items"},
		"supply.none":               {"这里还没有登记合作超市或药房。", "No partner shop or pharmacy is registered here yet."},
		"supply.new":                {"登记超市或药房", "Register a shop or pharmacy"},
		"supply.create":             {"登记", "Register"},
		"supply.windows":            {"下单时间", "Ordering windows"},
		"supply.windows.hint":       {"每个区域可设截单时间：截单前下的单按设定的天数后送达，截单后下的单再晚一天。未设置的区域按上级的设置，都未设置时为 %s 截单、次日送达。", "Each area may set a cut-off: orders before it arrive after the set days, later orders a day later. An area without its own takes its parent's; where none is set, orders close at %s for delivery tomorrow."},
		"partner.kind":              {"类型", "Kind"},
		"partner.kind.shop":         {"超市", "shop"},
		"partner.kind.pharmacy":     {"药房", "pharmacy"},
		"partner.name":              {"名称", "Name"},
		"partner.phone":             {"联系电话", "Phone"},
		"partner.address":           {"地址", "Address"},
		"partner.areas":             {"供应范围", "Serves"},
		"partner.retired":           {"已停止合作", "no longer a partner"},
		"partner.retire":            {"停止合作", "End the partnership"},
		"partner.saved":             {"已保存。", "Saved."},
		"partner.catalog":           {"商品目录", "Catalogue"},
		"partner.noitems":           {"目录里还没有商品：请导入商品清单。", "The catalogue is empty: import the list of items."},
		"partner.import":            {"导入商品清单", "Import the catalogue"},
		"partner.import.hint":       {"XLSX 或 CSV：品名、单位、单价（元）必填，可有货号、规格、分类、库存、每户限购；表头上方可有标题行。同一货号（或同名同规格同单位）的商品只更新，不会重复；有错误的行会逐一列出，整份清单不导入。", "XLSX or CSV: name, unit and price (yuan) required; article number, size, category, stock and limit per household optional; title rows above the header are fine. An item already listed (same article number, or same name, size and unit) is updated, never added twice; with any bad row, every one is listed and nothing is imported."},
		"partner.import.file":       {"清单文件", "Catalogue file"},
		"partner.import.submit":     {"导入", "Import"},
		"partner.import.errors":     {"清单有 %d 处错误，没有导入任何商品：", "%d problems in the list; nothing was imported:"},
		"partner.import.done":       {"已导入：新增 %d 种，更新 %d 种。", "Imported: %d added, %d updated."},
		"partner.import.checked":    {"检查通过：将新增 %d 种，更新 %d 种（未导入）。", "Checked: %d would be added, %d updated (nothing imported)."},
		"partner.import.nofile":     {"请选择要导入的文件。", "Choose the file to import."},
		"partner.import.unreadable": {"无法读取该文件：请上传 XLSX 或 CSV 清单，表头须有品名、单位、单价。", "The file cannot be read: upload an XLSX or CSV list whose header names the item, unit and price."},
		"partner.users":             {"工作人员账号", "Staff accounts"},
		"partner.nousers":           {"还没有关联账号：关联后，该账号登录即可处理本店的订单。", "No account is linked yet: once linked, an account signs in to fill this partner's orders."},
		"partner.login":             {"账号（超市或药房角色）", "Login (shop or pharmacy role)"},
		"partner.link":              {"关联", "Link"},
		"partner.unlink":            {"取消关联", "Unlink"},
		"partner.error.login":       {"辖区内没有此账号，或该账号的角色与本店类型不符。", "No such login in your area, or its role does not fit this partner."},
		"partner.edit":              {"修改信息", "Edit"},
		"partner.save":              {"保存", "Save"},
		"item.name":                 {"商品", "Item"},
		"item.unit":                 {"单位", "Unit"},
		"item.price":                {"单价（元）", "Price (yuan)"},
		"item.stock":                {"库存", "Stock"},
		"item.limit":                {"每户限购", "Limit per household"},
		"item.nolimit":              {"不限", "none"},
		"item.change":               {"修改", "Change"},
		"item.retired":              {"下架", "Withdrawn"},
		"item.save":                 {"保存", "Save"},
		"window.place":              {"区域", "Area"},
		"window.cutoff":             {"截单时间", "Cut-off"},
		"window.days":               {"送达", "Delivery"},
		"window.after":              {"截单后 %d 天", "%d days after"},
		"window.state":              {"状态", "State"},
		"window.open":               {"接受下单", "taking orders"},
		"window.closed":             {"暂停下单", "paused"},
		"window.close":              {"暂停下单", "Pause ordering"},
		"window.save":               {"保存下单时间", "Save the window"},
		"work.supply.partner":       {"%s：%s 种商品", "%s: %s items"},
		"work.supply.nopartner":     {"您的账号还没有关联超市或药房，请联系社区。", "Your account is not linked to a shop or pharmacy yet; ask the community."},

		"form.invalid.partner_name":    {"请填写名称（不超过100字）。", "Enter a name of up to 100 characters."},
		"form.taken.partner_name":      {"这里已登记同名的超市或药房。", "A partner of this name is registered here already."},
		"form.invalid.partner_phone":   {"电话号码不正确：手机号为11位，座机请带区号。", "The phone number is not valid: a mobile has 11 digits, a landline needs its area code."},
		"form.invalid.partner_address": {"地址不超过200字。", "The address has up to 200 characters."},
		"form.invalid.partner_kind":    {"请选择超市或药房。", "Choose shop or pharmacy."},
		"form.invalid.areas":           {"供应范围须在您的辖区内。", "The areas served must be in your area."},
		"form.invalid.cutoff":          {"请填写截单时间，如 20:00。", "Enter the cut-off as a time of day, such as 20:00."},
		"form.invalid.delivery_days":   {"送达天数为 0（当天）到 7。", "Delivery is 0 (the same day) to 7 days after."},
		"form.invalid.price":           {"单价为 0 到 100000 元，最多两位小数。", "A price is 0 to 100000 yuan, at most two decimals."},
		"form.invalid.stock":           {"库存为 0 或正整数。", "Stock is a whole number of 0 or more."},
		"form.invalid.limit":           {"每户限购为 0（不限）或正整数。", "The limit is 0 (none) or a whole number."},
	}
}

// supplyFieldIDs lists the form fields of the supply pages that may carry
// an error, for the catalogue test.
func supplyFieldIDs() []string {
	var ids []string
	for _, f := range []string{"partner_name", "partner_phone", "partner_address", "partner_kind", "areas", "cutoff", "delivery_days",
		"price", "stock", "limit"} {
		ids = append(ids, "form.invalid."+f)
	}
	return append(ids, "form.taken.partner_name")
}
