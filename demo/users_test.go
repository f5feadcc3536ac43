package demo_test

import (
	"context"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/demo"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

func TestCreateLogins(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		if _, err := demo.Build(ctx, demo.Config{Residents: 500}, places, sqldb.NewImportService(db)); err != nil {
			t.Fatal(err)
		}
		users := sqldb.NewUserService(db, frontline.DefaultLoginPolicy)
		users.Argon2 = sqldb.Argon2Params{Memory: 64, Time: 1, Threads: 1}
		logins, err := demo.CreateLogins(ctx, places, users)
		if err != nil {
			t.Fatal(err)
		}
		roles := map[frontline.Role]bool{}
		for _, l := range logins {
			roles[l.Role] = true
		}
		if len(roles) != len(frontline.Roles) {
			t.Fatalf("demo logins cover %d roles, want all %d", len(roles), len(frontline.Roles))
		}
		u, secret, err := users.Login(ctx, "xiahong", demo.Password, "127.0.0.1", "test")
		if err != nil || secret == "" || u.Role != frontline.RoleCommunitySecretary {
			t.Fatalf("login as xiahong: %v %v", u, err)
		}
		p, err := users.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		scope, err := places.FindPlaceByPath(ctx, demo.PathLuoyuxincun)
		if err != nil || p.ScopeID != scope.ID {
			t.Fatalf("xiahong's scope %d, want 罗玉新村社区 (%v)", p.ScopeID, err)
		}
	})
}
