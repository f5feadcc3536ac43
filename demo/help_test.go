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

// TestHelpDemo: the demo's open dialysis request in 忠义巷小区 is one, on
// 自治巷社区's board (zhangbin's scope) and not on 罗玉新村社区's, however
// often the demo runs.
func TestHelpDemo(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	if _, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db)); err != nil {
		t.Fatal(err)
	}
	s := demo.HelpServices{Places: places, Persons: sqldb.NewPersonService(db), Help: sqldb.NewHelpService(db)}
	h, err := demo.Help(ctx, s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if again, err := demo.Help(ctx, s, time.Now()); err != nil || again.ID != h.ID {
		t.Fatalf("the demo again: %v", err)
	}
	if h.Category != frontline.HelpDialysis || h.Status != frontline.HelpOpen || h.PersonID == 0 {
		t.Fatalf("the demo's request %+v", h)
	}
	scope := func(path string) context.Context {
		n, err := places.FindPlaceByPath(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return frontline.WithPrincipal(ctx, &frontline.Principal{UserID: 1, Login: "sec", Role: frontline.RoleCommunitySecretary,
			ScopeID: n.ID, ScopePath: n.Path})
	}
	if _, n, err := s.Help.FindHelp(scope(demo.PathZizhixiang), frontline.HelpFilter{Open: true}); err != nil || n != 1 {
		t.Fatalf("自治巷社区 sees %d, %v", n, err)
	}
	if _, n, err := s.Help.FindHelp(scope(demo.PathLuoyuxincun), frontline.HelpFilter{Open: true}); err != nil || n != 0 {
		t.Fatalf("罗玉新村社区 sees %d, %v", n, err)
	}
}
