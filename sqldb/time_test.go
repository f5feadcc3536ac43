package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestStoredTimes keeps times to the microsecond on both engines: a round
// whose hours carry nanoseconds reads back cut to the microsecond, the
// same on SQLite as on PostgreSQL, and a site opening at its start and
// closing exactly at its end is within it (PostgreSQL refused it when
// the round's end was cut and the site's was not).
func TestStoredTimes(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		tr := buildTree(t, db)
		db.Now = func() time.Time { return time.Date(2026, 3, 1, 5, 0, 0, 999_999_999, time.UTC) }
		start := time.Date(2026, 3, 1, 22, 0, 0, 123_456_789, time.UTC)
		rounds := sqldb.NewRoundService(db)
		r := &frontline.Round{ScopeID: tr.city.ID, Name: "纳秒轮", Day: "2026-03-02", StartsAt: start, EndsAt: start.Add(8*time.Hour + 999)}
		if err := rounds.CreateRound(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := rounds.FindRoundByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantStart := time.Date(2026, 3, 1, 22, 0, 0, 123_456_000, time.UTC)
		if !got.StartsAt.Equal(wantStart) || !got.EndsAt.Equal(wantStart.Add(8*time.Hour+time.Microsecond)) ||
			!got.CreatedAt.Equal(time.Date(2026, 3, 1, 5, 0, 0, 999_999_000, time.UTC)) {
			t.Fatalf("stored %v – %v, made %v; want them to the microsecond", got.StartsAt, got.EndsAt, got.CreatedAt)
		}
		site := &frontline.Site{RoundID: r.ID, PlaceID: tr.comp1.ID, Name: "整点采样点", OpensAt: start, ClosesAt: start.Add(8*time.Hour + 999)}
		if err := sqldb.NewSiteService(db).CreateSite(ctx, site); err != nil {
			t.Fatalf("a site closing at its round's end: %v", err)
		}
		sites, err := sqldb.NewSiteService(db).FindSites(ctx, r.ID)
		if err != nil || len(sites) != 1 || !sites[0].ClosesAt.Equal(got.EndsAt) {
			t.Fatalf("the site: %v %+v", err, sites)
		}
	})
}
