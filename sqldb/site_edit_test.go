package sqldb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestSiteService_Edit changes, retires and removes what the setup page
// changes, on both engines.
func TestSiteService_Edit(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 3, nil)
		sites := sqldb.NewSiteService(db)
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		opens := f.round.StartsAt
		site := &frontline.Site{RoundID: f.round.ID, PlaceID: f.tr.comp1.ID, Name: "枣园小区采样点", Location: "北门",
			OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		st := &frontline.Station{SiteID: site.ID, Name: "1号台"}
		secret, err := sites.CreateStation(ctx, st)
		if err != nil {
			t.Fatal(err)
		}

		t.Run("UpdateSite", func(t *testing.T) {
			name, loc, closes := "枣园小区南门采样点", "南门", opens.Add(8*time.Hour)
			got, err := sites.UpdateSite(ctx, site.ID, frontline.SiteUpdate{Name: &name, Location: &loc, ClosesAt: &closes})
			if err != nil || got.Name != name || got.Location != loc || !got.ClosesAt.Equal(closes) {
				t.Fatalf("update: %v %+v", err, got)
			}
			list, err := sites.FindSites(ctx, f.round.ID)
			if err != nil || len(list) != 1 || list[0].Name != name || list[0].Stations != 1 {
				t.Fatalf("sites after the update: %v %+v", err, list)
			}
			// The station's token is named after the site it now has.
			p, err := users.AuthenticateToken(ctx, secret)
			if err != nil || p.Login != "token:"+name+" 1号台" {
				t.Fatalf("token after the site's rename: %v %+v", err, p)
			}
			early := closes.Add(-9 * time.Hour)
			if _, err := sites.UpdateSite(ctx, site.ID, frontline.SiteUpdate{OpensAt: &closes, ClosesAt: &early}); frontline.ErrorField(err) != "closes_at" {
				t.Fatalf("closing before opening: %v", err)
			}
			other := as(frontline.RoleCommunitySecretary, f.tr.comm2)
			if _, err := sites.UpdateSite(other, site.ID, frontline.SiteUpdate{Name: &loc}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Fatalf("a site of another community: %v", err)
			}
		})

		t.Run("RenameStation", func(t *testing.T) {
			if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "2号台"}); err != nil {
				t.Fatal(err)
			}
			if _, err := sites.RenameStation(ctx, st.ID, "2号台"); frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "name" {
				t.Fatalf("a name taken at the site: %v", err)
			}
			got, err := sites.RenameStation(ctx, st.ID, "  A台 ")
			if err != nil || got.Name != "A台" {
				t.Fatalf("rename: %v %+v", err, got)
			}
		})

		t.Run("RetireStation", func(t *testing.T) {
			device, err := users.AuthenticateToken(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			// A binding at the station: history the station must keep.
			a, err := f.samp.Bind(frontline.WithPrincipal(ctx, device), &frontline.BindRequest{RequestID: "edit-1", RoundID: f.round.ID,
				TubeCode: "E-1", PersonIDs: []int64{f.persons[f.tr.hh[0].ID][0].ID}})
			if err != nil || a.Bound() != 1 {
				t.Fatalf("bind: %v %+v", err, a)
			}
			got, err := sites.RetireStation(ctx, st.ID)
			if err != nil || got.RetiredAt.IsZero() {
				t.Fatalf("retire: %v %+v", err, got)
			}
			// Its token stops at once, though it was just taken on trust.
			if _, err := users.AuthenticateToken(ctx, secret); err == nil {
				t.Fatal("a retired station's token still signs in")
			}
			// Retiring again changes nothing (PostgreSQL keeps microseconds).
			if again, err := sites.RetireStation(ctx, st.ID); err != nil || again.RetiredAt.Sub(got.RetiredAt).Abs() >= time.Microsecond {
				t.Fatalf("retiring twice: %v %+v", err, again)
			}
			// It stays listed with its bindings, no longer counts for the
			// plan, and its name is free for a replacement.
			list, err := sites.FindStations(ctx, f.round.ID)
			if err != nil || len(list) != 2 || list[0].RetiredAt.IsZero() {
				t.Fatalf("stations after retiring: %v %+v", err, list)
			}
			ss, _ := sites.FindSites(ctx, f.round.ID)
			if ss[0].Stations != 1 {
				t.Fatalf("working stations: %d, want 1", ss[0].Stations)
			}
			if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "A台"}); err != nil {
				t.Fatalf("a new station under a retired one's name: %v", err)
			}
			if _, err := sites.RenameStation(ctx, st.ID, "B台"); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("renaming a retired station: %v", err)
			}
			tp, err := sqldb.NewCoverageService(db).Throughput(ctx, f.round.ID)
			if err != nil || len(tp) == 0 || tp[0].Sampled != 1 {
				t.Fatalf("the retired station's throughput: %v %+v", err, tp)
			}
		})

		t.Run("RemoveSite", func(t *testing.T) {
			var inUse *frontline.SiteInUse
			if err := sites.RemoveSite(ctx, site.ID); frontline.ErrorCode(err) != frontline.ECONFLICT || !errors.As(err, &inUse) || inUse.Bindings != 1 {
				t.Fatalf("removing a site with a binding: %v", err)
			}
			empty := &frontline.Site{RoundID: f.round.ID, PlaceID: f.tr.comp2.ID, Name: "忠义巷小区采样点", OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
			if err := sites.CreateSite(ctx, empty); err != nil {
				t.Fatal(err)
			}
			spare := &frontline.Station{SiteID: empty.ID, Name: "1号台"}
			spareSecret, err := sites.CreateStation(ctx, spare)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := sites.PlanSlots(ctx, f.round.ID, frontline.PlanSettings{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sites.SaveSlots(ctx, f.round.ID, plan.Slots, frontline.PlanSettings{}); err != nil {
				t.Fatal(err)
			}
			if err := sites.RemoveSite(ctx, empty.ID); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("removing a site the saved plan calls residents to: %v", err)
			}
			if _, err := sites.SaveSlots(ctx, f.round.ID, nil, frontline.PlanSettings{}); err != nil {
				t.Fatal(err)
			}
			if err := sites.RemoveSite(ctx, empty.ID); err != nil {
				t.Fatalf("remove: %v", err)
			}
			if _, err := users.AuthenticateToken(ctx, spareSecret); err == nil {
				t.Fatal("a removed site's station still signs in")
			}
			if _, err := sites.FindStationByID(ctx, spare.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Fatalf("the removed site's station: %v", err)
			}
		})

		t.Run("SavedPlan", func(t *testing.T) {
			settings := frontline.PlanSettings{PerStation: 650, MinPerStation: 500, MaxPerStation: 900, QueueMinutes: 15, SecondsPerPerson: 10, LeadMinutes: 30}
			plan, err := sites.PlanSlots(ctx, f.round.ID, settings)
			if err != nil {
				t.Fatal(err)
			}
			n, err := sites.SaveSlots(ctx, f.round.ID, plan.Slots, settings)
			if err != nil {
				t.Fatal(err)
			}
			saved, err := sites.FindSavedPlan(ctx, f.round.ID)
			if err != nil || saved.Settings.PerStation != 650 || saved.Settings.MaxPerStation != 900 || saved.Settings.QueueMinutes != 15 ||
				saved.Settings.SecondsPerPerson != 10 || saved.Settings.LeadMinutes != 30 || saved.Notices != n || saved.Slots != len(plan.Slots) ||
				len(saved.Settings.Channels) != 1 || saved.SavedAt.IsZero() {
				t.Fatalf("saved plan: %v %+v", err, saved)
			}
			bad := settings
			bad.QueueMinutes = 1000
			if _, err := sites.SaveSlots(ctx, f.round.ID, plan.Slots, bad); frontline.ErrorField(err) != "settings.queue_minutes" {
				t.Fatalf("a queue of 1000 minutes: %v", err)
			}
			if again, _ := sites.FindSavedPlan(ctx, f.round.ID); again.Settings.QueueMinutes != 15 {
				t.Fatalf("a refused save changed the saved settings: %+v", again)
			}
			if _, err := sites.FindSavedPlan(ctx, mustOpenRound(t, f.rounds, f.tr.comm1.ID, nil).ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
				t.Fatalf("a round without a saved plan: %v", err)
			}
		})

		t.Run("ClosedRound", func(t *testing.T) {
			if _, err := f.rounds.CloseRound(ctx, f.round.ID); err != nil {
				t.Fatal(err)
			}
			name := "x"
			if _, err := sites.UpdateSite(ctx, site.ID, frontline.SiteUpdate{Name: &name}); frontline.ErrorCode(err) != frontline.ECONFLICT {
				t.Fatalf("changing a closed round's site: %v", err)
			}
		})
		assertRoundChecks(t, db, f.round.ID)
	})
}

// TestRoundService_UpdatePolicy changes a round's pool policy, which the
// setup page does: the audit compares the old policy with the new.
func TestRoundService_UpdatePolicy(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 1, nil)
		policy := frontline.DefaultPoolPolicy()
		policy["sealed"] = frontline.PoolRule{Mode: frontline.PoolHousehold}
		r, err := f.rounds.UpdateRound(ctx, f.round.ID, frontline.RoundUpdate{Policy: policy})
		if err != nil || r.Policy["sealed"].Mode != frontline.PoolHousehold {
			t.Fatalf("update the policy: %v %+v", err, r)
		}
		changes, _, err := sqldb.NewAuditService(db).FindChanges(ctx, frontline.ChangeFilter{Entity: ptr("round"), Action: ptr("update")})
		if err != nil || len(changes) != 1 || changes[0].After["pool_policy"] == nil || changes[0].After["name"] != nil {
			t.Fatalf("audit of the policy change: %v %+v", err, changes)
		}
	})
}
