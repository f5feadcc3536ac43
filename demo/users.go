package demo

import (
	"context"
	"fmt"

	"github.com/frontline-org/frontline"
)

// Password is the password of every demo login. It is printed by
// `frontline serve --demo`; a demo database is for trying Frontline out,
// never for real residents.
const Password = "frontline-demo"

// Login is one demo account.
type Login struct {
	Login string
	Name  string
	Role  frontline.Role
	Scope string // the path of its scope node
}

// Logins returns the demo accounts: one per role, placed where the report
// puts the people doing that work — 夏虹, secretary of 罗玉新村社区, and
// 张彬, secretary of 自治巷社区, among them.
func Logins() []Login {
	city := CityName
	district := city + "/" + DistrictName
	return []Login{
		{"admin", "市指挥部管理员", frontline.RoleCityAdmin, city},
		{"district", "秦州区指挥部", frontline.RoleDistrictAdmin, district},
		{"dacheng", "大城街道办", frontline.RoleSubdistrictAdmin, district + "/大城街道"},
		{"xiahong", "夏虹", frontline.RoleCommunitySecretary, PathLuoyuxincun},
		{"zhangbin", "张彬", frontline.RoleCommunitySecretary, PathZizhixiang},
		{"staff", "罗玉新村社区干部", frontline.RoleCommunityStaff, PathLuoyuxincun},
		{"grid", "枣园小区网格员", frontline.RoleGridWorker, PathZaoyuan},
		{"volunteer", "林草局下沉干部", frontline.RoleVolunteer, PathLuoyuxincun},
		{DeliveryLogin, "忠义巷小区配送志愿者", frontline.RoleVolunteer, PathZhongyixiang},
		{"sampler", "采样员", frontline.RoleSampler, PathLuoyuxincun},
		{"lab", "检测机构", frontline.RoleLab, district},
		{"shop", "自治巷超市", frontline.RoleShop, PathZizhixiang},
		{"pharmacy", "自治巷药房", frontline.RolePharmacy, PathZizhixiang},
	}
}

// CreateLogins adds the demo accounts to a demo city, all with Password.
func CreateLogins(ctx context.Context, places frontline.PlaceService, users frontline.UserService) ([]Login, error) {
	logins := Logins()
	for _, l := range logins {
		scope, err := places.FindPlaceByPath(ctx, l.Scope)
		if err != nil {
			return nil, fmt.Errorf("demo login %s: %w", l.Login, err)
		}
		u := &frontline.User{Login: l.Login, Name: l.Name, Role: l.Role, ScopeID: scope.ID}
		if err := users.CreateUser(ctx, u, Password); err != nil {
			return nil, fmt.Errorf("demo login %s: %w", l.Login, err)
		}
	}
	return logins, nil
}
