package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/frontline-org/frontline"
)

// The report's sampling morning: volunteers set up the site from 04:30,
// sampling starts at 06:00, residents are called down building by
// building, and afterwards staff check who has not been sampled. The demo
// opens today's round over 罗玉新村社区 with a site at 枣园小区 and two
// stations, saves the call-up plan, leaves the bedridden of 枣园小区 to the
// home sampling team, binds the first residents into pools, bags them and
// posts the lab's first results — one pool positive, so the home sampling
// team has re-tests to do and the dashboard has something to show — and
// sends a second bag the lab has yet to receive.

// TestingRound is the name of the demo round.
const TestingRound = "罗玉新村社区全员核酸第一轮"

// demoPools is how many pools of 枣园小区 the demo samples and results;
// demoOnTheWay how many more it samples and sends to the lab.
const (
	demoPools    = 3
	demoOnTheWay = 2
)

// TestingServices are what Testing writes through. Sites must deliver on
// the "log" channel and on Channels.
type TestingServices struct {
	Places   frontline.PlaceService
	Persons  frontline.PersonService
	Rounds   frontline.RoundService
	Sites    frontline.SiteService
	Sampling frontline.SamplingService
	Lab      frontline.LabService
	// Channels are the call-up plan's channels, "log" when empty; with
	// "sms" (and a store that sends SMS) each household called down gets
	// its call-up, and the negative results are told by SMS too.
	Channels []string
}

// TestingScene says what Testing created.
type TestingScene struct {
	Round    *frontline.Round
	Site     *frontline.Site
	Stations []*frontline.Station
	Notices  int      // call-ups queued
	Tubes    []string // the pools sampled and resulted, the second positive
	// OnTheWay are pools sampled after them, packed in a bag that has not
	// reached the lab yet: the lab's first work.
	OnTheWay []string
}

// Testing opens today's round over 罗玉新村社区 (06:00–18:00 China time) and
// does the first hour of its work, as described above.
func Testing(ctx context.Context, s TestingServices, now time.Time) (*TestingScene, error) {
	if frontline.ActorFrom(ctx) == (frontline.Actor{Name: "system"}) {
		ctx = frontline.WithActor(ctx, frontline.Actor{Name: "demo"})
	}
	fail := func(step string, err error) (*TestingScene, error) {
		return nil, fmt.Errorf("demo testing: %s: %w", step, err)
	}
	comm, err := s.Places.FindPlaceByPath(ctx, PathLuoyuxincun)
	if err != nil {
		return fail("community", err)
	}
	zaoyuan, err := s.Places.FindPlaceByPath(ctx, PathZaoyuan)
	if err != nil {
		return fail("compound", err)
	}
	local := now.In(frontline.ChinaTime)
	starts := time.Date(local.Year(), local.Month(), local.Day(), 6, 0, 0, 0, frontline.ChinaTime)
	r := &frontline.Round{ScopeID: comm.ID, Name: TestingRound, TestType: "PCR", Day: local.Format(frontline.DateLayout),
		StartsAt: starts, EndsAt: starts.Add(12 * time.Hour)}
	if err := s.Rounds.CreateRound(ctx, r); err != nil {
		return fail("plan the round", err)
	}
	if r, err = s.Rounds.OpenRound(ctx, r.ID); err != nil {
		return fail("open the round", err)
	}
	scene := &TestingScene{Round: r, Site: &frontline.Site{RoundID: r.ID, PlaceID: zaoyuan.ID, Name: "枣园小区采样点",
		Location: "小区北门广场", OpensAt: r.StartsAt, ClosesAt: r.EndsAt}}
	if err := s.Sites.CreateSite(ctx, scene.Site); err != nil {
		return fail("site", err)
	}
	for _, name := range []string{"1号台", "2号台"} {
		st := &frontline.Station{SiteID: scene.Site.ID, Name: name}
		if _, err := s.Sites.CreateStation(ctx, st); err != nil {
			return fail("station", err)
		}
		scene.Stations = append(scene.Stations, st)
	}
	// The bedridden wait for the home team, before the plan is made: no
	// call-up brings them down.
	persons, _, err := s.Persons.FindPersons(ctx, frontline.PersonFilter{Under: &zaoyuan.ID, Limit: 1000})
	if err != nil {
		return fail("residents", err)
	}
	var walking []*frontline.Person
	for _, p := range persons {
		if slices.Contains(p.Flags, frontline.FlagBedridden) {
			if _, err := s.Rounds.Excuse(ctx, r.ID, frontline.Excusal{PersonID: p.ID, Reason: frontline.ExcuseHomeSampling,
				Note: "卧床，上门采样"}); err != nil {
				return fail("home sampling", err)
			}
			continue
		}
		walking = append(walking, p)
	}
	settings := frontline.PlanSettings{Channels: s.Channels}
	if len(settings.Channels) == 0 {
		settings.Channels = []string{"log"}
	}
	plan, err := s.Sites.PlanSlots(ctx, r.ID, settings)
	if err != nil {
		return fail("call-up plan", err)
	}
	if scene.Notices, err = s.Sites.SaveSlots(ctx, r.ID, plan.Slots, settings); err != nil {
		return fail("save the plan", err)
	}
	// The first pools of 枣园小区, ten to a tube, at the two stations; the
	// last two of them go in a second bag, still on its way.
	for i := 0; i < demoPools+demoOnTheWay && (i+1)*10 <= len(walking); i++ {
		code := fmt.Sprintf("ZY-%06d", i+1)
		req := &frontline.BindRequest{RequestID: "demo-" + code, RoundID: r.ID, TubeCode: code,
			StationID: scene.Stations[i%len(scene.Stations)].ID, Seal: true}
		for _, p := range walking[i*10 : (i+1)*10] {
			req.PersonIDs = append(req.PersonIDs, p.ID)
		}
		a, err := s.Sampling.Bind(ctx, req)
		if err != nil {
			return fail("bind", err)
		}
		if a.Bound() != len(req.PersonIDs) {
			return fail("bind", fmt.Errorf("tube %s took %d of %d persons", code, a.Bound(), len(req.PersonIDs)))
		}
		if i < demoPools {
			scene.Tubes = append(scene.Tubes, code)
		} else {
			scene.OnTheWay = append(scene.OnTheWay, code)
		}
	}
	if len(scene.OnTheWay) > 0 {
		bag := &frontline.BagRequest{RoundID: r.ID, Code: "ZYBAG-0002", Count: len(scene.OnTheWay), TubeCodes: scene.OnTheWay}
		if _, err := s.Lab.BagTubes(ctx, bag); err != nil {
			return fail("second bag", err)
		}
	}
	if len(scene.Tubes) == 0 {
		return scene, nil
	}
	bag := &frontline.BagRequest{RoundID: r.ID, Code: "ZYBAG-0001", Count: len(scene.Tubes), TubeCodes: scene.Tubes}
	if _, err := s.Lab.BagTubes(ctx, bag); err != nil {
		return fail("bag", err)
	}
	if _, err := s.Lab.ReceiveBag(ctx, frontline.BagReceipt{Code: bag.Code, TubeCodes: scene.Tubes}); err != nil {
		return fail("lab receipt", err)
	}
	results := make([]frontline.ResultRow, len(scene.Tubes))
	for i, code := range scene.Tubes {
		results[i] = frontline.ResultRow{Row: i + 2, TubeCode: code, Result: frontline.ResultNegative}
		if i == 1 {
			results[i].Result = frontline.ResultPositive // a pool to re-test person by person
		}
	}
	if _, err := s.Lab.PostResults(ctx, results); err != nil {
		return fail("results", err)
	}
	return scene, nil
}
