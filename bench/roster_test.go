package bench_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// BenchmarkRosterAutoFill proposes a week's roster for a district: 5,000
// workers (FRONTLINE_BENCH_WORKERS) and 2,000 posts (FRONTLINE_BENCH_POSTS)
// over 20 communities, three 8-hour shifts a day for 7 days at every post
// (42,000 shifts), one in ten posts a sampling station that needs the
// qualification. Four workers in ten are cadres in units of ten, one in
// ten samplers, the rest volunteers; a week of 60 hours each cannot fill
// every place, so the proposal also finds where nobody may go. It
// measures ProposeFill (the page's and the API's call, target under 5 s
// on SQLite) and then, once, accepting the whole proposal.
func BenchmarkRosterAutoFill(b *testing.B) {
	ctx := context.Background()
	workers := envInt(b, "FRONTLINE_BENCH_WORKERS", 5000)
	posts := envInt(b, "FRONTLINE_BENCH_POSTS", 2000)
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) {
			db := sqldbtest.Open(b, e)
			district, from := rosterDistrict(b, db, workers, posts)
			roster := sqldb.NewRosterService(db)
			req := frontline.FillRequest{PlaceID: district, From: from, To: from.AddDate(0, 0, 7)}
			var res *frontline.FillResult
			for b.Loop() {
				var err error
				if res, err = roster.ProposeFill(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(res.Proposals)), "proposals")
			b.ReportMetric(float64(res.Unfilled), "unfilled")
			b.ReportMetric(float64(res.Shifts), "shifts")
			start := time.Now()
			n, err := roster.AcceptFill(ctx, res.Proposals)
			if err != nil || n != len(res.Proposals) {
				b.Fatalf("accept: %d, %v", n, err)
			}
			b.ReportMetric(time.Since(start).Seconds(), "accept_s")
		})
	}
}

// rosterDistrict builds the district of the benchmark and returns it and
// the first day of its week.
func rosterDistrict(b *testing.B, db *sqldb.DB, workers, posts int) (int64, time.Time) {
	b.Helper()
	ctx := context.Background()
	places := sqldb.NewPlaceService(db)
	mk := func(parent int64, kind frontline.PlaceKind, name string) *frontline.Place {
		p := &frontline.Place{ParentID: parent, Kind: kind, Name: name}
		if err := places.CreatePlace(ctx, p); err != nil {
			b.Fatal(err)
		}
		return p
	}
	city := mk(0, frontline.KindCity, "天水市")
	district := mk(city.ID, frontline.KindDistrict, "秦州区")
	sub := mk(district.ID, frontline.KindSubdistrict, "大城街道")
	const communities = 20
	var comms []*frontline.Place
	for i := range communities {
		comms = append(comms, mk(sub.ID, frontline.KindCommunity, fmt.Sprintf("社区%02d", i+1)))
	}
	tested := time.Date(2022, 3, 28, 12, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return tested.Add(12 * time.Hour) }
	ws := sqldb.NewWorkerService(db)
	for c, comm := range comms {
		var rows []frontline.WorkerRow
		for i := c; i < workers; i += communities {
			w := frontline.Worker{Name: fmt.Sprintf("工作人员%05d", i), Phone: fmt.Sprintf("139%08d", i), Kind: frontline.WorkerVolunteer,
				LastNegative: tested}
			switch {
			case i%10 < 4:
				w.Kind, w.Unit = frontline.WorkerDepartment, fmt.Sprintf("单位%03d", i/25)
			case i%10 == 4:
				w.Kind, w.Skills = frontline.WorkerSampler, []string{frontline.SkillSampling}
			}
			rows = append(rows, frontline.WorkerRow{Row: len(rows) + 2, Worker: w})
		}
		if _, err := ws.ImportWorkers(ctx, rows, frontline.WorkerImport{PlaceID: comm.ID}); err != nil {
			b.Fatalf("workers of %s: %v", comm.Name, err)
		}
	}
	roster := sqldb.NewRosterService(db)
	from := time.Date(2022, 3, 29, 0, 0, 0, 0, time.UTC)
	var shifts []*frontline.Shift
	for i := range posts {
		p := &frontline.Post{PlaceID: comms[i%communities].ID, Name: fmt.Sprintf("岗位%04d", i), Kind: frontline.PostCheckpoint}
		role := frontline.RoleDuty
		if i%10 == 9 {
			p.Kind, role = frontline.PostStation, frontline.RoleSamplerDuty
		}
		if err := roster.CreatePost(ctx, p); err != nil {
			b.Fatal(err)
		}
		for d := range 7 {
			for k := range 3 {
				start := from.AddDate(0, 0, d).Add(time.Duration(8*k) * time.Hour)
				shifts = append(shifts, &frontline.Shift{PostID: p.ID, Role: role, Start: start, End: start.Add(8 * time.Hour), Headcount: 1})
			}
		}
	}
	if err := roster.AddShifts(ctx, shifts); err != nil {
		b.Fatal(err)
	}
	return district.ID, from
}
