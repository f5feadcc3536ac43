package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// The people of the report who did the work in 罗玉新村社区: the
// community's secretary 夏虹 and her staff, a grid worker for each
// compound, Party-member volunteers, two samplers and a driver, and the
// cadres the district forestry bureau (区林草局) sent to keep the seven
// checkpoints. Every household of the community has a responsible worker:
// the grid worker of its compound, the secretary for the rest.

// WorkforceServices are what Workforce writes through. Users, when set,
// links the demo logins to their workers.
type WorkforceServices struct {
	Places         frontline.PlaceService
	Users          frontline.UserService
	Workers        frontline.WorkerService
	Responsibility frontline.ResponsibilityService
}

// WorkforceScene says what Workforce created.
type WorkforceScene struct {
	Secretary  *frontline.Worker
	Staff      []*frontline.Worker
	Grid       []*frontline.Worker // one per compound, in the compounds' order
	Volunteers []*frontline.Worker
	Cadres     []*frontline.Worker // 区林草局, in pairs per checkpoint and shift
	Samplers   []*frontline.Worker
	Driver     *frontline.Worker
	// GridOff is the grid worker who is off today, so the households of
	// their compound show their cover.
	GridOff *frontline.Worker
}

// demoPhone returns the i-th demo phone of a group: 139 0938 GGNN.
func demoPhone(group, i int) string { return fmt.Sprintf("1390938%02d%02d", group, i) }

// cadreNames are the forestry-bureau cadres: two to a checkpoint and
// shift, seven checkpoints, a day and a night shift.
var cadreNames = []string{
	"王林", "李森", "张松", "刘柏", "陈杨", "杨桦", "赵榆", "黄槐", "周桐", "吴枫", "徐楠", "孙桂", "马杉", "朱樟",
	"胡杉", "郭柳", "何梓", "高枫", "罗桦", "梁楠", "宋柏", "郑松", "谢林", "韩榆", "唐桐", "冯樟", "董槐", "程杨",
}

// volunteerNames are the Party-member volunteers of the community.
var volunteerNames = []string{
	"何勇", "郭敏", "罗军", "高峰", "林娟", "郑伟", "梁静", "蒲红", "巩强", "裴丽", "汪涛", "牛霞", "马兰", "苏明",
}

// Workforce registers the demo workforce of 罗玉新村社区 and gives every
// household of the community its responsible worker. now is the time of
// everyone's last negative test but twenty hours.
func Workforce(ctx context.Context, s WorkforceServices, now time.Time) (*WorkforceScene, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	luoyu, err := s.Places.FindPlaceByPath(ctx, PathLuoyuxincun)
	if err != nil {
		return nil, fmt.Errorf("demo workforce: %w", err)
	}
	compound := frontline.KindCompound
	compounds, _, err := s.Places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &luoyu.ID, Kind: &compound})
	if err != nil {
		return nil, fmt.Errorf("demo workforce: %w", err)
	}
	tested := now.Add(-20 * time.Hour).UTC()
	today := now.In(time.FixedZone("CST", 8*60*60)).Format(frontline.DateLayout)
	add := func(name, phone string, kind frontline.WorkerKind, unit, login string, skills ...string) (*frontline.Worker, error) {
		w := &frontline.Worker{PlaceID: luoyu.ID, Name: name, Phone: phone, Kind: kind, Unit: unit, Skills: skills,
			LastNegative: tested}
		if login != "" && s.Users != nil {
			if users, _, err := s.Users.FindUsers(ctx, frontline.UserFilter{Login: &login}); err == nil && len(users) == 1 {
				w.UserID = users[0].ID
			}
		}
		if err := s.Workers.CreateWorker(ctx, w); err != nil {
			return nil, fmt.Errorf("demo workforce: %s: %w", name, err)
		}
		return w, nil
	}
	sc := &WorkforceScene{}
	if sc.Secretary, err = add("夏虹", demoPhone(1, 1), frontline.WorkerCommunity, "", "xiahong"); err != nil {
		return nil, err
	}
	for i, name := range []string{"罗玉新村社区干部", "李娜", "王强", "张敏"} {
		login := map[bool]string{true: "staff"}[i == 0]
		w, err := add(name, demoPhone(1, 2+i), frontline.WorkerCommunity, "", login, frontline.SkillFirstAid)
		if err != nil {
			return nil, err
		}
		sc.Staff = append(sc.Staff, w)
	}
	for i, c := range compounds {
		name, login := fmt.Sprintf("%s网格员", c.Name), ""
		if c.Name == "枣园小区" {
			login = "grid"
		}
		w, err := add(name, demoPhone(2, i+1), frontline.WorkerGrid, "", login)
		if err != nil {
			return nil, err
		}
		sc.Grid = append(sc.Grid, w)
	}
	for i, name := range volunteerNames {
		w, err := add(name, demoPhone(3, i+1), frontline.WorkerVolunteer, "", "")
		if err != nil {
			return nil, err
		}
		sc.Volunteers = append(sc.Volunteers, w)
	}
	for i, name := range cadreNames {
		login := map[bool]string{true: "volunteer"}[i == 0]
		w, err := add(name, demoPhone(4, i+1), frontline.WorkerDepartment, ForestryBureau, login)
		if err != nil {
			return nil, err
		}
		sc.Cadres = append(sc.Cadres, w)
	}
	for i, name := range []string{"采样员", "白雪"} {
		login := map[bool]string{true: "sampler"}[i == 0]
		w, err := add(name, demoPhone(5, i+1), frontline.WorkerSampler, "", login, frontline.SkillSampling)
		if err != nil {
			return nil, err
		}
		sc.Samplers = append(sc.Samplers, w)
	}
	if sc.Driver, err = add("田师傅", demoPhone(6, 1), frontline.WorkerDriver, "", "", frontline.SkillDriving); err != nil {
		return nil, err
	}
	if err := responsibilities(ctx, s, sc, luoyu, compounds, today); err != nil {
		return nil, err
	}
	return sc, nil
}

// responsibilities gives the community to its secretary and each compound
// to its grid worker, a member of staff covering; the second compound's
// grid worker is off today.
func responsibilities(ctx context.Context, s WorkforceServices, sc *WorkforceScene, luoyu *frontline.Place, compounds []*frontline.Place, today string) error {
	if _, err := s.Responsibility.SetResponsible(ctx, luoyu.ID, sc.Secretary.ID, sc.Staff[0].ID); err != nil {
		return fmt.Errorf("demo workforce: %s: %w", luoyu.Name, err)
	}
	for i, c := range compounds {
		cover := sc.Staff[1+i%(len(sc.Staff)-1)]
		if _, err := s.Responsibility.SetResponsible(ctx, c.ID, sc.Grid[i].ID, cover.ID); err != nil {
			return fmt.Errorf("demo workforce: %s: %w", c.Name, err)
		}
	}
	if len(sc.Grid) > 1 {
		off := []string{today}
		w, err := s.Workers.UpdateWorker(ctx, sc.Grid[1].ID, frontline.WorkerUpdate{Off: &off})
		if err != nil {
			return fmt.Errorf("demo workforce: %w", err)
		}
		sc.GridOff = w
	}
	return nil
}

// CheckpointCrew is who keeps the i-th demo checkpoint on its day (0) or
// night (1) shift: two forestry-bureau cadres, the first leading, and on
// the day shift a volunteer. The night shift is rostered for three and
// left with a place open, for the roster to fill.
func CheckpointCrew(sc *WorkforceScene, i, shift int) (leader, cadre, volunteer *frontline.Worker) {
	k := (shift*7 + i) * 2
	leader, cadre = sc.Cadres[k%len(sc.Cadres)], sc.Cadres[(k+1)%len(sc.Cadres)]
	if shift == 0 {
		volunteer = sc.Volunteers[i%len(sc.Volunteers)]
	}
	return leader, cadre, volunteer
}
