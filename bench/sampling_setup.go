package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
)

// benchRoundName names the rounds the benchmark opens; a run removes the
// earlier ones, so a kept city does not grow run after run.
const benchRoundName = "bench sampling"

// roundSetup is what a run binds into: the round and each station's
// device token and persons.
type roundSetup struct {
	round    *frontline.Round
	stations []*benchStation
	sites    int
	took     time.Duration
}

// benchStation is one station of the load: its token and the persons of
// its community it binds, in household order.
type benchStation struct {
	id      int64
	token   string
	persons []int64
}

// prepareRound opens a round over the demo city with a site per community
// and the stations spread over the communities; each station gets an even
// share of its community's residents, so stations never bind each other's.
func prepareRound(ctx context.Context, cfg *SamplingConfig) (*roundSetup, error) {
	start := time.Now()
	db, city, err := City(ctx, cfg.DBURL, cfg.Residents, cfg.Logger)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx = frontline.WithActor(ctx, frontline.Actor{Name: "bench"})
	rounds := sqldb.NewRoundService(db)
	if err := purgeBenchRounds(ctx, db, rounds, city.ID); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	r := &frontline.Round{ScopeID: city.ID, Name: benchRoundName, Day: now.Format(frontline.DateLayout),
		StartsAt: now.Add(-time.Hour), EndsAt: now.Add(11 * time.Hour)}
	if err := rounds.CreateRound(ctx, r); err != nil {
		return nil, err
	}
	if r, err = rounds.OpenRound(ctx, r.ID); err != nil {
		return nil, err
	}
	setup := &roundSetup{round: r}
	if err := addStations(ctx, db, cfg, setup, city.ID); err != nil {
		return nil, err
	}
	setup.took = time.Since(start)
	return setup, nil
}

func purgeBenchRounds(ctx context.Context, db *sqldb.DB, rounds *sqldb.RoundService, city int64) error {
	old, _, err := rounds.FindRounds(ctx, frontline.RoundFilter{Under: &city})
	if err != nil {
		return err
	}
	for _, r := range old {
		if r.Name == benchRoundName {
			if err := db.PurgeRound(ctx, r.ID); err != nil {
				return fmt.Errorf("remove an earlier benchmark round: %w", err)
			}
		}
	}
	return nil
}

// addStations makes a site per community in use and the stations, with a
// device token each, and shares out the residents.
func addStations(ctx context.Context, db *sqldb.DB, cfg *SamplingConfig, setup *roundSetup, city int64) error {
	kind := frontline.KindCommunity
	comms, _, err := sqldb.NewPlaceService(db).FindPlaces(ctx, frontline.PlaceFilter{Under: &city, Kind: &kind})
	if err != nil {
		return err
	}
	if len(comms) == 0 {
		return fmt.Errorf("the city has no communities")
	}
	sites := sqldb.NewSiteService(db)
	nSites := cfg.Sites
	if nSites <= 0 {
		nSites = len(comms)
	}
	// Site k is at community k mod the communities (several sites to a
	// community when there are more sites); station i at site i mod the
	// sites, so a community's residents are shared by its sites' stations.
	byComm, siteIDs := map[int64][]*benchStation{}, make([]int64, nSites)
	r := setup.round
	for i := range cfg.Stations {
		k := i % nSites
		c := comms[k%len(comms)]
		if siteIDs[k] == 0 {
			site := &frontline.Site{RoundID: r.ID, PlaceID: c.ID, Name: fmt.Sprintf("%s采样点%d", c.Name, k/len(comms)+1),
				OpensAt: r.StartsAt, ClosesAt: r.EndsAt}
			if err := sites.CreateSite(ctx, site); err != nil {
				return err
			}
			setup.sites++
			siteIDs[k] = site.ID
		}
		st := &frontline.Station{SiteID: siteIDs[k], Name: fmt.Sprintf("%d号台", i+1)}
		secret, err := sites.CreateStation(ctx, st)
		if err != nil {
			return err
		}
		bs := &benchStation{id: st.ID, token: secret}
		byComm[c.ID] = append(byComm[c.ID], bs)
		setup.stations = append(setup.stations, bs)
	}
	persons := sqldb.NewPersonService(db)
	for commID, stations := range byComm {
		var ids []int64
		if err := persons.WalkPersons(ctx, frontline.PersonFilter{Under: &commID}, func(p *frontline.Person) error {
			ids = append(ids, p.ID)
			return nil
		}); err != nil {
			return err
		}
		share := len(ids) / len(stations)
		for i, st := range stations {
			st.persons = ids[i*share : (i+1)*share]
		}
	}
	return nil
}
