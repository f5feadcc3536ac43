package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
)

// daySetup is everything the day's clients need besides the stations:
// device tokens of their roles, and what each works on.
type daySetup struct {
	round    *roundSetup
	offices  []*officeClient
	gates    []*gateClient
	grid     []*gridClient
	campaign int64
	labToken string // lab role, the city
	bagToken string // sampler role, the city: whoever carries the sealed tubes to the bags
	homeTeam string // sampler role, the city: the home sampling team taking the re-tests
}

type officeClient struct {
	token string
	place int64 // the community whose figures it reads
}

type gateClient struct {
	token      string
	checkpoint int64
	persons    []int64 // residents of its compound
}

type gridClient struct {
	token      string
	households []int64
}

// prepareDay opens the round (as the sampling benchmark does) and sets up
// the other clients: a token per office reader's community, a checkpoint
// per gate at compounds spread over the city (opened without its setup),
// a screening campaign over the first subdistrict for the grid workers,
// and the lab's tokens.
func prepareDay(ctx context.Context, cfg *DayConfig, sc *SamplingConfig) (*daySetup, error) {
	rs, err := prepareRound(ctx, sc)
	if err != nil {
		return nil, err
	}
	db, city, err := City(ctx, sc.DBURL, cfg.Residents, cfg.Logger)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "bench"})
	d := &daySetup{round: rs}
	users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
	token := func(name string, role frontline.Role, scope int64) (string, error) {
		return users.CreateToken(ctx, &frontline.Token{Name: name, Role: role, ScopeID: scope})
	}
	places := sqldb.NewPlaceService(db)
	kindComm, kindComp := frontline.KindCommunity, frontline.KindCompound
	comms, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &city.ID, Kind: &kindComm})
	if err != nil {
		return nil, err
	}
	for i, c := range comms[:min(len(comms), cfg.Offices)] {
		tok, err := token(fmt.Sprintf("bench office %d", i+1), frontline.RoleCommunityStaff, c.ID)
		if err != nil {
			return nil, err
		}
		d.offices = append(d.offices, &officeClient{token: tok, place: c.ID})
	}
	for i := len(d.offices); i < cfg.Offices; i++ { // more readers than communities share their tokens
		d.offices = append(d.offices, d.offices[i%len(comms)])
	}
	comps, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &city.ID, Kind: &kindComp})
	if err != nil {
		return nil, err
	}
	if err := d.addGates(ctx, db, cfg, comps, token); err != nil {
		return nil, err
	}
	if err := d.addGrid(ctx, db, cfg, comms[0], token); err != nil {
		return nil, err
	}
	if d.labToken, err = token("bench lab", frontline.RoleLab, city.ID); err != nil {
		return nil, err
	}
	if d.bagToken, err = token("bench bags", frontline.RoleSampler, city.ID); err != nil {
		return nil, err
	}
	if d.homeTeam, err = token("bench home sampling team", frontline.RoleSampler, city.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// addGates puts a checkpoint at Gates compounds spread over the city,
// reusing those of an earlier run, with a volunteer's token each.
func (d *daySetup) addGates(ctx context.Context, db *sqldb.DB, cfg *DayConfig, comps []*frontline.Place,
	token func(string, frontline.Role, int64) (string, error)) error {
	if len(comps) == 0 {
		return fmt.Errorf("the city has no compounds")
	}
	checkpoints := sqldb.NewCheckpointService(db)
	persons := sqldb.NewPersonService(db)
	var ids []int64
	for i := range min(cfg.Gates, len(comps)) {
		comp := comps[i*len(comps)/min(cfg.Gates, len(comps))]
		found, _, err := checkpoints.FindCheckpoints(ctx, frontline.CheckpointFilter{PlaceID: &comp.ID, Limit: 1})
		if err != nil {
			return err
		}
		var cp *frontline.Checkpoint
		if len(found) > 0 {
			cp = found[0]
		} else {
			cp = &frontline.Checkpoint{PlaceID: comp.ID, Name: "测试卡点", Type: frontline.CheckpointGate, Location: comp.Name + "门口"}
			if err := checkpoints.CreateCheckpoint(ctx, cp); err != nil {
				return fmt.Errorf("checkpoint at %s: %w", comp.Name, err)
			}
		}
		ids = append(ids, cp.ID)
		people, _, err := persons.FindPersons(ctx, frontline.PersonFilter{Under: &comp.ID, Limit: 20})
		if err != nil {
			return err
		}
		if len(people) == 0 {
			continue
		}
		tok, err := token(fmt.Sprintf("bench gate %d", i+1), frontline.RoleVolunteer, comp.ID)
		if err != nil {
			return err
		}
		g := &gateClient{token: tok, checkpoint: cp.ID}
		for _, p := range people {
			g.persons = append(g.persons, p.ID)
		}
		d.gates = append(d.gates, g)
	}
	return db.OpenCheckpointsForBench(ctx, ids)
}

// addGrid opens a screening campaign over the subdistrict of comm and
// gives each grid worker a token in one of its communities and that
// community's households to visit.
func (d *daySetup) addGrid(ctx context.Context, db *sqldb.DB, cfg *DayConfig, comm *frontline.Place,
	token func(string, frontline.Role, int64) (string, error)) error {
	places := sqldb.NewPlaceService(db)
	sub, err := places.FindPlaceByID(ctx, comm.ParentID)
	if err != nil {
		return err
	}
	now := time.Now()
	today := now.In(db.Location).Format(frontline.DateLayout)
	c := &frontline.Campaign{Name: "bench day " + now.UTC().Format("15:04:05"), ScopeID: sub.ID, Deadline: now.Add(48 * time.Hour),
		Question: frontline.Question{ArrivedSince: frontline.AddDays(today, -14), MinLevel: frontline.RiskMedium}}
	if err := sqldb.NewCampaignService(db).OpenCampaign(ctx, c); err != nil {
		return fmt.Errorf("open the screening campaign: %w", err)
	}
	d.campaign = c.ID
	kindComm, kindHome := frontline.KindCommunity, frontline.KindHousehold
	comms, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{ParentID: &sub.ID, Kind: &kindComm})
	if err != nil {
		return err
	}
	for i := range cfg.GridWorkers {
		cm := comms[i%len(comms)]
		homes, _, err := places.FindPlaces(ctx, frontline.PlaceFilter{Under: &cm.ID, Kind: &kindHome,
			Offset: (i / len(comms)) * 50, Limit: 50})
		if err != nil {
			return err
		}
		if len(homes) == 0 {
			continue
		}
		tok, err := token(fmt.Sprintf("bench grid worker %d", i+1), frontline.RoleGridWorker, cm.ID)
		if err != nil {
			return err
		}
		g := &gridClient{token: tok}
		for _, h := range homes {
			g.households = append(g.households, h.ID)
		}
		d.grid = append(d.grid, g)
	}
	return nil
}
