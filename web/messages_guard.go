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

		"error.unavailable": {"暂时无法处理，请稍后再试", "Temporarily unavailable; please try again shortly"},
		"error.explain.unavailable": {"系统暂时无法保存或读取数据（数据库不可用）。您填写的内容没有保存，请过一会儿再提交一次。",
			"The system cannot store or read data at the moment (the database is unavailable). Nothing you sent was saved; send it again in a little while."},
	}
}
