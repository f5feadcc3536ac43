package sqldb_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestWorkerService registers, finds and changes workers within the
// scope, links an account once, and refuses the same phone twice under a
// node.
func TestWorkerService(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		w := &frontline.Worker{PlaceID: f.tr.comm1.ID, Name: "王 林", Phone: "+86 139-0000-1234", Kind: frontline.WorkerDepartment,
			Unit: "区林草局", Skills: []string{"急救", "英语"}, Days: []string{"2022-03-30", "2022-03-29"}}
		if err := f.workers.CreateWorker(f.ctx, w); err != nil {
			t.Fatal(err)
		}
		if w.Name != "王林" || w.Phone != "13900001234" || !slices.Equal(w.Skills, []string{"first_aid", "lang:英语"}) {
			t.Fatalf("normalized: %+v", w)
		}
		dup := &frontline.Worker{PlaceID: f.tr.comm1.ID, Name: "王林2", Phone: "13900001234", Kind: frontline.WorkerVolunteer}
		if err := f.workers.CreateWorker(f.ctx, dup); frontline.ErrorCode(err) != frontline.ECONFLICT || frontline.ErrorField(err) != "phone" {
			t.Fatalf("the same phone twice: %v", err)
		}
		for i, want := range []string{"", frontline.ECONFLICT} { // a form sent twice
			anon := &frontline.Worker{PlaceID: f.tr.comm1.ID, Name: "赵志", Kind: frontline.WorkerVolunteer}
			if err := f.workers.CreateWorker(f.ctx, anon); frontline.ErrorCode(err) != want {
				t.Fatalf("a worker without a phone, time %d: %v", i+1, err)
			}
		}
		bad := &frontline.Worker{PlaceID: f.tr.comm1.ID, Name: "李森", Kind: frontline.WorkerSentDown}
		if err := f.workers.CreateWorker(f.ctx, bad); frontline.ErrorField(err) != "unit" {
			t.Fatalf("a cadre without a unit: %v", err)
		}
		users := userService(db)
		u := mustUser(t, users, "wanglin", frontline.RoleVolunteer, f.tr.comm1)
		if _, err := f.workers.UpdateWorker(f.ctx, w.ID, frontline.WorkerUpdate{UserID: &u.ID}); err != nil {
			t.Fatal(err)
		}
		other := f.worker(t, "李森", frontline.WorkerVolunteer, "")
		if _, err := f.workers.UpdateWorker(f.ctx, other.ID, frontline.WorkerUpdate{UserID: &u.ID}); frontline.ErrorCode(err) != frontline.ECONFLICT {
			t.Fatalf("one account for two workers: %v", err)
		}
		mine, err := f.workers.WorkerForUser(frontline.WithPrincipal(context.Background(), &frontline.Principal{UserID: u.ID,
			Role: frontline.RoleVolunteer, ScopeID: f.tr.comm1.ID, ScopePath: f.tr.comm1.Path}), u.ID)
		if err != nil || mine.ID != w.ID || mine.Login != "wanglin" {
			t.Fatalf("the account's worker: %+v, %v", mine, err)
		}
		// Available on the 29th, not on the 31st; off on the 30th once set.
		for day, want := range map[string]int{"2022-03-29": 2, "2022-03-31": 1} {
			_, n, err := f.workers.FindWorkers(f.ctx, frontline.WorkerFilter{Under: &f.tr.comm1.ID, AvailableOn: day})
			if err != nil || n != want+1 { // 赵志 works every day
				t.Errorf("available on %s: %d, %v; want %d", day, n, err, want)
			}
		}
		if _, err := f.workers.UpdateWorker(f.ctx, w.ID, frontline.WorkerUpdate{Off: &[]string{"2022-03-30"}}); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := f.workers.FindWorkers(f.ctx, frontline.WorkerFilter{Under: &f.tr.comm1.ID, AvailableOn: "2022-03-30"}); n != 2 {
			t.Errorf("%d available on the day off", n)
		}
		if _, n, _ := f.workers.FindWorkers(f.ctx, frontline.WorkerFilter{Skills: []string{"急救"}}); n != 1 {
			t.Errorf("%d first-aiders", n)
		}
		outside := as(frontline.RoleCommunitySecretary, f.tr.comm2)
		if _, err := f.workers.FindWorkerByID(outside, w.ID); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community's secretary finds the worker: %v", err)
		}
		if _, err := f.workers.FindWorkerByID(as(frontline.RoleVolunteer, f.tr.comm1), w.ID); frontline.ErrorCode(err) != frontline.EFORBIDDEN {
			t.Fatalf("a volunteer reads the registry: %v", err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'worker' AND entity_id = ?`, w.ID); n != 3 {
			t.Fatalf("%d audit entries for the worker", n)
		}
	})
}

// TestWorkerImport imports a department's list: a bad row refuses the
// whole list with every problem; the good list registers its workers and
// links the one with an account; the same list again updates, never
// registers twice; a dry run writes nothing.
func TestWorkerImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		u := &frontline.User{Login: "wanglin", Name: "王林", Phone: "13900000001", Role: frontline.RoleVolunteer, ScopeID: f.tr.comm1.ID}
		if err := userService(db).CreateUser(context.Background(), u, goodPassword); err != nil {
			t.Fatal(err)
		}
		cols := map[string]string{"name": "A (姓名)", "phone": "B (电话)", "unit": "C (单位)", "days": "D (日期)"}
		row := func(n int, name, phone string, days ...string) frontline.WorkerRow {
			return frontline.WorkerRow{Row: n, Columns: cols, Worker: frontline.Worker{Name: name, Phone: phone, Days: days}}
		}
		opts := frontline.WorkerImport{PlaceID: f.tr.comm1.ID, Kind: frontline.WorkerDepartment, Unit: "区林草局"}
		rows := []frontline.WorkerRow{row(3, "王林", "13900000001", "2022-03-29"), row(4, "李森", "1390000", "2022-03-29"),
			row(5, "王林", "13900000001"), row(6, "张松", "")}
		res, err := f.workers.ImportWorkers(f.ctx, rows, opts)
		if frontline.ErrorCode(err) != frontline.EINVALID || len(res.Errors) != 2 || res.Errors[0].Row != 4 ||
			res.Errors[0].Column != "B (电话)" || res.Errors[1].Row != 5 {
			t.Fatalf("a bad list: %+v, %v", res, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM workers`); n != 0 {
			t.Fatalf("a refused list wrote %d workers", n)
		}
		rows = []frontline.WorkerRow{row(3, "王林", "13900000001", "2022-03-29"), row(4, "李森", "13900000002", "2022-03-29", "2022-03-30"),
			row(6, "张松", "")}
		if res, err = f.workers.ImportWorkers(f.ctx, rows, frontline.WorkerImport{PlaceID: f.tr.comm1.ID, Kind: opts.Kind, Unit: opts.Unit, DryRun: true}); err != nil || res.Created != 3 {
			t.Fatalf("dry run: %+v, %v", res, err)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM workers`); n != 0 {
			t.Fatalf("a dry run wrote %d workers", n)
		}
		if res, err = f.workers.ImportWorkers(f.ctx, rows, opts); err != nil || res.Created != 3 || res.Linked != 1 {
			t.Fatalf("import: %+v, %v", res, err)
		}
		rows[0].Worker.Days = []string{"2022-03-31"}
		if res, err = f.workers.ImportWorkers(f.ctx, rows, opts); err != nil || res.Created != 0 || res.Updated != 3 {
			t.Fatalf("import again: %+v, %v", res, err)
		}
		ws, n, err := f.workers.FindWorkers(f.ctx, frontline.WorkerFilter{Under: &f.tr.comm1.ID})
		if err != nil || n != 3 {
			t.Fatalf("%d workers after two imports, %v", n, err)
		}
		for _, w := range ws {
			if w.Name == "王林" && (w.UserID != u.ID || !slices.Equal(w.Days, []string{"2022-03-29", "2022-03-31"}) || w.Unit != "区林草局") {
				t.Errorf("王林 after two imports: %+v", w)
			}
		}
	})
}

// TestWorkerResponsible gives 罗玉新村社区 to its secretary and 枣园小区 to
// a grid worker with a cover; every household then has a responsible
// worker, those of 枣园小区 the grid worker, and when the grid worker is
// off today the cover acts, and without a cover the secretary.
func TestWorkerResponsible(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		resp := sqldb.NewResponsibilityService(db)
		resp.Location = time.UTC
		sec := f.worker(t, "夏虹", frontline.WorkerCommunity, "")
		grid := f.worker(t, "枣园网格员", frontline.WorkerGrid, "")
		cover := f.worker(t, "李娜", frontline.WorkerCommunity, "")
		hh := []int64{f.tr.hh[0].ID, f.tr.hh[1].ID}
		if _, total, err := resp.Unassigned(f.ctx, f.tr.comm1.ID, 10); err != nil || total != 2 {
			t.Fatalf("unassigned before: %d, %v", total, err)
		}
		if _, err := resp.SetResponsible(f.ctx, f.tr.comm1.ID, sec.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := resp.SetResponsible(f.ctx, f.tr.comp1.ID, grid.ID, cover.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := resp.SetResponsible(f.ctx, f.tr.comp1.ID, grid.ID, grid.ID); frontline.ErrorField(err) != "cover_id" {
			t.Fatalf("a worker covering for themselves: %v", err)
		}
		if _, err := resp.SetResponsible(as(frontline.RoleCommunitySecretary, f.tr.comm2), f.tr.comp1.ID, grid.ID, 0); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("another community's secretary: %v", err)
		}
		if _, total, err := resp.Unassigned(f.ctx, f.tr.comm1.ID, 10); err != nil || total != 0 {
			t.Fatalf("unassigned after: %d, %v", total, err)
		}
		who := func() map[int64]*frontline.ResponsibleWorker {
			t.Helper()
			got, err := resp.ResponsibleWorkers(as(frontline.RoleGridWorker, f.tr.comp1), hh)
			if err != nil || len(got) != 2 {
				t.Fatalf("responsible workers: %v, %v", got, err)
			}
			return got
		}
		if r := who()[hh[0]]; r.Worker.ID != grid.ID || r.Off || r.Acting().ID != grid.ID || r.ViaPlaceID != f.tr.comp1.ID {
			t.Fatalf("the grid worker: %+v", r)
		}
		if _, err := f.workers.UpdateWorker(f.ctx, grid.ID, frontline.WorkerUpdate{Off: &[]string{"2022-03-29"}}); err != nil {
			t.Fatal(err)
		}
		if r := who()[hh[1]]; r.Worker.ID != grid.ID || !r.Off || r.Acting().ID != cover.ID {
			t.Fatalf("the cover: %+v", r)
		}
		if _, err := resp.SetResponsible(f.ctx, f.tr.comp1.ID, grid.ID, 0); err != nil {
			t.Fatal(err)
		}
		if r := who()[hh[1]]; !r.Off || r.Acting().ID != sec.ID {
			t.Fatalf("the secretary covers: %+v", r)
		}
		if _, err := resp.ResponsibleWorkers(as(frontline.RoleGridWorker, f.tr.comp1), []int64{f.tr.hh[2].ID}); frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a household outside the scope: %v", err)
		}
	})
}

// TestWorkerScreening draws a campaign's assignees and gap list from the
// responsible workers: 枣园小区's doors go to its grid worker, who has no
// account, through a team of theirs; 自治巷社区's to the secretary by her
// account; the gap list names who answers for each door today. A team is
// made of workers, a volunteer without an account among them, and a
// member's account that may visit joins it.
func TestWorkerScreening(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newRoster(t, db)
		ctx := context.Background()
		grid := f.worker(t, "枣园网格员", frontline.WorkerGrid, "")
		resp := sqldb.NewResponsibilityService(db)
		if _, err := resp.SetResponsible(ctx, f.tr.comp1.ID, grid.ID, 0); err != nil {
			t.Fatal(err)
		}
		sec := mustUser(t, userService(db), "zhangbin", frontline.RoleCommunitySecretary, f.tr.comm2)
		zb := &frontline.Worker{PlaceID: f.tr.comm2.ID, Name: "张彬", Kind: frontline.WorkerCommunity, UserID: sec.ID}
		if err := f.workers.CreateWorker(ctx, zb); err != nil {
			t.Fatal(err)
		}
		if _, err := resp.SetResponsible(ctx, f.tr.comm2.ID, zb.ID, 0); err != nil {
			t.Fatal(err)
		}
		cs := sqldb.NewCampaignService(db)
		c := &frontline.Campaign{Name: "返乡人员摸排", ScopeID: f.tr.sub.ID, Deadline: h(48),
			Question: frontline.Question{ArrivedSince: "2022-03-20", MinLevel: frontline.RiskMedium}}
		if err := cs.OpenCampaign(ctx, c); err != nil {
			t.Fatal(err)
		}
		teams, err := cs.FindTeams(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(teams, func(t *frontline.Team) bool { return t.Name == "枣园网格员（包户）" })
		if i < 0 || !slices.Equal(teams[i].Workers, []int64{grid.ID}) || teams[i].WorkerNames[0] != "枣园网格员" {
			t.Fatalf("the grid worker's team: %d of %d", i, len(teams))
		}
		gridTeam := teams[i]
		members, _, err := cs.FindMembers(ctx, c.ID, frontline.CampaignMemberFilter{})
		if err != nil || len(members) != 4 {
			t.Fatalf("members: %d, %v", len(members), err)
		}
		for _, m := range members {
			want := frontline.Assignee{TeamID: gridTeam.ID}
			if m.HouseholdID == f.tr.hh[2].ID || m.HouseholdID == f.tr.hh[3].ID {
				want = frontline.Assignee{UserID: sec.ID}
			}
			if m.Assignee.UserID != want.UserID || m.Assignee.TeamID != want.TeamID {
				t.Errorf("household %d is %+v's, want %+v", m.HouseholdID, m.Assignee, want)
			}
		}
		gaps, _, err := cs.Gaps(ctx, c.ID, f.tr.sub.ID, frontline.CampaignMemberFilter{})
		if err != nil || len(gaps) != 4 {
			t.Fatalf("gaps: %d, %v", len(gaps), err)
		}
		for _, g := range gaps {
			if g.Responsible == nil || (g.Responsible.Name != "枣园网格员" && g.Responsible.Name != "张彬") {
				t.Errorf("gap %d: responsible %+v", g.HouseholdID, g.Responsible)
			}
		}
		volunteer := f.worker(t, "何勇", frontline.WorkerVolunteer, "")
		gridUser := mustUser(t, userService(db), "grid.zaoyuan", frontline.RoleGridWorker, f.tr.comp1)
		cadre := f.worker(t, "王林", frontline.WorkerSentDown, "区林草局")
		if _, err := f.workers.UpdateWorker(f.ctx, cadre.ID, frontline.WorkerUpdate{UserID: &gridUser.ID}); err != nil {
			t.Fatal(err)
		}
		team := &frontline.Team{CampaignID: c.ID, Name: "区林草局摸排组", Workers: []int64{volunteer.ID, cadre.ID}}
		if err := cs.CreateTeam(f.ctx, team); err != nil {
			t.Fatal(err)
		}
		teams, _ = cs.FindTeams(ctx, c.ID)
		got := teams[len(teams)-1]
		if !slices.Equal(got.Members, []int64{gridUser.ID}) || len(got.WorkerNames) != 2 {
			t.Fatalf("the team of workers: %+v", got)
		}
		if err := cs.CreateTeam(as(frontline.RoleCommunitySecretary, f.tr.comm2), &frontline.Team{CampaignID: c.ID, Name: "越界",
			Workers: []int64{volunteer.ID}}); frontline.ErrorField(err) != "worker_id" && frontline.ErrorCode(err) != frontline.ENOTFOUND {
			t.Fatalf("a team of another community's workers: %v", err)
		}
	})
}
