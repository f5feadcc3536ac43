package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// BenchmarkVulnerableAlert measures the per-minute job of the vulnerable
// (AlertUnchecked) on a city with one large sealed compound:
// $FRONTLINE_BENCH_VULN_RESIDENTS residents (100,000 by default), three in
// a hundred flagged, a third of those reached today. before-hour is the
// job at 10:00, before the alert hour; past-hour-open the job every minute
// after 16:00 with the day's alert raised and residents still unreached.
// It reports the rows the job read into Go (rows/op: a resident row each,
// an aggregate count one) and the process's CPU time (cpu-ns/op) beside
// the time; ns/op alone means little on a shared machine.
func BenchmarkVulnerableAlert(b *testing.B) {
	residents := 100_000
	if v := os.Getenv("FRONTLINE_BENCH_VULN_RESIDENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		residents = n
	}
	engines := []sqldb.Engine{sqldb.SQLite}
	if os.Getenv("FRONTLINE_TEST_POSTGRES_URL") != "" {
		engines = append(engines, sqldb.Postgres)
	}
	for _, e := range engines {
		b.Run(string(e), func(b *testing.B) {
			db := sqldbtest.Open(b, e)
			f := bigSealedCompound(b, db, residents)
			sys := frontline.WithActor(context.Background(), frontline.Actor{Name: "system:alerts"})
			day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC) // 08:00 in China
			run := func(b *testing.B, at time.Time, wantRaised int) {
				db.Now = func() time.Time { return at }
				before, cpu := sqldb.VulnerableRowsRead(db), cpuTime(b)
				for b.Loop() {
					if n, err := f.vuln.AlertUnchecked(sys); err != nil || n != wantRaised {
						b.Fatalf("raised %d, %v", n, err)
					}
				}
				b.ReportMetric(float64(sqldb.VulnerableRowsRead(db)-before)/float64(b.N), "rows/op")
				b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N), "cpu-ns/op")
			}
			b.Run("before-hour", func(b *testing.B) { run(b, day.Add(2*time.Hour), 0) })
			db.Now = func() time.Time { return day.Add(8*time.Hour + 30*time.Minute) }
			if n, err := f.vuln.AlertUnchecked(sys); err != nil || n != 1 {
				b.Fatalf("the day's alert: %d, %v", n, err)
			}
			b.Run("past-hour-open", func(b *testing.B) { run(b, day.Add(8*time.Hour+31*time.Minute), 0) })
		})
	}
}

// cpuTime is the CPU time the process has used, user and system, in
// nanoseconds: SQLite runs in the process, so on SQLite it is the job's
// whole cost, which a loaded machine's wall clock is not.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// bigSealed is a compound of many residents, sealed, with its flagged
// residents' contacts named and a third of them called today.
type bigSealed struct {
	vuln    *sqldb.VulnerableService
	flagged int
}

func bigSealedCompound(b *testing.B, db *sqldb.DB, residents int) *bigSealed {
	b.Helper()
	ctx := context.Background()
	tr := buildTree(b, db)
	const perHousehold, perUnit, units = 3, 60, 2
	rows := make([]frontline.ResidentRow, residents)
	flagged := 0
	for i := range rows {
		hh := i / perHousehold
		birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900).Format("20060102")
		first := fmt.Sprintf("620502%s%03d", birth, i%900+100)
		p := frontline.Person{Name: fmt.Sprintf("居民%d", i), IDNumber: first + string(frontline.IDCheckDigit(first)), Phone: fmt.Sprintf("139%08d", i)}
		if i%100 < 3 {
			p.Flags = []frontline.Flag{frontline.FlagLivingAlone}
			flagged++
		}
		rows[i] = frontline.ResidentRow{Row: i + 2, Compound: "大院小区", Building: fmt.Sprintf("%d号楼", hh/(perUnit*units)+1),
			Unit: fmt.Sprintf("%d单元", hh/perUnit%units+1), Room: strconv.Itoa(101 + hh%perUnit), Person: p}
	}
	res, err := sqldb.NewImportService(db).ImportResidents(ctx, &frontline.ResidentFile{Name: "bench", Rows: rows, Columns: map[string]string{}},
		frontline.ImportOptions{Under: tr.comm2.ID})
	if err != nil || res.Imported != residents {
		if res != nil && len(res.Errors) > 3 {
			res.Errors = res.Errors[:3]
		}
		b.Fatalf("import: %v, %v", res.Errors, err)
	}
	compound, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市/秦州区/大城街道/自治巷社区/大院小区")
	if err != nil {
		b.Fatal(err)
	}
	w := &frontline.Worker{PlaceID: tr.comm2.ID, Name: "网格员", Kind: frontline.WorkerGrid, Phone: "13911110000"}
	if err := sqldb.NewWorkerService(db).CreateWorker(ctx, w); err != nil {
		b.Fatal(err)
	}
	if _, err := sqldb.NewResponsibilityService(db).SetResponsible(ctx, compound.ID, w.ID, 0); err != nil {
		b.Fatal(err)
	}
	if _, err := sqldb.NewZoneService(db).SetZone(ctx, &frontline.Zone{PlaceID: compound.ID, Level: frontline.LevelSealed, Reason: "bench"}); err != nil {
		b.Fatal(err)
	}
	f := &bigSealed{vuln: sqldb.NewVulnerableService(db), flagged: flagged}
	persons, _, err := sqldb.NewPersonService(db).FindPersons(ctx, frontline.PersonFilter{Under: &compound.ID, OnlyFlagged: true, Limit: flagged})
	if err != nil || len(persons) != flagged {
		b.Fatalf("%d flagged of %d, %v", len(persons), flagged, err)
	}
	db.Now = func() time.Time { return time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC) } // 09:00 in China
	for i, p := range persons {
		if i%3 == 0 {
			if err := f.vuln.RecordCheck(ctx, &frontline.VulnerableCheck{PersonID: p.ID, Method: frontline.CheckCalled}); err != nil {
				b.Fatal(err)
			}
		}
	}
	return f
}
