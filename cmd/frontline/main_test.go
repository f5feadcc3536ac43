package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/frontline-org/frontline"
	"github.com/frontline-org/frontline/sqldb"
	"github.com/frontline-org/frontline/sqldb/sqldbtest"
)

// run runs the command line and returns its exit status and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func id(birth, seq string) string {
	first := "620502" + birth + seq
	return first + string(frontline.IDCheckDigit(first))
}

// cityDB returns a database URL with 天水市/秦州区/大城街道/罗玉新村社区.
func cityDB(t *testing.T, e sqldb.Engine) (string, *sqldb.DB) {
	t.Helper()
	db := sqldbtest.Open(t, e)
	ps := sqldb.NewPlaceService(db)
	parent := int64(0)
	for _, p := range []struct {
		kind frontline.PlaceKind
		name string
	}{{frontline.KindCity, "天水市"}, {frontline.KindDistrict, "秦州区"}, {frontline.KindSubdistrict, "大城街道"}, {frontline.KindCommunity, "罗玉新村社区"}} {
		pl := &frontline.Place{ParentID: parent, Kind: p.kind, Name: p.name}
		if err := ps.CreatePlace(context.Background(), pl); err != nil {
			t.Fatal(err)
		}
		parent = pl.ID
	}
	return db.URL, db
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// counts returns places, persons and the city's resident count.
func counts(t *testing.T, db *sqldb.DB) [3]int {
	t.Helper()
	ctx := context.Background()
	_, places, err := sqldb.NewPlaceService(db).FindPlaces(ctx, frontline.PlaceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	_, persons, err := sqldb.NewPersonService(db).FindPersons(ctx, frontline.PersonFilter{IncludeMoved: true})
	if err != nil {
		t.Fatal(err)
	}
	city, err := sqldb.NewPlaceService(db).FindPlaceByPath(ctx, "天水市")
	if err != nil {
		t.Fatal(err)
	}
	return [3]int{places, persons, city.Residents}
}

func TestImportResidents(t *testing.T) {
	a, b, c := id("19900102", "123"), id("19850520", "134"), id("19500315", "123")
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		url, db := cityDB(t, db.Engine)
		under := "天水市/秦州区/大城街道/罗玉新村社区"

		t.Run("GBK", func(t *testing.T) {
			csv := "小区,楼栋,单元,户号,姓名,身份证号,手机号,特殊人群\r\n" +
				"枣园小区,3栋,2,501,张三," + a + ",13800138000,\r\n" +
				"枣园小区,3号楼,2单元,501,李梅," + b + ",,孕产妇\r\n"
			code, out, errOut := run(t, "import", "residents", writeFile(t, "名单.csv", gbk(t, csv)), "--under", under, "--db", url)
			if code != 0 || !strings.Contains(out, "imported 2 of 2 rows under 罗玉新村社区, 4 new places, 0 skipped") {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if got := counts(t, db); got[1] != 2 || got[2] != 2 {
				t.Fatalf("counts %v", got)
			}
		})

		t.Run("ErrBadRowsWriteNothing", func(t *testing.T) {
			before := counts(t, db)
			bad := a[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", a[17])+1)%11])
			csv := "\uFEFF小区,楼栋,户号,姓名,身份证号,出生日期\n" +
				"枣园小区,5,101,王五," + c + ",\n" +
				"枣园小区,5,102,赵六," + bad + ",\n" +
				"枣园小区,5,103,孙七," + id("19990231", "111") + ",\n" +
				"枣园小区,5,104,周八," + a + ",\n"
			code, _, errOut := run(t, "import", "residents", writeFile(t, "bom.csv", []byte(csv)), "--under", under, "--db", url)
			if code != exitFailed {
				t.Fatalf("exit %d, want %d; stderr %s", code, exitFailed, errOut)
			}
			for _, want := range []string{
				"bom.csv: row 3, column E (身份证号): the ID number's check digit is wrong (expected " + a[17:] + ")",
				"bom.csv: row 4, column E (身份证号): the ID number holds an impossible birth date 19990231",
				"bom.csv: row 5, column E (身份证号): ID number " + frontline.MaskIDNumber(a) + " already belongs to 张三 at 大城街道/罗玉新村社区/枣园小区/3号楼/2单元/501 (this row: 周八 大城街道/罗玉新村社区/枣园小区/5号楼/104)",
				"nothing was imported",
			} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if after := counts(t, db); after != before {
				t.Fatalf("failed import changed the database: %v → %v", before, after)
			}

			// --skip-bad imports 王五 and writes the three others to a file.
			path := writeFile(t, "bom.csv", []byte(csv))
			code, out, errOut := run(t, "import", "residents", path, "--under", under, "--skip-bad", "--db", url)
			if code != exitPartial || !strings.Contains(out, "imported 1 of 4 rows") {
				t.Fatalf("skip-bad exit %d\n%s\n%s", code, out, errOut)
			}
			skipped, err := os.ReadFile(strings.TrimSuffix(path, ".csv") + ".skipped.csv")
			if err != nil || strings.Count(string(skipped), "\r\n") != 4 || !strings.Contains(string(skipped), "错误") {
				t.Fatalf("skipped file: %v\n%s", err, skipped)
			}
		})

		t.Run("XLSX", func(t *testing.T) {
			x := excelize.NewFile()
			rows := [][]any{
				{"街道", "社区", "小区", "楼栋", "户号", "姓名", "证件类型", "证件号码", "性别"},
				{"大城街道", "罗玉新村社区", "枣园小区", "7", "１０１", "Anna Li", "护照", "E12345678", "女"},
			}
			for i, r := range rows {
				cell, _ := excelize.CoordinatesToCellName(1, i+1)
				x.SetSheetRow("Sheet1", cell, &r)
			}
			var buf bytes.Buffer
			x.Write(&buf)
			code, out, errOut := run(t, "import", "residents", writeFile(t, "list.xlsx", buf.Bytes()), "--under", under, "--db", url)
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			p, _, err := sqldb.NewPersonService(db).FindPersons(context.Background(), frontline.PersonFilter{IDNumber: ptr("E12345678")})
			if err != nil || len(p) != 1 || p[0].Household.Name != "101" || p[0].IDType != frontline.IDPassport {
				t.Fatalf("passport holder: %v %v", p, err)
			}
		})

		t.Run("ErrMissingColumns", func(t *testing.T) {
			code, _, errOut := run(t, "import", "residents", writeFile(t, "x.csv", []byte("姓名,身份证号\n张三,"+c+"\n")), "--under", under, "--db", url)
			if code != exitFailed || !strings.Contains(errOut, "column compound: the column is missing") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
		})

		t.Run("Export", func(t *testing.T) {
			code, out, errOut := run(t, "export", "residents", "--under", under, "--db", url)
			if code != 0 || !strings.Contains(out, frontline.MaskIDNumber(a)) || strings.Contains(out, a) ||
				strings.Contains(out, "13800138000") || strings.Contains(out, "1990-01-02") {
				t.Fatalf("masked export: exit %d\n%s\n%s", code, out, errOut)
			}
			code, out, _ = run(t, "export", "residents", "--under", under, "--full", "--db", url)
			if code != 0 || !strings.Contains(out, a) || !strings.Contains(out, "13800138000") {
				t.Fatalf("full export: exit %d\n%s", code, out)
			}
			// The full export is in the audit log, and the export imports back.
			var n int
			tx, _ := db.BeginReadTx(context.Background())
			tx.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'export_full'`).Scan(&n)
			tx.Rollback()
			if n != 1 {
				t.Fatalf("audit entries for full export: %d", n)
			}
			xlsx := filepath.Join(t.TempDir(), "out.xlsx")
			if code, _, errOut := run(t, "export", "residents", "--format", "xlsx", "--output", xlsx, "--full", "--db", url); code != 0 {
				t.Fatalf("xlsx export: %s", errOut)
			}
			fresh, _ := cityDB(t, sqldb.SQLite)
			code, out, errOut = run(t, "import", "residents", xlsx, "--under", "天水市/秦州区", "--db", fresh)
			if code != 0 || !strings.Contains(out, "imported 4 of 4 rows") {
				t.Fatalf("re-import of the export: exit %d\n%s\n%s", code, out, errOut)
			}
		})
	})
}

func ptr[T any](v T) *T { return &v }

func TestHelp(t *testing.T) {
	for _, c := range commands() {
		code, _, errOut := run(t, c.name, "--help")
		if code != 0 || !strings.Contains(errOut, "Usage: frontline "+c.name) {
			t.Errorf("%s --help: exit %d\n%s", c.name, code, errOut)
		}
	}
	if code, _, _ := run(t, "nosuch"); code != exitUsage {
		t.Errorf("unknown command: exit %d", code)
	}
}

func TestEnvConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.db")
	t.Setenv("FRONTLINE_DB", "sqlite:"+path)
	if code, out, errOut := run(t, "migrate"); code != 0 || !strings.Contains(out, path) {
		t.Fatalf("migrate with FRONTLINE_DB: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Setenv("FRONTLINE_LOG_LEVEL", "loud")
	if code, _, errOut := run(t, "migrate"); code != exitUsage || !strings.Contains(errOut, "log-level") {
		t.Fatalf("bad FRONTLINE_LOG_LEVEL: exit %d: %s", code, errOut)
	}
}

// TestTimeZoneFlag reads the deployment's zone from --time-zone or
// FRONTLINE_TIME_ZONE, and refuses a zone that does not exist by name.
func TestTimeZoneFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tz.db")
	if code, out, errOut := run(t, "migrate", "--db", "sqlite:"+path, "--time-zone", "Asia/Urumqi"); code != 0 {
		t.Fatalf("migrate --time-zone Asia/Urumqi: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut := run(t, "migrate", "--db", "sqlite:"+path, "--time-zone", "Mars/Olympus")
	if code != exitUsage || !strings.Contains(errOut, "--time-zone") || !strings.Contains(errOut, "Mars/Olympus") {
		t.Fatalf("an unknown zone: exit %d: %s", code, errOut)
	}
	t.Setenv("FRONTLINE_TIME_ZONE", "Local")
	if code, _, errOut := run(t, "migrate", "--db", "sqlite:"+path); code != exitUsage || !strings.Contains(errOut, "time zone") {
		t.Fatalf("FRONTLINE_TIME_ZONE=Local: exit %d: %s", code, errOut)
	}
}
