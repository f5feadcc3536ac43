package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/office"
	"github.com/frontline-org/frontline/report"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// TestRetention_Commands sets a rule version, prints what is due, and
// runs a dry run and a purge from the command line.
func TestRetention_Commands(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url, _ := cityDB(t, db.Engine)
		code, stdout, stderr := run(t, "retention", "--db", url, "--set", "rounds=14,cases=90", "--note", "区卫健委通知")
		if code != exitOK || !strings.Contains(stdout, "version 1") || !strings.Contains(stdout, "rounds        14") {
			t.Fatalf("retention --set: exit %d\n%s%s", code, stdout, stderr)
		}
		if code, _, stderr = run(t, "retention", "--db", url, "--set", "rounds=-3"); code != exitFailed || !strings.Contains(stderr, "rounds") {
			t.Errorf("a negative rule: exit %d %q", code, stderr)
		}
		code, stdout, stderr = run(t, "purge", "--db", url, "--dry-run", "--under", "天水市/秦州区")
		if code != exitOK || !strings.Contains(stdout, "dry run under rules version 1") {
			t.Fatalf("purge --dry-run: exit %d\n%s%s", code, stdout, stderr)
		}
		code, stdout, stderr = run(t, "purge", "--db", url)
		if code != exitOK || !strings.Contains(stdout, "nothing is due under rules version 1") {
			t.Fatalf("purge: exit %d\n%s%s", code, stdout, stderr)
		}
	})
}

// TestStandDown_Command stands a community down from the command line:
// its residents lose their personal values, the statistics come out as an
// XLSX that LibreOffice opens, and a second run needs another file name.
func TestStandDown_Command(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url, cdb := cityDB(t, db.Engine)
		ctx := context.Background()
		places := sqldb.NewPlaceService(cdb)
		comm, err := places.FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区")
		if err != nil {
			t.Fatal(err)
		}
		hh := &frontline.Place{ParentID: comm.ID, Kind: frontline.KindHousehold, Name: "101"}
		if err := places.CreatePlace(ctx, hh); err != nil {
			t.Fatal(err)
		}
		p := &frontline.Person{HouseholdID: hh.ID, Name: "钱八两", IDNumber: id("19800101", "123"), Phone: "13700001111"}
		if err := sqldb.NewPersonService(cdb).CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(t.TempDir(), "stats.xlsx")
		code, stdout, stderr := run(t, "stand-down", "--db", url, "--under", "天水市/秦州区/大城街道/罗玉新村社区", "--output", out)
		if code != exitOK || !strings.Contains(stdout, "罗玉新村社区 stood down") || !strings.Contains(stdout, "residents         1") {
			t.Fatalf("stand-down: exit %d\n%s%s", code, stdout, stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sheets := office.Sheets(t, data)
		if rows := sheets[report.SheetPurgeStats]; len(rows) < 3 || !strings.Contains(fmt.Sprint(rows), "罗玉新村社区") || strings.Contains(fmt.Sprint(rows), "钱八两") {
			t.Errorf("statistics %q", rows)
		}
		got, err := sqldb.NewPersonService(cdb).FindPersonByID(ctx, p.ID)
		if err != nil || got.Name != "" || got.Phone != "" {
			t.Errorf("after the stand-down the person is %+v, %v", got, err)
		}
		code, _, stderr = run(t, "stand-down", "--db", url, "--under", "天水市/秦州区/大城街道/罗玉新村社区", "--output", out)
		if code != exitFailed || !strings.Contains(stderr, "another --output") {
			t.Errorf("second stand-down onto the same file: exit %d %q", code, stderr)
		}
	})
}
