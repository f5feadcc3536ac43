package web

// guardMessages are the texts of sign-in limits, outages, forms sent twice
// and refused characters.
func guardMessages() map[string]message {
	return map[string]message{
		"login.locked_until": {"登录失败次数过多，%s 之前不能登录。到时再试，或请管理员重设密码。",
			"Too many failed sign-ins: signing in is locked until %s. Try again then, or ask an administrator to reset the password."},
		"login.busy": {"此刻登录的人太多，请过几秒再点一次“登录”。", "Too many sign-ins at this moment: press Sign in again in a few seconds."},

		"error.unavailable": {"暂时无法处理，请稍后再试", "Temporarily unavailable; please try again shortly"},
		"error.explain.unavailable": {"系统暂时无法保存或读取数据（数据库不可用）。您填写的内容没有保存，请过一会儿再提交一次。",
			"The system cannot store or read data at the moment (the database is unavailable). Nothing you sent was saved; send it again in a little while."},
	}
}
