package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

// The report's first scene: the secretary of 罗玉新村社区 going door to
// door for everyone back from the risk areas, "不漏一户、不漏一人". The demo
// opens that campaign with a few areas on the risk list and the first
// doors of 枣园小区 already called at, among them a returnee from a
// high-risk area now in home isolation, so the follow-up pages have work.

// ScreeningCampaign is the name of the demo campaign.
const ScreeningCampaign = "罗玉新村社区返乡人员摸排"

// riskAreaPlan is one demo risk-area record, its days counted back from
// the day the demo is built.
type riskAreaPlan struct {
	code, name string
	level      frontline.RiskLevel
	since      int
}

// riskAreaPlans are the demo's risk list: what a notice of the time
// would name, a few counties at each level.
func riskAreaPlans() []riskAreaPlan {
	return []riskAreaPlan{
		{"610113", "西安市雁塔区", frontline.RiskHigh, 12},
		{"610116", "西安市长安区", frontline.RiskMedium, 12},
		{"620102", "兰州市城关区", frontline.RiskMedium, 8},
		{"510107", "成都市武侯区", frontline.RiskLow, 10},
	}
}

// ScreeningServices are what Screening writes through.
type ScreeningServices struct {
	Persons   frontline.PersonService
	Places    frontline.PlaceService
	RiskAreas frontline.RiskAreaService
	Campaigns frontline.CampaignService
	Visits    frontline.VisitService
	// FollowUps and At, both set, add the campaign's past (see
	// isolationScene): At sets the store's clock, so the risk list is
	// recorded on the days it was published and the campaign opened nine
	// days ago; the zero time gives the clock back.
	FollowUps frontline.FollowUpService
	At        func(time.Time)
}

// ScreeningScene says what Screening created.
type ScreeningScene struct {
	Campaign *frontline.Campaign
	Visits   []*frontline.Visit
	// Ended is the returnee's home isolation the measures job ended
	// (with FollowUps and At only).
	Ended *frontline.Measure
}

// Screening loads the demo risk list and opens the campaign over 罗玉新村社区
// (arrivals of the last 14 days from areas of medium risk or higher, due
// in two days), then records the first doors of 枣园小区 in walking order:
// a returnee from 西安市雁塔区 two days ago (home isolation), one from
// 西安市长安区 five days ago (health monitoring), a household with nobody
// travelling, nobody home, a vacant flat and a refusal. The grid worker
// login of 枣园小区 must exist already: opening gives them its doors.
func Screening(ctx context.Context, s ScreeningServices, now time.Time) (*ScreeningScene, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	today := now.In(frontline.ChinaTime).Format(frontline.DateLayout)
	past := s.At != nil && s.FollowUps != nil
	at := func(t time.Time) {
		if past {
			s.At(t)
		}
	}
	defer at(time.Time{})
	for _, p := range riskAreaPlans() {
		a := &frontline.RiskArea{Code: p.code, Name: p.name, Level: p.level, ValidFrom: frontline.AddDays(today, -p.since),
			Source: "演示用风险地区通告"}
		// Recorded on the day it was published.
		at(now.AddDate(0, 0, -p.since))
		if err := s.RiskAreas.CreateRiskArea(ctx, a); err != nil {
			return nil, fmt.Errorf("demo screening: risk area %s: %w", p.name, err)
		}
	}
	comm, err := s.Places.FindPlaceByPath(ctx, PathLuoyuxincun)
	if err != nil {
		return nil, fmt.Errorf("demo screening: %w", err)
	}
	c := &frontline.Campaign{Name: ScreeningCampaign, ScopeID: comm.ID, Deadline: now.Add(48 * time.Hour), Cutoff: "16:00",
		Question: frontline.Question{ArrivedSince: frontline.AddDays(today, -14), MinLevel: frontline.RiskMedium}}
	at(now.AddDate(0, 0, -isolationDaysAgo-1))
	if err := s.Campaigns.OpenCampaign(ctx, c); err != nil {
		return nil, fmt.Errorf("demo screening: open: %w", err)
	}
	scene := &ScreeningScene{Campaign: c}
	if past {
		if scene.Ended, err = isolationScene(ctx, s, c, comm, today, now); err != nil {
			return nil, fmt.Errorf("demo screening: isolation: %w", err)
		}
	}
	at(time.Time{})
	if scene.Visits, err = demoVisits(ctx, s, c, today, now); err != nil {
		return nil, fmt.Errorf("demo screening: %w", err)
	}
	if past {
		// The measures job (cmd/frontline/jobs.go) ends the isolation
		// whose days and tests are done, and tells the returnee.
		if n, err := s.FollowUps.EndMeasures(ctx, c.ID, comm.ID); err != nil {
			return nil, fmt.Errorf("demo screening: end measures: %w", err)
		} else if n != 1 {
			return nil, fmt.Errorf("demo screening: %d measures ended, want the returnee's", n)
		}
		ms, err := s.FollowUps.FindMeasures(ctx, c.ID, scene.Ended.HouseholdID)
		if err != nil || len(ms) != 1 {
			return nil, fmt.Errorf("demo screening: the returnee's measures: %d, %v", len(ms), err)
		}
		scene.Ended = ms[0]
	}
	return scene, nil
}

// The campaign's past: a returnee nobody had registered, 马建军, came
// back from 西安市雁塔区 (high risk) the day before the secretary's team
// called at his door, eight days ago; the team added him to the
// household and put him in home isolation. He reported twice a day and
// was tested on days 1, 2, 3, 5 and 7, all negative; his seven days are
// over, so the measures job ends his isolation today and he is told by
// SMS (topic isolation_end). His number is BusyPhone, which serve
// --demo's log gateway answers busy on a first attempt: his notice fails
// once and goes on its retry.

// isolationDaysAgo is how many days ago the returnee was visited.
const isolationDaysAgo = 8

// BusyPhone is the returnee's mobile number. It is outside the prefixes
// the demo's residents draw from, so no one else has it.
const BusyPhone = "17793800001"

// isolationScene records the returnee's visit and follow-ups at their
// times and returns the returnee's measure (ended later by Screening).
func isolationScene(ctx context.Context, s ScreeningServices, c *frontline.Campaign, comm *frontline.Place, today string, now time.Time) (*frontline.Measure, error) {
	zao, err := s.Places.FindPlaceByPath(ctx, PathZaoyuan)
	if err != nil {
		return nil, err
	}
	// A door far down the walking order, clear of demoVisits' doors.
	members, _, err := s.Campaigns.FindMembers(ctx, c.ID, frontline.CampaignMemberFilter{Under: &zao.ID, Limit: 40})
	if err != nil {
		return nil, err
	}
	if len(members) <= 12 {
		return nil, fmt.Errorf("枣园小区 has only %d households", len(members))
	}
	hh := members[len(members)-1].HouseholdID
	persons, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{HouseholdID: &hh, Limit: 10})
	if err != nil {
		return nil, err
	}
	visited := now.AddDate(0, 0, -isolationDaysAgo)
	s.At(visited)
	first17 := "62050219900512987" // 秦州区, born 1990-05-12, a man
	found := &frontline.Person{Name: "马建军", IDNumber: first17 + string(frontline.IDCheckDigit(first17)), Phone: BusyPhone,
		Relation: frontline.RelOther}
	v := &frontline.Visit{CampaignID: c.ID, HouseholdID: hh, Outcome: frontline.OutcomeScreened, ClientID: "d0000000-0000-4000-8000-000000000100",
		VisitedAt: visited, Note: "新发现返乡人员，已登记入户", Persons: []frontline.VisitPerson{{New: found, Present: true,
			Travel: &frontline.Travel{AreaCode: "610113", AreaName: "西安市雁塔区", ArrivedOn: frontline.AddDays(today, -isolationDaysAgo-1),
				Means: "train", Detail: "K1234"}}}}
	for _, p := range persons {
		v.Persons = append(v.Persons, frontline.VisitPerson{PersonID: p.ID, Present: true})
	}
	if err := s.Visits.RecordVisit(ctx, v); err != nil {
		return nil, fmt.Errorf("visit: %w", err)
	}
	if v.Persons[0].Measure != frontline.MeasureIsolation {
		return nil, fmt.Errorf("the returnee's measure is %q, not home isolation", v.Persons[0].Measure)
	}
	items, _, err := s.FollowUps.FindFollowUps(ctx, frontline.FollowUpItemFilter{CampaignID: &c.ID, Under: &hh, Limit: 100})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(items, func(a, b *frontline.FollowUpItem) int { return a.DueAt.Compare(b.DueAt) })
	for _, it := range items {
		s.At(it.DueAt.Add(10 * time.Minute))
		r := frontline.HealthReport{Temperature: 36.4}
		if it.Kind == frontline.FollowUpTest {
			r = frontline.HealthReport{Result: "negative"}
		}
		if _, err := s.FollowUps.RecordFollowUp(ctx, it.ID, r); err != nil {
			return nil, fmt.Errorf("follow-up %s day %d: %w", it.Kind, it.Day, err)
		}
	}
	ms, err := s.FollowUps.FindMeasures(ctx, c.ID, hh)
	if err != nil || len(ms) != 1 {
		return nil, fmt.Errorf("the returnee's measures: %d, %v", len(ms), err)
	}
	return ms[0], nil
}

// doorPlan is what the demo finds behind one door: an outcome and, when
// screened, where its first resident came back from (nil: nobody
// travelled) and how many days ago.
type doorPlan struct {
	outcome frontline.Outcome
	travel  *frontline.Travel
	note    string
}

func doorPlans(today string) []doorPlan {
	return []doorPlan{
		{frontline.OutcomeScreened, &frontline.Travel{AreaCode: "610113", AreaName: "西安市雁塔区", ArrivedOn: frontline.AddDays(today, -2),
			Means: "train", Detail: "K1234"}, ""},
		{frontline.OutcomeScreened, &frontline.Travel{AreaCode: "610116", AreaName: "西安市长安区", ArrivedOn: frontline.AddDays(today, -5),
			Means: "car"}, ""},
		{frontline.OutcomeScreened, nil, ""},
		{frontline.OutcomeNotHome, nil, "白天上班，晚上再来"},
		{frontline.OutcomeVacant, nil, "房屋出租中，暂无人居住"},
		{frontline.OutcomeRefused, nil, "不愿开门，请书记出面沟通"},
	}
}

// demoVisits records the door plans on the first households of 枣园小区
// in walking order. A household without registered residents gets the
// next plan that needs none.
func demoVisits(ctx context.Context, s ScreeningServices, c *frontline.Campaign, today string, now time.Time) ([]*frontline.Visit, error) {
	zao, err := s.Places.FindPlaceByPath(ctx, PathZaoyuan)
	if err != nil {
		return nil, err
	}
	plans := doorPlans(today)
	members, _, err := s.Campaigns.FindMembers(ctx, c.ID, frontline.CampaignMemberFilter{Under: &zao.ID, Limit: 4 * len(plans)})
	if err != nil {
		return nil, err
	}
	var out []*frontline.Visit
	for i, m := range members {
		if len(plans) == 0 {
			break
		}
		persons, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{HouseholdID: &m.HouseholdID, Limit: 10})
		if err != nil {
			return nil, err
		}
		p := plans[0]
		if p.outcome == frontline.OutcomeScreened && len(persons) == 0 {
			continue // try the next door for a screening
		}
		plans = plans[1:]
		v := &frontline.Visit{CampaignID: c.ID, HouseholdID: m.HouseholdID, Outcome: p.outcome, Note: p.note,
			ClientID: fmt.Sprintf("d0000000-0000-4000-8000-%012d", i+1), VisitedAt: now.Add(-time.Duration(len(plans)+1) * 20 * time.Minute)}
		if p.outcome == frontline.OutcomeScreened {
			for j, ps := range persons {
				vp := frontline.VisitPerson{PersonID: ps.ID, Present: true}
				if j == 0 {
					vp.Travel = p.travel
				}
				v.Persons = append(v.Persons, vp)
			}
		}
		if err := s.Visits.RecordVisit(ctx, v); err != nil {
			return nil, fmt.Errorf("visit %s: %w", m.Address, err)
		}
		out = append(out, v)
	}
	return out, nil
}
