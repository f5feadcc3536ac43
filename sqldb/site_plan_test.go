package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestSiteService_Channels refuses a plan whose notices would go out on a
// channel the server does not have.
func TestSiteService_Channels(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 1, nil)
		sites := sqldb.NewSiteService(db, "log")
		for _, channels := range [][]string{{"sms"}, {"log", "Log"}, {"log", "log"}, {""}} {
			_, err := sites.SaveSlots(ctx, f.round.ID, nil, frontline.PlanSettings{Channels: channels})
			if frontline.ErrorField(err) != "settings.channels" {
				t.Errorf("channels %q: %v", channels, err)
			}
		}
		if n, err := sites.SaveSlots(ctx, f.round.ID, nil, frontline.PlanSettings{}); err != nil || n != 0 {
			t.Fatalf("the default channel: %v %d", err, n)
		}
	})
}

// TestSiteService_SlotErrors refuses a saved plan's bad slot by naming it,
// and slots of buildings outside the round's scope.
func TestSiteService_SlotErrors(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		round := mustOpenRound(t, sqldb.NewRoundService(db), tr.comm1.ID, nil)
		sites := sqldb.NewSiteService(db)
		opens := round.StartsAt
		site := &frontline.Site{RoundID: round.ID, PlaceID: tr.comp1.ID, Name: "枣园小区采样点", OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		good := frontline.Slot{SiteID: site.ID, BuildingID: tr.bld1.ID, Building: "枣园小区1号楼", Part: 1, Parts: 1, Persons: 10,
			StartsAt: opens, EndsAt: opens.Add(10 * time.Minute)}
		for _, tc := range []struct {
			name  string
			edit  func(*frontline.Slot)
			field string
		}{
			{"ErrEnds", func(s *frontline.Slot) { s.EndsAt = s.StartsAt }, "slots[1].ends_at"},
			{"ErrPart", func(s *frontline.Slot) { s.Part = 3 }, "slots[1].part"},
			{"ErrPersons", func(s *frontline.Slot) { s.Persons = -1 }, "slots[1].persons"},
			{"ErrSite", func(s *frontline.Slot) { s.SiteID = site.ID + 100 }, "slots[1].site_id"},
			{"ErrOutsideScope", func(s *frontline.Slot) { s.BuildingID = tr.bld2.ID }, "slots[1].building_id"},
			{"ErrUnknownBuilding", func(s *frontline.Slot) { s.BuildingID = 999999 }, "slots[1].building_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				bad := good
				tc.edit(&bad)
				_, err := sites.SaveSlots(ctx, round.ID, []frontline.Slot{good, bad}, frontline.PlanSettings{})
				if frontline.ErrorField(err) != tc.field || !strings.Contains(frontline.ErrorMessage(err), "slot 2 (枣园小区1号楼)") {
					t.Fatalf("got %v, want an error on %s naming the slot", err, tc.field)
				}
			})
		}
		if slots, err := sites.FindSlots(ctx, round.ID); err != nil || len(slots) != 0 {
			t.Fatalf("a refused plan left slots: %v %d", err, len(slots))
		}
		if n, err := sites.SaveSlots(ctx, round.ID, []frontline.Slot{good}, frontline.PlanSettings{}); err != nil || n != 1 {
			t.Fatalf("a good plan: %v %d", err, n)
		}
		t.Run("ErrSiteHours", func(t *testing.T) {
			early := &frontline.Site{RoundID: round.ID, PlaceID: tr.comp1.ID, Name: "早", OpensAt: opens.Add(-time.Hour), ClosesAt: opens.Add(time.Hour)}
			if err := sites.CreateSite(ctx, early); frontline.ErrorField(err) != "opens_at" {
				t.Fatalf("a site opening before the round: %v", err)
			}
			late := &frontline.Site{RoundID: round.ID, PlaceID: tr.comp1.ID, Name: "晚", OpensAt: opens, ClosesAt: round.EndsAt.Add(time.Minute)}
			if err := sites.CreateSite(ctx, late); frontline.ErrorField(err) != "closes_at" {
				t.Fatalf("a site closing after the round: %v", err)
			}
		})
	})
}

// TestSiteService_CallUpSchedule: call-ups go out LeadMinutes before their
// slot, and saving the plan again re-notifies only the buildings whose
// slots changed, withdrawing their call-ups not yet sent.
func TestSiteService_CallUpSchedule(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		round := mustOpenRound(t, sqldb.NewRoundService(db), tr.sub.ID, nil)
		sites, outbox := sqldb.NewSiteService(db), sqldb.NewOutboxService(db)
		opens := round.StartsAt
		site := &frontline.Site{RoundID: round.ID, PlaceID: tr.sub.ID, Name: "街道采样点", OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		slot := func(b *frontline.Place, start time.Duration) frontline.Slot {
			return frontline.Slot{SiteID: site.ID, BuildingID: b.ID, Building: b.Name, Part: 1, Parts: 1, Persons: 10,
				StartsAt: opens.Add(start), EndsAt: opens.Add(start + 20*time.Minute)}
		}
		notices := func(status frontline.NoticeStatus) []*frontline.Notice {
			t.Helper()
			out, _, err := outbox.FindNotices(ctx, frontline.NoticeFilter{Status: &status, RoundID: &round.ID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		plan := []frontline.Slot{slot(tr.bld1, 0), slot(tr.bld2, 2*time.Hour)}
		if n, err := sites.SaveSlots(ctx, round.ID, plan, frontline.PlanSettings{}); err != nil || n != 2 {
			t.Fatalf("first save: %v %d", err, n)
		}
		due := map[int64]time.Time{}
		for _, n := range notices(frontline.NoticePending) {
			due[n.PlaceID] = n.NextAttemptAt
		}
		// The round starts in the past here (2026-03-01): the first call-up
		// is due at once, the second 15 minutes before its slot if that is
		// still ahead, else at once as well.
		for _, sl := range plan {
			want := frontline.DefaultPlanSettings().NoticeAt(sl, time.Now().UTC())
			if d := due[sl.BuildingID].Sub(want); d < -time.Minute || d > time.Minute {
				t.Errorf("call-up of %s due %v, want about %v", sl.Building, due[sl.BuildingID], want)
			}
		}
		if n, err := sites.SaveSlots(ctx, round.ID, plan, frontline.PlanSettings{}); err != nil || n != 0 {
			t.Fatalf("saving the same plan again: %v %d notices", err, n)
		}
		plan[1] = slot(tr.bld2, 3*time.Hour)
		if n, err := sites.SaveSlots(ctx, round.ID, plan, frontline.PlanSettings{}); err != nil || n != 1 {
			t.Fatalf("moving one building's slot: %v %d notices", err, n)
		}
		cancelled, pending := notices(frontline.NoticeCancelled), notices(frontline.NoticePending)
		if len(cancelled) != 1 || cancelled[0].PlaceID != tr.bld2.ID || len(pending) != 2 {
			t.Fatalf("after the move: cancelled %+v, pending %d", cancelled, len(pending))
		}
		// New settings for the call-ups change them all.
		if n, err := sites.SaveSlots(ctx, round.ID, plan, frontline.PlanSettings{LeadMinutes: 30}); err != nil || n != 2 {
			t.Fatalf("a new lead time: %v %d notices", err, n)
		}
		if c, p := notices(frontline.NoticeCancelled), notices(frontline.NoticePending); len(c) != 3 || len(p) != 2 {
			t.Fatalf("after a new lead time: %d cancelled, %d pending", len(c), len(p))
		}
		// The site moves to the south gate: its call-ups say so.
		south := "南门"
		if _, err := sites.UpdateSite(ctx, site.ID, frontline.SiteUpdate{Location: &south}); err != nil {
			t.Fatal(err)
		}
		pending = notices(frontline.NoticePending)
		if len(pending) != 2 || len(notices(frontline.NoticeCancelled)) != 5 {
			t.Fatalf("after the site moved: %d pending", len(pending))
		}
		for _, n := range pending {
			if !strings.Contains(n.Body, south) {
				t.Errorf("a call-up still sends residents elsewhere: %s", n.Body)
			}
		}
	})
}

func TestPlanSettings_NoticeAt(t *testing.T) {
	now := time.Date(2022, 3, 29, 5, 0, 0, 0, time.UTC)
	s := frontline.DefaultPlanSettings()
	for _, tt := range []struct{ start, want time.Time }{
		{now.Add(2 * time.Hour), now.Add(2*time.Hour - 15*time.Minute)},
		{now.Add(10 * time.Minute), now},
	} {
		if got := s.NoticeAt(frontline.Slot{StartsAt: tt.start}, now); !got.Equal(tt.want) {
			t.Errorf("slot at %v: notice at %v, want %v", tt.start, got, tt.want)
		}
	}
}

// TestSiteService_PlanLeavesHomeTeam: a bedridden person left to the home
// sampling team is in no call-up's queue.
func TestSiteService_PlanLeavesHomeTeam(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		f := newRoundFixture(t, db, 3, nil)
		sites := sqldb.NewSiteService(db)
		opens := f.round.StartsAt
		if err := sites.CreateSite(ctx, &frontline.Site{RoundID: f.round.ID, PlaceID: f.tr.sub.ID, Name: "街道采样点",
			OpensAt: opens, ClosesAt: opens.Add(6 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		before, err := sites.PlanSlots(ctx, f.round.ID, frontline.PlanSettings{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.rounds.Excuse(ctx, f.round.ID, frontline.Excusal{PersonID: f.all[0].ID, Reason: frontline.ExcuseHomeSampling}); err != nil {
			t.Fatal(err)
		}
		after, err := sites.PlanSlots(ctx, f.round.ID, frontline.PlanSettings{})
		if err != nil || after.Persons != before.Persons-1 {
			t.Fatalf("persons planned: %d before, %d after leaving one to the home team (%v)", before.Persons, after.Persons, err)
		}
	})
}

// TestSiteService_PlanByUnits plans a building of two stairways, each
// larger than the site samples in a queue's time, and a building without
// units: each is called in parts made of whole units (or rooms), and each
// call-up names who comes down, saved with the slot.
func TestSiteService_PlanByUnits(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		bld := mustPlace(t, db, tr.comp1.ID, frontline.KindBuilding, "3号楼")
		for _, unit := range []string{"2单元", "1单元"} {
			u := mustPlace(t, db, bld.ID, frontline.KindUnit, unit)
			for _, room := range []string{"101", "201"} {
				hh := mustPlace(t, db, u.ID, frontline.KindHousehold, room)
				for i := range 3 {
					mustPerson(t, db, hh.ID, fmt.Sprintf("%s%s-%d", unit, room, i), false)
				}
			}
		}
		for _, hh := range tr.hh[:2] { // 1号楼 101 and 102, no units
			for i := range 3 {
				mustPerson(t, db, hh.ID, fmt.Sprintf("%s-%d", hh.Name, i), false)
			}
		}
		round := mustOpenRound(t, sqldb.NewRoundService(db), tr.comp1.ID, nil)
		sites, outbox := sqldb.NewSiteService(db, "log"), sqldb.NewOutboxService(db)
		site := &frontline.Site{RoundID: round.ID, PlaceID: tr.comp1.ID, Name: "枣园小区采样点",
			OpensAt: round.StartsAt, ClosesAt: round.StartsAt.Add(6 * time.Hour)}
		if err := sites.CreateSite(ctx, site); err != nil {
			t.Fatal(err)
		}
		if _, err := sites.CreateStation(ctx, &frontline.Station{SiteID: site.ID, Name: "1号台"}); err != nil {
			t.Fatal(err)
		}
		// A person each 75 seconds, a queue of 5 minutes: at most 4 persons a call-up.
		settings := frontline.PlanSettings{SecondsPerPerson: 75, QueueMinutes: 5}
		plan, err := sites.PlanSlots(ctx, round.ID, settings)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sl := range plan.Slots {
			got = append(got, fmt.Sprintf("%s %d/%d %s %d", sl.Building, sl.Part, sl.Parts, sl.Units, sl.Persons))
		}
		want := []string{"枣园小区1号楼 1/2 101 3", "枣园小区1号楼 2/2 102 3", "枣园小区3号楼 1/2 1单元 6", "枣园小区3号楼 2/2 2单元 6"}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Fatalf("slots:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := sites.SaveSlots(ctx, round.ID, plan.Slots, settings); err != nil {
			t.Fatal(err)
		}
		saved, err := sites.FindSlots(ctx, round.ID)
		if err != nil || len(saved) != 4 || saved[3].Units != "2单元" {
			t.Fatalf("saved slots: %v %+v", err, saved)
		}
		pending := frontline.NoticePending
		notices, _, err := outbox.FindNotices(ctx, frontline.NoticeFilter{Status: &pending, RoundID: &round.ID, Limit: 10})
		if err != nil || len(notices) != 4 {
			t.Fatalf("notices: %v %d", err, len(notices))
		}
		var bodies []string
		for _, n := range notices {
			bodies = append(bodies, n.Body)
		}
		all := strings.Join(bodies, "\n")
		for _, want := range []string{"请枣园小区3号楼1单元居民（第1/2批）", "请枣园小区3号楼2单元居民（第2/2批）", "请枣园小区1号楼102居民（第2/2批）"} {
			if !strings.Contains(all, want) {
				t.Errorf("no call-up says %q:\n%s", want, all)
			}
		}
	})
}
