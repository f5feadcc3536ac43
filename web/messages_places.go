package web

// placeEditMessages are the texts of adding, renaming, moving and retiring
// places.
func placeEditMessages() map[string]message {
	return map[string]message{
		"action.retire":        {"撤销", "retired"},
		"place.added":          {"已添加：", "Added:"},
		"place.edit":           {"管理此处", "Manage this place"},
		"place.edit.title":     {"管理：%s", "Manage: %s"},
		"place.retired":        {"已于 %s 撤销", "Retired on %s"},
		"place.code":           {"编码", "Code"},
		"place.code.hint":      {"可不填。小区、楼栋、单元、户的编码由本单位自定。", "Optional. Compounds, buildings, units and households take the office's own codes."},
		"place.kind":           {"类别", "Kind"},
		"place.add.title":      {"在此处下添加", "Add a place here"},
		"place.add.name":       {"名称", "Name"},
		"place.add.hint":       {"如“3号楼”“2单元”“501”。", "For example 3号楼, 2单元, 501."},
		"place.add.submit":     {"添加", "Add"},
		"place.rename.title":   {"改名", "Rename"},
		"place.rename.name":    {"新名称", "New name"},
		"place.rename.submit":  {"保存", "Save"},
		"place.move.title":     {"迁到别处", "Move elsewhere"},
		"place.move.hint":      {"连同下面的一切一起迁移；户数、人数和正在进行的摸排、核酸轮次的统计随之更新。", "Everything below it moves with it; the counts, and those of screening campaigns and test rounds under way, follow."},
		"place.move.pick":      {"迁到", "Move under"},
		"place.move.byid":      {"或填写目标地点编号", "Or by the number of the place to move under"},
		"place.move.submit":    {"迁移", "Move"},
		"place.retire.title":   {"撤销", "Retire"},
		"place.retire.hint":    {"楼栋拆除、房屋合并等：连同下面的一切不再列出和统计，历史记录保留。还有居民的户不能撤销。", "A building pulled down, flats joined: it and everything below it are no longer listed or counted; their history stays. A household where anyone lives cannot be retired."},
		"place.retire.confirm": {"我确认撤销“%s”及其下所有地点", "I confirm retiring %s and everything below it"},
		"place.retire.submit":  {"撤销", "Retire"},
		"place.noedit":         {"市、区、街道、社区按统计部门区划代码由系统管理员在命令行维护（frontline places）。", "Cities, districts, subdistricts and communities follow the statistics bureau's division codes and are kept from the command line (frontline places)."},
		"place.ownscope":       {"这是您负责的范围，只有上级可以改名、迁移或撤销它。", "This is the area you work in; only someone above it may rename, move or retire it."},

		"form.invalid.place_name": {"请填写名称（不超过100个字）。", "Enter a name of up to 100 characters."},
		"form.taken.place_name":   {"同一处已有同类、同名的地点。", "There is already a place of this kind and name here."},
		"form.invalid.place_kind": {"这一类别不能放在此处下面。", "A place of this kind cannot go under this one."},
		"form.invalid.place_code": {"编码有误：区划代码为12位数字，且须以上级的代码开头。", "The code is wrong: a division code has 12 digits and starts with the code of the place above."},
		"form.invalid.parent_id":  {"请选择或填写要迁到的地点；它须能容纳此类地点（如楼栋只能迁到小区或社区下）。", "Pick or enter the place to move under; it must be able to hold this kind of place (a building goes under a compound or a community)."},
		"form.notfound.parent_id": {"找不到这个地点，或它不在您的辖区内。", "There is no such place in your area."},
		"form.taken.parent_id":    {"不能迁到这里：目标是它自己或它的下级、已撤销，或那里已有同名的地点。", "It cannot move there: the place is itself or below it, retired, or already holds a place of the same name."},
		"form.taken.area":         {"它正被一个进行中的摸排或核酸轮次统计，轮次结束前只能在该轮次范围内迁移。", "A screening campaign or test round under way counts it; until that ends it can only move within the campaign's or round's area."},
		"form.invalid.confirm":    {"请勾选确认后再撤销。", "Tick the box to confirm first."},
		"form.taken.residents":    {"这里还有居民居住，请先把他们迁到其他户或标记为已迁出。", "People still live here; move them to another household or mark them as moved out first."},
		"form.taken.campaign":     {"这里还有户在进行中的摸排里未走访，请先登记走访结果（如空置）。", "Households here are still to be visited in a screening campaign under way; record the visits (vacant, for example) first."},
		"form.taken.zone":         {"这里还有生效的封控、管控或防范区，请先解除。", "A zone is still in force here; lift it first."},
	}
}
