package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
	"github.com/frontline-org/frontline/web"
)

// TestTimeZone_Deployment serves a deployment in New York: a round typed
// as 06:00 is stored as 10:00 UTC (summer time), the page shows 06:00 back,
// and the pages tell their scripts the zone.
func TestTimeZone_Deployment(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ny, err := frontline.LoadTimeZone("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	ts := newAdminServer(t, db, f, withTesting(db, t), func(s *web.Server) { s.Location = ny })
	resp, body := ts.client.postForm(t, "/rounds", url.Values{"name": {"晨检"}, "scope": {fmt.Sprint(f.city.ID)},
		"day": {"2026-06-02"}, "starts": {"06:00"}, "ends": {"09:30"}})
	if resp.StatusCode != 303 {
		t.Fatalf("new round: %d %s", resp.StatusCode, body)
	}
	rounds, _, err := sqldb.NewRoundService(db).FindRounds(context.Background(), frontline.RoundFilter{})
	if err != nil || len(rounds) != 1 || !rounds[0].StartsAt.Equal(time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("the round starts at %v, want 10:00 UTC", rounds[0].StartsAt)
	}
	_, body = ts.client.get(t, resp.Header.Get("Location"))
	if !strings.Contains(body, "06:00–09:30") || !strings.Contains(body, `data-time-zone="America/New_York" data-utc-offset="`) {
		t.Fatalf("the round's page does not show its hours in the deployment's zone:\n%s", body)
	}
}
