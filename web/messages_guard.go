package web

// guardMessages are the texts of sign-in limits, outages, forms sent twice
// and refused characters.
func guardMessages() map[string]message {
	return map[string]message{
		"login.locked_until": {"登录失败次数过多，%s 之前不能登录。到时再试，或请管理员重设密码。",
			"Too many failed sign-ins: signing in is locked until %s. Try again then, or ask an administrator to reset the password."},
		"login.busy": {"此刻登录的人太多，请过几秒再点一次“登录”。", "Too many sign-ins at this moment: press Sign in again in a few seconds."},

		"round.delete": {"删除这个草稿轮次", "Delete this draft round"},
		"round.delete.explain": {"轮次还是草稿，没有开始，也没有向居民发出通知。删除后它的采样点、采样台和排班计划一起删除，采样台的设备令牌作废。",
			"The round is a draft: it has not started and no notice has reached a resident. Deleting it deletes its sites, stations and plan too, and revokes the stations' device tokens."},
		"round.delete.confirm": {"确认删除", "Delete it"},

		"error.too_large": {"文件或表单太大", "The file or form is too large"},
		"error.explain.too_large": {"上传的文件或提交的内容超过 1 MB，没有保存。请把文件拆成几份分别上传。",
			"What was sent is larger than 1 MB and was not saved. Split the file into smaller ones and upload them one by one."},
		"error.method_not_allowed": {"不能这样访问这个地址", "This address is not used that way"},
		"error.explain.method_not_allowed": {"这个地址不接受这种请求。请从页面上的链接或按钮进入。",
			"This address does not take this kind of request. Use the links and buttons on the pages."},
		"error.malformed": {"表单无法读取", "The form cannot be read"},
		"error.explain.malformed": {"提交的内容无法读取，没有保存。请回到页面重新提交。",
			"What was sent cannot be read and was not saved. Go back to the page and send it again."},

		"error.unavailable": {"暂时无法处理，请稍后再试", "Temporarily unavailable; please try again shortly"},
		"error.explain.unavailable": {"系统暂时无法保存或读取数据（数据库不可用）。您填写的内容没有保存，请过一会儿再提交一次。",
			"The system cannot store or read data at the moment (the database is unavailable). Nothing you sent was saved; send it again in a little while."},
	}
}
