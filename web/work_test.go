package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestHome_Work reads the home page of each role of a round under way: it
// lists what that role has to do and links the page where it is done —
// the lab its bag to receive, a sampler the round's stations, command
// staff the persons not yet sampled — and a shop says plainly that its
// orders come with the supplies workflow.
func TestHome_Work(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	f := buildFixture(t, db)
	ts := newAdminServer(t, db, f, withTesting(db, t))
	lf := newLabFixture(t, db, f)
	for _, c := range []struct {
		role frontline.Role
		want []string
	}{
		{frontline.RoleLab, []string{`data-testid="work-lab"`, fmt.Sprintf(`href="/rounds/%d/lab"`, lf.first.ID), "1 袋待接收"}},
		{frontline.RoleSampler, []string{`data-testid="work-station"`, fmt.Sprintf(`href="/rounds/%d/station"`, lf.first.ID), "第1轮 · 采样台"}},
		{frontline.RoleCommunitySecretary, []string{`data-testid="work-round"`, fmt.Sprintf(`href="/rounds/%d?place=%d"`, lf.first.ID, f.comm1.ID), "未采"}},
		{frontline.RoleShop, []string{`data-testid="work-supplies"`, "超市的订单将随保供功能一起上线"}},
		{frontline.RolePharmacy, []string{`data-testid="work-supplies"`, "药房"}},
	} {
		t.Run(string(c.role), func(t *testing.T) {
			_, body := ts.as(t, c.role, f.comm1).get(t, "/")
			work := body[strings.Index(body, `data-testid="work"`):]
			work = work[:strings.Index(work, "</section>")]
			for _, want := range c.want {
				if !strings.Contains(work, want) {
					t.Errorf("the home page's work lacks %q:\n%s", want, work)
				}
			}
		})
	}
}
