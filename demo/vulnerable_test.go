package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestVulnerableDemo: after the demo, the board of sealed 忠义巷小区 holds
// every flagged resident, all but the newly flagged one with a named
// contact; some reached today, one with a need that became a medicine
// request to 自治巷药房, some not; the zhongyi volunteer has her own list;
// and the secretary's alert of the unreached is raised.
func TestVulnerableDemo(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		if _, err := demo.Build(ctx, demo.Config{Residents: demo.DefaultResidents}, places, sqldb.NewImportService(db)); err != nil {
			t.Fatal(err)
		}
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		if _, err := demo.CreateLogins(ctx, places, users); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		zhong := mustPath(t, places, demo.PathZhongyixiang)
		if _, err := sqldb.NewZoneService(db).SetZone(ctx, &frontline.Zone{PlaceID: zhong, Level: frontline.LevelSealed, Reason: "demo"}); err != nil {
			t.Fatal(err)
		}
		orders, partners, workers := sqldb.NewOrderService(db), sqldb.NewPartnerService(db), sqldb.NewWorkerService(db)
		if _, err := demo.Supply(ctx, demo.SupplyServices{Places: places, Partners: partners, Orders: orders}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := demo.Delivery(ctx, demo.DeliveryServices{Places: places, Users: users, Workers: workers, Orders: orders,
			Deliveries: sqldb.NewDeliveryService(db)}, now); err != nil {
			t.Fatal(err)
		}
		vuln := sqldb.NewVulnerableService(db)
		wall := db.Now
		sc, err := demo.Vulnerable(ctx, demo.VulnerableServices{Places: places, Persons: sqldb.NewPersonService(db), Users: users,
			Workers: workers, Responsibility: sqldb.NewResponsibilityService(db), Partners: partners, Vulnerable: vuln,
			Location: db.Location, At: func(at time.Time) {
				if at.IsZero() {
					db.Now = wall
				} else {
					db.Now = func() time.Time { return at }
				}
			}}, now)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Reached < 3 || sc.Unreachable != 1 || sc.Yesterday == 0 || sc.Medicine == nil || sc.NoContact == nil || sc.Alerts != 1 {
			t.Fatalf("the scene: %+v", sc)
		}
		t.Logf("the scene: %d flagged, %d contacts named, %d reached, %d unreachable, %d yesterday, alert at %d", sc.Flagged, sc.Contacts, sc.Reached, sc.Unreachable, sc.Yesterday, sc.AlertAt)
		b, err := vuln.Board(ctx, zhong, frontline.ViewAll)
		if err != nil {
			t.Fatal(err)
		}
		if b.Total != sc.Flagged || b.NoContact != 1 || b.Checked != sc.Reached || b.Total-b.Checked < 3 || b.AlertAt != sc.AlertAt {
			t.Fatalf("the board: total %d (flagged %d), no contact %d, checked %d (reached %d), alert at %d",
				b.Total, sc.Flagged, b.NoContact, b.Checked, sc.Reached, b.AlertAt)
		}
		// The need found on the first check is the medicine request.
		_, checks, err := vuln.Resident(ctx, sc.Medicine.PersonID)
		if err != nil || len(checks) != 1 || len(checks[0].Needs) != 1 {
			t.Fatalf("the unwell resident's checks: %+v, %v", checks, err)
		}
		if n := checks[0].Needs[0]; n.LinkKind != "medicine" || n.LinkID != sc.Medicine.ID {
			t.Errorf("the need %+v, want medicine %d", n, sc.Medicine.ID)
		}
		if !sc.Medicine.Chronic {
			t.Errorf("the request %+v", sc.Medicine)
		}
		// The delivery volunteer has residents of her own.
		login := demo.DeliveryLogin
		us, _, err := users.FindUsers(ctx, frontline.UserFilter{Login: &login})
		if err != nil || len(us) != 1 {
			t.Fatal(us, err)
		}
		vol := frontline.WithPrincipal(ctx, &frontline.Principal{UserID: us[0].ID, Login: login, Role: us[0].Role, ScopeID: us[0].ScopeID,
			ScopePath: mustPathOf(t, places, us[0].ScopeID)})
		if mine, err := vuln.Mine(vol); err != nil || len(mine) == 0 {
			t.Fatalf("the volunteer's residents: %d, %v", len(mine), err)
		}
	})
}
