package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRoundService_InnerScope: a community's staff in a city-wide round
// see the round from their own node, its stations and tubes as far as
// their scope goes, and cannot run the round for the whole city.
func TestRoundService_InnerScope(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoundFixture(t, db, 3, nil)
		sites := sqldb.NewSiteService(db)
		cov := sqldb.NewCoverageService(db)
		opens := f.round.StartsAt
		for _, at := range []*frontline.Place{f.tr.comp1, f.tr.comp2} {
			site := &frontline.Site{RoundID: f.round.ID, PlaceID: at.ID, Name: at.Name + "采样点", OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
			if err := sites.CreateSite(context.Background(), site); err != nil {
				t.Fatal(err)
			}
			if _, err := sites.CreateStation(context.Background(), &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
				t.Fatal(err)
			}
		}
		// One tube mixes the two communities' residents.
		f.bind(t, "MIX-1", true, f.persons[f.tr.hh[0].ID][0], f.persons[f.tr.hh[2].ID][0])
		staff := as(frontline.RoleCommunitySecretary, f.tr.comm1)

		if _, err := f.rounds.FindRoundByID(staff, f.round.ID); err != nil {
			t.Fatalf("the community sees the city's round: %v", err)
		}
		node, _, err := cov.Coverage(staff, f.round.ID, 0)
		if err != nil || node.PlaceID != f.tr.comm1.ID || node.Expected != 6 {
			t.Fatalf("coverage without a node starts at the caller's: %v %+v", err, node)
		}
		if _, _, err := cov.Coverage(staff, f.round.ID, f.tr.comm2.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("the other community's coverage: %v", err)
		}
		tp, err := cov.Throughput(staff, f.round.ID)
		if err != nil || len(tp) != 1 || tp[0].Site != f.tr.comp1.Name+"采样点" {
			t.Fatalf("throughput of the caller's stations: %v %+v", err, tp)
		}
		_, bs, err := f.samp.FindTube(staff, "MIX-1")
		if err != nil || len(bs) != 2 {
			t.Fatalf("tube: %v %+v", err, bs)
		}
		for _, b := range bs {
			inside := b.PersonID == f.persons[f.tr.hh[0].ID][0].ID
			if inside != (b.PersonName != "") || inside != (b.HouseholdID != 0) {
				t.Fatalf("binding of person %d: name %q household %d", b.PersonID, b.PersonName, b.HouseholdID)
			}
		}

		for name, call := range map[string]func() error{
			"close": func() error { _, err := f.rounds.CloseRound(staff, f.round.ID); return err },
			"update": func() error {
				_, err := f.rounds.UpdateRound(staff, f.round.ID, frontline.RoundUpdate{Name: ptr("改名")})
				return err
			},
			"save plan": func() error { _, err := sites.SaveSlots(staff, f.round.ID, nil, frontline.PlanSettings{}); return err },
		} {
			if err := call(); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
				t.Errorf("%s a city-wide round from a community: %v", name, err)
			}
		}
		draft := &frontline.Round{ScopeID: f.tr.city.ID, Name: "第二轮", Day: "2026-03-03", StartsAt: opens.Add(24 * time.Hour), EndsAt: opens.Add(36 * time.Hour)}
		if err := f.rounds.CreateRound(context.Background(), draft); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rounds.OpenRound(staff, draft.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Errorf("open a city-wide round from a community: %v", err)
		}
		if r, _ := f.rounds.FindRoundByID(context.Background(), f.round.ID); r.Status != frontline.RoundOpen {
			t.Fatalf("the round changed: %+v", r)
		}
	})
}

// TestSamplingService_StationOfRound: a station's device binds only in its
// own round, and a user names only a station of the round.
func TestSamplingService_StationOfRound(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 2, nil)
		sites := sqldb.NewSiteService(db)
		opens := f.round.StartsAt
		site := &frontline.Site{RoundID: f.round.ID, PlaceID: f.tr.comp1.ID, Name: "采样点", OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		st := &frontline.Station{SiteID: site.ID, Name: "1号台"}
		secret, err := sites.CreateStation(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		other := &frontline.Round{ScopeID: f.tr.city.ID, Name: "第二轮", Day: "2026-03-04", StartsAt: opens.Add(48 * time.Hour), EndsAt: opens.Add(60 * time.Hour)}
		if err := f.rounds.CreateRound(ctx, other); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rounds.OpenRound(ctx, other.ID); err != nil {
			t.Fatal(err)
		}
		p, err := sqldb.NewUserService(db, frontline.DefaultLoginPolicy).AuthenticateToken(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		device := frontline.WithPrincipal(ctx, p)
		person := f.persons[f.tr.hh[0].ID][0].ID
		for i, round := range []int64{f.round.ID, other.ID, f.round.ID} { // the cache must not change the answer
			_, err := f.samp.Bind(device, &frontline.BindRequest{RequestID: fmt.Sprintf("so-%d", i), RoundID: round, TubeCode: fmt.Sprintf("SO-%d", i), PersonIDs: []int64{person}})
			if ok := err == nil; ok != (round == f.round.ID) {
				t.Fatalf("a station of round %d binding in round %d: %v", f.round.ID, round, err)
			}
		}
		user := as(frontline.RoleSampler, f.tr.city)
		_, err = f.samp.Bind(user, &frontline.BindRequest{RequestID: "so-u", RoundID: other.ID, TubeCode: "SO-U", StationID: st.ID, PersonIDs: []int64{person}})
		if frontline.ErrorField(err) != "station_id" {
			t.Fatalf("a user naming another round's station: %v", err)
		}
		other2 := f.persons[f.tr.hh[1].ID][0].ID
		if _, err := f.samp.Bind(user, &frontline.BindRequest{RequestID: "so-u2", RoundID: f.round.ID, TubeCode: "SO-U2", StationID: st.ID, PersonIDs: []int64{other2}}); err != nil {
			t.Fatalf("a user naming the round's station: %v", err)
		}
		if _, err := sites.RetireStation(ctx, st.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.samp.Bind(user, &frontline.BindRequest{RequestID: "so-u3", RoundID: f.round.ID, TubeCode: "SO-U3", StationID: st.ID, PersonIDs: []int64{other2}})
		if frontline.ErrorField(err) != "station_id" {
			t.Fatalf("a user naming a retired station: %v", err)
		}
		// A device token that is no station's (the home team's) names a
		// station as a user does.
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		teamSecret, err := users.CreateToken(ctx, &frontline.Token{Name: "上门采样组", Role: frontline.RoleSampler, ScopeID: f.tr.city.ID})
		if err != nil {
			t.Fatal(err)
		}
		tp, err := users.AuthenticateToken(ctx, teamSecret)
		if err != nil {
			t.Fatal(err)
		}
		team := frontline.WithPrincipal(ctx, tp)
		_, err = f.samp.Bind(team, &frontline.BindRequest{RequestID: "so-t", RoundID: f.round.ID, TubeCode: "SO-T", StationID: st.ID, PersonIDs: []int64{other2}})
		if frontline.ErrorField(err) != "station_id" {
			t.Fatalf("the home team's token naming a retired station: %v", err)
		}
		if a, err := f.samp.Bind(team, &frontline.BindRequest{RequestID: "so-t2", RoundID: f.round.ID, TubeCode: "SO-T2", PersonIDs: []int64{f.persons[f.tr.hh[1].ID][1].ID}}); err != nil || a.Bound() != 1 {
			t.Fatalf("the home team's token without a station: %v %+v", err, a)
		}
		// A site's hours stay within the round's; a closed round takes no
		// new sites or stations.
		early := opens.Add(-48 * time.Hour)
		if _, err := sites.UpdateSite(ctx, site.ID, frontline.SiteUpdate{OpensAt: &early}); frontline.ErrorField(err) != "opens_at" {
			t.Fatalf("a site moved to open before its round: %v", err)
		}
		if _, err := f.rounds.CloseRound(ctx, f.round.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "3号台"}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a station for a closed round: %v", err)
		}
		late := &frontline.Site{RoundID: f.round.ID, PlaceID: f.tr.comp2.ID, Name: "迟到的采样点", OpensAt: opens, ClosesAt: opens.Add(time.Hour)}
		if err := sites.CreateSite(ctx, late); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("a site for a closed round: %v", err)
		}
	})
}
