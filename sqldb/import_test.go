package sqldb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// row builds a resident row under 大城街道/罗玉新村社区.
func row(n int, compound, building, unit, room, name, id string) frontline.ResidentRow {
	return frontline.ResidentRow{Row: n, Subdistrict: "大城街道", Community: "罗玉新村社区", Compound: compound,
		Building: building, Unit: unit, Room: room, Person: frontline.Person{Name: name, IDNumber: id}}
}

func residentFile(rows ...frontline.ResidentRow) *frontline.ResidentFile {
	return &frontline.ResidentFile{Name: "test.csv", Rows: rows,
		Columns: map[string]string{frontline.ColIDNumber: "F (身份证号)", frontline.ColCommunity: "B (社区)"}}
}

// snapshot returns the number of places and persons, to assert that a
// failed import left nothing behind.
func snapshot(tb testing.TB, db *sqldb.DB, under int64) string {
	tb.Helper()
	ctx := context.Background()
	_, places, err := sqldb.NewPlaceService(db).FindPlaces(ctx, frontline.PlaceFilter{})
	if err != nil {
		tb.Fatal(err)
	}
	_, persons, err := sqldb.NewPersonService(db).FindPersons(ctx, frontline.PersonFilter{IncludeMoved: true})
	if err != nil {
		tb.Fatal(err)
	}
	c := place(tb, db, under)
	return fmt.Sprintf("places=%d persons=%d counts=%d/%d/%d", places, persons, c.Households, c.Residents, c.Vulnerable)
}

func TestImportService_ImportResidents(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := sqldb.NewImportService(db)
		tr := buildTree(t, db)
		existing := mustPerson(t, db, tr.hh[0].ID, "张三", false)

		t.Run("Good", func(t *testing.T) {
			f := residentFile(
				row(2, "枣园小区", "3号楼", "2单元", "501", "李四", testID()),
				row(3, "枣园小区", "3号楼", "2单元", "501", "王芳", testID()),
				row(4, "枣园小区", "1号楼", "", "101", "赵六", testID()), // existing household
				row(5, "新建小区", "1号楼", "", "1", "孙七", testID()),
			)
			f.Rows[1].Person.Flags = []frontline.Flag{frontline.FlagPregnant}
			f.Rows[1].Person.Sex = ""
			res, err := s.ImportResidents(ctx, f, frontline.ImportOptions{Under: tr.sub.ID})
			if err != nil {
				t.Fatalf("import: %v %+v", err, res)
			}
			// 3号楼, 2单元, 501, 新建小区, its 1号楼 and 1 = 6 new places.
			if res.Imported != 4 || res.PlacesCreated != 6 || len(res.Errors) != 0 {
				t.Fatalf("result %+v", res)
			}
			if c := place(t, db, tr.comm1.ID); c.Residents != 5 || c.Households != 4 || c.Vulnerable != 1 {
				t.Fatalf("community counts %d/%d/%d, want 4/5/1", c.Households, c.Residents, c.Vulnerable)
			}
			p, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市/秦州区/大城街道/罗玉新村社区/枣园小区/3号楼/2单元/501")
			if err != nil || p.Residents != 2 || p.Households != 1 {
				t.Fatalf("household 501: %+v %v", p, err)
			}
			assertCountsMatchRecount(t, db)
		})

		t.Run("ErrDuplicates", func(t *testing.T) {
			before := snapshot(t, db, tr.city.ID)
			dup := testID()
			f := residentFile(
				row(2, "枣园小区", "5号楼", "1单元", "101", "周八", dup),
				row(3, "枣园小区", "5号楼", "1单元", "102", "吴九", testID()),
				row(4, "枣园小区", "5号楼", "1单元", "102", "郑十", dup),
				row(5, "枣园小区", "5号楼", "1单元", "103", "冯一", existing.IDNumber),
			)
			f.Rows = append(f.Rows, frontline.ResidentRow{Row: 6, Subdistrict: "大城街道", Community: "自治巷社区x",
				Compound: "a", Building: "1", Room: "1", Person: frontline.Person{Name: "陈二", IDNumber: testID()}})
			res, err := s.ImportResidents(ctx, f, frontline.ImportOptions{Under: tr.comm1.ID})
			if frontline.ErrorCode(err) != frontline.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			var got []string
			for _, e := range res.Errors {
				got = append(got, e.Error())
			}
			m := frontline.MaskIDNumber
			want := []string{
				"row 2, column F (身份证号): ID number " + m(dup) + " appears twice in the file: also on row 4 (大城街道/罗玉新村社区/枣园小区/5号楼/1单元/102)",
				"row 4, column F (身份证号): ID number " + m(dup) + " appears twice in the file: also on row 2 (大城街道/罗玉新村社区/枣园小区/5号楼/1单元/101)",
				"row 5, column F (身份证号): ID number " + m(existing.IDNumber) + " already belongs to 张三 at 大城街道/罗玉新村社区/枣园小区/1号楼/101 (this row: 冯一 大城街道/罗玉新村社区/枣园小区/5号楼/1单元/103)",
				"row 6, column B (社区): 自治巷社区x is not under 罗玉新村社区, where this file is imported (expected 罗玉新村社区)",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if after := snapshot(t, db, tr.city.ID); after != before {
				t.Fatalf("failed import changed the database: %s → %s", before, after)
			}

			// --skip-bad imports the one good row and creates only its places.
			res, err = s.ImportResidents(ctx, f, frontline.ImportOptions{Under: tr.comm1.ID, SkipBad: true})
			if err != nil || res.Imported != 1 || res.Skipped != 4 || fmt.Sprint(res.SkippedRows) != "[2 4 5 6]" || res.Added != 1 {
				t.Fatalf("skip-bad: %v %+v", err, res)
			}
			if res.PlacesCreated != 3 { // 5号楼, 1单元, 102
				t.Fatalf("skip-bad created %d places, want 3", res.PlacesCreated)
			}
			assertCountsMatchRecount(t, db)
		})

		t.Run("DryRun", func(t *testing.T) {
			before := snapshot(t, db, tr.city.ID)
			f := residentFile(row(2, "枣园小区", "9号楼", "1单元", "101", "褚三", testID()))
			res, err := s.ImportResidents(ctx, f, frontline.ImportOptions{Under: tr.comm1.ID, DryRun: true})
			if err != nil || res.Imported != 1 || res.PlacesCreated != 3 || !res.DryRun {
				t.Fatalf("dry run: %v %+v", err, res)
			}
			if after := snapshot(t, db, tr.city.ID); after != before {
				t.Fatalf("dry run changed the database: %s → %s", before, after)
			}
		})

		t.Run("ErrUnderHousehold", func(t *testing.T) {
			_, err := s.ImportResidents(ctx, residentFile(), frontline.ImportOptions{Under: tr.hh[0].ID})
			if frontline.ErrorCode(err) != frontline.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
		})
	})
}
