package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// The example files the README's "Starting with your own data" uses.
const (
	exampleDivisions = "../../docs/examples/divisions-qinzhou.csv"
	exampleResidents = "../../docs/examples/residents-qinzhou.csv"
)

// TestStartWithOwnData runs the README's three commands for a real
// office, in order, on an empty database: the places from the statistics
// bureau's list, the first admin, the residents. Before the places exist,
// the other two say how to create them.
func TestStartWithOwnData(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url := db.URL
		code, _, errOut := run(t, "user", "add", "--login", "admin", "--name", "管理员", "--role", "city_admin", "--scope", "天水市", "--db", url)
		if code != exitFailed || !strings.Contains(errOut, `no place named "天水市"`) || !strings.Contains(errOut, "frontline places add 天水市") {
			t.Fatalf("user add on an empty database: exit %d\n%s", code, errOut)
		}
		code, _, errOut = run(t, "import", "residents", exampleResidents, "--under", "天水市/秦州区", "--db", url)
		if code != exitFailed || !strings.Contains(errOut, "frontline places add 天水市/秦州区") {
			t.Fatalf("import on an empty database: exit %d\n%s", code, errOut)
		}

		// 1. The places.
		code, out, errOut := run(t, "places", "import", exampleDivisions, "--db", url)
		if code != 0 || !strings.Contains(out, "(header on row 4): imported 15 rows: 14 new, 0 renamed, 0 given their code, 0 unchanged, 1 province rows passed over") {
			t.Fatalf("places import: exit %d\n%s\n%s", code, out, errOut)
		}
		// 2. The first admin.
		code, out, errOut = runStdin(t, "a long enough password\n", "user", "add", "--login", "admin", "--name", "管理员",
			"--role", "city_admin", "--scope", "天水市", "--password-stdin", "--db", url)
		if code != 0 || !strings.Contains(out, "added user admin (管理员, city_admin) under 天水市") {
			t.Fatalf("user add: exit %d\n%s\n%s", code, out, errOut)
		}
		// 3. The residents.
		code, out, errOut = run(t, "import", "residents", exampleResidents, "--under", "天水市/秦州区", "--db", url)
		if code != 0 || !strings.Contains(out, "imported 8 of 8 rows under 秦州区") {
			t.Fatalf("import residents: exit %d\n%s\n%s", code, out, errOut)
		}

		ctx := context.Background()
		places := sqldb.NewPlaceService(db)
		for path, residents := range map[string]int{
			"天水市": 8, "天水市/秦州区/大城街道/罗玉新村社区": 5, "天水市/秦州区/中城街道/自治巷社区/忠义巷小区": 2,
			"天水市/秦州区/皂郊镇/皂郊村": 0,
		} {
			p, err := places.FindPlaceByPath(ctx, path)
			if err != nil || p.Residents != residents {
				t.Errorf("%s: %+v, %v; want %d residents", path, p, err, residents)
			}
		}
		if _, _, err := sqldb.NewUserService(db, frontline.DefaultLoginPolicy).Login(ctx, "admin", "a long enough password", "", ""); err != nil {
			t.Fatalf("the admin cannot sign in: %v", err)
		}
		code, out, _ = run(t, "migrate", "--check-counts", "--db", url)
		if code != 0 || !strings.Contains(out, "all counts match a recount") {
			t.Fatalf("check counts: exit %d\n%s", code, out)
		}
	})
}

func TestPlacesAdd(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url := db.URL
		for _, tt := range []struct {
			args []string
			code int
			out  string
		}{
			{[]string{"天水市/秦州区", "--code", "620502"}, 0, "天水市/秦州区: 2 new, district 秦州区 (id 2), code 620502000000"},
			{[]string{"天水市/秦州区"}, 0, "天水市/秦州区: 0 new, district 秦州区"},
			{[]string{"天水市／秦州区/大城街道/罗玉新村社区/枣园小区/3号楼/501", "--kind", "household"}, 0, "5 new, household 501"},
			{[]string{"天水市/秦州区/中城街道", "--code", "620503002"}, exitFailed, "code: 620503002000 does not start with 620502, the code of 秦州区 above it"},
			{[]string{"天水市/秦州区", "--kind", "street"}, exitUsage, `unknown kind "street"`},
			{[]string{}, exitUsage, "usage: frontline places add"},
		} {
			code, out, errOut := run(t, append(append([]string{"places", "add"}, tt.args...), "--db", url)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.out) {
				t.Errorf("places add %v: exit %d, want %d with %q\n%s%s", tt.args, code, tt.code, tt.out, out, errOut)
			}
		}
		code, out, _ := run(t, "places", "list", "天水市/秦州区/大城街道", "--depth", "2", "--db", url)
		want := "大城街道 [subdistrict] households 1, residents 0, vulnerable 0 (id 3)\n" +
			"  罗玉新村社区 [community] households 1, residents 0, vulnerable 0 (id 4)\n" +
			"    枣园小区 [compound] households 1, residents 0, vulnerable 0 (id 5)\n"
		if code != 0 || out != want {
			t.Fatalf("places list: exit %d\n%s\nwant\n%s", code, out, want)
		}
	})
}

func TestPlacesImport(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url := db.URL
		ctx := context.Background()
		// An office made 天水市/秦州区 and 大城街道 by hand before it had the
		// list: the import gives them their codes rather than duplicates.
		if code, _, errOut := run(t, "places", "add", "天水市/秦州区/大城街道", "--db", url); code != 0 {
			t.Fatal(errOut)
		}
		data, err := os.ReadFile(exampleDivisions)
		if err != nil {
			t.Fatal(err)
		}
		file := writeFile(t, "区划代码.csv", gbk(t, string(data)))
		code, out, errOut := run(t, "places", "import", file, "--dry-run", "--db", url)
		if code != 0 || !strings.Contains(out, "would import (dry run) 15 rows: 11 new, 0 renamed, 3 given their code") {
			t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
		}
		if n := counts(t, db)[0]; n != 3 {
			t.Fatalf("a dry run wrote %d places", n)
		}
		if code, out, errOut = run(t, "places", "import", file, "--db", url); code != 0 {
			t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
		}
		sub, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市/秦州区/大城街道")
		if err != nil || sub.Code != "620502001000" || sub.ID != 3 {
			t.Fatalf("大城街道 after the import: %+v, %v", sub, err)
		}

		t.Run("Rename", func(t *testing.T) {
			// The next year's list renames a community; its code finds it.
			f := writeFile(t, "2024.csv", []byte("代码,名称\n620502001002,飞将巷新村社区居委会\n"))
			code, out, errOut := run(t, "places", "import", f, "--db", url)
			if code != 0 || !strings.Contains(out, "1 renamed") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if _, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市/秦州区/大城街道/飞将巷新村社区"); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("ErrBadRowsWriteNothing", func(t *testing.T) {
			before := counts(t, db)[0]
			f := writeFile(t, "bad.csv", []byte("标题：某区区划代码\n统计用区划代码,名称,上级代码\n"+
				"620502004000,西关街道,620502000000\n"+ // good, but the file is not
				"62050200500,石马坪街道,\n"+
				"620502004001,,620502004000\n"+
				"620502006001,天水郡社区,\n"+
				"620502004002,某社区,620502003000\n"+
				"620502004000,西关街道,\n"))
			code, _, errOut := run(t, "places", "import", f, "--db", url)
			if code != exitFailed {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			for _, want := range []string{
				"bad.csv: row 4, column A (统计用区划代码): \"62050200500\" is not a division code: it has 11 digits",
				"bad.csv: row 5, column B (名称): the name is missing",
				"bad.csv: row 6, column A (统计用区划代码): the subdistrict above it, 620502006000, is neither in the file nor in the database",
				"bad.csv: row 7, column C (上级代码): the parent code 620502003000 is not the one the code 620502004002 starts with (620502004000)",
				"bad.csv: row 8, column A (统计用区划代码): the code 620502004000 is on row 3 already",
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("missing %q in\n%s", want, errOut)
				}
			}
			if after := counts(t, db)[0]; after != before {
				t.Fatalf("a bad file wrote %d places", after-before)
			}
		})

		t.Run("XLSXWithCodesAsNumbers", func(t *testing.T) {
			x := excelize.NewFile()
			x.SetSheetRow("Sheet1", "A1", &[]any{"2024年统计用区划代码"})
			x.SetSheetRow("Sheet1", "A3", &[]any{"统计用区划代码", "城乡分类代码", "名称"})
			x.SetSheetRow("Sheet1", "A4", &[]any{620502005000, nil, "石马坪街道"})
			x.SetSheetRow("Sheet1", "A5", &[]any{620502005001, 111, "石马坪社区居委会"})
			path := writeFile(t, "list.xlsx", nil)
			if err := x.SaveAs(path); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run(t, "places", "import", path, "--db", url)
			if code != 0 || !strings.Contains(out, "(header on row 3): imported 2 rows: 2 new") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			p, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市/秦州区/石马坪街道/石马坪社区")
			if err != nil || p.Code != "620502005001" {
				t.Fatalf("%+v %v", p, err)
			}
		})

		code, out, _ = run(t, "places", "list", "--depth", "1", "--db", url)
		if code != 0 || !regexp.MustCompile(`(?m)^天水市 \[city 620500000000\] households 0, residents 0, vulnerable 0 \(id 1\)\n  秦州区 \[district 620502000000\]`).MatchString(out) {
			t.Fatalf("list: exit %d\n%s", code, out)
		}
	})
}
