package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
)

// The report's two scenes of control: 忠义巷小区 sealed ("不要在外逗留，赶紧
// 回家，等候通知" — residents told to go home and wait, contact with the
// outside cut), and the seven checkpoints 罗玉新村社区 set up in a few hours
// with tents, power, stoves and coal, kept by cadres of the district
// forestry bureau (区林草局).

// SealReason is why the demo seals 忠义巷小区, in the report's words.
const SealReason = "小区封控：居民不在外逗留、回家等候通知，切断与外界的联系"

// ForestryBureau is the department whose cadres keep the checkpoints.
const ForestryBureau = "区林草局"

// CheckpointPlan is one checkpoint of the demo: where it stands and what
// it guards. Compound is "" for a post on the community's own boundary.
type CheckpointPlan struct {
	Name     string
	Compound string
	Type     frontline.CheckpointType
	Location string
}

// Checkpoints returns the seven checkpoints of 罗玉新村社区. The community
// lies in the urban-rural fringe with many side roads, so most posts stand
// on roads and paths into it; one keeps the gate of 枣园小区.
func Checkpoints() []CheckpointPlan {
	road, path := frontline.CheckpointRoad, frontline.CheckpointFootpath
	return []CheckpointPlan{
		{"1号卡点", "", road, "罗玉路与枣园路交叉口"},
		{"2号卡点", "", road, "罗玉新村西口"},
		{"3号卡点", "", road, "北侧村道岔路口"},
		{"4号卡点", "", road, "东侧环路入口"},
		{"5号卡点", "", path, "罗玉河堤便道"},
		{"6号卡点", "", path, "菜市场后巷便道"},
		{"7号卡点", "枣园小区", frontline.CheckpointGate, "枣园小区正门"},
	}
}

// ZoneServices are what Zones writes through. The checkpoints are staffed
// from Workforce, which Workforce builds first.
type ZoneServices struct {
	Places      frontline.PlaceService
	Persons     frontline.PersonService
	Zones       frontline.ZoneService
	Checkpoints frontline.CheckpointService
	Roster      frontline.RosterService
	Workforce   *WorkforceScene
	// Duty, when set, checks the day shifts' crews in (all but 王林, the
	// login volunteer, who is there to check in himself).
	Duty frontline.DutyService
}

// ZoneScene says what Zones created.
type ZoneScene struct {
	Sealed      *frontline.Affected     // 忠义巷小区 with its households and vulnerable residents
	Checkpoints []*frontline.Checkpoint // the seven, all open
}

// Zones seals 忠义巷小区 and sets up, staffs and opens the seven
// checkpoints of 罗玉新村社区 in a demo city, then records two passages at
// 1号卡点: a resident going out, and a resident of the sealed compound
// turned back. Each checkpoint has a day shift from ten minutes before now
// for 12 hours, fully staffed, and the night shift after it with a place
// open.
func Zones(ctx context.Context, s ZoneServices, now time.Time) (*ZoneScene, error) {
	if s.Roster == nil || s.Workforce == nil {
		return nil, fmt.Errorf("demo zones: the checkpoints are staffed from the roster and the demo workforce")
	}
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	zhong, err := s.Places.FindPlaceByPath(ctx, PathZhongyixiang)
	if err != nil {
		return nil, fmt.Errorf("demo zones: %w", err)
	}
	scene := &ZoneScene{}
	scene.Sealed, err = s.Zones.SetZone(ctx, &frontline.Zone{PlaceID: zhong.ID, Level: frontline.LevelSealed,
		Reason: SealReason, DecidedBy: "中城街道疫情防控指挥部"})
	if err != nil {
		return nil, fmt.Errorf("demo zones: seal %s: %w", zhong.Name, err)
	}
	for i, plan := range Checkpoints() {
		c, err := setUpCheckpoint(ctx, s, plan, i, now)
		if err != nil {
			return nil, fmt.Errorf("demo zones: %s: %w", plan.Name, err)
		}
		scene.Checkpoints = append(scene.Checkpoints, c)
	}
	if err := demoPassages(ctx, s, scene.Checkpoints[0], zhong); err != nil {
		return nil, fmt.Errorf("demo zones: passages: %w", err)
	}
	return scene, nil
}

// setUpCheckpoint creates one checkpoint, issues its checklist, staffs it
// and opens it: the setup the report's secretary finished in hours.
func setUpCheckpoint(ctx context.Context, s ZoneServices, plan CheckpointPlan, i int, now time.Time) (*frontline.Checkpoint, error) {
	path := PathLuoyuxincun
	if plan.Compound != "" {
		path += "/" + plan.Compound
	}
	node, err := s.Places.FindPlaceByPath(ctx, path)
	if err != nil {
		return nil, err
	}
	c := &frontline.Checkpoint{PlaceID: node.ID, Name: plan.Name, Type: plan.Type, Location: plan.Location}
	if err := s.Checkpoints.CreateCheckpoint(ctx, c); err != nil {
		return nil, err
	}
	for _, it := range c.Checklist {
		if it.Kind != frontline.ItemMaterial {
			continue
		}
		e := &frontline.LedgerEntry{ItemID: it.ID, Kind: frontline.LedgerIssued, Quantity: it.Need, Source: "罗玉新村社区协调"}
		if _, err := s.Checkpoints.RecordMaterial(ctx, e); err != nil {
			return nil, err
		}
	}
	if err := staffCheckpoint(ctx, s, c.PostID, i, now.Add(-10*time.Minute)); err != nil {
		return nil, err
	}
	return s.Checkpoints.SetCheckpointStatus(ctx, c.ID, frontline.CheckpointOpen)
}

// staffCheckpoint adds the day and night shifts of the i-th checkpoint's
// post from start and puts its crews on them (CheckpointCrew).
func staffCheckpoint(ctx context.Context, s ZoneServices, postID int64, i int, start time.Time) error {
	shifts := []*frontline.Shift{
		{PostID: postID, Start: start, End: start.Add(12 * time.Hour), Headcount: 3},
		{PostID: postID, Start: start.Add(12 * time.Hour), End: start.Add(24 * time.Hour), Headcount: 3},
	}
	if err := s.Roster.AddShifts(ctx, shifts); err != nil {
		return err
	}
	for k, sh := range shifts {
		leader, cadre, volunteer := CheckpointCrew(s.Workforce, i, k)
		for _, w := range []*frontline.Worker{leader, cadre, volunteer} {
			if w == nil {
				continue
			}
			a, err := s.Roster.Assign(ctx, frontline.AssignRequest{ShiftID: sh.ID, WorkerID: w.ID, Leader: w == leader})
			if err != nil {
				return fmt.Errorf("%s on shift %d: %w", w.Name, k+1, err)
			}
			if s.Duty != nil && k == 0 && w != s.Workforce.Cadres[0] {
				if _, err := s.Duty.CheckIn(ctx, a.ID); err != nil {
					return fmt.Errorf("%s checks in: %w", w.Name, err)
				}
			}
		}
	}
	return nil
}

// demoPassages records a resident of 罗玉新村社区 going out through c, and
// a resident of the sealed compound trying to come in, who is refused.
func demoPassages(ctx context.Context, s ZoneServices, c *frontline.Checkpoint, sealed *frontline.Place) error {
	home, err := s.Places.FindPlaceByPath(ctx, PathLuoyuxincun)
	if err != nil {
		return err
	}
	checks := frontline.Checks{Temperature: 36.5, HealthCode: frontline.CodeGreen}
	for _, pass := range []struct {
		under int64
		dir   frontline.Direction
	}{{home.ID, frontline.DirOut}, {sealed.ID, frontline.DirIn}} {
		people, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{Under: &pass.under, Limit: 1})
		if err != nil || len(people) == 0 {
			return fmt.Errorf("find a resident under %d: %w", pass.under, err)
		}
		p := &frontline.Passage{CheckpointID: c.ID, Kind: frontline.PassResident, PersonID: people[0].ID, Direction: pass.dir, Checks: checks}
		if err := s.Checkpoints.RecordPassage(ctx, p); err != nil {
			return err
		}
	}
	return nil
}
